//! Operator policy per plugin narrows what it declared (origins, memory, time) and adds
//! admission limits (concurrency, rate per account and per plugin); upstream 429/503 with
//! `Retry-After` are retried only where that is safe.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actionhost::policy::PluginPolicy;
use actionhost_e2e::components;
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Reply, StandIn};
use serde_json::json;

async fn hostile_app(upstream: &StandIn, policy: PluginPolicy) -> TestApp {
    let overrides = format!(
        "https://api.hostile.test={0},https://api.github.com={0}",
        upstream.url()
    );
    let app = TestApp::start(&overrides, |s| {
        s.plugin_policies.insert("hostile".into(), policy);
    })
    .await;
    app.load(components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;
    app.connect("bob", "hostile", json!({"api_key": "k"})).await;
    app
}

fn fetch() -> Option<serde_json::Value> {
    Some(json!({"action": "HOSTILE_FETCH", "parameters": {"url": "https://api.hostile.test/ping"}}))
}

#[tokio::test]
async fn a_policy_narrows_origins_and_memory_and_is_shown_to_operators() {
    let upstream = StandIn::json(json!({})).await;
    let policy = PluginPolicy {
        origins: Some(vec!["https://elsewhere.test".into()]),
        memory_mib: Some(16),
        ..Default::default()
    };
    let app = hostile_app(&upstream, policy).await;

    let denied = app
        .as_user("alice", "POST", "/actions", Some(fetch().unwrap()))
        .await;
    assert_eq!((denied.status, denied.code()), (500, "plugin_error"));
    assert!(denied.body["error"]["message"].as_str().unwrap().contains("origin https://api.hostile.test is not declared by plugin hostile (or the operator's policy removed it)"));
    assert!(upstream.requests().is_empty());

    let bomb = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_EAT_MEMORY", "parameters": {}})),
        )
        .await;
    assert_eq!(
        bomb.body["error"]["message"],
        "plugin hostile exceeded its memory limit of 16 MiB"
    );

    let plugins = app.as_admin("GET", "/admin/plugins", None).await.body;
    let hostile = plugins
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "hostile")
        .unwrap();
    assert_eq!(hostile["policy"]["memory_mib"], 16);
    assert_eq!(
        hostile["policy"]["origins"],
        json!(["https://elsewhere.test"])
    );
}

#[tokio::test]
async fn a_policy_can_not_widen_the_limits() {
    let upstream = StandIn::json(json!({})).await;
    let app = hostile_app(
        &upstream,
        PluginPolicy {
            memory_mib: Some(4096),
            ..Default::default()
        },
    )
    .await;
    let bomb = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_EAT_MEMORY", "parameters": {}})),
        )
        .await;
    assert_eq!(
        bomb.body["error"]["message"],
        "plugin hostile exceeded its memory limit of 64 MiB"
    );
}

#[tokio::test]
async fn a_rate_limit_per_account_answers_429_with_retry_after_and_spares_other_accounts() {
    let upstream = StandIn::json(json!({})).await;
    let app = hostile_app(
        &upstream,
        PluginPolicy {
            calls_per_minute_per_account: Some(3),
            ..Default::default()
        },
    )
    .await;
    // Connecting ran the plugin (its after-connect) once for each: one of their 3 a minute.
    for _ in 0..2 {
        assert_eq!(
            app.as_user("alice", "POST", "/actions", fetch())
                .await
                .status,
            200
        );
    }
    let limited = app.as_user("alice", "POST", "/actions", fetch()).await;
    assert_eq!((limited.status, limited.code()), (429, "rate_limited"));
    let retry_after: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_eq!(
        limited.body["error"]["message"],
        "too many calls to hostile for this account"
    );
    assert_eq!(
        app.as_user("bob", "POST", "/actions", fetch()).await.status,
        200
    );
    assert_eq!(upstream.requests().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_limit_refuses_calls_beyond_it() {
    let upstream = StandIn::json(json!({})).await;
    let app = hostile_app(
        &upstream,
        PluginPolicy {
            max_concurrent_calls: Some(1),
            ..Default::default()
        },
    )
    .await;
    let sleep = || json!({"action": "HOSTILE_SLEEP", "parameters": {"millis": 700}});
    let running = |n: u32| format!(r#"actionhost_executions_in_flight{{plugin="hostile"}} {n}"#);
    let (a, b) = tokio::join!(
        app.as_user("alice", "POST", "/actions", Some(sleep())),
        async {
            // Bob asks once Alice's call holds the only slot.
            app.wait_for_metric(&running(1)).await;
            app.as_user("bob", "POST", "/actions", Some(sleep())).await
        }
    );
    assert_eq!(a.status, 200);
    assert_eq!((b.status, b.code()), (429, "rate_limited"));
    // Answered calls, admitted or refused, no longer count as running.
    let metrics = app.metrics().await;
    assert!(metrics.lines().any(|l| l == running(0)), "{metrics}");
    // Once the first call is done, the next one is admitted.
    assert_eq!(
        app.as_user("bob", "POST", "/actions", Some(sleep()))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn upstream_503_with_retry_after_is_retried_for_idempotent_requests_only() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let upstream = StandIn::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            Reply::json(503, json!({"message": "busy"})).header("retry-after", "0")
        } else {
            Reply::json(200, json!({"ok": true, "number": 1}))
        }
    })
    .await;
    let app = hostile_app(&upstream, PluginPolicy::default()).await;
    let fetched = app.as_user("alice", "POST", "/actions", fetch()).await;
    assert_eq!(fetched.status, 200, "{fetched:?}");
    assert_eq!(fetched.body["status"], 200);
    assert_eq!(upstream.requests().len(), 2, "one retry of the GET");
    let audit = app.as_admin("GET", "/admin/audit?limit=1", None).await;
    assert_eq!(audit.body["records"][0]["upstream_calls"], 2);

    // A POST (creating an issue is not idempotent) is not retried.
    // GitHub's after-connect check (GET /user) is a read: its 503 is retried too.
    upstream.take();
    app.connect("alice", "github", json!({"access_token": "gho"}))
        .await;
    let checks: Vec<String> = upstream.take().into_iter().map(|r| r.path).collect();
    assert_eq!(checks, ["/user", "/user"]);
    let create = json!({"action": "GITHUB_CREATE_ISSUE", "parameters": {"owner": "o", "repo": "r", "title": "t"}});
    let answer = app.as_user("alice", "POST", "/actions", Some(create)).await;
    assert_eq!((answer.status, answer.code()), (502, "upstream_error"));
    assert_eq!(answer.body["error"]["details"]["status"], 503);
    assert_eq!(upstream.requests().len(), 1);
}

#[tokio::test]
async fn a_policy_file_beside_the_plugin_file_applies() {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::write(
        plugins.path().join("hostile.policy.toml"),
        "memory_mib = 8\ncalls_per_minute = 100\n",
    )
    .unwrap();
    std::fs::copy(components::HOSTILE, plugins.path().join("hostile.wasm")).unwrap();
    let dir = plugins.path().to_path_buf();
    let dir_for_policy = dir.clone();
    let app = TestApp::start("", |s| s.plugins_dir = Some(dir)).await;
    let plugins = app.as_admin("GET", "/admin/plugins", None).await.body;
    let hostile = plugins
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "hostile")
        .expect("loaded at start");
    assert_eq!(
        hostile["policy"],
        json!({"memory_mib": 8, "calls_per_minute": 100, "origins": null, "cpu_seconds": null, "wall_seconds": null, "max_concurrent_calls": null, "max_upstream_requests": null, "calls_per_minute_per_account": null, "max_retries": null})
    );

    // A changed policy file applies while serving, and a removed one lifts the policy.
    let policy_of = || async {
        let plugins = app.as_admin("GET", "/admin/plugins", None).await.body;
        plugins
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "hostile")
            .map(|p| p["policy"].clone())
            .unwrap_or_default()
    };
    let policy_path = dir_for_policy.join("hostile.policy.toml");
    std::fs::write(&policy_path, "memory_mib = 4\n").unwrap();
    let started = std::time::Instant::now();
    while policy_of().await["memory_mib"] != 4 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "not applied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(policy_of().await["calls_per_minute"], json!(null));
    std::fs::remove_file(&policy_path).unwrap();
    let started = std::time::Instant::now();
    while !policy_of().await.is_null() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "not lifted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `HOSTILE_FETCH` of `url`, answered by the host as `(status, body)`.
async fn fetch_as_alice(app: &TestApp, url: &str) -> (u16, serde_json::Value) {
    let answer = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_FETCH", "parameters": {"url": url}})),
        )
        .await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn a_wildcard_origin_reaches_hosts_under_it_without_the_credential_and_a_policy_narrows_it() {
    let upstream = StandIn::json(json!({"ok": true})).await;
    let overrides = |hosts: &[&str]| {
        hosts
            .iter()
            .map(|h| format!("https://{h}={}", upstream.url()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let hosts = [
        "eu.cdn.hostile.test",
        "us.cdn.hostile.test",
        "a.b.cdn.hostile.test",
        "cdn.hostile.test",
        "evilcdn.hostile.test",
    ];
    for (policy, reachable) in [
        (PluginPolicy::default(), &hosts[..3]),
        (
            PluginPolicy {
                origins: Some(vec!["https://eu.cdn.hostile.test".into()]),
                ..Default::default()
            },
            &hosts[..1],
        ),
    ] {
        let app = TestApp::start(&overrides(&hosts), |s| {
            s.plugin_policies.insert("hostile".into(), policy.clone());
        })
        .await;
        app.load(components::HOSTILE).await;
        app.connect("alice", "hostile", json!({"api_key": "key-alice"}))
            .await;
        for host in hosts {
            let before = upstream.requests().len();
            let (status, body) = fetch_as_alice(&app, &format!("https://{host}/file?sig=1")).await;
            if reachable.contains(&host) {
                assert_eq!(
                    (status, &body["status"]),
                    (200, &json!(200)),
                    "{host}: {body}"
                );
                let request = upstream.requests().pop().unwrap();
                assert_eq!(request.path, "/file");
                // The user's key never goes to a wildcard's hosts.
                assert_eq!(request.header("x-api-key"), None, "{host}");
            } else {
                assert_eq!(status, 500, "{host}: {body}");
                let message = body["error"]["message"].as_str().unwrap();
                assert!(
                    message.contains(&format!(
                        "origin https://{host} is not declared by plugin hostile"
                    )),
                    "{host}: {message}"
                );
                assert_eq!(upstream.requests().len(), before, "{host} was reached");
            }
        }
    }
    // The exact origin declared with credentials still gets the key beside the wildcard.
    let app = TestApp::start(&overrides(&["api.hostile.test"]), |_| {}).await;
    app.load(components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "key-alice"}))
        .await;
    let (status, body) = fetch_as_alice(&app, "https://api.hostile.test/ping").await;
    assert_eq!(status, 200, "{body}");
    let request = upstream.requests().pop().unwrap();
    assert_eq!(request.header("x-api-key"), Some("key-alice"));
}
