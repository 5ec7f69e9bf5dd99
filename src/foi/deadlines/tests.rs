//! Expected dates below were counted by hand from the table in src/reference/uk_bank_holidays.csv;
//! the comments show the count so a reader can check it without running anything.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use proptest::prelude::*;

use super::*;
use crate::domain::FoiLaw::{Eir, Foia, Foisa};

/// Built once for all tests, as the application builds it once at start.
static CALENDAR: LazyLock<FoiCalendar> = LazyLock::new(FoiCalendar::embedded);

fn d(text: &str) -> NaiveDate {
    text.parse().expect("test dates are ISO 8601")
}

fn due(law: FoiLaw, received: &str) -> NaiveDate {
    CALENDAR.due_date(law, d(received)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// The table itself

#[derive(Deserialize)]
struct NamedRow {
    date: NaiveDate,
    division: String,
    name: String,
}

fn rows() -> Vec<NamedRow> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(BANK_HOLIDAYS_CSV.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn table_spans_exactly_the_covered_years() {
    let rows = rows();
    let first = rows.iter().map(|r| r.date).min().unwrap();
    let last = rows.iter().map(|r| r.date).max().unwrap();
    assert_eq!(first.year(), FIRST_COVERED.year());
    assert_eq!(last.year(), LAST_COVERED.year());
}

#[test]
fn table_has_good_friday_every_year_in_every_division_and_no_weekend_rows() {
    // FOIA s10(6) names Good Friday separately; the code relies on the table listing it.
    let mut good_fridays: BTreeMap<(i32, String), usize> = BTreeMap::new();
    for row in rows() {
        assert!(
            !matches!(row.date.weekday(), Weekday::Sat | Weekday::Sun),
            "{} {} is a weekend day; the table lists observed days only",
            row.date,
            row.name
        );
        if row.name == "Good Friday" {
            assert_eq!(row.date.weekday(), Weekday::Fri, "{}", row.date);
            *good_fridays
                .entry((row.date.year(), row.division))
                .or_default() += 1;
        }
    }
    for year in FIRST_COVERED.year()..=LAST_COVERED.year() {
        for division in ["england-and-wales", "scotland", "northern-ireland"] {
            assert_eq!(
                good_fridays.get(&(year, division.to_owned())),
                Some(&1),
                "Good Friday {year} {division}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Working days

#[test]
fn weekends_are_not_working_days() {
    for law in [Foia, Foisa, Eir] {
        assert!(!CALENDAR.is_working_day(law, d("2019-06-15")).unwrap()); // Saturday
        assert!(!CALENDAR.is_working_day(law, d("2019-06-16")).unwrap()); // Sunday
        assert!(CALENDAR.is_working_day(law, d("2019-06-17")).unwrap()); // Monday
    }
}

#[test]
fn a_holiday_anywhere_in_the_uk_stops_the_foia_clock_but_only_scottish_ones_stop_foisa() {
    let cases = [
        ("2020-01-02", false, false), // 2 January: Scotland
        ("2022-03-17", false, true),  // St Patrick's Day: NI only
        ("2022-07-12", false, true),  // Battle of the Boyne: NI only
        ("2022-08-01", false, false), // Summer bank holiday: Scotland (first Monday of August)
        ("2022-08-29", false, true),  // Summer bank holiday: England, Wales, NI (last Monday)
        ("2022-11-30", false, false), // St Andrew's Day: Scotland
        ("2019-04-19", false, false), // Good Friday: everywhere
        ("2019-04-22", false, true),  // Easter Monday: not in Scotland
    ];
    for (date, foia, foisa) in cases {
        assert_eq!(
            CALENDAR.is_working_day(Foia, d(date)),
            Ok(foia),
            "FOIA {date}"
        );
        assert_eq!(
            CALENDAR.is_working_day(Eir, d(date)),
            Ok(foia),
            "EIR {date}"
        );
        assert_eq!(
            CALENDAR.is_working_day(Foisa, d(date)),
            Ok(foisa),
            "FOISA {date}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Due dates

#[test]
fn plain_weeks_with_no_holidays() {
    // Received Mon 3 June 2019 (day 0). Days 1-4: 4-7 June; 5-9: 10-14; 10-14: 17-21;
    // 15-19: 24-28; day 20: Mon 1 July.
    for law in [Foia, Foisa, Eir] {
        assert_eq!(due(law, "2019-06-03"), d("2019-07-01"));
    }
}

#[test]
fn received_on_friday_or_the_weekend_after_gives_the_same_due_date() {
    // Received Fri 14 June 2019. Days 1-5: 17-21 June; 6-10: 24-28; 11-15: 1-5 July;
    // 16-19: 8-11 July; Fri 12 July is the Battle of the Boyne (NI), so day 20 is Mon 15 July.
    for received in ["2019-06-14", "2019-06-15", "2019-06-16"] {
        assert_eq!(due(Foia, received), d("2019-07-15"), "{received}");
    }
    // Received Mon 17 June 2019 instead: one working day later, Tue 16 July.
    assert_eq!(due(Foia, "2019-06-17"), d("2019-07-16"));
    // FOISA does not skip 12 July: Fri 14 June gives Fri 12 July.
    assert_eq!(due(Foisa, "2019-06-14"), d("2019-07-12"));
}

#[test]
fn christmas_and_new_year() {
    // Received Fri 20 Dec 2019. Day 1: Mon 23; 2: Tue 24; Christmas Day and Boxing Day skipped;
    // 3: Fri 27; 4: Mon 30; 5: Tue 31; New Year's Day (everywhere) and 2 January (a Scottish bank
    // holiday, so not a FOIA working day either under s10(6)) skipped; 6: Fri 3 Jan;
    // 7-11: 6-10; 12-16: 13-17; 17-19: 20-22; 20: Thu 23 Jan 2020.
    assert_eq!(due(Foia, "2019-12-20"), d("2020-01-23"));
    // FOISA skips exactly the same days here: all of them are Scottish bank holidays.
    assert_eq!(due(Foisa, "2019-12-20"), d("2020-01-23"));
}

#[test]
fn easter_monday_counts_under_foisa_only() {
    // Received Thu 18 April 2019. Good Friday 19 April is off under every law.
    // FOIA: Easter Monday 22 April skipped; 1-4: 23-26 April; 5-9: 29 April-3 May; Early May bank
    // holiday 6 May skipped; 10-13: 7-10 May; 14-18: 13-17 May; 19: Mon 20; 20: Tue 21 May.
    assert_eq!(due(Foia, "2019-04-18"), d("2019-05-21"));
    // FOISA: 1: Mon 22 April; 2-5: 23-26; 6-10: 29 April-3 May; 6 May is a Scottish holiday too;
    // 11-14: 7-10 May; 15-19: 13-17 May; 20: Mon 20 May.
    assert_eq!(due(Foisa, "2019-04-18"), d("2019-05-20"));
}

#[test]
fn scottish_only_holidays_move_foia_deadlines() {
    // St Andrew's Day, Wed 30 Nov 2022. Received Thu 24 Nov: 1: 25; 2-3: 28-29; 30 skipped;
    // 4-5: 1-2 Dec; 6-10: 5-9; 11-15: 12-16; 16-20: 19-23 Dec. A Scottish holiday, so FOISA and
    // FOIA agree, and an English force gets the extra day too.
    assert_eq!(due(Foia, "2022-11-24"), d("2022-12-23"));
    assert_eq!(due(Foisa, "2022-11-24"), d("2022-12-23"));

    // August 2022: Scotland's summer bank holiday is Mon 1 Aug, England's and NI's Mon 29 Aug.
    // Received Fri 29 July. FOIA skips both: 1-4: 2-5 Aug; 5-9: 8-12; 10-14: 15-19;
    // 15-19: 22-26; 29 skipped; 20: Tue 30 Aug.
    assert_eq!(due(Foia, "2022-07-29"), d("2022-08-30"));
    // FOISA skips 1 August but not 29 August, which is day 20 there: Mon 29 Aug.
    assert_eq!(due(Foisa, "2022-07-29"), d("2022-08-29"));
}

#[test]
fn northern_irish_only_holidays_move_foia_deadlines() {
    // St Patrick's Day, Thu 17 March 2022. Received Fri 11 March: 1-3: 14-16; 17 skipped;
    // 4: 18; 5-9: 21-25; 10-14: 28 March-1 April; 15-19: 4-8 April; 20: Mon 11 April.
    assert_eq!(due(Foia, "2022-03-11"), d("2022-04-11"));
    assert_eq!(due(Foisa, "2022-03-11"), d("2022-04-08"));

    // Battle of the Boyne, Tue 12 July 2022. Received Thu 30 June: 1: 1 July; 2-6: 4-8; 7: 11;
    // 12 skipped; 8-10: 13-15; 11-15: 18-22; 16-20: 25-29 July.
    assert_eq!(due(Foia, "2022-06-30"), d("2022-07-29"));
    assert_eq!(due(Foisa, "2022-06-30"), d("2022-07-28"));
}

#[test]
fn proclaimed_days_of_2022() {
    // Platinum Jubilee: the Spring bank holiday moved from Mon 30 May to Thu 2 June, plus Fri 3 June.
    // Received Tue 24 May: 1-3: 25-27 May; 4-6: 30 May-1 June (30 May is a working day that year);
    // 2-3 June skipped; 7-11: 6-10; 12-16: 13-17; 17-20: 20-23 June.
    assert_eq!(due(Foia, "2022-05-24"), d("2022-06-23"));
    assert_eq!(due(Foisa, "2022-05-24"), d("2022-06-23"));

    // State funeral of Queen Elizabeth II, Mon 19 Sept. Received Thu 1 Sept: 1: 2; 2-6: 5-9;
    // 7-11: 12-16; 19 skipped; 12-15: 20-23; 16-20: 26-30 Sept.
    assert_eq!(due(Foia, "2022-09-01"), d("2022-09-30"));
    assert_eq!(due(Foisa, "2022-09-01"), d("2022-09-30"));
}

#[test]
fn the_seed_letter_from_the_cambridgeshire_opcc_was_on_time() {
    // Received Thu 13 June 2019, answered Thu 4 July 2019 (shared/seed). Count:
    // 1: Fri 14 June; 2-6: 17-21 June; 7-11: 24-28 June; 12-16: 1-5 July; 17-20: 8-11 July.
    // No bank holiday anywhere in the UK falls in between (the Boyne holiday is 12 July, the day
    // after), so the reply was due Thu 11 July 2019 and came on working day 15.
    let received = d("2019-06-13");
    let responded = d("2019-07-04");
    assert_eq!(CALENDAR.due_date(Foia, received), Ok(d("2019-07-11")));
    assert_eq!(
        CALENDAR.working_days_between(Foia, received, responded),
        Ok(15)
    );
    assert_eq!(CALENDAR.days_overdue(Foia, received, responded), Ok(0));
}

#[test]
fn a_reply_on_the_due_day_is_on_time_and_the_next_day_is_one_day_late() {
    let received = d("2019-06-13"); // due Thu 11 July 2019
    let overdue = |responded: &str| CALENDAR.days_overdue(Foia, received, d(responded));
    assert_eq!(overdue("2019-07-10"), Ok(0));
    assert_eq!(overdue("2019-07-11"), Ok(0));
    assert_eq!(overdue("2019-07-12"), Ok(1));
    // Calendar days: a Saturday reply after a Friday deadline is late.
    let received_friday_due = d("2019-06-14"); // due Mon 15 July 2019
    assert_eq!(
        CALENDAR.days_overdue(Foia, received_friday_due, d("2019-07-20")),
        Ok(5)
    );
}

#[test]
fn extensions_and_internal_reviews() {
    // FOIA s10(3): 40 working days after Thu 13 June 2019. Day 20 is Thu 11 July; 12 July skipped;
    // 21-25: 15-19 July; 26-30: 22-26; 31-35: 29 July-2 Aug; Mon 5 Aug (Scotland) skipped;
    // 36-39: 6-9 Aug; 40: Mon 12 Aug.
    assert_eq!(
        CALENDAR.extended_due_date(Foia, d("2019-06-13")),
        Ok(d("2019-08-12"))
    );
    assert_eq!(
        CALENDAR.extended_due_date(Eir, d("2019-06-13")),
        Ok(d("2019-08-12"))
    );
    // FOISA has no extension.
    assert_eq!(
        CALENDAR.extended_due_date(Foisa, d("2019-06-13")),
        Ok(due(Foisa, "2019-06-13"))
    );

    // Review asked for on Fri 5 July 2019. FOIA: 1-4: 8-11 July; 12 skipped; 5-9: 15-19;
    // 10-14: 22-26; 15-19: 29 July-2 Aug; 5 Aug skipped; 20: Tue 6 Aug.
    let asked = d("2019-07-05");
    assert_eq!(CALENDAR.review_due(Foia, asked), Ok(d("2019-08-06")));
    // Up to 40 under the s45 code: 21-23: 7-9 Aug; 24-28: 12-16; 29-33: 19-23; Mon 26 Aug
    // (England, Wales, NI) skipped; 34-37: 27-30 Aug; 38-40: 2-4 Sept.
    assert_eq!(CALENDAR.review_latest(Foia, asked), Ok(d("2019-09-04")));
    // FOISA s21(1): 20, statutory, no extension. 1-5: 8-12 July; 6-10: 15-19; 11-15: 22-26;
    // 16-20: 29 July-2 Aug.
    assert_eq!(CALENDAR.review_due(Foisa, asked), Ok(d("2019-08-02")));
    assert_eq!(CALENDAR.review_latest(Foisa, asked), Ok(d("2019-08-02")));
    // EIR reg 11(4): 40, statutory.
    assert_eq!(CALENDAR.review_due(Eir, asked), Ok(d("2019-09-04")));
    assert_eq!(CALENDAR.review_latest(Eir, asked), Ok(d("2019-09-04")));
}

#[test]
fn working_days_between_counts_after_from_up_to_and_including_to() {
    // Fri 14 June to Mon 17 June 2019: only the Monday.
    let between = |from: &str, to: &str| CALENDAR.working_days_between(Foia, d(from), d(to));
    assert_eq!(between("2019-06-14", "2019-06-17"), Ok(1));
    assert_eq!(between("2019-06-17", "2019-06-14"), Ok(-1));
    assert_eq!(between("2019-06-14", "2019-06-14"), Ok(0));
    assert_eq!(between("2019-06-14", "2019-06-16"), Ok(0));
}

#[test]
fn dates_outside_the_calendar_are_errors() {
    let outside = |date: &str| DeadlineError::OutsideCalendar { date: d(date) };
    assert_eq!(
        CALENDAR.due_date(Foia, d("2004-12-31")),
        Err(outside("2004-12-31"))
    );
    // Received Mon 2 Dec 2030: the count reaches 1 January 2031 at day 19 and must stop there.
    assert_eq!(
        CALENDAR.due_date(Foia, d("2030-12-02")),
        Err(outside("2031-01-01"))
    );
    assert_eq!(
        CALENDAR.is_working_day(Foisa, d("2031-01-06")),
        Err(outside("2031-01-06"))
    );
    assert_eq!(
        CALENDAR.working_days_between(Eir, d("2004-06-01"), d("2019-06-01")),
        Err(outside("2004-06-01"))
    );
    assert_eq!(
        CALENDAR.days_overdue(Foia, d("2030-12-20"), d("2031-02-01")),
        Err(outside("2031-01-01"))
    );
    // The first and last covered days are fine.
    assert!(CALENDAR.due_date(Foia, FIRST_COVERED).is_ok());
    assert!(CALENDAR.is_working_day(Foia, LAST_COVERED).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Any covered day.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    let span = (LAST_COVERED - FIRST_COVERED).num_days() as u64;
    (0..=span).prop_map(|offset| FIRST_COVERED + Days::new(offset))
}

/// A covered day from which even a 40 working day count stays inside the calendar, and which has a
/// working day on or before it inside the calendar too.
fn receipt_day() -> impl Strategy<Value = NaiveDate> {
    let first = FIRST_COVERED + Days::new(14);
    let last = LAST_COVERED - Days::new(80);
    let span = (last - first).num_days() as u64;
    (0..=span).prop_map(move |offset| first + Days::new(offset))
}

fn any_law() -> impl Strategy<Value = FoiLaw> {
    prop::sample::select(FoiLaw::ALL)
}

/// The last working day on or before `date`.
fn last_working_day_on_or_before(law: FoiLaw, mut date: NaiveDate) -> NaiveDate {
    while !CALENDAR.is_working_day(law, date).unwrap() {
        date = date - Days::new(1);
    }
    date
}

proptest! {
    #[test]
    fn due_date_is_the_first_day_with_20_working_days_after_receipt(
        law in any_law(), received in receipt_day()
    ) {
        let due = CALENDAR.due_date(law, received).unwrap();
        prop_assert!(due > received);
        prop_assert!(CALENDAR.is_working_day(law, due).unwrap());
        prop_assert_eq!(CALENDAR.working_days_between(law, received, due).unwrap(), 20);
        prop_assert_eq!(CALENDAR.working_days_between(law, received, due - Days::new(1)).unwrap(), 19);
    }

    #[test]
    fn due_date_never_moves_earlier_when_receipt_moves_later(
        law in any_law(), a in receipt_day(), b in receipt_day()
    ) {
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(CALENDAR.due_date(law, early).unwrap() <= CALENDAR.due_date(law, late).unwrap());
    }

    /// Receipt on a non-working day counts like receipt on the working day before it: in both
    /// cases the next working day is day 1.
    #[test]
    fn receipt_counts_as_on_the_last_working_day_before_it(
        law in any_law(), received in receipt_day()
    ) {
        let working = last_working_day_on_or_before(law, received);
        prop_assert_eq!(
            CALENDAR.due_date(law, received).unwrap(),
            CALENDAR.due_date(law, working).unwrap()
        );
    }

    /// Every Scottish bank holiday is a bank holiday "in any part of the United Kingdom", so FOISA
    /// has at least the working days FOIA has and its 20th comes no later. (It can come earlier:
    /// Easter Monday and the English, Welsh and NI-only days are FOISA working days.)
    #[test]
    fn foisa_is_never_later_than_foia_and_eir_is_foia(received in receipt_day()) {
        let foia = CALENDAR.due_date(Foia, received).unwrap();
        prop_assert!(CALENDAR.due_date(Foisa, received).unwrap() <= foia);
        prop_assert_eq!(CALENDAR.due_date(Eir, received).unwrap(), foia);
    }

    #[test]
    fn working_days_between_adds_up(
        law in any_law(), a in any_day(), b in any_day(), c in any_day()
    ) {
        let ab = CALENDAR.working_days_between(law, a, b).unwrap();
        let bc = CALENDAR.working_days_between(law, b, c).unwrap();
        let ac = CALENDAR.working_days_between(law, a, c).unwrap();
        prop_assert_eq!(ab + bc, ac);
        prop_assert_eq!(CALENDAR.working_days_between(law, b, a).unwrap(), -ab);
    }

    #[test]
    fn longer_limits_are_never_earlier(law in any_law(), day in receipt_day()) {
        let due = CALENDAR.due_date(law, day).unwrap();
        prop_assert!(CALENDAR.extended_due_date(law, day).unwrap() >= due);
        let review = CALENDAR.review_due(law, day).unwrap();
        prop_assert!(review >= due);
        prop_assert!(CALENDAR.review_latest(law, day).unwrap() >= review);
    }

    #[test]
    fn overdue_is_zero_exactly_when_on_time(
        law in any_law(), received in receipt_day(), after in 0u64..120
    ) {
        let due = CALENDAR.due_date(law, received).unwrap();
        let responded = received + Days::new(after);
        let overdue = CALENDAR.days_overdue(law, received, responded).unwrap();
        prop_assert_eq!(overdue == 0, responded <= due);
        prop_assert_eq!(overdue, (responded - due).num_days().max(0));
    }
}
