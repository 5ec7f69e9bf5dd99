//! Statutory FOI deadlines, counted in working days.
//!
//! Every limit here is "the Nth working day after" some date: FOIA s10(1) ("not later than the
//! twentieth working day following the date of receipt"), FOISA s10(1) and s21(1), EIR reg 5(2), 7(1)
//! and 11(4). The start date itself is day 0 and need not be a working day (FOIA s10(6) defines the
//! date of receipt as "the day on which the public authority receives the request", not a working
//! day), so a request received on a Saturday has the following Monday as day 1, the same as one
//! received on the Friday before.
//!
//! What counts as a working day depends on the law:
//! - FOIA s10(6): any day other than a Saturday, a Sunday, Christmas Day, Good Friday, or a bank
//!   holiday under the Banking and Financial Dealings Act 1971 *in any part of the United Kingdom*.
//!   So a Scottish-only holiday (2 January, St Andrew's Day) or a Northern Irish-only one
//!   (17 March, 12 July) stops the clock for an English force too.
//! - EIR reg 2(1): "working day" has the same meaning as in FOIA s10(6), so EIR deadlines use the
//!   FOIA calendar. [`FoiLaw::Eir`] means these UK regulations; the Environmental Information
//!   (Scotland) Regulations 2004, which Scottish authorities apply, are not modelled here.
//! - FOISA s73: any day other than a Saturday, a Sunday, Christmas Day or a bank holiday *in
//!   Scotland* under the 1971 Act. Good Friday is one; Easter Monday and the English and Northern
//!   Irish days are not.
//!
//! Not modelled: days the clock stops while a fee notice is unpaid (FOIA s10(2)) and the restart
//! after a request for clarification (s1(3)). Callers pass the date the clock (re)starts.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use crate::domain::FoiLaw;

/// GOV.UK's table plus the 1971 Act's schedule and proclamations; see the comment lines at its top.
const BANK_HOLIDAYS_CSV: &str = include_str!("../reference/uk_bank_holidays.csv");

/// The first day the bank holiday table covers. Before it the holidays are unknown to us.
const FIRST_COVERED: NaiveDate = NaiveDate::from_ymd_opt(2005, 1, 1).unwrap();
/// The last day the bank holiday table covers. 2029 and 2030 are projected from the usual rules, not
/// yet proclaimed.
const LAST_COVERED: NaiveDate = NaiveDate::from_ymd_opt(2030, 12, 31).unwrap();

/// FOIA s10(1), FOISA s10(1), EIR reg 5(2): the reply is due by the 20th working day.
const TIME_FOR_COMPLIANCE: u32 = 20;
/// The longest allowed with an extension or for a slow internal review (see the methods below).
const EXTENDED_TIME: u32 = 40;

/// A deadline that cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// The count reaches a day whose bank holidays are unknown, so any answer could be wrong.
    #[error("{date} is outside the bank holiday calendar ({FIRST_COVERED} to {LAST_COVERED})")]
    OutsideCalendar { date: NaiveDate },
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Division {
    EnglandAndWales,
    Scotland,
    NorthernIreland,
}

#[derive(Deserialize)]
struct HolidayRow {
    date: NaiveDate,
    division: Division,
}

/// The UK's working days for each FOI law, from the embedded bank holiday table.
#[derive(Debug, Clone)]
pub struct FoiCalendar {
    /// Bank holidays in any part of the UK: the FOIA (and so EIR) non-working days besides weekends.
    anywhere_in_uk: HashSet<NaiveDate>,
    /// Bank holidays in Scotland: the FOISA non-working days besides weekends.
    scotland: HashSet<NaiveDate>,
}

impl FoiCalendar {
    /// Parses the table compiled into the binary. It is fixed at build time and a test parses it, so
    /// a failure here is a bug in the shipped file, not a runtime condition.
    pub fn embedded() -> Self {
        let mut calendar = Self {
            anywhere_in_uk: HashSet::new(),
            scotland: HashSet::new(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(BANK_HOLIDAYS_CSV.as_bytes());
        for row in reader.deserialize::<HolidayRow>() {
            let row = row.expect("src/reference/uk_bank_holidays.csv is valid");
            calendar.anywhere_in_uk.insert(row.date);
            match row.division {
                Division::Scotland => {
                    calendar.scotland.insert(row.date);
                }
                Division::EnglandAndWales | Division::NorthernIreland => {}
            }
        }
        calendar
    }

    /// Whether `date` is a working day under `law` (FOIA s10(6), FOISA s73; EIR as FOIA).
    pub fn is_working_day(&self, law: FoiLaw, date: NaiveDate) -> Result<bool, DeadlineError> {
        covered(date)?;
        Ok(self.works(law, date))
    }

    /// The last day for a reply: the 20th working day after `received_on` (FOIA s10(1), FOISA
    /// s10(1), EIR reg 5(2)). "Promptly" comes first in each; this is only the outer limit.
    pub fn due_date(
        &self,
        law: FoiLaw,
        received_on: NaiveDate,
    ) -> Result<NaiveDate, DeadlineError> {
        self.nth_working_day_after(law, received_on, TIME_FOR_COMPLIANCE)
    }

    /// The last day for a reply when the authority has extended the time:
    /// - FOIA s10(3) allows "such time as is reasonable" to weigh the public interest; the ICO's
    ///   guidance is that this should be no more than a further 20 working days, so 40 in all.
    /// - EIR reg 7(1) allows 40 working days for complex and voluminous requests (statutory).
    /// - FOISA has no extension: the public interest test must fit in the 20 days, so this is the
    ///   same as [`Self::due_date`].
    pub fn extended_due_date(
        &self,
        law: FoiLaw,
        received_on: NaiveDate,
    ) -> Result<NaiveDate, DeadlineError> {
        match law {
            FoiLaw::Foia | FoiLaw::Eir => {
                self.nth_working_day_after(law, received_on, EXTENDED_TIME)
            }
            FoiLaw::Foisa => self.due_date(law, received_on),
        }
    }

    /// When an internal review should be answered:
    /// - FOIA: the review is not statutory; the s45 code of practice expects 20 working days.
    /// - FOISA s21(1): 20 working days after the requirement for review (statutory).
    /// - EIR reg 11(4): 40 working days after the representations (statutory).
    pub fn review_due(
        &self,
        law: FoiLaw,
        review_requested_on: NaiveDate,
    ) -> Result<NaiveDate, DeadlineError> {
        let limit = match law {
            FoiLaw::Foia | FoiLaw::Foisa => TIME_FOR_COMPLIANCE,
            FoiLaw::Eir => EXTENDED_TIME,
        };
        self.nth_working_day_after(law, review_requested_on, limit)
    }

    /// The latest an internal review may take: under FOIA the s45 code allows up to 40 working days
    /// in exceptional cases; under FOISA and the EIR the limit of [`Self::review_due`] is statutory
    /// and has no extension.
    pub fn review_latest(
        &self,
        law: FoiLaw,
        review_requested_on: NaiveDate,
    ) -> Result<NaiveDate, DeadlineError> {
        match law {
            FoiLaw::Foia => self.nth_working_day_after(law, review_requested_on, EXTENDED_TIME),
            FoiLaw::Foisa | FoiLaw::Eir => self.review_due(law, review_requested_on),
        }
    }

    /// How many calendar days after [`Self::due_date`] the reply came (or, if none yet, `today` is);
    /// 0 when on time. Calendar days, not working days, so that a reply sent on the Saturday after a
    /// Friday deadline still counts as late.
    pub fn days_overdue(
        &self,
        law: FoiLaw,
        received_on: NaiveDate,
        responded_on_or_today: NaiveDate,
    ) -> Result<i64, DeadlineError> {
        let due = self.due_date(law, received_on)?;
        Ok((responded_on_or_today - due).num_days().max(0))
    }

    /// The working days after `from` up to and including `to`; negative when `to` is before `from`,
    /// so that counts add up: `between(a, b) + between(b, c) == between(a, c)`.
    pub fn working_days_between(
        &self,
        law: FoiLaw,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, DeadlineError> {
        covered(from)?;
        covered(to)?;
        let (first, last, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let count = first
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= last)
            .filter(|day| self.works(law, *day))
            .count();
        Ok(sign * i64::try_from(count).expect("fewer working days than fit in an i64"))
    }

    /// The `n`th working day after `start`, where `start` is day 0 whatever sort of day it is.
    fn nth_working_day_after(
        &self,
        law: FoiLaw,
        start: NaiveDate,
        n: u32,
    ) -> Result<NaiveDate, DeadlineError> {
        covered(start)?;
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = day + Days::new(1);
            covered(day)?;
            if self.works(law, day) {
                counted += 1;
            }
        }
        Ok(day)
    }

    /// The working-day test for a day already known to be covered.
    fn works(&self, law: FoiLaw, date: NaiveDate) -> bool {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        // Named in both FOIA s10(6) and FOISA s73 because in England, Wales and Northern Ireland it
        // is a common-law holiday, not a bank holiday under the 1971 Act. Good Friday, also named
        // in s10(6), is a row of the table in every division.
        if date.month() == 12 && date.day() == 25 {
            return false;
        }
        let holidays = match law {
            FoiLaw::Foia | FoiLaw::Eir => &self.anywhere_in_uk,
            FoiLaw::Foisa => &self.scotland,
        };
        !holidays.contains(&date)
    }
}

fn covered(date: NaiveDate) -> Result<(), DeadlineError> {
    if (FIRST_COVERED..=LAST_COVERED).contains(&date) {
        Ok(())
    } else {
        Err(DeadlineError::OutsideCalendar { date })
    }
}

#[cfg(test)]
mod tests;
