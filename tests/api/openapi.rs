//! The committed `openapi/openapi.json` must be exactly what the server serves.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestDb};

const COMMITTED: &str = "openapi/openapi.json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_spec_matches_the_served_spec() {
    let db = TestDb::new(Backend::Sqlite);
    let app = db.spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let served = response.text().await.unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != served {
        let diff = similar::TextDiff::from_lines(&committed, &served)
            .unified_diff()
            .context_radius(3)
            .header(COMMITTED, "served by GET /api/v1/openapi.json")
            .to_string();
        panic!(
            "{COMMITTED} is out of date. Regenerate it with\n    \
             cargo run -- openapi > {COMMITTED}\nDifference:\n{diff}"
        );
    }
    let spec: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn the_openapi_subcommand_prints_the_same_document() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let committed =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED))
            .unwrap();
    assert!(
        printed == committed,
        "`surveillance-registry openapi` differs from {COMMITTED}"
    );
}
