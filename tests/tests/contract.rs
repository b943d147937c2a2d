//! Contracts 0.2, 0.3 and 0.4 end to end: components built against 0.1.0, 0.2.0 and 0.3.0 keep
//! working; an operator credential goes only on requests made as the operator, an OAuth token
//! in the header its plugin names, and a user field may be a whole origin that an OAuth account
//! never chooses;
//! alternative auth takes each declared kind of credential, injects it as that kind, tells the
//! plugin which, and refuses a declaration that is ambiguous; HTTP Basic and
//! two-part keys are injected by the host; account fields are given, checked, captured from the
//! token response and found by `after-connect`; templated origins and OAuth URLs resolve per
//! account and nowhere else; scopes per action filter the listing and refuse a run.

use std::process::Command;
use std::sync::{Arc, Mutex};

use actionhost::credentials::SecretString;
use actionhost::runtime::{CallContext, CallLimits, Contract};
use actionhost_e2e::host::{Answer, TestApp, binary};
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::{attacker, bundled, load, runtime};
use base64::Engine as _;
use serde_json::{Value, json};

/// The GitHub plugin as it was built against contract 0.1.0, before 0.2.0 existed (committed
/// from main at 4c4380f, built by the wasm-build crate's release profile).
const GITHUB_0_1_0: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/github-contract-0.1.0.wasm"
);

/// The Outlook plugin as it was built against contract 0.2.0, before 0.3.0 existed (committed
/// from main at c4df076, built by the host's build script, release profile): account fields (the
/// tenant), templated OAuth URLs, scopes per action and an after-connect that labels the account.
const OUTLOOK_0_2_0: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/outlook-contract-0.2.0.wasm"
);

/// The Jira plugin as it was built against contract 0.3.0, before 0.4.0 existed (committed from
/// main at 67c0043, release profile): OAuth 2 with HTTP Basic as its alternative, account fields
/// in its origins, and a base URL chosen by the account's credential kind.
const JIRA_0_3_0: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/jira-contract-0.3.0.wasm"
);

#[tokio::test]
async fn a_component_built_against_0_1_0_loads_and_runs_unchanged() {
    let upstream = StandIn::json(json!({"number": 7, "title": "Crash"})).await;
    let runtime = runtime(&format!("https://api.github.com={}", upstream.url()));
    let old = load(
        &runtime,
        &std::fs::read(GITHUB_0_1_0).unwrap(),
        CallLimits::default(),
    )
    .await;
    assert_eq!(old.contract, Contract::V01);
    assert_eq!(old.contract.version(), "0.1.0");
    let current = load(&runtime, bundled("github.wasm"), CallLimits::default()).await;
    assert_eq!(current.contract, Contract::V04);
    // The same provider: the old build declares what the current one declares.
    assert_eq!(old.info.id, "github");
    assert!(old.info.account_fields.is_empty());
    let names = |p: &actionhost::runtime::LoadedPlugin| -> Vec<String> {
        p.actions.iter().map(|a| a.name.clone()).collect()
    };
    for name in names(&old) {
        assert!(names(&current).contains(&name), "{name} is gone");
    }

    let call = CallContext {
        user: "alice".into(),
        credential: Some(SecretString::new("ghp_alice")),
        ..Default::default()
    };
    let (result, report) = runtime
        .execute(
            &old,
            "GITHUB_GET_ISSUE",
            &json!({"owner": "octo", "repo": "hello", "issue_number": 7}),
            &call,
        )
        .await;
    assert_eq!(result.unwrap(), json!({"number": 7, "title": "Crash"}));
    assert_eq!(report.upstream_calls, 1);
    let sent = upstream.single();
    assert_eq!(sent.path, "/repos/octo/hello/issues/7");
    assert_eq!(sent.header("authorization"), Some("Bearer ghp_alice"));

    // A 0.1.0 component has no after-connect: connecting finds nothing and calls nothing.
    let (found, report) = runtime.after_connect(&old, &call).await;
    assert_eq!(found.unwrap(), actionhost::runtime::Connected::default());
    assert_eq!(report.upstream_calls, 0);

    // And `plugin check` says which contract each speaks.
    for (file, version) in [
        (GITHUB_0_1_0.to_string(), "0.1.0"),
        (OUTLOOK_0_2_0.to_string(), "0.2.0"),
        (JIRA_0_3_0.to_string(), "0.3.0"),
        (
            actionhost_e2e::bundled_path("github.wasm")
                .display()
                .to_string(),
            "0.4.0",
        ),
    ] {
        let out = Command::new(binary())
            .args(["plugin", "check", &file])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&format!("  contract: actionhost:provider@{version}\n")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_component_built_against_0_2_0_loads_and_runs_unchanged() {
    let graph = StandIn::start(|request: &Recorded| match request.path.as_str() {
        "/v1.0/me" => Reply::json(
            200,
            json!({"displayName": "Ada", "userPrincipalName": "ada@contoso.com"}),
        ),
        _ => Reply::json(
            200,
            json!({"value": [{"id": "f-1", "displayName": "Inbox"}]}),
        ),
    })
    .await;
    let runtime = runtime(&format!("https://graph.microsoft.com={}", graph.url()));
    let old = load(
        &runtime,
        &std::fs::read(OUTLOOK_0_2_0).unwrap(),
        CallLimits::default(),
    )
    .await;
    assert_eq!(old.contract, Contract::V02);
    assert_eq!(old.contract.version(), "0.2.0");
    let current = load(&runtime, bundled("outlook.wasm"), CallLimits::default()).await;
    assert_eq!(current.contract, Contract::V04);
    // What 0.2.0 declares arrives whole: fields, OAuth endpoints, scopes, hints; no alternatives.
    assert_eq!(old.info.account_fields, current.info.account_fields);
    assert_eq!(old.info.auth, current.info.auth);
    assert!(old.info.alternative_auth.is_empty());
    assert_eq!(old.actions.len(), current.actions.len());
    for action in &old.actions {
        let now = current.action(&action.name).expect("still declared");
        assert_eq!(
            (&action.scopes, action.hints),
            (&now.scopes, now.hints),
            "{}",
            action.name
        );
    }
    let folders = old.action("OUTLOOK_LIST_FOLDERS").expect("declared");
    assert_eq!(
        folders.scopes,
        [["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"]]
    );
    assert!(folders.hints.read_only);

    let call = CallContext {
        user: "alice".into(),
        credential: Some(SecretString::new("graph-token")),
        fields: [("tenant".to_string(), "contoso.com".to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let (result, report) = runtime
        .execute(&old, "OUTLOOK_LIST_FOLDERS", &json!({}), &call)
        .await;
    let listed = result.unwrap();
    assert_eq!(listed["items"][0]["displayName"], "Inbox", "{listed}");
    assert_eq!(report.upstream_calls, 1);
    let sent = graph.single();
    assert_eq!(sent.path, "/v1.0/me/mailFolders");
    assert_eq!(sent.header("authorization"), Some("Bearer graph-token"));

    // Its after-connect runs and labels the account.
    let (found, _) = runtime.after_connect(&old, &call).await;
    assert_eq!(found.unwrap().label.as_deref(), Some("ada@contoso.com"));
}

/// A stand-in for the attacker's provider: `/me` answers with a login (or 401 once `refuse` is
/// set), `/oauth/token` issues a token that never expires, and anything else echoes the request.
struct Provider {
    standin: StandIn,
    refuse_me: Arc<Mutex<bool>>,
}

impl Provider {
    async fn start() -> Self {
        let refuse_me = Arc::new(Mutex::new(false));
        let refuse = refuse_me.clone();
        let standin = StandIn::start(move |request: &Recorded| match request.path.as_str() {
            "/me" if *refuse.lock().unwrap() => Reply::json(401, json!({"error": "bad"})),
            "/me" => Reply::json(200, json!({"login": "ada@example.com", "id": "u-1"})),
            "/oauth/token" => Reply::json(
                200,
                json!({
                    "access_token": "tok-ada",
                    "token_type": "bearer",
                    "scope": "read",
                    "instance_url": "https://acme.my.attacker.test",
                }),
            ),
            _ => Reply::json(
                200,
                json!({
                    "path": request.path,
                    "query": request.query,
                    "authorization": request.header("authorization"),
                    "x_attacker_key": request.header("x-attacker-key"),
                    "x_attacker_token": request.header("x-attacker-token"),
                    "echo": String::from_utf8_lossy(&request.body),
                }),
            ),
        })
        .await;
        Provider { standin, refuse_me }
    }

    /// Overrides sending each of the attacker's origins here.
    fn overrides(&self) -> String {
        [
            "https://api.attacker.test",
            "https://auth.attacker.test",
            "https://acme.shop.attacker.test",
            "https://acme.my.attacker.test",
            "https://bobs.shop.attacker.test",
            "https://drop.attacker.test",
            "https://git.selfhosted.test",
        ]
        .map(|origin| format!("{origin}={}", self.standin.url()))
        .join(",")
    }
}

async fn app_with(mode: &str, provider: &Provider) -> TestApp {
    let app = TestApp::start(&provider.overrides(), |_| {}).await;
    let answer = app.upload("attacker", attacker(mode, 0)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    app
}

async fn request(app: &TestApp, user: &str, url: &str) -> Answer {
    app.as_user(
        user,
        "POST",
        "/actions",
        Some(json!({"action": "ATTACKER_REQUEST", "parameters": {"url": url}})),
    )
    .await
}

/// The attacker's entry in ada's `GET /integrations`.
async fn attacker_integration(app: &TestApp) -> Value {
    let integrations = app.as_user("ada", "GET", "/integrations", None).await;
    integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "attacker")
        .expect("the attacker is listed")
        .clone()
}

/// The stand-in's echo inside an `ATTACKER_REQUEST` answer.
fn echoed(answer: &Answer) -> Value {
    assert_eq!(answer.status, 200, "{answer:?}");
    let body = answer.body["body"].as_str().expect("a body came back");
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn basic_credentials_are_injected_scrubbed_and_checked_by_after_connect() {
    let provider = Provider::start().await;
    let app = app_with("basic", &provider).await;

    let entry = attacker_integration(&app).await;
    assert_eq!(entry["auth"]["type"], "basic", "{entry}");
    assert_eq!(entry["auth"]["username_label"], "Account e-mail");

    // The wrong kind of credential is refused, naming what to give.
    let wrong = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"api_key": "k"})),
        )
        .await;
    assert_eq!(wrong.status, 400, "{wrong:?}");
    assert!(
        wrong.body["error"]["message"].as_str().unwrap().contains(
            "does not take an API key (`api_key`): it accepts `username` (Account e-mail) \
                 and `password` (API token)"
        ),
        "{wrong:?}"
    );
    let colon = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"username": "a:b", "password": "p"})),
        )
        .await;
    assert_eq!(colon.status, 400, "{colon:?}");

    let stored = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"username": "ada@example.com", "password": "s3cret-token"})),
        )
        .await;
    assert_eq!(stored.status, 200, "{stored:?}");
    assert_eq!(stored.body["label"], "ada@example.com", "{stored:?}");
    let me = &provider.standin.requests()[0];
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ada@example.com:s3cret-token")
    );
    assert_eq!(me.path, "/me");
    assert_eq!(me.header("authorization"), Some(expected.as_str()));

    // Every request carries it; the password echoed back reaches the plugin redacted.
    let answer = request(&app, "ada", "https://api.attacker.test/echo?q=s3cret-token").await;
    let echo = echoed(&answer);
    assert_eq!(echo["authorization"], "[redacted by actionhost]");
    assert_eq!(echo["query"], "q=[redacted by actionhost]");
    assert!(!answer.body.to_string().contains("s3cret-token"));

    // A credential the provider refuses in after-connect is not stored, and the account that
    // was stored stays as it was.
    *provider.refuse_me.lock().unwrap() = true;
    let refused = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"username": "ada@example.com", "password": "wrong"})),
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(refused.code(), "invalid_parameters");
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("account was not stored") && message.contains("refused the credential"),
        "{message}"
    );
    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body.as_array().unwrap().len(), 1, "{accounts:?}");
    assert_eq!(accounts.body[0]["label"], "ada@example.com");
    let answer = request(&app, "ada", "https://api.attacker.test/again").await;
    assert_eq!(echoed(&answer)["authorization"], "[redacted by actionhost]");
    let last = provider.standin.requests().pop().unwrap();
    assert_eq!(last.header("authorization"), Some(expected.as_str()));

    // A new user whose credential is refused gets no account at all.
    let bob = app
        .as_user(
            "bob",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"username": "bob", "password": "nope"})),
        )
        .await;
    assert_eq!(bob.status, 400, "{bob:?}");
    let accounts = app.as_user("bob", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body, json!([]));
}

#[tokio::test]
async fn a_two_part_key_sends_the_operators_part_beside_the_users() {
    let provider = Provider::start().await;
    let app = app_with("twopart", &provider).await;
    // Before the operator configures the application key, connecting fails and says why.
    let early = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"api_key": "user-token-1"})),
        )
        .await;
    assert_eq!(early.status, 403, "{early:?}");
    assert!(
        early.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("PUT /admin/connections/attacker"),
        "{early:?}"
    );
    assert!(provider.standin.requests().is_empty());

    let configured = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            // An application key has no secret.
            Some(json!({"client_id": "app-key-9"})),
        )
        .await;
    assert_eq!(configured.status, 200, "{configured:?}");
    app.connect("ada", "attacker", json!({"api_key": "user-token-1"}))
        .await;
    let answer = request(&app, "ada", "https://api.attacker.test/1/members/me").await;
    let echo = echoed(&answer);
    let query = echo["query"].as_str().unwrap();
    assert_eq!(
        query, "token=[redacted by actionhost]&key=app-key-9",
        "{echo}"
    );
    let sent = provider.standin.requests().pop().unwrap();
    assert_eq!(
        sent.query.as_deref(),
        Some("token=user-token-1&key=app-key-9")
    );

    // The plugin cannot set the operator's parameter itself.
    let answer = request(&app, "ada", "https://api.attacker.test/x?key=mine").await;
    assert!(
        answer.body["last_error"]
            .as_str()
            .unwrap()
            .contains("carries the credential and is set by the host"),
        "{answer:?}"
    );
}

fn state_of(authorization_url: &str) -> String {
    url::Url::parse(authorization_url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state")
}

/// The user fields `GET /integrations` lists for the attacker plugin.
async fn listed_fields(app: &TestApp) -> Value {
    let integrations = app.as_user("ada", "GET", "/integrations", None).await;
    integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "attacker")
        .unwrap()["fields"]
        .clone()
}

/// The attacker plugin's one user field (not the token response's or after-connect's), with
/// the value a connection fixes.
fn shop_field(fixed: Option<&str>) -> Value {
    let mut field = json!({
        "name": "shop", "description": "The shop's subdomain",
        "pattern": "[a-z][a-z0-9-]*", "required": true,
    });
    if let Some(value) = fixed {
        field["fixed"] = json!(value);
    }
    json!([field])
}

#[tokio::test]
async fn a_connection_fixes_a_user_field_for_every_user() {
    let provider = Provider::start().await;
    let app = app_with("fields", &provider).await;
    let connection = |fields: Value| {
        json!({
            "client_id": "cid",
            "client_secret": "csecret",
            "token_url": format!("{}/oauth/token", provider.standin.url()),
            "fields": fields,
        })
    };
    // Only the integration's user-given fields, matching their patterns, may be fixed.
    for (fields, expected) in [
        (json!({"color": "red"}), "\"color\" is not an account field"),
        (json!({"shop": "evil.com/x"}), "must match [a-z][a-z0-9-]*"),
        (
            json!({"login_id": "forged"}),
            "\"login_id\" is not given by the user",
        ),
    ] {
        let answer = app
            .as_admin(
                "PUT",
                "/admin/connections/attacker",
                Some(connection(fields.clone())),
            )
            .await;
        assert_eq!(answer.status, 400, "{fields}: {answer:?}");
        let message = answer.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{fields}: {message}");
        assert_eq!(
            answer.body["error"]["details"]["errors"][0]["path"],
            "/fields"
        );
    }
    assert_eq!(listed_fields(&app).await, shop_field(None));
    let configured = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(connection(json!({"shop": "acme"}))),
        )
        .await;
    assert_eq!(configured.status, 200, "{configured:?}");
    assert_eq!(listed_fields(&app).await, shop_field(Some("acme")));
    assert_eq!(configured.body["fields"], json!({"shop": "acme"}));
    let listed = app.as_admin("GET", "/admin/connections", None).await;
    assert_eq!(listed.body[0]["fields"], json!({"shop": "acme"}));

    // A user needn't give the fixed field, may repeat it, and may not change it.
    let refused = app
        .as_user(
            "ada",
            "POST",
            "/connected-accounts/attacker/authorize",
            Some(json!({"fields": {"shop": "bobs"}})),
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(
        refused.body["error"]["message"],
        "field \"shop\" is fixed to \"acme\" by the operator's attacker connection; leave it out"
    );
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/fields/shop"
    );
    for body in [None, Some(json!({"fields": {"shop": "acme"}}))] {
        let started = app
            .as_user(
                "ada",
                "POST",
                "/connected-accounts/attacker/authorize",
                body.clone(),
            )
            .await;
        assert_eq!(started.status, 200, "{body:?}: {started:?}");
        let authorization_url = started.body["authorization_url"].as_str().unwrap();
        assert!(
            authorization_url.starts_with("https://acme.shop.attacker.test/oauth/authorize?"),
            "{authorization_url}"
        );
    }
    // The account made from that flow carries the fixed value like a given one.
    let started = app
        .as_user(
            "ada",
            "POST",
            "/connected-accounts/attacker/authorize",
            None,
        )
        .await;
    let callback = app
        .call(
            "GET",
            &format!(
                "/oauth/callback?code=code-1&state={}",
                state_of(started.body["authorization_url"].as_str().unwrap())
            ),
            None,
            None,
        )
        .await;
    assert_eq!(callback.status, 200, "{callback:?}");
    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    assert_eq!(accounts.body[0]["status"], "active", "{accounts:?}");
    assert_eq!(accounts.body[0]["fields"]["shop"], "acme");
}

#[tokio::test]
async fn account_fields_resolve_endpoints_and_origins_per_account() {
    let provider = Provider::start().await;
    let app = app_with("fields", &provider).await;
    let configured = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({
                "client_id": "cid",
                "client_secret": "csecret",
                "token_url": format!("{}/oauth/token", provider.standin.url()),
            })),
        )
        .await;
    assert_eq!(configured.status, 200, "{configured:?}");

    // Fields given at authorize are checked against the plugin's declarations.
    for (fields, expected) in [
        (json!({}), "field \"shop\" is required"),
        (json!({"shop": "evil.com/x"}), "must match [a-z][a-z0-9-]*"),
        (
            json!({"shop": "acme", "color": "red"}),
            "\"color\" is not an account field",
        ),
        (
            json!({"shop": "acme", "login_id": "forged"}),
            "\"login_id\" is not given by the user",
        ),
    ] {
        let answer = app
            .as_user(
                "ada",
                "POST",
                "/connected-accounts/attacker/authorize",
                Some(json!({"fields": fields})),
            )
            .await;
        assert_eq!(answer.status, 400, "{fields}: {answer:?}");
        assert_eq!(
            answer.body["error"]["details"]["errors"][0]["path"],
            "/fields"
        );
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{fields}: {answer:?}"
        );
    }
    let started = app
        .as_user(
            "ada",
            "POST",
            "/connected-accounts/attacker/authorize",
            Some(json!({"fields": {"shop": "acme"}})),
        )
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let authorization_url = started.body["authorization_url"].as_str().unwrap();
    assert!(
        authorization_url.starts_with("https://acme.shop.attacker.test/oauth/authorize?"),
        "{authorization_url}"
    );

    // The callback exchanges the code with HTTP Basic client authentication, keeps the token
    // response's instance_url, and runs after-connect before storing anything.
    let callback = app
        .call(
            "GET",
            &format!(
                "/oauth/callback?code=code-1&state={}",
                state_of(authorization_url)
            ),
            None,
            None,
        )
        .await;
    assert!(callback.status == 200, "{callback:?}");
    let exchange = provider
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth/token")
        .unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode("cid:csecret");
    assert_eq!(
        exchange.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    let form = String::from_utf8(exchange.body.clone()).unwrap();
    assert!(!form.contains("client_secret"), "{form}");
    let me = provider
        .standin
        .requests()
        .into_iter()
        .find(|r| r.path == "/me")
        .unwrap();
    assert_eq!(me.header("authorization"), Some("Bearer tok-ada"));

    let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
    let account = &accounts.body[0];
    assert_eq!(account["status"], "active", "{accounts:?}");
    assert_eq!(
        account["fields"],
        json!({"shop": "acme", "instance_url": "https://acme.my.attacker.test", "login_id": "u-1"})
    );
    assert_eq!(account["label"], "ada@example.com");
    assert_eq!(
        account["expires_at"],
        Value::Null,
        "a token without expires_in never expires"
    );
    assert_eq!(account["scopes"], json!(["read"]));

    // Both templated origins resolve for this account, with its token; others stay closed.
    for url in [
        "https://acme.shop.attacker.test/admin/products.json",
        "https://acme.my.attacker.test/services/data",
    ] {
        let echo = echoed(&request(&app, "ada", url).await);
        assert_eq!(echo["authorization"], "[redacted by actionhost]", "{url}");
    }
    let other = request(&app, "ada", "https://other.shop.attacker.test/x").await;
    let error = other.body["last_error"].as_str().unwrap();
    assert!(
        error.contains("is not declared by plugin attacker"),
        "{error}"
    );

    // Another user's account resolves to its own shop only; without instance_url (a
    // bring-your-own token has no token response) that origin is closed and the refusal says why.
    let bob = app
        .as_user(
            "bob",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"access_token": "tok-bob", "scopes": ["read", "admin"], "fields": {"shop": "bobs"}})),
        )
        .await;
    assert_eq!(bob.status, 200, "{bob:?}");
    // Bring-your-own may give a token-response field (the caller is the token response), checked
    // like any other; never one the plugin finds.
    for (fields, expected) in [
        (
            json!({"shop": "bobs", "instance_url": "https://evil.test"}),
            "must match",
        ),
        (
            json!({"shop": "bobs", "login_id": "forged"}),
            "is not given by the user",
        ),
    ] {
        let refused = app
            .as_user(
                "carol",
                "PUT",
                "/connected-accounts/attacker",
                Some(json!({"access_token": "tok-carol", "fields": fields})),
            )
            .await;
        assert_eq!(refused.status, 400, "{refused:?}");
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{refused:?}"
        );
    }
    let acme = request(&app, "bob", "https://acme.shop.attacker.test/x").await;
    assert!(
        acme.body["last_error"]
            .as_str()
            .unwrap()
            .contains("is not declared"),
        "{acme:?}"
    );
    let instance = request(&app, "bob", "https://acme.my.attacker.test/x").await;
    assert!(
        instance.body["last_error"]
            .as_str()
            .unwrap()
            .contains("the account has no field \\\"instance_url\\\""),
        "{instance:?}"
    );

    // Scopes per action: ada (read) does not see ATTACKER_SCOPED, and cannot run it; bob
    // (read, admin) can.
    let listing = app.as_user("ada", "GET", "/actions", None).await;
    let names: Vec<&str> = listing.body["actions"]["attacker"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["ATTACKER_REQUEST"], "{listing:?}");
    let why = listing.body["errors"].to_string();
    assert!(
        why.contains("ATTACKER_SCOPED: left out") && why.contains("write or admin"),
        "{why}"
    );
    let everything = app
        .as_user("ada", "GET", "/actions?limit_to_available=false", None)
        .await;
    assert_eq!(
        everything.body["actions"]["attacker"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let refused = app
        .as_user(
            "ada",
            "POST",
            "/actions",
            Some(json!({"action": "ATTACKER_SCOPED", "parameters": {}})),
        )
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(refused.code(), "forbidden");
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("write or admin"),
        "{refused:?}"
    );
    let ran = app
        .as_user(
            "bob",
            "POST",
            "/actions",
            Some(json!({"action": "ATTACKER_SCOPED", "parameters": {}})),
        )
        .await;
    assert_eq!(ran.status, 200, "{ran:?}");
}

#[tokio::test]
async fn alternative_auth_takes_each_declared_kind_and_tells_the_plugin_which() {
    let provider = Provider::start().await;
    let app = app_with("alternatives", &provider).await;
    let entry = attacker_integration(&app).await;
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(
        entry["alternative_auth"],
        json!([
            {"type": "basic", "username_label": "Account e-mail", "password_label": "API token"},
            {"type": "api_key"},
        ])
    );
    // No OAuth app yet, but a user can connect with a token.
    assert_eq!(entry["connectable"], true);

    // One credential at a time; the error lists every way.
    let two = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"api_key": "k", "username": "u", "password": "p"})),
        )
        .await;
    assert_eq!(two.status, 400, "{two:?}");
    assert_eq!(
        two.body["error"]["message"],
        "give one credential: attacker accepts `access_token` (OAuth 2; optionally \
         `refresh_token`, `expires_in`, `scopes`) or `username` (Account e-mail) and `password` \
         (API token) or `api_key`",
        "{two:?}"
    );
    let none = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"fields": {}})),
        )
        .await;
    assert_eq!(none.status, 400, "{none:?}");

    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ada@example.com:basic-secret")
    );
    let cases = [
        (
            json!({"username": "ada@example.com", "password": "basic-secret"}),
            "basic",
            Some(basic.as_str()),
            None,
        ),
        (
            json!({"api_key": "key-secret"}),
            "api_key",
            None,
            Some("Key key-secret"),
        ),
        (
            json!({"access_token": "tok-secret"}),
            "oauth2",
            Some("Bearer tok-secret"),
            None,
        ),
    ];
    for (body, kind, authorization, key_header) in cases {
        let before = provider.standin.requests().len();
        let stored = app
            .as_user("ada", "PUT", "/connected-accounts/attacker", Some(body))
            .await;
        assert_eq!(stored.status, 200, "{kind}: {stored:?}");
        assert_eq!(stored.body["label"], "ada@example.com", "{kind}");
        // after-connect checked the new credential, sent as its own kind and nothing else.
        let me = &provider.standin.requests()[before];
        assert_eq!(me.path, "/me");
        assert_eq!(me.header("authorization"), authorization, "{kind}");
        assert_eq!(me.header("x-attacker-key"), key_header, "{kind}");

        let answer = request(&app, "ada", "https://api.attacker.test/echo").await;
        assert_eq!(answer.body["credential"], kind, "{answer:?}");
        let echo = echoed(&answer);
        let redacted = |sent: Option<&str>| sent.map(|_| "[redacted by actionhost]");
        assert_eq!(
            echo["authorization"].as_str(),
            redacted(authorization),
            "{kind}"
        );
        assert_eq!(
            echo["x_attacker_key"].as_str(),
            redacted(key_header),
            "{kind}"
        );
    }

    // The key's header belongs to the host while the account holds a key.
    app.as_user(
        "ada",
        "PUT",
        "/connected-accounts/attacker",
        Some(json!({"api_key": "key-secret"})),
    )
    .await;
    let forged = app
        .as_user(
            "ada",
            "POST",
            "/actions",
            Some(json!({"action": "ATTACKER_REQUEST", "parameters": {
                "url": "https://api.attacker.test/echo",
                "headers": [["X-Attacker-Key", "Key forged"]],
            }})),
        )
        .await;
    assert_eq!(forged.status, 200, "{forged:?}");
    assert!(
        forged.body["last_error"]
            .as_str()
            .unwrap()
            .contains("ForbiddenHeader(\"x-attacker-key\")"),
        "{forged:?}"
    );

    // OAuth stays the primary way once the operator sets up the app.
    let connection = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid", "client_secret": "csecret"})),
        )
        .await;
    assert_eq!(connection.status, 200, "{connection:?}");
    let authorize = app
        .as_user(
            "ada",
            "POST",
            "/connected-accounts/attacker/authorize",
            Some(json!({})),
        )
        .await;
    assert_eq!(authorize.status, 200, "{authorize:?}");
    assert!(
        authorize.body["authorization_url"]
            .as_str()
            .unwrap()
            .starts_with("https://auth.attacker.test/oauth/authorize?"),
        "{authorize:?}"
    );

    // A new version that no longer takes keys: the key account is not used as anything else.
    let replaced = app.upload("attacker", attacker("basic", 0)).await;
    assert_eq!(replaced.status, 200, "{replaced:?}");
    let before = provider.standin.requests().len();
    let stale = request(&app, "ada", "https://api.attacker.test/echo").await;
    assert_eq!(stale.status, 403, "{stale:?}");
    assert_eq!(stale.body["error"]["code"], "not_connected", "{stale:?}");
    assert!(
        stale.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("connected with an API key, which the integration no longer accepts"),
        "{stale:?}"
    );
    assert_eq!(
        provider.standin.requests().len(),
        before,
        "nothing was sent"
    );
}

#[tokio::test]
async fn an_ambiguous_alternative_auth_is_refused_at_load_naming_each_problem() {
    let app = TestApp::start("", |_| {}).await;
    let refused = app.upload("attacker", attacker("badalternatives", 0)).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_eq!(
        refused.body["error"]["details"]["reasons"],
        json!([
            "alternative-auth lists none; it lists ways to connect an account",
            "alternative-auth declares api_key twice (counting the primary auth): an account's \
             credential must name one way to connect",
            "alternative-auth declares basic twice (counting the primary auth): an account's \
             credential must name one way to connect",
        ]),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_component_built_against_0_3_0_loads_and_runs_unchanged() {
    let site = StandIn::start(|_: &Recorded| {
        Reply::json(
            200,
            json!({"values": [{"id": "10000", "key": "PROJ", "name": "Project"}], "isLast": true}),
        )
    })
    .await;
    let runtime = runtime(&format!("https://acme.atlassian.net={}", site.url()));
    let old = load(
        &runtime,
        &std::fs::read(JIRA_0_3_0).unwrap(),
        CallLimits::default(),
    )
    .await;
    assert_eq!(old.contract, Contract::V03);
    assert_eq!(old.contract.version(), "0.3.0");
    let current = load(&runtime, bundled("jira.wasm"), CallLimits::default()).await;
    assert_eq!(current.contract, Contract::V04);
    // What 0.3.0 declares arrives whole: both ways to connect, fields, origins, scopes; nothing
    // of 0.4 (no token header, defaults or operator credential).
    assert_eq!(old.info.auth, current.info.auth);
    assert_eq!(old.info.alternative_auth, current.info.alternative_auth);
    assert_eq!(old.info.account_fields, current.info.account_fields);
    assert_eq!(old.info.origins, current.info.origins);
    assert!(old.info.operator_credential.is_none());
    assert!(old.info.oauth2().unwrap().token_header.is_none());
    for action in &current.actions {
        let then = old.action(&action.name).expect("declared in 0.3.0 too");
        assert_eq!((&then.scopes, then.hints), (&action.scopes, action.hints));
    }
    // The credential kind reaches it: with HTTP Basic it calls the site itself.
    let call = CallContext {
        user: "alice".into(),
        credential: Some(SecretString::new("ada@example.com:api-token")),
        credential_kind: Some(actionhost::manifest::CredentialKind::Basic),
        fields: [("site".to_string(), "acme".to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let (result, _) = runtime
        .execute(&old, "JIRA_LIST_PROJECTS", &json!({}), &call)
        .await;
    let listed = result.unwrap();
    assert_eq!(listed["projects"][0]["key"], "PROJ", "{listed}");
    let sent = site.single();
    assert_eq!(sent.path, "/rest/api/3/project/search");
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ada@example.com:api-token")
    );
    assert_eq!(sent.header("authorization"), Some(basic.as_str()));
}

/// `ATTACKER_REQUEST` with extra parameters.
async fn request_with(app: &TestApp, user: &str, parameters: Value) -> Answer {
    app.as_user(
        user,
        "POST",
        "/actions",
        Some(json!({"action": "ATTACKER_REQUEST", "parameters": parameters})),
    )
    .await
}

#[tokio::test]
async fn an_operator_credential_goes_only_on_requests_made_as_the_operator() {
    let provider = Provider::start().await;
    let app = app_with("operator", &provider).await;

    // The user's OAuth token goes in the header the plugin names, never as Bearer.
    let stored = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"access_token": "tok-secret"})),
        )
        .await;
    assert_eq!(stored.status, 200, "{stored:?}");
    let me = provider.standin.requests().last().unwrap().clone();
    assert_eq!(me.path, "/me");
    assert_eq!(me.header("x-attacker-token"), Some("tok-secret"));
    assert_eq!(me.header("authorization"), None);
    let echo = echoed(&request(&app, "ada", "https://api.attacker.test/echo").await);
    assert_eq!(
        echo["x_attacker_token"], "[redacted by actionhost]",
        "{echo}"
    );
    assert_eq!(echo["authorization"], Value::Null, "{echo}");

    // As the operator, before the operator set the credential: refused, naming what is missing.
    let operator = |url: &str| json!({"url": url, "as_operator": true});
    let before = provider.standin.requests().len();
    let unset = request_with(&app, "ada", operator("https://api.attacker.test/echo")).await;
    assert_eq!(unset.status, 200, "{unset:?}");
    let why = unset.body["last_error"].as_str().unwrap();
    assert!(
        why.contains("NotConnected") && why.contains("operator_secret"),
        "{why}"
    );
    assert_eq!(
        provider.standin.requests().len(),
        before,
        "nothing was sent"
    );

    // The operator sets it; it is sealed and never shown.
    let empty = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid", "client_secret": "cs", "operator_secret": " "})),
        )
        .await;
    assert_eq!(empty.status, 400, "{empty:?}");
    assert_eq!(
        empty.body["error"]["details"]["errors"][0]["path"],
        "/operator_secret"
    );
    let set = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(
                json!({"client_id": "cid", "client_secret": "cs", "operator_secret": "bot-secret"}),
            ),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["operator_secret_set"], true, "{set:?}");
    let listed = app.as_admin("GET", "/admin/connections", None).await;
    assert!(
        !listed.body.to_string().contains("bot-secret"),
        "{:?}",
        listed.body
    );
    assert_eq!(listed.body[0]["operator_secret_set"], true);

    // Sent as `Authorization: Bot …` and without the user's token; scrubbed from the answer.
    let as_bot = request_with(&app, "ada", operator("https://api.attacker.test/echo")).await;
    let echo = echoed(&as_bot);
    assert_eq!(echo["authorization"], "[redacted by actionhost]", "{echo}");
    assert_eq!(echo["x_attacker_token"], Value::Null, "{echo}");
    let sent = provider.standin.requests().last().unwrap().clone();
    assert_eq!(sent.header("authorization"), Some("Bot bot-secret"));
    assert_eq!(sent.header("x-attacker-token"), None);
    assert!(
        !as_bot.body.to_string().contains("bot-secret"),
        "{:?}",
        as_bot.body
    );

    // Only to the plugin's fixed origins that take credentials.
    let before = provider.standin.requests().len();
    let drop = request_with(&app, "ada", operator("https://drop.attacker.test/x")).await;
    let why = drop.body["last_error"].as_str().unwrap();
    assert!(
        why.contains("Denied") && why.contains("fixed origins"),
        "{why}"
    );
    assert_eq!(
        provider.standin.requests().len(),
        before,
        "nothing was sent"
    );

    // Neither header is the plugin's to set, whichever way it sends.
    for (headers, as_operator, owned) in [
        (
            json!([["X-Attacker-Token", "forged"]]),
            false,
            "x-attacker-token",
        ),
        (
            json!([["Authorization", "Bot forged"]]),
            true,
            "authorization",
        ),
        (
            json!([["x-attacker-token", "forged"]]),
            true,
            "x-attacker-token",
        ),
    ] {
        let forged = request_with(
            &app,
            "ada",
            json!({"url": "https://api.attacker.test/echo", "headers": headers, "as_operator": as_operator}),
        )
        .await;
        let why = forged.body["last_error"].as_str().unwrap();
        assert!(
            why.contains(&format!("ForbiddenHeader(\"{owned}\")")),
            "{why}"
        );
    }

    // Replacing the OAuth app without `operator_secret` keeps the credential.
    let again = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid2", "client_secret": "cs2"})),
        )
        .await;
    assert_eq!(again.body["operator_secret_set"], true, "{again:?}");
    let still = request_with(&app, "ada", operator("https://api.attacker.test/echo")).await;
    assert_eq!(echoed(&still)["authorization"], "[redacted by actionhost]");

    // A user without an account never gets the bot's reach: the call is refused before it runs.
    let stranger = request_with(&app, "bob", operator("https://api.attacker.test/echo")).await;
    assert_eq!(stranger.status, 403, "{stranger:?}");
    assert_eq!(stranger.body["error"]["code"], "not_connected");
}

#[tokio::test]
async fn a_bad_operator_credential_or_token_header_is_refused_at_load() {
    let app = TestApp::start("", |_| {}).await;
    let refused = app.upload("attacker", attacker("badoperator", 0)).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    let reasons = refused.body["error"]["details"]["reasons"].to_string();
    for expected in [
        "operator-credential label \\\"\\\" must be 1 to",
        "operator-credential names header \\\"Host\\\", which carries no credential",
        "oauth2 token-header names header \\\"Content-Length\\\", which carries no credential",
    ] {
        assert!(reasons.contains(expected), "{expected}: {reasons}");
    }
}

#[tokio::test]
async fn a_user_field_may_be_a_whole_origin_that_an_oauth_account_never_chooses() {
    let provider = Provider::start().await;
    let app = app_with("userorigin", &provider).await;
    let entry = attacker_integration(&app).await;
    assert_eq!(
        entry["fields"][0]["default"], "https://api.attacker.test",
        "{entry}"
    );

    // A key account without the field gets its default.
    let stored = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"api_key": "k1"})),
        )
        .await;
    assert_eq!(stored.status, 200, "{stored:?}");
    assert_eq!(
        stored.body["fields"]["base_url"],
        "https://api.attacker.test"
    );
    let echo = echoed(&request(&app, "ada", "https://api.attacker.test/echo").await);
    assert_eq!(echo["x_attacker_key"], "[redacted by actionhost]");

    // A key account on its own instance: its key goes there and nowhere else.
    let own = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"api_key": "k2", "fields": {"base_url": "https://git.selfhosted.test"}})),
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    let me = provider.standin.requests().last().unwrap().clone();
    assert_eq!(me.path, "/me");
    assert_eq!(me.header("x-attacker-key"), Some("Key k2"));
    let echo = echoed(&request(&app, "ada", "https://git.selfhosted.test/echo").await);
    assert_eq!(echo["x_attacker_key"], "[redacted by actionhost]");
    let elsewhere = request(&app, "ada", "https://api.attacker.test/echo").await;
    assert!(
        elsewhere.body["last_error"]
            .as_str()
            .unwrap()
            .contains("Denied"),
        "{elsewhere:?}"
    );

    // What is not a public https origin is refused, naming the field; the account stays.
    for (bad, why) in [
        ("http://git.selfhosted.test", "not an https origin"),
        ("https://10.0.0.1", "IP address"),
        ("https://git.selfhosted.test/api", "no path"),
        ("https://Git.selfhosted.test", "must be written as"),
        ("https://git_selfhosted.test", "must match"),
    ] {
        let refused = app
            .as_user(
                "ada",
                "PUT",
                "/connected-accounts/attacker",
                Some(json!({"api_key": "k3", "fields": {"base_url": bad}})),
            )
            .await;
        assert_eq!(refused.status, 400, "{bad}: {refused:?}");
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("base_url") && message.contains(why),
            "{bad}: {message}"
        );
    }
    let kept = app.as_user("ada", "GET", "/connected-accounts", None).await;
    assert_eq!(
        kept.body[0]["fields"]["base_url"],
        "https://git.selfhosted.test"
    );

    // An OAuth account's token goes only to the operator's instance: the user cannot name one.
    let chosen = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(
                json!({"access_token": "t", "fields": {"base_url": "https://git.selfhosted.test"}}),
            ),
        )
        .await;
    assert_eq!(chosen.status, 400, "{chosen:?}");
    assert!(
        chosen.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the instance the operator's OAuth app belongs to"),
        "{chosen:?}"
    );
    let pinned = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"access_token": "t"})),
        )
        .await;
    assert_eq!(pinned.status, 200, "{pinned:?}");
    assert_eq!(
        pinned.body["fields"]["base_url"],
        "https://api.attacker.test"
    );

    // An OAuth app on another instance must say which instance it is.
    let unsaid = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid", "client_secret": "cs",
                        "token_url": "https://git.selfhosted.test/oauth/token"})),
        )
        .await;
    assert_eq!(unsaid.status, 400, "{unsaid:?}");
    assert_eq!(
        unsaid.body["error"]["details"]["errors"][0]["path"],
        "/fields/base_url"
    );
    let said = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid", "client_secret": "cs",
                        "token_url": "https://git.selfhosted.test/oauth/token",
                        "fields": {"base_url": "https://git.selfhosted.test"}})),
        )
        .await;
    assert_eq!(said.status, 200, "{said:?}");
    let evil = app
        .as_user(
            "ada",
            "POST",
            "/connected-accounts/attacker/authorize",
            Some(json!({"fields": {"base_url": "https://evil.example"}})),
        )
        .await;
    assert_eq!(evil.status, 400, "{evil:?}");
    let fixed = app
        .as_user(
            "ada",
            "PUT",
            "/connected-accounts/attacker",
            Some(json!({"access_token": "t"})),
        )
        .await;
    assert_eq!(
        fixed.body["fields"]["base_url"],
        "https://git.selfhosted.test"
    );
}
