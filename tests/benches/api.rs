//! `cargo bench -p actionhost-e2e --bench api` (or `bash tests/bench.sh`, which installs wrk and
//! nginx first): measures, in one run on loopback, with wrk as the load generator,
//! 1. `POST /actions` through actionhost (JWT, account lookup and decryption, validation, a fresh
//!    wasm instance, one upstream call) against the same request made directly to the stand-in
//!    upstream and through an nginx keep-alive `proxy_pass` hop (the cheapest mediation), at
//!    concurrency 1 and 32;
//! 2. `GET /actions` over 50 plugins × 20 actions;
//!
//! and prints a table with ratios against the proxy measured in the same run.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actionhost::catalog::PluginSource;
use actionhost_e2e::host::TestApp;
use serde_json::json;

const SECONDS: u32 = 5;

struct Measure {
    p50_us: f64,
    p99_us: f64,
    rps: f64,
}

fn parse_duration_us(text: &str) -> f64 {
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000_000.0)
    } else {
        panic!("unknown duration {text:?}")
    };
    number.parse::<f64>().expect("number") * factor
}

fn wrk(
    url: &str,
    connections: u32,
    script: Option<&std::path::Path>,
    headers: &[String],
) -> Measure {
    let threads = connections.min(2);
    let mut command = Command::new("wrk");
    command
        .args([
            "--latency",
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
        ])
        .args(["-d", &format!("{SECONDS}s")]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    for header in headers {
        command.args(["-H", header]);
    }
    let output = command
        .arg(url)
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label).map(str::to_string))
            .unwrap_or_else(|| panic!("wrk printed no {label}: {text}"))
    };
    let non_2xx = text.lines().find(|l| l.contains("Non-2xx"));
    assert!(non_2xx.is_none(), "{url}: {text}");
    Measure {
        p50_us: parse_duration_us(&field("50%")),
        p99_us: parse_duration_us(&field("99%")),
        rps: field("Requests/sec:").trim().parse().expect("rps"),
    }
}

/// A minimal upstream that answers every request with a small JSON body.
fn start_upstream() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let body = json!({"id": 1, "full_name": "octo/hello", "private": false}).to_string();
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// The nginx process and the folder of its config (removed when dropped).
struct Nginx(Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_nginx(upstream: std::net::SocketAddr) -> (Nginx, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = format!(
        "worker_processes 1; daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{ access_log off; client_body_temp_path {dir}; proxy_temp_path {dir};\n\
           upstream up {{ server {upstream}; keepalive 64; }}\n\
           server {{ listen 127.0.0.1:{port};\n\
             location / {{ proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; }} }} }}\n",
        dir = dir.path().display()
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("nginx")
        .arg("-c")
        .arg(&path)
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed (apt-get install nginx)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (Nginx(child, dir), port)
}

/// p50 in µs of 2,000 sequential runs after 200 warm-up runs.
async fn sample<F, Fut>(mut run: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..200 {
        run().await;
    }
    let mut times = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let started = std::time::Instant::now();
        run().await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

fn main() {
    let upstream = start_upstream();
    let (_nginx, nginx_port) = start_nginx(upstream);

    // The host in this process on its own runtime (2 workers, like a 2-core deployment).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (url, token, listing_token) = runtime.block_on(async {
        let app =
            TestApp::start(&format!("https://api.github.com=http://{upstream}"), |_| {}).await;
        app.connect("alice", "github", json!({"access_token": "gho_bench"}))
            .await;
        for n in 0..50 {
            let bytes = actionhost_e2e::bench_plugin(n);
            assert!(
                app.state
                    .load_plugin(&format!("bench{n:02}"), &bytes, PluginSource::Uploaded)
                    .await
            );
        }
        let token = app.token("alice");
        let listing = app.token("lister");
        let url = app.url.clone();
        std::mem::forget(app); // keep serving until the process exits
        (url, token, listing)
    });
    let _guard = runtime.enter();

    let script_dir = tempfile::tempdir().unwrap();
    let script = script_dir.path().join("post.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\n\
             wrk.body = '{{\"action\":\"GITHUB_GET_REPOSITORY\",\"parameters\":{{\"owner\":\"o\",\"repo\":\"r\"}}}}'\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\n\
             wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ),
    )
    .unwrap();

    println!("| path | concurrency | p50 | p99 | req/s | p50 − proxy p50 | req/s ÷ proxy req/s |");
    println!("|---|---|---|---|---|---|---|");
    for connections in [1, 32] {
        let direct = wrk(
            &format!("http://{upstream}/repos/o/r"),
            connections,
            None,
            &[],
        );
        let proxy = wrk(
            &format!("http://127.0.0.1:{nginx_port}/repos/o/r"),
            connections,
            None,
            &[],
        );
        let host = wrk(&format!("{url}/actions"), connections, Some(&script), &[]);
        for (name, m) in [
            ("direct to the stand-in", &direct),
            ("nginx keep-alive proxy_pass", &proxy),
            ("actionhost POST /actions", &host),
        ] {
            println!(
                "| {name} | {connections} | {:.0} µs | {:.0} µs | {:.0} | {:+.0} µs | {:.2} |",
                m.p50_us,
                m.p99_us,
                m.rps,
                m.p50_us - proxy.p50_us,
                m.rps / proxy.rps
            );
        }
    }
    // Where the time of one call goes, sequentially in this process (no load generator).
    let hostile = std::fs::read(actionhost_e2e::components::HOSTILE).unwrap();
    let (wasm_only, wasm_and_upstream, api_call) = runtime.block_on(async {
        let rt = actionhost_e2e::runtime(&format!("https://api.github.com=http://{upstream}"));
        let limits = actionhost::runtime::CallLimits::default();
        let noop = actionhost_e2e::load(&rt, &hostile, limits).await;
        let github =
            actionhost_e2e::load(&rt, actionhost_e2e::bundled("github.wasm"), limits).await;
        let call = actionhost::runtime::CallContext {
            user: "alice".into(),
            scopes: vec![],
            credential: Some(actionhost::credentials::SecretString::new("gho_bench")),
            ..Default::default()
        };
        let tiny = json!({"bytes": 3});
        let repo = json!({"owner": "o", "repo": "r"});
        let wasm_only = sample(|| async {
            rt.execute(&noop, "HOSTILE_HUGE_OUTPUT", &tiny, &call)
                .await
                .0
                .unwrap();
        })
        .await;
        let with_upstream = sample(|| async {
            rt.execute(&github, "GITHUB_GET_REPOSITORY", &repo, &call)
                .await
                .0
                .unwrap();
        })
        .await;
        let client = reqwest::Client::new();
        let body = json!({"action": "GITHUB_GET_REPOSITORY", "parameters": repo});
        let api = sample(|| async {
            let r = client
                .post(format!("{url}/actions"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap();
        })
        .await;
        (wasm_only, with_upstream, api)
    });
    println!("\nOne call at a time, in process (p50 of 2,000):");
    println!("| stage | p50 |\n|---|---|");
    println!("| instantiate + run a wasm action with no I/O | {wasm_only:.0} µs |");
    println!(
        "| instantiate + GITHUB_GET_REPOSITORY with one upstream call | {wasm_and_upstream:.0} µs |"
    );
    println!(
        "| the same through `POST /actions` (HTTP, JWT, account, validation, audit) | {api_call:.0} µs |"
    );

    let listing = wrk(
        &format!("{url}/actions?limit_to_available=false"),
        1,
        None,
        &[format!("Authorization: Bearer {listing_token}")],
    );
    println!(
        "\n`GET /actions` over 52 integrations (50 generated × 20 actions + GitHub + Slack = 1,015 tools), concurrency 1: \
         p50 {:.0} µs, p99 {:.0} µs, {:.0} req/s",
        listing.p50_us, listing.p99_us, listing.rps
    );
}
