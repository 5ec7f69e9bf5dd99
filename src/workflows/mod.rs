//! Writes that span aggregates, above the stores: each store keeps to its own tables, and what one
//! write means for another aggregate is decided here, once, for the API, the demo and the importer.

pub mod campaigns;
pub mod foi_answers;
