use std::str::FromStr;

use reqwest::StatusCode;
use surveillance_registry::domain::DeploymentStatus;
use surveillance_registry::store::deployments;
use surveillance_registry::store::{write_transaction, Precondition};

use crate::both_backends;
use crate::deployments::{create, stamp, state, write};
use crate::helpers::{error_fields, TestDb};

both_backends! {
    async fn the_json_feed_is_append_only_and_resumable(db: TestDb) {
        let app = db.spawn().await;
        let empty = app.get_json("/api/v1/changes", StatusCode::OK).await;
        assert!(empty["items"].as_array().unwrap().is_empty());
        assert_eq!(empty["next_cursor"], "0");
        write(&db, |conn| {
            let d = create(conn, "kent", "drones", "2024-01-01", state(DeploymentStatus::Trial, "DJI"));
            write_transaction(conn, |conn| {
                deployments::update(conn, &stamp("2024-02-01"), &d.id, Precondition::Revision(1), &state(DeploymentStatus::InUse, "DJI"))
            })
            .unwrap();
            create(conn, "essex", "anpr", "2024-03-01", state(DeploymentStatus::InUse, "Genetec"));
        })
        .await;
        let first = app.get_json("/api/v1/changes?limit=2", StatusCode::OK).await;
        let items = first["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["action"], "create");
        assert_eq!(items[1]["action"], "update");
        assert_eq!(items[1]["changed_fields"], serde_json::json!(["status", "summary"]));
        assert_eq!(items[1]["actor_role"], "system");
        assert_eq!(items[1]["force"], "kent");
        let rest = app.get_json(first["next_url"].as_str().unwrap(), StatusCode::OK).await;
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest["items"][0]["force"], "essex");
        let later = app.get_json(rest["next_url"].as_str().unwrap(), StatusCode::OK).await;
        assert!(later["items"].as_array().unwrap().is_empty(), "nothing new yet");
        assert_eq!(later["next_cursor"], rest["next_cursor"]);
        let kent = app.get_json("/api/v1/changes?force=kent&entity_type=deployment", StatusCode::OK).await;
        assert_eq!(kent["items"].as_array().unwrap().len(), 2);
        let bad = app.get_problem("/api/v1/changes?since=-1&force=Kent", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["since", "force"]);
    }

    async fn atom_feeds_parse_globally_and_per_force(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            create(conn, "kent", "drones", "2024-01-01", state(DeploymentStatus::Trial, "DJI"));
            create(conn, "essex", "anpr", "2024-03-01", state(DeploymentStatus::InUse, "Genetec"));
        })
        .await;
        let response = app.get("/api/v1/changes.atom").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/atom+xml");
        let feed = atom_syndication::Feed::from_str(&response.text().await.unwrap()).expect("a valid Atom feed");
        assert_eq!(feed.entries().len(), 2);
        assert_eq!(feed.entries()[0].title().as_str(), "essex · anpr: in_use", "newest first");
        assert!(feed.entries()[0].links()[0].href().contains("/api/v1/deployments/"));
        assert!(feed.entries().iter().all(|e| e.id().starts_with("tag:")));
        let kent = app.get("/api/v1/forces/kent/changes.atom").await;
        let kent = atom_syndication::Feed::from_str(&kent.text().await.unwrap()).unwrap();
        assert_eq!(kent.entries().len(), 1);
        assert!(kent.title().as_str().contains("Kent Police"));
        app.get_problem("/api/v1/forces/atlantis/changes.atom", StatusCode::NOT_FOUND).await;
    }
}
