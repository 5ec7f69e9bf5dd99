//! Querying FOI requests as a journalist would: conditions on one and the same answer, the tool
//! taxonomy, late and overdue replies, every sort paged in both directions, and what a campaign's
//! progress says about each authority.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use surveillance_registry::domain::Role;

use crate::both_backends;
use crate::helpers::{error_fields, TestApp, TestDb};

async fn create(app: &TestApp, token: &str, body: &Value) -> String {
    let response = app
        .send(Method::POST, "/api/v1/foi-requests", token, None, body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    created["id"].as_str().unwrap().to_owned()
}

fn request(title: &str, answers: Value) -> Value {
    json!({"authority": "kent", "title": title, "received_on": "2024-01-08", "answers": answers})
}

/// The titles of every request the list gives for `query`, in its order.
async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    app.get_all(&format!("/api/v1/foi-requests?{query}"))
        .await
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut titles: Vec<String>) -> Vec<String> {
    titles.sort();
    titles
}

both_backends! {
    async fn answer_filters_hold_for_one_and_the_same_answer(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        create(&app, &editor, &request("same answer", json!([
            {"question": "IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "ncnd",
             "exemptions": [{"section": "s23(5)", "ncnd": true}, {"section": "s24(2)", "ncnd": true}]}
        ]))).await;
        create(&app, &editor, &request("different answers", json!([
            {"question": "IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "not_held"},
            {"question": "Their cost?", "outcome": "exempt", "exemptions": [{"section": "s23"}]}
        ]))).await;
        create(&app, &editor, &request("live facial recognition", json!([
            {"question": "LFR?", "tools": ["live-facial-recognition"], "outcome": "ncnd",
             "exemptions": [{"section": "s31(1)(a)", "ncnd": true}]}
        ]))).await;
        create(&app, &editor, &request("section 2 only", json!([
            {"question": "Drones?", "tools": ["drones"], "outcome": "exempt", "exemptions": [{"section": "s2"}]}
        ]))).await;

        // Request-level: any answer of the request.
        assert_eq!(sorted(titles(&app, "exemption=s23").await), ["different answers", "same answer"]);
        // Answer-level: the tool and the exemption on the same answer.
        assert_eq!(titles(&app, "answer_tool=imsi-catcher&answer_exemption=s23").await, ["same answer"]);
        assert_eq!(titles(&app, "answer_tool=imsi-catcher&answer_outcome=ncnd").await, ["same answer"]);
        assert_eq!(
            sorted(titles(&app, "answer_tool=imsi-catcher").await),
            ["different answers", "same answer"]
        );
        assert_eq!(
            titles(&app, "answer_exemption=s23&answer_outcome=exempt").await,
            ["different answers"]
        );
        assert!(titles(&app, "answer_tool=imsi-catcher&answer_exemption=s23&answer_outcome=not_held").await.is_empty());
        // A section takes in its subsections, and only them: `s2` is not a prefix of `s23`.
        assert_eq!(titles(&app, "answer_exemption=s2").await, ["section 2 only"]);
        assert_eq!(titles(&app, "answer_exemption=s31").await, ["live facial recognition"]);
        assert!(titles(&app, "answer_exemption=s31(3)").await.is_empty());
        // A parent tool takes in its sub-types; a sub-type does not take in its parent.
        assert_eq!(titles(&app, "answer_tool=facial-recognition").await, ["live facial recognition"]);
        assert_eq!(titles(&app, "answer_tool=live-facial-recognition").await, ["live facial recognition"]);
        assert!(titles(&app, "answer_tool=retrospective-facial-recognition").await.is_empty());
        assert!(titles(&app, "answer_tool=no-such-tool").await.is_empty());
        // Combined with request-level filters and counted alike.
        let page = app
            .get_json("/api/v1/foi-requests?answer_tool=facial-recognition&answer_outcome=ncnd&force=kent&count=exact", StatusCode::OK)
            .await;
        assert_eq!(page["total_count"], 1);

        // The exports take the same parameters.
        for export in ["foi-requests", "foi-answers"] {
            let body = app
                .get(&format!("/api/v1/exports/{export}.ndjson?answer_tool=imsi-catcher&answer_exemption=s23"))
                .await
                .text()
                .await
                .unwrap();
            let lines: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(lines.len(), 1, "{export}: {body}");
        }

        // Bad values are refused, naming the parameter.
        for (query, field) in [
            ("answer_tool=Not%20a%20slug", "answer_tool"),
            ("answer_exemption=section%2023", "answer_exemption"),
            ("answer_outcome=perhaps", "answer_outcome"),
            ("late=maybe", "late"),
            ("overdue=1", "overdue"),
            ("sort=title", "sort"),
            ("sort=--sent_on", "sort"),
        ] {
            let problem = app
                .get_problem(&format!("/api/v1/foi-requests?{query}"), StatusCode::BAD_REQUEST)
                .await;
            assert_eq!(error_fields(&problem), [field], "{query}");
            let response = app.get(&format!("/api/v1/exports/foi-requests.csv?{query}")).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "export, {query}");
        }
    }

    async fn late_and_overdue_select_what_the_views_show(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let today = chrono::Utc::now().date_naive().to_string();
        // Received 2024-01-08, due 2024-02-05.
        for (title, received, responded) in [
            ("on time", "2024-01-08", Some("2024-02-05")),
            ("late", "2024-01-08", Some("2024-02-06")),
            ("overdue", "2024-01-08", None),
            ("not yet due", today.as_str(), None),
        ] {
            let mut body = request(title, json!([]));
            body["received_on"] = json!(received);
            if let Some(on) = responded {
                body["responded_on"] = json!(on);
                body["state"] = json!("successful");
            }
            create(&app, &editor, &body).await;
        }
        assert_eq!(titles(&app, "late=true").await, ["late"]);
        assert_eq!(sorted(titles(&app, "late=false").await), ["not yet due", "on time", "overdue"]);
        assert_eq!(titles(&app, "overdue=true").await, ["overdue"]);
        assert_eq!(sorted(titles(&app, "overdue=false").await), ["late", "not yet due", "on time"]);
        assert!(titles(&app, "late=true&overdue=true").await.is_empty());
        // Exactly the requests whose views say so.
        for flag in ["late", "overdue"] {
            for wanted in [true, false] {
                let items = app.get_all(&format!("/api/v1/foi-requests?{flag}={wanted}")).await;
                assert!(items.iter().all(|r| r[flag] == wanted), "{flag}={wanted}");
            }
        }
        let late = app.get_all("/api/v1/foi-requests?late=true").await;
        assert_eq!(late[0]["due_on"], "2024-02-05");
        assert_eq!(late[0]["days_overdue"], 1);
        let export = app.get("/api/v1/exports/foi-requests.ndjson?late=true").await.text().await.unwrap();
        assert_eq!(export.lines().count(), 1);
    }

    async fn every_sort_pages_without_skipping_or_repeating(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        // Missing and tied values in `sent_on` and `responded_on`, ties in the authority and force.
        let rows = [
            ("a", "kent", None, "2024-01-08", None),
            ("b", "kent-pcc", Some("2024-01-02"), "2024-01-08", Some("2024-01-20")),
            ("c", "essex", Some("2024-01-02"), "2024-01-09", Some("2024-01-20")),
            ("d", "kent", Some("2024-01-02"), "2024-01-10", None),
            ("e", "surrey", Some("2024-01-05"), "2024-01-08", Some("2024-01-19")),
            ("f", "essex", None, "2024-01-12", Some("2024-01-20")),
            ("g", "kent", None, "2024-01-08", None),
        ];
        for (title, authority, sent, received, responded) in rows {
            let mut body = request(title, json!([]));
            body["authority"] = json!(authority);
            body["sent_on"] = json!(sent);
            body["received_on"] = json!(received);
            if let Some(on) = responded {
                body["responded_on"] = json!(on);
                body["state"] = json!("successful");
            }
            create(&app, &editor, &body).await;
        }
        for column in ["received_on", "sent_on", "due_on", "responded_on", "authority", "force", "updated_at"] {
            let key = |r: &Value| -> (bool, String) {
                let value = match column {
                    "authority" => r["authority"].clone(),
                    "force" => r["force"].clone(),
                    other => r[other].clone(),
                };
                let value = value.as_str().unwrap_or_default();
                // Timestamps compared as instants, not as text of varying precision.
                let value = match chrono::DateTime::parse_from_rfc3339(value) {
                    Ok(at) => format!("{:020}", at.timestamp_nanos_opt().unwrap()),
                    Err(_) => value.to_owned(),
                };
                (!value.is_empty(), value)
            };
            for descending in [false, true] {
                let sort = if descending { format!("-{column}") } else { column.to_owned() };
                let whole = app.get_all(&format!("/api/v1/foi-requests?sort={sort}&limit=500")).await;
                let paged = app.get_all(&format!("/api/v1/foi-requests?sort={sort}&limit=2")).await;
                let ids = |items: &[Value]| items.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
                assert_eq!(ids(&paged), ids(&whole), "sort={sort}: pages give the one order");
                let mut unique = ids(&paged);
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), rows.len(), "sort={sort}: every row once");
                // Missing values are the smallest; ties are broken by id in the same direction.
                for pair in whole.windows(2) {
                    let (a, b) = ((key(&pair[0]), pair[0]["id"].as_str().unwrap()), (key(&pair[1]), pair[1]["id"].as_str().unwrap()));
                    if descending {
                        assert!(a > b, "sort={sort}: {a:?} before {b:?}");
                    } else {
                        assert!(a < b, "sort={sort}: {a:?} before {b:?}");
                    }
                }
            }
        }
        let first = app.get_json("/api/v1/foi-requests?sort=-sent_on&limit=1", StatusCode::OK).await;
        assert_eq!(first["items"][0]["title"], "e");
        let first = app.get_json("/api/v1/foi-requests?sort=sent_on&limit=1", StatusCode::OK).await;
        assert!(first["items"][0]["sent_on"].is_null());
        // A cursor belongs to its sort.
        let cursor = first["next_cursor"].as_str().unwrap();
        let problem = app
            .get_problem(&format!("/api/v1/foi-requests?sort=-sent_on&cursor={cursor}"), StatusCode::BAD_REQUEST)
            .await;
        assert_eq!(error_fields(&problem), ["cursor"]);
    }

    async fn campaign_progress_names_authorities_and_matches_answers_by_question(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        let campaign = json!({
            "slug": "imsi-2024", "title": "IMSI catchers", "started_on": "2024-01-08",
            "questions": [{"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"]}, {"question": "Since when?"}],
            "authorities": ["kent", "essex", "surrey"]
        });
        let response = app.send(Method::POST, "/api/v1/campaigns", &editor, None, &campaign).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let sent = app.get_all("/api/v1/foi-requests?campaign=imsi-2024").await;
        assert!(sent.iter().all(|r| r["answers"][0]["campaign_question"] == 1 && r["answers"][1]["campaign_question"] == 2));
        let id_of = |authority: &str| {
            sent.iter().find(|r| r["authority"] == authority).unwrap()["id"].as_str().unwrap().to_owned()
        };
        let reply = |authority: &str, responded: &str, answers: Value| json!({
            "authority": authority, "campaign": "imsi-2024", "title": "IMSI catchers",
            "received_on": "2024-01-08", "responded_on": responded, "state": "partially_successful",
            "answers": answers
        });
        // Kent answers the second question first, and says which question each answer replies to.
        let kent = reply("kent", "2024-02-20", json!([
            {"campaign_question": 2, "question": "Since when?", "outcome": "not_held"},
            {"campaign_question": 1, "question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "ncnd",
             "exemptions": [{"section": "s31(1)(a)", "ncnd": true}, {"section": "s23(5)", "ncnd": true}]}
        ]));
        // Essex answers only the first question, in order, and cites s31 twice over.
        let essex = reply("essex", "2024-01-30", json!([
            {"question": "Do you use IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "exempt",
             "exemptions": [{"section": "s31(3)"}, {"section": "s31(1)(a)"}]}
        ]));
        for (authority, body) in [("kent", &kent), ("essex", &essex)] {
            let path = format!("/api/v1/foi-requests/{}", id_of(authority));
            let (_, etag) = app.get_tagged(&path).await;
            let response = app.send(Method::PUT, &path, &editor, Some(&etag), body).await;
            assert_eq!(response.status(), StatusCode::OK, "{authority}");
        }
        let progress = app.get_json("/api/v1/campaigns/imsi-2024", StatusCode::OK).await;
        let row = |authority: &str| progress["requests"].as_array().unwrap().iter().find(|r| r["authority"] == authority).unwrap().clone();
        let kent = row("kent");
        assert_eq!(kent["authority_name"], "Kent Police");
        assert_eq!(kent["outcomes"], json!({"1": "ncnd", "2": "not_held"}));
        assert_eq!((kent["late"].clone(), kent["overdue"].clone(), kent["days_overdue"].clone()), (json!(true), json!(false), Value::Null));
        let essex = row("essex");
        assert_eq!(essex["outcomes"], json!({"1": "exempt", "2": "no_answer"}));
        assert_eq!((essex["late"].clone(), essex["days_overdue"].clone()), (json!(false), Value::Null));
        let surrey = row("surrey");
        assert_eq!(surrey["overdue"], true);
        assert_eq!(surrey["late"], false);
        let due: chrono::NaiveDate = surrey["due_on"].as_str().unwrap().parse().unwrap();
        assert_eq!(surrey["days_overdue"], (chrono::Utc::now().date_naive() - due).num_days());
        assert_eq!(progress["question_outcomes"][1]["outcomes"], json!([
            {"outcome": "not_held", "count": 1}, {"outcome": "no_answer", "count": 2}
        ]));
        assert_eq!(progress["exemptions"], json!([
            {"section": "s31", "count": 3, "ncnd": 1, "subsections": [
                {"section": "s31(1)(a)", "count": 2, "ncnd": 1},
                {"section": "s31(3)", "count": 1, "ncnd": 0}
            ]},
            {"section": "s23", "count": 1, "ncnd": 1, "subsections": [{"section": "s23(5)", "count": 1, "ncnd": 1}]}
        ]));

        // A question the campaign does not have, one named twice, or a link outside a campaign: 400.
        let path = format!("/api/v1/foi-requests/{}", id_of("surrey"));
        let (_, etag) = app.get_tagged(&path).await;
        for answers in [
            json!([{"campaign_question": 3, "question": "Q", "outcome": "not_held"}]),
            json!([{"campaign_question": 1, "question": "Q", "outcome": "not_held"},
                   {"campaign_question": 1, "question": "Q", "outcome": "not_held"}]),
        ] {
            let response = app.send(Method::PUT, &path, &editor, Some(&etag), &reply("surrey", "2024-02-01", answers)).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            let problem: Value = response.json().await.unwrap();
            assert_eq!(error_fields(&problem), ["answers"]);
        }
        let response = app
            .send(Method::POST, "/api/v1/foi-requests", &editor, None,
                  &request("no campaign", json!([{"campaign_question": 1, "question": "Q", "outcome": "not_held"}])))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);

        // The page shows names, days overdue and sections with their subsections.
        let page = app.get("/campaigns/imsi-2024").await.text().await.unwrap();
        assert!(page.contains("Kent Police"), "the authority's name");
        assert!(page.contains("Overdue by "), "days overdue");
        assert!(page.contains(">s31<") && page.contains(">s31(1)(a)<"), "sections and subsections");
        assert!(page.contains("Q1 "), "outcomes by question");
    }

    async fn facets_count_requests_per_value_of_the_filtered_set(db: TestDb) {
        let app = db.spawn().await;
        let editor = app.token_for(Role::Editor, &[]).await;
        create(&app, &editor, &request("two ncnd answers", json!([
            {"question": "IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "ncnd",
             "exemptions": [{"section": "s23(5)", "ncnd": true}, {"section": "s24(2)", "ncnd": true}]},
            {"question": "LFR?", "tools": ["live-facial-recognition"], "outcome": "ncnd",
             "exemptions": [{"section": "s23(5)", "ncnd": true}]}
        ]))).await;
        create(&app, &editor, &request("not held", json!([
            {"question": "IMSI catchers?", "tools": ["imsi-catcher"], "outcome": "not_held"}
        ]))).await;
        let mut essex = request("essex", json!([{"question": "Drones?", "tools": ["drones"], "outcome": "disclosed"}]));
        essex["authority"] = json!("essex");
        create(&app, &editor, &essex).await;

        let page = app.get_json("/api/v1/foi-requests?facet=force,outcome,exemption,tool,state&limit=1", StatusCode::OK).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "facets count all pages");
        let facets = &page["facets"];
        assert_eq!(facets["force"], json!([{"value": "kent", "count": 2}, {"value": "essex", "count": 1}]));
        // A request counts once per value, however many of its answers hold it.
        assert_eq!(facets["outcome"], json!([
            {"value": "disclosed", "count": 1}, {"value": "ncnd", "count": 1}, {"value": "not_held", "count": 1}
        ]));
        assert_eq!(facets["exemption"], json!([{"value": "s23(5)", "count": 1}, {"value": "s24(2)", "count": 1}]));
        assert_eq!(facets["tool"], json!([
            {"value": "imsi-catcher", "count": 2}, {"value": "drones", "count": 1}, {"value": "live-facial-recognition", "count": 1}
        ]));
        assert_eq!(facets["state"].as_array().unwrap().iter().map(|v| v["count"].as_i64().unwrap()).sum::<i64>(), 3);

        // Facets follow the filters, answer-level ones included.
        let kent = app.get_json("/api/v1/foi-requests?answer_tool=imsi-catcher&answer_outcome=not_held&facet=outcome,authority", StatusCode::OK).await;
        assert_eq!(kent["facets"]["outcome"], json!([{"value": "not_held", "count": 1}]));
        assert_eq!(kent["facets"]["authority"], json!([{"value": "kent", "count": 1}]));
        let none = app.get_json("/api/v1/foi-requests?force=surrey&facet=campaign", StatusCode::OK).await;
        assert_eq!(none["facets"]["campaign"], json!([]));
        let plain = app.get_json("/api/v1/foi-requests", StatusCode::OK).await;
        assert!(plain.get("facets").is_none());
        let bad = app.get_problem("/api/v1/foi-requests?facet=vendor", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["facet"]);
        assert!(bad["errors"][0]["message"].as_str().unwrap().contains("exemption"));
        let bad = app.get_problem("/api/v1/foi-requests?colour=red", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["colour"]);
    }
}
