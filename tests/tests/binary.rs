//! The real `actionhost` binary: `serve` with no set-up, generated secrets, `token`,
//! `plugin check`, restarts that keep accounts, and secrets that never reach the log or disk.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use actionhost_e2e::components;
use actionhost_e2e::host::{HostProcess, binary};
use actionhost_e2e::standin::StandIn;
use serde_json::{Value, json};

async fn get(url: &str, bearer: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn token(data_dir: &std::path::Path, user: &str) -> String {
    actionhost_e2e::host::mint_token(data_dir, user)
}

#[tokio::test]
async fn serve_needs_no_setup_lists_the_bundled_plugins_and_prints_a_generated_admin_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let host = HostProcess::start(&data, &[]);
    assert!(
        host.url.starts_with("http://127.0.0.1:") && !host.url.ends_with(":0"),
        "{}",
        host.url
    );

    let key_line = host
        .banner
        .iter()
        .find_map(|l| l.strip_prefix("generated admin key (saved in "))
        .expect("the generated admin key is printed on first start");
    let admin_key = key_line.split("): ").nth(1).unwrap().to_string();
    assert_eq!(
        std::fs::read_to_string(data.join("admin.key")).unwrap(),
        admin_key
    );
    for file in ["admin.key", "jwt.secret", "master.key"] {
        let mode = std::fs::metadata(data.join(file))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{file}");
    }

    let (status, body) = get(&format!("{}/healthz", host.url), "").await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    let (status, plugins) = get(&format!("{}/admin/plugins", host.url), &admin_key).await;
    assert_eq!(status, 200);
    assert_eq!(
        plugins.as_array().unwrap().len(),
        actionhost::bundled::PLUGINS.len()
    );

    let (status, log) = host.stop_with_log();
    assert!(status.success());
    assert!(
        log.contains("loaded plugin github 0.1.0 (9 actions)"),
        "{log}"
    );
    assert!(
        log.contains("loaded plugin slack 0.1.0 (6 actions)"),
        "{log}"
    );
    assert!(!log.contains(&admin_key), "the admin key reached the log");

    let again = HostProcess::start(&data, &[]);
    assert!(
        again.banner.iter().all(|l| !l.contains("admin key")),
        "the admin key is printed only when generated: {:?}",
        again.banner
    );
    let (status, _) = get(&format!("{}/admin/plugins", again.url), &admin_key).await;
    assert_eq!(status, 200, "the generated key is kept across restarts");
}

#[tokio::test]
async fn the_token_command_mints_a_token_the_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let host = HostProcess::start(&data, &[]);
    let jwt = token(&data, "alice");
    assert_eq!(jwt.split('.').count(), 3);
    let (status, body) = get(&format!("{}/actions", host.url), &jwt).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["actions"], json!({}));
    let (status, _) = get(&format!("{}/actions", host.url), "not-a-token").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn accounts_and_audit_survive_a_restart_and_secrets_stay_out_of_logs_and_files() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let overrides = format!("https://api.github.com={}", upstream.url());
    let env = [
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
        ("ACTIONHOST_ADMIN_KEY", "operator-key-not-in-logs"),
        (
            "ACTIONHOST_JWT_SECRET",
            "jwt-secret-not-in-logs-0123456789abcdef",
        ),
        (
            "ACTIONHOST_MASTER_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        ),
    ];
    let host = HostProcess::start(&data, &env);
    let client = reqwest::Client::new();
    let jwt = {
        let output = Command::new(binary())
            .args(["token", "--user", "alice"])
            .env_clear()
            .env("ACTIONHOST_DATA_DIR", &data)
            .env("ACTIONHOST_JWT_SECRET", env[2].1)
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    };
    let put = client
        .put(format!("{}/connected-accounts/github", host.url))
        .bearer_auth(&jwt)
        .json(&json!({"access_token": "gho_persisted_secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    // GitHub's after-connect checked the token once.
    upstream.take_check("/user");
    assert!(host.stop().success());

    let host = HostProcess::start(&data, &env);
    let run = client
        .post(format!("{}/actions", host.url))
        .bearer_auth(&jwt)
        .json(
            &json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(run.status(), 200);
    assert_eq!(
        upstream.single().header("authorization"),
        Some("Bearer gho_persisted_secret")
    );
    let (_, audit) = get(&format!("{}/admin/audit", host.url), env[1].1).await;
    assert_eq!(audit["records"][0]["outcome"], "ok");
    let (status, log) = host.stop_with_log();
    assert!(status.success());

    assert!(
        !data.join("master.key").exists(),
        "a supplied master key is never written"
    );
    let secrets = [
        "gho_persisted_secret",
        env[1].1,
        env[2].1,
        env[3].1,
        jwt.as_str(),
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "the log holds a secret: {secret}");
    }
    for file in actionhost_e2e::files_under(&data) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret} in plaintext",
                file.display()
            );
        }
    }
}

/// POST /actions GITHUB_GET_REPOSITORY o/r as `jwt` on `host`: the status and the answer.
async fn get_repository(host: &HostProcess, jwt: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/actions", host.url))
        .bearer_auth(jwt)
        .json(
            &json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}}),
        )
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn a_ca_file_lets_plugins_reach_an_upstream_whose_certificate_a_private_ca_signed() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let dir = tempfile::tempdir().unwrap();
    let (_, chain, key) = actionhost_e2e::tls::material(dir.path());
    // GitHub's API over HTTPS on loopback, its certificate signed by the test CA only.
    let (port, handshakes) = actionhost_e2e::tls::front(chain, key, upstream.addr).await;
    let data = dir.path().join("data");
    let overrides = format!("https://api.github.com=https://localhost:{port}");
    let ca_file = dir.path().join("ca.pem");
    let trusting = [
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
        ("ACTIONHOST_CA_FILE", ca_file.to_str().unwrap()),
    ];
    let host = HostProcess::start(&data, &trusting);
    let jwt = token(&data, "alice");
    let put = reqwest::Client::new()
        .put(format!("{}/connected-accounts/github", host.url))
        .bearer_auth(&jwt)
        .json(&json!({"access_token": "gho_behind_a_private_ca"}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    upstream.take_check("/user");
    let (status, answer) = get_repository(&host, &jwt).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["full_name"], "o/r", "{answer}");
    assert_eq!(
        upstream.single().header("authorization"),
        Some("Bearer gho_behind_a_private_ca")
    );
    assert!(host.stop().success());
    upstream.take();

    // The same host and upstream without the setting: Mozilla's roots only, so the upstream's
    // certificate is refused and nothing reaches it.
    let before = handshakes.load(std::sync::atomic::Ordering::SeqCst);
    let host = HostProcess::start(&data, &trusting[..1]);
    let (status, answer) = get_repository(&host, &jwt).await;
    let (stopped, log) = host.stop_with_log();
    assert!(stopped.success());
    assert_eq!(status, 502, "{answer}");
    assert_eq!(answer["error"]["code"], "upstream_error", "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("certificate"), "{answer}");
    assert!(!message.contains("gho_behind_a_private_ca"), "{answer}");
    assert!(!log.contains("gho_behind_a_private_ca"));
    assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), before);
    assert!(upstream.requests().is_empty());

    // The local harness takes the same file.
    let github = dir.path().join("github.wasm");
    std::fs::write(&github, actionhost_e2e::bundled("github.wasm")).unwrap();
    let plugin_run = |ca: Option<&std::path::Path>| {
        let mut command = Command::new(binary());
        command
            .args(["plugin", "run"])
            .arg(&github)
            .args([
                "GITHUB_GET_REPOSITORY",
                "--params",
                r#"{"owner": "o", "repo": "r"}"#,
            ])
            .args(["--credential", "gho_local"])
            .args(["--upstream-override", &overrides])
            .env_clear();
        if let Some(ca) = ca {
            command.arg("--ca-file").arg(ca);
        }
        // Awaited: the TLS front and the stand-in run on this test's runtime.
        async move { tokio::process::Command::from(command).output().await }
    };
    let refused = plugin_run(None).await.unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(upstream.requests().is_empty());
    let local = plugin_run(Some(&ca_file)).await.unwrap();
    assert!(
        local.status.success(),
        "{}",
        String::from_utf8_lossy(&local.stderr)
    );
    let output: Value = serde_json::from_slice(&local.stdout).unwrap();
    assert_eq!(output["full_name"], "o/r");
    assert_eq!(
        upstream.single().header("authorization"),
        Some("Bearer gho_local")
    );
}

#[tokio::test]
async fn bad_settings_stop_the_host_with_a_message_naming_the_setting_but_not_its_value() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value, expected) in [
        (
            "ACTIONHOST_JWT_SECRET",
            "short-secret",
            "setting ACTIONHOST_JWT_SECRET is invalid: must be at least 32 bytes, got 12",
        ),
        (
            "ACTIONHOST_MASTER_KEY",
            "c2hvcnQta2V5",
            "ACTIONHOST_MASTER_KEY must be 32 bytes in standard base64 (decodes to 9 bytes, not 32)",
        ),
        (
            "ACTIONHOST_UPSTREAM_OVERRIDES",
            "https://a.test",
            "setting ACTIONHOST_UPSTREAM_OVERRIDES is invalid: \"https://a.test\" is not FROM=TO",
        ),
        (
            "ACTIONHOST_CA_FILE",
            "/nonexistent/ca.pem",
            "setting ACTIONHOST_CA_FILE is invalid: /nonexistent/ca.pem: cannot be read: No such file",
        ),
    ] {
        let output = Command::new(binary())
            .arg("serve")
            .env_clear()
            .env("ACTIONHOST_DATA_DIR", dir.path())
            .env("ACTIONHOST_LISTEN", "127.0.0.1:0")
            .env(name, value)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        // Neither is a secret, and the message must say which file.
        if !matches!(name, "ACTIONHOST_UPSTREAM_OVERRIDES" | "ACTIONHOST_CA_FILE") {
            assert!(!stderr.contains(value), "{name}'s value was printed");
        }
    }
}

#[tokio::test]
async fn the_host_serves_with_on_demand_allocation_when_the_pool_cannot_be_reserved() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // 16 GiB of address space: far less than the pool reserves, plenty for on-demand instances.
    let script = format!("ulimit -v 16777216 && exec {} serve", binary().display());
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .env("ACTIONHOST_DATA_DIR", &data)
        .env("ACTIONHOST_LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = std::io::BufRead::lines(std::io::BufReader::new(stdout))
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("actionhost listening on ")
                .map(str::to_string)
        })
        .expect("the host starts");
    let jwt = token(&data, "alice");
    let (status, body) = get(&format!("{url}/actions?limit_to_available=false"), &jwt).await;
    assert_eq!(status, 200);
    assert_eq!(body["actions"]["github"].as_array().unwrap().len(), 9);
    // The log is written from a background thread; it is complete once the host has exited.
    assert!(actionhost_e2e::host::terminate(&mut child).success());
    let log = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(
        log.contains(
            "the pooling allocator could not reserve its memory; using on-demand allocation"
        ),
        "{log}"
    );
}

#[test]
fn plugin_check_prints_the_provider_or_every_reason_it_would_be_refused() {
    let github = Command::new(binary())
        .args(["plugin", "check"])
        .arg(actionhost_e2e::bundled_path("github.wasm"))
        .output()
        .unwrap();
    assert!(github.status.success());
    let out = String::from_utf8(github.stdout).unwrap();
    assert!(out.starts_with("ok: github (GitHub) 0.1.0\n"), "{out}");
    assert!(out.contains("  origin: https://api.github.com\n"), "{out}");
    assert!(
        out.contains("    GITHUB_CREATE_ISSUE - Create a new issue"),
        "{out}"
    );

    let invalid = Command::new(binary())
        .args(["plugin", "check", components::INVALID])
        .output()
        .unwrap();
    assert_eq!(invalid.status.code(), Some(1));
    let out = String::from_utf8(invalid.stdout).unwrap();
    assert!(out.starts_with("refused: "), "{out}");
    assert!(
        out.contains("  - provider id \"Bad-Id\" must match ^[a-z][a-z0-9_]{0,31}$\n"),
        "{out}"
    );
    assert!(
        out.contains("  - action \"BAD_ID_TWICE\" is declared twice\n"),
        "{out}"
    );

    let missing = Command::new(binary())
        .args(["plugin", "check", "/no/such.wasm"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read /no/such.wasm"));
}

#[test]
fn answers_are_sent_without_waiting_for_the_clients_acks() {
    // With Nagle's algorithm on, the tail of an answer larger than the socket buffer (a full
    // tool listing is ~1 MB) waited for the client's delayed ACK: 40 ms added to 1-3% of
    // `GET /actions` calls. The host's end of every accepted connection has TCP_NODELAY.
    let dir = tempfile::tempdir().unwrap();
    let host = HostProcess::start(&dir.path().join("data"), &[]);
    let server: std::net::SocketAddr = host.url.strip_prefix("http://").unwrap().parse().unwrap();
    let mut client = std::net::TcpStream::connect(server).unwrap();
    // An answered request means the host has accepted the connection and set it up.
    client
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: actionhost\r\n\r\n")
        .unwrap();
    let mut answer = [0u8; 64];
    let read = client.read(&mut answer).unwrap();
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    let local = client.local_addr().unwrap();

    // The lookup reads a real option: this test's own end has Nagle's algorithm on (the
    // default), then off once set.
    let me = std::process::id();
    assert!(!actionhost_e2e::sockets::tcp_nodelay(me, local, server));
    client.set_nodelay(true).unwrap();
    assert!(actionhost_e2e::sockets::tcp_nodelay(me, local, server));

    assert!(
        actionhost_e2e::sockets::tcp_nodelay(host.pid(), server, local),
        "the host's end of an accepted connection waits for ACKs (TCP_NODELAY is off)"
    );
}

#[test]
fn docs_providers_md_is_the_catalog_commands_output() {
    let out = Command::new(binary())
        .args(["plugin", "catalog"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/providers.md"),
    )
    .unwrap();
    assert!(
        generated == committed,
        "docs/providers.md is stale: regenerate it with \
         `cargo run --release -- plugin catalog > docs/providers.md`"
    );
    // Every bundled integration and each of its actions is in it, one line each.
    for (file, _) in actionhost::bundled::PLUGINS {
        // The file is named after the crate (`google-calendar.wasm`), the id uses `_`.
        let id = file.trim_end_matches(".wasm").replace('-', "_");
        assert!(generated.contains(&format!("| `{id}` |")), "{id}");
    }
    assert!(
        generated
            .contains("| `GITHUB_CREATE_ISSUE` | Create a new issue in a GitHub repository. |")
    );
}
