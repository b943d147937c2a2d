//! The sandboxed runtime: compiles provider components, validates them, and runs each call in a
//! fresh wasmtime `Store` under limits.
//!
//! One [`Runtime`] holds the engine, the linker (WASI p2 with an empty context, plus the host's
//! `http` and `log` capabilities) and the compiled-component cache. Loading yields a
//! [`LoadedPlugin`] (one compiled component, one `InstancePre`, its static catalog); each call
//! instantiates it into a new store, so calls share nothing and a crash ends only that call.
//!
//! Limits per call: linear memory (a resource limiter), CPU time (epoch interruption: the
//! epoch advances every [`EPOCH_TICK`]; a tick is charged only while wasm runs), a wall-clock
//! deadline (the whole call, including upstream waits) and the output size.

mod bindings;
mod cache;
mod checks;
mod engine;
mod guest;
mod host_impl;
mod loaded;
mod spare;

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::Linker;
use wasmtime::{Engine, Store};

pub use self::checks::{CatalogLimits, LoadError, origin_warnings};
pub use self::loaded::LoadedPlugin;
use crate::capability::http::{Egress, RefreshCredential};
use crate::credentials::SecretString;
use crate::manifest::{ActionDefinition, ProviderInfo};
use bindings::types;
pub use cache::sha256_hex;
pub use guest::Contract;
use guest::{Guest, GuestPre};
use host_impl::{CallState, StderrCapture};

/// How often the epoch advances: the granularity of the CPU-time limit.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Limits for one plugin call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallLimits {
    pub memory_bytes: usize,
    pub cpu_time: Duration,
    pub wall_time: Duration,
    pub output_bytes: usize,
    /// Upstream requests one call may make (pagination included); the next one ends the call.
    pub upstream_requests: u32,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            memory_bytes: 64 * 1024 * 1024,
            cpu_time: Duration::from_secs(10),
            wall_time: Duration::from_secs(30),
            output_bytes: 4 * 1024 * 1024,
            upstream_requests: 200,
        }
    }
}

/// Who a call is for and the credential the HTTP capability may inject. The plugin sees the
/// user id and scopes, never the credential.
#[derive(Clone, Default)]
pub struct CallContext {
    pub user: String,
    pub scopes: Vec<String>,
    /// The account's fields (non-secret, shown to the plugin; templated origins use them).
    pub fields: crate::account_fields::FieldValues,
    /// The operator's part of a two-part key (the connection's client id), when the plugin
    /// declares one.
    pub operator_key: Option<String>,
    /// The operator's credential (contract 0.4: Discord's bot token), when the plugin declares
    /// one and the operator set it; sent only on requests made with `send-as-operator`.
    pub operator_secret: Option<SecretString>,
    pub credential: Option<SecretString>,
    /// Which of the plugin's auth kinds `credential` is (`None`: the primary one).
    pub credential_kind: Option<crate::manifest::CredentialKind>,
    /// Gets a new credential when the provider answers 401 to the current one (OAuth refresh);
    /// the request is then sent once more.
    pub refresher: Option<Arc<dyn RefreshCredential>>,
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("user", &self.user)
            .field("scopes", &self.scopes)
            .field("fields", &self.fields)
            .field("credential", &self.credential.as_ref().map(|_| "[set]"))
            .field(
                "operator_secret",
                &self.operator_secret.as_ref().map(|_| "[set]"),
            )
            .field("credential_kind", &self.credential_kind)
            .field("refresher", &self.refresher.is_some())
            .finish()
    }
}

/// A typed error the plugin returned (the WIT `action-error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    InvalidInput(String),
    NotFound(String),
    Unauthorized(String),
    RateLimited {
        message: String,
        retry_after_seconds: Option<u32>,
    },
    Upstream {
        status: u16,
        message: String,
        body: Option<String>,
    },
    Internal(String),
}

/// Why a call did not produce an output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("{0:?}")]
    Action(ActionError),
    #[error("plugin {plugin} exceeded its CPU time limit of {limit:?}")]
    CpuLimit { plugin: String, limit: Duration },
    #[error("plugin {plugin} exceeded its memory limit of {limit_mib} MiB")]
    MemoryLimit { plugin: String, limit_mib: usize },
    #[error("plugin {plugin} did not finish within {limit:?}")]
    Timeout { plugin: String, limit: Duration },
    #[error("plugin {plugin} returned {size} bytes, over the output limit of {limit} bytes")]
    OutputTooLarge {
        plugin: String,
        size: usize,
        limit: usize,
    },
    #[error("plugin {plugin} returned output that is not JSON: {message}")]
    InvalidOutput { plugin: String, message: String },
    #[error("plugin {plugin} returned an invalid definition: {message}")]
    InvalidDefinition { plugin: String, message: String },
    #[error("plugin {plugin} returned output nested deeper than {limit} levels")]
    OutputTooDeep { plugin: String, limit: usize },
    #[error("plugin {plugin} tried more than {limit} upstream requests in one call")]
    TooManyRequests { plugin: String, limit: u32 },
    #[error("plugin {plugin} crashed: {message}")]
    Crashed { plugin: String, message: String },
    #[error("cannot start plugin {plugin}: {message}")]
    Instantiate { plugin: String, message: String },
}

impl CallError {
    /// The contract's error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            CallError::Action(action) => match action {
                ActionError::InvalidInput(_) => "invalid_parameters",
                ActionError::NotFound(_) => "not_found",
                ActionError::Unauthorized(_) => "forbidden",
                ActionError::RateLimited { .. } => "rate_limited",
                ActionError::Upstream { .. } => "upstream_error",
                ActionError::Internal(_) => "plugin_error",
            },
            CallError::Timeout { .. } => "timeout",
            _ => "plugin_error",
        }
    }
}

/// What a call did besides its result, for audit and metrics.
#[derive(Debug, Clone, Default)]
pub struct CallReport {
    /// Status of each upstream request (0: no response).
    pub upstream_statuses: Vec<u16>,
    pub upstream_calls: u32,
    pub last_upstream_status: Option<u16>,
    /// Time the plugin spent waiting on upstream requests.
    pub upstream_time: Duration,
    pub instantiate: Duration,
    pub duration: Duration,
}

/// The runtime could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("cannot start the wasm engine: {0}")]
    Engine(String),
    #[error("cannot link {what}: {message}")]
    Link { what: &'static str, message: String },
}

/// The engine, linker and cache shared by every plugin.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    egress: Arc<Egress>,
    cache: cache::ComponentCache,
    catalog_limits: CatalogLimits,
    pub pooling: bool,
    /// Drops finished calls' stores and makes plugins' next instances, off the async workers.
    recycler: spare::Recycler,
    /// Calls between taking an instance and handing their store back.
    in_flight: std::sync::atomic::AtomicUsize,
    /// Calls ever started (wrapping): a call that sees it move on while it runs overlapped one.
    started: std::sync::atomic::AtomicUsize,
}

impl Runtime {
    /// Builds the engine (pooling allocator when it can be reserved, else on-demand) and starts
    /// the epoch ticker. `cache_dir` holds compiled components; `None` compiles every time.
    pub fn new(
        egress: Arc<Egress>,
        cache_dir: Option<std::path::PathBuf>,
    ) -> Result<Self, RuntimeError> {
        let (engine, pooling) = engine::build().map_err(RuntimeError::Engine)?;
        engine::start_epoch_ticker(&engine);
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| RuntimeError::Link {
            what: "WASI",
            message: e.to_string(),
        })?;
        let link_error = |e: wasmtime::Error| RuntimeError::Link {
            what: "the host capabilities",
            message: e.to_string(),
        };
        bindings::Provider::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |s| s)
            .map_err(link_error)?;
        bindings::v03::Provider::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
            &mut linker,
            |s| s,
        )
        .map_err(link_error)?;
        bindings::v02::Provider::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
            &mut linker,
            |s| s,
        )
        .map_err(link_error)?;
        bindings::v01::Provider::add_to_linker::<_, wasmtime::component::HasSelf<_>>(
            &mut linker,
            |s| s,
        )
        .map_err(link_error)?;
        let cache = cache::ComponentCache::new(&engine, cache_dir);
        Ok(Runtime {
            engine,
            linker,
            egress,
            cache,
            catalog_limits: CatalogLimits::default(),
            pooling,
            recycler: spare::Recycler::start().map_err(|e| {
                RuntimeError::Engine(format!("cannot start the instance recycler: {e}"))
            })?,
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            started: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// The same runtime with other caps on plugins' catalogs.
    pub fn with_catalog_limits(mut self, limits: CatalogLimits) -> Self {
        self.catalog_limits = limits;
        self
    }

    pub fn egress(&self) -> &Arc<Egress> {
        &self.egress
    }

    /// Compiles (or loads from cache), links and validates a component. Every reason it is
    /// refused is reported at once. `limits` also bound the load-time calls to `info` and
    /// `list-actions`.
    pub async fn load(&self, wasm: &[u8], limits: CallLimits) -> Result<LoadedPlugin, LoadError> {
        let hash = cache::sha256_hex(wasm);
        let component = {
            let cache = self.cache.clone();
            let engine = self.engine.clone();
            let bytes = wasm.to_vec();
            let hash = hash.clone();
            tokio::task::spawn_blocking(move || cache.compile(&engine, &bytes, &hash))
                .await
                .map_err(|e| LoadError::single(format!("compilation task failed: {e}")))?
                .map_err(LoadError::single)?
        };
        let contract = checks::check_contract_version(&self.engine, &component)?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::single(format!("cannot link the component: {e:#}")))?;
        let not_provider = |e: wasmtime::Error| {
            LoadError::single(format!(
                "the component does not export the provider interface: {e:#}"
            ))
        };
        let pre = match contract {
            Contract::V01 => {
                GuestPre::V01(bindings::v01::ProviderPre::new(instance_pre).map_err(not_provider)?)
            }
            Contract::V02 => {
                GuestPre::V02(bindings::v02::ProviderPre::new(instance_pre).map_err(not_provider)?)
            }
            Contract::V03 => {
                GuestPre::V03(bindings::v03::ProviderPre::new(instance_pre).map_err(not_provider)?)
            }
            Contract::V04 => GuestPre::V04(guest::V04Pre::new(instance_pre).map_err(not_provider)?),
        };

        // Read the static catalog once, under the same limits as any call.
        let probe = LoadedPlugin::probe(pre.clone(), hash.clone(), limits);
        let (info, actions) = self
            .run(&probe, &CallContext::default(), |guest, store| {
                Box::pin(async move {
                    let info = guest.info(&mut *store).await?;
                    let actions = guest.list_actions(&mut *store).await?;
                    Ok(Ok((info, actions)))
                })
            })
            .await
            .0
            .map_err(|e| LoadError::single(format!("calling info/list-actions failed: {e}")))?;
        let info = ProviderInfo::from(info);
        let actions: Vec<types::ActionDefinition> = actions;
        // Parsing and compiling schemas is plugin-controlled work: off the async workers.
        let limits_of_catalog = self.catalog_limits;
        let (info, actions, reasons) = tokio::task::spawn_blocking(move || {
            let (actions, reasons) = checks::check_catalog(&info, actions, &limits_of_catalog);
            (info, actions, reasons)
        })
        .await
        .map_err(|e| LoadError::single(format!("checking the catalog failed: {e}")))?;
        if !reasons.is_empty() {
            return Err(LoadError {
                plugin_id: Some(info.id.clone()),
                reasons,
            });
        }
        Ok(LoadedPlugin::new(pre, hash, info, actions, limits))
    }

    /// Runs `action` with JSON `input` (already validated against its schema); the output as a
    /// JSON value.
    pub async fn execute(
        &self,
        plugin: &LoadedPlugin,
        action: &str,
        input: &serde_json::Value,
        call: &CallContext,
    ) -> (Result<serde_json::Value, CallError>, CallReport) {
        let (result, report) = self.execute_raw(plugin, action, input, call).await;
        let value = result.and_then(|raw| {
            serde_json::from_str(raw.get()).map_err(|e| CallError::InvalidOutput {
                plugin: plugin.info.id.clone(),
                message: e.to_string(),
            })
        });
        (value, report)
    }

    /// Runs `action` like [`Self::execute`], and returns the plugin's output as the JSON text
    /// it wrote (checked to be JSON, not parsed into a tree): the API answers with it as it is.
    pub async fn execute_raw(
        &self,
        plugin: &LoadedPlugin,
        action: &str,
        input: &serde_json::Value,
        call: &CallContext,
    ) -> (
        Result<Box<serde_json::value::RawValue>, CallError>,
        CallReport,
    ) {
        let input = input.to_string();
        let retry_safe = plugin
            .action(action)
            .is_some_and(|a| a.hints.idempotent || a.hints.read_only);
        let action = action.to_string();
        let (result, report) = self
            .run(plugin, call, move |guest, store| {
                Box::pin(async move {
                    store.data_mut().recovery.retry_safe = retry_safe;
                    let context = store.data().guest_context();
                    let output = guest
                        .execute(&mut *store, &action, &input, &context)
                        .await?;
                    Ok(output.map_err(ActionError::from))
                })
            })
            .await;
        let (id, limit) = (plugin.info.id.clone(), plugin.limits.output_bytes);
        let result = match result {
            // Reading a large output is plugin-controlled work: off the async workers.
            Ok(text) if text.len() > INLINE_OUTPUT_BYTES => {
                tokio::task::spawn_blocking(move || checked_output(&id, text, limit))
                    .await
                    .unwrap_or_else(|e| {
                        Err(CallError::InvalidOutput {
                            plugin: plugin.info.id.clone(),
                            message: format!("checking the output failed: {e}"),
                        })
                    })
            }
            Ok(text) => checked_output(&id, text, limit),
            Err(e) => Err(e),
        };
        (result, report)
    }

    /// Asks the plugin for the user-specific definition of an action (dynamic schemas).
    pub async fn describe(
        &self,
        plugin: &LoadedPlugin,
        action: &str,
        call: &CallContext,
    ) -> (Result<ActionDefinition, CallError>, CallReport) {
        let asked = action.to_string();
        let (result, report) = self
            .run(plugin, call, move |guest, store| {
                Box::pin(async move {
                    let context = store.data().guest_context();
                    let definition = guest.describe(&mut *store, &asked, &context).await?;
                    Ok(definition.map_err(ActionError::from))
                })
            })
            .await;
        let invalid = |message: String| CallError::InvalidDefinition {
            plugin: plugin.info.id.clone(),
            message,
        };
        let result = result.and_then(|definition| {
            // A plugin may only complete the action it was asked about, under its own name.
            if definition.name != action {
                return Err(invalid(format!(
                    "describe of {action} returned a definition named {:?}",
                    crate::quote::clip(&definition.name, 100)
                )));
            }
            if let Some(problem) =
                checks::schema_size_problem(action, &definition, &self.catalog_limits)
            {
                return Err(invalid(problem));
            }
            ActionDefinition::try_from(definition).map_err(invalid)
        });
        (result, report)
    }

    /// Asks the plugin what it finds about a newly connected account (contract 0.2
    /// `after-connect`): fields of source `after-connect`, checked against their declarations,
    /// and a display label. `call` carries the new credential and the fields known so far.
    pub async fn after_connect(
        &self,
        plugin: &LoadedPlugin,
        call: &CallContext,
    ) -> (Result<Connected, CallError>, CallReport) {
        let (result, report) = self
            .run(plugin, call, move |guest, store| {
                Box::pin(async move {
                    // It finds things out: its requests are reads, safe to retry.
                    store.data_mut().recovery.retry_safe = true;
                    let context = store.data().guest_context();
                    let found = guest.after_connect(&mut *store, &context).await?;
                    Ok(found.map_err(ActionError::from))
                })
            })
            .await;
        let result = result.and_then(|found| {
            let fields: crate::account_fields::FieldValues = found.fields.into_iter().collect();
            plugin
                .fields
                .check_given(&fields, &[crate::manifest::FieldSource::AfterConnect])
                .map_err(|problems| CallError::InvalidDefinition {
                    plugin: plugin.info.id.clone(),
                    message: format!("after-connect returned bad fields: {}", problems.join("; ")),
                })?;
            let label = found
                .label
                .map(|l| crate::quote::clip(l.trim(), MAX_LABEL).into_owned())
                .filter(|l| !l.is_empty() && !l.chars().any(char::is_control));
            Ok(Connected { fields, label })
        });
        (result, report)
    }

    /// Finished calls' stores handed to the recycler thread and not yet dropped (for tests and
    /// diagnostics).
    #[doc(hidden)]
    pub fn pending_drops(&self) -> usize {
        self.recycler.pending()
    }

    /// Whether an instance of `plugin` made ahead is waiting for its next call (for tests).
    #[doc(hidden)]
    pub fn instance_waiting(&self, plugin: &LoadedPlugin) -> bool {
        plugin.spare.as_ref().is_some_and(|spare| !spare.is_empty())
    }

    fn maker(&self, plugin: &LoadedPlugin) -> spare::Maker {
        spare::Maker::new(&self.engine, &self.egress, plugin)
    }

    /// Hands a finished call's store to the recycler thread, which drops it and makes the
    /// plugin's next instance (`spare.rs`), when the call ran alone; a call that overlapped
    /// another does both itself.
    fn recycle(&self, plugin: &LoadedPlugin, used: Option<Store<CallState>>, call: &InFlight<'_>) {
        let busy = call.overlapped();
        spare::recycle(plugin, || self.maker(plugin), used, &self.recycler, busy);
    }

    /// Instantiates `plugin` in a fresh store and runs `body` under the plugin's limits.
    async fn run<T, F>(
        &self,
        plugin: &LoadedPlugin,
        call: &CallContext,
        body: F,
    ) -> (Result<T, CallError>, CallReport)
    where
        T: Send + 'static,
        F: for<'a> FnOnce(
                &'a Guest,
                &'a mut Store<CallState>,
            ) -> std::pin::Pin<
                Box<dyn Future<Output = wasmtime::Result<Result<T, ActionError>>> + Send + 'a>,
            > + Send,
    {
        let started = Instant::now();
        let limits = plugin.limits;
        let plugin_id = plugin.info.id.clone();
        let deadline = started + limits.wall_time;
        let mut report = CallReport::default();
        let in_flight = InFlight::enter(&self.in_flight, &self.started);
        let taken = plugin.spare.as_ref().and_then(|s| s.take());
        let made = match taken {
            Some(prepared) => Ok(prepared),
            // Boxed: only a call that finds no instance waiting pays for this future's size.
            None => {
                match crate::deadline::within(deadline, Box::pin(self.maker(plugin).make())).await {
                    Ok(made) => made,
                    Err(_) => Err(CallError::Timeout {
                        plugin: plugin_id.clone(),
                        limit: limits.wall_time,
                    }),
                }
            }
        };
        let mut prepared = match made {
            Ok(prepared) => prepared,
            Err(e) => {
                self.recycle(plugin, None, &in_flight);
                report.duration = started.elapsed();
                return (Err(e), report);
            }
        };
        prepared.bind(plugin, call, deadline);
        // Read after the call whatever its end: a call that timed out still made its requests.
        let tally = prepared.store.data().upstream.clone();
        report.instantiate = prepared.instantiate;
        let spare::Prepared {
            mut store,
            guest,
            stderr,
            ..
        } = prepared;
        let work = async {
            let outcome = body(&guest, &mut store).await;
            let result = match outcome {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(action_error)) => Err(CallError::Action(action_error)),
                Err(trap) => Err(classify_trap(
                    &plugin_id,
                    &limits,
                    store.data(),
                    &trap,
                    &stderr,
                )),
            };
            (result, store)
        };
        let (result, used) = match crate::deadline::within(deadline, work).await {
            Ok((result, store)) => {
                report.upstream_time = store.data().upstream_time;
                (result, Some(store))
            }
            Err(_) => (
                Err(CallError::Timeout {
                    plugin: plugin_id.clone(),
                    limit: limits.wall_time,
                }),
                None,
            ),
        };
        report.upstream_statuses = tally.statuses();
        report.upstream_calls = report.upstream_statuses.len() as u32;
        report.last_upstream_status = report
            .upstream_statuses
            .iter()
            .rev()
            .copied()
            .find(|s| *s != 0);
        // A call that ran alone hands its store to the recycler thread, which drops it (resetting
        // its pooled memory) and makes the plugin's next instance off this caller's path; one that
        // overlapped another drops it here.
        self.recycle(plugin, used, &in_flight);
        stderr.flush_to_log(&plugin_id, &tally);
        tally.finish(&plugin_id);
        report.duration = started.elapsed();
        (result, report)
    }
}

/// Counts a call in flight until it is dropped (also when the call's future is), and tells
/// whether it overlapped another.
struct InFlight<'a> {
    in_flight: &'a std::sync::atomic::AtomicUsize,
    started: &'a std::sync::atomic::AtomicUsize,
    /// Another call was in flight when this one started.
    joined: bool,
    /// `started` just after this call counted itself.
    ticket: usize,
}

impl<'a> InFlight<'a> {
    fn enter(
        in_flight: &'a std::sync::atomic::AtomicUsize,
        started: &'a std::sync::atomic::AtomicUsize,
    ) -> Self {
        use std::sync::atomic::Ordering::Relaxed;
        let joined = in_flight.fetch_add(1, Relaxed) > 0;
        let ticket = started.fetch_add(1, Relaxed).wrapping_add(1);
        InFlight {
            in_flight,
            started,
            joined,
            ticket,
        }
    }

    /// Another call was in flight when this one started, or has started since.
    fn overlapped(&self) -> bool {
        self.joined || self.started.load(std::sync::atomic::Ordering::Relaxed) != self.ticket
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.in_flight
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Longest account label kept from `after-connect`.
const MAX_LABEL: usize = 200;

/// What `after-connect` found about a new account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connected {
    pub fields: crate::account_fields::FieldValues,
    pub label: Option<String>,
}

/// Outputs up to this size are checked on the async worker (tens of microseconds at most).
const INLINE_OUTPUT_BYTES: usize = 64 * 1024;

/// The plugin's output as JSON text, if it is one JSON value within the size and nesting limits.
fn checked_output(
    plugin: &str,
    text: String,
    limit: usize,
) -> Result<Box<serde_json::value::RawValue>, CallError> {
    if text.len() > limit {
        return Err(CallError::OutputTooLarge {
            plugin: plugin.to_string(),
            size: text.len(),
            limit,
        });
    }
    if crate::schema::nests_deeper_than(text.as_bytes(), crate::schema::MAX_JSON_DEPTH) {
        return Err(CallError::OutputTooDeep {
            plugin: plugin.to_string(),
            limit: crate::schema::MAX_JSON_DEPTH,
        });
    }
    serde_json::value::RawValue::from_string(text).map_err(|e| CallError::InvalidOutput {
        plugin: plugin.to_string(),
        message: e.to_string(),
    })
}

fn cpu_ticks(cpu: Duration) -> u64 {
    (cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
}

fn classify_trap(
    plugin: &str,
    limits: &CallLimits,
    state: &CallState,
    trap: &wasmtime::Error,
    stderr: &StderrCapture,
) -> CallError {
    let plugin = plugin.to_string();
    if state.cpu_exceeded {
        return CallError::CpuLimit {
            plugin,
            limit: limits.cpu_time,
        };
    }
    if state.limiter.exceeded() {
        return CallError::MemoryLimit {
            plugin,
            limit_mib: limits.memory_bytes / (1024 * 1024),
        };
    }
    if state.upstream.over_cap() {
        return CallError::TooManyRequests {
            plugin,
            limit: limits.upstream_requests,
        };
    }
    let message = match trap.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::StackOverflow) => "stack overflow (recursion too deep)".to_string(),
        Some(code) => match stderr.panic_message() {
            Some(panic) => format!("panicked: {panic}"),
            None => format!("trap: {code}"),
        },
        None => crate::quote::clip(&format!("{trap}"), 500).into_owned(),
    };
    CallError::Crashed { plugin, message }
}
