//! `cargo bench -p actionhost-e2e --bench dynamic`: what per-account schemas cost an agent's
//! `GET /actions`, measured in one run on loopback through the real router (in process, as
//! `TestApp` serves it) for a user with Salesforce, HubSpot and Shopify connected. Every
//! describe (Salesforce's `sobjects/{Object}/describe`, HubSpot's `/crm/v3/properties/{object}`,
//! Shopify's product metafield definitions) is answered by a stand-in after 50 ms, from the
//! fixtures the providers' end-to-end tests use; everything else at once.
//!
//! It prints, against baselines measured in the same run:
//! - cold: a listing for a user whose schemas are not cached (every describe made), against one
//!   describe answered directly (the slowest single describe) and against the sum of all of them
//!   (what describing one after another would cost);
//! - warm: the same user's next listings (every schema cached), against a listing for a user
//!   with nothing connected (the host's floor for `GET /actions`);
//! - single-flight: describes made for 8 concurrent cold listings of one user, against the
//!   describes of one listing.
//!
//! Goals (issue #20): warm under 2 ms p50; cold bounded by the slowest describe, not the sum.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use serde_json::{Value, json};

/// How long the stand-in takes to answer a describe.
const DESCRIBE_DELAY: Duration = Duration::from_millis(50);
const SALESFORCE: &str = "https://acme.my.salesforce.com";
const HUBSPOT: &str = "https://api.hubapi.com";
const SHOPIFY: &str = "https://acme-outfitters.myshopify.com";
const COLD_USERS: usize = 10;
const WARM_LISTINGS: usize = 300;

fn fixture(path: &str) -> Value {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tools/standin")
        .join(path);
    serde_json::from_slice(&std::fs::read(&file).expect("fixture")).expect("fixture JSON")
}

/// The three providers in one stand-in: describes delayed, the rest at once.
fn respond(described: &AtomicUsize, request: &Recorded) -> Reply {
    let path = request.path.as_str();
    let describe = |body: Value| {
        described.fetch_add(1, Ordering::SeqCst);
        Reply::json(200, body).delayed(DESCRIBE_DELAY)
    };
    if let Some(rest) = path.strip_prefix("/services/data/v62.0/sobjects/")
        && let Some(object) = rest.strip_suffix("/describe")
    {
        return describe(fixture(&format!("salesforce-describes/{object}.json")));
    }
    if let Some(object) = path.strip_prefix("/crm/v3/properties/") {
        return describe(fixture(&format!("hubspot/properties-{object}.json")));
    }
    if path.ends_with("/graphql.json") {
        let body = String::from_utf8_lossy(&request.body);
        if body.contains("ProductMetafieldDefinitions") {
            return describe(json!({"data": {"metafieldDefinitions": {"nodes": [
                {"namespace": "custom", "key": "material", "name": "Material", "description": "What the product is made of",
                 "type": {"name": "single_line_text_field"}, "validations": [{"name": "choices", "value": "[\"cotton\",\"wool\"]"}]},
                {"namespace": "specs", "key": "weight_g", "name": "Weight (g)", "description": null,
                 "type": {"name": "number_integer"}, "validations": [{"name": "min", "value": "1"}]}
            ]}}}));
        }
        return Reply::json(
            200,
            json!({"data": {"shop": {"name": "Acme Outfitters", "myshopifyDomain": "acme-outfitters.myshopify.com"}}}),
        );
    }
    match path {
        "/services/oauth2/userinfo" => Reply::json(
            200,
            json!({"preferred_username": "ada@acme.com", "name": "Ada Lovelace"}),
        ),
        "/account-info/v3/details" => Reply::json(
            200,
            json!({"portalId": 62515, "uiDomain": "app.hubspot.com", "accountType": "STANDARD"}),
        ),
        _ => Reply::json(404, json!({"message": format!("no fixture for {path}")})),
    }
}

/// Connects `user`'s Salesforce, HubSpot and Shopify accounts (bring-your-own credentials).
async fn connect(app: &TestApp, user: &str) {
    for (integration, body) in [
        (
            "salesforce",
            json!({"access_token": "sf-token", "fields": {"environment": "login", "instance_url": SALESFORCE}}),
        ),
        ("hubspot", json!({"api_key": "pat-na1-token"})),
        (
            "shopify",
            json!({"api_key": "shpat_token", "fields": {"shop": "acme-outfitters"}}),
        ),
    ] {
        let answer = app
            .as_user(
                user,
                "PUT",
                &format!("/connected-accounts/{integration}"),
                Some(body),
            )
            .await;
        assert_eq!(answer.status, 200, "{integration}: {answer:?}");
    }
}

/// One `GET /actions` for `user`; its time, after checking the three integrations are listed
/// with their described schemas.
async fn listing(app: &TestApp, user: &str, connected: bool) -> Duration {
    let started = Instant::now();
    let answer = app.as_user(user, "GET", "/actions", None).await;
    let took = started.elapsed();
    assert_eq!(answer.status, 200, "{answer:?}");
    if connected {
        for id in ["salesforce", "hubspot", "shopify"] {
            assert!(answer.body["actions"][id].is_array(), "{id} missing");
        }
        assert!(
            answer
                .body
                .get("errors")
                .is_none_or(|e| e.as_object().is_none_or(|o| o.is_empty())),
            "describes failed: {}",
            answer.body["errors"]
        );
    }
    took
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let described = Arc::new(AtomicUsize::new(0));
    let counter = described.clone();
    let standin = StandIn::start(move |request: &Recorded| respond(&counter, request)).await;
    let overrides = [SALESFORCE, HUBSPOT, SHOPIFY]
        .map(|origin| format!("{origin}={}", standin.url()))
        .join(",");
    let app = TestApp::start(&overrides, |_| {}).await;
    let client = reqwest::Client::new();

    // Baseline: one describe asked of the stand-in directly.
    let mut one = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        client
            .get(format!(
                "{}/services/data/v62.0/sobjects/Opportunity/describe",
                standin.url()
            ))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        one.push(started.elapsed());
    }
    let one_describe = percentile(&mut one, 0.5);

    // Cold: a fresh user per listing, every describe made.
    let mut cold = Vec::new();
    let mut per_listing = 0;
    for i in 0..COLD_USERS {
        let user = format!("cold-{i}");
        connect(&app, &user).await;
        let before = described.load(Ordering::SeqCst);
        cold.push(listing(&app, &user, true).await);
        per_listing = described.load(Ordering::SeqCst) - before;
    }
    let cold_p50 = percentile(&mut cold, 0.5);
    let sum_of_describes = one_describe * per_listing as u32;

    // Warm: the last cold user again; and the floor, a user with nothing connected.
    let mut warm = Vec::new();
    for _ in 0..WARM_LISTINGS {
        warm.push(listing(&app, "cold-0", true).await);
    }
    let mut floor = Vec::new();
    for _ in 0..WARM_LISTINGS {
        floor.push(listing(&app, "nobody", false).await);
    }
    let warm_p50 = percentile(&mut warm, 0.5);
    let warm_p90 = percentile(&mut warm, 0.9);
    let floor_p50 = percentile(&mut floor, 0.5);

    // Single-flight: 8 concurrent cold listings of one user.
    connect(&app, "flight").await;
    let before = described.load(Ordering::SeqCst);
    let started = Instant::now();
    let listings: Vec<_> = (0..8).map(|_| listing(&app, "flight", true)).collect();
    futures::future::join_all(listings).await;
    let flight_time = started.elapsed();
    let flight_describes = described.load(Ordering::SeqCst) - before;

    println!(
        "GET /actions with Salesforce, HubSpot and Shopify connected ({per_listing} describes per \
         cold listing, each answered after {} ms)\n",
        DESCRIBE_DELAY.as_millis()
    );
    println!("| measure | time | baseline (same run) | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| cold listing, p50 of {COLD_USERS} users | {} | one describe {} | {:.2}× |",
        ms(cold_p50),
        ms(one_describe),
        cold_p50.as_secs_f64() / one_describe.as_secs_f64()
    );
    println!(
        "| cold listing, p50 | {} | {per_listing} describes in a row {} | {:.3}× |",
        ms(cold_p50),
        ms(sum_of_describes),
        cold_p50.as_secs_f64() / sum_of_describes.as_secs_f64()
    );
    println!(
        "| warm listing, p50 of {WARM_LISTINGS} (p90 {}) | {} | nothing connected {} | {:.2}× |",
        ms(warm_p90),
        ms(warm_p50),
        ms(floor_p50),
        warm_p50.as_secs_f64() / floor_p50.as_secs_f64()
    );
    println!(
        "| 8 concurrent cold listings of one user | {} ({flight_describes} describes) | one listing's {per_listing} describes | {:.2}× |",
        ms(flight_time),
        flight_describes as f64 / per_listing as f64
    );
    println!(
        "\ngoals: warm p50 under 2 ms: {}; cold within 2× the slowest describe: {}; one describe \
         per action for concurrent listings: {}",
        if warm_p50 < Duration::from_millis(2) {
            "met"
        } else {
            "NOT met"
        },
        if cold_p50 < one_describe * 2 {
            "met"
        } else {
            "NOT met"
        },
        if flight_describes == per_listing {
            "met"
        } else {
            "NOT met"
        },
    );
}
