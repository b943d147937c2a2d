//! `cargo bench -p actionhost-e2e --bench startup`: start-up and footprint of the release binary,
//! measured in one run: time to the listening line (bundled plugins; 50 more plugins, cold and
//! with a warm compile cache), idle RSS, memory per idle plugin and per in-flight call, and how
//! soon a file dropped into the plugins dir is served.

use std::path::Path;
use std::time::{Duration, Instant};

use actionhost_e2e::host::HostProcess;
use serde_json::{Value, json};

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Median time to the listening line over `runs` starts.
fn start_time(data: &Path, env: &[(&str, &str)], runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            let host = HostProcess::start(data, env);
            let took = started.elapsed();
            assert!(host.stop().success());
            took
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn with_50_plugins(data: &Path) {
    actionhost_e2e::upload_bench_plugins(data, 50);
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = [("ACTIONHOST_ADMIN_KEY", "admin")];
    let work = tempfile::tempdir().unwrap();

    // Bundled plugins only.
    let bundled = work.path().join("bundled");
    let bundled_cold = start_time(&bundled, &env, 1);
    let bundled_warm = start_time(&bundled, &env, 5);
    let host = HostProcess::start(&bundled, &env);
    std::thread::sleep(Duration::from_secs(1));
    let idle_bundled = rss_kib(host.pid());
    drop(host);

    // 50 more plugins (20 actions each).
    let fifty = work.path().join("fifty");
    with_50_plugins(&fifty);
    let fifty_cold = start_time(&fifty, &env, 1);
    let fifty_warm = start_time(&fifty, &env, 5);
    let host = HostProcess::start(&fifty, &env);
    std::thread::sleep(Duration::from_secs(1));
    let idle_fifty = rss_kib(host.pid());
    drop(host);

    // Memory per in-flight call: 32 calls sleeping in the hostile plugin at once.
    let inflight = work.path().join("inflight");
    let secret = actionhost_e2e::host::JWT_SECRET;
    let env_calls = [
        ("ACTIONHOST_ADMIN_KEY", "admin"),
        ("ACTIONHOST_JWT_SECRET", secret),
    ];
    let host = HostProcess::start(&inflight, &env_calls);
    let token = actionhost::identity::Authenticator::hs256(secret.as_bytes())
        .mint("alice", 600)
        .unwrap();
    let (before, during) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let hostile = std::fs::read(actionhost_e2e::components::HOSTILE).unwrap();
        let put = client
            .put(format!("{}/admin/plugins/hostile", host.url))
            .bearer_auth("admin")
            .body(hostile);
        assert_eq!(put.send().await.unwrap().status(), 200);
        let connect = client
            .put(format!("{}/connected-accounts/hostile", host.url))
            .bearer_auth(&token)
            .json(&json!({"api_key": "k"}));
        assert_eq!(connect.send().await.unwrap().status(), 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = rss_kib(host.pid());
        let calls: Vec<_> = (0..32)
            .map(|_| {
                let request = client
                    .post(format!("{}/actions", host.url))
                    .bearer_auth(&token)
                    .json(&json!({"action": "HOSTILE_SLEEP", "parameters": {"millis": 3000}}));
                tokio::spawn(async move { request.send().await.unwrap().status() })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let during = rss_kib(host.pid());
        for call in calls {
            assert_eq!(call.await.unwrap(), 200);
        }
        (before, during)
    });
    drop(host);

    // A file dropped into the watched dir, until `GET /admin/plugins` lists it.
    let watched = work.path().join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    let env_dir = [
        ("ACTIONHOST_ADMIN_KEY", "admin"),
        ("ACTIONHOST_PLUGINS_DIR", watched.to_str().unwrap()),
    ];
    let host = HostProcess::start(&work.path().join("watched-data"), &env_dir);
    let dropped = runtime.block_on(async {
        let client = reqwest::Client::new();
        let started = Instant::now();
        std::fs::write(
            watched.join("bench77.wasm"),
            actionhost_e2e::bench_plugin(77),
        )
        .unwrap();
        loop {
            let list: Value = client
                .get(format!("{}/admin/plugins", host.url))
                .bearer_auth("admin")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if list
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == "bench77" && p["status"] == "loaded")
            {
                break started.elapsed();
            }
            assert!(started.elapsed() < Duration::from_secs(30));
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    drop(host);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| start, bundled plugins, cold compile cache | {:.0} ms |",
        ms(bundled_cold)
    );
    println!(
        "| start, bundled plugins, warm cache (median of 5) | {:.0} ms |",
        ms(bundled_warm)
    );
    println!(
        "| start, bundled + 50 plugins × 20 actions, cold cache | {:.0} ms |",
        ms(fifty_cold)
    );
    println!(
        "| start, bundled + 50 plugins × 20 actions, warm cache (median of 5) | {:.0} ms |",
        ms(fifty_warm)
    );
    println!(
        "| idle RSS, bundled plugins | {:.1} MiB |",
        idle_bundled as f64 / 1024.0
    );
    println!(
        "| idle RSS, bundled + 50 plugins | {:.1} MiB |",
        idle_fifty as f64 / 1024.0
    );
    println!(
        "| memory per idle plugin | {:.0} KiB |",
        (idle_fifty.saturating_sub(idle_bundled)) as f64 / 50.0
    );
    println!(
        "| memory per in-flight call (32 sleeping calls) | {:.0} KiB |",
        (during.saturating_sub(before)) as f64 / 32.0
    );
    println!(
        "| dropped file served (until listed as loaded) | {:.0} ms |",
        ms(dropped)
    );
}
