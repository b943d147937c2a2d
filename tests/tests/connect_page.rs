//! The hosted connect page over HTTP, as a browser without JavaScript uses it: reqwest with a
//! cookie jar and no automatic redirects. `POST /connect-sessions` makes a link; opening it once
//! sets the session cookie; the page lists the user's integrations and its forms connect and
//! disconnect through the account API's own code. Links expire and work once, a session is
//! its user's only, and a form without the session's CSRF token or from another origin changes
//! nothing. Then the same in Debian's Chromium, driven by puppeteer-core
//! (`tests/tools/browser/connect-walk.mjs`), with screenshots at phone and desktop widths.

use std::time::Duration;

use actionhost_e2e::host::{ADMIN_KEY, TestApp};
use actionhost_e2e::oauth_server::MockOAuthServer;
use actionhost_e2e::standin::{Reply, StandIn};
use base64::Engine as _;
use serde_json::{Value, json};

/// A browser without JavaScript: cookies kept, redirects seen one by one.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `POST /connect-sessions` as `user` with `body`; the link.
async fn link_for(app: &TestApp, user: &str, body: Value) -> String {
    let answer = app
        .as_user(user, "POST", "/connect-sessions", Some(body))
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["url"].as_str().unwrap().to_string()
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    html: String,
}

async fn get(client: &reqwest::Client, url: &str) -> Page {
    let response = client.get(url).send().await.unwrap();
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        html: response.text().await.unwrap(),
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> Page {
    let mut request = client.post(url).form(form);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        html: response.text().await.unwrap(),
    }
}

fn location(page: &Page) -> &str {
    page.headers["location"].to_str().unwrap()
}

/// Opens `link` in a new browser: the 303 to `/connect` that sets the cookie; the browser.
async fn open(link: &str) -> reqwest::Client {
    let client = browser();
    let opened = get(&client, link).await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    assert_eq!(location(&opened), "/connect");
    client
}

/// The CSRF token in a page's forms.
fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_string()
}

/// The card of `integration` in the page.
fn card<'a>(html: &'a str, integration: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"card-{integration}\""))
        .unwrap_or_else(|| panic!("no card for {integration}: {html}"));
    let end = html[start..].find("</li>").unwrap() + start;
    &html[start..end]
}

/// GitHub (OAuth app at oauth2-mock-server, the stand-in answering as GitHub's API) and the
/// API-key catalog plugin `billing`.
async fn app_with(mock: &MockOAuthServer, upstream: &StandIn, ttl: Option<Duration>) -> TestApp {
    let app = TestApp::start(
        &format!("https://api.github.com={}", upstream.url()),
        |settings| {
            if let Some(ttl) = ttl {
                settings.connect.link_ttl = ttl;
            }
        },
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
    let uploaded = app
        .upload("billing", actionhost_e2e::catalog_plugin("billing"))
        .await;
    assert_eq!(uploaded.status, 200, "{uploaded:?}");
    app
}

#[tokio::test]
async fn a_link_opens_its_users_page_once_and_the_secret_leaves_the_address_bar() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({"login": "alice-gh"})).await;
    let app = app_with(&mock, &upstream, None).await;
    let answer = app
        .as_user("alice", "POST", "/connect-sessions", Some(json!({})))
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let link = answer.body["url"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/connect?link=", app.url)),
        "{link}"
    );
    let expires = time::OffsetDateTime::parse(
        answer.body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let minutes = (expires - time::OffsetDateTime::now_utc()).whole_minutes();
    assert!(
        (29..=30).contains(&minutes),
        "30 minutes by default: {minutes}"
    );

    // Opening it sets an HttpOnly, SameSite=Lax cookie for /connect (not Secure over http).
    let client = browser();
    let opened = get(&client, &link).await;
    assert_eq!(opened.status, 303);
    assert_eq!(location(&opened), "/connect");
    let cookie = opened.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("actionhost_connect="), "{cookie}");
    for part in ["Path=/connect", "HttpOnly", "SameSite=Lax", "Max-Age=1800"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(opened.headers["referrer-policy"], "same-origin");

    // The page: every integration with the user's status, under a strict policy.
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert_eq!(page.status, 200);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert_eq!(
        policy,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(page.html.contains("<h1>Connect your accounts</h1>"));
    let github = card(&page.html, "github");
    assert!(github.contains("<h2>GitHub</h2>"), "{github}");
    assert!(github.contains("Not connected"), "{github}");
    assert!(github.contains("action=\"/connect/github/authorize\""));
    let slack = card(&page.html, "slack");
    assert!(slack.contains("Not available yet"), "no OAuth app: {slack}");
    assert!(slack.contains("has not set up Slack yet"), "{slack}");
    let billing = card(&page.html, "billing");
    assert!(billing.contains("action=\"/connect/billing/credentials\""));
    assert!(billing.contains("type=\"password\""), "{billing}");
    // Seven integrations or more: a search box, which filters without JavaScript too.
    assert!(page.html.contains("id=\"search\""));
    let found = get(&client, &format!("{}/connect?q=calendar", app.url)).await;
    assert!(found.html.contains("id=\"card-google_calendar\""));
    assert!(found.html.contains("id=\"card-microsoft_calendar\""));
    assert!(!found.html.contains("id=\"card-github\""));
    // The sixteen bundled integrations and the uploaded `billing`.
    assert!(
        found.html.contains("2 of 25 integrations"),
        "{}",
        found.html
    );

    // The same link from another browser: refused, a page that says why.
    let other = browser();
    let replay = get(&other, &link).await;
    assert_eq!(replay.status, 403);
    assert!(replay.html.contains("This link was already used"));
    assert!(!replay.headers.contains_key("set-cookie"));
    let nothing = get(&other, &format!("{}/connect", app.url)).await;
    assert_eq!(nothing.status, 401);
    assert!(nothing.html.contains("Your connect session has ended"));
    // The browser that opened it is sent back to its page.
    let again = get(&client, &link).await;
    assert_eq!(again.status, 303);
    assert_eq!(location(&again), "/connect");
    // A link that never existed.
    let unknown = get(&other, &format!("{}/connect?link=nope", app.url)).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.html.contains("This link is not valid"));
    assert!(
        unknown.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn links_and_sessions_expire() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&mock, &upstream, Some(Duration::from_secs(1))).await;
    let unopened = link_for(&app, "alice", json!({})).await;
    let opened = link_for(&app, "alice", json!({})).await;
    let client = open(&opened).await;
    assert_eq!(
        get(&client, &format!("{}/connect", app.url)).await.status,
        200
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = get(&browser(), &unopened).await;
    assert_eq!(expired.status, 410);
    assert!(
        expired.html.contains("This link has expired"),
        "{}",
        expired.html
    );
    let ended = get(&client, &format!("{}/connect", app.url)).await;
    assert_eq!(ended.status, 401);
    assert!(ended.html.contains("Your connect session has ended"));
}

#[tokio::test]
async fn links_are_made_for_the_callers_own_user_or_by_the_operator_for_any() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&mock, &upstream, None).await;
    let cases = [
        (json!({"user": "bob"}), 403, "forbidden", ""),
        (
            json!({"integrations": ["nope"]}),
            400,
            "invalid_parameters",
            "/integrations/0",
        ),
        (
            json!({"integrations": []}),
            400,
            "invalid_parameters",
            "/integrations",
        ),
        (
            json!({"return_url": "javascript:alert(1)"}),
            400,
            "invalid_parameters",
            "/return_url",
        ),
    ];
    for (body, status, code, path) in cases {
        let answer = app
            .as_user("alice", "POST", "/connect-sessions", Some(body.clone()))
            .await;
        assert_eq!(answer.status, status, "{body}: {answer:?}");
        assert_eq!(answer.code(), code, "{body}");
        if !path.is_empty() {
            assert_eq!(answer.body["error"]["details"]["errors"][0]["path"], path);
        }
    }
    let anonymous = app
        .call("POST", "/connect-sessions", None, Some(json!({})))
        .await;
    assert_eq!(anonymous.status, 401);
    let unnamed = app
        .as_admin("POST", "/connect-sessions", Some(json!({})))
        .await;
    assert_eq!(unnamed.status, 400);
    assert_eq!(
        unnamed.body["error"]["details"]["errors"][0]["path"],
        "/user"
    );
    // The operator names the user; the page is that user's.
    app.connect("bob", "billing", json!({"api_key": "bobs-key"}))
        .await;
    let answer = app
        .call(
            "POST",
            "/connect-sessions",
            Some(ADMIN_KEY),
            Some(json!({"user": "bob", "integrations": ["billing"]})),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let client = open(answer.body["url"].as_str().unwrap()).await;
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert!(card(&page.html, "billing").contains("Connected"));
    assert!(!page.html.contains("card-github"), "limited to billing");
    assert!(
        !page.html.contains("id=\"search\""),
        "one integration: no search"
    );
}

#[tokio::test]
async fn a_session_for_one_user_neither_reads_nor_changes_anothers_accounts() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({"login": "bob-gh"})).await;
    let app = app_with(&mock, &upstream, None).await;
    app.connect("bob", "github", json!({"access_token": "bobs-token"}))
        .await;
    app.connect("bob", "billing", json!({"api_key": "bobs-key"}))
        .await;
    let bobs_page = open(&link_for(&app, "bob", json!({})).await).await;
    let page = get(&bobs_page, &format!("{}/connect", app.url)).await;
    assert!(card(&page.html, "github").contains("Connected as bob-gh"));

    let alice = open(
        &link_for(
            &app,
            "alice",
            json!({"integrations": ["github", "billing"]}),
        )
        .await,
    )
    .await;
    let page = get(&alice, &format!("{}/connect", app.url)).await;
    assert!(!page.html.contains("bob-gh"), "{}", page.html);
    assert!(card(&page.html, "github").contains("Not connected"));
    assert!(card(&page.html, "billing").contains("Not connected"));
    let token = csrf(&page.html);
    // Alice's Disconnect of GitHub touches only hers (she has none).
    let done = post(
        &alice,
        &format!("{}/connect/github/disconnect", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.html);
    // Her API key is hers.
    let done = post(
        &alice,
        &format!("{}/connect/billing/credentials", app.url),
        &[("csrf", &token), ("api_key", "alices-key")],
        None,
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.html);
    // An integration outside her link: refused.
    let outside = post(
        &alice,
        &format!("{}/connect/slack/disconnect", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    assert_eq!(outside.status, 404);
    assert!(
        outside
            .html
            .contains("This integration is not on your page")
    );
    let bobs = app.as_user("bob", "GET", "/connected-accounts", None).await;
    let mut integrations: Vec<_> = bobs
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["integration"].as_str().unwrap().to_string())
        .collect();
    integrations.sort();
    assert_eq!(
        integrations,
        ["billing", "github"],
        "bob's accounts are untouched"
    );
    let (_, bobs_key) = app
        .state
        .accounts
        .get("bob", "billing")
        .await
        .unwrap()
        .unwrap();
    assert!(format!("{bobs_key:?}").contains("ApiKey"));
    let alices = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(alices.body.as_array().unwrap().len(), 1);
    assert_eq!(alices.body[0]["integration"], "billing");
    // Bob's CSRF token does not work with Alice's cookie, nor the other way round.
    let bobs_token = csrf(&get(&bobs_page, &format!("{}/connect", app.url)).await.html);
    let crossed = post(
        &alice,
        &format!("{}/connect/billing/disconnect", app.url),
        &[("csrf", &bobs_token)],
        None,
    )
    .await;
    assert_eq!(crossed.status, 403);
    assert!(
        app.state
            .accounts
            .get_public("alice", "billing")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_form_without_the_sessions_token_or_from_another_origin_changes_nothing() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&mock, &upstream, None).await;
    app.connect("alice", "billing", json!({"api_key": "k1"}))
        .await;
    let client = open(&link_for(&app, "alice", json!({})).await).await;
    let token = csrf(&get(&client, &format!("{}/connect", app.url)).await.html);
    let url = format!("{}/connect/billing/disconnect", app.url);
    for (form, origin) in [
        (vec![], None),
        (vec![("csrf", "0".repeat(64))], None),
        (vec![("csrf", token.clone())], Some("http://evil.example")),
        (vec![("csrf", token.clone())], Some("null")),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = post(&client, &url, &form, origin).await;
        assert_eq!(refused.status, 403, "{form:?} {origin:?}");
        assert!(refused.html.contains("This request was refused"));
        assert!(
            app.state
                .accounts
                .get_public("alice", "billing")
                .await
                .unwrap()
                .is_some(),
            "{form:?} {origin:?} changed nothing"
        );
    }
    // Without the cookie (another browser): the session page, nothing changed.
    let stranger = post(&browser(), &url, &[("csrf", &token)], None).await;
    assert_eq!(stranger.status, 401);
    // The page's own form, from the page's origin: done.
    let done = post(&client, &url, &[("csrf", &token)], Some(&app.url)).await;
    assert_eq!(done.status, 303);
    assert_eq!(
        location(&done),
        "/connect?integration=billing&result=disconnected"
    );
    assert!(
        app.state
            .accounts
            .get_public("alice", "billing")
            .await
            .unwrap()
            .is_none()
    );
    let page = get(&client, &format!("{}{}", app.url, location(&done))).await;
    assert!(
        page.html.contains("Billing is disconnected."),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn an_api_key_form_says_what_is_wrong_then_connects_and_returns() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&mock, &upstream, None).await;
    let client = open(
        &link_for(
            &app,
            "alice",
            json!({"integrations": ["billing"], "return_url": "https://app.example/done"}),
        )
        .await,
    )
    .await;
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert!(page.html.contains("href=\"https://app.example/done\""));
    let token = csrf(&page.html);
    let url = format!("{}/connect/billing/credentials", app.url);
    let wrong = post(&client, &url, &[("csrf", &token), ("api_key", "  ")], None).await;
    assert_eq!(wrong.status, 400);
    let billing = card(&wrong.html, "billing");
    assert!(billing.contains("Enter your Billing API key."), "{billing}");
    assert!(billing.contains("aria-invalid=\"true\""), "{billing}");
    assert!(
        app.state
            .accounts
            .get_public("alice", "billing")
            .await
            .unwrap()
            .is_none()
    );
    let right = post(
        &client,
        &url,
        &[("csrf", &token), ("api_key", "sk-123")],
        None,
    )
    .await;
    assert_eq!(right.status, 303, "{}", right.html);
    assert_eq!(location(&right), "https://app.example/done");
    let account = app
        .state
        .accounts
        .get_public("alice", "billing")
        .await
        .unwrap();
    assert_eq!(
        account.unwrap().status,
        actionhost::credentials::AccountStatus::Active
    );
}

#[tokio::test]
async fn connect_runs_the_oauth_flow_and_comes_back_to_the_page_with_the_result() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({"login": "alice-gh"})).await;
    let app = app_with(&mock, &upstream, None).await;
    let client = open(&link_for(&app, "alice", json!({})).await).await;
    let token = csrf(&get(&client, &format!("{}/connect", app.url)).await.html);
    let start = post(
        &client,
        &format!("{}/connect/github/authorize", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    assert_eq!(start.status, 303, "{}", start.html);
    let authorize = location(&start).to_string();
    assert!(authorize.starts_with(&format!("{}/authorize?", mock.base)));
    // oauth2-mock-server consents at once and sends the browser to the callback.
    let consent = get(&client, &authorize).await;
    assert!((301..=303).contains(&consent.status), "{}", consent.html);
    let callback = location(&consent).to_string();
    let finished = get(&client, &callback).await;
    assert_eq!(finished.status, 303, "{}", finished.html);
    assert_eq!(
        location(&finished),
        format!("{}/connect?integration=github&result=connected", app.url)
    );
    let page = get(&client, location(&finished)).await;
    assert!(
        page.html.contains("GitHub is connected as alice-gh."),
        "{}",
        page.html
    );
    assert!(card(&page.html, "github").contains("Connected as alice-gh"));

    // A refusal at the provider comes back as a page that says so.
    let again = post(
        &client,
        &format!("{}/connect/github/authorize", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    let state = url::Url::parse(location(&again))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let refused = get(
        &client,
        &format!(
            "{}/oauth/callback?error=access_denied&state={state}",
            app.url
        ),
    )
    .await;
    assert_eq!(refused.status, 303);
    let page = get(&client, location(&refused)).await;
    assert!(
        page.html.contains("GitHub did not grant access"),
        "{}",
        page.html
    );
    assert!(page.html.contains("role=\"alert\""));

    // No OAuth app for Slack: a page that says the operator has not set it up.
    let slack = post(
        &client,
        &format!("{}/connect/slack/authorize", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    assert_eq!(slack.status, 503);
    assert!(
        slack.html.contains("Slack is not set up yet"),
        "{}",
        slack.html
    );
    assert!(!slack.html.contains("{\"error\""));
}

/// A page on another origin (another port of 127.0.0.1) whose script posts a Disconnect form to
/// the connect page at once, as a hostile site would; stopped when the test ends.
async fn hostile_page(target: String) -> String {
    let html = format!(
        "<!doctype html><html><body><form method=\"post\" action=\"{target}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\"></form>\
         <script>document.forms[0].submit()</script></body></html>",
        "0".repeat(64)
    );
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let html = html.clone();
            async move { axum::response::Html(html) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.ok() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_walks_the_page_in_chromium_and_screenshots_are_saved() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({"login": "alice-gh"})).await;
    let app = app_with(&mock, &upstream, None).await;
    let link = link_for(&app, "alice", json!({})).await;
    let no_js_link = link_for(&app, "nojs", json!({"integrations": ["billing"]})).await;
    // An expired link comes from a host whose links last a second.
    let brief = TestApp::start("", |s| s.connect.link_ttl = Duration::from_secs(1)).await;
    let expired_link = link_for(&brief, "alice", json!({})).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let attacker_url = hostile_page(format!("{}/connect/billing/disconnect", app.url)).await;
    let shots = actionhost_e2e::host::binary()
        .parent()
        .unwrap()
        .join("connect-page-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    let input = json!({
        "link": link, "noJsLink": no_js_link, "expiredLink": expired_link,
        "attackerUrl": attacker_url, "shots": shots,
    });
    let script = actionhost_e2e::tools_dir().join("browser/connect-walk.mjs");
    let output = tokio::process::Command::new("node")
        .arg(script)
        .arg(input.to_string())
        .output()
        .await
        .expect("node runs the walk");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "the walk printed no report: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(report.get("failure"), None, "{report:#}");

    // The link: the secret left the address bar; the cookie is HttpOnly and Lax.
    assert_eq!(report["landed"], format!("{}/connect", app.url));
    assert_eq!(
        report["cookies"],
        json!([{"name": "actionhost_connect", "httpOnly": true, "sameSite": "Lax",
                "secure": false, "path": "/connect"}])
    );
    assert_eq!(report["heading"], "Connect your accounts");
    assert_eq!(report["statuses"]["github"], "Status: Not connected");
    assert_eq!(report["statuses"]["slack"], "Status: Not available yet");
    assert_eq!(report["unlabelled"], json!([]));
    assert_eq!(report["first_tab"], "search");
    assert_eq!(
        report["phone_overflow"], false,
        "nothing wider than a phone"
    );
    assert_eq!(
        report["search_visible"],
        json!(["google_calendar", "microsoft_calendar"])
    );
    assert_eq!(report["search_count"], "2 of 25 integrations");

    // Connected through the authorization server, back on the page with the result.
    assert_eq!(
        report["after_connect"],
        json!({"url": format!("{}/connect?integration=github&result=connected", app.url),
               "notice": "GitHub is connected as alice-gh."})
    );
    assert_eq!(report["github_status"], "Status: Connected as alice-gh");

    // The API-key form, wrongly then rightly.
    assert_eq!(report["key_error"], "Enter your Billing API key.");
    assert_eq!(report["key_invalid"], "true");
    assert_eq!(report["key_focused"], "billing-api_key");
    assert_eq!(report["key_error_after"], "");
    assert_eq!(report["after_key"]["notice"], "Billing is connected.");

    // Disconnect asks once, then revokes.
    assert_eq!(
        report["confirm"],
        "Disconnect GitHub? actionhost will no longer be able to use this account, and its \
         credentials are deleted."
    );
    assert_eq!(
        report["after_disconnect"]["notice"],
        "GitHub is disconnected. Its credentials are deleted."
    );
    assert_eq!(report["github_status_after"], "Status: Not connected");
    assert!(
        app.state
            .accounts
            .get_public("alice", "github")
            .await
            .unwrap()
            .is_none()
    );

    // The hostile page's post was refused and changed nothing.
    assert_eq!(report["cross_site"]["heading"], "This request was refused");
    let billing = app
        .state
        .accounts
        .get_public("alice", "billing")
        .await
        .unwrap();
    assert_eq!(
        billing.unwrap().status,
        actionhost::credentials::AccountStatus::Active
    );

    // A used link in another browser, an expired link: pages that say so.
    assert_eq!(
        report["replay"],
        json!({"status": 403, "heading": "This link was already used"})
    );
    assert_eq!(
        report["expired"],
        json!({"status": 410, "heading": "This link has expired"})
    );
    // Without JavaScript the server names the field.
    assert_eq!(
        report["no_js"],
        json!({"error": "Enter your Billing API key.", "invalid": "true"})
    );
    assert!(
        app.state
            .accounts
            .get_public("nojs", "billing")
            .await
            .unwrap()
            .is_none()
    );

    // Screenshots at both widths are kept as artifacts.
    for name in [
        "page-desktop",
        "page-phone",
        "connected-desktop",
        "form-error-phone",
        "disconnected-phone",
        "link-used-phone",
        "link-expired-desktop",
    ] {
        let png = std::fs::read(shots.join(format!("{name}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
}

#[tokio::test]
async fn a_provider_that_is_down_comes_back_as_a_notice_and_stores_nothing() {
    // The token endpoint is a port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = TestApp::start("", |_| {}).await;
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/github",
            Some(json!({"client_id": "c", "client_secret": "s",
                        "authorize_url": "http://127.0.0.1:9/authorize",
                        "token_url": format!("http://{closed}/token")})),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let client = open(&link_for(&app, "alice", json!({})).await).await;
    let token = csrf(&get(&client, &format!("{}/connect", app.url)).await.html);
    let start = post(
        &client,
        &format!("{}/connect/github/authorize", app.url),
        &[("csrf", &token)],
        None,
    )
    .await;
    assert_eq!(start.status, 303, "{}", start.html);
    let state = url::Url::parse(location(&start))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    // The provider sends the browser back with a code; exchanging it fails.
    let back = get(
        &client,
        &format!("{}/oauth/callback?code=c1&state={state}", app.url),
    )
    .await;
    assert_eq!(back.status, 303, "{}", back.html);
    assert_eq!(
        location(&back),
        format!(
            "{}/connect?integration=github&result=upstream_error",
            app.url
        )
    );
    let page = get(&client, location(&back)).await;
    assert!(
        page.html.contains(
            "GitHub could not be reached to finish connecting. It may be down; try again in a \
             few minutes."
        ),
        "{}",
        page.html
    );
    assert!(card(&page.html, "github").contains("Not connected"));
    assert!(
        app.state
            .accounts
            .get_public("alice", "github")
            .await
            .unwrap()
            .is_none()
    );
}

/// An OAuth integration with a user field (Outlook's Microsoft tenant): the page asks for it
/// with the plugin's pattern, says what is wrong without starting anything, starts the flow at
/// the tenant's endpoint when it is right, and does not ask once the operator fixes it.
#[tokio::test]
async fn an_oauth_integration_asks_for_its_account_fields_unless_the_operator_fixed_them() {
    let mock = MockOAuthServer::start().await;
    let upstream = StandIn::json(json!({})).await;
    let app = app_with(&mock, &upstream, None).await;
    let register = |fields: Value| json!({"client_id": "entra-client", "client_secret": "entra-secret", "fields": fields});
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/outlook",
            Some(register(json!({}))),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let client = open(&link_for(&app, "alice", json!({"integrations": ["outlook"]})).await).await;
    let page = get(&client, &format!("{}/connect", app.url)).await;
    let outlook = card(&page.html, "outlook");
    assert!(outlook.contains("name=\"field.tenant\""), "{outlook}");
    assert!(
        outlook.contains("data-pattern=\"[A-Za-z0-9][A-Za-z0-9.-]{0,63}\""),
        "{outlook}"
    );
    let token = csrf(&page.html);
    let url = format!("{}/connect/outlook/authorize", app.url);

    let wrong = post(
        &client,
        &url,
        &[("csrf", &token), ("field.tenant", "evil.example/x")],
        None,
    )
    .await;
    assert_eq!(wrong.status, 400, "{}", wrong.html);
    let outlook = card(&wrong.html, "outlook");
    assert!(outlook.contains("aria-invalid=\"true\""), "{outlook}");
    assert!(outlook.contains("tenant"), "{outlook}");
    assert!(
        app.state
            .accounts
            .get_public("alice", "outlook")
            .await
            .unwrap()
            .is_none(),
        "nothing started"
    );

    let right = post(
        &client,
        &url,
        &[("csrf", &token), ("field.tenant", "organizations")],
        None,
    )
    .await;
    assert_eq!(right.status, 303, "{}", right.html);
    assert!(
        location(&right)
            .starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"),
        "{}",
        location(&right)
    );

    // Fixed by the operator: no tenant input, and the flow uses the fixed tenant.
    let answer = app
        .as_admin(
            "PUT",
            "/admin/connections/outlook",
            Some(register(json!({"tenant": "contoso.onmicrosoft.com"}))),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert!(!card(&page.html, "outlook").contains("name=\"field.tenant\""));
    let fixed = post(&client, &url, &[("csrf", &csrf(&page.html))], None).await;
    assert_eq!(fixed.status, 303, "{}", fixed.html);
    assert!(
        location(&fixed).starts_with(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?"
        ),
        "{}",
        location(&fixed)
    );
}

/// An HTTP Basic integration (the attacker test plugin in Basic mode, its provider a stand-in
/// that checks the credential at connect): the form asks for both parts under the plugin's
/// labels, says which is wrong, and connects with the account's label once both are right.
/// The attacker plugin in `mode` with its `/me` answered as ada's, and ada's page open on it:
/// the provider stand-in, the app and the browser.
async fn attacker_page(mode: &str) -> (StandIn, TestApp, reqwest::Client) {
    let provider = StandIn::start(|request| match request.path.as_str() {
        "/me" => Reply::json(200, json!({"login": "ada@example.com", "id": "u-1"})),
        _ => Reply::json(200, json!({})),
    })
    .await;
    let app = TestApp::start(
        &format!("https://api.attacker.test={}", provider.url()),
        |_| {},
    )
    .await;
    let uploaded = app
        .upload("attacker", actionhost_e2e::attacker(mode, 0))
        .await;
    assert_eq!(uploaded.status, 200, "{uploaded:?}");
    let client = open(&link_for(&app, "ada", json!({"integrations": ["attacker"]})).await).await;
    (provider, app, client)
}

#[tokio::test]
async fn a_basic_form_names_the_wrong_part_then_connects() {
    let (provider, app, client) = attacker_page("basic").await;
    let page = get(&client, &format!("{}/connect", app.url)).await;
    let attacker = card(&page.html, "attacker");
    for (name, label) in [("username", "Account e-mail"), ("password", "API token")] {
        assert!(attacker.contains(&format!("name=\"{name}\"")), "{attacker}");
        assert!(attacker.contains(label), "{label}: {attacker}");
    }
    assert!(attacker.contains("type=\"password\""), "{attacker}");
    let token = csrf(&page.html);
    let url = format!("{}/connect/attacker/credentials", app.url);

    let colon = post(
        &client,
        &url,
        &[
            ("csrf", &token),
            ("username", "a:b"),
            ("password", "secret-1"),
        ],
        None,
    )
    .await;
    assert_eq!(colon.status, 400, "{}", colon.html);
    let attacker = card(&colon.html, "attacker");
    assert!(attacker.contains("aria-invalid=\"true\""), "{attacker}");
    assert!(
        !colon.html.contains("secret-1"),
        "the password is not echoed"
    );
    assert!(
        app.state
            .accounts
            .get_public("ada", "attacker")
            .await
            .unwrap()
            .is_none()
    );

    let right = post(
        &client,
        &url,
        &[
            ("csrf", &token),
            ("username", "ada@example.com"),
            ("password", "secret-1"),
        ],
        None,
    )
    .await;
    assert_eq!(right.status, 303, "{}", right.html);
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert!(
        card(&page.html, "attacker").contains("Connected as ada@example.com"),
        "{}",
        page.html
    );
    let me = provider
        .requests()
        .into_iter()
        .find(|r| r.path == "/me")
        .unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode("ada@example.com:secret-1");
    assert_eq!(
        me.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
}

#[tokio::test]
async fn an_integration_with_alternative_auth_offers_each_way_as_its_own_form() {
    let (provider, app, client) = attacker_page("alternatives").await;

    // No OAuth app yet: no sign-in button, the token forms open, each with its own ids.
    let page = get(&client, &format!("{}/connect", app.url)).await;
    let attacker = card(&page.html, "attacker");
    assert!(
        !attacker.contains("/connect/attacker/authorize"),
        "{attacker}"
    );
    assert!(attacker.contains("Not connected"), "{attacker}");
    for (kind, summary, input) in [
        (
            "basic",
            "Use your API token instead",
            "attacker-basic-username",
        ),
        (
            "api_key",
            "Use an API key instead",
            "attacker-api_key-api_key",
        ),
    ] {
        assert!(
            attacker.contains(&format!(
                "<details class=\"credentials alternative\" id=\"card-attacker-{kind}\" open>"
            )),
            "{kind}: {attacker}"
        );
        assert!(attacker.contains(summary), "{summary}: {attacker}");
        assert!(
            attacker.contains(&format!("name=\"kind\" value=\"{kind}\"")),
            "{attacker}"
        );
        assert!(attacker.contains(&format!("id=\"{input}\"")), "{attacker}");
    }
    let token = csrf(&page.html);
    let url = format!("{}/connect/attacker/credentials", app.url);

    // A key form sent empty comes back with its own input marked, not the Basic form's.
    let empty = post(
        &client,
        &url,
        &[("csrf", &token), ("kind", "api_key"), ("api_key", " ")],
        None,
    )
    .await;
    assert_eq!(empty.status, 400, "{}", empty.html);
    let attacker = card(&empty.html, "attacker");
    let key_input = attacker
        .find("id=\"attacker-api_key-api_key\"")
        .expect("the key input");
    assert!(
        attacker[key_input..]
            .split('>')
            .next()
            .unwrap()
            .contains("aria-invalid=\"true\""),
        "{attacker}"
    );
    assert_eq!(
        attacker.matches("aria-invalid=\"true\"").count(),
        1,
        "{attacker}"
    );

    // The key form connects with a key: injected in its header, not as Basic.
    let connected = post(
        &client,
        &url,
        &[("csrf", &token), ("kind", "api_key"), ("api_key", "key-1")],
        None,
    )
    .await;
    assert_eq!(connected.status, 303, "{}", connected.html);
    let me = provider
        .requests()
        .into_iter()
        .find(|r| r.path == "/me")
        .unwrap();
    assert_eq!(me.header("x-attacker-key"), Some("Key key-1"));
    assert_eq!(me.header("authorization"), None);
    let page = get(&client, &format!("{}/connect", app.url)).await;
    assert!(
        card(&page.html, "attacker").contains("Connected as ada@example.com"),
        "{}",
        page.html
    );

    // Once the operator sets up the OAuth app, sign-in is the card's first form.
    let connection = app
        .as_admin(
            "PUT",
            "/admin/connections/attacker",
            Some(json!({"client_id": "cid", "client_secret": "csecret"})),
        )
        .await;
    assert_eq!(connection.status, 200, "{connection:?}");
    let page = get(&client, &format!("{}/connect", app.url)).await;
    let attacker = card(&page.html, "attacker");
    let oauth = attacker
        .find("action=\"/connect/attacker/authorize\"")
        .expect("a sign-in form");
    let basic = attacker.find("id=\"card-attacker-basic\"").unwrap();
    assert!(oauth < basic, "{attacker}");
    assert!(attacker.contains("Connect again"), "{attacker}");
}
