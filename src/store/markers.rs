//! How far the registry has been written: overall (the write sequence every write transaction
//! bumps) and per scope (the `write_scopes` table its triggers keep), so that a cache can tell
//! which of its answers a write may have changed.

use std::collections::HashMap;

use diesel::prelude::*;

use super::StoreError;
use crate::db::schema::{write_scopes, write_sequence};
use crate::db::DbConnection;

/// The scope every write not confined to one force's claims touches (see the migration).
const EVERYTHING: &str = "*";
/// The scope of a write that adds a status to a force x tool cell or removes one from it.
const CELLS: &str = "cells";

/// What a computed answer depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// Anything in the registry: lists, the matrix, statistics, search.
    Everything,
    /// One force's claims, and anything not confined to another force's claims (its profile).
    Force(String),
    /// Which statuses each force x tool cell holds, and anything not a deployment's claim (today's
    /// matrix): a claim that changes no cell's set of statuses leaves it as it was.
    Cells,
}

/// The write sequence and the latest write of each scope, read in one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteMarkers {
    /// Changes whenever any write commits, on any instance.
    pub sequence: i64,
    scopes: HashMap<String, i64>,
}

impl WriteMarkers {
    /// The write sequence's value at the latest write of `scope` (0: none seen).
    fn touched(&self, scope: &str) -> i64 {
        self.scopes.get(scope).copied().unwrap_or(0)
    }

    /// Whether no write that could change an answer depending on `dependency`, computed when the
    /// sequence stood at `at`, has been made since.
    pub fn unchanged_since(&self, dependency: &Dependency, at: i64) -> bool {
        match dependency {
            Dependency::Everything => self.sequence == at,
            Dependency::Force(slug) => {
                self.touched(EVERYTHING) <= at && self.touched(&format!("force:{slug}")) <= at
            }
            Dependency::Cells => self.touched(EVERYTHING) <= at && self.touched(CELLS) <= at,
        }
    }
}

/// Reads the markers: the sequence first, then the scopes. A write committed between the two
/// reads then shows in the scopes only, which makes answers look older than they are (recomputed
/// once more), never newer.
pub fn write_markers(conn: &mut DbConnection) -> Result<WriteMarkers, StoreError> {
    let sequence = write_sequence::table
        .select(write_sequence::value)
        .first(conn)?;
    let scopes = write_scopes::table
        .select((write_scopes::scope, write_scopes::marker))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(WriteMarkers { sequence, scopes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers(sequence: i64, scopes: &[(&str, i64)]) -> WriteMarkers {
        WriteMarkers {
            sequence,
            scopes: scopes.iter().map(|(s, m)| (s.to_string(), *m)).collect(),
        }
    }

    #[test]
    fn a_write_to_one_force_keeps_other_forces_answers() {
        let kent = Dependency::Force("kent".into());
        let wales = Dependency::Force("dyfed-powys".into());
        let now = markers(7, &[("*", 3), ("force:kent", 7), ("force:dyfed-powys", 2)]);
        assert!(now.unchanged_since(&wales, 5));
        assert!(!now.unchanged_since(&kent, 5));
        assert!(now.unchanged_since(&kent, 7));
        assert!(!now.unchanged_since(&Dependency::Everything, 5));
        assert!(now.unchanged_since(&Dependency::Everything, 7));
    }

    #[test]
    fn only_a_cell_gaining_or_losing_a_status_changes_the_matrix() {
        let claims_only = markers(9, &[("*", 3), ("force:kent", 9), ("cells", 5)]);
        assert!(claims_only.unchanged_since(&Dependency::Cells, 5));
        assert!(!claims_only.unchanged_since(&Dependency::Cells, 4));
        let outside = markers(9, &[("*", 9), ("cells", 5)]);
        assert!(!outside.unchanged_since(&Dependency::Cells, 5));
    }

    #[test]
    fn a_write_outside_any_force_changes_every_answer() {
        let now = markers(8, &[("*", 8), ("force:kent", 7)]);
        assert!(!now.unchanged_since(&Dependency::Force("dyfed-powys".into()), 7));
        assert!(now.unchanged_since(&Dependency::Force("dyfed-powys".into()), 8));
    }
}
