//! The sandbox holds against a deliberately hostile plugin: every attack ends that call with the
//! right error, and a well-behaved plugin keeps answering at the same time.

use std::time::Duration;

use actionhost::credentials::SecretString;
use actionhost::runtime::{ActionError, CallContext, CallError, CallLimits, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Reply, StandIn};
use actionhost_e2e::{bundled, components, load, runtime};
use serde_json::{Value, json};

fn limits() -> CallLimits {
    CallLimits {
        memory_bytes: 64 * 1024 * 1024,
        cpu_time: Duration::from_secs(1),
        wall_time: Duration::from_secs(5),
        output_bytes: 4 * 1024 * 1024,
        ..CallLimits::default()
    }
}

struct Sandbox {
    runtime: Runtime,
    hostile: LoadedPlugin,
    github: LoadedPlugin,
    upstream: StandIn,
}

async fn sandbox() -> Sandbox {
    sandbox_with(StandIn::json(json!({"full_name": "octo/hello"})).await).await
}

/// The hostile plugin and GitHub, both reaching `upstream` in place of their origins.
async fn sandbox_with(upstream: StandIn) -> Sandbox {
    let runtime = runtime(&format!(
        "https://api.hostile.test={0},https://api.github.com={0}",
        upstream.url()
    ));
    let hostile = load(
        &runtime,
        &std::fs::read(components::HOSTILE).unwrap(),
        limits(),
    )
    .await;
    let github = load(&runtime, bundled("github.wasm"), limits()).await;
    Sandbox {
        runtime,
        hostile,
        github,
        upstream,
    }
}

fn user() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: vec![],
        credential: Some(SecretString::new("hostile-key")),
        ..Default::default()
    }
}

impl Sandbox {
    async fn hostile(&self, action: &str, input: Value) -> Result<Value, CallError> {
        self.runtime
            .execute(&self.hostile, action, &input, &user())
            .await
            .0
    }

    /// Runs a hostile action while GitHub calls run next to it; all GitHub calls must succeed.
    async fn contained(&self, action: &str, input: Value) -> CallError {
        let attack = self.hostile(action, input);
        let neighbour = async {
            let mut answered = 0;
            for _ in 0..5 {
                let (result, _) = self
                    .runtime
                    .execute(
                        &self.github,
                        "GITHUB_GET_REPOSITORY",
                        &json!({"owner": "octo", "repo": "hello"}),
                        &user(),
                    )
                    .await;
                assert_eq!(
                    result.expect("the well-behaved plugin answers")["full_name"],
                    "octo/hello"
                );
                answered += 1;
            }
            answered
        };
        let (attack, answered) = tokio::join!(attack, neighbour);
        assert_eq!(answered, 5);
        attack.expect_err("the hostile action must fail")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_loop_is_stopped_at_the_cpu_time_limit() {
    let sandbox = sandbox().await;
    let error = sandbox.contained("HOSTILE_SPIN_FOREVER", json!({})).await;
    assert_eq!(
        error,
        CallError::CpuLimit {
            plugin: "hostile".into(),
            limit: Duration::from_secs(1)
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_bomb_is_stopped_at_the_memory_limit() {
    let sandbox = sandbox().await;
    let error = sandbox.contained("HOSTILE_EAT_MEMORY", json!({})).await;
    assert_eq!(
        error,
        CallError::MemoryLimit {
            plugin: "hostile".into(),
            limit_mib: 64
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_recursion_traps_instead_of_crashing_the_host() {
    let sandbox = sandbox().await;
    let error = sandbox.contained("HOSTILE_RECURSE_DEEPLY", json!({})).await;
    let CallError::Crashed { plugin, message } = error else {
        panic!("expected a crash, got {error:?}")
    };
    assert_eq!(plugin, "hostile");
    // Either the host's wasm stack or the guest's shadow stack in linear memory runs out first.
    assert!(
        message.contains("stack overflow") || message.contains("out of bounds"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_is_reported_with_the_plugins_own_message() {
    let sandbox = sandbox().await;
    let error = sandbox.contained("HOSTILE_PANIC", json!({})).await;
    assert_eq!(
        error,
        CallError::Crashed {
            plugin: "hostile".into(),
            message: "panicked: deliberate panic in the hostile plugin".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_over_the_limit_is_refused() {
    let sandbox = sandbox().await;
    let error = sandbox
        .contained("HOSTILE_HUGE_OUTPUT", json!({"bytes": 5 * 1024 * 1024}))
        .await;
    assert_eq!(
        error,
        CallError::OutputTooLarge {
            plugin: "hostile".into(),
            size: 5 * 1024 * 1024 + 2,
            limit: 4 * 1024 * 1024
        }
    );
    // Just under the limit is fine.
    let ok = sandbox
        .hostile("HOSTILE_HUGE_OUTPUT", json!({"bytes": 1024}))
        .await
        .unwrap();
    assert_eq!(ok.as_str().unwrap().len(), 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sleeping_plugin_is_stopped_at_the_wall_clock_deadline() {
    let sandbox = sandbox().await;
    let started = std::time::Instant::now();
    let error = sandbox
        .contained("HOSTILE_SLEEP", json!({"millis": 60_000}))
        .await;
    assert_eq!(
        error,
        CallError::Timeout {
            plugin: "hostile".into(),
            limit: Duration::from_secs(5)
        }
    );
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_an_undeclared_origin_is_denied_and_nothing_leaves_the_host() {
    let sandbox = sandbox().await;
    let direct = format!("{}/steal", sandbox.upstream.url());
    let error = sandbox
        .contained("HOSTILE_FETCH", json!({"url": direct}))
        .await;
    let CallError::Action(ActionError::Internal(message)) = error else {
        panic!("expected the plugin to report the denial, got {error:?}")
    };
    assert_eq!(
        message,
        format!(
            "request denied by the host: origin {} is not declared by plugin hostile (or the operator's policy removed it)",
            sandbox.upstream.url()
        )
    );
    assert!(
        sandbox
            .upstream
            .requests()
            .iter()
            .all(|r| r.path != "/steal"),
        "the undeclared request reached the network"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_cannot_set_its_own_authorization_header() {
    let sandbox = sandbox().await;
    let error = sandbox
        .contained(
            "HOSTILE_SET_AUTHORIZATION",
            json!({"url": "https://api.hostile.test/me"}),
        )
        .await;
    assert_eq!(
        error,
        CallError::Action(ActionError::Internal(
            "request refused by the host: header \"authorization\" is set by the host".into()
        ))
    );
    assert!(sandbox.upstream.requests().iter().all(|r| r.path != "/me"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_sees_no_files_no_environment_no_arguments_and_no_sockets() {
    // The test process has an environment (PATH at least) for a leak to show; it is not set
    // here, as other suites in this binary read the environment concurrently.
    assert!(
        std::env::vars_os().next().is_some(),
        "the test process has an environment"
    );
    let sandbox = sandbox().await;
    let seen = sandbox
        .hostile("HOSTILE_READ_SECRETS", json!({}))
        .await
        .unwrap();
    assert!(
        seen["file"].as_str().unwrap().starts_with("error:"),
        "{seen}"
    );
    assert!(
        seen["root"].as_str().unwrap().starts_with("error:"),
        "{seen}"
    );
    assert_eq!(seen["env"], json!([]));
    assert_eq!(seen["args"], json!([]));
    assert!(
        seen["socket"].as_str().unwrap().starts_with("error:"),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_request_carries_the_injected_api_key_and_the_host_keeps_count() {
    let sandbox = sandbox().await;
    let (result, report) = sandbox
        .runtime
        .execute(
            &sandbox.hostile,
            "HOSTILE_FETCH",
            &json!({"url": "https://api.hostile.test/ping?x=1"}),
            &user(),
        )
        .await;
    assert_eq!(result.unwrap()["status"], 200);
    let request = sandbox.upstream.single();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/ping");
    assert_eq!(request.query.as_deref(), Some("x=1"));
    assert_eq!(request.header("x-api-key"), Some("hostile-key"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(report.upstream_calls, 1);
    assert_eq!(report.last_upstream_status, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_call_leaves_the_plugin_usable_for_the_next_call() {
    let sandbox = sandbox().await;
    sandbox
        .hostile("HOSTILE_PANIC", json!({}))
        .await
        .unwrap_err();
    sandbox
        .hostile("HOSTILE_SPIN_FOREVER", json!({}))
        .await
        .unwrap_err();
    let ok = sandbox
        .hostile("HOSTILE_HUGE_OUTPUT", json!({"bytes": 3}))
        .await
        .unwrap();
    assert_eq!(ok, json!("xxx"));
}

/// Instances are made ahead of their call (runtime/spare.rs); each still serves exactly one
/// call, for the user it is bound to, whether calls come one after another (the next call takes
/// the instance made in the background) or many at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_gets_an_instance_of_its_own_even_when_made_ahead() {
    let sandbox = sandbox().await;
    for n in 0..10 {
        let who = format!("user-{n}");
        let call = CallContext {
            user: who.clone(),
            ..user()
        };
        let (result, report) = sandbox
            .runtime
            .execute(&sandbox.hostile, "HOSTILE_REMEMBER", &json!({}), &call)
            .await;
        assert_eq!(result.unwrap(), json!({"calls": 1, "user": who}));
        assert!(report.instantiate > Duration::ZERO);
        // Lets the background task make the next instance, so later calls take one made ahead.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let calls = (0..40).map(|n| {
        let call = CallContext {
            user: format!("concurrent-{n}"),
            ..user()
        };
        let sandbox = &sandbox;
        async move {
            let (result, _) = sandbox
                .runtime
                .execute(&sandbox.hostile, "HOSTILE_REMEMBER", &json!({}), &call)
                .await;
            (result.unwrap(), call.user)
        }
    });
    for (answer, user) in futures::future::join_all(calls).await {
        assert_eq!(answer, json!({"calls": 1, "user": user}));
    }
}

/// Finished calls' stores are dropped, and the next instance made, by the recycler thread (not a
/// task on the async workers): after calls one at a time, nothing waits to be dropped and an
/// instance made ahead waits for the next call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recycler_thread_drops_finished_stores_and_makes_the_next_instance() {
    let sandbox = sandbox().await;
    let runtime = &sandbox.runtime;
    assert!(
        !runtime.instance_waiting(&sandbox.hostile),
        "no call yet, nothing made ahead"
    );
    for _ in 0..5 {
        let answer = sandbox.hostile("HOSTILE_REMEMBER", json!({})).await;
        assert_eq!(answer.unwrap()["calls"], 1);
    }
    let settled = async {
        while runtime.pending_drops() > 0 || !runtime.instance_waiting(&sandbox.hostile) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), settled)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "after 5 s: {} stores not dropped, instance waiting: {}",
                runtime.pending_drops(),
                runtime.instance_waiting(&sandbox.hostile)
            )
        });
    let threads: Vec<String> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .collect();
    assert!(
        threads
            .iter()
            .any(|name| "actionhost-recycle".starts_with(name.as_str()) && name.len() >= 15),
        "the recycler runs on a thread of its own: {threads:?}"
    );
    // The instance made ahead serves the next call, fresh.
    let answer = sandbox.hostile("HOSTILE_REMEMBER", json!({})).await;
    assert_eq!(answer.unwrap()["calls"], 1);
}

/// A plugin whose start code spins does not hold back the instances other plugins' next calls
/// take: each refill is a task of its own on the recycler's thread, and a spinning one yields at
/// every epoch tick, after which the recycler takes the jobs queued meanwhile. If refills ran one
/// after another (or the recycler looked at its queue only every 61 tasks, tokio's default), the
/// hostile plugin's next instance would wait for the slow one's 400 ms of start code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_whose_start_code_spins_holds_no_other_plugins_next_instance_back() {
    let sandbox = sandbox().await;
    let runtime = &sandbox.runtime;
    let slow = load(
        runtime,
        &std::fs::read(components::SLOW_START).unwrap(),
        limits(),
    )
    .await;
    let (answer, _) = runtime
        .execute(&slow, "SLOWSTART_PING", &json!({}), &user())
        .await;
    assert_eq!(answer.unwrap(), json!({"pong": true}));
    // The recycler is now making the slow plugin's next instance: 400 ms of spinning.
    let started = std::time::Instant::now();
    let answer = sandbox.hostile("HOSTILE_REMEMBER", json!({})).await;
    assert_eq!(answer.unwrap()["calls"], 1);
    while !runtime.instance_waiting(&sandbox.hostile) {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the hostile plugin's next instance was never made"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(
        !runtime.instance_waiting(&slow),
        "the hostile plugin's instance waited for the slow one's start code ({:?})",
        started.elapsed()
    );
    // The slow one's refill does finish, and its instance serves the next call.
    while !runtime.instance_waiting(&slow) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the slow plugin's next instance was never made"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (answer, _) = runtime
        .execute(&slow, "SLOWSTART_PING", &json!({}), &user())
        .await;
    assert_eq!(answer.unwrap(), json!({"pong": true}));
}

/// A call that overlapped another (one was in flight when it started, or one started before it
/// ended) drops its own store and makes no instance ahead: with calls overlapping, waking the
/// recycler's thread for every call would take a CPU from the workers for an instance the next
/// call would most likely find taken. Once calls come one at a time again, they hand their
/// stores over and an instance is made ahead again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_overlapped_another_drops_its_own_store_and_makes_nothing_ahead() {
    let Sandbox {
        runtime,
        hostile,
        github,
        upstream: _slow,
    } = sandbox_with(
        StandIn::start(|_| {
            Reply::json(200, json!({"full_name": "octo/hello"})).delayed(Duration::from_millis(500))
        })
        .await,
    )
    .await;
    let input = json!({"owner": "octo", "repo": "hello"});
    let caller = user();
    // One call, alone when it starts: fewer calls in flight than async workers.
    let waiting = runtime.execute(&github, "GITHUB_GET_REPOSITORY", &input, &caller);
    let meanwhile = async {
        // The GitHub call is waiting for its upstream: each of these joins it.
        tokio::time::sleep(Duration::from_millis(150)).await;
        for _ in 0..3 {
            let (answer, _) = runtime
                .execute(&hostile, "HOSTILE_REMEMBER", &json!({}), &user())
                .await;
            assert_eq!(answer.unwrap()["calls"], 1);
            assert_eq!(
                runtime.pending_drops(),
                0,
                "the caller dropped its own store"
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !runtime.instance_waiting(&hostile),
            "nothing is made ahead while another call runs"
        );
    };
    let ((answer, _), ()) = tokio::join!(waiting, meanwhile);
    assert_eq!(answer.unwrap()["full_name"], "octo/hello");
    // The GitHub call started alone, but others started while it waited: it overlapped them.
    assert_eq!(
        runtime.pending_drops(),
        0,
        "the GitHub call dropped its own store"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !runtime.instance_waiting(&github),
        "a call that others joined makes nothing ahead"
    );
    // Alone again: the call hands its store over and the next instance is made ahead.
    let (answer, _) = runtime
        .execute(&hostile, "HOSTILE_REMEMBER", &json!({}), &user())
        .await;
    assert_eq!(answer.unwrap()["calls"], 1);
    let settled = async {
        while runtime.pending_drops() > 0 || !runtime.instance_waiting(&hostile) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), settled)
        .await
        .expect("an instance is made ahead once calls come one at a time");
}

/// An instance made ahead takes the limits of the call it serves: its CPU budget starts when the
/// call does, and a call that ran out of time does not leave a spent instance behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_hold_for_instances_made_ahead() {
    let sandbox = sandbox().await;
    for _ in 0..2 {
        let error = sandbox
            .hostile("HOSTILE_SPIN_FOREVER", json!({}))
            .await
            .expect_err("the loop is stopped");
        assert!(matches!(error, CallError::CpuLimit { .. }), "{error:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
        let answer = sandbox.hostile("HOSTILE_REMEMBER", json!({})).await;
        assert_eq!(answer.unwrap()["calls"], 1);
    }
}

/// Guest loads and stores are not bounds-checked one by one: the engine reserves the whole
/// 32-bit index space plus a guard region, so an address outside the linear memory lands on
/// pages that are not mapped for it. A plugin touching any such address must trap, and what it
/// writes inside its memory must not reach the next call's instance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_outside_the_linear_memory_trap_and_bytes_inside_do_not_outlive_the_call() {
    let sandbox = sandbox().await;
    let last = json!({"from_end": -1});
    let before = sandbox.hostile("HOSTILE_POKE", last.clone()).await.unwrap();
    let written = sandbox
        .hostile("HOSTILE_POKE", json!({"from_end": -1, "write": true}))
        .await
        .unwrap();
    assert_eq!(
        written["address"], before["address"],
        "the same memory size"
    );
    assert_eq!(written["byte"], 0xAA);
    assert_ne!(before["byte"], 0xAA, "the write must be told apart");
    for (poke, place) in [
        (json!({"from_end": 0}), "the first byte past the end"),
        (
            json!({"from_end": 0, "write": true}),
            "a write past the end",
        ),
        (json!({"from_end": 16 << 20}), "16 MiB past the end"),
        (
            json!({"address": 0x1000_0000u32, "write": true}),
            "the limit's 256 MiB",
        ),
        (json!({"address": 0x8000_0000u32}), "2 GiB"),
        (
            json!({"address": u32::MAX, "write": true}),
            "the last 32-bit address",
        ),
    ] {
        let error = sandbox.contained("HOSTILE_POKE", poke).await;
        let CallError::Crashed { plugin, message } = error else {
            panic!("{place}: expected a crash, got {error:?}")
        };
        assert_eq!(plugin, "hostile");
        assert!(
            message.contains("out of bounds memory access"),
            "{place}: {message}"
        );
    }
    // A fresh instance: the byte written two calls ago is not there.
    let after = sandbox.hostile("HOSTILE_POKE", last).await.unwrap();
    assert_eq!(after, before);
}
