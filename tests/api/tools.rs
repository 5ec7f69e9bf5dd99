use std::collections::HashSet;

use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{error_fields, TestDb};

const CAMPAIGN_2019_TOOLS: [&str; 7] = [
    "body-worn-video",
    "facial-recognition",
    "equipment-interference",
    "imsi-catcher",
    "mobile-phone-extraction",
    "predictive-policing",
    "social-media-intelligence",
];

const ATLAS_CATEGORIES: [&str; 12] = [
    "automated-license-plate-readers",
    "body-worn-cameras",
    "camera-registry",
    "cell-site-simulator",
    "drones",
    "face-recognition",
    "fusion-center",
    "gunshot-detection",
    "predictive-policing",
    "real-time-crime-center",
    "third-party-investigative-platforms",
    "video-analytics",
];

both_backends! {
    async fn taxonomy_covers_the_campaign_and_the_atlas(db: TestDb) {
        let app = db.spawn().await;
        let tools = app.get_all("/api/v1/tools").await;
        let slugs: HashSet<&str> = tools.iter().map(|t| t["slug"].as_str().unwrap()).collect();
        for tool in CAMPAIGN_2019_TOOLS {
            assert!(slugs.contains(tool), "{tool}");
        }
        let mut atlas: Vec<&str> = tools.iter().filter_map(|t| t["atlas_category"].as_str()).collect();
        atlas.sort_unstable();
        assert_eq!(atlas, ATLAS_CATEGORIES, "each Atlas category maps onto exactly one tool");
        let mut seen = HashSet::new();
        for tool in &tools {
            if let Some(parent) = tool["parent"].as_str() {
                assert!(seen.contains(parent), "{} comes after its parent", tool["slug"]);
            }
            seen.insert(tool["slug"].as_str().unwrap());
            assert!(!tool["description"].as_str().unwrap().is_empty());
            assert_eq!(tool["deprecated"], false);
        }
    }

    async fn facial_recognition_is_split_by_mode(db: TestDb) {
        let app = db.spawn().await;
        let children = app.get_all("/api/v1/tools?parent=facial-recognition").await;
        let slugs: HashSet<&str> = children.iter().map(|t| t["slug"].as_str().unwrap()).collect();
        assert_eq!(
            slugs,
            HashSet::from([
                "live-facial-recognition",
                "retrospective-facial-recognition",
                "operator-initiated-facial-recognition"
            ])
        );
        let extraction = app.get_all("/api/v1/tools?parent=mobile-phone-extraction").await;
        assert_eq!(extraction.len(), 2);
        let paged = app.get_all("/api/v1/tools?limit=4").await;
        assert_eq!(paged.len(), app.get_all("/api/v1/tools?limit=500").await.len());
    }

    async fn one_tool_by_slug_or_a_clear_problem(db: TestDb) {
        let app = db.spawn().await;
        let imsi = app.get_json("/api/v1/tools/imsi-catcher", StatusCode::OK).await;
        assert_eq!(imsi["atlas_category"], "cell-site-simulator");
        assert!(imsi["aliases"].is_array());
        app.get_problem("/api/v1/tools/tricorder", StatusCode::NOT_FOUND).await;
        let malformed = app.get_problem("/api/v1/tools/IMSI_catcher", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&malformed), ["slug"]);
        let bad = app.get_problem("/api/v1/tools?deprecated=yes&parent=Bad", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&bad), ["parent", "deprecated"]);
    }
}
