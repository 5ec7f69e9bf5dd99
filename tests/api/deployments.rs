use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::Value;
use surveillance_registry::db::Database;
use surveillance_registry::domain::{DeploymentStatus, Provenance};
use surveillance_registry::store::audit::{Actor, Stamp};
use surveillance_registry::store::deployments::{self, Deployment, DeploymentState, NewDeployment};
use surveillance_registry::store::{write_transaction, Precondition};

use crate::both_backends;
use crate::helpers::{error_fields, TestDb};

pub fn stamp(date: &str) -> Stamp {
    let at = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    Stamp {
        actor: Actor::system("test"),
        at,
    }
}

pub fn state(status: DeploymentStatus, vendor: &str) -> DeploymentState {
    DeploymentState {
        status,
        vendors: vec![vendor.to_owned()],
        product: None,
        first_known_use: None,
        last_confirmed: None,
        ended_on: None,
        summary: format!("{vendor} {status}"),
        legal_basis: None,
        authorisation: None,
        public_consultation: None,
        use_policy_url: None,
        provenance: Provenance::Foi,
        verified: false,
        source_ids: Vec::new(),
    }
}

/// Writes through the data layer (the write API has its own tests) at chosen moments.
pub async fn write<T: Send + 'static>(
    db: &TestDb,
    work: impl FnOnce(&mut surveillance_registry::db::DbConnection) -> T + Send + 'static,
) -> T {
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let database = Database::connect(&url, 1).unwrap();
        let mut conn = database.get().unwrap();
        work(&mut conn)
    })
    .await
    .unwrap()
}

pub fn create(
    conn: &mut surveillance_registry::db::DbConnection,
    force: &str,
    tool: &str,
    date: &str,
    s: DeploymentState,
) -> Deployment {
    write_transaction(conn, |conn| {
        deployments::create(
            conn,
            &stamp(date),
            &NewDeployment {
                force: force.into(),
                tool: tool.into(),
                state: s,
            },
        )
    })
    .unwrap()
}

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect()
}

both_backends! {
    async fn filters_select_the_matching_deployments(db: TestDb) {
        let app = db.spawn().await;
        let (kent_lfr, kent_bwv, wales_imsi) = write(&db, |conn| {
            (
                create(conn, "kent", "live-facial-recognition", "2020-01-01", state(DeploymentStatus::Trial, "NEC")),
                create(conn, "kent", "body-worn-video", "2021-01-01", state(DeploymentStatus::InUse, "Axon")),
                create(conn, "south-wales", "imsi-catcher", "2022-01-01", state(DeploymentStatus::Ncnd, "undisclosed")),
            )
        })
        .await;
        let all = app.get_json("/api/v1/deployments?count=exact", StatusCode::OK).await;
        assert_eq!(all["total_count"], 3);
        let (kent_lfr, kent_bwv, wales_imsi) = (kent_lfr.id.as_str(), kent_bwv.id.as_str(), wales_imsi.id.as_str());
        assert_eq!(ids(&all), [wales_imsi, kent_bwv, kent_lfr], "newest first");
        let cases: [(&str, Vec<&str>); 14] = [
            ("force=kent", vec![kent_bwv, kent_lfr]),
            ("tool=imsi-catcher", vec![wales_imsi]),
            ("status=in_use", vec![kent_bwv]),
            ("status__in=in_use,trial", vec![kent_bwv, kent_lfr]),
            ("nation=wales", vec![wales_imsi]),
            ("region=South%20East", vec![kent_bwv, kent_lfr]),
            ("region=Wales", vec![wales_imsi]),
            ("vendor=axo", vec![kent_bwv]),
            ("provenance=media", vec![]),
            ("updated__gte=2021-01-01", vec![wales_imsi, kent_bwv]),
            ("updated__lte=2021-01-01", vec![kent_bwv, kent_lfr]),
            ("has_impact_assessment=true", vec![]),
            ("has_impact_assessment=false&force=south-wales", vec![wales_imsi]),
            ("sort=updated_at", vec![kent_lfr, kent_bwv, wales_imsi]),
        ];
        for (query, expected) in cases {
            let page = app.get_json(&format!("/api/v1/deployments?{query}"), StatusCode::OK).await;
            assert_eq!(ids(&page), expected, "{query}");
        }
        let detail = app.get_json(&format!("/api/v1/deployments/{kent_bwv}"), StatusCode::OK).await;
        assert_eq!(detail["force"], "kent");
        assert_eq!(detail["status"], "in_use");
        assert_eq!(detail["vendors"], serde_json::json!(["Axon"]));
        assert!(detail["evidence"].as_array().unwrap().is_empty());
        assert_eq!(detail["updated_at"], "2021-01-01T12:00:00Z");
    }

    async fn history_reads_the_registry_as_it_stood(db: TestDb) {
        let app = db.spawn().await;
        let id = write(&db, |conn| {
            let d = create(conn, "essex", "anpr", "2020-03-01", state(DeploymentStatus::Planned, "Genetec"));
            let d = write_transaction(conn, |conn| {
                deployments::update(conn, &stamp("2021-06-01"), &d.id, Precondition::Revision(1), &state(DeploymentStatus::InUse, "Genetec"))
            })
            .unwrap();
            write_transaction(conn, |conn| deployments::delete(conn, &stamp("2023-01-01"), &d.id, Precondition::Revision(2))).unwrap();
            d.id
        })
        .await;
        let at = |date: &str| format!("/api/v1/deployments?force=essex&as_of={date}");
        assert!(ids(&app.get_json(&at("2020-02-29"), StatusCode::OK).await).is_empty(), "not yet known");
        let planned = app.get_json(&at("2020-03-01"), StatusCode::OK).await;
        assert_eq!(planned["items"][0]["status"], "planned");
        assert_eq!(planned["items"][0]["revision"], 1);
        let in_use = app.get_json(&at("2022-12-31"), StatusCode::OK).await;
        assert_eq!(in_use["items"][0]["status"], "in_use");
        assert_eq!(in_use["items"][0]["created_at"], "2020-03-01T12:00:00Z");
        assert!(ids(&app.get_json(&at("2023-01-01"), StatusCode::OK).await).is_empty(), "deleted");
        assert!(ids(&app.get_json("/api/v1/deployments?force=essex", StatusCode::OK).await).is_empty());
        let past = app.get_json(&format!("/api/v1/deployments/{id}?as_of=2021-06-01T12:00:00Z"), StatusCode::OK).await;
        assert_eq!(past["status"], "in_use");
        app.get_problem(&format!("/api/v1/deployments/{id}"), StatusCode::NOT_FOUND).await;
        let history = app.get_json(&format!("/api/v1/deployments/{id}/revisions"), StatusCode::OK).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "delete"]);
        assert_eq!(history["items"][1]["actor_role"], "system");
    }

    async fn pages_are_stable_and_cursors_bound_to_their_query(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            for (i, force) in ["kent", "essex", "surrey", "sussex", "dorset", "durham", "gwent"].iter().enumerate() {
                for day in 1..=3 {
                    create(conn, force, "drones", &format!("2024-0{}-0{day}", i + 1), state(DeploymentStatus::InUse, "DJI"));
                }
            }
        })
        .await;
        for sort in ["-updated_at", "updated_at", "force"] {
            let paged = app.get_all(&format!("/api/v1/deployments?limit=4&sort={sort}")).await;
            let whole = app.get_json(&format!("/api/v1/deployments?limit=500&sort={sort}"), StatusCode::OK).await;
            assert_eq!(paged, whole["items"].as_array().unwrap().clone(), "{sort}");
            assert_eq!(paged.len(), 21);
        }
        let first = app.get_json("/api/v1/deployments?limit=2&tool=drones", StatusCode::OK).await;
        let cursor = first["next_cursor"].as_str().unwrap();
        let replayed = app.get_problem(&format!("/api/v1/deployments?limit=2&cursor={cursor}"), StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&replayed), ["cursor"]);
    }

    async fn bad_parameters_are_named(db: TestDb) {
        let app = db.spawn().await;
        let problem = app
            .get_problem(
                "/api/v1/deployments?status=maybe&status__in=in_use,nope&updated__gte=yesterday&as_of=2020-13-01&sort=name&has_impact_assessment=1&force=Kent",
                StatusCode::BAD_REQUEST,
            )
            .await;
        let mut fields = error_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["as_of", "force", "has_impact_assessment", "sort", "status", "status__in", "updated__gte"]);
        let id = app.get_problem("/api/v1/deployments/not-an-id", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&id), ["id"]);
        app.get_problem("/api/v1/deployments/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f", StatusCode::NOT_FOUND).await;
        app.get_problem("/api/v1/deployments/0193c4a2-7d1e-7b3a-9f00-6a1d2c3b4e5f/revisions", StatusCode::NOT_FOUND).await;
    }
}
