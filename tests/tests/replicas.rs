//! Several hosts on one PostgreSQL database, as behind a load balancer: each test starts two or
//! three `actionhost serve` processes on one fresh database of a throwaway cluster and checks
//! that what one host does, every host sees: OAuth flows, refreshes, plugin uploads, accounts,
//! the audit log, and what happens while the database is down.

use std::time::{Duration, Instant};

use actionhost_e2e::host::{HostProcess, JWT_SECRET};
use actionhost_e2e::oauth_server::{RefreshMode, StrictOAuthServer};
use actionhost_e2e::standin::StandIn;
use actionhost_e2e::{components, patch, postgres};
use serde_json::{Value, json};

const ADMIN: &str = "replica-admin-key";
const MASTER_KEY: &str = "cmVwbGljYXMtc2hhcmUtb25lLW1hc3Rlci1rZXktMzI=";

/// Hosts sharing one database, with the settings every host of a deployment shares.
struct Replicas {
    hosts: Vec<HostProcess>,
    env: Vec<(String, String)>,
    client: reqwest::Client,
    jwt: actionhost::identity::Authenticator,
    _dirs: tempfile::TempDir,
}

fn host_env(database: &str, upstream: &str) -> Vec<(String, String)> {
    vec![
        ("ACTIONHOST_DATABASE_URL".into(), database.into()),
        ("ACTIONHOST_MASTER_KEY".into(), MASTER_KEY.into()),
        ("ACTIONHOST_ADMIN_KEY".into(), ADMIN.into()),
        ("ACTIONHOST_JWT_SECRET".into(), JWT_SECRET.into()),
        (
            "ACTIONHOST_UPSTREAM_OVERRIDES".into(),
            format!("https://api.github.com={upstream}"),
        ),
        // The address of the load balancer: every host gives the same redirect URI.
        (
            "ACTIONHOST_PUBLIC_URL".into(),
            "https://actions.example.test".into(),
        ),
    ]
}

impl Replicas {
    fn start(count: usize, database: &str, upstream: &str) -> Self {
        let mut replicas = Replicas {
            hosts: Vec::new(),
            env: host_env(database, upstream),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jwt: actionhost::identity::Authenticator::hs256(JWT_SECRET.as_bytes()),
            _dirs: tempfile::tempdir().unwrap(),
        };
        for _ in 0..count {
            replicas.add_host();
        }
        replicas
    }

    /// Starts one more host on the database.
    fn add_host(&mut self) {
        let data = self._dirs.path().join(format!("host{}", self.hosts.len()));
        std::fs::create_dir_all(&data).unwrap();
        actionhost_e2e::host::share_component_cache(&data);
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.hosts.push(HostProcess::start(&data, &env));
    }

    fn url(&self, host: usize) -> &str {
        &self.hosts[host].url
    }

    async fn send(
        &self,
        host: usize,
        method: &str,
        path: &str,
        bearer: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.url(host));
        call(&self.client, method, &url, bearer, body).await
    }

    async fn as_user(
        &self,
        host: usize,
        user: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = self.jwt.mint(user, 600).unwrap();
        self.send(host, method, path, &token, body).await
    }

    async fn as_admin(
        &self,
        host: usize,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.send(host, method, path, ADMIN, body).await
    }

    async fn get_repo(&self, host: usize, user: &str) -> (u16, Value) {
        self.as_user(
            host,
            user,
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})),
        )
        .await
    }

    async fn register(&self, host: usize, server: &StrictOAuthServer) {
        let (status, body) = self
            .as_admin(
                host,
                "PUT",
                "/admin/connections/github",
                Some(server.connection()),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// One request with a bearer token and an optional JSON body: the status and the JSON answer
/// (null when there is none).
async fn call(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    bearer: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client
        .request(method.parse().unwrap(), url)
        .bearer_auth(bearer);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// Polls `check` until it holds (at most `limit`); how long that took.
async fn within(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_flow_started_on_one_host_finishes_on_another_and_works_on_a_third() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let hosts = Replicas::start(3, &postgres::shared().database(), &upstream.url());
    hosts.register(0, &server).await;

    let (status, body) = hosts
        .as_user(
            0,
            "alice",
            "POST",
            "/connected-accounts/github/authorize",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let params = query(body["authorization_url"].as_str().unwrap());
    assert_eq!(
        params["redirect_uri"],
        "https://actions.example.test/oauth/callback"
    );
    server.issue_code("code-x", &params["code_challenge"], &params["redirect_uri"]);
    // The provider redirects the browser to the load balancer, which picks another host.
    let finished = hosts
        .client
        .get(format!(
            "{}/oauth/callback?code=code-x&state={}",
            hosts.url(1),
            params["state"]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200, "{:?}", finished.text().await);
    // The state was used once: replayed on the third host, it is refused.
    let replay = hosts
        .client
        .get(format!(
            "{}/oauth/callback?code=code-x&state={}",
            hosts.url(2),
            params["state"]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);

    let (status, body) = hosts.get_repo(2, "alice").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        upstream.requests().last().unwrap().header("authorization"),
        Some("Bearer strict-access-1")
    );
    let (_, listed) = hosts
        .as_user(0, "alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(listed[0]["integration"], "github", "{listed}");
    assert_eq!(listed[0]["status"], "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_executes_at_two_hosts_refresh_once_and_rotated_tokens_are_never_lost() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let hosts = Replicas::start(2, &postgres::shared().database(), &upstream.url());
    hosts.register(0, &server).await;
    server.accept_refresh_token("seed-refresh");
    server.set_mode(RefreshMode::Slow(Duration::from_millis(300)));
    let (status, body) = hosts
        .as_user(
            1,
            "alice",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "old", "refresh_token": "seed-refresh", "expires_in": 10})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    upstream.take();

    let hosts = &hosts;
    let runs = (0..50).map(|n| async move { hosts.get_repo(n % 2, "alice").await.0 });
    let statuses = futures::future::join_all(runs).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        server.token_requests(),
        1,
        "exactly one refresh for 50 concurrent calls at two hosts"
    );
    let used: Vec<String> = upstream
        .take()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(used.len(), 50);
    assert!(
        used.iter().all(|h| h == "Bearer strict-access-1"),
        "{used:?}"
    );

    // Bob's every use refreshes (a 60 s token is inside the margin), alternating hosts. The
    // server refuses a refresh token used twice, so each host must use the one the other
    // host's refresh rotated in.
    server.set_mode(RefreshMode::Rotate);
    server.set_expires_in(60);
    server.accept_refresh_token("bobs-seed");
    let (status, _) = hosts
        .as_user(
            0,
            "bob",
            "PUT",
            "/connected-accounts/github",
            Some(
                json!({"access_token": "bobs-old", "refresh_token": "bobs-seed", "expires_in": 10}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    let before = server.refresh_requests();
    for n in 0..6 {
        let (status, body) = hosts.get_repo((n + 1) % 2, "bob").await;
        assert_eq!(status, 200, "use {n}: {body}");
    }
    assert_eq!(
        server.refresh_requests() - before,
        6,
        "one refresh per use, none refused"
    );
}

fn swap_version(n: u8) -> Vec<u8> {
    patch(
        std::fs::read(components::SWAP).unwrap(),
        b"swap-version-1",
        format!("swap-version-{n}").as_bytes(),
    )
}

async fn marker(hosts: &Replicas, host: usize) -> Option<String> {
    let (status, body) = hosts
        .as_user(
            host,
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SWAP_GET_VERSION", "parameters": {}})),
        )
        .await;
    (status == 200).then(|| body["marker"].as_str().unwrap_or_default().to_string())
}

async fn upload(hosts: &Replicas, host: usize, bytes: Vec<u8>) {
    let response = hosts
        .client
        .put(format!("{}/admin/plugins/swap", hosts.url(host)))
        .bearer_auth(ADMIN)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_uploaded_to_one_host_is_served_by_all_within_two_seconds_and_a_deleted_one_by_none()
 {
    let upstream = StandIn::json(json!({})).await;
    let hosts = Replicas::start(3, &postgres::shared().database(), &upstream.url());
    let limit = Duration::from_secs(2);

    upload(&hosts, 0, swap_version(1)).await;
    for host in 1..3 {
        let took = within(limit, "the upload reaches the other hosts", async || {
            marker(&hosts, host).await.as_deref() == Some("swap-version-1")
        })
        .await;
        eprintln!("host {host} served the upload after {took:?}");
    }
    upload(&hosts, 1, swap_version(2)).await;
    for host in [0, 2] {
        within(
            limit,
            "the replacement reaches the other hosts",
            async || marker(&hosts, host).await.as_deref() == Some("swap-version-2"),
        )
        .await;
    }
    let (status, _) = hosts
        .as_admin(2, "DELETE", "/admin/plugins/swap", None)
        .await;
    assert_eq!(status, 204);
    for host in 0..2 {
        within(limit, "the deletion reaches the other hosts", async || {
            marker(&hosts, host).await.is_none()
        })
        .await;
    }
    // A bundled plugin disabled on one host is off on all.
    let (status, _) = hosts
        .as_admin(0, "DELETE", "/admin/plugins/github", None)
        .await;
    assert_eq!(status, 204);
    for host in 1..3 {
        within(
            limit,
            "the disabled bundled plugin goes from the other hosts",
            async || {
                let (_, plugins) = hosts.as_admin(host, "GET", "/admin/plugins", None).await;
                !plugins
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["id"] == "github")
            },
        )
        .await;
    }
    // A host started later serves what the database says: no swap, no github.
    let mut hosts = hosts;
    hosts.add_host();
    let (_, plugins) = hosts.as_admin(3, "GET", "/admin/plugins", None).await;
    let ids: Vec<&str> = plugins
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"github") && !ids.contains(&"swap"),
        "{ids:?}"
    );
    assert!(ids.contains(&"slack"), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_connected_or_deleted_on_one_host_is_seen_by_every_host() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let hosts = Replicas::start(3, &postgres::shared().database(), &upstream.url());
    let lists_github = async |host: usize| -> bool {
        let (status, body) = hosts.as_user(host, "bob", "GET", "/actions", None).await;
        assert_eq!(status, 200, "{body}");
        body["actions"].get("github").is_some()
    };
    // Every host lists bob's tools first, and so remembers his accounts (none).
    for host in 0..3 {
        assert!(!lists_github(host).await);
    }
    let (status, body) = hosts
        .as_user(
            0,
            "bob",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "bobs-token"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // At once on the others: no host remembers the account missing.
    for host in 1..3 {
        let (status, body) = hosts.get_repo(host, "bob").await;
        assert_eq!(status, 200, "host {host}: {body}");
    }
    // The remembered lists are forgotten when the other hosts hear of the account.
    for host in 1..3 {
        let took = within(
            Duration::from_millis(500),
            "the connected account is listed by every host",
            async || lists_github(host).await,
        )
        .await;
        eprintln!("host {host} listed the new account after {took:?}");
    }
    // Every host now remembers the account; deleting it on one must make all forget it.
    let (status, _) = hosts
        .as_user(2, "bob", "DELETE", "/connected-accounts/github", None)
        .await;
    assert_eq!(status, 204);
    for host in 0..2 {
        let took = within(
            Duration::from_millis(500),
            "the deletion reaches every host",
            async || {
                let (status, body) = hosts.get_repo(host, "bob").await;
                status == 403 && body["error"]["code"] == "not_connected"
            },
        )
        .await;
        eprintln!("host {host} refused the deleted account after {took:?}");
    }
    // A replaced token is used by every host.
    let (status, _) = hosts
        .as_user(
            1,
            "bob",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "new-token"})),
        )
        .await;
    assert_eq!(status, 200);
    upstream.take();
    for host in 0..3 {
        within(
            Duration::from_millis(500),
            "the new token reaches every host",
            async || {
                let (status, _) = hosts.get_repo(host, "bob").await;
                status == 200
                    && upstream
                        .take()
                        .last()
                        .and_then(|r| r.header("authorization").map(str::to_string))
                        == Some("Bearer new-token".into())
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_records_from_every_host_are_in_one_order_and_page_without_gaps() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let hosts = Replicas::start(3, &postgres::shared().database(), &upstream.url());
    for user in ["u0", "u1", "u2"] {
        let (status, _) = hosts
            .as_user(
                0,
                user,
                "PUT",
                "/connected-accounts/github",
                Some(json!({"access_token": "t"})),
            )
            .await;
        assert_eq!(status, 200);
    }
    let hosts = &hosts;
    /// Every page of the log from `first` on, each read from the next host; the records.
    async fn page_through(hosts: &Replicas) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        for n in 0.. {
            let path = match &cursor {
                Some(c) => format!("/admin/audit?limit=7&before={c}"),
                None => "/admin/audit?limit=7".to_string(),
            };
            // Each page from another host: they all read one log.
            let (status, page) = hosts.as_admin(n % 3, "GET", &path, None).await;
            assert_eq!(status, 200, "{page}");
            pages.extend(page["records"].as_array().unwrap().clone());
            match page["next"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        pages
    }
    // 3 hosts x 30 executes at once, each host for its own user, while the log is paged
    // through from every host: records commit all the while.
    let runs =
        (0..90).map(|n| async move { hosts.get_repo(n % 3, &format!("u{}", n % 3)).await.0 });
    let (statuses, during) = tokio::join!(futures::future::join_all(runs), async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        page_through(hosts).await
    });
    assert!(statuses.iter().all(|s| *s == 200));
    // Each host stores its records within about 20 ms of the execute; then the log is whole.
    within(
        Duration::from_secs(5),
        "every host's records reach the log",
        async || {
            let (_, page) = hosts
                .as_admin(
                    1,
                    "GET",
                    "/admin/audit?action=GITHUB_GET_REPOSITORY&limit=500",
                    None,
                )
                .await;
            page["records"].as_array().is_some_and(|r| r.len() == 90)
        },
    )
    .await;
    let pages = page_through(hosts).await;
    // No gap in the paging done while records were committing: it holds exactly the records
    // at and below the first one it saw, as the settled log shows them.
    if let Some(top) = during.first().and_then(|r| r["id"].as_str()) {
        let settled: Vec<&str> = pages
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .filter(|id| *id <= top)
            .collect();
        let seen: Vec<&str> = during.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            seen, settled,
            "paging while records committed skipped or repeated one"
        );
        eprintln!("paged {} records while the executes ran", seen.len());
    }
    let executes: Vec<&Value> = pages
        .iter()
        .filter(|r| r["action"] == "GITHUB_GET_REPOSITORY")
        .collect();
    assert_eq!(executes.len(), 90, "every execute of every host, once");
    assert_eq!(
        pages
            .iter()
            .filter(|r| r["action"] == "account.connected")
            .count(),
        3
    );
    let ids: Vec<&str> = pages.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "one order, newest first, no repeats"
    );
    for user in ["u0", "u1", "u2"] {
        assert_eq!(executes.iter().filter(|r| r["user"] == user).count(), 30);
    }
    // The same page from every host.
    let (_, a) = hosts
        .as_admin(0, "GET", "/admin/audit?limit=20", None)
        .await;
    let (_, b) = hosts
        .as_admin(2, "GET", "/admin/audit?limit=20", None)
        .await;
    assert_eq!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_database_down_remembered_accounts_work_writes_are_503_and_the_host_recovers() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let cluster = postgres::Cluster::start();
    let hosts = Replicas::start(1, &cluster.database(), &upstream.url());
    let (status, _) = hosts
        .as_user(
            0,
            "carol",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "carols"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(hosts.get_repo(0, "carol").await.0, 200);
    let (_, health) = hosts.send(0, "GET", "/healthz", "", None).await;
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["database"]["ok"], true);

    cluster.stop_server();
    // An account the host remembers keeps working.
    let (status, body) = hosts.get_repo(0, "carol").await;
    assert_eq!(status, 200, "{body}");
    // Writes fail clearly, and nothing is half-written.
    let (status, body) = hosts
        .as_user(
            0,
            "dave",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "daves"})),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("database"),
        "{body}"
    );
    let (_, health) = hosts.send(0, "GET", "/healthz", "", None).await;
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["database"]["ok"], false);

    cluster.start_server();
    within(
        Duration::from_secs(15),
        "the host reconnects by itself",
        async || {
            let (_, health) = hosts.send(0, "GET", "/healthz", "", None).await;
            health["status"] == "ok"
        },
    )
    .await;
    let (status, body) = hosts
        .as_user(
            0,
            "dave",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "daves"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(hosts.get_repo(0, "dave").await.0, 200);
    // The execute made while the database was down reached the audit log afterwards.
    within(
        Duration::from_secs(10),
        "the audit record written during the outage",
        async || {
            let (_, page) = hosts
                .as_admin(
                    0,
                    "GET",
                    "/admin/audit?user=carol&action=GITHUB_GET_REPOSITORY",
                    None,
                )
                .await;
            page["records"].as_array().is_some_and(|r| r.len() == 2)
        },
    )
    .await;
    let (_, accounts) = hosts
        .as_user(0, "dave", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.as_array().unwrap().len(), 1, "{accounts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_with_another_master_key_or_none_refuse_to_start_on_the_database() {
    let database = postgres::shared().database();
    let hosts = Replicas::start(1, &database, "http://127.0.0.1:9");
    drop(hosts);
    for key in [Some("b3RoZXItbWFzdGVyLWtleS1vZi0zMi1ieXRlcy0hISE="), None] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = std::process::Command::new(actionhost_e2e::host::binary());
        command
            .arg("serve")
            .env_clear()
            .env("ACTIONHOST_LISTEN", "127.0.0.1:0")
            .env("ACTIONHOST_DATA_DIR", dir.path())
            .env("ACTIONHOST_DATABASE_URL", &database)
            .env("ACTIONHOST_ADMIN_KEY", ADMIN)
            .env("ACTIONHOST_JWT_SECRET", JWT_SECRET);
        if let Some(key) = key {
            command.env("ACTIONHOST_MASTER_KEY", key);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("ACTIONHOST_MASTER_KEY"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sled_store_moves_to_postgres_with_migrate_and_every_record_serves_from_there() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sled-host");
    std::fs::create_dir_all(&data).unwrap();
    actionhost_e2e::host::share_component_cache(&data);
    let overrides = format!("https://api.github.com={}", upstream.url());
    let sled_env = [
        ("ACTIONHOST_ADMIN_KEY", ADMIN),
        ("ACTIONHOST_JWT_SECRET", JWT_SECRET),
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
    ];
    let client = reqwest::Client::new();
    let jwt = actionhost::identity::Authenticator::hs256(JWT_SECRET.as_bytes())
        .mint("erin", 600)
        .unwrap();
    let get_repo =
        json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}});

    // One host on sled: an account, an OAuth app, an uploaded plugin, an execute.
    let host = HostProcess::start(&data, &sled_env);
    let url = host.url.clone();
    let account = json!({"access_token": "sled-era-token"});
    let path = format!("{url}/connected-accounts/github");
    let (status, body) = call(&client, "PUT", &path, &jwt, Some(account)).await;
    assert_eq!(status, 200, "{body}");
    let app = json!({"client_id": "c", "client_secret": "slack-client-secret"});
    let path = format!("{url}/admin/connections/slack");
    let (status, body) = call(&client, "PUT", &path, ADMIN, Some(app)).await;
    assert_eq!(status, 200, "{body}");
    let upload = client
        .put(format!("{}/admin/plugins/swap", host.url))
        .bearer_auth(ADMIN)
        .body(swap_version(7))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 200);
    let path = format!("{url}/actions");
    let (status, body) = call(&client, "POST", &path, &jwt, Some(get_repo.clone())).await;
    assert_eq!(status, 200, "{body}");
    assert!(host.stop().success());

    let database = postgres::shared().database();
    let migrate = || {
        let out = std::process::Command::new(actionhost_e2e::host::binary())
            .args(["migrate", "--from-sled"])
            .arg(&data)
            .env_clear()
            .env("ACTIONHOST_DATABASE_URL", &database)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let first = migrate();
    let row = |text: &str, name: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {text}"));
        line[name.len()..]
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row(&first, "accounts"), ["1", "1"], "{first}");
    assert_eq!(row(&first, "connections"), ["1", "1"], "{first}");
    assert_eq!(row(&first, "uploaded plugins"), ["1", "1"], "{first}");
    let audit = row(&first, "audit records");
    assert_eq!(audit[0], audit[1], "{first}");
    assert!(audit[0].parse::<u32>().unwrap() >= 2, "{first}");
    // Again: nothing added, every record checked present.
    let second = migrate();
    assert_eq!(row(&second, "accounts"), ["1", "0"], "{second}");
    assert_eq!(row(&second, "audit records")[1], "0", "{second}");

    // Hosts on PostgreSQL with the sled host's master key serve everything that was copied.
    let key = std::fs::read_to_string(data.join("master.key")).unwrap();
    let pg_data = dir.path().join("pg-host");
    std::fs::create_dir_all(&pg_data).unwrap();
    actionhost_e2e::host::share_component_cache(&pg_data);
    let host = HostProcess::start(
        &pg_data,
        &[
            ("ACTIONHOST_DATABASE_URL", database.as_str()),
            ("ACTIONHOST_MASTER_KEY", key.trim()),
            ("ACTIONHOST_ADMIN_KEY", ADMIN),
            ("ACTIONHOST_JWT_SECRET", JWT_SECRET),
            ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
        ],
    );
    upstream.take();
    let url = host.url.clone();
    let (status, body) = call(
        &client,
        "POST",
        &format!("{url}/actions"),
        &jwt,
        Some(get_repo),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        upstream.take().pop().unwrap().header("authorization"),
        Some("Bearer sled-era-token")
    );
    let swap_version = json!({"action": "SWAP_GET_VERSION", "parameters": {}});
    let (_, swap) = call(
        &client,
        "POST",
        &format!("{url}/actions"),
        &jwt,
        Some(swap_version),
    )
    .await;
    assert_eq!(swap["marker"], "swap-version-7", "{swap}");
    let (_, connections) = call(
        &client,
        "GET",
        &format!("{url}/admin/connections"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(connections[0]["integration"], "slack", "{connections}");
    let audit = format!("{url}/admin/audit?user=erin&action=GITHUB_GET_REPOSITORY");
    let (_, page) = call(&client, "GET", &audit, ADMIN, None).await;
    assert_eq!(
        page["records"].as_array().unwrap().len(),
        2,
        "the sled-era execute and this one: {page}"
    );
    // Nothing of the secrets in the database in plaintext.
    for secret in ["sled-era-token", "slack-client-secret"] {
        let found = postgres::shared().sql(
            &database,
            &format!("SELECT count(*) FROM kv WHERE position('{secret}'::bytea in value) > 0"),
        );
        assert_eq!(found, "0", "{secret} is in the database");
    }
}
