//! The `actionhost` command: `serve`, `token`, `plugin check`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use actionhost::app::AppState;
use actionhost::config::{Settings, SettingsArgs};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
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
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ACTIONHOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
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
            let auth = actionhost::api::auth::Authenticator::from_settings(&settings)?;
            println!("{}", auth.mint(&user, ttl).map_err(anyhow::Error::msg)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugin {
            command: PluginCommand::Check { file },
        } => plugin_check(&file).await,
    }
}

async fn serve(mut settings: Settings) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    // The bound address (the port may have been 0) is what OAuth redirects come back to.
    settings.listen = address.to_string();
    let state = AppState::start(settings).await?;
    let app = actionhost::api::router(state);
    println!("actionhost listening on http://{address}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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

async fn plugin_check(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let egress = Egress::new(UpstreamOverrides::default(), EgressLimits::default())
        .map_err(anyhow::Error::msg)?;
    let runtime = actionhost::runtime::Runtime::new(std::sync::Arc::new(egress), None)
        .map_err(anyhow::Error::msg)?;
    match runtime.load(&bytes, Default::default()).await {
        Ok(plugin) => {
            let info = &plugin.info;
            println!("ok: {} ({}) {}", info.id, info.name, info.version);
            println!("  {}", info.description);
            println!("  categories: {}", info.categories.join(", "));
            println!(
                "  auth: {}",
                serde_json::to_value(&info.auth)?["type"]
                    .as_str()
                    .unwrap_or("?")
            );
            for (origin, credentials) in &info.origins {
                let note = if *credentials {
                    ""
                } else {
                    " (no credentials)"
                };
                println!("  origin: {origin}{note}");
            }
            println!("  actions ({}):", plugin.actions.len());
            for action in &plugin.actions {
                println!("    {} - {}", action.name, action.description);
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
