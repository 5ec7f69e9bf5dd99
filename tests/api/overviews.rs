use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::config::Settings;
use surveillance_registry::domain::{DeploymentStatus, Role};
use surveillance_registry::store::deployments;
use surveillance_registry::store::{write_transaction, Precondition};

use crate::both_backends;
use crate::deployments::{create, stamp, state, write};
use crate::helpers::{error_fields, TestDb};

fn cell<'a>(matrix: &'a Value, force: &str, tool: &str) -> &'a Value {
    let row = matrix["forces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["force"] == force)
        .unwrap();
    &row["cells"][tool]
}

both_backends! {
    async fn the_profile_covers_every_tool_and_never_confuses_unknown_with_denied(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            create(conn, "kent", "drones", "2020-01-01", state(DeploymentStatus::Denied, "DJI"));
            create(conn, "kent", "drones", "2022-01-01", state(DeploymentStatus::InUse, "DJI"));
            create(conn, "kent", "anpr", "2021-01-01", state(DeploymentStatus::Ncnd, "undisclosed"));
        })
        .await;
        let tools = app.get_all("/api/v1/tools?limit=500").await;
        let profile = app.get_json("/api/v1/forces/kent/profile", StatusCode::OK).await;
        assert_eq!(profile["force"]["slug"], "kent");
        let entries = profile["tools"].as_array().unwrap();
        assert_eq!(entries.len(), tools.len(), "every tool of the taxonomy");
        let entry = |slug: &str| entries.iter().find(|t| t["tool"] == slug).unwrap();
        assert_eq!(entry("drones")["status"], "in_use", "the most significant status wins");
        assert_eq!(entry("drones")["deployments"].as_array().unwrap().len(), 2);
        assert_eq!(entry("anpr")["status"], "ncnd");
        assert_eq!(entry("imsi-catcher")["status"], "not_researched");
        assert!(entry("imsi-catcher")["deployments"].as_array().unwrap().is_empty());
        assert_eq!(profile["status_counts"]["not_researched"], tools.len() - 2);
        let before = app.get_json("/api/v1/forces/kent/profile?as_of=2021-06-01", StatusCode::OK).await;
        let drones = before["tools"].as_array().unwrap().iter().find(|t| t["tool"] == "drones").unwrap();
        assert_eq!(drones["status"], "denied");
        app.get_problem("/api/v1/forces/atlantis/profile", StatusCode::NOT_FOUND).await;
        let bad = app.get_problem("/api/v1/forces/kent/profile?as_of=soon", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["as_of"]);
    }

    async fn the_matrix_is_a_grid_of_every_force_and_tool(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            create(conn, "kent", "drones", "2020-01-01", state(DeploymentStatus::Trial, "DJI"));
            create(conn, "gwent", "live-facial-recognition", "2020-01-01", state(DeploymentStatus::Planned, "NEC"));
        })
        .await;
        let matrix = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(matrix["forces"].as_array().unwrap().len(), 46);
        let columns = matrix["tools"].as_array().unwrap().len();
        assert!(matrix["forces"].as_array().unwrap().iter().all(|r| r["cells"].as_object().unwrap().len() == columns));
        assert_eq!(cell(&matrix, "kent", "drones"), "trial");
        assert_eq!(cell(&matrix, "kent", "anpr"), "not_researched");
        let wales = app.get_json("/api/v1/matrix?nation=wales&tool=live-facial-recognition", StatusCode::OK).await;
        assert_eq!(wales["tools"], serde_json::json!(["live-facial-recognition"]));
        assert_eq!(wales["forces"].as_array().unwrap().len(), 4);
        assert_eq!(cell(&wales, "gwent", "live-facial-recognition"), "planned");
        let region = app.get_json("/api/v1/matrix?region=Wales&tool=live-facial-recognition", StatusCode::OK).await;
        assert_eq!(region["forces"], wales["forces"], "the Welsh forces' region is Wales");
        let csv = app.get("/api/v1/matrix.csv?region=South%20East").await.text().await.unwrap();
        assert!(csv.contains("\nkent,") && !csv.contains("\ngwent,"), "{csv}");
        let earlier = app.get_json("/api/v1/matrix?as_of=2019-12-31", StatusCode::OK).await;
        assert_eq!(cell(&earlier, "kent", "drones"), "not_researched");
        app.get_problem("/api/v1/matrix?tool=tricorder", StatusCode::NOT_FOUND).await;
        let bad = app.get_problem("/api/v1/matrix?nation=atlantis&colour=red", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["colour"]);
    }

    async fn the_matrix_as_csv_matches_the_json(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            create(conn, "kent", "drones", "2020-01-01", state(DeploymentStatus::Trial, "DJI"));
        })
        .await;
        let json = app.get_json("/api/v1/matrix?nation=england", StatusCode::OK).await;
        for response in [
            app.get("/api/v1/matrix.csv?nation=england").await,
            app.client.get(app.url("/api/v1/matrix?nation=england")).header("Accept", "text/csv").send().await.unwrap(),
        ] {
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
            let text = response.text().await.unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
            assert_eq!(&header[..3], ["force", "name", "nation"]);
            assert_eq!(header.len() - 3, json["tools"].as_array().unwrap().len());
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            assert_eq!(rows.len(), 39);
            let kent = rows.iter().find(|r| &r[0] == "kent").unwrap();
            let drones = header.iter().position(|h| h == "drones").unwrap();
            assert_eq!(&kent[drones], "trial");
        }
    }

    async fn cached_views_change_when_anything_is_written(db: TestDb) {
        let app = db.spawn().await;
        let first = app.get("/api/v1/matrix").await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let same = app.client.get(app.url("/api/v1/matrix")).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
        let profile_before = app.get_json("/api/v1/forces/dorset/profile", StatusCode::OK).await;
        let id = write(&db, |conn| create(conn, "dorset", "cctv", "2024-01-01", state(DeploymentStatus::InUse, "Axis")).id).await;
        let changed = app.client.get(app.url("/api/v1/matrix")).header("If-None-Match", &etag).send().await.unwrap();
        assert_eq!(changed.status(), StatusCode::OK, "a write invalidates the cached matrix");
        let matrix: Value = changed.json().await.unwrap();
        assert_eq!(cell(&matrix, "dorset", "cctv"), "in_use");
        assert_ne!(app.get_json("/api/v1/forces/dorset/profile", StatusCode::OK).await, profile_before);
        write(&db, move |conn| {
            write_transaction(conn, |conn| deployments::delete(conn, &stamp("2024-02-01"), &id, Precondition::Revision(1))).unwrap();
        })
        .await;
        let after = app.get_json("/api/v1/tools/cctv/forces", StatusCode::OK).await;
        let dorset = after["forces"].as_array().unwrap().iter().find(|f| f["force"] == "dorset").unwrap();
        assert_eq!(dorset["status"], "not_researched");
        assert_eq!(after["forces"].as_array().unwrap().len(), 46);
        assert_eq!(after["tool"]["slug"], "cctv");
        app.get_problem("/api/v1/tools/tricorder/forces", StatusCode::NOT_FOUND).await;
    }

    async fn cached_answers_see_local_writes_at_once_and_other_instances_after_the_recheck(db: TestDb) {
        let trusting = db.spawn_with(Settings { cache_recheck: Duration::from_secs(3600), ..db.settings() }).await;
        let other = db.spawn().await;
        let editor = trusting.token_for(Role::Editor, &[]).await;
        let other_editor = other.token_for(Role::Editor, &[]).await;
        let before = trusting.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&before, "dorset", "cctv"), "not_researched");

        let deployment = json!({"force": "dorset", "tool": "cctv", "status": "in_use", "summary": "Town centre cameras"});
        let response = other.send(Method::POST, "/api/v1/deployments", &other_editor, None, &deployment).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let unseen = trusting.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&unseen, "dorset", "cctv"), "not_researched", "another instance's write waits for the recheck");

        let deployment = json!({"force": "kent", "tool": "anpr", "status": "trial", "summary": "Cameras on the M20"});
        let response = trusting.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let seen = trusting.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&seen, "kent", "anpr"), "trial", "a write through this instance shows at once");
        assert_eq!(cell(&seen, "dorset", "cctv"), "in_use", "and so does everything written before it");

        let rechecking = db.spawn_with(Settings { cache_recheck: Duration::from_millis(300), ..db.settings() }).await;
        rechecking.get_json("/api/v1/matrix", StatusCode::OK).await;
        let deployment = json!({"force": "essex", "tool": "drones", "status": "planned", "summary": "Drone unit"});
        let response = other.send(Method::POST, "/api/v1/deployments", &other_editor, None, &deployment).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let rechecked = rechecking.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&rechecked, "essex", "drones"), "planned", "the first read after the recheck asks the database");
    }

    async fn the_matrix_is_recomputed_only_when_a_cell_gains_or_loses_a_status(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let misses = || async {
            let text = app.get("/metrics").await.text().await.unwrap();
            crate::operations::sample(&text, "registry_cache_misses_total").unwrap()
        };
        let trial = json!({"force": "kent", "tool": "drones", "status": "trial", "summary": "Drone trial"});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &trial).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let matrix = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&matrix, "kent", "drones"), "trial");
        let computed = misses().await;

        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &trial).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(app.get_json("/api/v1/matrix", StatusCode::OK).await, matrix);
        assert_eq!(misses().await, computed, "a second trial in a cell that has one leaves the matrix cached");

        let in_use = json!({"force": "kent", "tool": "drones", "status": "in_use", "summary": "Drone unit"});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &in_use).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let matrix = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&matrix, "kent", "drones"), "in_use", "a new status in the cell recomputes it");
        assert_eq!(misses().await, computed + 1.0);
    }

    async fn a_write_to_one_forces_claims_keeps_every_other_forces_profile_cached(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let misses = || async {
            let text = app.get("/metrics").await.text().await.unwrap();
            crate::operations::sample(&text, "registry_cache_misses_total").unwrap()
        };
        let gwent = app.get_json("/api/v1/forces/gwent/profile", StatusCode::OK).await;
        assert_eq!(app.get("/forces/gwent").await.status(), StatusCode::OK);
        let computed = misses().await;

        let deployment = json!({"force": "kent", "tool": "live-facial-recognition", "status": "trial", "summary": "Vans"});
        let response = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(app.get_json("/api/v1/forces/gwent/profile", StatusCode::OK).await, gwent);
        assert_eq!(app.get("/forces/gwent").await.status(), StatusCode::OK);
        assert_eq!(misses().await, computed, "Kent's claim leaves Gwent's answers cached");
        let kent = app.get_json("/api/v1/forces/kent/profile", StatusCode::OK).await;
        let lfr = kent["tools"].as_array().unwrap().iter().find(|t| t["tool"] == "live-facial-recognition").unwrap();
        assert_eq!(lfr["status"], "trial", "Kent's own profile is recomputed");

        // A changed claim of Gwent's changes Gwent's profile.
        let deployment = json!({"force": "gwent", "tool": "drones", "status": "in_use", "summary": "Drone unit"});
        let created: Value = app.send(Method::POST, "/api/v1/deployments", &editor, None, &deployment).await.json().await.unwrap();
        let path = format!("/api/v1/deployments/{}", created["id"].as_str().unwrap());
        let drones = |profile: &Value| profile["tools"].as_array().unwrap().iter().find(|t| t["tool"] == "drones").unwrap()["status"].clone();
        assert_eq!(drones(&app.get_json("/api/v1/forces/gwent/profile", StatusCode::OK).await), "in_use");
        let (_, etag) = app.get_tagged(&path).await;
        let changed = json!({"force": "gwent", "tool": "drones", "status": "discontinued", "summary": "Drone unit", "ended_on": "2024-01-01"});
        let response = app.send(Method::PUT, &path, &editor, Some(&etag), &changed).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        assert_eq!(drones(&app.get_json("/api/v1/forces/gwent/profile", StatusCode::OK).await), "discontinued");

        // A write outside any force's claims (a source any profile may cite) changes them all.
        let before = misses().await;
        let source = json!({"url": "https://example.org/report", "title": "A report", "kind": "media", "published_on": "2024-05-01"});
        assert_eq!(app.send(Method::POST, "/api/v1/sources", &editor, None, &source).await.status(), StatusCode::CREATED);
        app.get_json("/api/v1/forces/gwent/profile", StatusCode::OK).await;
        assert_eq!(misses().await, before + 1.0, "a source's write recomputes every profile");
    }

    async fn the_matrix_kept_in_step_with_writes_matches_the_one_built_from_history(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let mut ids = Vec::new();
        for (force, tool, status) in [("kent", "drones", "trial"), ("kent", "drones", "in_use"), ("kent", "anpr", "planned"),
            ("essex", "drones", "denied"), ("essex", "cctv", "ncnd"), ("essex", "anpr", "discontinued"), ("essex", "anpr", "planned")] {
            let body = json!({"force": force, "tool": tool, "status": status, "summary": "A claim"});
            let created: Value = app.send(Method::POST, "/api/v1/deployments", &editor, None, &body).await.json().await.unwrap();
            ids.push(created["id"].as_str().unwrap().to_owned());
        }
        // A cell holding several statuses shows the most significant, in the vocabulary's order
        // (planned before discontinued, whatever the alphabet says), as the history rebuilds it.
        let first = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        assert_eq!(cell(&first, "kent", "drones"), "in_use");
        assert_eq!(cell(&first, "essex", "anpr"), "planned");
        // Statuses changed, a claim deleted.
        let edits = [
            (0, Some(json!({"force": "kent", "tool": "drones", "status": "discontinued", "summary": "A claim", "ended_on": "2024-01-01"}))),
            (4, Some(json!({"force": "essex", "tool": "cctv", "status": "in_use", "summary": "A claim"}))),
            (1, None),
            (2, None),
        ];
        for (index, body) in edits {
            let path = format!("/api/v1/deployments/{}", ids[index]);
            let (_, etag) = app.get_tagged(&path).await;
            let response = match body {
                Some(body) => app.send(Method::PUT, &path, &editor, Some(&etag), &body).await,
                None => app.client.delete(app.url(&path)).bearer_auth(&editor).header("If-Match", &etag).send().await.unwrap(),
            };
            let status = response.status();
            assert!(status.is_success(), "{status}: {}", response.text().await.unwrap());
        }
        let now = app.get_json("/api/v1/matrix", StatusCode::OK).await;
        let today = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
        let rebuilt = app.get_json(&format!("/api/v1/matrix?as_of={today}"), StatusCode::OK).await;
        assert_eq!(now["forces"], rebuilt["forces"]);
        assert_eq!(cell(&now, "kent", "drones"), "discontinued");
        assert_eq!(cell(&now, "kent", "anpr"), "not_researched");
        assert_eq!(cell(&now, "essex", "cctv"), "in_use");
        assert_eq!(cell(&now, "essex", "drones"), "denied");
        assert_eq!(cell(&now, "essex", "anpr"), "planned");
        let south_east = app.get_json("/api/v1/matrix?region=South%20East&tool=drones", StatusCode::OK).await;
        assert_eq!(cell(&south_east, "kent", "drones"), "discontinued");
        assert!(south_east["forces"].as_array().unwrap().iter().all(|r| r["force"] != "essex"), "Essex is in the East of England");
    }

    async fn cached_answers_are_gzipped_for_clients_that_accept_it(db: TestDb) {
        let app = db.spawn().await;
        let plain = app.get("/api/v1/matrix").await;
        let plain_etag = plain.headers()["etag"].to_str().unwrap().to_owned();
        let vary = plain.headers()["vary"].to_str().unwrap().to_owned();
        assert!(vary.starts_with("Accept-Encoding, Accept,"), "{vary}");
        let plain: Value = plain.json().await.unwrap();
        let gzip = |etag: Option<&str>| {
            let mut request = app.client.get(app.url("/api/v1/matrix")).header("Accept-Encoding", "br;q=1, gzip;q=0.8");
            if let Some(etag) = etag {
                request = request.header("If-None-Match", etag);
            }
            request.send()
        };
        let compressed = gzip(None).await.unwrap();
        assert_eq!(compressed.headers()["content-encoding"], "gzip");
        let etag = compressed.headers()["etag"].to_str().unwrap().to_owned();
        assert_ne!(etag, plain_etag, "each representation has its own strong ETag");
        let bytes = compressed.bytes().await.unwrap();
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes.as_ref()), &mut decoded).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&decoded).unwrap(), plain);
        assert_eq!(gzip(Some(&etag)).await.unwrap().status(), StatusCode::NOT_MODIFIED);
        let refused = app.client.get(app.url("/api/v1/matrix")).header("Accept-Encoding", "gzip;q=0").send().await.unwrap();
        assert!(refused.headers().get("content-encoding").is_none(), "q=0 refuses gzip");
        let small = app.client.get(app.url("/api/v1/forces/kent/profile?as_of=2000-01-01")).header("Accept-Encoding", "gzip").send().await.unwrap();
        assert_eq!(small.status(), StatusCode::OK);
    }

    async fn a_profile_lists_the_latest_deployments_of_each_tool_and_counts_them_all(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            for day in 1..=12 {
                create(conn, "kent", "anpr", &format!("2024-01-{day:02}"), state(DeploymentStatus::InUse, &format!("Vendor {day}")));
            }
        })
        .await;
        let profile = app.get_json("/api/v1/forces/kent/profile", StatusCode::OK).await;
        let anpr = profile["tools"].as_array().unwrap().iter().find(|t| t["tool"] == "anpr").unwrap();
        assert_eq!(anpr["deployment_count"], 12);
        let vendors: Vec<&str> = anpr["deployments"].as_array().unwrap().iter().map(|d| d["vendors"][0].as_str().unwrap()).collect();
        let expected: Vec<String> = (3..=12).map(|day| format!("Vendor {day}")).collect();
        assert_eq!(vendors, expected, "the ten most recent, oldest first");
        let all = app.get_json("/api/v1/deployments?force=kent&tool=anpr&count=exact", StatusCode::OK).await;
        assert_eq!(all["total_count"], 12, "every one is in the list");
    }
}
