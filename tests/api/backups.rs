//! `backup` and `restore`: a backup taken while the server runs restores into an empty database
//! with every export identical, and a restore never replaces a database silently.

use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestDb};

const EXPORTS: [&str; 8] = [
    "deployments",
    "impact-assessments",
    "foi-requests",
    "foi-answers",
    "foi-documents",
    "sources",
    "campaigns",
    "matrix",
];

fn cli(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .args(args)
        .env("DATABASE_URL", db.url.to_string())
        .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failure(output: &Output) -> String {
    assert!(!output.status.success(), "must fail");
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

/// Every export, in both formats, byte for byte.
async fn every_export(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for name in EXPORTS {
        for format in ["csv", "ndjson"] {
            let path = format!("/api/v1/exports/{name}.{format}");
            let response = app.get(&path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            all.push((path, response.bytes().await.unwrap().to_vec()));
        }
    }
    all
}

fn assert_same(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) {
    for ((path, old), (_, new)) in before.iter().zip(after) {
        assert!(old == new, "{path} differs after the round trip");
    }
}

both_backends! {
    async fn a_backup_taken_while_serving_restores_every_export(db: TestDb) {
        succeeded(&cli(&db, &["seed-demo", "--scale", "0.01"]));
        let app = db.spawn().await;
        let before = every_export(&app).await;
        let empty: Vec<&str> = before.iter().filter(|(p, body)| body.iter().filter(|b| **b == b'\n').count() <= usize::from(p.ends_with(".csv"))).map(|(p, _)| p.as_str()).collect();
        assert!(empty.is_empty(), "every export holds rows: {empty:?}");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registry.backup");
        let file = file.to_str().unwrap();
        let out = succeeded(&cli(&db, &["backup", file]));
        assert!(out.starts_with("backed up ") && out.lines().count() == 1, "{out}");
        let again = failure(&cli(&db, &["backup", file]));
        assert!(again.contains("a backup never replaces a file"), "{again}");

        let copy = TestDb::new(db.backend);
        let out = succeeded(&cli(&copy, &["restore", file]));
        assert!(out.starts_with("restored "), "{out}");
        let restored = copy.spawn().await;
        assert_same(&before, &every_export(&restored).await);

        let other = TestDb::new(db.backend);
        succeeded(&cli(&other, &["migrate"]));
        let refused = failure(&cli(&other, &["restore", file]));
        assert!(refused.contains("tables; pass --force to replace it"), "{refused}");
        assert_eq!(refused.lines().count(), 1);
        succeeded(&cli(&other, &["restore", file, "--force"]));
        let replaced = other.spawn().await;
        assert_same(&before, &every_export(&replaced).await);

        let wrong = dir.path().join("not-a-backup");
        std::fs::write(&wrong, "id,name\n").unwrap();
        let refused = failure(&cli(&other, &["restore", wrong.to_str().unwrap(), "--force"]));
        assert!(refused.contains("is not a"), "{refused}");
        if let Backend::Sqlite = db.backend {
            let busy = failure(&cli(&db, &["restore", file, "--force"]));
            assert!(busy.contains("is in use by another process"), "{busy}");
        }
        drop(app);
    }
}
