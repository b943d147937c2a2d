//! The agent and operator API through the real router on 127.0.0.1, with loopback stand-ins for
//! the providers: every route, every error code, JWT edge cases, cross-user isolation and many
//! users executing at once.

use std::time::Duration;

use actionhost_e2e::components;
use actionhost_e2e::host::{ADMIN_KEY, JWT_SECRET, TestApp};
use actionhost_e2e::standin::{Reply, StandIn};
use serde_json::{Value, json};

/// The ids of the bundled integrations, in the listing's order.
const BUNDLED_IDS: [&str; 24] = [
    "asana",
    "bitbucket",
    "discord",
    "figma",
    "github",
    "gitlab",
    "gmail",
    "google_calendar",
    "google_docs",
    "google_drive",
    "hubspot",
    "jira",
    "linear",
    "microsoft_calendar",
    "microsoft_teams",
    "monday",
    "notion",
    "onedrive",
    "outlook",
    "salesforce",
    "shopify",
    "slack",
    "trello",
    "vercel",
];

async fn app_with_github(upstream: &StandIn) -> TestApp {
    TestApp::start(
        &format!(
            "https://api.github.com={0},https://slack.com/api={0}",
            upstream.url()
        ),
        |_| {},
    )
    .await
}

/// Connects `user`'s GitHub account with `token`. GitHub's after-connect checks the token with
/// one `GET /user`, taken from the stand-in's record here so the test sees only what follows.
async fn connect_github(app: &TestApp, upstream: &StandIn, user: &str, token: &str) {
    app.connect(user, "github", json!({"access_token": token}))
        .await;
    let checks = upstream.take();
    let bearer = format!("Bearer {token}");
    assert!(
        checks.len() == 1
            && checks[0].path == "/user"
            && checks[0].header("authorization") == Some(bearer.as_str()),
        "{checks:#?}"
    );
}

fn names(tools: &Value) -> Vec<String> {
    tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t.pointer("/function/name")
                .or_else(|| t.get("name"))
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn health_metrics_and_the_openapi_description_are_served_without_auth() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    let health = app.call("GET", "/healthz", None, None).await;
    assert_eq!(
        (health.status, health.body.clone()),
        (200, json!({"status": "ok"}))
    );

    let openapi = app.call("GET", "/openapi.json", None, None).await;
    assert_eq!(openapi.status, 200);
    let paths = openapi.body["paths"].as_object().unwrap();
    for path in [
        "/actions",
        "/tools",
        "/integrations",
        "/connected-accounts",
        "/connected-accounts/{integration}",
        "/admin/plugins",
        "/admin/audit",
        "/admin/execute",
        "/healthz",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "openapi.json lacks {path}");
    }
    assert!(openapi.body["paths"]["/actions"]["post"]["requestBody"].is_object());

    let metrics = app.metrics().await;
    assert!(
        metrics.contains(
            r#"actionhost_http_requests_total{route="/healthz",method="GET",status="200"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn listing_shows_connected_integrations_by_default_and_filters_by_id_and_category() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;

    let default = app.as_user("alice", "GET", "/actions", None).await;
    assert_eq!(default.status, 200);
    let actions = default.body["actions"].as_object().unwrap();
    assert_eq!(actions.keys().collect::<Vec<_>>(), ["github"]);
    assert_eq!(actions["github"].as_array().unwrap().len(), 9);
    assert_eq!(default.body["errors"], json!([]));

    let all = app
        .as_user("alice", "GET", "/actions?limit_to_available=false", None)
        .await;
    assert_eq!(
        all.body["actions"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        BUNDLED_IDS
    );

    let only_slack = app
        .as_user(
            "alice",
            "GET",
            "/actions?limit_to_available=false&integrations=slack",
            None,
        )
        .await;
    assert_eq!(
        only_slack.body["actions"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["slack"]
    );

    let communication = app
        .as_user(
            "alice",
            "GET",
            "/actions?limit_to_available=false&categories=communication",
            None,
        )
        .await;
    assert_eq!(
        communication.body["actions"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["discord", "gmail", "microsoft_teams", "outlook", "slack"]
    );

    let bad = app
        .as_user("alice", "GET", "/actions?format=xml", None)
        .await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_parameters"));
    assert_eq!(bad.body["error"]["details"]["errors"][0]["path"], "format");
}

#[tokio::test]
async fn tools_come_in_openai_anthropic_and_mcp_shapes_with_valid_2020_12_object_schemas() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;

    let openai = app
        .as_user("alice", "GET", "/actions?format=json_schema", None)
        .await;
    let tool = &openai.body["actions"]["github"][0];
    assert_eq!(tool["type"], "function");
    assert_eq!(tool["function"]["name"], "GITHUB_CREATE_ISSUE");
    assert!(
        tool["function"]["description"]
            .as_str()
            .unwrap()
            .starts_with("Create a new issue")
    );
    let schema = &tool["function"]["parameters"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["owner", "repo", "title"]));
    assert_eq!(
        schema["properties"]["title"]["description"],
        "Title of the issue."
    );

    let anthropic = app
        .as_user("alice", "GET", "/actions?format=anthropic", None)
        .await;
    let tool = &anthropic.body["actions"]["github"][0];
    assert_eq!(
        tool.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["description", "input_schema", "name"]
    );
    assert_eq!(tool["input_schema"], *schema);

    let mcp = app
        .as_user("alice", "GET", "/actions?format=mcp", None)
        .await;
    let tool = &mcp.body["actions"]["github"][0];
    assert_eq!(
        tool.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["annotations", "description", "inputSchema", "name"]
    );
    // GITHUB_CREATE_ISSUE: not read-only, not destructive, not idempotent; every hint stated.
    assert_eq!(
        tool["annotations"],
        json!({"readOnlyHint": false, "destructiveHint": false, "idempotentHint": false, "openWorldHint": true})
    );

    let all = app
        .as_user("alice", "GET", "/actions?limit_to_available=false", None)
        .await;
    for (integration, tools) in all.body["actions"].as_object().unwrap() {
        for tool in tools.as_array().unwrap() {
            let parameters = &tool["function"]["parameters"];
            assert_eq!(parameters["type"], "object", "{integration}");
            assert!(
                jsonschema::draft202012::meta::is_valid(parameters),
                "{integration}: {parameters}"
            );
            assert!(!parameters.to_string().contains("\"type\":\"None\""));
        }
    }

    let tools = app.as_user("alice", "GET", "/tools", None).await;
    assert_eq!(
        names(&tools.body["tools"]["github"]),
        names(&openai.body["actions"]["github"])
    );
}

#[tokio::test]
async fn an_execute_runs_the_plugin_with_the_callers_own_credential_and_returns_the_providers_body()
{
    let created = json!({"number": 1, "title": "Bug"});
    let upstream = StandIn::start({
        let created = created.clone();
        move |_| Reply::json(201, created.clone())
    })
    .await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;

    let body = json!({"action": "GITHUB_CREATE_ISSUE", "parameters": {"owner": "o", "repo": "r", "title": "Bug"}});
    let answer = app.as_user("alice", "POST", "/actions", Some(body)).await;
    assert_eq!((answer.status, answer.body.clone()), (200, created.clone()));
    let request = upstream.single();
    assert_eq!(request.header("authorization"), Some("Bearer gho_alice"));
    assert_eq!(request.json(), json!({"title": "Bug"}));

    let tool = json!({"tool": "GITHUB_CREATE_ISSUE", "parameters": {"owner": "o", "repo": "r", "title": "Bug"}});
    let answer = app.as_user("alice", "POST", "/tools", Some(tool)).await;
    assert_eq!((answer.status, answer.body), (200, created));
}

#[tokio::test]
async fn the_providers_json_is_answered_byte_for_byte() {
    // Keys out of order and spacing that a parse and re-serialisation would both change.
    const BODY: &str = "{\"z_last\": 1,  \"a_first\": [true, null], \"m\": {\"y\": 2.50}}";
    let upstream = StandIn::start(|_| Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: BODY.as_bytes().to_vec(),
        delay: Duration::ZERO,
    })
    .await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;
    let response = app
        .client
        .post(format!("{}/actions", app.url))
        .bearer_auth(app.token("alice"))
        .json(
            &json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    assert_eq!(response.text().await.unwrap(), BODY);
}

#[tokio::test]
async fn parameters_are_validated_before_any_plugin_runs_and_every_violation_is_listed() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;
    let body = json!({"action": "GITHUB_CREATE_ISSUE", "parameters": {"owner": "o", "title": 5, "labels": ["ok", 7]}});
    let answer = app.as_user("alice", "POST", "/actions", Some(body)).await;
    assert_eq!((answer.status, answer.code()), (400, "invalid_parameters"));
    let errors = answer.body["error"]["details"]["errors"]
        .as_array()
        .unwrap();
    let paths: Vec<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/labels/1", "/repo", "/title"]);
    assert_eq!(answer.body["error"]["message"], "3 parameters are invalid");
    assert!(
        upstream.requests().is_empty(),
        "the plugin ran despite invalid parameters"
    );

    let not_object = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_CREATE_ISSUE", "parameters": [1]})),
        )
        .await;
    assert_eq!(
        (not_object.status, not_object.code()),
        (400, "invalid_parameters")
    );

    let malformed = app
        .client
        .post(format!("{}/actions", app.url))
        .bearer_auth(app.token("alice"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_parameters");
}

#[tokio::test]
async fn an_unknown_action_or_route_is_not_found() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    let answer = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_LAUNCH_ROCKET", "parameters": {}})),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (404, "not_found"));
    assert_eq!(
        answer.body["error"]["message"],
        "there is no action named GITHUB_LAUNCH_ROCKET"
    );
    let route = app.as_user("alice", "GET", "/nope", None).await;
    assert_eq!((route.status, route.code()), (404, "not_found"));
}

#[tokio::test]
async fn a_user_without_an_account_is_not_connected_and_told_how_to_connect() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    let answer = app
        .as_user(
            "carol",
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})),
        )
        .await;
    assert_eq!((answer.status, answer.code()), (403, "not_connected"));
    assert_eq!(
        answer.body["error"]["message"],
        "you have no connected GitHub account; connect it with POST /connected-accounts/github/authorize or PUT /connected-accounts/github"
    );
    assert_eq!(answer.body["error"]["details"]["integration"], "github");
    assert!(upstream.requests().is_empty());
}

#[tokio::test]
async fn one_user_can_never_act_with_another_users_credentials() {
    let upstream = StandIn::json(json!({"ok": true})).await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;
    connect_github(&app, &upstream, "bob", "gho_bob").await;

    // Nothing in the body selects the user.
    let smuggled = json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}, "user": "alice"});
    let answer = app
        .as_user("mallory", "POST", "/actions", Some(smuggled))
        .await;
    assert_eq!((answer.status, answer.code()), (400, "invalid_parameters"));
    let answer = app
        .as_user(
            "mallory",
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "alice", "repo": "r"}})),
        )
        .await;
    assert_eq!(answer.code(), "not_connected");
    assert!(upstream.requests().is_empty());

    let accounts = app.as_user("bob", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body.as_array().unwrap().len(), 1);
    assert_eq!(accounts.body[0]["integration"], "github");
    let alices = app
        .as_user("mallory", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(alices.body, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_users_execute_at_once_and_each_request_carries_its_own_users_token() {
    let upstream = StandIn::json(json!({"ok": true})).await;
    let app = app_with_github(&upstream).await;
    let users: Vec<String> = (0..40).map(|i| format!("user{i}")).collect();
    for user in &users {
        connect_github(&app, &upstream, user, &format!("gho_{user}")).await;
    }
    let app = &app;
    let calls = users.iter().flat_map(|user| {
        (0..3).map(move |n| async move {
            let body = json!({"action": "GITHUB_CREATE_ISSUE", "parameters": {"owner": "o", "repo": "r", "title": format!("{user}#{n}")}});
            app.as_user(user, "POST", "/actions", Some(body)).await.status
        })
    });
    let statuses = futures::future::join_all(calls).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let requests = upstream.requests();
    assert_eq!(requests.len(), 120);
    for request in requests {
        let title = request.json()["title"].as_str().unwrap().to_string();
        let user = title.split('#').next().unwrap();
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer gho_{user}").as_str())
        );
    }
}

#[tokio::test]
async fn upstream_errors_keep_the_providers_status_and_message() {
    let upstream = StandIn::start(|r| match r.path.as_str() {
        "/repos/o/missing" => Reply::json(404, json!({"message": "Not Found"})),
        "/repos/o/limited" => Reply::json(429, json!({"message": "API rate limit exceeded"}))
            .header("retry-after", "30"),
        "/repos/o/revoked" => Reply::json(401, json!({"message": "Bad credentials"})),
        "/repos/o/unprocessable" => Reply::json(422, json!({"message": "Validation Failed"})),
        _ => Reply::json(200, json!({})),
    })
    .await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_alice").await;
    let run = |repo: &str| json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": repo}});

    let missing = app
        .as_user("alice", "POST", "/actions", Some(run("missing")))
        .await;
    // A missing object is not_found (the SDK maps a provider's 404); other refusals keep the
    // provider's status, message and body.
    assert_eq!((missing.status, missing.code()), (404, "not_found"));
    assert_eq!(missing.body["error"]["message"], "Not Found");
    let refused = app
        .as_user("alice", "POST", "/actions", Some(run("unprocessable")))
        .await;
    assert_eq!((refused.status, refused.code()), (502, "upstream_error"));
    assert_eq!(refused.body["error"]["message"], "Validation Failed");
    assert_eq!(refused.body["error"]["details"]["status"], 422);
    assert_eq!(
        refused.body["error"]["details"]["body"],
        r#"{"message":"Validation Failed"}"#
    );

    let limited = app
        .as_user("alice", "POST", "/actions", Some(run("limited")))
        .await;
    assert_eq!((limited.status, limited.code()), (429, "rate_limited"));
    assert_eq!(limited.headers["retry-after"], "30");

    let revoked = app
        .as_user("alice", "POST", "/actions", Some(run("revoked")))
        .await;
    assert_eq!((revoked.status, revoked.code()), (403, "not_connected"));
    assert!(
        revoked.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("GitHub refused your credential (Bad credentials)")
    );
    // The provider refused the credential: the account is marked revoked, with the reason.
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["status"], "revoked");
    assert_eq!(
        accounts.body[0]["last_error"],
        "GitHub refused the credential (Bad credentials)"
    );
    let again = app
        .as_user("alice", "POST", "/actions", Some(run("r")))
        .await;
    assert_eq!(again.code(), "not_connected");
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("your GitHub account is revoked")
    );
}

#[tokio::test]
async fn a_crashing_plugin_is_a_plugin_error_and_a_slow_one_a_timeout() {
    let upstream = StandIn::json(json!({})).await;
    let app = TestApp::start(
        &format!("https://api.hostile.test={}", upstream.url()),
        |settings| {
            settings.call_limits.wall_time = Duration::from_secs(1);
        },
    )
    .await;
    app.load(components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;

    let panic = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_PANIC", "parameters": {}})),
        )
        .await;
    assert_eq!((panic.status, panic.code()), (500, "plugin_error"));
    assert_eq!(
        panic.body["error"]["message"],
        "plugin hostile crashed: panicked: deliberate panic in the hostile plugin"
    );

    let slow = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_SLEEP", "parameters": {"millis": 10000}})),
        )
        .await;
    assert_eq!((slow.status, slow.code()), (504, "timeout"));
}

#[tokio::test]
async fn output_that_is_not_one_json_value_is_a_plugin_error_naming_the_plugin() {
    let app = TestApp::start("", |_| {}).await;
    app.load(components::GARBLED).await;
    for (action, why) in [
        ("GARBLED_TRUNCATED", "EOF while parsing"),
        ("GARBLED_TWO_VALUES", "trailing characters"),
    ] {
        let answer = app
            .as_user(
                "alice",
                "POST",
                "/actions",
                Some(json!({"action": action, "parameters": {}})),
            )
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (500, "plugin_error"),
            "{answer:?}"
        );
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("plugin garbled returned output that is not JSON")
                && message.contains(why),
            "{message}"
        );
    }
}

#[tokio::test]
async fn jwt_edge_cases_are_refused_with_a_clear_reason() {
    use base64::Engine;
    use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let sign = |claims: Value, secret: &str| {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&json!({"sub": "alice", "exp": now + 600}))
    );
    let rsa_key = include_str!("../fixtures/rsa-private.pem");
    let rs256 = encode(
        &Header::new(Algorithm::RS256),
        &json!({"sub": "alice", "exp": now + 600}),
        &EncodingKey::from_rsa_pem(rsa_key.as_bytes()).unwrap(),
    )
    .unwrap();
    let cases = [
        (None, "missing `Authorization: Bearer <token>` header"),
        (
            Some("garbage".to_string()),
            "the bearer token is not a well-formed JWT",
        ),
        (
            Some(sign(json!({"sub": "alice", "exp": now - 120}), JWT_SECRET)),
            "the token has expired",
        ),
        (
            Some(sign(
                json!({"sub": "alice", "exp": now + 600}),
                "another-secret-that-is-32-bytes-long!!",
            )),
            "the token's signature is not valid",
        ),
        (
            Some(alg_none),
            "the token must be signed with HS256, not \"none\"",
        ),
        (
            Some(rs256),
            "the token must be signed with HS256, not RS256",
        ),
        (
            Some(sign(json!({"exp": now + 600}), JWT_SECRET)),
            "the token has no `sub` claim",
        ),
        (
            Some(sign(json!({"sub": "alice"}), JWT_SECRET)),
            "the token has no `exp` claim",
        ),
        (
            Some(sign(json!({"sub": "", "exp": now + 600}), JWT_SECRET)),
            "the token's `sub` must be 1 to 256 printable characters",
        ),
    ];
    for (token, message) in cases {
        let answer = app.call("GET", "/actions", token.as_deref(), None).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthorized"),
            "{message}"
        );
        assert_eq!(answer.body["error"]["message"], message);
    }
    // Within the clock leeway an expired token still passes.
    let recent = sign(json!({"sub": "alice", "exp": now - 5}), JWT_SECRET);
    assert_eq!(
        app.call("GET", "/actions", Some(&recent), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn admin_routes_take_only_the_admin_key() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    for bearer in [
        None,
        Some("wrong-key".to_string()),
        Some(app.token("alice")),
    ] {
        let answer = app
            .call("GET", "/admin/plugins", bearer.as_deref(), None)
            .await;
        assert_eq!((answer.status, answer.code()), (401, "unauthorized"));
    }
    let plugins = app.as_admin("GET", "/admin/plugins", None).await;
    assert_eq!(plugins.status, 200);
    let ids: Vec<&str> = plugins
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BUNDLED_IDS);
    assert_eq!(plugins.body[0]["status"], "loaded");
    assert_eq!(plugins.body[0]["source"], "bundled");
    assert_eq!(plugins.body[0]["actions"], 9);
    assert_eq!(plugins.body[0]["hash"].as_str().unwrap().len(), 64);
    // The admin key is not a user token.
    let answer = app.call("GET", "/actions", Some(ADMIN_KEY), None).await;
    assert_eq!(answer.status, 401);
}

#[tokio::test]
async fn operators_execute_for_a_user_and_read_the_audit_log_newest_first_without_secrets() {
    let upstream = StandIn::start(|r| {
        if r.path.ends_with("/missing") {
            Reply::json(404, json!({"message": "Not Found"}))
        } else {
            Reply::json(200, json!({"full_name": "o/r"}))
        }
    })
    .await;
    let app = app_with_github(&upstream).await;
    connect_github(&app, &upstream, "alice", "gho_secret_alice").await;

    let run = app
        .as_admin(
            "POST",
            "/admin/execute",
            Some(json!({"user": "alice", "action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})),
        )
        .await;
    assert_eq!(
        (run.status, run.body["full_name"].clone()),
        (200, json!("o/r"))
    );
    assert_eq!(
        upstream.single().header("authorization"),
        Some("Bearer gho_secret_alice")
    );
    app.as_user("alice", "POST", "/actions", Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "missing"}}))).await;
    app.as_user(
        "bob",
        "POST",
        "/actions",
        Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})),
    )
    .await;

    let audit = app.as_admin("GET", "/admin/audit", None).await;
    assert_eq!(audit.status, 200);
    let records = audit.body["records"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["user"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    const GET: &str = "GITHUB_GET_REPOSITORY";
    assert_eq!(
        summary,
        [
            ("bob", GET, "not_connected"),
            ("alice", GET, "not_found"),
            ("alice", GET, "ok"),
            // Connecting is audited too.
            ("alice", "account.connected", "ok"),
        ]
    );
    assert_eq!(records[1]["upstream_status"], 404);
    assert_eq!(records[1]["upstream_calls"], 1);
    assert_eq!(records[1]["integration"], "github");
    assert_eq!(records[0]["upstream_calls"], 0);
    assert!(!audit.body.to_string().contains("gho_secret_alice"));

    let alice = app
        .as_admin("GET", "/admin/audit?user=alice&limit=1", None)
        .await;
    assert_eq!(alice.body["records"].as_array().unwrap().len(), 1);
    assert_eq!(alice.body["records"][0]["outcome"], "not_found");
    let next = alice.body["next"].as_str().unwrap().to_string();
    let page2 = app
        .as_admin(
            "GET",
            &format!("/admin/audit?user=alice&limit=1&before={next}"),
            None,
        )
        .await;
    assert_eq!(page2.body["records"][0]["outcome"], "ok");
    let next = page2.body["next"].as_str().unwrap().to_string();
    let page3 = app
        .as_admin(
            "GET",
            &format!("/admin/audit?user=alice&limit=1&before={next}"),
            None,
        )
        .await;
    assert_eq!(page3.body["records"][0]["action"], "account.connected");
    assert_eq!(page3.body["next"], Value::Null);
    let by_action = app
        .as_admin("GET", "/admin/audit?action=GITHUB_CREATE_ISSUE", None)
        .await;
    assert_eq!(by_action.body["records"], json!([]));
}

#[tokio::test]
async fn accounts_are_stored_listed_and_deleted_without_ever_returning_a_secret() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;

    let put = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/github",
            Some(json!({"access_token": "gho_top_secret", "refresh_token": "ghr_refresh", "expires_in": 3600, "scopes": ["repo"]})),
        )
        .await;
    assert_eq!(put.status, 200);
    assert_eq!(put.body["integration"], "github");
    assert_eq!(put.body["status"], "active");
    assert_eq!(put.body["scopes"], json!(["repo"]));
    assert!(put.body["expires_at"].is_string());
    assert!(!put.body.to_string().contains("gho_top_secret"));

    let list = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(
        !list.body.to_string().contains("secret") && !list.body.to_string().contains("ghr_refresh")
    );

    let integrations = app.as_user("alice", "GET", "/integrations", None).await;
    let by_id: std::collections::HashMap<&str, &Value> = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i))
        .collect();
    assert_eq!(by_id["github"]["status"], "active");
    assert_eq!(by_id["github"]["auth"], json!({"type": "oauth2"}));
    assert_eq!(by_id["slack"]["status"], Value::Null);
    assert_eq!(by_id["slack"]["categories"], json!(["communication"]));

    for (path, body, code, status) in [
        (
            "/connected-accounts/github",
            json!({"api_key": "k"}),
            "invalid_parameters",
            400,
        ),
        (
            "/connected-accounts/github",
            json!({}),
            "invalid_parameters",
            400,
        ),
        (
            "/connected-accounts/github",
            json!({"access_token": ""}),
            "invalid_parameters",
            400,
        ),
        (
            "/connected-accounts/github",
            json!({"access_token": "x", "password": "y"}),
            "invalid_parameters",
            400,
        ),
        (
            "/connected-accounts/nope",
            json!({"access_token": "x"}),
            "not_found",
            404,
        ),
    ] {
        let answer = app.as_user("alice", "PUT", path, Some(body.clone())).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{path} {body}"
        );
    }

    let deleted = app
        .as_user("alice", "DELETE", "/connected-accounts/github", None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        app.as_user("alice", "DELETE", "/connected-accounts/github", None)
            .await
            .code(),
        "not_found"
    );
    assert_eq!(
        app.as_user("alice", "GET", "/connected-accounts", None)
            .await
            .body,
        json!([])
    );
    let run = app
        .as_user("alice", "POST", "/actions", Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})))
        .await;
    assert_eq!(run.code(), "not_connected");

    // Nothing in the data dir holds the token in plaintext.
    app.state.store.flush().await.unwrap();
    for entry in actionhost_e2e::files_under(app.data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(14).any(|w| w == b"gho_top_secret"),
            "{}",
            entry.display()
        );
    }
}

#[tokio::test]
async fn concurrent_listings_share_one_describe_and_integrations_describe_at_once() {
    use std::sync::{Arc, Mutex};
    // Every `/fields` answer takes 600 ms; the stand-in notes when each request arrived.
    let arrivals: Arc<Mutex<Vec<(String, std::time::Instant)>>> = Arc::default();
    let noted = arrivals.clone();
    let upstream = StandIn::start(move |r| {
        if r.path == "/fields" {
            noted.lock().unwrap().push((
                r.header("x-api-key").unwrap_or("").to_string(),
                std::time::Instant::now(),
            ));
            return Reply::json(
                200,
                json!([{"name": "priority", "type": "integer", "required": true}]),
            )
            .delayed(Duration::from_millis(600));
        }
        Reply::json(200, json!({}))
    })
    .await;
    // A second integration with a dynamic action: the same component under another id.
    let twin = actionhost_e2e::patch(
        actionhost_e2e::patch(
            std::fs::read(components::HOSTILE).unwrap(),
            b"hostile",
            b"hostilf",
        ),
        b"HOSTILE",
        b"HOSTILF",
    );
    let app = TestApp::start(
        &format!(
            "https://api.hostile.test={0},https://api.hostilf.test={0}",
            upstream.url()
        ),
        |_| {},
    )
    .await;
    app.load(components::HOSTILE).await;
    assert_eq!(app.upload("hostilf", twin).await.status, 200);
    app.connect("alice", "hostile", json!({"api_key": "one"}))
        .await;
    app.connect("alice", "hostilf", json!({"api_key": "two"}))
        .await;

    // Eight listings at once for one user: one describe per action, every listing described.
    let listings = (0..8).map(|_| app.as_user("alice", "GET", "/actions", None));
    for listed in futures::future::join_all(listings).await {
        assert_eq!(listed.status, 200, "{listed:?}");
        assert_eq!(listed.body["errors"], json!([]), "{listed:?}");
        for (id, action) in [
            ("hostile", "HOSTILE_CREATE_RECORD"),
            ("hostilf", "HOSTILF_CREATE_RECORD"),
        ] {
            let tool = listed.body["actions"][id]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["function"]["name"] == action)
                .unwrap();
            assert_eq!(
                tool["function"]["parameters"]["required"],
                json!(["title", "priority"]),
                "{id}"
            );
        }
    }
    let arrivals = arrivals.lock().unwrap().clone();
    let mut keys: Vec<&str> = arrivals.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["one", "two"], "one describe per integration");
    // The two integrations' describes overlapped: the second began before the first (600 ms)
    // could have ended.
    let apart = arrivals[1].1.duration_since(arrivals[0].1);
    assert!(apart < Duration::from_millis(400), "{apart:?} apart");
}

#[tokio::test]
async fn dynamic_schemas_are_described_per_user_cached_reloaded_and_enforced() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let fields_calls = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = fields_calls.clone();
    let upstream = StandIn::start(move |r| {
        if r.path == "/fields" {
            counter.fetch_add(1, Ordering::SeqCst);
            if r.header("x-api-key") == Some("broken") {
                return Reply::json(500, json!({"message": "fields unavailable"}));
            }
            Reply::json(
                200,
                json!([{"name": "priority", "type": "integer", "required": true}]),
            )
        } else {
            Reply::json(200, json!({}))
        }
    })
    .await;
    let app = TestApp::start(
        &format!("https://api.hostile.test={}", upstream.url()),
        |_| {},
    )
    .await;
    app.load(components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;

    let find = |body: &Value| {
        body["actions"]["hostile"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["function"]["name"] == "HOSTILE_CREATE_RECORD")
            .unwrap()["function"]["parameters"]
            .clone()
    };
    let listed = app
        .as_user("alice", "GET", "/actions?integrations=hostile", None)
        .await;
    let schema = find(&listed.body);
    assert_eq!(schema["properties"]["priority"], json!({"type": "integer"}));
    assert_eq!(schema["required"], json!(["title", "priority"]));
    assert_eq!(listed.body["errors"], json!([]));

    // Cached per user: listing again and executing do not describe again.
    app.as_user("alice", "GET", "/actions?integrations=hostile", None)
        .await;
    let missing = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_CREATE_RECORD", "parameters": {"title": "t"}})),
        )
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (400, "invalid_parameters")
    );
    assert_eq!(
        missing.body["error"]["details"]["errors"][0]["path"],
        "/priority"
    );
    assert_eq!(fields_calls.load(Ordering::SeqCst), 1);
    let ok = app
        .as_user("alice", "POST", "/actions", Some(json!({"action": "HOSTILE_CREATE_RECORD", "parameters": {"title": "t", "priority": 2}})))
        .await;
    assert_eq!((ok.status, ok.body.clone()), (200, json!({"created": "t"})));

    // reload_fields drops the cache.
    app.as_user(
        "alice",
        "GET",
        "/actions?integrations=hostile&reload_fields=true",
        None,
    )
    .await;
    assert_eq!(fields_calls.load(Ordering::SeqCst), 2);

    // A failing describe keeps the static schema and reports the integration in `errors`.
    app.connect("bob", "hostile", json!({"api_key": "broken"}))
        .await;
    let listed = app
        .as_user("bob", "GET", "/actions?integrations=hostile", None)
        .await;
    assert_eq!(find(&listed.body)["required"], json!(["title"]));
    assert_eq!(listed.body["errors"][0]["integration"], "hostile");
    assert!(
        listed.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fields unavailable"),
        "{}",
        listed.body
    );
}

/// Every answer carries a request id (the caller's own when it sent one), and an operator can
/// upload a component larger than axum's 2 MiB default body limit: both are layers around the
/// whole router, so they hold for matched routes, the fallback and errors alike.
#[tokio::test]
async fn request_ids_and_the_upload_size_limit_hold_on_every_route() {
    let upstream = StandIn::json(json!({})).await;
    let app = app_with_github(&upstream).await;
    for (method, path) in [
        ("GET", "/healthz"),
        ("GET", "/no/such/route"),
        ("GET", "/actions"),
    ] {
        let answer = app.call(method, path, None, None).await;
        let id = answer
            .headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{method} {path} has no x-request-id"))
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }
    let echoed = app
        .client
        .get(format!("{}/healthz", app.url))
        .header("x-request-id", "caller-chosen-id")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "caller-chosen-id");

    // 3 MiB that is not a component: refused for what it is, not for its size.
    let upload = app
        .client
        .put(format!("{}/admin/plugins/big", app.url))
        .bearer_auth(ADMIN_KEY)
        .header("content-type", "application/wasm")
        .body(vec![0u8; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let status = upload.status().as_u16();
    let body: Value = upload.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_plugin", "{body}");
}

/// `Executor::execute` boxes each call's future, which copies it whole. A rare path awaited
/// inline (an OAuth refresh, a dynamic schema's describe, marking an account revoked) made it
/// 35 KB, copied on every call (docs/performance.md); those paths are boxed where they are
/// awaited, so the common one stays a few KB.
#[tokio::test]
async fn a_call_s_future_stays_small_enough_to_copy() {
    let app = TestApp::start("", |_| {}).await;
    let size = app.state.executor.call_future_size();
    assert!(
        size <= 8 * 1024,
        "the execute future is {size} bytes: box the large, rare futures it awaits"
    );
}
