//! Throwaway PostgreSQL clusters for the tests: `initdb` under a temp dir and the server on a
//! free loopback port (as `nobody` when the tests run as root, since PostgreSQL refuses root),
//! from Debian's packages, which `tests/run.sh` installs. The server is a child of a thread that
//! lives as long as the test process, and is killed when the process ends.
//!
//! [`shared`] is one cluster per test process; each test takes a database of its own from it
//! with [`Cluster::database`]. A test that stops and restarts the server starts its own with
//! [`Cluster::start`].

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running (or stopped) cluster.
pub struct Cluster {
    pub port: u16,
    dir: tempfile::TempDir,
    bin: PathBuf,
    server: Mutex<Option<Child>>,
    databases: AtomicU32,
}

/// The directory of Debian's PostgreSQL server programs (the newest installed version).
fn server_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").exists());
    versions.sort();
    versions.pop().expect(
        "PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin/initdb): \
         tests/run.sh installs Debian's postgresql package",
    )
}

fn running_as_root() -> bool {
    rustix::process::getuid().is_root()
}

/// `nobody`'s user and group ids, for running the server when the tests run as root.
const NOBODY: (u32, u32) = (65534, 65534);

fn as_server_user(command: &mut Command) -> &mut Command {
    if running_as_root() {
        command.uid(NOBODY.0).gid(NOBODY.1);
    }
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The cluster every test of this process shares.
pub fn shared() -> &'static Cluster {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    SHARED.get_or_init(Cluster::start)
}

impl Cluster {
    /// Makes a new cluster and starts its server.
    pub fn start() -> Cluster {
        let bin = server_bin();
        let dir = tempfile::Builder::new()
            .prefix("actionhost-pg-")
            .tempdir()
            .expect("temp dir");
        if running_as_root() {
            std::os::unix::fs::chown(dir.path(), Some(NOBODY.0), Some(NOBODY.1))
                .expect("give the cluster dir to nobody");
        }
        let data = dir.path().join("data");
        let out = as_server_user(
            Command::new(bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
                .env("LC_ALL", "C"),
        )
        .output()
        .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cluster = Cluster {
            port: free_port(),
            dir,
            bin,
            server: Mutex::new(None),
            databases: AtomicU32::new(0),
        };
        cluster.start_server();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Starts the server (again) on the cluster's port and waits until it answers.
    pub fn start_server(&self) {
        let mut server = self.server.lock().unwrap();
        assert!(server.is_none(), "the server is running already");
        let (bin, data, dir, port) = (
            self.bin.clone(),
            self.data(),
            self.dir.path().to_path_buf(),
            self.port,
        );
        // Spawned from a thread that never ends: the parent-death signal fires when the
        // spawning thread ends, and must fire only when the test process does.
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let child = spawn_server(&bin, &data, &dir, port);
            sender.send(child).unwrap();
            loop {
                std::thread::park();
            }
        });
        *server = Some(receiver.recv().unwrap());
        drop(server);
        self.wait_until_ready();
    }

    /// Stops the server at once (as a crash or a restart would, for clients).
    pub fn stop_server(&self) {
        if let Some(mut child) = self.server.lock().unwrap().take() {
            // SIGINT: PostgreSQL's fast shutdown; sessions are cut.
            let _ = rustix::process::kill_process(
                rustix::process::Pid::from_child(&child),
                rustix::process::Signal::INT,
            );
            let _ = child.wait();
        }
    }

    /// One of PostgreSQL's client programs, pointed at this cluster as its superuser.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
        ]);
        command
    }

    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self
                .client("pg_isready")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "PostgreSQL did not start in 30s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of database `name` (which may not exist).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// A new empty database of this cluster; its URL.
    pub fn database(&self) -> String {
        let name = format!(
            "test_{}_{}",
            std::process::id(),
            self.databases.fetch_add(1, Ordering::SeqCst)
        );
        let out = self
            .client("psql")
            .args(["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "cannot create a database: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(&name)
    }

    /// Runs one SQL statement on the database of `url`; what it printed (unaligned, no headers).
    pub fn sql(&self, url: &str, statement: &str) -> String {
        let name = url.rsplit('/').next().unwrap();
        let out = self
            .client("psql")
            .args(["-d", name, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "{statement}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn spawn_server(bin: &Path, data: &Path, dir: &Path, port: u16) -> Child {
    let mut command = Command::new(bin.join("postgres"));
    command
        .arg("-D")
        .arg(data)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .arg("-k")
        .arg(dir)
        .args(["-c", "fsync=off", "-c", "max_connections=300"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    as_server_user(&mut command);
    // Runs after the switch to the server's user (which would clear it), before exec.
    unsafe {
        command.pre_exec(|| {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))
                .map_err(std::io::Error::from)
        });
    }
    command.spawn().expect("start postgres")
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop_server();
    }
}
