//! `cargo bench -p actionhost-e2e --bench store` (or `bash tests/bench.sh`, which installs wrk and
//! nginx first): the host on PostgreSQL against the host on sled, and two hosts on one database
//! against one, measured in one run on loopback with wrk as the load generator, the release
//! binary as the host, and a throwaway PostgreSQL cluster (`tests/src/postgres.rs`):
//!
//! 1. `POST /actions` (one upstream call) at concurrency 1 (p50) and 32 (throughput), and
//!    `GET /actions` of a user with one connected account (the account list is read from the
//!    store on every listing), each on sled and on PostgreSQL, three rounds alternating;
//! 2. `POST /actions` at concurrency 32 through nginx balancing over two hosts on one database,
//!    against the same nginx in front of one host.
//!
//! Prints a table with ratios against sled (1) and against one host (2) from the same run.

use std::time::Duration;

use actionhost_e2e::bench::{Measure, median, start_nginx_balancing, start_upstream, wrk};
use actionhost_e2e::host::{HostProcess, JWT_SECRET};
use actionhost_e2e::postgres::Cluster;
use serde_json::json;

const SECONDS: u32 = 5;
const ROUNDS: usize = 3;
const MASTER_KEY: &str = "YmVuY2gtbWFzdGVyLWtleS1vZi10aGlydHktdHdvISE=";

struct Host {
    process: HostProcess,
    _data: tempfile::TempDir,
}

fn start_host(upstream: std::net::SocketAddr, database: Option<&str>) -> Host {
    let data = tempfile::tempdir().unwrap();
    actionhost_e2e::host::share_component_cache(data.path());
    let overrides = format!("https://api.github.com=http://{upstream}");
    let mut env = vec![
        ("ACTIONHOST_ADMIN_KEY", "bench-admin"),
        ("ACTIONHOST_JWT_SECRET", JWT_SECRET),
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
        ("ACTIONHOST_LOG", "warn"),
    ];
    if let Some(url) = database {
        env.push(("ACTIONHOST_DATABASE_URL", url));
        env.push(("ACTIONHOST_MASTER_KEY", MASTER_KEY));
    }
    Host {
        process: HostProcess::start(data.path(), &env),
        _data: data,
    }
}

fn connect(url: &str, token: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let status = reqwest::Client::new()
            .put(format!("{url}/connected-accounts/github"))
            .bearer_auth(token)
            .json(&json!({"access_token": "gho_bench"}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    });
}

/// Figures of one backend over the rounds.
#[derive(Default)]
struct Figures {
    post_p50: Vec<f64>,
    post_rps: Vec<f64>,
    list_p50: Vec<f64>,
    list_rps: Vec<f64>,
}

fn measure(url: &str, script: &std::path::Path, token: &str, into: &mut Figures) {
    let post = |c| wrk(&format!("{url}/actions"), c, Some(script), &[], SECONDS);
    let list = |c| {
        wrk(
            &format!("{url}/actions"),
            c,
            None,
            &[format!("Authorization: Bearer {token}")],
            SECONDS,
        )
    };
    let Measure { p50_us, .. } = post(1);
    into.post_p50.push(p50_us);
    into.post_rps.push(post(32).rps);
    into.list_p50.push(list(1).p50_us);
    into.list_rps.push(list(8).rps);
}

fn main() {
    let upstream = start_upstream();
    let cluster = Cluster::start();
    let auth = actionhost::identity::Authenticator::hs256(JWT_SECRET.as_bytes());
    let token = auth.mint("alice", 3600).unwrap();
    let scripts = tempfile::tempdir().unwrap();
    let script = actionhost_e2e::bench::post_script(
        &scripts.path().join("post.lua"),
        &json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}}),
        &token,
        &[],
    );

    // 1. One host on sled against one on PostgreSQL, rounds alternating.
    let sled = start_host(upstream, None);
    let database = cluster.database();
    let pg = start_host(upstream, Some(&database));
    connect(&sled.process.url, &token);
    connect(&pg.process.url, &token);
    let (mut on_sled, mut on_pg) = (Figures::default(), Figures::default());
    for round in 0..ROUNDS {
        eprintln!("round {} of {ROUNDS}", round + 1);
        measure(&sled.process.url, &script, &token, &mut on_sled);
        measure(&pg.process.url, &script, &token, &mut on_pg);
    }
    drop(sled);
    drop(pg);

    // 2. nginx in front of one host, then of two hosts, on one database.
    let database = cluster.database();
    let first = start_host(upstream, Some(&database));
    connect(&first.process.url, &token);
    let second = start_host(upstream, Some(&database));
    let addr = |h: &Host| -> std::net::SocketAddr {
        h.process.url.trim_start_matches("http://").parse().unwrap()
    };
    let (one_lb, one_port) = start_nginx_balancing(&[addr(&first)]);
    let (two_lb, two_port) = start_nginx_balancing(&[addr(&first), addr(&second)]);
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        one.push(
            wrk(
                &format!("http://127.0.0.1:{one_port}/actions"),
                32,
                Some(&script),
                &[],
                SECONDS,
            )
            .rps,
        );
        two.push(
            wrk(
                &format!("http://127.0.0.1:{two_port}/actions"),
                32,
                Some(&script),
                &[],
                SECONDS,
            )
            .rps,
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop((one_lb, two_lb, first, second));

    println!();
    println!(
        "| measure (median of {ROUNDS} rounds, {SECONDS} s each) | sled | PostgreSQL | PostgreSQL ÷ sled |"
    );
    println!("|---|---|---|---|");
    let row = |name: &str, unit: &str, a: &[f64], b: &[f64]| {
        let (a, b) = (median(a), median(b));
        println!("| {name} | {a:.0} {unit} | {b:.0} {unit} | {:.2} |", b / a);
    };
    row(
        "`POST /actions` c=1 p50",
        "µs",
        &on_sled.post_p50,
        &on_pg.post_p50,
    );
    row(
        "`POST /actions` c=32 throughput",
        "req/s",
        &on_sled.post_rps,
        &on_pg.post_rps,
    );
    row(
        "`GET /actions` c=1 p50",
        "µs",
        &on_sled.list_p50,
        &on_pg.list_p50,
    );
    row(
        "`GET /actions` c=8 throughput",
        "req/s",
        &on_sled.list_rps,
        &on_pg.list_rps,
    );
    println!();
    println!(
        "| `POST /actions` c=32 through nginx, PostgreSQL | one host | two hosts | two ÷ one |"
    );
    println!("|---|---|---|---|");
    let (one, two) = (median(&one), median(&two));
    println!(
        "| throughput | {one:.0} req/s | {two:.0} req/s | {:.2} |",
        two / one
    );
    println!(
        "\n(all on this machine's {} cores: the hosts, nginx, wrk, the upstream and PostgreSQL share them)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
}
