//! Instances made ahead of their call, and stores torn down after it.
//!
//! Every call still gets a fresh instance that no other call ever touches; what changes is
//! *when* the work around it happens. Creating a store and instantiating the component, and
//! later dropping the store (which resets the instance's pooled memory), used to sit on the
//! request's critical path. Now, after each call, the recycler thread drops that call's store and,
//! when the plugin has no instance waiting, instantiates the next one. The next call takes it
//! and fills in who it is for (user, credential, deadline, limits) before any guest code runs.
//! A call that finds no instance waiting (the first one, or several at once) instantiates its
//! own, as before. A call that overlapped another (one was in flight when it started, or one
//! started before it ended) drops its own store and asks for nothing ahead: with calls
//! overlapping, the next one would likely find the spare taken or still being made, and each
//! hand-over wakes the recycler's thread, which then takes a CPU from the async workers.
//! Instances made ahead are for the host that serves one call at a time, where they take
//! instantiation off every request's path.
//!
//! An instance made ahead has run no guest code for anyone: component instantiation initialises
//! the module's memory and tables, and runs the component's own start code, if it has any,
//! with no call, no credential, and every `http` request refused. At most one instance per plugin waits, and only
//! for plugins that have been called; it goes away with its plugin (unload or hot reload).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{Engine, Store, UpdateDeadline};
use wasmtime_wasi::WasiCtx;

use super::guest::{Guest, GuestPre};
use super::host_impl::{CallState, CallTally, MemoryLimiter, StderrCapture};
use super::{CallContext, CallError, CallLimits, LoadedPlugin, cpu_ticks};
use crate::capability::http::{Egress, EgressGrant, Recovery};

/// A fresh store with the plugin instantiated in it, not yet bound to a call.
pub(super) struct Prepared {
    pub store: Store<CallState>,
    pub guest: Guest,
    pub stderr: StderrCapture,
    /// How long instantiation took (reported to metrics, whenever it happened).
    pub instantiate: Duration,
}

impl Prepared {
    /// Binds the instance to one call: the caller, the deadline and the plugin's current limits
    /// and grant (the operator's policy may have changed them since the instance was made).
    pub fn bind(&mut self, plugin: &LoadedPlugin, call: &CallContext, deadline: Instant) {
        let state = self.store.data_mut();
        state.call = call.clone();
        // The plugin is told which kind it holds; unset, it is the primary auth's.
        state
            .call
            .credential_kind
            .get_or_insert_with(|| plugin.info.auth.kind());
        state.recovery = Recovery {
            credential: call.credential.clone(),
            refresher: call.refresher.clone(),
            max_retries: plugin.max_retries,
            retry_safe: false,
        };
        state.deadline = deadline;
        state.limiter = MemoryLimiter::new(plugin.limits.memory_bytes);
        state.cpu_ticks_left = cpu_ticks(plugin.limits.cpu_time);
        state.cpu_exceeded = false;
        state.grant = plugin.call_grant(call);
        state.operator_grant = plugin.operator_grant(&state.grant);
        state.plugin_id.clone_from(&plugin.info.id);
        state.upstream = CallTally::new(plugin.limits.upstream_requests);
        state.bound = true;
        self.store.set_epoch_deadline(1);
    }
}

/// The instance (at most one) waiting for a plugin's next call.
#[derive(Default)]
pub(super) struct Spare {
    waiting: Mutex<Option<Prepared>>,
    /// The recycler is making the next instance.
    making: AtomicBool,
}

impl Spare {
    pub fn take(&self) -> Option<Prepared> {
        self.waiting.lock().expect("spare lock").take()
    }

    fn put(&self, prepared: Prepared) {
        *self.waiting.lock().expect("spare lock") = Some(prepared);
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.lock().expect("spare lock").is_none()
    }
}

/// What it takes to instantiate a plugin, detached from the plugin so the recycler thread can
/// own it.
pub(super) struct Maker {
    engine: Engine,
    pre: GuestPre,
    egress: Arc<Egress>,
    grant: Arc<EgressGrant>,
    plugin_id: String,
    limits: CallLimits,
}

impl Maker {
    pub fn new(engine: &Engine, egress: &Arc<Egress>, plugin: &LoadedPlugin) -> Self {
        Maker {
            engine: engine.clone(),
            pre: plugin.pre.clone(),
            egress: egress.clone(),
            grant: plugin.grant.clone(),
            plugin_id: plugin.info.id.clone(),
            limits: plugin.limits,
        }
    }

    /// A new store under the plugin's limits, with the component instantiated in it.
    pub async fn make(&self) -> Result<Prepared, CallError> {
        let stderr = StderrCapture::new();
        let mut wasi = WasiCtx::builder();
        wasi.stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        let state = CallState {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(self.limits.memory_bytes),
            cpu_ticks_left: cpu_ticks(self.limits.cpu_time),
            cpu_exceeded: false,
            plugin_id: self.plugin_id.clone(),
            grant: self.grant.clone(),
            operator_grant: None,
            egress: self.egress.clone(),
            call: CallContext::default(),
            recovery: Recovery::default(),
            deadline: Instant::now() + self.limits.wall_time,
            upstream: CallTally::new(self.limits.upstream_requests),
            bound: false,
            upstream_time: Duration::ZERO,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_callback(|mut ctx| {
            let state = ctx.data_mut();
            if state.cpu_ticks_left == 0 {
                state.cpu_exceeded = true;
                return Err(wasmtime::Error::msg("CPU time limit exceeded"));
            }
            state.cpu_ticks_left -= 1;
            // Yield so one busy plugin cannot hold a tokio worker.
            Ok(UpdateDeadline::Yield(1))
        });
        store.set_epoch_deadline(1);
        let started = Instant::now();
        let guest =
            self.pre
                .instantiate_async(&mut store)
                .await
                .map_err(|e| CallError::Instantiate {
                    plugin: self.plugin_id.clone(),
                    message: format!("{e:#}"),
                })?;
        Ok(Prepared {
            store,
            guest,
            stderr,
            instantiate: started.elapsed(),
        })
    }
}

/// Stores waiting for a background drop beyond which the caller drops its own: keeps the pool
/// slots held by finished calls bounded when the recycler falls behind.
const MAX_PENDING_DROPS: usize = 64;

/// One finished call's leftovers for the recycler thread.
struct Job {
    /// The call's store, to drop (which resets its pooled memory); counted in `pending`.
    used: Option<Store<CallState>>,
    /// The plugin's spare slot to fill, and what it takes.
    refill: Option<(Arc<Spare>, Maker)>,
}

/// The thread that drops finished calls' stores and makes plugins' next instances.
///
/// It is a thread of its own, not a task on the async workers: a task spawned at the end of a
/// request landed in tokio's LIFO slot, pushed out the task already there (often the upstream
/// connection's) and woke the other worker to take it, so a request's tasks ended up split
/// across both workers and every hand-off between them cost a cross-CPU wake-up (at
/// concurrency 1, `docs/performance.md`). Handing the work to this thread wakes only it.
#[derive(Clone)]
pub(super) struct Recycler {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
    /// Stores handed over and not yet dropped.
    pending: Arc<AtomicUsize>,
}

impl Recycler {
    /// Starts the thread; it ends when the last handle is dropped, after the work queued.
    pub fn start() -> std::io::Result<Self> {
        let (jobs, mut queued) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let counted = pending.clone();
        // The receiving loop (the `block_on` future) is polled after every task, not after every
        // 61 (tokio's default): a refill whose start code spins yields at each epoch tick, and
        // with the default the jobs queued meanwhile waited 61 ticks (610 ms) for it.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .event_interval(1)
            .build()?;
        std::thread::Builder::new()
            .name("actionhost-recycle".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queued.recv().await {
                        if let Some(store) = job.used {
                            drop(store);
                            counted.fetch_sub(1, Ordering::AcqRel);
                        }
                        // Each refill is a task of this thread's runtime: a component whose
                        // start code spins yields every epoch tick until its CPU limit stops
                        // it, and the other plugins' drops and refills go on meanwhile.
                        if let Some((spare, maker)) = job.refill {
                            tokio::spawn(async move {
                                if let Ok(prepared) = maker.make().await {
                                    spare.put(prepared);
                                }
                                spare.making.store(false, Ordering::Release);
                            });
                        }
                    }
                })
            })?;
        Ok(Recycler { jobs, pending })
    }

    /// Stores handed over and not yet dropped.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }
}

/// After a call: hands its store (if it still has it) to the recycler to drop and, when the
/// plugin keeps a spare and none is waiting or being made, asks it to make the next one. The
/// caller's response does not wait for either.
///
/// When the call overlapped another (`busy`), the caller does both itself, at once: its store
/// is dropped here and no instance is made ahead, since the next call would most likely find it
/// taken by another. Under that load a hand-over costs more than the work it moves: each one
/// wakes the recycler's thread, which then takes a CPU from the workers (`docs/performance.md`,
/// sixteenth and twentieth sessions).
pub(super) fn recycle(
    plugin: &LoadedPlugin,
    maker: impl FnOnce() -> Maker,
    mut used: Option<Store<CallState>>,
    recycler: &Recycler,
    busy: bool,
) {
    if busy {
        drop(used);
        return;
    }
    if used.is_some() && recycler.pending.load(Ordering::Acquire) >= MAX_PENDING_DROPS {
        used = None;
    }
    let refill = plugin
        .spare
        .as_ref()
        .filter(|spare| spare.is_empty() && !spare.making.swap(true, Ordering::AcqRel))
        .cloned();
    if used.is_none() && refill.is_none() {
        return;
    }
    // Only a refill needs what it takes to instantiate; most calls just hand their store over.
    let refill = refill.map(|spare| (spare, maker()));
    if used.is_some() {
        recycler.pending.fetch_add(1, Ordering::AcqRel);
    }
    if let Err(refused) = recycler.jobs.send(Job { used, refill }) {
        // The thread is gone (the runtime is shutting down): drop here.
        let Job { used, refill } = refused.0;
        if used.is_some() {
            recycler.pending.fetch_sub(1, Ordering::AcqRel);
        }
        if let Some((spare, _)) = refill {
            spare.making.store(false, Ordering::Release);
        }
    }
}
