//! `cargo bench -p actionhost-e2e --bench api` (or `bash tests/bench.sh`, which installs wrk and
//! nginx first): measures, in one run on loopback, with wrk as the load generator and the host
//! binary as operators build it (`target/dist/actionhost serve`: tests/bench.sh sets
//! `ACTIONHOST_PROFILE=dist`; without it, `target/release`, and the minimal embedding below
//! always comes from the same build),
//! 1. `POST /actions` through actionhost (JWT, account lookup and decryption, validation, a fresh
//!    wasm instance, one upstream call, audit) against the same request made directly to the
//!    stand-in upstream and through an nginx keep-alive `proxy_pass` hop (the cheapest
//!    mediation), at concurrency 1 and 32, with the CPU each mediator spent per request; also
//!    through a bare axum handler that forwards with reqwest (the floor of the chosen stack), and
//!    `POST /actions` of an action that makes no upstream call (the host and its wasm instance
//!    without the upstream hop), and the same action as an MCP `tools/call` on `/mcp`;
//!    Beside them, the floor of "wasm plus one outbound call": a minimal wasmtime embedding
//!    (`tests/src/bin/minimal_embedding.rs`: wasmtime-wasi-http, pooling allocator, a fresh
//!    instance of a `wasi:http/proxy` guest per request, a keep-alive client pool), with and
//!    without the upstream call, and actionhost's difference in p50 and ratio of CPU per request
//!    against it;
//! 2. `GET /actions` over 50 plugins × 20 actions;
//! 3. one call at a time in this process, stage by stage, and a wasm call whose instance is
//!    ready, run warm and after the process sat idle (what every request at concurrency 1 pays
//!    on these machines).
//!
//! 4. tool search (`/mcp?tools=search`): the tokens of the full MCP `tools/list` against the
//!    search mode's, and `search_actions` over 1,015 actions, end to end and in process
//!    ([`tool_search`]; `BENCH_TOOL_SEARCH_ONLY=1` runs only this part);
//!
//! and prints a table with ratios against the proxy measured in the same run.
//!
//! `BENCH_PROFILE_SECONDS=N` instead loads one target (at concurrency
//! `BENCH_PROFILE_CONNECTIONS`, default 32) for N seconds: it prints the loaded process's pid
//! first, for `perf record -p` or `perf stat -p`, then p50, req/s and CPU per request.
//! `BENCH_PROFILE_TARGET` picks the target: `actions` (the default, `POST /actions`), `local`
//! (actionhost's action without an upstream call), `minimal` or `minimal-local` (the minimal
//! embedding's `/forward` or `/local`). `TOKIO_WORKER_THREADS`, `ACTIONHOST_LOG` and
//! `ACTIONHOST_WASM_PERFMAP` are passed to the host.

use std::time::Duration;

use actionhost_e2e::bench::{
    Measure, cpu_us, median, start_nginx, start_upstream, stat_cpu_us, wrk,
};
use actionhost_e2e::host::{ADMIN_KEY, HostProcess, mint_token};
use serde_json::json;

const SECONDS: u32 = 5;

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// The floor of the chosen stack: an axum server whose one handler forwards the request to
/// the upstream with reqwest and returns its body (no auth, no wasm, no store), on its own
/// 2-worker runtime whose threads are named `floor-proxy`, so that its CPU can be read apart.
fn start_floor_proxy(upstream: std::net::SocketAddr) -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("floor-proxy")
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let client = reqwest::Client::new();
            let app = axum::Router::new().route(
                "/actions",
                axum::routing::post(move |body: axum::body::Bytes| {
                    let client = client.clone();
                    async move {
                        assert!(!body.is_empty());
                        let response = client
                            .get(format!("http://{upstream}/repos/o/r"))
                            .bearer_auth("gho_bench")
                            .send()
                            .await
                            .unwrap();
                        (
                            [("content-type", "application/json")],
                            response.bytes().await.unwrap(),
                        )
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// CPU time of this process's threads named `name`, in µs.
fn thread_cpu_us(name: &str) -> f64 {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .unwrap_or_default()
                .trim()
                == name
        })
        .map(|task| stat_cpu_us(&task.path().join("stat")))
        .sum()
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

/// Like [`sample`], but before each timed run the caller either yields once (the runtime runs
/// what is ready, such as making the next instance, and the run finds its code and data warm) or
/// sleeps for `idle` (the thread halts, and on these machines its caches and TLBs go cold).
async fn sample_after<F, Fut>(idle: Option<Duration>, mut run: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(2000);
    for n in 0..2200 {
        match idle {
            Some(idle) => tokio::time::sleep(idle).await,
            None => tokio::task::yield_now().await,
        }
        let started = std::time::Instant::now();
        run().await;
        if n >= 200 {
            times.push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    times[times.len() / 2]
}

/// About 20 µs of arithmetic that touches almost no memory: the control for [`sample_after`].
fn fixed_work() -> u64 {
    let mut x = 1u64;
    for i in 0..20_000u64 {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    x
}

/// The release binary (or `binary`) with the bundled plugins and 50 generated ones (20 actions
/// each) as operator uploads, GitHub pointed at the stand-in, and alice's GitHub connected.
fn start_host(
    upstream: std::net::SocketAddr,
    binary: Option<&std::path::Path>,
) -> (HostProcess, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    actionhost_e2e::upload_bench_plugins(data.path(), 50);
    let overrides = format!("https://api.github.com=http://{upstream}");
    let mut env = vec![
        ("ACTIONHOST_ADMIN_KEY", ADMIN_KEY.to_string()),
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides),
    ];
    // Passed through for experiments with the host's runtime and logging.
    for name in [
        "TOKIO_WORKER_THREADS",
        "ACTIONHOST_LOG",
        "ACTIONHOST_WASM_PERFMAP",
    ] {
        if let Ok(value) = std::env::var(name) {
            env.push((name, value));
        }
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let binary = binary.map_or_else(actionhost_e2e::host::binary, |b| b.to_path_buf());
    let log = std::fs::File::create(data.path().with_extension("stderr.log")).unwrap();
    let host = HostProcess::start_binary(&binary, data.path(), &env, log.into());
    let url = host.url.clone();
    let token = mint_token(data.path(), "alice");
    let listing_token = mint_token(data.path(), "lister");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let connected = client
            .put(format!("{url}/connected-accounts/github"))
            .bearer_auth(&token)
            .json(&json!({"access_token": "gho_bench"}))
            .send()
            .await
            .unwrap();
        assert_eq!(connected.status(), 200);
        let listed: serde_json::Value = client
            .get(format!("{url}/actions?limit_to_available=false"))
            .bearer_auth(&listing_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tools: usize = listed["actions"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| t.as_array().unwrap().len())
            .sum();
        assert!(
            tools > 1000,
            "the 50 generated plugins were not all loaded: {tools} tools"
        );
    });
    (host, data)
}

/// Alternating runs of the same request against two builds of the host, both serving at once
/// (`BENCH_PROFILE_AGAINST`): the machine's speed drifts between runs by more than most changes
/// are worth, so only pairs measured next to each other are compared. Each round runs both,
/// in turns (AB, BA, AB, ...), and prints both; then the median of the pairs' differences.
fn compare_builds(
    builds: [(&HostProcess, &std::path::Path); 2],
    other: &str,
    connections: u32,
    seconds: u32,
) {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .map(|r| r.parse().expect("BENCH_ROUNDS is a number"))
        .unwrap_or(8);
    println!(
        "A: {} (pid {})",
        actionhost_e2e::host::binary().display(),
        builds[0].0.pid()
    );
    println!("B: {other} (pid {})", builds[1].0.pid());
    println!("| round | A p50 | B p50 | A CPU per request | B CPU per request |");
    println!("|---|---|---|---|---|");
    let (mut p50, mut cpu) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let mut measured = [(0.0, 0.0); 2];
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for which in order {
            let (host, script) = builds[which];
            let before = cpu_us(host.pid());
            let m = wrk(
                &format!("{}/actions", host.url),
                connections,
                Some(script),
                &[],
                seconds,
            );
            measured[which] = (m.p50_us, (cpu_us(host.pid()) - before) / m.requests);
        }
        let [(a_p50, a_cpu), (b_p50, b_cpu)] = measured;
        println!("| {round} | {a_p50:.0} µs | {b_p50:.0} µs | {a_cpu:.1} µs | {b_cpu:.1} µs |");
        p50.push(b_p50 - a_p50);
        cpu.push(b_cpu - a_cpu);
    }
    let lower = |d: &[f64]| d.iter().filter(|d| **d < 0.0).count();
    println!(
        "B − A, median of {rounds} pairs: p50 {:+.1} µs [{:+.0}, {:+.0}] (B lower in {}), CPU per request {:+.1} µs [{:+.1}, {:+.1}] (B lower in {})",
        median(&p50),
        min(&p50),
        max(&p50),
        lower(&p50),
        median(&cpu),
        min(&cpu),
        max(&cpu),
        lower(&cpu),
    );
}

fn main() {
    let upstream = start_upstream();
    if std::env::var_os("BENCH_TOOL_SEARCH_ONLY").is_some() {
        tool_search(upstream);
        return;
    }
    let (nginx, nginx_port) = start_nginx(upstream);
    let floor = start_floor_proxy(upstream);
    // The floor of "wasm plus one outbound call": the bench-only embedding
    // (`tests/src/bin/minimal_embedding.rs`), from the same build as the host.
    let minimal = actionhost_e2e::bench::MinimalEmbedding::start(upstream);
    let nginx_pid = nginx.0.id();

    let (host, data) = start_host(upstream, None);
    let overrides = format!("https://api.github.com=http://{upstream}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = host.url.clone();
    let token = mint_token(data.path(), "alice");
    let listing_token = mint_token(data.path(), "lister");

    let script_dir = tempfile::tempdir().unwrap();
    // A wrk script that POSTs `body` to /actions as alice.
    let post_script = |name: &str, body: serde_json::Value| {
        actionhost_e2e::bench::post_script(&script_dir.path().join(name), &body, &token, &[])
    };
    let actions_body =
        json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}});
    let script = post_script("post.lua", actions_body.clone());
    // The same call as an MCP `tools/call` (the stateless 2026-07-28 revision, as the Python SDK
    // sends it): JSON-RPC in, one SSE event out.
    let mcp_script = actionhost_e2e::bench::post_script(
        &script_dir.path().join("mcp.lua"),
        &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "GITHUB_GET_REPOSITORY", "arguments": {"owner": "o", "repo": "r"},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1.0.0"}
            }
        }}),
        &token,
        &[
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "GITHUB_GET_REPOSITORY"),
        ],
    );
    // A generated plugin's action: no account, no upstream call, the same fresh instance.
    let local_body = json!({"action": "BENCH00_CREATE_OBJECT_01", "parameters": {"workspace": "w", "title": "t"}});
    let local_script = post_script("local.lua", local_body.clone());

    if let Ok(seconds) = std::env::var("BENCH_PROFILE_SECONDS") {
        let seconds: u32 = seconds.parse().expect("BENCH_PROFILE_SECONDS is a number");
        let connections = std::env::var("BENCH_PROFILE_CONNECTIONS")
            .map(|c| c.parse().expect("a number"))
            .unwrap_or(32);
        let target = std::env::var("BENCH_PROFILE_TARGET").unwrap_or_else(|_| "actions".into());
        let (pid, url, script) = match target.as_str() {
            "actions" => (host.pid(), format!("{url}/actions"), Some(&script)),
            "local" => (host.pid(), format!("{url}/actions"), Some(&local_script)),
            "minimal" => (minimal.pid(), format!("{}/forward", minimal.url), None),
            "minimal-local" => (minimal.pid(), format!("{}/local", minimal.url), None),
            other => panic!(
                "BENCH_PROFILE_TARGET={other:?}: expected actions, local, minimal or minimal-local"
            ),
        };
        if let Ok(other) = std::env::var("BENCH_PROFILE_AGAINST") {
            let (Some(script), body) = (
                script,
                if target == "local" {
                    &local_body
                } else {
                    &actions_body
                },
            ) else {
                panic!("BENCH_PROFILE_AGAINST compares two builds of actionhost, not {target:?}")
            };
            let (against, other_data) = start_host(upstream, Some(std::path::Path::new(&other)));
            // The other host has its own signing secret: the same request with its own token.
            let other_script = actionhost_e2e::bench::post_script(
                &script_dir.path().join("against.lua"),
                body,
                &mint_token(other_data.path(), "alice"),
                &[],
            );
            compare_builds(
                [(&host, &script), (&against, &other_script)],
                &other,
                connections,
                seconds,
            );
            return;
        }
        println!("profiled pid {pid}");
        let before = cpu_us(pid);
        let m = wrk(&url, connections, script.map(|s| s.as_path()), &[], seconds);
        let cpu = (cpu_us(pid) - before) / m.requests;
        println!(
            "p50 {:.0} µs, {:.0} req/s, {cpu:.0} µs CPU per request",
            m.p50_us, m.rps
        );
        return;
    }

    // The machine's speed drifts between runs by more than many changes are worth, so each row
    // is measured in several rounds that alternate with the others, and the table gives the
    // median of each figure, and of each round's difference and ratio to nginx, with their range.
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .map(|r| r.parse().expect("BENCH_ROUNDS is a number"))
        .unwrap_or(3);
    println!(
        "Median of {rounds} alternating rounds of {SECONDS} s (range over the rounds in brackets):\n"
    );
    println!(
        "| path | concurrency | p50 | p99 | req/s | p50 − proxy p50 | req/s ÷ proxy req/s | mediator CPU per request |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    const ROWS: [&str; 8] = [
        "direct to the stand-in",
        "nginx keep-alive proxy_pass",
        "axum + reqwest forwarding only",
        "minimal wasmtime embedding: wasi:http guest, fresh instance, one upstream call",
        "minimal wasmtime embedding, guest answering without an upstream call",
        "actionhost POST /actions",
        "actionhost POST /actions, an action with no upstream call",
        "actionhost MCP tools/call (2026-07-28), the same action",
    ];
    // Rows compared with the minimal embedding after the table: (actionhost row, embedding row).
    const AGAINST_MINIMAL: [(usize, usize); 2] = [(5, 3), (6, 4)];
    let mut against_minimal: Vec<String> = Vec::new();
    for connections in [1, 32] {
        // Per row: one (measure, mediator CPU per request) per round.
        let mut runs: Vec<Vec<(Measure, Option<f64>)>> =
            (0..ROWS.len()).map(|_| Vec::new()).collect();
        // One wrk run, and the mediator's CPU (as `usage` reads it, in µs) per request meanwhile.
        let measured = |url: &str, script: Option<&std::path::Path>, usage: &dyn Fn() -> f64| {
            let before = usage();
            let m = wrk(url, connections, script, &[], SECONDS);
            let per_request = (usage() - before) / m.requests;
            (m, per_request)
        };
        let nginx_usage = || cpu_us(nginx_pid);
        let host_usage = || cpu_us(host.pid());
        let floor_usage = || thread_cpu_us("floor-proxy");
        let minimal_usage = || cpu_us(minimal.pid());
        for _ in 0..rounds {
            let direct = wrk(
                &format!("http://{upstream}/repos/o/r"),
                connections,
                None,
                &[],
                SECONDS,
            );
            let (proxy, proxy_cpu) = measured(
                &format!("http://127.0.0.1:{nginx_port}/repos/o/r"),
                None,
                &nginx_usage,
            );
            let (hosted, host_cpu) =
                measured(&format!("{url}/actions"), Some(&script), &host_usage);
            let (floored, floor_cpu) = measured(
                &format!("http://{floor}/actions"),
                Some(&script),
                &floor_usage,
            );
            let (local, local_cpu) =
                measured(&format!("{url}/actions"), Some(&local_script), &host_usage);
            let (mcp, mcp_cpu) = measured(&format!("{url}/mcp"), Some(&mcp_script), &host_usage);
            let (minimal_up, minimal_up_cpu) =
                measured(&format!("{}/forward", minimal.url), None, &minimal_usage);
            let (minimal_local, minimal_local_cpu) =
                measured(&format!("{}/local", minimal.url), None, &minimal_usage);
            runs[0].push((direct, None));
            runs[1].push((proxy, Some(proxy_cpu)));
            runs[2].push((floored, Some(floor_cpu)));
            runs[3].push((minimal_up, Some(minimal_up_cpu)));
            runs[4].push((minimal_local, Some(minimal_local_cpu)));
            runs[5].push((hosted, Some(host_cpu)));
            runs[6].push((local, Some(local_cpu)));
            runs[7].push((mcp, Some(mcp_cpu)));
        }
        for (ours, floor) in AGAINST_MINIMAL {
            let of = |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..rounds).map(f).collect() };
            let over = of(&|r| runs[ours][r].0.p50_us - runs[floor][r].0.p50_us);
            let cpu =
                of(&|r| runs[ours][r].1.unwrap_or_default() / runs[floor][r].1.unwrap_or(f64::NAN));
            against_minimal.push(format!(
                "| {} | {connections} | {:+.0} µs [{:+.0}, {:+.0}] | {:.2} [{:.2}, {:.2}] |",
                ROWS[ours],
                median(&over),
                min(&over),
                max(&over),
                median(&cpu),
                min(&cpu),
                max(&cpu),
            ));
        }
        for (row, name) in ROWS.iter().enumerate() {
            let of = |f: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..rounds).map(f).collect() };
            let m = |round: usize| &runs[row][round].0;
            let proxy = |round: usize| &runs[1][round].0;
            let p50 = of(&|r| m(r).p50_us);
            let p99 = of(&|r| m(r).p99_us);
            let rps = of(&|r| m(r).rps);
            let over = of(&|r| m(r).p50_us - proxy(r).p50_us);
            let ratio = of(&|r| m(r).rps / proxy(r).rps);
            let cpu = runs[row][0]
                .1
                .map(|_| of(&|r| runs[row][r].1.unwrap_or_default()));
            println!(
                "| {name} | {connections} | {:.0} µs | {:.0} µs | {:.0} | {:+.0} µs [{:+.0}, {:+.0}] | {:.2} [{:.2}, {:.2}] | {} |",
                median(&p50),
                median(&p99),
                median(&rps),
                median(&over),
                min(&over),
                max(&over),
                median(&ratio),
                min(&ratio),
                max(&ratio),
                cpu.map(|c| format!("{:.0} µs", median(&c)))
                    .unwrap_or_else(|| "–".into())
            );
        }
    }

    println!(
        "\nAgainst the minimal wasmtime embedding, same run (goal: c=1 p50 within +30 µs; c=32 CPU per request within 1.15×):\n"
    );
    println!("| path | concurrency | p50 − embedding p50 | CPU per request ÷ embedding's |");
    println!("|---|---|---|---|");
    for line in &against_minimal {
        println!("{line}");
    }
    drop(minimal);

    // Where the time of one call goes, sequentially in this process (no load generator).
    let hostile = std::fs::read(actionhost_e2e::components::HOSTILE).unwrap();
    let (reqwest_only, egress_only, wasm_only, github_no_io, wasm_and_upstream, api_call) = runtime
        .block_on(async {
            let rt = actionhost_e2e::runtime(&overrides);
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
            let plain = reqwest::Client::new();
            let reqwest_only = sample(|| async {
                let r = plain
                    .get(format!("http://{upstream}/repos/o/r"))
                    .bearer_auth("gho_bench")
                    .send()
                    .await
                    .unwrap();
                r.bytes().await.unwrap();
            })
            .await;
            let egress = actionhost::capability::http::Egress::new(
                actionhost::capability::http::UpstreamOverrides::parse(&overrides).unwrap(),
                Default::default(),
            )
            .unwrap();
            let credential = actionhost::credentials::SecretString::new("gho_bench");
            let github_for_egress =
                actionhost_e2e::load(&rt, actionhost_e2e::bundled("github.wasm"), limits).await;
            let egress_only = sample(|| async {
                egress
                    .send(
                        &github_for_egress.grant,
                        Some(&credential),
                        &actionhost::capability::http::OutboundRequest {
                            method: actionhost::capability::http::HttpMethod::Get,
                            url: "https://api.github.com/repos/o/r".into(),
                            headers: vec![("accept".into(), "application/vnd.github+json".into())],
                            body: None,
                        },
                        None,
                    )
                    .await
                    .unwrap();
            })
            .await;
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
            let no_credential = actionhost::runtime::CallContext {
                user: "alice".into(),
                ..Default::default()
            };
            // The same action refused by the HTTP capability before any I/O (no credential).
            let github_no_io = sample(|| async {
                let _ = rt
                    .execute(&github, "GITHUB_GET_REPOSITORY", &repo, &no_credential)
                    .await;
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
            (
                reqwest_only,
                egress_only,
                wasm_only,
                github_no_io,
                with_upstream,
                api,
            )
        });
    println!("\nOne call at a time (p50 of 2,000):");
    println!("| stage | p50 |\n|---|---|");
    println!("| in process: a reqwest GET to the stand-in | {reqwest_only:.0} µs |");
    println!(
        "| in process: the same through the HTTP capability (allowlist, credential injection) | {egress_only:.0} µs |"
    );
    println!("| in process: instantiate + run a wasm action with no I/O | {wasm_only:.0} µs |");
    println!(
        "| in process: instantiate + GITHUB_GET_REPOSITORY, refused before I/O (no credential) | {github_no_io:.0} µs |"
    );
    println!(
        "| in process: instantiate + GITHUB_GET_REPOSITORY with one upstream call | {wasm_and_upstream:.0} µs |"
    );
    println!(
        "| the binary: the same through `POST /actions` (HTTP, JWT, account, validation, audit) | {api_call:.0} µs |"
    );

    // At concurrency 1 the host is idle between requests and while the upstream answers: the
    // same work, run after a pause, shows what a cold start of its code and data costs here.
    let pause = Some(Duration::from_millis(1));
    let (warm_call, idle_call, warm_fixed, idle_fixed) = runtime.block_on(async {
        let rt = actionhost_e2e::runtime(&overrides);
        let noop = actionhost_e2e::load(&rt, &hostile, Default::default()).await;
        let call = actionhost::runtime::CallContext {
            user: "alice".into(),
            ..Default::default()
        };
        let tiny = json!({"bytes": 3});
        let run = || async {
            rt.execute(&noop, "HOSTILE_HUGE_OUTPUT", &tiny, &call)
                .await
                .0
                .unwrap();
        };
        let fixed = || async {
            std::hint::black_box(fixed_work());
        };
        (
            sample_after(None, run).await,
            sample_after(pause, run).await,
            sample_after(None, fixed).await,
            sample_after(pause, fixed).await,
        )
    });
    println!("\nThe same work warm and after 1 ms idle (p50 of 2,000, in process):");
    println!("| work | warm | after 1 ms idle |\n|---|---|---|");
    println!(
        "| a wasm action with no I/O, its instance made ahead (bind, run, output) | {warm_call:.1} µs | {idle_call:.1} µs |"
    );
    println!(
        "| control: fixed arithmetic touching almost no memory | {warm_fixed:.1} µs | {idle_fixed:.1} µs |"
    );

    let listing = wrk(
        &format!("{url}/actions?limit_to_available=false"),
        1,
        None,
        &[format!("Authorization: Bearer {listing_token}")],
        SECONDS,
    );
    println!(
        "\n`GET /actions` over 52 integrations (50 generated × 20 actions + GitHub + Slack = 1,015 tools), concurrency 1: \
         p50 {:.0} µs, p99 {:.0} µs, {:.0} req/s",
        listing.p50_us, listing.p99_us, listing.rps
    );
    drop(host);
    drop(nginx);
    tool_search(upstream);
}

/// The JSON-RPC result of one MCP request to `url` as the Python SDK sends it on the stateless
/// 2026-07-28 revision (headers and `_meta`), answered as JSON or as one SSE event.
async fn mcp_result(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    method: &str,
    mut params: serde_json::Value,
) -> serde_json::Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1.0.0"}
    });
    let mut request = client
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method);
    if let Some(name) = params["name"].as_str() {
        request = request.header("mcp-name", name);
    }
    let text = request
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|d| !d.is_empty())
        .unwrap_or(text.as_str());
    let message: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(message.get("error").is_none(), "{method}: {message}");
    message["result"].clone()
}

/// Every tool of a `tools/list` at `url`, page after page.
async fn all_tools(client: &reqwest::Client, url: &str, token: &str) -> Vec<serde_json::Value> {
    let mut tools = Vec::new();
    let mut params = json!({});
    loop {
        let page = mcp_result(client, url, token, "tools/list", params).await;
        tools.extend(page["tools"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => params = json!({"cursor": next}),
            None => return tools,
        }
    }
}

/// Queries an agent might send, over every domain of the benchmark catalog.
const SEARCH_QUERIES: [&str; 10] = [
    "create issue",
    "send a message to a slack channel",
    "refund a payment",
    "export invoices to csv",
    "schedule an interview with a candidate",
    "archive old wiki pages",
    "list open support tickets",
    "approve an expense claim",
    "upload a file to a shared drive",
    "who unsubscribed from the newsletter",
];

/// Section 4, tool search (`/mcp?tools=search`, issue #14), on a host serving the bundled
/// plugins and the ten generated catalog providers (`tests/plugins/catalog`, 100 actions each):
/// (a) the tokens of the full `tools/list` against the search mode's, for a user with every
/// bundled integration connected and for one with every integration connected, counted with
/// `tiktoken-rs` (o200k_base); (b) `search_actions` over the 1,015 actions, end to end through
/// `/mcp` and in process, against the search mode's `tools/list` as the floor of an MCP request.
fn tool_search(upstream: std::net::SocketAddr) {
    let data = tempfile::tempdir().unwrap();
    let uploads = data.path().join("plugins");
    std::fs::create_dir_all(&uploads).unwrap();
    for id in actionhost_e2e::CATALOG_IDS {
        std::fs::write(
            uploads.join(format!("{id}.wasm")),
            actionhost_e2e::catalog_plugin(id),
        )
        .unwrap();
    }
    let overrides =
        format!("https://api.github.com=http://{upstream},https://slack.com=http://{upstream}");
    let host = HostProcess::start(
        data.path(),
        &[
            ("ACTIONHOST_ADMIN_KEY", ADMIN_KEY),
            ("ACTIONHOST_UPSTREAM_OVERRIDES", &overrides),
        ],
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bundled_user = mint_token(data.path(), "bundled");
    let every_user = mint_token(data.path(), "everything");
    let url = host.url.clone();
    let all_url = format!("{url}/mcp");
    let search_url = format!("{url}/mcp?tools=search");
    let bpe = tiktoken_rs::o200k_base().expect("o200k_base");
    let tokens = |tools: &[serde_json::Value]| {
        bpe.encode_ordinary(&json!({ "tools": tools }).to_string())
            .len()
    };
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let connect = |token: String, integration: &'static str, secret: serde_json::Value| {
            let client = client.clone();
            let url = url.clone();
            async move {
                let connected = client
                    .put(format!("{url}/connected-accounts/{integration}"))
                    .bearer_auth(token)
                    .json(&secret)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(connected.status(), 200, "{integration}");
            }
        };
        for token in [&bundled_user, &every_user] {
            connect(token.clone(), "github", json!({"access_token": "gho_bench"})).await;
            connect(token.clone(), "slack", json!({"access_token": "xoxb-bench"})).await;
        }
        for id in actionhost_e2e::CATALOG_IDS {
            connect(every_user.clone(), id, json!({"api_key": "bench"})).await;
        }

        println!("\nTool search (`/mcp?tools=search`): the up-front listing, in o200k_base tokens of the tools as JSON:");
        println!("| user | actions listed | full `tools/list` | search mode `tools/list` | full ÷ search |");
        println!("|---|---|---|---|---|");
        let meta = all_tools(&client, &search_url, &bundled_user).await;
        let meta_tokens = tokens(&meta);
        for (who, token) in [
            ("every bundled integration connected (GitHub, Slack)", &bundled_user),
            ("also the 10 generated integrations (100 actions each)", &every_user),
        ] {
            let full = all_tools(&client, &all_url, token).await;
            let full_tokens = tokens(&full);
            println!(
                "| {who} | {} | {full_tokens} | {meta_tokens} | {:.1} |",
                full.len(),
                full_tokens as f64 / meta_tokens as f64
            );
        }

        // End to end: one request at a time through /mcp, as the everything user.
        let mut n = 0usize;
        let search = |query: &str| {
            json!({"name": "search_actions", "arguments": {"query": query}})
        };
        let listing_floor = sample(|| async {
            mcp_result(&client, &search_url, &every_user, "tools/list", json!({})).await;
        })
        .await;
        let end_to_end = sample(|| {
            n += 1;
            let params = search(SEARCH_QUERIES[n % SEARCH_QUERIES.len()]);
            let (client, url, token) = (&client, &search_url, &every_user);
            async move {
                let result = mcp_result(client, url, token, "tools/call", params).await;
                assert_eq!(result["isError"], false, "{result}");
            }
        })
        .await;
        let direct_call = sample(|| async {
            let params = json!({"name": "BILLING_GET_INVOICE", "arguments": {"id": "1"}});
            let result = mcp_result(&client, &all_url, &every_user, "tools/call", params).await;
            assert_eq!(result["isError"], false, "{result}");
        })
        .await;

        // What each query found, through /mcp.
        let mut found = Vec::new();
        for query in SEARCH_QUERIES {
            let result =
                mcp_result(&client, &search_url, &every_user, "tools/call", search(query)).await;
            let top: Vec<String> = result["structuredContent"]["matches"]
                .as_array()
                .unwrap()
                .iter()
                .take(3)
                .map(|m| m["name"].as_str().unwrap().to_string())
                .collect();
            found.push((query, top));
        }

        // In process: the same catalog and accounts in a host in this process.
        let app = actionhost_e2e::host::TestApp::start(&overrides, |_| {}).await;
        for id in actionhost_e2e::CATALOG_IDS {
            let loaded = app.upload(id, actionhost_e2e::catalog_plugin(id)).await;
            assert_eq!(loaded.status, 200, "{loaded:?}");
        }
        for (integration, secret) in [
            ("github", json!({"access_token": "gho_bench"})),
            ("slack", json!({"access_token": "xoxb-bench"})),
        ] {
            app.connect("everything", integration, secret).await;
        }
        for id in actionhost_e2e::CATALOG_IDS {
            app.connect("everything", id, json!({"api_key": "bench"})).await;
        }
        let state = app.state.clone();
        let index = state.action_index.current();
        // Every action of every loaded plugin (the bundled ones and the ten generated).
        let catalog: usize = state.registry.plugins().iter().map(|p| p.actions.len()).sum();
        assert!(catalog > 1000, "the generated plugins did not all load: {catalog}");
        assert_eq!(index.len(), catalog, "the catalog is not all indexed");
        let mut m = 0usize;
        let in_process = sample(|| {
            m += 1;
            let request = actionhost::api::mcp_search::SearchRequest {
                query: SEARCH_QUERIES[m % SEARCH_QUERIES.len()].to_string(),
                integration: None,
                limit: None,
            };
            let state = state.clone();
            async move {
                let hits = actionhost::api::mcp_search::search(&state, "everything", &request)
                    .await
                    .unwrap();
                std::hint::black_box(hits);
            }
        })
        .await;
        let mut builds: Vec<f64> = (0..20)
            .map(|_| {
                let started = std::time::Instant::now();
                std::hint::black_box(actionhost::catalog::search::IndexedCatalog::build(
                    &state.registry,
                ));
                started.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        builds.sort_by(|a, b| a.total_cmp(b));

        println!("\n`search_actions` over the {} actions of every loaded plugin (10 queries in turn; p50 of 2,000 sequential runs):", index.len());
        println!("| what | p50 |\n|---|---|");
        println!(
            "| baseline: search-mode `tools/list` through /mcp (the floor of an MCP request) | {listing_floor:.0} µs |"
        );
        println!(
            "| a direct `tools/call` of an action with no upstream call, through /mcp | {direct_call:.0} µs |"
        );
        println!("| `search_actions` through /mcp | {end_to_end:.0} µs |");
        println!(
            "| `search_actions` in process (accounts, availability, ranking; no MCP, no HTTP) | {in_process:.0} µs |"
        );
        println!(
            "| rebuilding the index of the whole catalog (once per catalog change; p50 of 20) | {:.0} µs |",
            builds[builds.len() / 2]
        );
        println!("\nTop three matches per query:");
        println!("| query | matches |\n|---|---|");
        for (query, top) in found {
            println!("| {query} | {} |", top.join(", "));
        }
    });
    drop(host);
}
