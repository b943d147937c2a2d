//! What the benchmarks share: wrk as the load generator and its figures, a minimal upstream,
//! nginx (a proxy hop, or a load balancer over several hosts), and CPU time read from `/proc`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

pub struct Measure {
    pub p50_us: f64,
    pub p99_us: f64,
    pub rps: f64,
    pub requests: f64,
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

pub fn parse_duration_us(text: &str) -> f64 {
    let text = text.trim();
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000_000.0)
    } else {
        panic!("unknown duration {text:?}")
    };
    number.parse::<f64>().expect("number") * factor
}

/// Writes a wrk script at `path` that POSTs `body` as JSON with `Authorization: Bearer {token}`
/// and the `extra` headers; returns `path`.
pub fn post_script(
    path: &std::path::Path,
    body: &serde_json::Value,
    token: &str,
    extra: &[(&str, &str)],
) -> std::path::PathBuf {
    let mut script = format!(
        "wrk.method = \"POST\"\n\
         wrk.body = '{body}'\n\
         wrk.headers[\"Content-Type\"] = \"application/json\"\n\
         wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
    );
    for (name, value) in extra {
        script.push_str(&format!("wrk.headers[\"{name}\"] = \"{value}\"\n"));
    }
    std::fs::write(path, script).expect("write the wrk script");
    path.to_path_buf()
}

pub fn wrk(
    url: &str,
    connections: u32,
    script: Option<&std::path::Path>,
    headers: &[String],
    seconds: u32,
) -> Measure {
    let threads = connections.min(2);
    let mut command = Command::new("wrk");
    command
        .args([
            "--latency",
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
        ])
        .args(["-d", &format!("{seconds}s")]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    for header in headers {
        command.args(["-H", header]);
    }
    let output = command
        .arg(url)
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label).map(str::to_string))
            .unwrap_or_else(|| panic!("wrk printed no {label}: {text}"))
    };
    let non_2xx = text.lines().find(|l| l.contains("Non-2xx"));
    assert!(non_2xx.is_none(), "{url}: {text}");
    Measure {
        p50_us: parse_duration_us(&field("50%")),
        p99_us: parse_duration_us(&field("99%")),
        rps: field("Requests/sec:").trim().parse().expect("rps"),
        requests: text
            .lines()
            .find_map(|l| l.trim().split_once(" requests in "))
            .and_then(|(n, _)| n.parse().ok())
            .unwrap_or_else(|| panic!("wrk printed no request count: {text}")),
    }
}

/// A minimal upstream that answers every request with a small JSON body.
pub fn start_upstream() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let body = json!({"id": 1, "full_name": "octo/hello", "private": false}).to_string();
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// User + system CPU in a `/proc/.../stat` file, in µs (0 if it is gone).
pub fn stat_cpu_us(path: &std::path::Path) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // After the command name in parentheses: field 14 (utime) and 15 (stime), in clock ticks of
    // 1/100 s (USER_HZ on Linux).
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    let ticks = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 * 10_000.0
}

/// The nginx process and the folder of its config (removed when dropped).
pub struct Nginx(pub Child, #[allow(dead_code)] tempfile::TempDir);

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: the master then stops its worker too.
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// nginx on a free loopback port, proxying with keep-alive to `upstream`.
pub fn start_nginx(upstream: std::net::SocketAddr) -> (Nginx, u16) {
    start_nginx_balancing(&[upstream])
}

/// nginx on a free loopback port, balancing round-robin over `upstreams` with keep-alive (a load
/// balancer in front of several hosts).
pub fn start_nginx_balancing(upstreams: &[std::net::SocketAddr]) -> (Nginx, u16) {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let conf = format!(
        "worker_processes 1; daemon off; pid {dir}/nginx.pid; error_log {dir}/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{ access_log off; client_body_temp_path {dir}; proxy_temp_path {dir};\n\
           upstream up {{ {servers} keepalive 64; }}\n\
           server {{ listen 127.0.0.1:{port};\n\
             location / {{ proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; }} }} }}\n",
        dir = dir.path().display(),
        servers = upstreams
            .iter()
            .map(|u| format!("server {u};"))
            .collect::<String>()
    );
    let path = dir.path().join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new("nginx")
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed (apt-get install nginx)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (Nginx(child, dir), port)
}

/// CPU time used so far by process `pid` and by its live child processes (nginx's worker), in µs.
pub fn cpu_us(pid: u32) -> f64 {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    std::iter::once(pid.to_string())
        .chain(children.split_whitespace().map(str::to_string))
        .map(|p| stat_cpu_us(std::path::Path::new(&format!("/proc/{p}/stat"))))
        .sum()
}

/// The bench-only minimal wasmtime embedding (`tests/src/bin/minimal_embedding.rs`) serving the
/// `wasi:http/proxy` guest (`tests/plugins/wasi-http-proxy`) against `upstream`; killed when
/// dropped. `/forward` makes one upstream call, `/local` none.
pub struct MinimalEmbedding {
    child: Child,
    pub url: String,
}

impl MinimalEmbedding {
    /// Starts `minimal-embedding` from the same build as the host it is measured against
    /// ([`crate::host::built`]).
    pub fn start(upstream: std::net::SocketAddr) -> Self {
        use std::io::BufRead;
        let exe = crate::host::built("minimal-embedding");
        let mut child = Command::new(&exe)
            .arg(crate::components::WASI_HTTP_PROXY)
            .arg(upstream.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the minimal embedding");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its listening line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the minimal embedding printed {line:?}"))
            .to_string();
        // wrk's runs then fail on any answer but 2xx: a guest that cannot forward is seen.
        MinimalEmbedding { child, url }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MinimalEmbedding {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
