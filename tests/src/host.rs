//! actionhost under test: the real router in-process on 127.0.0.1 ([`TestApp`]), or the real
//! release binary as a child process ([`HostProcess`]).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use actionhost::app::AppState;
use actionhost::catalog::PluginSource;
use actionhost::config::{Settings, SettingsArgs};
use serde_json::Value;

pub const JWT_SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
pub const ADMIN_KEY: &str = "test-admin-key";

/// The real router serving on 127.0.0.1 in this process.
pub struct TestApp {
    pub url: String,
    pub state: Arc<AppState>,
    pub data: tempfile::TempDir,
    pub client: reqwest::Client,
}

/// A response: status and JSON body (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// Status, headers and the JSON body of a response.
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// The `error.code` of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// Starts with `overrides` as `ACTIONHOST_UPSTREAM_OVERRIDES`; `tune` may adjust settings.
    pub async fn start(overrides: &str, tune: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        share_component_cache(data.path());
        let args = SettingsArgs {
            data_dir: Some(data.path().to_path_buf()),
            listen: Some("127.0.0.1:0".into()),
            jwt_secret: Some(JWT_SECRET.into()),
            admin_key: Some(ADMIN_KEY.into()),
            upstream_overrides: Some(overrides.into()),
            ..SettingsArgs::default()
        };
        let mut settings = Settings::resolve(&args).expect("settings");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        // OAuth redirect URIs name the bound address, as `serve` does.
        settings.listen = listener.local_addr().expect("addr").to_string();
        let url = format!("http://{}", settings.listen);
        tune(&mut settings);
        let state = AppState::start(settings).await.expect("start");
        let app = actionhost::api::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        TestApp {
            url,
            state,
            data,
            client: reqwest::Client::new(),
        }
    }

    /// Loads a test plugin from a component file, as an operator upload would.
    pub async fn load(&self, path: &str) {
        let bytes = std::fs::read(path).expect("component");
        assert!(
            self.state
                .sources
                .load(path, &bytes, PluginSource::Uploaded)
                .await,
            "{path} was refused"
        );
    }

    pub fn token(&self, user: &str) -> String {
        self.state.auth.mint(user, 3600).expect("mint")
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Answer::read(request.send().await.expect("request")).await
    }

    /// As `user` (a fresh token).
    pub async fn as_user(
        &self,
        user: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        self.call(method, path, Some(&self.token(user)), body).await
    }

    /// `PUT /admin/plugins/{id}` with component bytes, as an operator uploads a plugin.
    pub async fn upload(&self, id: &str, bytes: Vec<u8>) -> Answer {
        let response = self
            .client
            .put(format!("{}/admin/plugins/{id}", self.url))
            .bearer_auth(ADMIN_KEY)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        Answer::read(response).await
    }

    pub async fn as_admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, path, Some(ADMIN_KEY), body).await
    }

    /// `GET /metrics`, as Prometheus text.
    pub async fn metrics(&self) -> String {
        self.client
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .expect("GET /metrics")
            .text()
            .await
            .expect("metrics text")
    }

    /// Waits (up to 10 s) until `/metrics` has `line`.
    pub async fn wait_for_metric(&self, line: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let metrics = self.metrics().await;
            if metrics.lines().any(|l| l == line) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no {line} in /metrics after 10 s:\n{metrics}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Connects `user`'s account for `integration` with a bring-your-own secret.
    pub async fn connect(&self, user: &str, integration: &str, secret: Value) {
        let answer = self
            .as_user(
                user,
                "PUT",
                &format!("/connected-accounts/{integration}"),
                Some(secret),
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
}

/// Points a test host's compiled-component cache at one directory shared by every test (beside
/// the release binary): entries are named by the component's and the engine's hashes and
/// checked by wasmtime, so sharing only saves compiling each bundled plugin again for each of
/// the suite's hosts (about 0.3 s per plugin per host).
pub fn share_component_cache(data_dir: &std::path::Path) {
    let shared = binary()
        .parent()
        .expect("target/release")
        .join("test-component-cache");
    std::fs::create_dir_all(&shared).expect("shared component cache");
    std::os::unix::fs::symlink(&shared, data_dir.join("cache")).expect("link the cache");
}

/// Sends SIGTERM to `child` and waits for it to exit.
pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().expect("wait")
}

/// A binary of this workspace, from the profile folder this executable was built in
/// (`target/release` for `cargo test --release`), or from `target/$ACTIONHOST_PROFILE` when that
/// is set: tests/bench.sh sets `dist`, so the benchmarks measure the build operators run.
/// Panics naming the command that builds it.
pub fn built(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let profile = std::env::var("ACTIONHOST_PROFILE")
        .ok()
        .filter(|profile| !profile.is_empty());
    let (binary, build) = match profile {
        Some(profile) => (
            dir.parent().expect("target dir").join(&profile).join(name),
            format!("`cargo build --profile {profile}` (tests/bench.sh does)"),
        ),
        None => (
            dir.join(name),
            "`cargo build --release` (tests/run.sh does)".to_string(),
        ),
    };
    assert!(
        binary.exists(),
        "{} is missing: build it first with {build}",
        binary.display()
    );
    binary
}

/// The actionhost binary the tests and benchmarks start (see [`built`]).
pub fn binary() -> PathBuf {
    built("actionhost")
}

/// A user JWT minted by `actionhost token` with the secret in `data_dir` (valid 10 minutes).
pub fn mint_token(data_dir: &std::path::Path, user: &str) -> String {
    let output = Command::new(binary())
        .args(["token", "--user", user, "--ttl", "600"])
        .env_clear()
        .env("ACTIONHOST_DATA_DIR", data_dir)
        .output()
        .expect("run actionhost token");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8 token")
        .trim()
        .to_string()
}

/// `actionhost serve` as a child process; killed when dropped.
pub struct HostProcess {
    child: Child,
    pub url: String,
    /// Lines printed on stdout before the listening line.
    pub banner: Vec<String>,
    pub stderr: PathBuf,
}

impl HostProcess {
    /// Starts `actionhost serve` with `env` and waits for the listening line.
    pub fn start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let stderr = data_dir.with_extension("stderr.log");
        let file = std::fs::File::create(&stderr).expect("stderr file");
        Self::start_with_stderr(data_dir, env, Stdio::from(file))
    }

    /// Like [`HostProcess::start`], with the host's stderr going to `sink` (a pipe nobody
    /// reads, say); the log file then stays empty.
    pub fn start_with_stderr(
        data_dir: &std::path::Path,
        env: &[(&str, &str)],
        sink: Stdio,
    ) -> Self {
        Self::start_binary(&binary(), data_dir, env, sink)
    }

    /// Like [`HostProcess::start_with_stderr`], running `binary` instead of the release build
    /// (a benchmark comparing two builds of the host).
    pub fn start_binary(
        binary: &std::path::Path,
        data_dir: &std::path::Path,
        env: &[(&str, &str)],
        sink: Stdio,
    ) -> Self {
        let stderr = data_dir.with_extension("stderr.log");
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ACTIONHOST_LISTEN", "127.0.0.1:0")
            .env("ACTIONHOST_DATA_DIR", data_dir)
            .stdout(Stdio::piped())
            .stderr(sink);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("spawn actionhost");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = Vec::new();
        loop {
            // A host with an empty component cache compiles every bundled plugin before it
            // listens: about 15 s alone on a slow 2-core VM, over a minute while the suite's
            // other hosts compile theirs beside it.
            match rx.recv_timeout(Duration::from_secs(240)) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("actionhost listening on ") {
                        return HostProcess {
                            child,
                            url: url.to_string(),
                            banner,
                            stderr,
                        };
                    }
                    banner.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = std::fs::read_to_string(&stderr).unwrap_or_default();
                    panic!(
                        "actionhost did not print its listening line; stdout: {banner:?}\nstderr: {log}"
                    );
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.terminate()
    }

    /// Stops the host as [`HostProcess::stop`] does and returns its whole log. The host writes
    /// its log from a background thread, so a line can reach the file a moment after what it
    /// reports happened; only after the exit (which flushes that thread) is the log complete.
    pub fn stop_with_log(mut self) -> (std::process::ExitStatus, String) {
        let status = self.terminate();
        (
            status,
            std::fs::read_to_string(&self.stderr).unwrap_or_default(),
        )
    }

    fn terminate(&mut self) -> std::process::ExitStatus {
        terminate(&mut self.child)
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The log sits beside the data dir; kept only when a test fails, to read.
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.stderr);
        }
    }
}
