use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestDb};

both_backends! {
    async fn probes_report_alive_and_ready(db: TestDb) {
        let app = db.spawn().await;
        let alive = app.get_json("/healthz", StatusCode::OK).await;
        assert_eq!(alive["status"], "ok");
        let ready = app.get_json("/readyz", StatusCode::OK).await;
        assert_eq!(ready["status"], "ready");
        let backend = match db.backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" };
        assert_eq!(ready["database"], backend);
    }

    async fn unknown_paths_and_methods_are_problems(db: TestDb) {
        let app = db.spawn().await;
        let problem = app.get_problem("/api/v1/no-such-thing", StatusCode::NOT_FOUND).await;
        assert_eq!(problem["instance"], "/api/v1/no-such-thing");
        let response = app.client.delete(app.url("/api/v1/forces/kent")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()["allow"], "GET, HEAD, PUT");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 405);
        assert_eq!(problem["instance"], "/api/v1/forces/kent");
        let trace = app.client.request(reqwest::Method::TRACE, app.url("/healthz")).send().await.unwrap();
        assert_eq!(trace.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(trace.headers()["allow"], "GET, HEAD");
    }

    async fn head_answers_like_get_without_a_body(db: TestDb) {
        let app = db.spawn().await;
        let get = app.get("/api/v1/forces?limit=5").await;
        let head = app.client.head(app.url("/api/v1/forces?limit=5")).send().await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        for name in ["etag", "link", "content-type", "content-length", "cache-control"] {
            assert_eq!(head.headers().get(name), get.headers().get(name), "{name}");
        }
        assert!(head.bytes().await.unwrap().is_empty());
        let missing = app.client.head(app.url("/api/v1/forces/atlantis")).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    async fn responses_carry_request_ids_and_cors_headers(db: TestDb) {
        let app = db.spawn().await;
        let response = app
            .client
            .get(app.url("/api/v1/tools"))
            .header("Origin", "https://newsroom.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().contains_key("x-request-id"));
        assert_eq!(response.headers()["access-control-allow-origin"], "https://newsroom.example");
        let exposed = response.headers()["access-control-expose-headers"].to_str().unwrap().to_lowercase();
        for header in ["link", "etag", "retry-after", "content-disposition"] {
            assert!(exposed.contains(header), "{header} exposed");
        }
    }

    async fn docs_are_served_offline(db: TestDb) {
        let app = db.spawn().await;
        let page = app.get("/docs/").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "the bundled Swagger UI page");
        assert!(!html.contains("https://"), "no asset is loaded from another host");
        let docs = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/docs"))
            .send()
            .await
            .unwrap();
        assert_eq!(docs.status(), StatusCode::FOUND);
        assert_eq!(docs.headers()["location"], "/docs/");
        let root = app.get("/").await;
        assert_eq!(root.status(), StatusCode::OK, "the site root is the explorer's home page");
        assert_eq!(root.headers()["content-type"], "text/html; charset=utf-8");
    }
}
