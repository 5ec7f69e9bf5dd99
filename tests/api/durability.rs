//! Durability: a server killed with SIGKILL in the middle of concurrent writes loses none of the
//! writes it acknowledged, and every one of them is in the change feed after a restart; a server
//! stopped by a signal finishes what is in flight and exits 0.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::auth::{keys_config, run_cli};
use crate::both_backends;
use crate::helpers::TestDb;

/// Starts the real binary on `db` and waits until it is ready.
async fn start(db: &TestDb) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_surveillance-registry"))
        .args(["serve", "--port", &port.to_string()])
        .env("DATABASE_URL", db.url.to_string())
        .env("REGISTRY_JWT_KEYS", keys_config())
        .env("REGISTRY_WITHOUT_PUBLIC_DATA", "true")
        // This test is about durability, not limits.
        .env("REGISTRY_RATE_LIMIT", "0")
        .env("REGISTRY_WRITE_RATE_LIMIT", "0")
        .env("REGISTRY_CLIENT_CONCURRENCY", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (server, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    panic!("the server did not become ready");
}

/// Sends `signal` (`-TERM`, `-INT`) to the server.
fn signal(server: &Child, signal: &str) {
    Command::new("kill")
        .args([signal, &server.id().to_string()])
        .status()
        .unwrap();
}

/// Waits, off the test's async threads, for the server to exit.
async fn exit_status(mut server: Child) -> std::process::ExitStatus {
    tokio::task::spawn_blocking(move || server.wait().unwrap())
        .await
        .unwrap()
}

both_backends! {
    async fn acknowledged_writes_survive_kill_9(db: TestDb) {
        run_cli(&db, &["accounts", "create", "--username", "writer", "--role", "editor", "--password-stdin"],
            "a password for durable writes\n");
        let token = String::from_utf8(run_cli(&db, &["token", "--username", "writer"], "").stdout).unwrap().trim().to_owned();
        let (mut server, base) = start(&db).await;

        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|writer| {
                let (stop, base, token) = (stop.clone(), base.clone(), token.clone());
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    let mut acknowledged = Vec::new();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let body = json!({"force": "kent", "tool": "drones", "status": "trial",
                            "summary": format!("writer {writer}, write {n}")});
                        let sent = client.post(format!("{base}/api/v1/deployments")).bearer_auth(&token).json(&body).send().await;
                        match sent {
                            Ok(response) if response.status() == StatusCode::CREATED => {
                                if let Ok(created) = response.json::<Value>().await {
                                    acknowledged.push(created["id"].as_str().unwrap().to_owned());
                                }
                            }
                            _ => {}
                        }
                    }
                    acknowledged
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.kill().unwrap(); // SIGKILL: no shutdown, no flush beyond what each commit did
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acknowledged = Vec::new();
        for writer in writers {
            acknowledged.extend(writer.await.unwrap());
        }
        assert!(acknowledged.len() >= 8, "only {} writes were acknowledged", acknowledged.len());

        let (mut server, base) = start(&db).await;
        let client = reqwest::Client::new();
        let mut in_feed = HashSet::new();
        let mut next = format!("{base}/api/v1/changes?entity_type=deployment&limit=500");
        loop {
            let page: Value = client.get(&next).send().await.unwrap().json().await.unwrap();
            let items = page["items"].as_array().unwrap();
            if items.is_empty() {
                break;
            }
            in_feed.extend(items.iter().map(|e| e["entity_id"].as_str().unwrap().to_owned()));
            next = format!("{base}{}", page["next_url"].as_str().unwrap());
        }
        for id in &acknowledged {
            let read = client.get(format!("{base}/api/v1/deployments/{id}")).send().await.unwrap();
            assert_eq!(read.status(), StatusCode::OK, "acknowledged write {id} was lost");
            assert!(in_feed.contains(id), "acknowledged write {id} is missing from the change feed");
        }
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

both_backends! {
    /// A server stopped by SIGTERM right after concurrent database work exits 0. OpenSSL's exit
    /// handler used to race the blocking threads of the worker runtimes, still freeing the TLS
    /// state of their PostgreSQL connections, and abort the process now and then: a race, so the
    /// test stops the server several times.
    async fn sigterm_after_concurrent_database_work_exits_cleanly(db: TestDb) {
        for round in 0..6 {
            let (server, base) = start(&db).await;
            let client = reqwest::Client::new();
            // Distinct queries, so that each is computed: a blocking thread and a pooled connection.
            let reads: Vec<_> = (1..=48)
                .map(|limit| {
                    let request = client.get(format!("{base}/api/v1/deployments?limit={limit}"));
                    tokio::spawn(async move { request.send().await.map(|r| r.status()) })
                })
                .collect();
            for read in reads {
                assert_eq!(read.await.unwrap().unwrap(), StatusCode::OK);
            }
            signal(&server, "-TERM");
            let status = exit_status(server).await;
            assert!(status.success(), "round {round}: a stop after database work exits 0: {status}");
        }
    }
}

/// Ctrl-C (SIGINT) stops taking connections but lets a request in flight finish, as SIGTERM does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_lets_a_request_in_flight_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let db = TestDb::new(crate::helpers::Backend::Sqlite);
    run_cli(
        &db,
        &[
            "accounts",
            "create",
            "--username",
            "writer",
            "--role",
            "editor",
            "--password-stdin",
        ],
        "a password for durable writes\n",
    );
    let token = String::from_utf8(run_cli(&db, &["token", "--username", "writer"], "").stdout)
        .unwrap()
        .trim()
        .to_owned();
    let (server, base) = start(&db).await;
    let body = json!({"force": "kent", "tool": "drones", "status": "trial", "summary": "written across a Ctrl-C"}).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/deployments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&server, "-INT");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let status = exit_status(server).await;
    assert!(status.success(), "a graceful stop exits 0: {status}");
}
