//! The deployments' query language: sort by any column, date ranges, `active`, `verified`, the tool
//! hierarchy, facets, `include=evidence` (lists and exports) and the statistics of a filtered set.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};
use surveillance_registry::domain::{
    AssessmentKind, AssessmentStatus, DeploymentStatus, Provenance, SourceKind,
};
use surveillance_registry::store::deployments::DeploymentState;
use surveillance_registry::store::impact_assessments::{self, AssessmentFields};
use surveillance_registry::store::sources::{self, SourceFields};
use surveillance_registry::store::write_transaction;

use crate::both_backends;
use crate::deployments::{create, stamp, state, write};
use crate::helpers::{error_fields, TestApp, TestDb};

fn date(raw: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap())
}

/// A deployment's content with its dates (`None` where empty) and verified flag.
fn dated(
    status: DeploymentStatus,
    vendor: &str,
    first: &str,
    confirmed: &str,
    ended: &str,
    verified: bool,
) -> DeploymentState {
    let on = |raw: &str| (!raw.is_empty()).then(|| date(raw)).flatten();
    DeploymentState {
        first_known_use: on(first),
        last_confirmed: on(confirmed),
        ended_on: on(ended),
        verified,
        ..state(status, vendor)
    }
}

/// The forces of a page's items, in order.
fn forces(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["force"].as_str().unwrap(),
                d["tool"].as_str().unwrap()
            )
        })
        .collect()
}

async fn list(app: &TestApp, query: &str) -> Vec<String> {
    forces(
        &app.get_json(
            &format!("/api/v1/deployments?limit=500&{query}"),
            StatusCode::OK,
        )
        .await,
    )
}

/// Six claims: dates with gaps and ties, three facial recognition tools, two vendors, two nations.
async fn seed(db: &TestDb) {
    write(db, |conn| {
        use DeploymentStatus::*;
        create(
            conn,
            "kent",
            "live-facial-recognition",
            "2024-01-01",
            dated(InUse, "NEC", "2019-05-01", "2024-01-01", "", true),
        );
        create(
            conn,
            "kent",
            "retrospective-facial-recognition",
            "2024-01-02",
            dated(InUse, "Cognitec", "2019-05-01", "", "2099-01-01", false),
        );
        create(
            conn,
            "essex",
            "facial-recognition",
            "2024-01-03",
            dated(
                Trial,
                "NEC",
                "2021-03-01",
                "2022-01-01",
                "2022-06-30",
                false,
            ),
        );
        create(
            conn,
            "essex",
            "drones",
            "2024-01-04",
            dated(InUse, "DJI", "", "2023-01-01", "", true),
        );
        create(
            conn,
            "south-wales",
            "live-facial-recognition",
            "2024-01-05",
            dated(InUse, "NEC", "2017-06-01", "2023-06-01", "", true),
        );
        create(
            conn,
            "south-wales",
            "imsi-catcher",
            "2024-01-06",
            dated(Ncnd, "undisclosed", "", "", "", false),
        );
    })
    .await;
}

/// The value a sort column reads from a listed deployment (`null` for a missing date).
fn sort_value(item: &Value, column: &str) -> Value {
    item[column].clone()
}

/// Whether `items` are in the order `sort` names: the column (missing dates last either way),
/// then the id in the same direction.
fn assert_sorted(items: &[Value], sort: &str) {
    let (descending, column) = match sort.strip_prefix('-') {
        Some(column) => (true, column),
        None => (false, sort),
    };
    for pair in items.windows(2) {
        let (a, b) = (sort_value(&pair[0], column), sort_value(&pair[1], column));
        let (a_id, b_id) = (
            pair[0]["id"].as_str().unwrap(),
            pair[1]["id"].as_str().unwrap(),
        );
        let ordered = match (a.as_str(), b.as_str()) {
            (None, Some(_)) => false,
            (Some(_), None) => true,
            (None, None) => (a_id < b_id) != descending,
            (Some(a), Some(b)) if a == b => (a_id < b_id) != descending,
            (Some(a), Some(b)) => (a < b) != descending,
        };
        assert!(ordered, "{sort}: {} before {}", pair[0], pair[1]);
    }
}

both_backends! {
    async fn every_column_sorts_both_ways_with_stable_pages(db: TestDb) {
        let app = db.spawn().await;
        seed(&db).await;
        for column in ["updated_at", "first_known_use", "last_confirmed", "ended_on", "force", "tool", "status"] {
            for sort in [column.to_owned(), format!("-{column}")] {
                let whole = app.get_json(&format!("/api/v1/deployments?limit=500&sort={sort}"), StatusCode::OK).await;
                let whole = whole["items"].as_array().unwrap().clone();
                assert_eq!(whole.len(), 6, "{sort}");
                assert_sorted(&whole, &sort);
                let paged = app.get_all(&format!("/api/v1/deployments?limit=2&sort={sort}")).await;
                assert_eq!(paged, whole, "{sort}: pages of two add up to the whole list");
            }
        }
        // Missing dates come last both ways.
        let ascending = list(&app, "sort=first_known_use").await;
        let descending = list(&app, "sort=-first_known_use").await;
        assert_eq!(ascending[0], "south-wales/live-facial-recognition");
        assert_eq!(descending[0], "essex/facial-recognition");
        for order in [&ascending, &descending] {
            let mut tail = order[4..].to_vec();
            tail.sort();
            assert_eq!(tail, ["essex/drones", "south-wales/imsi-catcher"]);
        }
    }

    async fn dates_activity_verification_and_tool_families_filter(db: TestDb) {
        let app = db.spawn().await;
        seed(&db).await;
        let sorted = |mut v: Vec<String>| { v.sort(); v };
        let cases: [(&str, Vec<&str>); 12] = [
            ("first_known_use__gte=2019-05-01&first_known_use__lte=2021-03-01",
                vec!["essex/facial-recognition", "kent/live-facial-recognition", "kent/retrospective-facial-recognition"]),
            ("first_known_use__lte=2018-12-31", vec!["south-wales/live-facial-recognition"]),
            ("last_confirmed__gte=2023-01-01", vec!["essex/drones", "kent/live-facial-recognition", "south-wales/live-facial-recognition"]),
            ("ended_on__lte=2022-12-31", vec!["essex/facial-recognition"]),
            ("ended_on__gte=2023-01-01", vec!["kent/retrospective-facial-recognition"]),
            ("active=false", vec!["essex/facial-recognition"]),
            ("verified=true&tool=drones", vec!["essex/drones"]),
            ("verified=false&nation=wales", vec!["south-wales/imsi-catcher"]),
            ("tool=facial-recognition", vec!["essex/facial-recognition", "kent/live-facial-recognition",
                "kent/retrospective-facial-recognition", "south-wales/live-facial-recognition"]),
            ("tool_exact=facial-recognition", vec!["essex/facial-recognition"]),
            ("tool=live-facial-recognition", vec!["kent/live-facial-recognition", "south-wales/live-facial-recognition"]),
            ("tool=facial-recognition&active=true&as_of=2022-12-31", vec![]),
        ];
        for (query, expected) in cases {
            assert_eq!(sorted(list(&app, query).await), expected, "{query}");
        }
        assert_eq!(list(&app, "active=true").await.len(), 5);
        // `active` is read on the `as_of` date: Kent's retrospective search ends in 2099.
        assert_eq!(
            sorted(list(&app, "active=false&as_of=2100-01-01").await),
            ["essex/facial-recognition", "kent/retrospective-facial-recognition"]
        );
    }

    async fn facets_count_the_whole_filtered_set(db: TestDb) {
        let app = db.spawn().await;
        seed(&db).await;
        let page = app
            .get_json("/api/v1/deployments?limit=1&tool=facial-recognition&facet=force,status,vendor,nation,region,tool", StatusCode::OK)
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        let facets = &page["facets"];
        assert_eq!(facets["force"], json!([{"value": "kent", "count": 2}, {"value": "essex", "count": 1}, {"value": "south-wales", "count": 1}]));
        assert_eq!(facets["status"], json!([{"value": "in_use", "count": 3}, {"value": "trial", "count": 1}]));
        assert_eq!(facets["vendor"], json!([{"value": "NEC", "count": 3}, {"value": "Cognitec", "count": 1}]));
        assert_eq!(facets["nation"], json!([{"value": "england", "count": 3}, {"value": "wales", "count": 1}]));
        assert_eq!(facets["region"], json!([{"value": "South East", "count": 2}, {"value": "East of England", "count": 1}, {"value": "Wales", "count": 1}]));
        assert_eq!(facets["tool"][0], json!({"value": "live-facial-recognition", "count": 2}));
        let past = app.get_json("/api/v1/deployments?as_of=2024-01-02&facet=tool", StatusCode::OK).await;
        assert_eq!(past["facets"]["tool"].as_array().unwrap().len(), 2, "facets read the registry as it stood");
        let plain = app.get_json("/api/v1/deployments", StatusCode::OK).await;
        assert!(plain.get("facets").is_none(), "no facets unless asked");
    }

    async fn evidence_is_embedded_in_lists_and_exports(db: TestDb) {
        let app = db.spawn().await;
        let (source, assessed) = write(&db, |conn| {
            let source = write_transaction(conn, |conn| {
                sources::create(conn, &stamp("2020-01-01"), &SourceFields {
                    url: Some("https://example.org/lfr.pdf".into()),
                    archive_url: None,
                    title: "LFR disclosure".into(),
                    publisher: Some("Kent Police".into()),
                    kind: SourceKind::FoiResponse,
                    published_on: date("2020-01-01"),
                    retrieved_on: None,
                    sha256: None,
                    locator: Some("Q1".into()),
                    statement: Some("Kent says it uses LFR.".into()),
                })
            })
            .unwrap();
            let cited = create(conn, "kent", "live-facial-recognition", "2020-02-01", DeploymentState {
                source_ids: vec![source.id.clone()],
                ..state(DeploymentStatus::InUse, "NEC")
            });
            create(conn, "essex", "drones", "2020-02-02", state(DeploymentStatus::InUse, "DJI"));
            write_transaction(conn, |conn| {
                impact_assessments::create(conn, &stamp("2020-03-01"), &AssessmentFields {
                    force: "kent".into(),
                    kind: AssessmentKind::Dpia,
                    status: AssessmentStatus::Published,
                    title: "Kent LFR DPIA".into(),
                    completed_on: date("2020-03-01"),
                    next_review_due: None,
                    url: None,
                    summary: String::new(),
                    deployment_ids: vec![cited.id.clone()],
                    revealed_by_source_id: None,
                    revealed_by_foi_request_id: None,
                    provenance: Provenance::Foi,
                })
            })
            .unwrap();
            (source.id, cited.id)
        })
        .await;
        let page = app.get_json("/api/v1/deployments?include=evidence&sort=force", StatusCode::OK).await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(items[0]["force"], "essex");
        assert_eq!(items[0]["evidence"], json!([]));
        assert_eq!(items[0]["impact_assessments"], json!([]));
        assert_eq!(items[1]["id"], assessed.as_str());
        assert_eq!(items[1]["evidence"][0]["id"], source.as_str());
        assert_eq!(items[1]["evidence"][0]["locator"], "Q1");
        assert_eq!(items[1]["impact_assessments"][0]["title"], "Kent LFR DPIA");
        let plain = app.get_json("/api/v1/deployments", StatusCode::OK).await;
        assert!(plain["items"][0].get("evidence").is_none());

        let lines = app.get("/api/v1/exports/deployments.ndjson?include=evidence&force=kent").await.text().await.unwrap();
        let line: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
        assert_eq!(line["evidence"][0]["url"], "https://example.org/lfr.pdf");
        assert_eq!(line["impact_assessments"][0]["title"], "Kent LFR DPIA");
        let csv = app.get("/api/v1/exports/deployments.csv?include=evidence&force=kent").await.text().await.unwrap();
        let mut rows = csv.lines();
        assert!(rows.next().unwrap().ends_with(",evidence_urls,evidence_titles,impact_assessment_titles"));
        assert!(rows.next().unwrap().ends_with(",https://example.org/lfr.pdf,LFR disclosure,Kent LFR DPIA"));
    }

    async fn stats_take_the_filters_and_count_forces(db: TestDb) {
        let app = db.spawn().await;
        seed(&db).await;
        let all = app.get_json("/api/v1/stats", StatusCode::OK).await;
        let lfr = all["deployments_by_tool"].as_array().unwrap().iter()
            .find(|row| row["tool"] == "live-facial-recognition" && row["status"] == "in_use").unwrap().clone();
        assert_eq!((lfr["count"].clone(), lfr["forces"].clone()), (json!(2), json!(2)));
        // In use or on trial with no assessment: every such claim here, over three forces.
        assert_eq!(all["gaps"]["in_use_or_trial_without_assessment"], 5);
        assert_eq!(all["gaps"]["forces_in_use_or_trial_without_assessment"], 3);
        let listed = app.get_json("/api/v1/deployments?status__in=in_use,trial&has_impact_assessment=false&count=exact", StatusCode::OK).await;
        assert_eq!(listed["total_count"], 5, "the list reproduces the gap");

        let wales = app.get_json("/api/v1/stats?nation=wales", StatusCode::OK).await;
        let tools: Vec<&str> = wales["deployments_by_tool"].as_array().unwrap().iter().map(|r| r["tool"].as_str().unwrap()).collect();
        assert_eq!(tools, ["imsi-catcher", "live-facial-recognition"]);
        assert_eq!(wales["gaps"]["forces_in_use_or_trial_without_assessment"], 1);
        let cells: i64 = wales["cells_by_status"].as_object().unwrap().values().map(|v| v.as_i64().unwrap()).sum();
        let wales_forces = app.get_json("/api/v1/forces?nation=wales&limit=500", StatusCode::OK).await["items"].as_array().unwrap().len() as i64;
        let tools_count = app.get_json("/api/v1/tools?limit=500", StatusCode::OK).await["items"].as_array().unwrap().len() as i64;
        assert_eq!(cells, wales_forces * tools_count, "cells of the Welsh forces only");
        let trial = app.get_json("/api/v1/stats?tool=facial-recognition&status=trial", StatusCode::OK).await;
        assert_eq!(trial["gaps"]["in_use_or_trial_without_assessment"], 1);
        let problem = app.get_problem("/api/v1/stats?sort=force", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&problem), ["sort"], "stats take filters, not list options");
    }

    async fn bad_query_language_is_named(db: TestDb) {
        let app = db.spawn().await;
        for (query, field) in [
            ("facet=colour", "facet"),
            ("facet=force,", "facet"),
            ("include=sources", "include"),
            ("sort=-colour", "sort"),
            ("sort=--force", "sort"),
            ("first_known_use__gte=2020-02-01&first_known_use__lte=2020-01-01", "first_known_use__gte"),
            ("ended_on__lte=2020-1-1", "ended_on__lte"),
            ("active=yes", "active"),
            ("verified=1", "verified"),
            ("tool_exact=Facial", "tool_exact"),
            ("stauts=in_use", "stauts"),
            ("force=kent&force=essex", "force"),
        ] {
            let problem = app.get_problem(&format!("/api/v1/deployments?{query}"), StatusCode::BAD_REQUEST).await;
            assert_eq!(error_fields(&problem), [field], "{query}");
        }
        let export = app.get_problem("/api/v1/exports/deployments.csv?facet=colour", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&export), ["facet"]);
    }
}
