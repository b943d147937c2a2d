//! The four Microsoft Graph integrations sign in the same way, through the real host's OAuth
//! routes: the identity platform's endpoints with the account's tenant as a path segment (given
//! by the user, or fixed for every user by the operator's connection), PKCE, and
//! `offline_access` so that a refresh token is issued; the code is exchanged at a strict OAuth
//! server, and the connect step labels the account from Graph's `/me`, answered by the stand-in
//! that checks it against Graph's model.

use actionhost_e2e::host::TestApp;
use actionhost_e2e::oauth_server::{CLIENT_ID, CLIENT_SECRET, StrictOAuthServer};
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, MICROSOFT_GRAPH};
use serde_json::{Value, json};

const GRAPH_INTEGRATIONS: [&str; 4] = [
    "outlook",
    "microsoft_calendar",
    "onedrive",
    "microsoft_teams",
];

fn query(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn every_graph_integration_signs_in_through_the_tenant_with_pkce_and_offline_access() {
    let graph = MICROSOFT_GRAPH.session("microsoft sign-in");
    graph
        .answer(Fixture::new(
            "GET",
            "/me",
            Reply::json(
                200,
                json!({
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(mail,userPrincipalName,displayName)/$entity",
                    "mail": "AdeleV@contoso.com",
                    "userPrincipalName": "AdeleV@contoso.onmicrosoft.com",
                    "displayName": "Adele Vance"
                }),
            ),
        ))
        .await;
    let server = StrictOAuthServer::start().await;
    let app = TestApp::start(&graph.overrides(), |_| {}).await;
    let integrations = app.as_user("ada", "GET", "/integrations", None).await;

    for id in GRAPH_INTEGRATIONS {
        let listed = integrations
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id} is bundled"));
        assert_eq!(listed["fields"][0]["name"], "tenant", "{id}");
        assert_eq!(listed["fields"][0]["required"], true, "{id}");
        assert_eq!(listed["auth"]["type"], "oauth2", "{id}");

        // The operator's app, its token endpoint the strict server; the authorize URL stays
        // the plugin's, resolved with the tenant.
        let connection = |fields: Value| {
            json!({
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "token_url": server.url("/token"),
                "fields": fields,
            })
        };
        let path = format!("/admin/connections/{id}");
        let put = app
            .as_admin("PUT", &path, Some(connection(json!({}))))
            .await;
        assert_eq!(put.status, 200, "{id}: {put:?}");
        let authorize = format!("/connected-accounts/{id}/authorize");

        let missing = app.as_user("ada", "POST", &authorize, None).await;
        assert_eq!(missing.status, 400, "{id}: {missing:?}");
        assert!(
            missing.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("field \"tenant\" is required"),
            "{id}: {missing:?}"
        );
        let moved = app
            .as_user(
                "ada",
                "POST",
                &authorize,
                Some(json!({"fields": {"tenant": "evil.example/x"}})),
            )
            .await;
        assert_eq!(moved.status, 400, "{id}: {moved:?}");

        let started = app
            .as_user(
                "ada",
                "POST",
                &authorize,
                Some(json!({"fields": {"tenant": "organizations"}})),
            )
            .await;
        assert_eq!(started.status, 200, "{id}: {started:?}");
        let url = started.body["authorization_url"].as_str().unwrap();
        assert!(
            url.starts_with(
                "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"
            ),
            "{id}: {url}"
        );
        let params = query(url);
        let scopes: Vec<&str> = params["scope"].split(' ').collect();
        assert_eq!(
            scopes[..2],
            ["offline_access", "User.Read"],
            "{id}: {scopes:?}"
        );
        assert!(
            scopes.len() > 2,
            "{id} asks for its Graph permissions: {scopes:?}"
        );
        assert_eq!(params["code_challenge_method"], "S256", "{id}");
        assert_eq!(params["response_type"], "code", "{id}");
        assert_eq!(params["client_id"], CLIENT_ID, "{id}");

        // Fixed by the operator: every user signs in with that tenant without giving it.
        let put = app
            .as_admin(
                "PUT",
                &path,
                Some(connection(json!({"tenant": "contoso.onmicrosoft.com"}))),
            )
            .await;
        assert_eq!(put.status, 200, "{id}: {put:?}");
        let started = app.as_user("ada", "POST", &authorize, None).await;
        assert_eq!(started.status, 200, "{id}: {started:?}");
        let url = started.body["authorization_url"].as_str().unwrap();
        assert!(
            url.starts_with(
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?"
            ),
            "{id}: {url}"
        );

        // The code flow completes: PKCE verified by the strict server, the account labelled
        // from /me and carrying its tenant.
        let params = query(url);
        let code = format!("code-{id}");
        server.issue_code(&code, &params["code_challenge"], &params["redirect_uri"]);
        let callback = app
            .call(
                "GET",
                &format!("/oauth/callback?code={code}&state={}", params["state"]),
                None,
                None,
            )
            .await;
        assert_eq!(callback.status, 200, "{id}: {callback:?}");
        let accounts = app.as_user("ada", "GET", "/connected-accounts", None).await;
        let account = accounts
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["integration"] == id)
            .unwrap_or_else(|| panic!("{id}: {accounts:?}"));
        assert_eq!(account["status"], "active", "{id}: {account}");
        assert_eq!(account["label"], "AdeleV@contoso.com", "{id}");
        assert_eq!(
            account["fields"],
            json!({"tenant": "contoso.onmicrosoft.com"}),
            "{id}"
        );
    }
    let checked = graph.checked().await;
    assert_eq!(
        checked.len(),
        GRAPH_INTEGRATIONS.len(),
        "one /me per connect"
    );
    for request in &checked {
        assert!(request.violations.is_empty(), "{request:?}");
        assert_eq!(
            request.request.query.as_deref(),
            Some("%24select=mail%2CuserPrincipalName%2CdisplayName")
        );
    }
}
