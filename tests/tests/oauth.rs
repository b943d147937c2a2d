//! OAuth 2 end to end through the host's own endpoints: against oauth2-mock-server (a real
//! authorization server, lenient) for the whole browser flow, and against a strict loopback
//! server for PKCE, client authentication, rotation, refusals, outages and single-flight refresh.

use std::time::Duration;

use actionhost_e2e::host::{HostProcess, TestApp};
use actionhost_e2e::oauth_server::{
    CLIENT_ID, CLIENT_SECRET, MockOAuthServer, RefreshMode, StrictOAuthServer,
};
use actionhost_e2e::standin::{Reply, StandIn};
use serde_json::{Value, json};

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn register(app: &TestApp, integration: &str, server: &StrictOAuthServer) {
    let answer = app
        .as_admin(
            "PUT",
            &format!("/admin/connections/{integration}"),
            Some(server.connection()),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

async fn authorize(app: &TestApp, user: &str) -> std::collections::HashMap<String, String> {
    let answer = app
        .as_user(user, "POST", "/connected-accounts/github/authorize", None)
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    query(answer.body["authorization_url"].as_str().unwrap())
}

async fn callback(app: &TestApp, params: &[(&str, &str)]) -> reqwest::Response {
    let url = url::Url::parse_with_params(&format!("{}/oauth/callback", app.url), params).unwrap();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap()
}

async fn app_with(upstream: &StandIn) -> TestApp {
    TestApp::start(
        &format!("https://api.github.com={}", upstream.url()),
        |_| {},
    )
    .await
}

fn get_repo() -> Option<Value> {
    Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}}))
}

/// Connects `user` through the strict server's code flow; returns the access token issued.
async fn connect_through_flow(app: &TestApp, server: &StrictOAuthServer, user: &str) {
    let params = authorize(app, user).await;
    server.issue_code("code-1", &params["code_challenge"], &params["redirect_uri"]);
    let response = callback(app, &[("code", "code-1"), ("state", &params["state"])]).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

#[tokio::test]
async fn a_token_endpoint_behind_a_private_ca_is_reached_only_when_the_ca_is_trusted() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (ca, chain, key) = actionhost_e2e::tls::material(dir.path());
    // The token endpoint over HTTPS, its certificate signed by the test CA only.
    let (port, handshakes) = actionhost_e2e::tls::front(chain, key, server.addr).await;
    let mut connection = server.connection();
    connection["token_url"] = json!(format!("https://localhost:{port}/token"));
    for trusted in [false, true] {
        let ca = ca.clone();
        let app = TestApp::start(
            &format!("https://api.github.com={}", upstream.url()),
            move |s| {
                if trusted {
                    s.extra_roots = vec![ca];
                }
            },
        )
        .await;
        let put = app
            .as_admin("PUT", "/admin/connections/github", Some(connection.clone()))
            .await;
        assert_eq!(put.status, 200, "{put:?}");
        let params = authorize(&app, "alice").await;
        let code = format!("code-{trusted}");
        server.issue_code(&code, &params["code_challenge"], &params["redirect_uri"]);
        let response = callback(&app, &[("code", &code), ("state", &params["state"])]).await;
        let status = response.status();
        let text = response.text().await.unwrap();
        let accounts = app
            .as_user("alice", "GET", "/connected-accounts", None)
            .await;
        if trusted {
            assert_eq!(status, 200, "{text}");
            assert_eq!(accounts.body[0]["status"], "active", "{accounts:?}");
            assert_eq!(server.token_requests(), 1);
            upstream.take_check("/user");
        } else {
            // Mozilla's roots only: the code is never sent, nothing is stored.
            assert_ne!(status, 200, "{text}");
            assert!(text.contains("certificate"), "{text}");
            assert!(!text.contains(CLIENT_SECRET), "{text}");
            assert_ne!(accounts.body[0]["status"], "active", "{accounts:?}");
            assert_eq!(server.token_requests(), 0);
            assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), 0);
        }
    }
}

#[tokio::test]
async fn an_oauth_integration_without_an_app_is_listed_but_not_connectable() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&upstream).await;
    let integrations = app.as_user("alice", "GET", "/integrations", None).await;
    let github = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "github")
        .unwrap()
        .clone();
    assert_eq!(github["connectable"], false);
    let answer = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/github/authorize",
            None,
        )
        .await;
    assert_eq!((answer.status, answer.code()), (403, "forbidden"));
    assert_eq!(
        answer.body["error"]["message"],
        "no OAuth app is configured for github; an operator must PUT /admin/connections/github"
    );
}

#[tokio::test]
async fn connections_are_stored_and_listed_without_the_client_secret() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    let list = app.as_admin("GET", "/admin/connections", None).await;
    assert_eq!(list.body[0]["integration"], "github");
    assert_eq!(list.body[0]["client_id"], CLIENT_ID);
    assert!(!list.body.to_string().contains(CLIENT_SECRET));
    let bad = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(json!({"client_id": "x", "client_secret": ""})),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_parameters"));
    let unknown = app
        .as_admin(
            "PUT",
            "/admin/connections/nope",
            Some(json!({"client_id": "x", "client_secret": "y"})),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let integrations = app.as_user("alice", "GET", "/integrations", None).await;
    assert!(
        integrations
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "github" && i["connectable"] == true)
    );
}

#[tokio::test]
async fn the_code_flow_with_pkce_connects_the_account_and_its_token_is_used() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;

    let params = authorize(&app, "alice").await;
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(
        params["redirect_uri"],
        format!("{}/oauth/callback", app.url)
    );
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], "repo read:user");
    assert!(params["state"].len() >= 16);
    let pending = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(pending.body[0]["status"], "pending");

    server.issue_code("code-1", &params["code_challenge"], &params["redirect_uri"]);
    let response = callback(&app, &[("code", "code-1"), ("state", &params["state"])]).await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("GitHub is connected")
    );

    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["status"], "active");
    assert_eq!(accounts.body[0]["scopes"], json!(["repo", "read:user"]));
    assert!(accounts.body[0]["expires_at"].is_string());
    // GitHub's after-connect checked the new token before the account was stored.
    assert_eq!(
        upstream.take_check("/user").header("authorization"),
        Some("Bearer strict-access-1")
    );

    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.status, 200, "{run:?}");
    assert_eq!(
        upstream.single().header("authorization"),
        Some("Bearer strict-access-1")
    );

    // The state was single use.
    let replay = callback(&app, &[("code", "code-1"), ("state", &params["state"])]).await;
    assert_eq!(replay.status(), 400);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_state");
    assert_eq!(
        body["error"]["message"],
        "`state` is unknown or was already used"
    );
}

#[tokio::test]
async fn bad_states_and_provider_refusals_store_nothing_and_say_what_happened() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;

    for (params, message) in [
        (vec![("code", "c")], "the callback has no `state`"),
        (
            vec![("code", "c"), ("state", "forged")],
            "`state` is unknown or was already used",
        ),
    ] {
        let response = callback(&app, &params).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            (
                body["error"]["code"].as_str(),
                body["error"]["message"].as_str()
            ),
            (Some("invalid_state"), Some(message))
        );
    }

    let params = authorize(&app, "alice").await;
    let denied = callback(
        &app,
        &[
            ("error", "access_denied"),
            ("error_description", "The user said no"),
            ("state", &params["state"]),
        ],
    )
    .await;
    assert_eq!(denied.status(), 403);
    let body: Value = denied.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "the provider refused: access_denied (The user said no)"
    );
    assert_eq!(
        app.as_user("alice", "GET", "/connected-accounts", None)
            .await
            .body,
        json!([])
    );

    // A code the provider never issued (or a wrong PKCE verifier) is refused by the token endpoint.
    let params = authorize(&app, "alice").await;
    let forged = callback(
        &app,
        &[("code", "never-issued"), ("state", &params["state"])],
    )
    .await;
    assert_eq!(forged.status(), 403);
    assert_eq!(
        app.as_user("alice", "GET", "/connected-accounts", None)
            .await
            .body,
        json!([])
    );
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_before_use_and_the_rotated_refresh_token_is_kept() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    server.set_expires_in(60); // inside the 5-minute margin: every use refreshes
    connect_through_flow(&app, &server, "alice").await;

    for expected in ["strict-access-2", "strict-access-3"] {
        let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
        assert_eq!(run.status, 200, "{run:?}");
        assert_eq!(
            upstream.requests().pop().unwrap().header("authorization"),
            Some(format!("Bearer {expected}").as_str())
        );
    }
    // Each refresh used the refresh token the previous one rotated in (the server refuses reuse).
    assert_eq!(server.refresh_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_executes_on_an_expired_account_cause_one_refresh() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    server.accept_refresh_token("seed-refresh");
    server.set_mode(RefreshMode::Slow(Duration::from_millis(300)));
    app.connect(
        "alice",
        "github",
        json!({"access_token": "old", "refresh_token": "seed-refresh", "expires_in": 10}),
    )
    .await;
    upstream.take_check("/user");

    let app = &app;
    let runs = (0..50).map(|_| async move {
        app.as_user("alice", "POST", "/actions", get_repo())
            .await
            .status
    });
    let statuses = futures::future::join_all(runs).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        server.token_requests(),
        1,
        "exactly one refresh for 50 concurrent calls"
    );
    assert!(
        upstream
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer strict-access-1"))
    );
}

#[tokio::test]
async fn a_refused_refresh_marks_the_account_expired_and_says_how_to_reconnect() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    server.set_mode(RefreshMode::InvalidGrant);
    app.connect(
        "alice",
        "github",
        json!({"access_token": "old", "refresh_token": "gone", "expires_in": 10}),
    )
    .await;
    upstream.take_check("/user");

    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!((run.status, run.code()), (403, "not_connected"));
    assert!(
        run.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the provider refused the refresh: invalid_grant; authorize again"),
        "{run:?}"
    );
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["status"], "expired");
    assert_eq!(
        accounts.body[0]["last_error"],
        "the provider refused the refresh: invalid_grant"
    );
    let integrations = app.as_user("alice", "GET", "/integrations", None).await;
    assert!(
        integrations
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "github" && i["status"] == "expired")
    );
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_upstream_error_and_the_account_stays_active() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token_url": format!("http://{closed}/token")})),
        )
        .await;
    assert_eq!(answer.status, 200);
    drop(server);
    app.connect(
        "alice",
        "github",
        json!({"access_token": "old", "refresh_token": "r", "expires_in": 10}),
    )
    .await;
    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!((run.status, run.code()), (502, "upstream_error"));
    assert!(
        run.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the token endpoint failed: cannot reach the token endpoint")
    );
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["status"], "active");
}

#[tokio::test]
async fn a_401_from_the_provider_refreshes_once_and_retries() {
    // The token is good when the account connects (after-connect's GET /user) and stale later.
    let upstream = StandIn::start(|r| {
        if r.header("authorization") == Some("Bearer stale") && r.path != "/user" {
            Reply::json(401, json!({"message": "Bad credentials"}))
        } else {
            Reply::json(200, json!({"full_name": "o/r"}))
        }
    })
    .await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    server.accept_refresh_token("seed");
    app.connect(
        "alice",
        "github",
        json!({"access_token": "stale", "refresh_token": "seed", "expires_in": 3600}),
    )
    .await;
    upstream.take_check("/user");

    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.status, 200, "{run:?}");
    let auth: Vec<String> = upstream
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(auth, ["Bearer stale", "Bearer strict-access-1"]);
    let audit = app.as_admin("GET", "/admin/audit", None).await;
    assert_eq!(audit.body["records"][0]["upstream_calls"], 2);
}

#[tokio::test]
async fn deleting_an_account_revokes_it_at_the_provider_then_removes_it() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;
    connect_through_flow(&app, &server, "alice").await;
    let deleted = app
        .as_user("alice", "DELETE", "/connected-accounts/github", None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(server.revoked(), ["strict-refresh-1"]);
    assert_eq!(
        app.as_user("alice", "GET", "/connected-accounts", None)
            .await
            .body,
        json!([])
    );
}

#[tokio::test]
async fn the_whole_flow_works_against_oauth2_mock_server() {
    let mock = MockOAuthServer::start().await;
    let base = &mock.base;

    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let app = app_with(&upstream).await;
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(json!({"client_id": "mock-client", "client_secret": "mock-secret",
                        "authorize_url": format!("{base}/authorize"), "token_url": format!("{base}/token")})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let authorization = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/github/authorize",
            None,
        )
        .await;
    let url = authorization.body["authorization_url"]
        .as_str()
        .unwrap()
        .to_string();
    // The "browser": the mock server consents at once and redirects back with a code.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let consent = client.get(&url).send().await.unwrap();
    assert_eq!(consent.status(), 302);
    let back = consent.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.starts_with(&format!("{}/oauth/callback?", app.url)),
        "{back}"
    );
    let finished = client.get(&back).send().await.unwrap();
    assert_eq!(finished.status(), 200);
    upstream.take_check("/user");

    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.status, 200, "{run:?}");
    let sent = upstream
        .single()
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(
        sent.starts_with("Bearer ey"),
        "the mock's JWT access token is used: {sent}"
    );

    // Refresh against the real server: make the token expire, then use it.
    let (account, secret) = app
        .state
        .accounts
        .get("alice", "github")
        .await
        .unwrap()
        .unwrap();
    app.state
        .accounts
        .put(
            "alice",
            "github",
            &secret,
            account.scopes,
            Some(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.status, 200, "{run:?}");
    let refreshed = upstream
        .requests()
        .pop()
        .unwrap()
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(refreshed.starts_with("Bearer ey"), "{refreshed}");
    // The mock may issue an identical JWT within the same second; the new expiry shows the refresh.
    let (account, _) = app
        .state
        .accounts
        .get("alice", "github")
        .await
        .unwrap()
        .unwrap();
    assert!(
        account.expires_at.unwrap() > time::OffsetDateTime::now_utc() + time::Duration::minutes(30)
    );
}

#[tokio::test]
async fn a_restart_between_authorize_and_callback_and_between_refresh_and_use_loses_nothing() {
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let server = StrictOAuthServer::start().await;
    server.set_expires_in(60);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let overrides = format!("https://api.github.com={}", upstream.url());
    let env = [
        ("ACTIONHOST_UPSTREAM_OVERRIDES", overrides.as_str()),
        ("ACTIONHOST_ADMIN_KEY", "admin"),
        ("ACTIONHOST_JWT_SECRET", actionhost_e2e::host::JWT_SECRET),
        // The redirect URI must stay the same across restarts (the port changes here).
        ("ACTIONHOST_PUBLIC_URL", "https://actionhost.example.test"),
    ];
    let auth =
        actionhost::identity::Authenticator::hs256(actionhost_e2e::host::JWT_SECRET.as_bytes());
    let jwt = auth.mint("alice", 600).unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let host = HostProcess::start(&data, &env);
    let put = client
        .put(format!("{}/admin/connections/github", host.url))
        .bearer_auth("admin")
        .json(&json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token_url": server.url("/token")}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let authorization: Value = client
        .post(format!("{}/connected-accounts/github/authorize", host.url))
        .bearer_auth(&jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let params = query(authorization["authorization_url"].as_str().unwrap());
    stopped_cleanly(host);

    // The state and the PKCE verifier survive the restart.
    assert_eq!(
        params["redirect_uri"],
        "https://actionhost.example.test/oauth/callback"
    );
    let host = HostProcess::start(&data, &env);
    server.issue_code("code-r", &params["code_challenge"], &params["redirect_uri"]);
    let finished = client
        .get(format!(
            "{}/oauth/callback?code=code-r&state={}",
            host.url, params["state"]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200, "{:?}", finished.text().await);
    upstream.take_check("/user");

    // Refresh (rotating the refresh token), restart, use again: the rotated token was persisted.
    // Each answer is compared whole, so a failure says what the host answered.
    let run = |url: String| {
        let client = client.clone();
        let jwt = jwt.clone();
        async move {
            let answer = client
                .post(format!("{url}/actions"))
                .bearer_auth(jwt)
                .json(&get_repo().unwrap())
                .send()
                .await
                .unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    let (status, body) = run(host.url.clone()).await;
    assert_eq!(status, 200, "{body}");
    stopped_cleanly(host);
    let host = HostProcess::start(&data, &env);
    let (status, body) = run(host.url.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.refresh_requests(), 2);
    let tokens: Vec<String> = upstream
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(tokens, ["Bearer strict-access-2", "Bearer strict-access-3"]);
    drop(host);
}

#[tokio::test]
async fn a_return_url_gets_a_303_and_no_token_or_client_secret_is_stored_in_plaintext() {
    let upstream = StandIn::json(json!({})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                        "token_url": server.url("/token"), "return_url": "https://agent.example/connected"})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let params = authorize(&app, "alice").await;
    server.issue_code("code-9", &params["code_challenge"], &params["redirect_uri"]);
    let response = callback(&app, &[("code", "code-9"), ("state", &params["state"])]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "https://agent.example/connected"
    );

    app.state.store.flush().await.unwrap();
    for path in actionhost_e2e::files_under(app.data.path()) {
        let bytes = std::fs::read(&path).unwrap();
        for secret in ["strict-access-1", "strict-refresh-1", CLIENT_SECRET] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret}",
                path.display()
            );
        }
    }
}

/// `(action, outcome)` of alice's audit records, oldest first.
async fn alices_account_events(app: &TestApp) -> Vec<(String, String)> {
    let audit = app
        .as_admin("GET", "/admin/audit?user=alice&limit=500", None)
        .await;
    assert!(
        !audit.body.to_string().contains("strict-"),
        "no token in the audit log: {}",
        audit.body
    );
    let mut events: Vec<(String, String)> = audit.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"].as_str().unwrap().starts_with("account."))
        .map(|r| {
            assert_eq!(r["integration"], "github");
            (
                r["action"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    events.reverse();
    events
}

#[tokio::test]
async fn an_accounts_life_is_in_the_audit_log_without_its_tokens() {
    let upstream = StandIn::json(json!({"full_name": "o/r", "login": "alice"})).await;
    let server = StrictOAuthServer::start().await;
    let app = app_with(&upstream).await;
    register(&app, "github", &server).await;

    // Connected through the code flow; renewed by a refresh; expired when the provider refuses
    // the next; connected again; disconnected.
    connect_through_flow(&app, &server, "alice").await;
    server.set_expires_in(0);
    let params = authorize(&app, "alice").await;
    server.issue_code("code-2", &params["code_challenge"], &params["redirect_uri"]);
    let response = callback(&app, &[("code", "code-2"), ("state", &params["state"])]).await;
    assert_eq!(response.status(), 200);
    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.status, 200, "{run:?}");
    server.set_mode(RefreshMode::InvalidGrant);
    let run = app.as_user("alice", "POST", "/actions", get_repo()).await;
    assert_eq!(run.code(), "not_connected", "{run:?}");
    server.set_mode(RefreshMode::Rotate);
    server.set_expires_in(3600);
    let params = authorize(&app, "alice").await;
    server.issue_code("code-3", &params["code_challenge"], &params["redirect_uri"]);
    let response = callback(&app, &[("code", "code-3"), ("state", &params["state"])]).await;
    assert_eq!(response.status(), 200);
    let deleted = app
        .as_user("alice", "DELETE", "/connected-accounts/github", None)
        .await;
    assert_eq!(deleted.status, 204);

    let ok = |event: &str| (event.to_string(), "ok".to_string());
    assert_eq!(
        alices_account_events(&app).await,
        [
            ok("account.authorization_started"),
            ok("account.connected"),
            // Authorizing again keeps the active account; the new tokens renew it.
            ok("account.credential_renewed"),
            // The refresh before the first call.
            ok("account.credential_renewed"),
            ok("account.expired"),
            // An account that exists (here expired) is not replaced by a pending one.
            ok("account.reconnected"),
            ok("account.disconnected"),
        ]
    );
}

/// Stops `host` with SIGTERM and checks it exited cleanly; if not, the failure shows its log.
fn stopped_cleanly(host: HostProcess) {
    let (status, log) = host.stop_with_log();
    assert!(
        status.success(),
        "the host exited with {status}; its log:\n{log}"
    );
}
