//! docs/writing-a-plugin.md, done exactly as written: scaffold a plugin outside the workspace,
//! replace its `src/lib.rs` with the guide's code, test and build it for wasm32-wasip2,
//! `plugin check` it, `plugin run` it against a loopback stand-in, drop it into a running host's
//! plugins dir and execute it through `POST /actions`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use actionhost_e2e::host::{HostProcess, binary};
use actionhost_e2e::standin::{Reply, StandIn};
use serde_json::{Value, json};

fn guide() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/writing-a-plugin.md"),
    )
    .unwrap()
}

/// The code block the guide marks as `src/lib.rs`.
fn guide_lib_rs() -> String {
    let doc = guide();
    let block = doc
        .split("<!-- guide: src/lib.rs -->\n```rust\n")
        .nth(1)
        .expect("the guide has a src/lib.rs block");
    block.split("\n```\n").next().unwrap().to_string() + "\n"
}

/// Plugin builds share one target dir next to the workspace's (cached between CI runs).
fn plugin_target_dir() -> PathBuf {
    binary()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("guide-plugin")
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("run command");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn cargo(dir: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", plugin_target_dir())
        .env_remove("CARGO_MANIFEST_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_guide_works_as_written() {
    let work = tempfile::tempdir().unwrap();

    // 1. Scaffold, outside the workspace.
    let out = run(Command::new(binary())
        .args(["plugin", "new", "acme", "--dir"])
        .arg(work.path()));
    let crate_dir = work.path().join("acme-plugin");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap(),
        format!("created {}", crate_dir.display())
    );

    // 2. Add an action: the guide's src/lib.rs.
    std::fs::write(crate_dir.join("src/lib.rs"), guide_lib_rs()).unwrap();

    // 3. Native unit tests, then the wasm build, then check.
    let tests = run(cargo(&crate_dir).arg("test"));
    assert!(
        String::from_utf8_lossy(&tests.stdout)
            .contains("a_blank_name_is_refused_before_any_request ... ok")
    );
    run(cargo(&crate_dir).args(["build", "--release", "--target", "wasm32-wasip2"]));
    let wasm = plugin_target_dir().join("wasm32-wasip2/release/acme_plugin.wasm");
    let check = run(Command::new(binary()).args(["plugin", "check"]).arg(&wasm));
    let check = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(check.starts_with("ok: acme (Acme) 0.1.0\n"), "{check}");
    assert!(
        check.contains("    ACME_CREATE_ITEM - Create an item"),
        "{check}"
    );

    // 4. Run it locally against a stand-in for the API.
    let api =
        StandIn::start(|r| Reply::json(201, json!({"id": "it-1", "name": r.json()["name"]}))).await;
    let local = run(Command::new(binary())
        .args(["plugin", "run"])
        .arg(&wasm)
        .args([
            "ACME_CREATE_ITEM",
            "--params",
            r#"{"name": "first", "tags": ["demo"]}"#,
        ])
        .args(["--credential", "test-key"])
        .args([
            "--upstream-override",
            &format!("https://api.acme.example={}", api.url()),
        ]));
    let output: Value = serde_json::from_slice(&local.stdout).unwrap();
    assert_eq!(output, json!({"id": "it-1", "name": "first"}));
    let request = api.single();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/items")
    );
    assert_eq!(request.header("authorization"), Some("Bearer test-key"));
    assert_eq!(request.json(), json!({"name": "first", "tags": ["demo"]}));
    let refused = Command::new(binary())
        .args(["plugin", "run"])
        .arg(&wasm)
        .args(["ACME_CREATE_ITEM", "--params", r#"{"tags": 5}"#])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("/name:") && stderr.contains("/tags:"),
        "{stderr}"
    );

    // 5. Serve it: drop it into a running host's plugins dir, connect, execute.
    let enabled = work.path().join("enabled");
    std::fs::create_dir_all(&enabled).unwrap();
    let overrides = format!("https://api.acme.example={}", api.url());
    let host = HostProcess::start(
        &work.path().join("data"),
        &[
            ("ACTIONHOST_PLUGINS_DIR", enabled.to_str().unwrap()),
            ("ACTIONHOST_UPSTREAM_OVERRIDES", &overrides),
            ("ACTIONHOST_JWT_SECRET", actionhost_e2e::host::JWT_SECRET),
        ],
    );
    std::fs::copy(&wasm, enabled.join("acme_plugin.wasm")).unwrap();
    let token =
        actionhost::identity::Authenticator::hs256(actionhost_e2e::host::JWT_SECRET.as_bytes())
            .mint("alice", 600)
            .unwrap();
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let integrations: Value = client
            .get(format!("{}/integrations", host.url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if integrations
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "acme")
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the dropped plugin was not loaded"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let put = client
        .put(format!("{}/connected-accounts/acme", host.url))
        .bearer_auth(&token)
        .json(&json!({"api_key": "the-user-key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let run = client
        .post(format!("{}/actions", host.url))
        .bearer_auth(&token)
        .json(&json!({"action": "ACME_CREATE_ITEM", "parameters": {"name": "first"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), 200);
    assert_eq!(
        run.json::<Value>().await.unwrap(),
        json!({"id": "it-1", "name": "first"})
    );
    let served = api.requests().pop().unwrap();
    assert_eq!(served.header("authorization"), Some("Bearer the-user-key"));
    assert_eq!(served.json(), json!({"name": "first", "tags": []}));
}
