//! Freedom of information rules that need no database: for now, the statutory deadlines.
//!
//! Build one [`FoiCalendar`] at start (it parses the embedded bank holiday table) and pass it to
//! whatever computes a deadline.

mod deadlines;

pub use deadlines::{DeadlineError, FoiCalendar};
