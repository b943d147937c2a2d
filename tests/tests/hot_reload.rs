//! Operators change plugins while agents use the host: uploads and deletions through the API,
//! files dropped into, replaced in and removed from the watched dir. No call fails because of a
//! swap, and a refused component never displaces the version that serves.

use std::time::{Duration, Instant};

use actionhost_e2e::host::{HostProcess, TestApp};
use actionhost_e2e::{components, patch};
use serde_json::{Value, json};

fn swap_version(n: u8) -> Vec<u8> {
    let bytes = std::fs::read(components::SWAP).unwrap();
    patch(
        bytes,
        b"swap-version-1",
        format!("swap-version-{n}").as_bytes(),
    )
}

async fn upload(app: &TestApp, id: &str, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .put(format!("{}/admin/plugins/{id}", app.url))
        .bearer_auth(actionhost_e2e::host::ADMIN_KEY)
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn marker(app: &TestApp) -> Result<String, String> {
    let answer = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SWAP_GET_VERSION", "parameters": {}})),
        )
        .await;
    if answer.status == 200 {
        Ok(answer.body["marker"].as_str().unwrap().to_string())
    } else {
        Err(format!("{} {}", answer.status, answer.body))
    }
}

async fn wait_for(mut check: impl AsyncFnMut() -> bool, what: &str) -> Duration {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_plugin_20_times_under_load_fails_no_call() {
    let app = TestApp::start("", |_| {}).await;
    assert_eq!(upload(&app, "swap", swap_version(1)).await.status(), 200);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = &app;
    let clients = (0..8).map(|_| {
        let stop = stop.clone();
        async move {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                seen.push(marker(app).await);
            }
            seen
        }
    });
    let swaps = async {
        for round in 0..20u8 {
            let response = upload(app, "swap", swap_version(2 + round % 2)).await;
            assert_eq!(response.status(), 200);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (results, ()) = tokio::join!(futures::future::join_all(clients), swaps);
    let all: Vec<Result<String, String>> = results.into_iter().flatten().collect();
    assert!(all.len() > 100, "the clients ran ({} calls)", all.len());
    let failures: Vec<&String> = all.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} failed calls, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    for marker in all.iter().flatten() {
        assert!(
            ["swap-version-1", "swap-version-2", "swap-version-3"].contains(&marker.as_str()),
            "{marker}"
        );
    }
    assert!(
        all.iter().flatten().any(|m| m == "swap-version-2")
            && all.iter().flatten().any(|m| m == "swap-version-3")
    );
}

#[tokio::test]
async fn a_refused_upload_keeps_the_serving_version_and_says_why() {
    let app = TestApp::start("", |_| {}).await;
    assert_eq!(upload(&app, "swap", swap_version(1)).await.status(), 200);
    let refused = upload(&app, "swap", b"garbage".to_vec()).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_plugin");
    assert!(
        body["error"]["details"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("not a valid component")
    );
    let wrong_id = upload(&app, "other", swap_version(2)).await;
    assert_eq!(wrong_id.status(), 422);
    let body: Value = wrong_id.json().await.unwrap();
    assert_eq!(
        body["error"]["details"]["reasons"][0],
        "the component declares id \"swap\", not \"other\""
    );
    assert_eq!(marker(&app).await.unwrap(), "swap-version-1");

    // Loads, refusals, the served version and per-plugin executions are in the metrics.
    let metrics = app.metrics().await;
    for line in [
        r#"actionhost_plugin_loads_total{plugin="swap",result="loaded"} 1"#,
        r#"actionhost_plugin_loads_total{plugin="swap",result="refused"} 1"#,
        r#"actionhost_plugin_loads_total{plugin="other",result="refused"} 1"#,
        r#"actionhost_plugin_version{plugin="swap",version="1.0.0"} 1"#,
        r#"actionhost_executions_total{plugin="swap",action="SWAP_GET_VERSION",outcome="ok"} 1"#,
        r#"actionhost_plugin_instantiation_seconds_count{plugin="swap"} 1"#,
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing {line} in\n{metrics}"
        );
    }
}

#[tokio::test]
async fn dropped_changed_and_removed_files_are_served_replaced_and_unloaded_while_serving() {
    let plugins = tempfile::tempdir().unwrap();
    let dir = plugins.path().to_path_buf();
    let app = TestApp::start("", |s| s.plugins_dir = Some(dir.clone())).await;
    assert!(marker(&app).await.is_err());

    std::fs::write(plugins.path().join("swap.wasm"), swap_version(1)).unwrap();
    let served_in = wait_for(
        async || marker(&app).await.is_ok(),
        "the dropped file to be served",
    )
    .await;
    assert!(served_in < Duration::from_secs(2), "{served_in:?}");

    std::fs::write(plugins.path().join("swap.wasm"), swap_version(2)).unwrap();
    wait_for(
        async || marker(&app).await.as_deref() == Ok("swap-version-2"),
        "the changed file",
    )
    .await;

    // Broken, truncated and duplicate-id files are reported; the others keep serving.
    std::fs::write(plugins.path().join("broken.wasm"), b"not a component").unwrap();
    std::fs::write(
        plugins.path().join("truncated.wasm"),
        &swap_version(3)[..5000],
    )
    .unwrap();
    std::fs::write(plugins.path().join("twin.wasm"), swap_version(4)).unwrap();
    wait_for(
        async || {
            let list = app.as_admin("GET", "/admin/plugins", None).await.body;
            list.as_array()
                .unwrap()
                .iter()
                .filter(|p| p["status"] == "failed")
                .count()
                == 3
        },
        "three refusals",
    )
    .await;
    let list = app.as_admin("GET", "/admin/plugins", None).await.body;
    let by_id = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(
        by_id("broken.wasm")["error"]
            .as_str()
            .unwrap()
            .starts_with("not a valid component")
    );
    assert_eq!(
        by_id("twin.wasm")["error"],
        "plugin id \"swap\" is already served by swap.wasm"
    );
    assert_eq!(by_id("swap")["status"], "loaded");
    assert_eq!(by_id("swap")["source"], "file");
    assert_eq!(by_id("github")["status"], "loaded");
    assert_eq!(marker(&app).await.unwrap(), "swap-version-2");

    // Removing files clears their refusals; with its twin gone, removing the file that serves
    // `swap` unloads it (a remaining twin would take over instead).
    for file in ["broken.wasm", "truncated.wasm", "twin.wasm"] {
        std::fs::remove_file(plugins.path().join(file)).unwrap();
    }
    wait_for(
        async || {
            let list = app.as_admin("GET", "/admin/plugins", None).await.body;
            list.as_array()
                .unwrap()
                .iter()
                .all(|p| p["status"] == "loaded")
        },
        "the refusals to clear",
    )
    .await;
    std::fs::remove_file(plugins.path().join("swap.wasm")).unwrap();
    wait_for(
        async || marker(&app).await.is_err(),
        "the removed file to be unloaded",
    )
    .await;
    let gone = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SWAP_GET_VERSION", "parameters": {}})),
        )
        .await;
    assert_eq!(gone.code(), "not_found");
}

#[tokio::test]
async fn an_operators_file_overrides_a_bundled_plugin_and_its_removal_restores_it() {
    // GitHub's entry, or null for the moment a swap has it unlisted (the waits poll through it).
    let github = async |app: &TestApp| -> serde_json::Value {
        let listed = app.as_admin("GET", "/admin/plugins", None).await.body;
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == "github")
            .cloned()
            .unwrap_or_default()
    };
    let plugins = tempfile::tempdir().unwrap();
    let dir = plugins.path().to_path_buf();
    let app = TestApp::start("", |s| s.plugins_dir = Some(dir.clone())).await;
    let bundled_hash = github(&app).await["hash"].clone();
    assert!(bundled_hash.is_string(), "the bundled GitHub is listed");
    // A different build of GitHub: the bundled bytes with one description patched.
    let custom = patch(
        actionhost_e2e::bundled("github.wasm").to_vec(),
        b"Issues, pull requests",
        b"ISSUES, pull requests",
    );
    std::fs::write(plugins.path().join("my-github.wasm"), custom).unwrap();
    wait_for(
        async || github(&app).await["source"] == "file",
        "the override",
    )
    .await;
    assert_ne!(github(&app).await["hash"], bundled_hash);
    std::fs::remove_file(plugins.path().join("my-github.wasm")).unwrap();
    wait_for(
        async || github(&app).await["source"] == "bundled",
        "the bundled version to return",
    )
    .await;
}

#[tokio::test]
async fn uploads_and_deletions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("ACTIONHOST_ADMIN_KEY", "admin")];
    let client = reqwest::Client::new();
    let host = HostProcess::start(&data, &env);
    let put = client
        .put(format!("{}/admin/plugins/swap", host.url))
        .bearer_auth("admin")
        .body(swap_version(7))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let deleted = client
        .delete(format!("{}/admin/plugins/slack", host.url))
        .bearer_auth("admin")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let before: Value = client
        .get(format!("{}/admin/plugins", host.url))
        .bearer_auth("admin")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(host.stop().success());

    let host = HostProcess::start(&data, &env);
    let after: Value = client
        .get(format!("{}/admin/plugins", host.url))
        .bearer_auth("admin")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p["id"].clone(), p["hash"].clone(), p["source"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&after), ids(&before));
    assert_eq!(
        ids(&after)
            .iter()
            .map(|(id, _, _)| id.as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        [
            "asana",
            "bitbucket",
            "discord",
            "figma",
            "github",
            "gitlab",
            "gmail",
            "google_calendar",
            "google_docs",
            "google_drive",
            "hubspot",
            "jira",
            "linear",
            "microsoft_calendar",
            "microsoft_teams",
            "monday",
            "notion",
            "onedrive",
            "outlook",
            "salesforce",
            "shopify",
            "swap",
            "trello",
            "vercel"
        ]
    );
    // PUT again brings a deleted bundled plugin back.
    let missing = client
        .delete(format!("{}/admin/plugins/slack", host.url))
        .bearer_auth("admin")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
