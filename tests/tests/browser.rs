//! The OAuth pages as a person sees them: headless Chromium follows the authorization URL
//! through oauth2-mock-server (a real authorization server) back to the host's callback and
//! reads the page it ends on; failures show a page, not JSON, to a browser.

use actionhost_e2e::browser_dom;
use actionhost_e2e::host::TestApp;
use actionhost_e2e::oauth_server::MockOAuthServer;
use actionhost_e2e::standin::StandIn;
use serde_json::json;

/// The DOM of the page Chromium ends on; run off the async workers so the in-process host keeps
/// answering the browser.
async fn open(url: String) -> String {
    tokio::task::spawn_blocking(move || browser_dom(&url))
        .await
        .expect("browser task")
}

async fn authorization_url(app: &TestApp, user: &str) -> String {
    let answer = app
        .as_user(user, "POST", "/connected-accounts/github/authorize", None)
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["authorization_url"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_connects_github_in_a_real_browser_and_failures_show_a_page_saying_why() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({"full_name": "o/r"})).await;
    let app = TestApp::start(
        &format!("https://api.github.com={}", upstream.url()),
        |_| {},
    )
    .await;
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(
                json!({"client_id": "mock-client", "client_secret": "mock-secret",
                        "authorize_url": format!("{}/authorize", mock.base),
                        "token_url": format!("{}/token", mock.base)}),
            ),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");

    // The whole flow in the browser: host's authorization URL → provider → host callback page.
    let dom = open(authorization_url(&app, "alice").await).await;
    assert!(
        dom.contains("<title>Connected</title>") && dom.contains("<h1>GitHub is connected</h1>"),
        "{dom}"
    );
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["integration"], "github");
    assert_eq!(accounts.body[0]["status"], "active");
    // GitHub's after-connect checked the new token before the account was stored.
    upstream.take_check("/user");
    let run = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "GITHUB_GET_REPOSITORY", "parameters": {"owner": "o", "repo": "r"}})),
        )
        .await;
    assert_eq!(run.status, 200, "{run:?}");
    let sent = upstream
        .single()
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(
        sent.starts_with("Bearer ey"),
        "the mock's token is used: {sent}"
    );

    // The person refuses consent at the provider: the page says the provider refused.
    let pending = authorization_url(&app, "bob").await;
    let state = url::Url::parse(&pending)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let refused = url::Url::parse_with_params(
        &format!("{}/oauth/callback", app.url),
        [
            ("error", "access_denied"),
            ("error_description", "The user <b>denied</b> access"),
            ("state", state.as_str()),
        ],
    )
    .unwrap();
    let dom = open(refused.to_string()).await;
    assert!(dom.contains("<title>Not connected</title>"), "{dom}");
    assert!(dom.contains("<code>forbidden</code>"), "{dom}");
    assert!(
        dom.contains("The user &lt;b&gt;denied&lt;/b&gt; access"),
        "the provider's words, escaped: {dom}"
    );
    let bobs = app.as_user("bob", "GET", "/connected-accounts", None).await;
    assert_eq!(bobs.body, json!([]), "nothing stored for a refusal");

    // The same callback again (the state is single use): invalid_state, as a page.
    let dom = open(refused.to_string()).await;
    assert!(dom.contains("<code>invalid_state</code>"), "{dom}");

    // Status and format: a browser gets HTML with the error's status, an API client the JSON body.
    let client = reqwest::Client::new();
    let page = client
        .get(refused.clone())
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let api = client.get(refused).send().await.unwrap();
    assert_eq!(api.status(), 400);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_state");
}
