//! Whether a reply came in time: the one rule the request views, campaign progress and the list's
//! `late` and `overdue` filters (in SQL, `store::foi_requests::filter`) all follow.

use chrono::NaiveDate;

/// Where a request stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeliness {
    /// The reply came after the due date.
    pub late: bool,
    /// No reply yet, and the due date has passed.
    pub overdue: bool,
    /// Calendar days past the due date when the reply came, or today while none has; 0 in time.
    pub days_overdue: i64,
}

impl Timeliness {
    /// The standing of a request due on `due_on`, replied to on `responded_on`, seen on `today`.
    pub fn of(due_on: NaiveDate, responded_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        Self {
            late: responded_on.is_some_and(|on| on > due_on),
            overdue: responded_on.is_none() && today > due_on,
            days_overdue: (responded_on.unwrap_or(today) - due_on).num_days().max(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Timeliness;

    fn d(raw: &str) -> chrono::NaiveDate {
        raw.parse().unwrap()
    }

    #[test]
    fn late_overdue_and_days() {
        let due = d("2024-03-01");
        let today = d("2024-03-11");
        let on_time = Timeliness::of(due, Some(due), today);
        assert_eq!(
            (on_time.late, on_time.overdue, on_time.days_overdue),
            (false, false, 0)
        );
        let late = Timeliness::of(due, Some(d("2024-03-04")), today);
        assert_eq!(
            (late.late, late.overdue, late.days_overdue),
            (true, false, 3)
        );
        let overdue = Timeliness::of(due, None, today);
        assert_eq!(
            (overdue.late, overdue.overdue, overdue.days_overdue),
            (false, true, 10)
        );
        let waiting = Timeliness::of(due, None, due);
        assert_eq!(
            (waiting.late, waiting.overdue, waiting.days_overdue),
            (false, false, 0)
        );
    }
}
