//! Impact assessments (DPIAs, equality assessments, ...) and the deployments they cover.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{self, Action, Change, Changed, Stamp};
use super::diff;
use super::restore::{plan, Plan, Restorable, Restored};
use super::{new_id, parse_column, utc, Page, PageRequest, StoreError};
use crate::db::bulk::{insert_rows, Value};
use crate::db::schema::{assessment_deployments, deployments, impact_assessments};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::{AssessmentKind, AssessmentStatus, Provenance};

/// An impact assessment of one force's use of one or more tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactAssessment {
    pub id: String,
    /// Force slug.
    pub force: String,
    pub kind: AssessmentKind,
    pub status: AssessmentStatus,
    pub title: String,
    pub completed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
    /// The review date has passed (as of today, UTC).
    pub review_overdue: bool,
    pub url: Option<String>,
    pub summary: String,
    /// The deployments this assessment covers.
    pub deployment_ids: Vec<String>,
    /// The source that revealed it.
    pub revealed_by_source_id: Option<String>,
    /// The FOI request whose reply revealed it.
    pub revealed_by_foi_request_id: Option<String>,
    pub provenance: Provenance,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

/// The content of an assessment, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentFields {
    pub force: String,
    pub kind: AssessmentKind,
    pub status: AssessmentStatus,
    pub title: String,
    pub completed_on: Option<NaiveDate>,
    pub next_review_due: Option<NaiveDate>,
    pub url: Option<String>,
    pub summary: String,
    pub deployment_ids: Vec<String>,
    pub revealed_by_source_id: Option<String>,
    pub revealed_by_foi_request_id: Option<String>,
    pub provenance: Provenance,
}

/// Filters on the list of assessments.
#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    pub force: Option<String>,
    /// Assessments covering a deployment of this tool.
    pub tool: Option<String>,
    pub kind: Option<AssessmentKind>,
    pub status: Option<AssessmentStatus>,
    /// Only assessments whose review date has (or has not) passed by `today`.
    pub review_overdue: Option<bool>,
    pub today: Option<NaiveDate>,
}

/// Where a page of assessments ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssessmentKey {
    pub at: NaiveDateTime,
    pub id: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = impact_assessments)]
struct Row {
    id: String,
    force_slug: String,
    kind: String,
    status: String,
    title: String,
    completed_on: Option<NaiveDate>,
    next_review_due: Option<NaiveDate>,
    url: Option<String>,
    summary: String,
    revealed_by_source_id: Option<String>,
    revealed_by_foi_request_id: Option<String>,
    provenance: String,
    revision: i64,
    updated_at: NaiveDateTime,
}

impl ImpactAssessment {
    /// The view of `fields` written as `revision` at `at`, as `get` would read it back: covered
    /// deployments in id order, once each.
    fn written(id: &str, fields: &AssessmentFields, revision: i64, at: NaiveDateTime) -> Self {
        let mut deployment_ids = fields.deployment_ids.clone();
        deployment_ids.sort_unstable();
        deployment_ids.dedup();
        ImpactAssessment {
            id: id.to_owned(),
            force: fields.force.clone(),
            kind: fields.kind,
            status: fields.status,
            title: fields.title.clone(),
            completed_on: fields.completed_on,
            next_review_due: fields.next_review_due,
            review_overdue: review_overdue(fields.next_review_due, Utc::now().date_naive()),
            url: fields.url.clone(),
            summary: fields.summary.clone(),
            deployment_ids,
            revealed_by_source_id: fields.revealed_by_source_id.clone(),
            revealed_by_foi_request_id: fields.revealed_by_foi_request_id.clone(),
            provenance: fields.provenance,
            revision,
            updated_at: utc(at),
        }
    }
}

/// The change feed's line for a write of an assessment.
fn summary_line(assessment: &ImpactAssessment, action: Action) -> String {
    if action == Action::Delete {
        format!("{} · {}: deleted", assessment.force, assessment.kind)
    } else {
        format!(
            "{} · {}: {}",
            assessment.force, assessment.kind, assessment.status
        )
    }
}

/// The links of written assessments to the deployments they cover, in one statement.
fn insert_links(
    conn: &mut DbConnection,
    assessments: &[ImpactAssessment],
) -> Result<(), StoreError> {
    let links: Vec<Vec<Value<'_>>> = assessments
        .iter()
        .flat_map(|a| {
            a.deployment_ids
                .iter()
                .map(|deployment| vec![Value::Text(&a.id), Value::Text(deployment)])
        })
        .collect();
    Ok(insert_rows(
        conn,
        "assessment_deployments",
        &["impact_assessment_id", "deployment_id"],
        &links,
    )?)
}

/// Whether a review due on `next_review_due` is overdue on `today`.
fn review_overdue(next_review_due: Option<NaiveDate>, today: NaiveDate) -> bool {
    next_review_due.is_some_and(|due| due < today)
}

fn into_views(
    conn: &mut DbConnection,
    rows: Vec<Row>,
    today: NaiveDate,
) -> Result<Vec<ImpactAssessment>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut covered: HashMap<String, Vec<String>> = HashMap::new();
    for (assessment, deployment) in assessment_deployments::table
        .filter(assessment_deployments::impact_assessment_id.eq_any(&ids))
        .select((
            assessment_deployments::impact_assessment_id,
            assessment_deployments::deployment_id,
        ))
        .order((
            assessment_deployments::impact_assessment_id,
            assessment_deployments::deployment_id,
        ))
        .load::<(String, String)>(conn)?
    {
        covered.entry(assessment).or_default().push(deployment);
    }
    rows.into_iter()
        .map(|row| {
            Ok(ImpactAssessment {
                kind: parse_column("impact_assessments.kind", &row.kind)?,
                status: parse_column("impact_assessments.status", &row.status)?,
                provenance: parse_column("impact_assessments.provenance", &row.provenance)?,
                review_overdue: review_overdue(row.next_review_due, today),
                deployment_ids: covered.remove(&row.id).unwrap_or_default(),
                id: row.id,
                force: row.force_slug,
                title: row.title,
                completed_on: row.completed_on,
                next_review_due: row.next_review_due,
                url: row.url,
                summary: row.summary,
                revealed_by_source_id: row.revealed_by_source_id,
                revealed_by_foi_request_id: row.revealed_by_foi_request_id,
                revision: row.revision,
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

fn filtered(
    filter: &AssessmentFilter,
    today: NaiveDate,
) -> impact_assessments::BoxedQuery<'static, MultiBackend> {
    let mut query = impact_assessments::table.into_boxed();
    if let Some(force) = &filter.force {
        query = query.filter(impact_assessments::force_slug.eq(force.clone()));
    }
    if let Some(tool) = &filter.tool {
        let covering = assessment_deployments::table
            .inner_join(deployments::table)
            .filter(deployments::tool_slug.eq(tool.clone()))
            .select(assessment_deployments::impact_assessment_id);
        query = query.filter(impact_assessments::id.eq_any(covering));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(impact_assessments::kind.eq(kind.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(impact_assessments::status.eq(status.as_str()));
    }
    match filter.review_overdue {
        Some(true) => query = query.filter(impact_assessments::next_review_due.lt(today)),
        Some(false) => {
            query = query.filter(
                impact_assessments::next_review_due
                    .is_null()
                    .or(impact_assessments::next_review_due.ge(today)),
            )
        }
        None => {}
    }
    query
}

/// A page of assessments, most recently updated first.
pub fn list(
    conn: &mut DbConnection,
    filter: &AssessmentFilter,
    page: &PageRequest<AssessmentKey>,
) -> Result<Page<ImpactAssessment, AssessmentKey>, StoreError> {
    let today = filter.today.unwrap_or_else(|| Utc::now().date_naive());
    let mut query = filtered(filter, today)
        .select(Row::as_select())
        .order((
            impact_assessments::updated_at.desc(),
            impact_assessments::id.desc(),
        ))
        .limit(page.limit as i64 + 1);
    if let Some(AssessmentKey { at, id }) = &page.after {
        query = query.filter(
            impact_assessments::updated_at.le(*at).and(
                impact_assessments::updated_at
                    .lt(*at)
                    .or(impact_assessments::id.lt(id.clone())),
            ),
        );
    }
    let rows = query.load(conn)?;
    let total = if page.count {
        Some(filtered(filter, today).count().get_result(conn)?)
    } else {
        None
    };
    let rows = Page::from_overfetch(rows, page.limit, |row| AssessmentKey {
        at: row.updated_at,
        id: row.id.clone(),
    });
    Ok(Page {
        items: into_views(conn, rows.items, today)?,
        next_after: rows.next_after,
        total,
    })
}

/// One assessment by id.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<ImpactAssessment, StoreError> {
    let rows = impact_assessments::table
        .filter(impact_assessments::id.eq(id))
        .select(Row::as_select())
        .load(conn)?;
    into_views(conn, rows, Utc::now().date_naive())?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            entity: "impact assessment",
            key: id.to_owned(),
        })
}

/// The assessments covering any of these deployments.
pub fn covering(
    conn: &mut DbConnection,
    deployment_ids: &[String],
) -> Result<Vec<ImpactAssessment>, StoreError> {
    let ids = assessment_deployments::table
        .filter(assessment_deployments::deployment_id.eq_any(deployment_ids))
        .select(assessment_deployments::impact_assessment_id);
    let rows = impact_assessments::table
        .filter(impact_assessments::id.eq_any(ids))
        .select(Row::as_select())
        .order(impact_assessments::id)
        .load(conn)?;
    into_views(conn, rows, Utc::now().date_naive())
}

fn check(conn: &mut DbConnection, fields: &AssessmentFields) -> Result<(), StoreError> {
    if !super::forces::exists(conn, &fields.force)? {
        return Err(StoreError::Invalid {
            field: "force",
            message: format!("no force has the slug `{}`", fields.force),
        });
    }
    let covered: Vec<String> = deployments::table
        .filter(deployments::id.eq_any(&fields.deployment_ids))
        .select(deployments::force_slug)
        .load(conn)?;
    if covered.len() != fields.deployment_ids.len() {
        return Err(StoreError::Invalid {
            field: "deployment_ids",
            message: "names a deployment that does not exist".into(),
        });
    }
    if covered.iter().any(|force| *force != fields.force) {
        return Err(StoreError::Invalid {
            field: "deployment_ids",
            message: "names a deployment of another force".into(),
        });
    }
    if let Some(source) = &fields.revealed_by_source_id {
        super::sources::get(conn, source).map_err(|_| StoreError::Invalid {
            field: "revealed_by_source_id",
            message: format!("no source has the id `{source}`"),
        })?;
    }
    if let Some(request) = &fields.revealed_by_foi_request_id {
        use crate::db::schema::foi_requests;
        let force: Option<String> = foi_requests::table
            .find(request)
            .select(foi_requests::force_slug)
            .first(conn)
            .optional()?;
        match force {
            None => {
                return Err(StoreError::Invalid {
                    field: "revealed_by_foi_request_id",
                    message: format!("no FOI request has the id `{request}`"),
                })
            }
            // The same rule as for covered deployments: an assessment cites its own force's records.
            Some(force) if force != fields.force => {
                return Err(StoreError::Invalid {
                    field: "revealed_by_foi_request_id",
                    message: "names an FOI request about another force".into(),
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Writes the row and its covered deployments, then its revision and change event; shared by
/// create and update.
fn write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    fields: &AssessmentFields,
    revision: i64,
    action: Action,
    changed: Changed<'_>,
) -> Result<ImpactAssessment, StoreError> {
    let written = ImpactAssessment::written(id, fields, revision, stamp.at);
    if action == Action::Create {
        insert_new_rows(conn, std::slice::from_ref(&written))?;
    } else {
        diesel::update(impact_assessments::table.find(id))
            .set((
                impact_assessments::force_slug.eq(&fields.force),
                impact_assessments::kind.eq(fields.kind.as_str()),
                impact_assessments::status.eq(fields.status.as_str()),
                impact_assessments::title.eq(&fields.title),
                impact_assessments::completed_on.eq(fields.completed_on),
                impact_assessments::next_review_due.eq(fields.next_review_due),
                impact_assessments::url.eq(&fields.url),
                impact_assessments::summary.eq(&fields.summary),
                impact_assessments::revealed_by_source_id.eq(&fields.revealed_by_source_id),
                impact_assessments::revealed_by_foi_request_id
                    .eq(&fields.revealed_by_foi_request_id),
                impact_assessments::provenance.eq(fields.provenance.as_str()),
                impact_assessments::revision.eq(revision),
                impact_assessments::updated_at.eq(stamp.at),
            ))
            .execute(conn)?;
        diesel::delete(
            assessment_deployments::table
                .filter(assessment_deployments::impact_assessment_id.eq(id)),
        )
        .execute(conn)?;
        insert_links(conn, std::slice::from_ref(&written))?;
    }
    record_write(conn, stamp, &written, action, changed)?;
    Ok(written)
}

fn record_write(
    conn: &mut DbConnection,
    stamp: &Stamp,
    assessment: &ImpactAssessment,
    action: Action,
    changed: Changed<'_>,
) -> Result<(), StoreError> {
    super::revisions::record_write(
        conn,
        stamp,
        Change {
            entity_type: ENTITY,
            entity_id: &assessment.id,
            action,
            revision: assessment.revision,
            force_slug: Some(&assessment.force),
            changed,
            summary: summary_line(assessment, action),
        },
        assessment,
    )
}

/// The entity type of assessments in revisions and the change feed.
const ENTITY: &str = "impact_assessment";

/// Records a new assessment and the deployments it covers. Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    stamp: &Stamp,
    fields: &AssessmentFields,
) -> Result<ImpactAssessment, StoreError> {
    check(conn, fields)?;
    write(
        conn,
        stamp,
        &new_id(),
        fields,
        1,
        Action::Create,
        Changed::NONE,
    )
}

/// Records many new assessments at once (the demo seeder), each as written by `actor` at `at`:
/// their rows, covered deployments, snapshots and change events in a few multi-row statements.
/// Their references are the caller's to check. Call inside a write transaction.
pub fn insert_new(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    new: &[(NaiveDateTime, AssessmentFields)],
) -> Result<Vec<ImpactAssessment>, StoreError> {
    let written: Vec<ImpactAssessment> = new
        .iter()
        .map(|(at, fields)| ImpactAssessment::written(&new_id(), fields, 1, *at))
        .collect();
    insert_new_rows(conn, &written)?;
    let created: Vec<super::revisions::Created<'_, ImpactAssessment>> = written
        .iter()
        .map(|a| super::revisions::Created {
            id: &a.id,
            revision: a.revision,
            force_slug: Some(&a.force),
            summary: summary_line(a, Action::Create),
            at: a.updated_at.naive_utc(),
            snapshot: a,
        })
        .collect();
    super::revisions::record_created_many(conn, actor, ENTITY, &created)?;
    Ok(written)
}

/// The rows of new assessments (created when last updated) and their covered deployments: one
/// statement each, for one assessment or many.
fn insert_new_rows(
    conn: &mut DbConnection,
    written: &[ImpactAssessment],
) -> Result<(), StoreError> {
    use crate::db::bulk::StoredTime;
    let rows: Vec<Vec<Value<'_>>> = written
        .iter()
        .map(|a| {
            let at = StoredTime(a.updated_at.naive_utc());
            vec![
                Value::Text(&a.id),
                Value::Text(&a.force),
                Value::Text(a.kind.as_str()),
                Value::Text(a.status.as_str()),
                Value::Text(&a.title),
                Value::OptDate(a.completed_on),
                Value::OptDate(a.next_review_due),
                Value::OptText(a.url.as_deref()),
                Value::Text(&a.summary),
                Value::OptText(a.revealed_by_source_id.as_deref()),
                Value::OptText(a.revealed_by_foi_request_id.as_deref()),
                Value::Text(a.provenance.as_str()),
                Value::Int(a.revision),
                Value::Time(at),
                Value::Time(at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "impact_assessments",
        &[
            "id",
            "force_slug",
            "kind",
            "status",
            "title",
            "completed_on",
            "next_review_due",
            "url",
            "summary",
            "revealed_by_source_id",
            "revealed_by_foi_request_id",
            "provenance",
            "revision",
            "created_at",
            "updated_at",
        ],
        &rows,
    )?;
    insert_links(conn, written)
}

fn current_at(
    conn: &mut DbConnection,
    id: &str,
    expected: super::Precondition,
) -> Result<ImpactAssessment, StoreError> {
    let current = get(conn, id)?;
    super::expect_revision("impact assessment", id, current.revision, expected)?;
    Ok(current)
}

/// Replaces an assessment's content if it is still at the revision `expected` names; its force is fixed.
/// Call inside a write transaction.
pub fn update(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
    fields: &AssessmentFields,
) -> Result<ImpactAssessment, StoreError> {
    let current = current_at(conn, id, expected)?;
    if fields.force != current.force {
        return Err(StoreError::Invalid {
            field: "force",
            message: "is fixed once an assessment exists".into(),
        });
    }
    check(conn, fields)?;
    let before = serde_json::to_value(&current).expect("views serialise");
    let after = serde_json::json!({
        "kind": fields.kind,
        "status": fields.status,
        "title": fields.title,
        "completed_on": fields.completed_on,
        "next_review_due": fields.next_review_due,
        "url": fields.url,
        "summary": fields.summary,
        "deployment_ids": fields.deployment_ids,
        "revealed_by_source_id": fields.revealed_by_source_id,
        "revealed_by_foi_request_id": fields.revealed_by_foi_request_id,
        "provenance": fields.provenance,
    });
    let changed = Changed::Values(diff::named(
        &before,
        &after,
        &[
            "kind",
            "status",
            "title",
            "completed_on",
            "next_review_due",
            "url",
            "summary",
            "deployment_ids",
            "revealed_by_source_id",
            "revealed_by_foi_request_id",
            "provenance",
        ],
    ));
    write(
        conn,
        stamp,
        id,
        fields,
        current.revision + 1,
        Action::Update,
        changed,
    )
}

impl Restorable for ImpactAssessment {
    type Content = AssessmentFields;

    fn content(&self) -> AssessmentFields {
        AssessmentFields {
            force: self.force.clone(),
            kind: self.kind,
            status: self.status,
            title: self.title.clone(),
            completed_on: self.completed_on,
            next_review_due: self.next_review_due,
            url: self.url.clone(),
            summary: self.summary.clone(),
            deployment_ids: self.deployment_ids.clone(),
            revealed_by_source_id: self.revealed_by_source_id.clone(),
            revealed_by_foi_request_id: self.revealed_by_foi_request_id.clone(),
            provenance: self.provenance,
        }
    }
}

/// Writes an assessment as exported (same id, revision and time), for imports: nothing when its
/// content is unchanged, an audited update when it differs. Call inside a write transaction.
pub fn restore(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    record: &ImpactAssessment,
) -> Result<Restored, StoreError> {
    let fields = record.content();
    match plan(get(conn, &record.id), record)? {
        Plan::Unchanged => Ok(Restored::Unchanged),
        Plan::Update(current) => {
            update(
                conn,
                &Stamp::now(actor.clone()),
                &record.id,
                super::Precondition::Revision(current.revision),
                &fields,
            )?;
            Ok(Restored::Updated)
        }
        Plan::Create => {
            check(conn, &fields)?;
            let stamp = Stamp {
                actor: actor.clone(),
                at: record.updated_at.naive_utc(),
            };
            write(
                conn,
                &stamp,
                &record.id,
                &fields,
                record.revision,
                Action::Create,
                Changed::NONE,
            )?;
            Ok(Restored::Created)
        }
    }
}

/// Deletes an assessment if it is still at the revision `expected` names; its revisions stay readable.
/// Call inside a write transaction.
pub fn delete(
    conn: &mut DbConnection,
    stamp: &Stamp,
    id: &str,
    expected: super::Precondition,
) -> Result<(), StoreError> {
    let mut current = current_at(conn, id, expected)?;
    diesel::delete(impact_assessments::table.find(id)).execute(conn)?;
    current.revision += 1;
    record_write(conn, stamp, &current, Action::Delete, Changed::NONE)
}

/// Every version of an assessment, oldest first.
pub fn revisions(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Vec<super::revisions::Revision<serde_json::Value>>, StoreError> {
    super::revisions::history(conn, ENTITY, id)
}
