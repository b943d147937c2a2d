//! Shared pieces of the end-to-end tests: the test plugins' paths, a recording loopback
//! stand-in for a provider, the validating stand-in that checks requests against a provider's
//! own API description, and helpers to build a runtime.

pub mod bench;
pub mod host;
pub mod oauth_server;
pub mod postgres;
pub mod sockets;
pub mod standin;
pub mod tls;
pub mod validating;

use std::sync::Arc;

use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides};
use actionhost::runtime::{CallLimits, LoadedPlugin, Runtime};

/// Paths of the test plugins, built by this crate's build script.
pub mod components {
    include!(concat!(env!("OUT_DIR"), "/components.rs"));
}

/// `tests/tools`: the npm test tools and the validating stand-in (installed by `tests/run.sh`).
pub fn tools_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools")
}

/// The bundled component named `file` (`github.wasm`, `slack.wasm`).
pub fn bundled(file: &str) -> &'static [u8] {
    actionhost::bundled::PLUGINS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, bytes)| *bytes)
        .unwrap_or_else(|| panic!("no bundled plugin {file}"))
}

/// Every file under `dir`, recursively (to check that no secret is stored in plaintext).
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(
                std::fs::read_dir(&path)
                    .expect("read dir")
                    .map(|e| e.expect("entry").path()),
            );
        } else {
            files.push(path);
        }
    }
    files
}

/// The bundled component `file` written to a temporary file, for commands that take a path.
pub fn bundled_path(file: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("actionhost-test-{}-{file}", std::process::id()));
    std::fs::write(&path, bundled(file)).expect("write component");
    path
}

/// `bytes` with every occurrence of `from` replaced by `to` (same length): distinct builds of
/// one component for tests.
pub fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len(), "a patch keeps the length");
    let mut i = 0;
    let mut count = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
            count += 1;
        } else {
            i += 1;
        }
    }
    assert!(
        count > 0,
        "{:?} does not occur",
        String::from_utf8_lossy(from)
    );
    bytes
}

/// Variant `n` (0..100) of the bench plugin: its placeholder id `benchqq` patched to
/// `bench{n:02}` (and `BENCHQQ` to `BENCH{n:02}`), giving distinct plugins from one build.
/// Writes `count` generated bench plugins into `data_dir/plugins`, as operator uploads.
pub fn upload_bench_plugins(data_dir: &std::path::Path, count: usize) {
    let uploads = data_dir.join("plugins");
    std::fs::create_dir_all(&uploads).expect("uploads dir");
    for n in 0..count {
        std::fs::write(uploads.join(format!("bench{n:02}.wasm")), bench_plugin(n))
            .expect("write a bench plugin");
    }
}

pub fn bench_plugin(n: usize) -> Vec<u8> {
    assert!(n < 100);
    let mut bytes = std::fs::read(components::BENCH).expect("bench component");
    for (from, to) in [
        (&b"benchqq"[..], format!("bench{n:02}")),
        (&b"BENCHQQ"[..], format!("BENCH{n:02}")),
    ] {
        let mut i = 0;
        while i + from.len() <= bytes.len() {
            if &bytes[i..i + from.len()] == from {
                bytes[i..i + from.len()].copy_from_slice(to.as_bytes());
                i += from.len();
            } else {
                i += 1;
            }
        }
    }
    bytes
}

/// A runtime whose egress rewrites origins as `overrides` says (`FROM=TO,...`).
pub fn runtime(overrides: &str) -> Runtime {
    runtime_with(overrides, EgressLimits::default())
}

pub fn runtime_with(overrides: &str, limits: EgressLimits) -> Runtime {
    let overrides = UpstreamOverrides::parse(overrides).expect("valid overrides");
    let egress = Egress::new(overrides, limits).expect("egress");
    Runtime::new(Arc::new(egress), None).expect("runtime")
}

/// Loads a component or fails the test with every reason.
pub async fn load(runtime: &Runtime, bytes: &[u8], limits: CallLimits) -> LoadedPlugin {
    match runtime.load(bytes, limits).await {
        Ok(plugin) => plugin,
        Err(e) => panic!("the plugin was refused: {:?}", e.reasons),
    }
}

/// Opens `url` in headless Chromium (Debian's `chromium`, which `tests/run.sh` installs) and
/// returns the DOM of the page it ends on, after following every redirect. Only loopback is
/// reached: the flags turn off Chromium's own background traffic.
pub fn browser_dom(url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let output = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--timeout=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("chromium is installed (tests/run.sh installs Debian's chromium)");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The raw-WIT attacker plugin (`tests/plugins/attacker`) in `mode`, its literal origins on
/// `port`: its config marker patched in place, so one build gives every variant.
pub fn attacker(mode: &str, port: u16) -> Vec<u8> {
    const PREFIX: &[u8] = b"ACTIONHOST-ATTACKER-CONFIG:";
    let mut bytes = std::fs::read(components::ATTACKER).expect("attacker component");
    let at = bytes
        .windows(PREFIX.len())
        .position(|w| w == PREFIX)
        .expect("the attacker's config marker");
    let mut config = format!("ACTIONHOST-ATTACKER-CONFIG:mode={mode};port={port};").into_bytes();
    assert!(config.len() <= 128, "config too long");
    config.resize(128, b' ');
    bytes[at..at + 128].copy_from_slice(&config);
    bytes
}

/// The ids of the generated catalog providers (`tests/plugins/catalog`), 100 actions each: a
/// catalog of 1,000 actions for the tool-search benchmark.
pub const CATALOG_IDS: [&str; 10] = [
    "billing", "support", "recruit", "payroll", "webshop", "storage", "surveys", "finance",
    "mailing", "wikipad",
];

/// The catalog test plugin as provider `id` (one of [`CATALOG_IDS`]): its placeholder id
/// `zzwidez` patched, from which it picks its actions.
pub fn catalog_plugin(id: &str) -> Vec<u8> {
    assert!(CATALOG_IDS.contains(&id), "{id} is not a catalog provider");
    let bytes = std::fs::read(components::CATALOG).expect("catalog component");
    patch(bytes, b"zzwidez", id.as_bytes())
}
