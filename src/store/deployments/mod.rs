//! Deployments: one claim about one force's use of one tool, with its immutable history.
//!
//! The `deployments` table holds the current state; `deployment_revisions` holds every state ever
//! written (a delete included), so "what did the registry say at time T" is a query, not a replay.
//!
//! `model` holds the deployment as read and written, `record` reads a row of either table into it,
//! `query` builds the filtered and sorted queries (current or as of a moment) and the matrix's
//! cells, `read` lists and fetches, `write` creates, updates and deletes, `restore` writes back
//! one exported deployment and `bulk` many new ones at once.

mod bulk;
mod counts;
mod model;
mod query;
mod read;
mod record;
mod restore;
mod write;

pub use bulk::{bulk_growth, insert_histories, insert_new, NewHistory, Revision};
pub use counts::{facets, tally, tally_by_tool_and_status, Facet, ToolStatusTally};
pub use model::{Deployment, DeploymentRevision, DeploymentState, NewDeployment};
pub use query::{
    cell_statuses, force_cells, ActiveOn, CellStatus, DateRange, DeploymentFilter, DeploymentKey,
    DeploymentSort, MatrixFilter, SortColumn, ASSESSMENT_EXISTS,
};
pub use read::{all, get, latest_ids, latest_per_tool, list, revisions};
pub use restore::restore;
pub use write::{create, delete, update, update_current};
