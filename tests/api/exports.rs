use reqwest::StatusCode;
use serde_json::Value;
use surveillance_registry::domain::DeploymentStatus;

use crate::both_backends;
use crate::deployments::{create, state, write};
use crate::helpers::{error_fields, TestDb};

both_backends! {
    async fn exports_stream_every_matching_row_as_csv_and_ndjson(db: TestDb) {
        let app = db.spawn().await;
        write(&db, |conn| {
            for n in 0..1203 {
                let force = if n % 3 == 0 { "kent" } else { "essex" };
                let mut s = state(DeploymentStatus::InUse, "Axon");
                s.summary = format!("row {n}, with \"quotes\", commas\nand a newline");
                create(conn, force, "body-worn-video", "2024-01-01", s);
            }
        })
        .await;
        let csv_response = app.get("/api/v1/exports/deployments.csv?force=kent").await;
        assert_eq!(csv_response.status(), StatusCode::OK);
        assert_eq!(csv_response.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = csv_response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"deployments-") && disposition.ends_with(".csv\""));
        let text = csv_response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "id");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 401, "every kent row, across several database pages");
        assert!(rows.iter().all(|r| &r[1] == "kent" && r[9].contains("\"quotes\", commas\nand")));
        let ndjson = app.get("/api/v1/exports/deployments.ndjson").await;
        assert_eq!(ndjson.headers()["content-type"], "application/x-ndjson");
        let lines: Vec<Value> = ndjson.text().await.unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 1203);
        let list = app.get_json("/api/v1/deployments?limit=1", StatusCode::OK).await;
        assert_eq!(lines[0], list["items"][0], "an export row is the list's item");
        let empty = app.get("/api/v1/exports/impact-assessments.csv").await;
        assert_eq!(empty.text().await.unwrap().lines().count(), 1, "just the header");
        let matrix = app.get("/api/v1/exports/matrix.csv?nation=wales").await;
        let cells = matrix.text().await.unwrap().lines().count() - 1;
        let tools = app.get_all("/api/v1/tools?limit=500").await.len();
        assert_eq!(cells, 4 * tools);
        app.get_problem("/api/v1/exports/deployments.xlsx", StatusCode::NOT_FOUND).await;
        let bad = app.get_problem("/api/v1/exports/deployments.csv?limit=5&status=nope", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["status"]);
        let unpaged = app.get("/api/v1/exports/deployments.ndjson?limit=5").await.text().await.unwrap();
        assert_eq!(unpaged.lines().count(), 1203, "paging parameters do not apply to exports");
    }
}
