//! Freedom of information rules that need no database: the statutory deadlines, and whether a
//! reply met them.
//!
//! Build one [`FoiCalendar`] at start (it parses the embedded bank holiday table) and pass it to
//! whatever computes a deadline.

mod deadlines;
mod timeliness;

pub use deadlines::{DeadlineError, FoiCalendar};
pub use timeliness::Timeliness;
