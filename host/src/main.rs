//! The `actionhost` command: `serve`, `token`, `plugin check`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};

use actionhost::app::AppState;
use actionhost::config::{Settings, SettingsArgs};

/// mimalloc instead of glibc's malloc: under load, glibc's arena locks and frees cost about a
/// tenth of the host's CPU per request (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "actionhost",
    version,
    about = "Sandboxed WebAssembly actions for AI agents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API with the bundled plugins (and ACTIONHOST_PLUGINS_DIR).
    Serve {
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Print a user JWT signed with the configured secret (development and tests).
    Token {
        /// The user id (`sub`).
        #[arg(long)]
        user: String,
        /// Seconds until the token expires.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Copy a sled store (the data dir of a host serving on sled) into the PostgreSQL database
    /// of ACTIONHOST_DATABASE_URL. Safe to run again: records already there are kept, and
    /// every run checks that each record arrived.
    Migrate {
        /// The data dir whose `store` to copy (stop the host serving from it first).
        #[arg(long = "from-sled", value_name = "DIR")]
        from_sled: PathBuf,
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Work with plugin components.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Validate a component as the host would on load; print its provider info and actions, or
    /// every reason it would be refused.
    Check {
        /// The `.wasm` component.
        file: PathBuf,
    },
    /// Print the catalog of the bundled plugins (integrations, auth, account fields, actions) as
    /// Markdown: `docs/providers.md` is its output.
    Catalog,
    /// Scaffold a new plugin crate that builds with `cargo build --release --target wasm32-wasip2`.
    New {
        /// The integration id, e.g. `acme` (`^[a-z][a-z0-9_]{0,31}$`).
        name: String,
        /// Folder to create the crate in (default: the current directory).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// The actionhost-sdk to depend on by path (default: this build's `sdk/`).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Run one action in the real sandbox, without a server.
    Run {
        /// The `.wasm` component.
        file: PathBuf,
        /// The action, e.g. `ACME_GET_WIDGET`.
        action: String,
        /// The parameters as JSON.
        #[arg(long, default_value = "{}")]
        params: String,
        /// The credential to inject (bearer token or API key, as the plugin's auth kind says).
        #[arg(long, env = "ACTIONHOST_RUN_CREDENTIAL", hide_env_values = true)]
        credential: Option<String>,
        /// `ORIGIN=URL`: send the plugin's requests for ORIGIN to URL (repeatable).
        #[arg(long = "upstream-override")]
        upstream_overrides: Vec<String>,
        /// PEM file of CA certificates trusted besides Mozilla's roots (an internal CA).
        #[arg(long, env = "ACTIONHOST_CA_FILE")]
        ca_file: Option<PathBuf>,
        /// The user id the plugin is told about.
        #[arg(long, default_value = "local-user")]
        user: String,
    },
}

/// Log lines waiting for stderr at most.
const LOG_QUEUE_LINES: usize = 8192;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Work still running (a plugin compiling on the blocking pool) must not hold the exit.
    runtime.shutdown_timeout(SHUTDOWN_LEFTOVERS);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// How long requests in flight may take to finish after SIGTERM before the host stops anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// How long background work (a plugin being compiled) may hold the exit after that.
const SHUTDOWN_LEFTOVERS: std::time::Duration = std::time::Duration::from_secs(1);

/// Logs go to stderr from a writer thread, so requests never wait on the write; the returned
/// guard flushes what is left when `main` ends. The queue is bounded: when stderr is read more
/// slowly than lines come, lines are dropped rather than held in memory or made to stall the
/// server (every line about a plugin is bounded in size, so the queue is too).
fn init_logging() -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACTIONHOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(std::io::stderr());
    use std::io::IsTerminal as _;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer)
        .init();
    guard
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { settings } => {
            let settings = Settings::resolve(&settings)?;
            serve(settings).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            user,
            ttl,
            settings,
        } => {
            let settings = Settings::resolve(&settings)?;
            let auth = actionhost::identity::Authenticator::from_settings(&settings)?;
            println!("{}", auth.mint(&user, ttl)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate {
            from_sled,
            settings,
        } => {
            let settings = Settings::resolve(&settings)?;
            migrate(&from_sled, &settings).await
        }
        Command::Plugin { command } => match command {
            PluginCommand::Check { file } => plugin_check(&file).await,
            PluginCommand::Catalog => plugin_catalog().await,
            PluginCommand::New { name, dir, sdk } => {
                let sdk = sdk.unwrap_or_else(|| {
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk")
                });
                let created = actionhost::scaffold::create(&name, &dir, &sdk)?;
                println!("created {}", created.display());
                println!(
                    "build it with: cd {} && cargo build --release --target wasm32-wasip2",
                    created.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            PluginCommand::Run {
                file,
                action,
                params,
                credential,
                upstream_overrides,
                ca_file,
                user,
            } => {
                plugin_run(
                    &file,
                    &action,
                    &params,
                    credential,
                    &upstream_overrides,
                    ca_file.as_deref(),
                    &user,
                )
                .await
            }
        },
    }
}

async fn migrate(from: &std::path::Path, settings: &Settings) -> anyhow::Result<ExitCode> {
    let Some(url) = &settings.database_url else {
        anyhow::bail!("set ACTIONHOST_DATABASE_URL to the PostgreSQL database to copy into");
    };
    let target = actionhost::store::Store::connect(url.expose(), 4).await?;
    let copied = actionhost::migrate::from_sled(from, &target).await?;
    println!("{:<20} {:>10} {:>10}", "copied", "in sled", "added");
    for tree in &copied {
        println!("{:<20} {:>10} {:>10}", tree.name, tree.total, tree.added);
    }
    println!(
        "every record is in the database. Secrets were copied sealed: start the hosts with the \
         master key of {} (ACTIONHOST_MASTER_KEY, or the key file {} there).",
        from.display(),
        from.join("master.key").display()
    );
    Ok(ExitCode::SUCCESS)
}

async fn serve(mut settings: Settings) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    // The bound address (the port may have been 0) is what OAuth redirects come back to.
    settings.listen = address.to_string();
    let state = AppState::start(settings).await?;
    let app = actionhost::api::router(state.clone());
    // Answers go out as soon as they are written: with Nagle's algorithm on, the last part of
    // an answer larger than the socket buffer (a full tool listing is ~1 MB) waited for the
    // client's delayed ACK, 40 ms on Linux.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
        }
    });
    println!("actionhost listening on http://{address}");
    let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        signalled.notify_one();
    });
    tokio::select! {
        served = server => served?,
        () = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!("requests still running {SHUTDOWN_GRACE:?} after the stop signal were cut off"),
    }
    // Nothing lost on a clean stop: queued audit records, then everything else, reach disk.
    let audit = state.audit.clone();
    tokio::task::spawn_blocking(move || audit.sync()).await?;
    state.store.flush().await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
    tracing::info!("shutting down");
}

async fn plugin_run(
    file: &std::path::Path,
    action: &str,
    params: &str,
    credential: Option<String>,
    overrides: &[String],
    ca_file: Option<&std::path::Path>,
    user: &str,
) -> anyhow::Result<ExitCode> {
    use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides, read_ca_file};
    use actionhost::runtime::CallContext;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let params: serde_json::Value =
        serde_json::from_str(params).with_context(|| "--params is not valid JSON")?;
    let overrides = UpstreamOverrides::parse(&overrides.join(",")).map_err(anyhow::Error::msg)?;
    let roots = match ca_file {
        Some(path) => {
            read_ca_file(path).map_err(|e| anyhow::anyhow!("--ca-file {}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    let egress = Egress::with_roots(overrides, EgressLimits::default(), &roots)?;
    let runtime = actionhost::runtime::Runtime::new(std::sync::Arc::new(egress), None)?;
    let plugin = match runtime.load(&bytes, Default::default()).await {
        Ok(plugin) => plugin,
        Err(error) => {
            eprintln!("refused: {}", file.display());
            for reason in &error.reasons {
                eprintln!("  - {reason}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let Some(definition) = plugin.action(action) else {
        let names: Vec<&str> = plugin.actions.iter().map(|a| a.name.as_str()).collect();
        eprintln!(
            "error: {} has no action {action}; it has {}",
            plugin.info.id,
            names.join(", ")
        );
        return Ok(ExitCode::from(1));
    };
    // The same validation the host applies before any plugin code runs.
    let validator = actionhost::catalog::ParameterValidator::new(&definition.input_schema)
        .map_err(anyhow::Error::msg)?;
    if let Err(errors) = validator.check(&params) {
        eprintln!("error: invalid parameters");
        for e in errors {
            eprintln!(
                "  {}: {}",
                if e.path.is_empty() { "(root)" } else { &e.path },
                e.message
            );
        }
        return Ok(ExitCode::from(1));
    }
    let call = CallContext {
        user: user.to_string(),
        credential: credential.map(actionhost::credentials::SecretString::new),
        ..CallContext::default()
    };
    let (result, report) = runtime.execute(&plugin, action, &params, &call).await;
    match result {
        Ok(output) => {
            println!("{}", serde_json::to_string_pretty(&output)?);
            eprintln!(
                "ok in {:?} ({} upstream call{})",
                report.duration,
                report.upstream_calls,
                if report.upstream_calls == 1 { "" } else { "s" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            let api = actionhost::api::error::ApiError::from(error);
            eprintln!("error: {} ({}): {api}", api.code(), api.status().as_u16());
            Ok(ExitCode::from(1))
        }
    }
}

/// `plugin catalog`: every bundled plugin loaded as the host would, printed as Markdown.
async fn plugin_catalog() -> anyhow::Result<ExitCode> {
    use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides};
    let egress = Egress::new(UpstreamOverrides::default(), EgressLimits::default())?;
    let runtime = actionhost::runtime::Runtime::new(std::sync::Arc::new(egress), None)?;
    let mut loaded = Vec::new();
    for (file, bytes) in actionhost::bundled::PLUGINS {
        let plugin = runtime.load(bytes, Default::default()).await.map_err(|e| {
            anyhow::anyhow!("the bundled {file} is refused: {}", e.reasons.join("; "))
        })?;
        loaded.push(plugin);
    }
    let plugins: Vec<&actionhost::runtime::LoadedPlugin> = loaded.iter().collect();
    print!("{}", actionhost::catalog::markdown::render(&plugins));
    Ok(ExitCode::SUCCESS)
}

async fn plugin_check(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let egress = Egress::new(UpstreamOverrides::default(), EgressLimits::default())?;
    let runtime = actionhost::runtime::Runtime::new(std::sync::Arc::new(egress), None)?;
    match runtime.load(&bytes, Default::default()).await {
        Ok(plugin) => {
            let info = &plugin.info;
            println!("ok: {} ({}) {}", info.id, info.name, info.version);
            println!(
                "  contract: actionhost:provider@{}",
                plugin.contract.version()
            );
            println!("  {}", info.description);
            println!("  categories: {}", info.categories.join(", "));
            println!("  auth: {}", info.auth.kind().as_str());
            for alternative in &info.alternative_auth {
                println!("  or auth: {}", alternative.kind().as_str());
            }
            if let Some(endpoints) = info.oauth2() {
                // These receive the operator's client secret and users' refresh tokens unless
                // the operator's connection sets its own.
                println!("  oauth2 authorize: {}", endpoints.authorize_url);
                println!("  oauth2 token: {}", endpoints.token_url);
                if let Some(revoke) = &endpoints.revoke_url {
                    println!("  oauth2 revoke: {revoke}");
                }
                if let Some(header) = &endpoints.token_header {
                    println!(
                        "  oauth2 token header: {}: {}<token>",
                        header.name, header.prefix
                    );
                }
            }
            if let Some(credential) = &info.operator_credential {
                println!(
                    "  operator credential: {} ({}: {}<secret>, on requests made as the operator)",
                    credential.label, credential.header.name, credential.header.prefix
                );
            }
            for (origin, credentials) in &info.origins {
                let note = if *credentials {
                    ""
                } else {
                    " (no credentials)"
                };
                println!("  origin: {origin}{note}");
            }
            for field in &info.account_fields {
                let source = serde_json::to_value(field.source)?;
                println!(
                    "  account field: {} ({}{}, from {}){}",
                    field.name,
                    if field.required {
                        "required"
                    } else {
                        "optional"
                    },
                    field
                        .pattern
                        .as_ref()
                        .map(|p| format!(", pattern {p}"))
                        .unwrap_or_default()
                        + &field
                            .default_value
                            .as_ref()
                            .map(|d| format!(", default {d}"))
                            .unwrap_or_default(),
                    source.as_str().unwrap_or("?"),
                    if field.description.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", field.description)
                    }
                );
            }
            println!("  actions ({}):", plugin.actions.len());
            for action in &plugin.actions {
                println!("    {} - {}", action.name, action.description);
                if !action.scopes.is_empty() {
                    let scopes: Vec<String> =
                        action.scopes.iter().map(|any| any.join(" or ")).collect();
                    println!("      scopes: {}", scopes.join(", "));
                }
            }
            for warning in actionhost::runtime::origin_warnings(info) {
                println!("warning: {warning}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("refused: {}", file.display());
            for reason in &error.reasons {
                println!("  - {reason}");
            }
            Ok(ExitCode::from(1))
        }
    }
}
