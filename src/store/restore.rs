//! Imports restore records as exported, for every entity alike. One rule decides whether a
//! re-imported record changes anything: its content, what a writer sets, against what the
//! registry holds. The revision, the times and values computed from today are the registry's own
//! and never count, so re-importing an export (this registry's or another's) is a no-op.

use super::StoreError;

/// What restoring a record did (the importer counts each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    Created,
    Updated,
    Unchanged,
}

/// A record an import can restore.
pub trait Restorable {
    /// What a writer sets: everything but the revision, the times and computed values.
    type Content: PartialEq;

    fn content(&self) -> Self::Content;
}

/// The rule: a held record is unchanged when its content is the imported record's.
pub fn unchanged<T: Restorable>(held: &T, imported: &T) -> bool {
    held.content() == imported.content()
}

/// What restoring `imported` must do, given what looking it up by its key found.
pub enum Plan<T> {
    Create,
    /// The registry holds this version of it, with other content.
    Update(T),
    Unchanged,
}

/// Decides the [`Plan`] from the lookup of the imported record's key (a `NotFound` means create).
pub fn plan<T: Restorable>(
    held: Result<T, StoreError>,
    imported: &T,
) -> Result<Plan<T>, StoreError> {
    match held {
        Ok(current) if unchanged(&current, imported) => Ok(Plan::Unchanged),
        Ok(current) => Ok(Plan::Update(current)),
        Err(StoreError::NotFound { .. }) => Ok(Plan::Create),
        Err(other) => Err(other),
    }
}
