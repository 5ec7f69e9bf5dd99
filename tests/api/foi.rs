//! FOI requests through the API: the 2019 reply recorded exactly as the letter says, statutory
//! deadlines, answers that set deployments, documents byte for byte, filters, history and rules.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use surveillance_registry::demo::{CAMBRIDGESHIRE_LETTER, CAMBRIDGESHIRE_REPLY, CAMPAIGN_2019};
use surveillance_registry::domain::{AnswerOutcome, FoiLaw, FoiState, Provenance, Role};
use surveillance_registry::foi::FoiCalendar;
use surveillance_registry::store::foi_requests::{self, AnswerFields, FoiRequestFields};
use surveillance_registry::store::write_transaction;

use crate::both_backends;
use crate::helpers::{error_fields, TestApp, TestDb};

/// Starts the 2019 campaign (one pending request, to the Cambridgeshire OPCC) as an editor.
pub async fn start_2019_campaign(app: &TestApp, editor: &str) {
    let campaign: Value = serde_json::from_str(CAMPAIGN_2019).unwrap();
    let response = app
        .send(Method::POST, "/api/v1/campaigns", editor, None, &campaign)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// Starts the 2019 campaign and records the Cambridgeshire reply on its pending request; returns
/// the request's id.
pub async fn record_2019_reply(app: &TestApp, editor: &str) -> String {
    start_2019_campaign(app, editor).await;
    let pending = app
        .get_json(
            "/api/v1/foi-requests?campaign=2019-surveillance-tools",
            StatusCode::OK,
        )
        .await;
    let id = pending["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, etag) = app.get_tagged(&format!("/api/v1/foi-requests/{id}")).await;
    let mut reply: Value = serde_json::from_str(CAMBRIDGESHIRE_REPLY).unwrap();
    reply["reply_text"] = json!(CAMBRIDGESHIRE_LETTER);
    let response = app
        .send(
            Method::PUT,
            &format!("/api/v1/foi-requests/{id}"),
            editor,
            Some(&etag),
            &reply,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    id
}

fn request_body(authority: &str, received_on: &str) -> Value {
    json!({
        "authority": authority,
        "title": "Use of IMSI catchers",
        "received_on": received_on,
        "answers": [
            {"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "ncnd",
             "exemptions": [{"section": "s31(3)", "ncnd": true}, {"section": "s24(2)", "ncnd": true}]},
            {"question": "How much did they cost?", "outcome": "exempt",
             "exemptions": [{"section": "s43(2)"}]}
        ]
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let response = app
        .send(Method::POST, "/api/v1/foi-requests", token, None, body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

both_backends! {
    async fn a_redirected_answer_names_where_it_sends_the_requester(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let mut body = request_body("kent-pcc", "2019-06-13");
        body["answers"][0] = json!({"question": "Do you use IMSI catchers?", "outcome": "redirected"});
        let response = app.send(Method::POST, "/api/v1/foi-requests", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["answers[0].redirected_to"]);
        body["answers"][0]["redirected_to"] = json!("kent");
        let created = create(&app, &editor, &body).await;
        assert_eq!(created["answers"][0]["redirected_to"], "kent");
    }

    async fn the_2019_reply_is_recorded_exactly_as_the_letter_says(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let id = record_2019_reply(&app, &editor).await;
        let first = app.get_json(&format!("/api/v1/foi-requests/{id}/revisions"), StatusCode::OK).await;
        let pending = app
            .get_json("/api/v1/foi-requests?campaign=2019-surveillance-tools", StatusCode::OK)
            .await;
        assert_eq!(pending["items"].as_array().unwrap().len(), 1, "the reply is recorded on the request the campaign sent");
        let pending = &first["items"][0]["snapshot"];
        assert_eq!(pending["state"], "waiting_response");
        assert_eq!(pending["due_on"], "2019-07-11");
        assert_eq!(pending["overdue"], true, "no reply recorded yet, long past due");
        assert_eq!(pending["answers"].as_array().unwrap().len(), 3);
        assert!(pending["answers"].as_array().unwrap().iter().all(|a| a["outcome"] == "no_answer"));

        let (request, _) = app.get_tagged(&format!("/api/v1/foi-requests/{id}")).await;
        insta::assert_json_snapshot!("cambridgeshire_reply_2019", request, {
            ".id" => "[id]",
            ".answers[].id" => "[id]",
            ".answers[].deployments[].id" => "[deployment id]",
            ".created_at" => "[timestamp]",
            ".updated_at" => "[timestamp]",
            ".reply_text" => "[the letter]",
        });
        assert_eq!(request["reply_text"], CAMBRIDGESHIRE_LETTER.trim());

        // The first answer's claims set the force's deployments, each linked back to the answer.
        let bwv = app
            .get_json("/api/v1/deployments?force=cambridgeshire&tool=body-worn-video", StatusCode::OK)
            .await;
        let bwv = &bwv["items"][0];
        assert_eq!(bwv["status"], "in_use");
        assert_eq!(bwv["provenance"], "foi");
        assert_eq!(bwv["last_confirmed"], "2019-07-04");
        let detail = app
            .get_json(&format!("/api/v1/deployments/{}", bwv["id"].as_str().unwrap()), StatusCode::OK)
            .await;
        assert_eq!(detail["foi_answers"][0]["foi_request_id"], id.as_str());
        assert_eq!(detail["foi_answers"][0]["outcome"], "partially_disclosed");
        assert_eq!(detail["foi_answers"][0]["relation"], "supports");
        let not_held = app
            .get_json("/api/v1/deployments?force=cambridgeshire&status=not_held", StatusCode::OK)
            .await;
        assert_eq!(not_held["items"].as_array().unwrap().len(), 6);

        // The campaign shows the reply.
        let progress = app.get_json("/api/v1/campaigns/2019-surveillance-tools", StatusCode::OK).await;
        assert_eq!(progress["totals"], json!({"requests": 1, "answered": 1, "answered_late": 0, "awaiting": 0, "overdue": 0}));
        assert_eq!(progress["requests"][0]["outcomes"], json!({"1": "partially_disclosed", "2": "not_held", "3": "not_valid"}));
    }

    async fn documents_are_stored_and_served_byte_for_byte(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let id = record_2019_reply(&app, &editor).await;
        // Text documents are UTF-8 (they are served as `charset=utf-8`); any UTF-8, NUL included.
        let bytes: Vec<u8> = CAMBRIDGESHIRE_LETTER.as_bytes().iter().copied().chain("\0é\r\n".bytes()).collect();
        let upload = |media_type: &'static str, body: Vec<u8>| {
            app.client
                .post(app.url(&format!("/api/v1/foi-requests/{id}/documents?filename=letter.txt")))
                .bearer_auth(&editor)
                .header("Content-Type", media_type)
                .body(body)
                .send()
        };
        let response = upload("text/plain", bytes.clone()).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let document: Value = response.json().await.unwrap();
        assert_eq!(document["sha256"], hex::encode(Sha256::digest(&bytes)));
        assert_eq!(document["size_bytes"], bytes.len());
        let download = app.get(&location).await;
        assert_eq!(download.status(), StatusCode::OK);
        assert_eq!(download.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(download.bytes().await.unwrap().to_vec(), bytes);
        let request = app.get_json(&format!("/api/v1/foi-requests/{id}"), StatusCode::OK).await;
        assert_eq!(request["documents"][0]["filename"], "letter.txt");

        let response = upload("application/zip", b"PK".to_vec()).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let response = upload("text/plain", b"\xff not UTF-8".to_vec()).await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let response = upload("application/pdf", vec![b'%'; 26 * 1024 * 1024]).await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let anonymous = app
            .client
            .post(app.url(&format!("/api/v1/foi-requests/{id}/documents?filename=x.pdf")))
            .header("Content-Type", "application/pdf")
            .body("%PDF")
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let request = app.get_json(&format!("/api/v1/foi-requests/{id}"), StatusCode::OK).await;
        assert_eq!(request["documents"].as_array().unwrap().len(), 1, "refused uploads store nothing");
    }

    async fn deadlines_follow_each_law_s_working_days(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        // St Patrick's Day and Easter Monday are bank holidays somewhere in the UK (so not FOIA
        // working days) but not in Scotland (so FOISA working days).
        let foia = create(&app, &editor, &request_body("cambridgeshire", "2023-03-16")).await;
        assert_eq!(foia["law"], "foia");
        assert_eq!(foia["due_on"], "2023-04-18");
        let foisa = create(&app, &editor, &request_body("police-scotland", "2023-03-16")).await;
        assert_eq!(foisa["law"], "foisa");
        assert_eq!(foisa["due_on"], "2023-04-14");
        assert_eq!(foisa["extended_due_on"], "2023-04-14", "FOISA allows no extension");

        // A reply on the due day is on time; the day after is late.
        let mut on_time = request_body("kent", "2019-06-13");
        on_time["responded_on"] = json!("2019-07-11");
        let on_time = create(&app, &editor, &on_time).await;
        assert_eq!((on_time["late"].clone(), on_time["days_overdue"].clone()), (json!(false), json!(0)));
        assert_eq!(on_time["working_days_taken"], 20);
        let mut late = request_body("kent", "2019-06-13");
        late["responded_on"] = json!("2019-07-12");
        late["stages"] = json!([{"kind": "internal_review", "started_on": "2019-07-15", "reference": "IR/1"}]);
        let late = create(&app, &editor, &late).await;
        assert_eq!((late["late"].clone(), late["days_overdue"].clone()), (json!(true), json!(1)));
        // 20 working days, skipping 5 August: Scotland's summer bank holiday counts under FOIA too.
        assert_eq!(late["stages"][0]["due_on"], "2019-08-13");

        let mut outside = request_body("kent", "2031-01-06");
        outside["title"] = json!("Beyond the calendar");
        let response = app.send(Method::POST, "/api/v1/foi-requests", &editor, None, &outside).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        assert_eq!(error_fields(&problem), ["received_on"]);
    }

    async fn requests_are_filtered_and_paged(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        for (authority, received) in [("kent", "2020-01-06"), ("kent-pcc", "2021-02-01"), ("essex", "2022-03-01")] {
            create(&app, &editor, &request_body(authority, received)).await;
        }
        let mut answered = request_body("essex", "2022-04-01");
        answered["responded_on"] = json!("2022-04-20");
        answered["state"] = json!("successful");
        answered["answers"] = json!([{"question": "Drones?", "tools": ["drones"], "outcome": "disclosed"}]);
        create(&app, &editor, &answered).await;
        let count = |path: &'static str| {
            let app = &app;
            async move {
                app.get_json(&format!("/api/v1/foi-requests?{path}"), StatusCode::OK).await["items"]
                    .as_array()
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(count("force=kent").await, 2);
        assert_eq!(count("authority=kent-pcc").await, 1);
        assert_eq!(count("exemption=s31").await, 3, "a section matches its subsections");
        assert_eq!(count("exemption=s31(1)").await, 0);
        assert_eq!(count("outcome=disclosed").await, 1);
        assert_eq!(count("state=successful").await, 1);
        assert_eq!(count("overdue=true").await, 3);
        assert_eq!(count("overdue=false").await, 1);
        assert_eq!(count("received__gte=2021-01-01&received__lte=2022-03-01").await, 2);
        assert_eq!(count("responded__gte=2022-04-20").await, 1);
        let all = app.get_all("/api/v1/foi-requests?limit=1").await;
        let received: Vec<&str> = all.iter().map(|r| r["received_on"].as_str().unwrap()).collect();
        assert_eq!(received, ["2022-04-01", "2022-03-01", "2021-02-01", "2020-01-06"]);
        let total = app.get_json("/api/v1/foi-requests?count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(total["total_count"], 4);
        let stats = app.get_json("/api/v1/stats", StatusCode::OK).await;
        assert_eq!((stats["gaps"]["foi_overdue_unanswered"].clone(), stats["gaps"]["foi_answered_late"].clone()), (json!(3), json!(0)));

        let problem = app
            .get_problem("/api/v1/foi-requests?outcome=maybe&exemption=31&overdue=yes&received__gte=2020-13-01", StatusCode::BAD_REQUEST)
            .await;
        assert_eq!(error_fields(&problem), ["exemption", "outcome", "received__gte", "overdue"]);
    }

    async fn claims_create_each_tool_once_and_update_what_the_force_has(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let held = app
            .send(Method::POST, "/api/v1/deployments", &editor, None,
                  &json!({"force": "kent", "tool": "anpr", "status": "planned", "summary": "ANPR cameras"}))
            .await;
        assert_eq!(held.status(), StatusCode::CREATED);
        let held: Value = held.json().await.unwrap();
        let mut body = request_body("kent", "2020-01-06");
        body["answers"][0]["claims"] = json!([{"tool": "drones", "status": "trial"}, {"tool": "anpr", "status": "in_use"}]);
        body["answers"][1]["claims"] = json!([{"tool": "drones", "status": "in_use"}]);
        let request = create(&app, &editor, &body).await;

        let drones = app.get_json("/api/v1/deployments?force=kent&tool=drones", StatusCode::OK).await;
        let drones = drones["items"].as_array().unwrap();
        assert_eq!(drones.len(), 1, "a tool claimed by two answers is created once");
        assert_eq!(drones[0]["status"], "in_use", "the later answer's claim wins");
        assert_eq!(drones[0]["revision"], 2);
        let anpr = app.get_json(&format!("/api/v1/deployments/{}", held["id"].as_str().unwrap()), StatusCode::OK).await;
        assert_eq!(anpr["status"], "in_use", "the force's deployment is updated");
        assert_eq!(anpr["summary"], "ANPR cameras", "and keeps what the claim does not say");
        assert_eq!(anpr["revision"], 2);
        let linked = |n: usize| -> Vec<&str> {
            let mut ids: Vec<&str> = request["answers"][n]["deployments"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
            ids.sort_unstable();
            ids
        };
        let mut both = vec![drones[0]["id"].as_str().unwrap(), held["id"].as_str().unwrap()];
        both.sort_unstable();
        assert_eq!(linked(0), both, "each claim links its answer to the deployment it set");
        assert_eq!(linked(1), [drones[0]["id"].as_str().unwrap()]);
    }

    async fn invalid_requests_name_every_field_and_store_nothing(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let body = json!({
            "authority": "kent",
            "title": " ",
            "received_on": "13/06/2019",
            "state": "lost",
            "answers": [{"question": "Q", "outcome": "perhaps", "exemptions": [{"section": "section 31"}],
                         "claims": [{"tool": "drones", "status": "everywhere"}]}],
            "stages": [{"kind": "appeal", "started_on": "2019-07-01"}]
        });
        let response = app.send(Method::POST, "/api/v1/foi-requests", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let problem: Value = response.json().await.unwrap();
        let mut fields = error_fields(&problem);
        fields.sort();
        assert_eq!(fields, [
            "answers[0].claims[0].status",
            "answers[0].exemptions[0].section",
            "answers[0].outcome",
            "received_on",
            "stages[0].kind",
            "state",
            "title",
        ]);
        // References are checked in the transaction: a claim on an unknown tool writes nothing.
        let mut body = request_body("kent", "2020-01-06");
        body["answers"][0]["claims"] = json!([{"tool": "drones", "status": "in_use"}, {"tool": "no-such-tool", "status": "in_use"}]);
        let response = app.send(Method::POST, "/api/v1/foi-requests", &editor, None, &body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let unknown_field = app
            .send(Method::POST, "/api/v1/foi-requests", &editor, None, &json!({"authority": "kent", "title": "t", "received_on": "2020-01-06", "colour": "red"}))
            .await;
        assert_eq!(unknown_field.status(), StatusCode::BAD_REQUEST);
        let requests = app.get_json("/api/v1/foi-requests", StatusCode::OK).await;
        assert_eq!(requests["items"], json!([]));
        let deployments = app.get_json("/api/v1/deployments?force=kent", StatusCode::OK).await;
        assert_eq!(deployments["items"], json!([]), "the failed write's claims left nothing behind");
    }

    async fn updates_need_the_current_etag_and_keep_history(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let created = create(&app, &editor, &request_body("kent", "2020-01-06")).await;
        let id = created["id"].as_str().unwrap();
        let path = format!("/api/v1/foi-requests/{id}");
        let (_, etag) = app.get_tagged(&path).await;
        let mut body = request_body("kent", "2020-01-06");
        body["responded_on"] = json!("2020-01-30");
        body["state"] = json!("rejected");
        let missing = app.send(Method::PUT, &path, &editor, None, &body).await;
        assert_eq!(missing.status(), StatusCode::PRECONDITION_REQUIRED);
        let first = app.send(Method::PUT, &path, &editor, Some(&etag), &body).await;
        assert_eq!(first.status(), StatusCode::OK);
        let second = app.send(Method::PUT, &path, &editor, Some(&etag), &body).await;
        assert_eq!(second.status(), StatusCode::PRECONDITION_FAILED);
        let updated = app.get_json(&path, StatusCode::OK).await;
        assert_eq!(updated["answers"][0]["id"], created["answers"][0]["id"], "answers keep their ids");

        let (_, etag) = app.get_tagged(&path).await;
        let deleted = app.client.delete(app.url(&path)).bearer_auth(&editor).header("If-Match", etag).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        app.get_problem(&path, StatusCode::NOT_FOUND).await;
        let history = app.get_json(&format!("{path}/revisions"), StatusCode::OK).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["create", "update", "delete"]);
        assert_eq!(history["items"][1]["snapshot"]["state"], "rejected");
        assert_eq!(history["items"][1]["actor_role"], "editor");
        let feed = app.get_json("/api/v1/changes?entity_type=foi_request", StatusCode::OK).await;
        let feed_actions: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(feed_actions, ["create", "update", "delete"]);
        assert!(feed["items"][1]["changed_fields"].as_array().unwrap().contains(&json!("state")));
    }

    async fn a_reference_given_twice_is_kept_once(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let mut body = request_body("kent", "2020-01-06");
        body["reference_numbers"] = json!(["FOI 001", " FOI 001 ", "FOI 002"]);
        let created = create(&app, &editor, &body).await;
        assert_eq!(created["reference_numbers"], json!(["FOI 001", "FOI 002"]));
    }

    async fn force_staff_record_only_their_own_forces_replies(db: TestDb) {
        let app = db.spawn().await;
        let staff = app.token_for(Role::ForceStaff, &["kent"]).await;
        let own = create(&app, &staff, &request_body("kent-pcc", "2020-01-06")).await;
        assert_eq!(own["provenance"], "force_reported");
        let other = app.send(Method::POST, "/api/v1/foi-requests", &staff, None, &request_body("essex", "2020-01-06")).await;
        assert_eq!(other.status(), StatusCode::FORBIDDEN);
        let mut claimed = request_body("kent", "2020-01-06");
        claimed["provenance"] = json!("foi");
        let response = app.send(Method::POST, "/api/v1/foi-requests", &staff, None, &claimed).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        let editor = app.token_for(Role::Editor, &[]).await;
        let essex = create(&app, &editor, &request_body("essex", "2020-01-06")).await;
        let path = format!("/api/v1/foi-requests/{}", essex["id"].as_str().unwrap());
        let (_, etag) = app.get_tagged(&path).await;
        let response = app.send(Method::PUT, &path, &staff, Some(&etag), &request_body("kent", "2020-01-06")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "nor move another force's request to their own");
        let campaign = json!({"slug": "mine", "title": "t", "started_on": "2020-01-06"});
        let response = app.send(Method::POST, "/api/v1/campaigns", &staff, None, &campaign).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let anonymous = app.client.post(app.url("/api/v1/foi-requests")).json(&request_body("kent", "2020-01-06")).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_campaign_to_every_force_shows_its_progress(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let campaign = json!({
            "slug": "imsi-2024",
            "title": "IMSI catchers",
            "started_on": "2024-01-08",
            "questions": [{"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"]}, {"question": "Since when?"}],
            "target_groups": ["forces"]
        });
        let response = app.send(Method::POST, "/api/v1/campaigns", &editor, None, &campaign).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let again = app.send(Method::POST, "/api/v1/campaigns", &editor, None, &campaign).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);
        let progress = app.get_json("/api/v1/campaigns/imsi-2024", StatusCode::OK).await;
        assert_eq!(progress["totals"]["requests"], 46);
        assert_eq!(progress["totals"]["overdue"], 46);

        for (force, responded, outcome, exemptions) in [
            ("kent", "2024-02-01", "ncnd", json!([{"section": "s31(3)", "ncnd": true}, {"section": "s24(2)", "ncnd": true}])),
            ("essex", "2024-02-20", "ncnd", json!([{"section": "s31(3)", "ncnd": true}])),
            ("surrey", "2024-01-30", "not_held", json!([])),
        ] {
            let list = app.get_json(&format!("/api/v1/foi-requests?campaign=imsi-2024&authority={force}"), StatusCode::OK).await;
            let id = list["items"][0]["id"].as_str().unwrap().to_owned();
            let path = format!("/api/v1/foi-requests/{id}");
            let (_, etag) = app.get_tagged(&path).await;
            let body = json!({
                "authority": force, "campaign": "imsi-2024", "title": "IMSI catchers",
                "received_on": "2024-01-08", "responded_on": responded, "state": "rejected",
                "answers": [
                    {"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"], "outcome": outcome, "exemptions": exemptions},
                    {"question": "Since when?", "outcome": outcome}
                ]
            });
            let response = app.send(Method::PUT, &path, &editor, Some(&etag), &body).await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let progress = app.get_json("/api/v1/campaigns/imsi-2024", StatusCode::OK).await;
        assert_eq!(progress["totals"], json!({"requests": 46, "answered": 3, "answered_late": 1, "awaiting": 0, "overdue": 43}));
        assert_eq!(progress["exemptions"], json!([
            {"section": "s31", "count": 2, "ncnd": 2, "subsections": [{"section": "s31(3)", "count": 2, "ncnd": 2}]},
            {"section": "s24", "count": 1, "ncnd": 1, "subsections": [{"section": "s24(2)", "count": 1, "ncnd": 1}]}
        ]));
        assert_eq!(progress["question_outcomes"][0]["outcomes"], json!([
            {"outcome": "not_held", "count": 1}, {"outcome": "ncnd", "count": 2}, {"outcome": "no_answer", "count": 43}
        ]));
        let kent = progress["requests"].as_array().unwrap().iter().find(|r| r["force"] == "kent").unwrap();
        assert_eq!(kent["outcomes"], json!({"1": "ncnd", "2": "ncnd"}));
        let campaigns = app.get_json("/api/v1/campaigns", StatusCode::OK).await;
        assert_eq!(campaigns["items"][0]["slug"], "imsi-2024");
    }
}

both_backends! {
    async fn foi_exports_stream_requests_and_answers(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let reply_id = record_2019_reply(&app, &editor).await;
        crate::deployments::write(&db, |conn| {
            let calendar = FoiCalendar::embedded();
            write_transaction(conn, |conn| {
                for n in 0..1001 {
                    let received_on = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap() + chrono::Days::new(n % 300);
                    let fields = FoiRequestFields {
                        authority: "kent".into(),
                        campaign: None,
                        law: FoiLaw::Foia,
                        title: format!("Request {n}, with \"quotes\", commas\nand a newline"),
                        reference_numbers: vec![format!("K/{n}")],
                        request_text: String::new(),
                        sent_on: None,
                        received_on,
                        responded_on: None,
                        state: FoiState::WaitingResponse,
                        source_url: None,
                        reply_text: String::new(),
                        provenance: Provenance::Foi,
                        answers: vec![AnswerFields {
                            id: None,
                            campaign_question: None,
                            question: "Do you use drones?".into(),
                            tools: vec!["drones".into()],
                            outcome: AnswerOutcome::NoAnswer,
                            answer_text: String::new(),
                            redirected_to: None,
                            exemptions: Vec::new(),
                            deployments: Vec::new(),
                            impact_assessments: Vec::new(),
                            claims: Vec::new(),
                        }],
                        stages: Vec::new(),
                    };
                    foi_requests::create(conn, &calendar, &crate::deployments::stamp("2024-01-01"), &fields)?;
                }
                Ok(())
            })
            .unwrap();
        })
        .await;
        let ndjson = app.get("/api/v1/exports/foi-requests.ndjson").await;
        assert_eq!(ndjson.headers()["content-type"], "application/x-ndjson");
        let lines: Vec<Value> = ndjson.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 1002, "every request, across several database pages");
        let list = app.get_json("/api/v1/foi-requests?limit=1", StatusCode::OK).await;
        assert_eq!(lines[0], list["items"][0], "an export line is the list's item");

        let csv_text = app.get("/api/v1/exports/foi-requests.csv?force=kent").await.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "id");
        assert_eq!(reader.records().map(Result::unwrap).count(), 1001);

        let answers = app.get("/api/v1/exports/foi-answers.csv").await;
        let disposition = answers.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"foi-answers-") && disposition.ends_with(".csv\""));
        let text = answers.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1001 + 3);
        let q3 = rows.iter().find(|r| &r[0] == reply_id.as_str() && &r[8] == "3").unwrap();
        assert_eq!((&q3[11], &q3[13]), ("not_valid", "cambridgeshire"));
        let campaign_answers = app
            .get("/api/v1/exports/foi-answers.ndjson?campaign=2019-surveillance-tools")
            .await
            .text()
            .await
            .unwrap();
        let first: Value = serde_json::from_str(campaign_answers.lines().next().unwrap()).unwrap();
        assert_eq!(first["outcome"], "partially_disclosed");
        assert_eq!(first["deployments"].as_array().unwrap().len(), 7);
    }
}
