//! History as a journalist asks of it: what each write changed from and to, the feed from a
//! date, feeds that page back through everything, feeds of any filtered list, and a profile or
//! the matrix compared between two dates.

use std::str::FromStr;

use atom_syndication::Feed;
use reqwest::StatusCode;
use serde_json::{json, Value};
use surveillance_registry::domain::DeploymentStatus;
use surveillance_registry::store::deployments;
use surveillance_registry::store::{write_transaction, Precondition};

use crate::both_backends;
use crate::deployments::{create, stamp, state, write};
use crate::helpers::{error_fields, TestApp, TestDb};

async fn feed(app: &TestApp, path: &str) -> Feed {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(response.headers()["content-type"], "application/atom+xml");
    Feed::from_str(&response.text().await.unwrap()).expect("a valid Atom feed")
}

/// The path (and query) of a feed's link with this relation, if it has one.
fn link(feed: &Feed, rel: &str) -> Option<String> {
    feed.links().iter().find(|l| l.rel() == rel).map(|l| {
        let href = l.href();
        href[href.find("/api/").expect("a link to this server")..].to_owned()
    })
}

/// Kent's LFR: planned in 2020, in use from 2022 with a vendor; Essex's ANPR added in 2023.
async fn kent_over_time(db: &TestDb) -> String {
    write(db, |conn| {
        let mut planned = state(DeploymentStatus::Planned, "NEC");
        planned.summary = "Planned".into();
        let d = create(
            conn,
            "kent",
            "live-facial-recognition",
            "2020-06-01",
            planned,
        );
        let mut in_use = state(DeploymentStatus::InUse, "NEC");
        in_use.summary = "In use".into();
        in_use.last_confirmed = Some("2022-03-01".parse().unwrap());
        write_transaction(conn, |conn| {
            deployments::update(
                conn,
                &stamp("2022-03-01"),
                &d.id,
                Precondition::Revision(1),
                &in_use,
            )
        })
        .unwrap();
        create(
            conn,
            "essex",
            "anpr",
            "2023-01-01",
            state(DeploymentStatus::InUse, "Genetec"),
        );
        d.id
    })
    .await
}

both_backends! {
    async fn change_events_carry_old_and_new_values_and_start_from_a_date(db: TestDb) {
        let app = db.spawn().await;
        kent_over_time(&db).await;
        let all = app.get_json("/api/v1/changes", StatusCode::OK).await;
        let update = &all["items"][1];
        assert_eq!(update["action"], "update");
        assert_eq!(update["changed_fields"], json!(["last_confirmed", "status", "summary"]));
        assert_eq!(
            update["changes"],
            json!([
                {"field": "last_confirmed", "old": null, "new": "2022-03-01"},
                {"field": "status", "old": "planned", "new": "in_use"},
                {"field": "summary", "old": "Planned", "new": "In use"}
            ])
        );
        assert_eq!(all["items"][0]["changes"], json!([]), "a create has no field changes");

        // `since` as a date starts at that day; as a timestamp, at that instant.
        let from_2022 = app.get_json("/api/v1/changes?since=2022-01-01", StatusCode::OK).await;
        let actions: Vec<&str> = from_2022["items"].as_array().unwrap().iter()
            .map(|e| e["force"].as_str().unwrap()).collect();
        assert_eq!(actions, ["kent", "essex"]);
        assert_eq!(from_2022["next_cursor"], all["next_cursor"]);
        let from_noon = app.get_json("/api/v1/changes?since=2023-01-01T12:00:01Z", StatusCode::OK).await;
        assert!(from_noon["items"].as_array().unwrap().is_empty());
        assert_eq!(from_noon["next_cursor"], all["next_cursor"], "resumes after the newest event");
        let from_offset = app.get_json("/api/v1/changes?since=2023-01-01T13:00:00%2B01:00", StatusCode::OK).await;
        assert_eq!(from_offset["items"].as_array().unwrap().len(), 1);
        let bad = app.get_problem("/api/v1/changes?since=yesterday", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["since"]);
        assert!(bad["errors"][0]["message"].as_str().unwrap().contains("event id"));

        // Feed readers see the values too.
        let atom = feed(&app, "/api/v1/changes.atom").await;
        let summary = atom.entries()[1].summary().unwrap().as_str().to_owned();
        assert!(summary.contains("status: planned → in_use"), "{summary}");
    }

    async fn change_feeds_page_back_through_stable_archives(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            for day in 1..=28 {
                for force in ["kent", "essex", "surrey"] {
                    create(conn, force, "drones", &format!("2024-02-{day:02}"), state(DeploymentStatus::InUse, "DJI"));
                }
            }
        })
        .await;
        // 84 events: the subscription document holds the newest 50.
        let current = feed(&app, "/api/v1/changes.atom").await;
        assert_eq!(current.entries().len(), 50);
        let newest = current.entries().iter().map(|e| e.updated()).max().unwrap();
        assert_eq!(current.updated(), newest, "the feed is as new as its newest entry");
        assert!(current.extensions().get("fh").is_none(), "the subscription document is no archive");
        let older = link(&current, "prev-archive").expect("older entries are archived");
        let archive = feed(&app, &older).await;
        assert_eq!(archive.entries().len(), 34);
        assert!(archive.extensions()["fh"].contains_key("archive"));
        assert_eq!(link(&archive, "current").as_deref(), Some("/api/v1/changes.atom"));
        assert_eq!(link(&archive, "prev-archive"), None, "nothing is older");
        // The next archive holds the 50 events from the archive's end: today, exactly the
        // subscription document's.
        let newer = feed(&app, &link(&archive, "next-archive").expect("a newer archive")).await;
        let ids = |f: &Feed| f.entries().iter().map(|e| e.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(ids(&newer), ids(&current));
        assert_eq!(link(&newer, "prev-archive"), Some(older.clone()));
        let mut seen: Vec<String> = current.entries().iter().chain(archive.entries()).map(|e| e.id().to_owned()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 84, "every change exactly once");

        // A later write does not move what an archive document holds.
        write(&db, |conn| {
            create(conn, "kent", "anpr", "2024-03-01", state(DeploymentStatus::InUse, "Genetec"));
        })
        .await;
        let again = feed(&app, &older).await;
        assert_eq!(ids(&again), ids(&archive));

        // Per force, the same paging: Kent has 29 events, one document.
        let kent = feed(&app, "/api/v1/forces/kent/changes.atom").await;
        assert_eq!(kent.entries().len(), 29);
        assert_eq!(link(&kent, "prev-archive"), None);
        let bad = app.get_problem("/api/v1/changes.atom?before=0", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["before"]);
        app.get_problem("/api/v1/changes.atom?page=2", StatusCode::BAD_REQUEST).await;
    }

    async fn any_filtered_list_is_a_paged_feed(db: TestDb) {
        let app = db.spawn().await;
        let kent_lfr = kent_over_time(&db).await;
        write(&db, |conn| {
            create(conn, "kent", "anpr", "2024-01-01", state(DeploymentStatus::Trial, "Genetec"));
        })
        .await;
        let kent = feed(&app, "/api/v1/deployments.atom?force=kent&limit=1").await;
        assert_eq!(kent.entries().len(), 1);
        assert_eq!(kent.entries()[0].title().as_str(), "kent · anpr: trial", "most recently changed first");
        assert!(kent.entries()[0].links()[0].href().contains("/deployments/"));
        let next = link(&kent, "next").expect("a second page");
        assert!(next.starts_with("/api/v1/deployments.atom?force=kent"));
        let second = feed(&app, &next).await;
        assert_eq!(second.entries()[0].id(), format!("tag:surveillance-registry,2026:deployment-{kent_lfr}"));
        assert_eq!(link(&second, "next"), None);
        assert_eq!(link(&second, "first").as_deref(), Some("/api/v1/deployments.atom?force=kent&limit=1"), "the first page, as large as this one");
        // Cached answers are kept per host, as a feed's links are absolute.
        for host in ["registry.example", "mirror.example"] {
            let text = app.client.get(app.url("/api/v1/deployments.atom?force=kent&limit=1")).header("Host", host)
                .send().await.unwrap().text().await.unwrap();
            let hosted = Feed::from_str(&text).unwrap();
            let own = hosted.links().iter().find(|l| l.rel() == "self").unwrap().href().to_owned();
            assert!(own.starts_with(&format!("http://{host}/api/v1/deployments.atom")), "{own}");
        }
        let lfr = feed(&app, "/api/v1/deployments.atom?tool=facial-recognition&status=in_use").await;
        assert_eq!(lfr.entries().len(), 1, "the tool family and the status filter apply");
        let bad = app.get_problem("/api/v1/deployments.atom?status=used&facet=force", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["facet"], "unknown parameters first");
        let bad = app.get_problem("/api/v1/deployments.atom?status=used", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["status"]);

        let editor = app.token_for(surveillance_registry::domain::Role::Editor, &[]).await;
        for title in ["first", "second"] {
            let body = json!({"authority": "kent", "title": title, "received_on": "2024-01-08",
                "answers": [{"question": "IMSI?", "tools": ["imsi-catcher"], "outcome": "ncnd"}]});
            let response = app.send(reqwest::Method::POST, "/api/v1/foi-requests", &editor, None, &body).await;
            assert_eq!(response.status(), StatusCode::CREATED);
        }
        let requests = feed(&app, "/api/v1/foi-requests.atom?answer_tool=imsi-catcher").await;
        let titles: Vec<&str> = requests.entries().iter().map(|e| e.title().as_str()).collect();
        assert_eq!(titles, ["kent: second", "kent: first"]);
        assert!(requests.entries()[0].links()[0].href().contains("/foi-requests/"));
        let none = feed(&app, "/api/v1/foi-requests.atom?force=essex").await;
        assert!(none.entries().is_empty());
        app.get_problem("/api/v1/foi-requests.atom?sort=title", StatusCode::BAD_REQUEST).await;
    }

    async fn a_profile_and_the_matrix_compare_two_dates(db: TestDb) {
        let app = db.spawn().await;
        let id = kent_over_time(&db).await;
        let profile = app.get_json("/api/v1/forces/kent/profile?compare_to=2021-01-01", StatusCode::OK).await;
        let comparison = &profile["comparison"];
        assert_eq!(comparison["compare_to"], "2021-01-01");
        let changes = comparison["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "only live facial recognition differs: {changes:?}");
        assert_eq!(changes[0]["tool"], "live-facial-recognition");
        assert_eq!(changes[0]["status"], json!({"old": "planned", "new": "in_use"}));
        let claim = &changes[0]["claims"][0];
        assert_eq!(claim["deployment_id"], Value::from(id.clone()));
        assert_eq!(claim["change"], "changed");
        assert_eq!(claim["fields"][1], json!({"field": "status", "old": "planned", "new": "in_use"}));

        // Before anything was recorded, the claim is new.
        let from_nothing = app.get_json("/api/v1/forces/kent/profile?as_of=2021-01-01&compare_to=2019-01-01", StatusCode::OK).await;
        let change = &from_nothing["comparison"]["changes"][0];
        assert_eq!(change["status"], json!({"old": "not_researched", "new": "planned"}));
        assert_eq!(change["claims"][0]["change"], "added");
        let unchanged = app.get_json("/api/v1/forces/kent/profile?compare_to=2030-01-01", StatusCode::OK).await;
        assert_eq!(unchanged["comparison"]["changes"], json!([]));
        let plain = app.get_json("/api/v1/forces/kent/profile", StatusCode::OK).await;
        assert!(plain.get("comparison").is_none());

        let matrix = app.get_json("/api/v1/matrix?compare_to=2021-01-01", StatusCode::OK).await;
        assert_eq!(
            matrix["comparison"]["changes"],
            json!([
                {"force": "essex", "tool": "anpr", "status": {"old": "not_researched", "new": "in_use"}},
                {"force": "kent", "tool": "live-facial-recognition", "status": {"old": "planned", "new": "in_use"}}
            ])
        );
        let wales = app.get_json("/api/v1/matrix?nation=wales&compare_to=2021-01-01", StatusCode::OK).await;
        assert_eq!(wales["comparison"]["changes"], json!([]));
        let bad = app.get_problem("/api/v1/matrix?compare_to=last+year", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["compare_to"]);
        let csv = app.get_problem("/api/v1/matrix.csv?compare_to=2021-01-01", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&csv), ["compare_to"]);
        let bad = app.get_problem("/api/v1/forces/kent/profile?compare_to=2021-13-01", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["compare_to"]);
    }
}
