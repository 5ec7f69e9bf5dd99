//! What the API answers with: views built from store types (`From` impls), carrying the OpenAPI
//! schemas and examples, so `store/` knows nothing of HTTP or the spec. Each view keeps its store
//! type's field names and order (the JSON is the same) and its component name (`as = ...`).

pub mod accounts;
pub mod assessments;
pub mod campaigns;
pub mod changes;
pub mod comparisons;
pub mod deployments;
pub mod examples;
pub mod foi_requests;
pub mod forces;
pub mod overviews;
pub mod revisions;
pub mod search;
pub mod sources;
pub mod stats;
pub mod tools;
