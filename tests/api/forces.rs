use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{error_fields, TestDb};

both_backends! {
    /// Every force but the British Transport Police has a region: the ONS region in England, the
    /// nation elsewhere.
    async fn forces_have_their_regions(db: TestDb) {
        let app = db.spawn().await;
        let forces = app.get_all("/api/v1/forces?limit=500").await;
        let region = |slug: &str| forces.iter().find(|f| f["slug"] == slug).unwrap()["region"].clone();
        assert_eq!(region("kent"), "South East");
        assert_eq!(region("city-of-london"), "London");
        assert_eq!(region("gwent"), "Wales");
        assert_eq!(region("police-scotland"), "Scotland");
        assert!(region("btp").is_null());
        let without: Vec<_> = forces.iter().filter(|f| f["region"].is_null()).map(|f| f["slug"].clone()).collect();
        assert_eq!(without, ["btp"]);
    }

    async fn lists_every_force_with_its_authorities(db: TestDb) {
        let app = db.spawn().await;
        let forces = app.get_all("/api/v1/forces?limit=500").await;
        assert_eq!(forces.len(), 46);
        let slugs: Vec<&str> = forces.iter().map(|f| f["slug"].as_str().unwrap()).collect();
        let mut sorted = slugs.clone();
        sorted.sort_unstable();
        assert_eq!(slugs, sorted, "slug order");
        for expected in ["cambridgeshire", "metropolitan", "btp", "northern-ireland", "police-scotland", "dyfed-powys"] {
            assert!(slugs.contains(&expected), "{expected} listed");
        }
        for force in &forces {
            let authorities = force["authorities"].as_array().unwrap();
            assert_eq!(authorities.len(), 2, "{} has itself and its oversight body", force["slug"]);
            assert_eq!(authorities[0]["kind"], "force");
            assert_eq!(authorities[0]["slug"], force["slug"]);
            assert_ne!(authorities[1]["kind"], "force");
        }
    }

    async fn nations_and_laws_follow_the_uk_facts(db: TestDb) {
        let app = db.spawn().await;
        let wales = app.get_all("/api/v1/forces?nation=wales").await;
        let welsh: HashSet<&str> = wales.iter().map(|f| f["slug"].as_str().unwrap()).collect();
        assert_eq!(welsh, HashSet::from(["dyfed-powys", "gwent", "north-wales", "south-wales"]));
        let region = app.get_all("/api/v1/forces?region=Wales").await;
        let in_region: HashSet<&str> = region.iter().map(|f| f["slug"].as_str().unwrap()).collect();
        assert_eq!(in_region, welsh, "the region of the Welsh forces is Wales");
        assert!(app.get_all("/api/v1/forces?region=Atlantis").await.is_empty());
        let scotland = app.get_json("/api/v1/forces/police-scotland", StatusCode::OK).await;
        assert_eq!(scotland["nation"], "scotland");
        for authority in scotland["authorities"].as_array().unwrap() {
            assert_eq!(authority["foi_law"], "foisa");
        }
        let btp = app.get_json("/api/v1/forces/btp", StatusCode::OK).await;
        assert_eq!(btp["kind"], "transport");
        assert_eq!(btp["nation"], "great_britain");
        let psni = app.get_json("/api/v1/forces/northern-ireland", StatusCode::OK).await;
        assert_eq!(psni["nation"], "northern_ireland");
        assert_eq!(psni["authorities"][1]["kind"], "policing_board");
        let cambs = app.get_json("/api/v1/forces/cambridgeshire", StatusCode::OK).await;
        assert_eq!(cambs["country"], "GB");
        assert_eq!(cambs["authorities"][1]["kind"], "pcc");
        assert_eq!(cambs["authorities"][1]["foi_law"], "foia");
        let england = app.get_json("/api/v1/forces?nation=england&count=exact&limit=1", StatusCode::OK).await;
        assert_eq!(england["total_count"], 39);
    }

    async fn pages_follow_cursors_and_link_headers(db: TestDb) {
        let app = db.spawn().await;
        let first = app.get("/api/v1/forces?limit=10").await;
        let link = first.headers()["link"].to_str().unwrap().to_owned();
        let body: Value = first.json().await.unwrap();
        let next_url = body["next_url"].as_str().unwrap();
        assert_eq!(link, format!("<{next_url}>; rel=\"next\""));
        assert!(next_url.contains(body["next_cursor"].as_str().unwrap()));
        let all = app.get_all("/api/v1/forces?limit=10").await;
        let unique: HashSet<&str> = all.iter().map(|f| f["slug"].as_str().unwrap()).collect();
        assert_eq!((all.len(), unique.len()), (46, 46), "every force once");
        let last = app.get_json("/api/v1/forces?limit=500", StatusCode::OK).await;
        assert!(last["next_cursor"].is_null() && last["next_url"].is_null());
        assert!(last.get("total_count").is_none(), "counted only on request");
    }

    async fn bad_cursors_and_parameters_are_named(db: TestDb) {
        let app = db.spawn().await;
        let tampered = app.get_problem("/api/v1/forces?cursor=not-a-cursor", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&tampered), ["cursor"]);
        let page = app.get_json("/api/v1/forces?limit=5", StatusCode::OK).await;
        let cursor = page["next_cursor"].as_str().unwrap();
        let replayed = app
            .get_problem(&format!("/api/v1/forces?nation=wales&cursor={cursor}"), StatusCode::BAD_REQUEST)
            .await;
        assert_eq!(error_fields(&replayed), ["cursor"]);
        let several = app
            .get_problem("/api/v1/forces?nation=mars&kind=secret&limit=0&count=maybe", StatusCode::BAD_REQUEST)
            .await;
        assert_eq!(error_fields(&several), ["nation", "kind", "limit", "count"]);
        let unknown = app.get_problem("/api/v1/forces?colour=blue", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&unknown), ["colour"]);
        let country = app.get_problem("/api/v1/forces?country=gb", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&country), ["country"]);
        let too_big = app.get_problem("/api/v1/forces?limit=501", StatusCode::BAD_REQUEST).await;
        assert_eq!(error_fields(&too_big), ["limit"]);
    }

    async fn one_force_by_slug_or_a_clear_problem(db: TestDb) {
        let app = db.spawn().await;
        let kent = app.get_json("/api/v1/forces/kent", StatusCode::OK).await;
        assert_eq!(kent["name"], "Kent Police");
        let missing = app.get_problem("/api/v1/forces/atlantis", StatusCode::NOT_FOUND).await;
        assert!(missing["detail"].as_str().unwrap().contains("atlantis"));
        assert_eq!(missing["instance"], "/api/v1/forces/atlantis");
        for malformed in ["Kent", "kent--police", "-kent", "k%20ent"] {
            let problem = app.get_problem(&format!("/api/v1/forces/{malformed}"), StatusCode::BAD_REQUEST).await;
            assert_eq!(error_fields(&problem), ["slug"], "{malformed}");
        }
    }

    async fn etags_revalidate_to_not_modified(db: TestDb) {
        let app = db.spawn().await;
        for path in ["/api/v1/forces", "/api/v1/forces/kent"] {
            let first = app.get(path).await;
            let etag = first.headers()["etag"].to_str().unwrap().to_owned();
            assert!(etag.starts_with('"'), "a strong ETag");
            assert_eq!(first.headers()["cache-control"], "public, max-age=60");
            let again = app.client.get(app.url(path)).header("If-None-Match", &etag).send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
            assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
            let stale = app.client.get(app.url(path)).header("If-None-Match", "\"stale\"").send().await.unwrap();
            assert_eq!(stale.status(), StatusCode::OK);
        }
    }
}
