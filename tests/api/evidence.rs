use chrono::NaiveDate;
use reqwest::StatusCode;
use surveillance_registry::domain::{
    AssessmentKind, AssessmentStatus, DeploymentStatus, Provenance, SourceKind,
};
use surveillance_registry::store::impact_assessments::{self, AssessmentFields};
use surveillance_registry::store::sources::{self, SourceFields};
use surveillance_registry::store::write_transaction;

use crate::both_backends;
use crate::deployments::{create, stamp, state, write};
use crate::helpers::{error_fields, TestDb};

fn assessment(
    force: &str,
    deployment: &str,
    status: AssessmentStatus,
    review: &str,
    source: Option<String>,
) -> AssessmentFields {
    AssessmentFields {
        force: force.into(),
        kind: AssessmentKind::Dpia,
        status,
        title: format!("{force} DPIA"),
        completed_on: NaiveDate::from_ymd_opt(2020, 1, 1),
        next_review_due: Some(NaiveDate::parse_from_str(review, "%Y-%m-%d").unwrap()),
        url: None,
        summary: String::new(),
        deployment_ids: vec![deployment.to_owned()],
        revealed_by_source_id: source,
        revealed_by_foi_request_id: None,
        provenance: Provenance::Foi,
    }
}

both_backends! {
    /// `has_impact_assessment` counts only assessments that exist (published or completed but
    /// unpublished), not links to ones never done, not held, withheld or in progress.
    async fn only_existing_assessments_count_as_assessed(db: TestDb) {
        let app = db.spawn().await;
        let (assessed, linked_only) = write(&db, |conn| {
            let assessed = create(conn, "kent", "drones", "2024-01-01", state(DeploymentStatus::InUse, "DJI"));
            let linked_only = create(conn, "kent", "anpr", "2024-01-01", state(DeploymentStatus::InUse, "Genetec"));
            write_transaction(conn, |conn| {
                impact_assessments::create(conn, &stamp("2024-02-01"), &assessment("kent", &assessed.id, AssessmentStatus::Published, "2025-01-01", None))?;
                impact_assessments::create(conn, &stamp("2024-02-01"), &assessment("kent", &linked_only.id, AssessmentStatus::NotDone, "2025-01-01", None))
            })
            .unwrap();
            (assessed.id, linked_only.id)
        })
        .await;
        let with = app.get_json("/api/v1/deployments?has_impact_assessment=true", StatusCode::OK).await;
        assert_eq!(with["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect::<Vec<_>>(), [assessed.as_str()]);
        let without = app.get_json("/api/v1/deployments?has_impact_assessment=false", StatusCode::OK).await;
        assert_eq!(without["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect::<Vec<_>>(), [linked_only.as_str()]);
    }

    async fn assessments_and_sources_are_listed_filtered_and_linked(db: TestDb) {
        let app = db.spawn().await;
        let (source_id, deployment_id, overdue_id) = write(&db, |conn| {
            let source = write_transaction(conn, |conn| {
                sources::create(conn, &stamp("2020-01-01"), &SourceFields {
                    url: Some("https://example.org/dpia.pdf".into()),
                    archive_url: None,
                    title: "DPIA disclosure".into(),
                    publisher: Some("South Wales Police".into()),
                    kind: SourceKind::OfficialPublication,
                    published_on: NaiveDate::from_ymd_opt(2020, 1, 1),
                    retrieved_on: None,
                    sha256: None,
                    locator: None,
                    statement: None,
                })
            })
            .unwrap();
            let lfr = create(conn, "south-wales", "live-facial-recognition", "2020-01-01", state(DeploymentStatus::InUse, "NEC"));
            let drones = create(conn, "kent", "drones", "2020-01-01", state(DeploymentStatus::InUse, "DJI"));
            let overdue = write_transaction(conn, |conn| {
                impact_assessments::create(conn, &stamp("2020-02-01"), &assessment("south-wales", &lfr.id, AssessmentStatus::Published, "2021-01-01", Some(source.id.clone())))
            })
            .unwrap();
            write_transaction(conn, |conn| {
                impact_assessments::create(conn, &stamp("2020-03-01"), &assessment("kent", &drones.id, AssessmentStatus::Withheld, "2999-01-01", None))
            })
            .unwrap();
            (source.id, lfr.id, overdue.id)
        })
        .await;
        let all = app.get_json("/api/v1/impact-assessments?count=exact", StatusCode::OK).await;
        assert_eq!(all["total_count"], 2);
        for (query, expected) in [
            ("force=south-wales", 1),
            ("tool=live-facial-recognition", 1),
            ("status=withheld", 1),
            ("kind=eqia", 0),
            ("review_overdue=true", 1),
            ("review_overdue=false", 1),
        ] {
            let page = app.get_json(&format!("/api/v1/impact-assessments?{query}"), StatusCode::OK).await;
            assert_eq!(page["items"].as_array().unwrap().len(), expected, "{query}");
        }
        let one = app.get_json(&format!("/api/v1/impact-assessments/{overdue_id}"), StatusCode::OK).await;
        assert_eq!(one["review_overdue"], true);
        assert_eq!(one["deployment_ids"], serde_json::json!([deployment_id]));
        let detail = app.get_json(&format!("/api/v1/deployments/{deployment_id}"), StatusCode::OK).await;
        assert_eq!(detail["impact_assessments"][0]["id"], overdue_id.as_str());
        // Kent's drones are linked to a withheld assessment, which does not count as one that exists.
        let covered = app.get_json("/api/v1/deployments?has_impact_assessment=true", StatusCode::OK).await;
        assert_eq!(covered["items"].as_array().unwrap().len(), 1);
        let source = app.get_json(&format!("/api/v1/sources/{source_id}"), StatusCode::OK).await;
        assert_eq!(source["kind"], "official_publication");
        let stats = app.get_json("/api/v1/stats", StatusCode::OK).await;
        assert_eq!(stats["gaps"]["in_use_or_trial_without_assessment"], 1, "kent's assessment is withheld");
        assert_eq!(stats["gaps"]["assessments_review_overdue"], 1);
        assert_eq!(stats["cells_by_status"]["in_use"], 2);
        app.get_problem("/api/v1/sources/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", StatusCode::NOT_FOUND).await;
        app.get_problem("/api/v1/impact-assessments/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", StatusCode::NOT_FOUND).await;
        let bad = app.get_problem("/api/v1/impact-assessments?kind=guess&review_overdue=maybe", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["kind", "review_overdue"]);
        let bad_stats = app.get_problem("/api/v1/stats?limit=5", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad_stats), ["limit"]);
    }
}
