//! Stoplight Prism on 127.0.0.1, mocking a provider from its own API description: a request
//! that violates the description gets 4xx, so a plugin that drifts from the real API fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The folder with the npm test tools (installed by the test script).
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools")
}

/// Writes `github.json` and `slack.json` for Prism into `out`.
pub fn prepare_specs(out: &Path) {
    let tools = tools_dir();
    assert!(
        tools.join("node_modules/.bin/prism").exists(),
        "Prism is not installed: run `npm ci --prefix tests/tools` (the test script does this)"
    );
    let status = Command::new("node")
        .arg(tools.join("prepare-specs.js"))
        .arg(out)
        .status()
        .expect("run node");
    assert!(status.success(), "prepare-specs.js failed");
}

/// A running Prism mock; killed when dropped.
pub struct Prism {
    child: Child,
    pub port: u16,
}

impl Prism {
    pub fn start(spec: &Path) -> Self {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = Command::new(tools_dir().join("node_modules/.bin/prism"))
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec)
            .stdout(log.reopen().expect("log"))
            .stderr(Stdio::null())
            .spawn()
            .expect("start prism");
        let mut prism = Prism { child, port };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = prism.child.try_wait() {
                let text = std::fs::read_to_string(log.path()).unwrap_or_default();
                panic!("prism exited with {status}: {text}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "prism did not start in 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        prism.port = port;
        prism
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
