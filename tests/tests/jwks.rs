//! User tokens verified against an identity provider's JSON Web Key Set: a real OpenID provider
//! on loopback (oauth2-mock-server, driven line by line by `tests/tools/oidc/idp.mjs`) signs the
//! tokens and serves the key set, and counts the host's fetches of it. Covered: RS256 and ES256
//! tokens on the REST API and on MCP, every refusal with its reason, key rotation without a
//! restart, a provider that is down when the host starts, the fetch rate limit under a flood of
//! made-up key ids, and the resource metadata naming the provider.

use std::time::{Duration, Instant};

use actionhost_e2e::host::{Answer, HostProcess, TestApp};
use actionhost_e2e::tools_dir;
use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// The identity provider, as a child process taking one command per line.
struct Idp {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    issuer: String,
    jwks_uri: String,
    /// The key it starts with (RS256).
    first_kid: String,
}

impl Idp {
    async fn start() -> Self {
        let mut child = tokio::process::Command::new("node")
            .arg(tools_dir().join("oidc/idp.mjs"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs tests/tools/oidc/idp.mjs (npm ci --prefix tests/tools)");
        let stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let hello: Value = serde_json::from_str(
            &lines
                .next_line()
                .await
                .expect("read")
                .expect("the provider printed its address"),
        )
        .expect("JSON");
        Idp {
            _child: child,
            stdin,
            lines,
            issuer: hello["issuer"].as_str().unwrap().to_string(),
            jwks_uri: hello["jwks_uri"].as_str().unwrap().to_string(),
            first_kid: hello["kid"].as_str().unwrap().to_string(),
        }
    }

    async fn send(&mut self, command: Value) -> Value {
        let line = format!("{command}\n");
        self.stdin.write_all(line.as_bytes()).await.expect("write");
        let answer: Value = serde_json::from_str(
            &self
                .lines
                .next_line()
                .await
                .expect("read")
                .expect("an answer"),
        )
        .expect("JSON");
        assert!(answer.get("error").is_none(), "{command}: {answer}");
        answer
    }

    /// A token with these claims and options (see idp.mjs: `kid`, `sub`, `aud`, `exp_in`,
    /// `iss`, `no_kid`).
    async fn token(&mut self, options: Value) -> String {
        let mut command = json!({"do": "token"});
        command
            .as_object_mut()
            .unwrap()
            .extend(options.as_object().unwrap().clone());
        self.send(command).await["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A new key: published beside the others, or kept private.
    async fn generate(&mut self, alg: &str, publish: bool) -> String {
        let answer = self
            .send(json!({"do": "generate", "alg": alg, "publish": publish}))
            .await;
        answer["kid"].as_str().unwrap().to_string()
    }

    async fn jwks_requests(&mut self) -> u64 {
        self.send(json!({"do": "count"})).await["jwks_requests"]
            .as_u64()
            .unwrap()
    }

    /// Waits (up to 10 s) until the provider has answered `n` key set requests; the instant
    /// it saw that.
    async fn wait_for_requests(&mut self, n: u64) -> Instant {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let seen = self.jwks_requests().await;
            if seen >= n {
                assert_eq!(seen, n, "more key set requests than expected");
                return Instant::now();
            }
            assert!(
                Instant::now() < deadline,
                "{seen} key set requests, not {n}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A host that verifies user tokens against `idp`'s key set, requiring its issuer and the
/// host's own resource URL as audience; `tune` may adjust more.
async fn host_for(idp: &Idp, tune: impl FnOnce(&mut actionhost::config::Settings)) -> TestApp {
    let jwks = url::Url::parse(&idp.jwks_uri).unwrap();
    let issuer = idp.issuer.clone();
    TestApp::start("", move |s| {
        s.jwt_secret = None;
        s.jwt_jwks_url = Some(jwks);
        s.jwt_issuer = Some(issuer);
        s.jwt_audience = Some(format!("http://{}/mcp", s.listen));
        tune(s);
    })
    .await
}

fn resource(app: &TestApp) -> String {
    format!("{}/mcp", app.url)
}

/// `tools/list` on `/mcp` by hand (2026-07-28, stateless).
async fn mcp_tools_list(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/mcp", app.url))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": {"name": "by-hand", "version": "1.0.0"}
            }}}),
        )
        .send()
        .await
        .expect("POST /mcp")
}

/// The JSON-RPC message of an MCP answer (plain JSON or the last SSE `data:` line).
async fn json_rpc(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    let body = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|d| !d.is_empty())
        .unwrap_or(text.as_str())
        .to_string();
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// `header.payload.signature` from JSON parts, for tokens no honest provider would sign.
fn forged(header: Value, payload: Value, signature: &str) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.{signature}", b64(&header), b64(&payload))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn get_actions(app: &TestApp, token: &str) -> Answer {
    app.call("GET", "/actions", Some(token), None).await
}

#[tokio::test]
async fn an_identity_provider_token_works_on_the_rest_api_and_on_mcp() {
    let mut idp = Idp::start().await;
    let app = host_for(&idp, |_| {}).await;
    let token = idp
        .token(json!({"sub": "alice", "aud": resource(&app)}))
        .await;

    let listed = get_actions(&app, &token).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(listed.body["actions"].is_object(), "{listed:?}");

    let response = mcp_tools_list(&app, &token).await;
    assert_eq!(response.status(), 200);
    let message = json_rpc(response).await;
    assert!(message["result"]["tools"].is_array(), "{message}");

    // The user is the token's `sub`: accounts are alice's own.
    let accounts = app
        .call("GET", "/connected-accounts", Some(&token), None)
        .await;
    assert_eq!((accounts.status, accounts.body.clone()), (200, json!([])));
}

#[tokio::test]
async fn es256_keys_verify_es256_tokens_and_a_token_without_kid_needs_a_single_key() {
    let mut idp = Idp::start().await;
    let app = host_for(&idp, |s| s.jwks_cooldown = Duration::from_millis(100)).await;
    let audience = resource(&app);
    idp.wait_for_requests(1).await;

    // With one key in the set, a token without `kid` is checked with that key.
    let without_kid = idp
        .token(json!({"sub": "alice", "aud": audience, "no_kid": true}))
        .await;
    assert_eq!(get_actions(&app, &without_kid).await.status, 200);

    let es256 = idp.generate("ES256", true).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let token = idp
        .token(json!({"kid": es256, "sub": "bob", "aud": audience}))
        .await;
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(
        (header.alg, header.kid.as_deref()),
        (jsonwebtoken::Algorithm::ES256, Some(es256.as_str()))
    );
    let answer = get_actions(&app, &token).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(idp.jwks_requests().await, 2, "the new kid was fetched once");

    // Now the set has two keys: a new token without `kid` is ambiguous.
    let ambiguous = idp
        .token(json!({"sub": "carol", "aud": audience, "no_kid": true}))
        .await;
    let answer = get_actions(&app, &ambiguous).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.body["error"]["message"],
        "the token's header names no key (`kid`), and the identity provider's key set has 2 keys"
    );
}

#[tokio::test]
async fn refused_tokens_are_told_exactly_what_is_wrong_and_never_echoed() {
    let mut idp = Idp::start().await;
    let app = host_for(&idp, |_| {}).await;
    let audience = resource(&app);
    let issuer = idp.issuer.clone();
    idp.wait_for_requests(1).await;
    let unpublished = idp.generate("RS256", false).await;

    let good = idp.token(json!({"sub": "alice", "aud": audience})).await;
    let stray = idp
        .token(json!({"kid": unpublished, "sub": "alice", "aud": audience}))
        .await;
    // The published key's header and claims with another key's signature.
    let mut parts = good.split('.').collect::<Vec<_>>();
    let stray_signature = stray.rsplit('.').next().unwrap();
    parts[2] = stray_signature;
    let spliced = parts.join(".");
    let claims = json!({"sub": "alice", "aud": audience, "iss": issuer, "exp": now() + 600});

    let cases = [
        (
            idp.token(json!({"sub": "alice", "aud": audience, "iss": "https://evil.example"}))
                .await,
            format!(
                "the token's issuer (`iss`) is \"https://evil.example\"; expected \"{issuer}\""
            ),
        ),
        (
            idp.token(json!({"sub": "alice", "aud": "https://elsewhere.example/mcp"}))
                .await,
            format!(
                "the token's audience (`aud`) is \"https://elsewhere.example/mcp\"; expected \
                 \"{audience}\""
            ),
        ),
        (
            idp.token(json!({"sub": "alice"})).await,
            format!("the token has no `aud` claim; expected \"{audience}\""),
        ),
        (
            idp.token(json!({"sub": "alice", "aud": audience, "exp_in": -120}))
                .await,
            "the token has expired".to_string(),
        ),
        (
            idp.token(json!({"aud": audience})).await,
            "the token has no `sub` claim".to_string(),
        ),
        (
            stray,
            format!(
                "the token's key id \"{unpublished}\" is not in the identity provider's key set \
                 (fetched 0 s ago)"
            ),
        ),
        (spliced, "the token's signature is not valid".to_string()),
        (
            forged(json!({"alg": "none", "typ": "JWT"}), claims.clone(), ""),
            "the token must be signed with RS256 or ES256, not \"none\"".to_string(),
        ),
        (
            // Algorithm confusion: HS256 naming the RSA key, as if its public key were a secret.
            jsonwebtoken::encode(
                &jsonwebtoken::Header {
                    kid: Some(idp.first_kid.clone()),
                    ..jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256)
                },
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(idp.jwks_uri.as_bytes()),
            )
            .unwrap(),
            "the token must be signed with RS256 or ES256, not HS256".to_string(),
        ),
        (
            forged(
                json!({"alg": "ES256", "typ": "JWT", "kid": idp.first_kid}),
                claims.clone(),
                "c2lnbmF0dXJl",
            ),
            format!(
                "the token says ES256, but its key \"{}\" is an RS256 key",
                idp.first_kid
            ),
        ),
    ];
    for (token, message) in cases {
        let answer = get_actions(&app, &token).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "unauthorized"),
            "{message}: {answer:?}"
        );
        let said = answer.body["error"]["message"].as_str().unwrap();
        // The seconds since the fetch depend on how loaded the machine is: compare the rest.
        assert_eq!(fetch_age_as_zero(said), message);
        assert!(!said.contains(&token), "the token is never echoed");
    }
    // The same reasons on MCP, with the RFC 9728 challenge.
    let expired = idp
        .token(json!({"sub": "alice", "aud": audience, "exp_in": -120}))
        .await;
    let response = mcp_tools_list(&app, &expired).await;
    assert_eq!(response.status(), 401);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer resource_metadata=")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "the token has expired");
    // Nothing refused above made the host fetch the set again (the cooldown is 30 s).
    assert_eq!(idp.jwks_requests().await, 1);
    assert_eq!(get_actions(&app, &good).await.status, 200);
}

#[tokio::test]
async fn after_a_rotation_new_keys_are_accepted_and_dropped_ones_refused_without_a_restart() {
    let mut idp = Idp::start().await;
    let cooldown = Duration::from_secs(1);
    let app = host_for(&idp, |s| s.jwks_cooldown = cooldown).await;
    let audience = resource(&app);
    let fetched = idp.wait_for_requests(1).await;
    let old_kid = idp.first_kid.clone();

    let seen = idp.token(json!({"sub": "alice", "aud": audience})).await;
    let unseen = idp.token(json!({"sub": "bob", "aud": audience})).await;
    assert_eq!(get_actions(&app, &seen).await.status, 200);

    let rotated = idp.send(json!({"do": "rotate", "alg": "RS256"})).await;
    assert_eq!(rotated["dropped"], json!([old_kid]));
    let new_kid = rotated["kid"].as_str().unwrap().to_string();
    tokio::time::sleep((fetched + cooldown + Duration::from_millis(100)) - Instant::now()).await;

    // The new key's token names a kid the host does not know: it fetches the set once.
    let fresh = idp
        .token(json!({"kid": new_kid, "sub": "carol", "aud": audience}))
        .await;
    let answer = get_actions(&app, &fresh).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(idp.jwks_requests().await, 2);

    // The dropped key's tokens are refused: one never seen, and one the host had verified
    // (remembered tokens are tied to their key, which is gone).
    for token in [&unseen, &seen] {
        let answer = get_actions(&app, token).await;
        assert_eq!(answer.status, 401, "{answer:?}");
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!(
                    "the token's key id \"{old_kid}\" is not in the identity provider's key set \
                     (fetched "
                )),
            "{answer:?}"
        );
    }
    // Within the cooldown, those refusals did not fetch again.
    assert_eq!(idp.jwks_requests().await, 2);
}

#[tokio::test]
async fn a_withdrawn_key_stops_being_trusted_once_the_set_is_older_than_its_max_age() {
    let mut idp = Idp::start().await;
    let app = host_for(&idp, |s| {
        s.jwks_cooldown = Duration::from_millis(200);
        s.jwks_max_age = Duration::from_secs(1);
    })
    .await;
    idp.wait_for_requests(1).await;
    let token = idp
        .token(json!({"sub": "alice", "aud": resource(&app)}))
        .await;
    assert_eq!(get_actions(&app, &token).await.status, 200);
    // The provider withdraws the key; no token names a new one.
    idp.send(json!({"do": "rotate", "alg": "ES256"})).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // The set is stale: the next use starts a fetch in the background (that request is still
    // answered with the set at hand), and once it is in, the token is refused.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = get_actions(&app, &token).await;
        if answer.status == 401 {
            assert!(
                answer.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with(
                        "the token's key id \"rs256-1\" is not in the identity provider's key set"
                    ),
                "{answer:?}"
            );
            break;
        }
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(
            Instant::now() < deadline,
            "the withdrawn key is still trusted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(idp.jwks_requests().await, 2);
}

#[tokio::test]
async fn a_flood_of_unknown_key_ids_fetches_the_key_set_at_most_once_per_cooldown() {
    let mut idp = Idp::start().await;
    let cooldown = Duration::from_secs(3);
    let app = host_for(&idp, |s| s.jwks_cooldown = cooldown).await;
    let audience = resource(&app);
    let fetched = idp.wait_for_requests(1).await;
    let claims = json!({"sub": "mallory", "aud": audience, "iss": idp.issuer, "exp": now() + 600});
    let flood = |round: &str| {
        let requests = (0..50).map(|i| {
            let token = forged(
                json!({"alg": "RS256", "typ": "JWT", "kid": format!("made-up-{round}-{i}")}),
                claims.clone(),
                "c2lnbmF0dXJl",
            );
            let app = &app;
            async move { (i, get_actions(app, &token).await) }
        });
        futures::future::join_all(requests)
    };

    // Within the cooldown of the startup fetch: 50 unknown kids, no fetch.
    for (i, answer) in flood("a").await {
        assert_eq!(answer.status, 401);
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!(
                    "the token's key id \"made-up-a-{i}\" is not in the identity provider's key set"
                )),
            "{answer:?}"
        );
    }
    assert_eq!(idp.jwks_requests().await, 1);

    // After the cooldown: 50 more at once make exactly one fetch, shared by all of them.
    tokio::time::sleep((fetched + cooldown + Duration::from_millis(200)) - Instant::now()).await;
    for (_, answer) in flood("b").await {
        assert_eq!(answer.status, 401, "{answer:?}");
    }
    assert_eq!(idp.jwks_requests().await, 2);
}

#[tokio::test]
async fn a_key_set_behind_a_private_ca_is_fetched_only_when_the_ca_is_trusted() {
    let mut idp = Idp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (ca, chain, key) = actionhost_e2e::tls::material(dir.path());
    // The provider's key set over HTTPS, its certificate signed by the test CA only.
    let plain = url::Url::parse(&idp.jwks_uri).unwrap();
    let backend = plain.socket_addrs(|| None).unwrap()[0];
    let (port, handshakes) = actionhost_e2e::tls::front(chain, key, backend).await;
    let jwks = url::Url::parse(&format!("https://localhost:{port}{}", plain.path())).unwrap();
    let over_https = |trusted: bool| {
        let (jwks, ca) = (jwks.clone(), ca.clone());
        move |s: &mut actionhost::config::Settings| {
            s.jwt_jwks_url = Some(jwks);
            s.extra_roots = if trusted { vec![ca] } else { Vec::new() };
        }
    };

    let trusting = host_for(&idp, over_https(true)).await;
    let token = idp
        .token(json!({"sub": "alice", "aud": resource(&trusting)}))
        .await;
    let listed = get_actions(&trusting, &token).await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(idp.jwks_requests().await, 1);
    let shaken = handshakes.load(std::sync::atomic::Ordering::SeqCst);
    assert!(shaken >= 1);

    // Mozilla's roots only: the provider's certificate is refused and the token is not checked.
    let untrusting = host_for(&idp, over_https(false)).await;
    let token = idp
        .token(json!({"sub": "alice", "aud": resource(&untrusting)}))
        .await;
    let refused = get_actions(&untrusting, &token).await;
    assert_eq!(
        (refused.status, refused.code()),
        (502, "upstream_error"),
        "{refused:?}"
    );
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the identity provider's keys could not be fetched ("),
        "{message}"
    );
    assert_eq!(idp.jwks_requests().await, 1, "no fetch got past TLS");
    assert_eq!(handshakes.load(std::sync::atomic::Ordering::SeqCst), shaken);
}

#[tokio::test]
async fn a_provider_down_when_the_host_starts_is_used_once_it_answers() {
    let mut idp = Idp::start().await;
    idp.send(json!({"do": "down"})).await;
    let work = tempfile::tempdir().unwrap();
    let public_url = "http://actionhost.test";
    let audience = format!("{public_url}/mcp");
    let host = HostProcess::start(
        &work.path().join("data"),
        &[
            ("ACTIONHOST_JWT_JWKS_URL", idp.jwks_uri.as_str()),
            ("ACTIONHOST_JWT_ISSUER", idp.issuer.as_str()),
            ("ACTIONHOST_JWT_AUDIENCE", audience.as_str()),
            ("ACTIONHOST_PUBLIC_URL", public_url),
        ],
    );
    let token = idp.token(json!({"sub": "alice", "aud": audience})).await;
    let client = reqwest::Client::new();
    let get = || async {
        Answer::read(
            client
                .get(format!("{}/actions", host.url))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await
    };

    // The token could not be checked: not the caller's fault, so not 401.
    let answer = get().await;
    assert_eq!(
        (answer.status, answer.code()),
        (502, "upstream_error"),
        "{answer:?}"
    );
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("the identity provider's keys could not be fetched (cannot connect: ")
            && message.ends_with("), so the token was not checked; try again shortly"),
        "{message}"
    );
    assert!(
        !message.contains(&idp.jwks_uri),
        "the provider's address stays in the log"
    );
    assert_eq!(answer.body["error"]["details"]["status"], Value::Null);
    // The MCP server answers the same: a 401 would make an OAuth client sign the user in
    // again, which cannot help.
    let mcp = Answer::read(
        client
            .post(format!("{}/mcp", host.url))
            .bearer_auth(&token)
            .header("accept", "application/json, text/event-stream")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((mcp.status, mcp.code()), (502, "upstream_error"), "{mcp:?}");
    assert!(mcp.headers.get("www-authenticate").is_none());

    // Once it answers, the next request (a second after the failed fetch, at the latest)
    // fetches the set and passes.
    idp.send(json!({"do": "up"})).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = get().await;
        if answer.status == 200 {
            break;
        }
        assert_eq!(answer.status, 502, "{answer:?}");
        assert!(Instant::now() < deadline, "still refused: {answer:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(idp.jwks_requests().await, 1);

    let (status, log) = host.stop_with_log();
    assert!(status.success());
    assert!(
        log.contains("cannot fetch the identity provider's key set"),
        "a warning at startup: {log}"
    );
    assert!(log.contains(&idp.jwks_uri), "the log names the URL: {log}");
    assert!(
        log.contains("fetched the identity provider's key set"),
        "{log}"
    );
    assert!(!log.contains(&token), "no token in the log");
}

#[tokio::test]
async fn the_resource_metadata_names_the_identity_provider_as_authorization_server() {
    let idp = Idp::start().await;
    let app = host_for(&idp, |_| {}).await;
    let metadata = app
        .call("GET", "/.well-known/oauth-protected-resource", None, None)
        .await;
    assert_eq!(metadata.status, 200);
    assert_eq!(
        metadata.body,
        json!({
            "resource": resource(&app),
            "authorization_servers": [idp.issuer],
            "bearer_methods_supported": ["header"],
            "resource_name": "actionhost",
        })
    );

    // Without ACTIONHOST_JWT_ISSUER there is no authorization server to name.
    let plain = TestApp::start("", |_| {}).await;
    let metadata = plain
        .call("GET", "/.well-known/oauth-protected-resource", None, None)
        .await;
    assert_eq!(metadata.body.get("authorization_servers"), None);
}

/// `said` with the age in "(fetched N s ago)" written as 0, since the age a refusal reports is
/// the time since the key set was fetched and a busy machine makes it any small number.
fn fetch_age_as_zero(said: &str) -> String {
    let Some(start) = said.find("(fetched ") else {
        return said.to_string();
    };
    let digits = &said[start + "(fetched ".len()..];
    let count = digits.bytes().take_while(u8::is_ascii_digit).count();
    if count == 0 || !digits[count..].starts_with(" s ago)") {
        return said.to_string();
    }
    format!("{}(fetched 0{}", &said[..start], &digits[count..])
}
