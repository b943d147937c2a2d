//! `cargo bench -p actionhost-e2e --bench outbound`: where one upstream call through actionhost
//! spends its time, stage by stage, in this process, one call at a time (no load generator).
//!
//! Each row adds one layer to the row above it, from a bare hyper-util client (what the minimal
//! wasmtime embedding's guest requests go through) to a whole wasm action that makes the call.
//! For each row: p50 wall time, and the CPU this thread spent per call (the upstream stand-in
//! runs on threads of its own, so its CPU is not counted). The last column is the row's CPU
//! less the previous row's: what that layer costs. Rounds alternate the rows, so a machine that
//! slows down mid-run slows every row alike; the table shows the median of the rounds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actionhost::capability::http::{
    Egress, HttpMethod, OutboundRequest, Recovery, RefreshCredential, RequestLog, UpstreamOverrides,
};
use actionhost::credentials::SecretString;
use actionhost_e2e::bench::{median, start_upstream};
use http_body_util::BodyExt as _;
use serde_json::json;

const WARM: usize = 300;
const CALLS: usize = 3000;
const ROUNDS: usize = 3;

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// p50 of the wall time and mean CPU of this thread per call, in µs.
async fn sample<F, Fut>(mut run: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..WARM {
        run().await;
    }
    let mut times = Vec::with_capacity(CALLS);
    let cpu = thread_cpu();
    for _ in 0..CALLS {
        let started = Instant::now();
        run().await;
        times.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let cpu = (thread_cpu() - cpu).as_secs_f64() * 1e6 / CALLS as f64;
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (times[CALLS / 2], cpu)
}

/// Counts requests as the host's call tally does (a lock and a vector).
#[derive(Default)]
struct Tally(std::sync::Mutex<Vec<u16>>, AtomicUsize);

impl RequestLog for Tally {
    fn sending(&self) -> usize {
        let mut statuses = self.0.lock().unwrap();
        statuses.push(0);
        self.1.fetch_add(1, Ordering::Relaxed);
        statuses.len() - 1
    }
    fn answered(&self, number: usize, status: Option<u16>) {
        if let (Some(entry), Some(status)) = (self.0.lock().unwrap().get_mut(number), status) {
            *entry = status;
        }
    }
    fn not_sent(&self, _: usize) {}
}

/// A refresher that is never asked (the stand-in never answers 401): present, as for every
/// OAuth account, so the request is kept for a resend as the host keeps it.
struct NeverAsked;

impl RefreshCredential for NeverAsked {
    fn refresh(
        &self,
        _: SecretString,
    ) -> std::pin::Pin<Box<dyn Future<Output = Option<SecretString>> + Send + '_>> {
        Box::pin(async { panic!("the stand-in never refuses the credential") })
    }
}

fn main() {
    let upstream = start_upstream();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let overrides = format!("https://api.github.com=http://{upstream}");
    let rows: Vec<(&str, Vec<(f64, f64)>)> = runtime.block_on(async {
        let rt = actionhost_e2e::runtime(&overrides);
        let limits = actionhost::runtime::CallLimits::default();
        let github =
            actionhost_e2e::load(&rt, actionhost_e2e::bundled("github.wasm"), limits).await;
        let hostile = std::fs::read(actionhost_e2e::components::HOSTILE).unwrap();
        let noop = actionhost_e2e::load(&rt, &hostile, limits).await;
        let egress = Egress::new(
            UpstreamOverrides::parse(&overrides).unwrap(),
            Default::default(),
        )
        .unwrap();
        let credential = SecretString::new("gho_bench");
        let target = format!("http://{upstream}/repos/o/r");

        let hyper =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
        let plain = reqwest::Client::new();
        let shaped = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent("actionhost/bench")
            .build()
            .unwrap();
        let request = || OutboundRequest {
            method: HttpMethod::Get,
            url: "https://api.github.com/repos/o/r".into(),
            headers: vec![
                ("accept".into(), "application/vnd.github+json".into()),
                ("x-github-api-version".into(), "2022-11-28".into()),
            ],
            body: None,
        };
        let tally = Tally::default();
        let oauth = actionhost::runtime::CallContext {
            user: "alice".into(),
            credential: Some(credential.clone()),
            refresher: Some(Arc::new(NeverAsked)),
            ..Default::default()
        };
        let no_credential = actionhost::runtime::CallContext {
            user: "alice".into(),
            ..Default::default()
        };
        let repo = json!({"owner": "o", "repo": "r"});
        let tiny = json!({"bytes": 3});

        let names = [
            "hyper-util client GET (the minimal embedding's client)",
            "reqwest `Client::new()` GET (for comparison: the capability's client until 2026-11-30)",
            "reqwest built as the capability's was (no redirects, no proxy, user agent)",
            "`Egress::send` (on hyper-util): allowlist, header checks, rewrite, credential, deadline, scrub",
            "`Egress::send_recovering`: + request kept for a resend, request log",
            "wasm: instantiate + an action with no I/O (HOSTILE_HUGE_OUTPUT)",
            "wasm: instantiate + GITHUB_GET_REPOSITORY refused before I/O (no credential)",
            "wasm: instantiate + GITHUB_GET_REPOSITORY (SDK, WIT copies, one upstream call)",
        ];
        let mut results: Vec<Vec<(f64, f64)>> = vec![Vec::new(); names.len()];
        // `BENCH_PROFILE_ROW=N` runs only row N (from 0), over and over, for `perf record -p`.
        let only: Option<usize> = std::env::var("BENCH_PROFILE_ROW")
            .ok()
            .map(|n| n.parse().expect("BENCH_PROFILE_ROW is a row number"));
        if let Some(row) = only {
            println!(
                "pid {}: profiling row {row}: {}",
                std::process::id(),
                names[row]
            );
        }
        let wanted = |row: usize| only.is_none_or(|o| o == row);
        // One row: `$run` is timed over and over (see `sample`) when the row is wanted.
        macro_rules! row {
            ($row:expr, $run:expr) => {
                if wanted($row) {
                    results[$row].push(sample(|| async { $run }).await);
                }
            };
        }
        for _ in 0..if only.is_some() { 1000 } else { ROUNDS } {
            row!(0, {
                let request = http::Request::get(&target)
                    .header("authorization", "Bearer gho_bench")
                    .header("accept", "application/vnd.github+json")
                    .body(http_body_util::Empty::new())
                    .unwrap();
                let response = hyper.request(request).await.unwrap();
                response.into_body().collect().await.unwrap();
            });
            for (row, client) in [(1, &plain), (2, &shaped)] {
                row!(row, {
                    let r = client
                        .get(&target)
                        .bearer_auth("gho_bench")
                        .header("accept", "application/vnd.github+json")
                        .send()
                        .await
                        .unwrap();
                    r.bytes().await.unwrap();
                });
            }
            row!(3, {
                egress
                    .send(&github.grant, Some(&credential), &request(), None)
                    .await
                    .unwrap();
            });
            row!(4, {
                let mut recovery = Recovery {
                    credential: Some(credential.clone()),
                    refresher: Some(Arc::new(NeverAsked)),
                    max_retries: 2,
                    retry_safe: false,
                };
                let deadline = Instant::now() + Duration::from_secs(30);
                egress
                    .send_recovering(&github.grant, &mut recovery, request(), deadline, &tally)
                    .await
                    .unwrap();
            });
            row!(5, {
                let output = rt.execute(&noop, "HOSTILE_HUGE_OUTPUT", &tiny, &oauth).await;
                output.0.unwrap();
            });
            row!(6, {
                let refused = rt
                    .execute(&github, "GITHUB_GET_REPOSITORY", &repo, &no_credential)
                    .await;
                assert!(refused.0.is_err());
            });
            row!(7, {
                let output = rt
                    .execute(&github, "GITHUB_GET_REPOSITORY", &repo, &oauth)
                    .await;
                output.0.unwrap();
            });
        }
        if only.is_some() {
            std::process::exit(0);
        }
        names.into_iter().zip(results).collect()
    });

    println!(
        "\nOne upstream call, stage by stage, in process ({CALLS} calls per row and round, median of {ROUNDS} rounds):\n"
    );
    println!(
        "| stage | p50 | CPU per call | CPU added (against the hyper-util row, or the row above) |"
    );
    println!("|---|---|---|---|");
    let cpu_of = |row: usize| median(&rows[row].1.iter().map(|r| r.1).collect::<Vec<_>>());
    let mut previous: Option<f64> = None;
    for (row, (name, rounds)) in rows.iter().enumerate() {
        let p50 = median(&rounds.iter().map(|r| r.0).collect::<Vec<_>>());
        let cpu = median(&rounds.iter().map(|r| r.1).collect::<Vec<_>>());
        // reqwest and the capability are each measured against the bare hyper-util client; the
        // wasm rows against each other.
        let base = match row {
            1..=3 => Some(cpu_of(0)),
            5 => None,
            _ => previous,
        };
        println!(
            "| {name} | {p50:.1} µs | {cpu:.1} µs | {} |",
            base.map(|b| format!("{:+.1} µs", cpu - b))
                .unwrap_or_else(|| "–".into())
        );
        previous = Some(cpu);
    }
    let capability = median(&rows[4].1.iter().map(|r| r.1).collect::<Vec<_>>());
    let wasm_call = median(&rows[7].1.iter().map(|r| r.1).collect::<Vec<_>>())
        - median(&rows[6].1.iter().map(|r| r.1).collect::<Vec<_>>());
    let floor = median(&rows[0].1.iter().map(|r| r.1).collect::<Vec<_>>());
    println!(
        "\nThe upstream call inside a wasm action (the last row less the one before) costs {wasm_call:.1} µs of CPU; the capability alone \
         {capability:.1} µs; the hyper-util floor {floor:.1} µs ({:.2}× the floor).",
        wasm_call / floor
    );
}
