//! The HTTP capability on its own (no guest): allowlist, override, credential injection, header
//! refusal, size cap, timeout, redirects and SSRF refusals, against real servers on 127.0.0.1.

use std::time::Duration;

use actionhost::capability::http::{
    Egress, EgressError, EgressGrant, EgressLimits, HttpMethod, OriginGrant, OutboundRequest,
    UpstreamOverrides,
};
use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialPlacement;
use actionhost::origin::{Origin, is_public};
use actionhost_e2e::standin::{Reply, StandIn};
use serde_json::json;

fn grant(origins: &[(&str, bool)], placement: CredentialPlacement) -> EgressGrant {
    EgressGrant {
        plugin_id: "demo".into(),
        origins: origins
            .iter()
            .map(|(o, credentials)| OriginGrant {
                origin: Origin::parse(o).unwrap(),
                credentials: *credentials,
                from_account: false,
            })
            .collect(),
        placement,
        operator_key: None,
        unresolved: Vec::new(),
        operator_header: None,
    }
}

fn egress(overrides: &str) -> Egress {
    Egress::new(
        UpstreamOverrides::parse(overrides).unwrap(),
        EgressLimits::default(),
    )
    .unwrap()
}

/// An egress that lets plugins reach `server` (a loopback stand-in), as an operator's
/// `allow_private_origins` would: loopback is refused otherwise.
fn opened(server: &StandIn) -> Egress {
    egress("").with_open_origins(vec![Origin::parse(&server.url()).unwrap()])
}

fn get(url: &str) -> OutboundRequest {
    OutboundRequest {
        method: HttpMethod::Get,
        url: url.into(),
        headers: vec![],
        body: None,
    }
}

fn token() -> SecretString {
    SecretString::new("tok-123")
}

#[tokio::test]
async fn an_undeclared_origin_is_denied_before_anything_is_sent() {
    let server = StandIn::json(json!({})).await;
    let egress = egress("");
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);
    let other_port = format!("http://127.0.0.1:{}/x", server.addr.port() + 1);
    let other_scheme = format!("https://{}/x", server.addr);
    for url in [
        other_port.as_str(),
        other_scheme.as_str(),
        "http://example.com/x",
    ] {
        let error = egress
            .send(&declared, Some(&token()), &get(url), None)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, EgressError::Denied(m) if m.contains("is not declared by plugin demo")),
            "{url}: {error:?}"
        );
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_override_rewrites_the_declared_origin_and_keeps_path_and_query() {
    let server = StandIn::json(json!({"ok": true})).await;
    let egress = egress(&format!("https://api.example.test={}", server.url()));
    let declared = grant(
        &[("https://api.example.test", true)],
        CredentialPlacement::Bearer,
    );
    let response = egress
        .send(
            &declared,
            Some(&token()),
            &get("https://api.example.test/v1/items?q=a%20b&n=2"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, br#"{"ok":true}"#);
    let request = server.single();
    assert_eq!(request.path, "/v1/items");
    assert_eq!(request.query.as_deref(), Some("q=a%20b&n=2"));
    assert_eq!(request.header("authorization"), Some("Bearer tok-123"));
}

#[tokio::test]
async fn an_override_with_a_path_prefix_maps_the_prefix() {
    let server = StandIn::json(json!({"ok": true})).await;
    let egress = egress(&format!("https://slack.com/api={}", server.url()));
    let declared = grant(&[("https://slack.com", true)], CredentialPlacement::Bearer);
    egress
        .send(
            &declared,
            Some(&token()),
            &get("https://slack.com/api/chat.postMessage"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(server.single().path, "/chat.postMessage");
}

#[tokio::test]
async fn credentials_are_injected_as_the_auth_kind_says() {
    let server = StandIn::json(json!({})).await;
    let egress = opened(&server);
    let url = format!("{}/me?a=1", server.url());
    let cases = [
        (
            CredentialPlacement::Bearer,
            ("authorization", "Bearer tok-123"),
            "a=1",
        ),
        (
            CredentialPlacement::Header {
                name: "X-Api-Key".into(),
                prefix: "Key ".into(),
            },
            ("x-api-key", "Key tok-123"),
            "a=1",
        ),
        (
            CredentialPlacement::Query {
                name: "api_key".into(),
                prefix: String::new(),
            },
            ("authorization", ""),
            "a=1&api_key=tok-123",
        ),
        // A custom scheme: Discord's bot tokens.
        (
            CredentialPlacement::Header {
                name: "Authorization".into(),
                prefix: "Bot ".into(),
            },
            ("authorization", "Bot tok-123"),
            "a=1",
        ),
        // HTTP Basic: the stored secret is `username:password`.
        (
            CredentialPlacement::Basic,
            ("authorization", "Basic dG9rLTEyMw=="),
            "a=1",
        ),
    ];
    for (placement, (header, value), query) in cases {
        let declared = grant(&[(&server.url(), true)], placement);
        egress
            .send(&declared, Some(&token()), &get(&url), None)
            .await
            .unwrap();
        let request = server.requests().pop().unwrap();
        if value.is_empty() {
            assert_eq!(request.header(header), None);
        } else {
            assert_eq!(request.header(header), Some(value));
        }
        assert_eq!(request.query.as_deref(), Some(query));
    }
}

#[tokio::test]
async fn a_custom_scheme_header_is_the_hosts_and_the_plugin_cannot_set_it() {
    let server = StandIn::json(json!({})).await;
    let egress = opened(&server);
    let declared = grant(
        &[(&server.url(), true)],
        CredentialPlacement::Header {
            name: "Authorization".into(),
            prefix: "Bot ".into(),
        },
    );
    let mut request = get(&format!("{}/users/@me", server.url()));
    request.headers = vec![("Authorization".into(), "Bot stolen".into())];
    let error = egress
        .send(&declared, Some(&token()), &request, None)
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::ForbiddenHeader("authorization".into()));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_origin_declared_without_credentials_gets_none() {
    let server = StandIn::json(json!({})).await;
    let declared = grant(&[(&server.url(), false)], CredentialPlacement::Bearer);
    opened(&server)
        .send(
            &declared,
            Some(&token()),
            &get(&format!("{}/file", server.url())),
            None,
        )
        .await
        .unwrap();
    assert_eq!(server.single().header("authorization"), None);
}

#[tokio::test]
async fn a_credentialed_origin_without_a_credential_is_not_connected() {
    let server = StandIn::json(json!({})).await;
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);
    let error = egress("")
        .send(&declared, None, &get(&server.url()), None)
        .await
        .unwrap_err();
    assert!(matches!(error, EgressError::NotConnected(_)), "{error:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn headers_the_host_owns_are_refused_and_nothing_is_sent() {
    let server = StandIn::json(json!({})).await;
    let egress = opened(&server);
    let placement = CredentialPlacement::Header {
        name: "X-Api-Key".into(),
        prefix: String::new(),
    };
    let declared = grant(&[(&server.url(), true)], placement);
    for header in [
        "Authorization",
        "cookie",
        "Proxy-Authorization",
        "Host",
        "x-api-key",
        "Transfer-Encoding",
    ] {
        let mut request = get(&server.url());
        request.headers.push((header.into(), "x".into()));
        let error = egress
            .send(&declared, Some(&token()), &request, None)
            .await
            .unwrap_err();
        assert_eq!(
            error,
            EgressError::ForbiddenHeader(header.to_ascii_lowercase())
        );
    }
    assert!(server.requests().is_empty());
    // Ordinary headers pass through untouched.
    let mut request = get(&server.url());
    request.headers.push(("X-Custom".into(), "kept".into()));
    egress
        .send(&declared, Some(&token()), &request, None)
        .await
        .unwrap();
    assert_eq!(server.single().header("x-custom"), Some("kept"));
}

#[tokio::test]
async fn a_response_over_the_size_cap_is_refused() {
    let server = StandIn::start(|_| Reply::json(200, json!("x".repeat(10_000)))).await;
    let limits = EgressLimits {
        timeout: Duration::from_secs(5),
        max_response_bytes: 1000,
        ..EgressLimits::default()
    };
    let egress = Egress::new(UpstreamOverrides::default(), limits)
        .unwrap()
        .with_open_origins(vec![Origin::parse(&server.url()).unwrap()]);
    let declared = grant(&[(&server.url(), false)], CredentialPlacement::None);
    let error = egress
        .send(&declared, None, &get(&server.url()), None)
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::TooLarge(1000));
}

#[tokio::test]
async fn a_slow_upstream_times_out() {
    let server =
        StandIn::start(|_| Reply::json(200, json!({})).delayed(Duration::from_secs(3))).await;
    let limits = EgressLimits {
        timeout: Duration::from_millis(300),
        max_response_bytes: 1000,
        ..EgressLimits::default()
    };
    let egress = Egress::new(UpstreamOverrides::default(), limits)
        .unwrap()
        .with_open_origins(vec![Origin::parse(&server.url()).unwrap()]);
    let declared = grant(&[(&server.url(), false)], CredentialPlacement::None);
    let started = std::time::Instant::now();
    let error = egress
        .send(&declared, None, &get(&server.url()), None)
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_calls_deadline_shortens_the_timeout() {
    let server =
        StandIn::start(|_| Reply::json(200, json!({})).delayed(Duration::from_secs(3))).await;
    let declared = grant(&[(&server.url(), false)], CredentialPlacement::None);
    let deadline = std::time::Instant::now() + Duration::from_millis(200);
    let error = opened(&server)
        .send(&declared, None, &get(&server.url()), Some(deadline))
        .await
        .unwrap_err();
    assert_eq!(error, EgressError::Timeout);
}

#[tokio::test]
async fn same_origin_redirects_are_followed_and_cross_origin_ones_are_not() {
    let elsewhere = StandIn::json(json!({"leaked": true})).await;
    let target = format!("{}/landing", elsewhere.url());
    let server = StandIn::start(move |r| match r.path.as_str() {
        "/moved" => Reply::json(302, json!({})).header("location", "/final"),
        "/away" => Reply::json(302, json!({})).header("location", &target),
        _ => Reply::json(200, json!({"final": true})),
    })
    .await;
    let egress = opened(&server);
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);

    let followed = egress
        .send(
            &declared,
            Some(&token()),
            &get(&format!("{}/moved", server.url())),
            None,
        )
        .await
        .unwrap();
    assert_eq!(followed.status, 200);
    let last = server.requests().pop().unwrap();
    assert_eq!(last.path, "/final");
    assert_eq!(last.header("authorization"), Some("Bearer tok-123"));

    let not_followed = egress
        .send(
            &declared,
            Some(&token()),
            &get(&format!("{}/away", server.url())),
            None,
        )
        .await
        .unwrap();
    assert_eq!(not_followed.status, 302);
    assert!(
        elsewhere.requests().is_empty(),
        "the credential followed a cross-origin redirect"
    );
}

#[tokio::test]
async fn a_declared_host_name_that_resolves_to_a_private_address_is_refused() {
    let server = StandIn::json(json!({})).await;
    let by_name = format!("http://localhost:{}", server.addr.port());
    let declared = grant(&[(&by_name, false)], CredentialPlacement::None);
    let error = egress("")
        .send(&declared, None, &get(&by_name), None)
        .await
        .unwrap_err();
    let EgressError::Denied(message) = error else {
        panic!("expected a denial, got {error:?}")
    };
    assert!(
        message.starts_with("localhost resolves to non-public address"),
        "{message}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_override_target_named_by_the_operator_may_be_private() {
    let server = StandIn::json(json!({})).await;
    let egress = egress(&format!(
        "https://api.example.test=http://localhost:{}",
        server.addr.port()
    ));
    let declared = grant(
        &[("https://api.example.test", false)],
        CredentialPlacement::None,
    );
    let response = egress
        .send(&declared, None, &get("https://api.example.test/x"), None)
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.single().path, "/x");
}

#[tokio::test]
async fn urls_with_user_info_or_other_schemes_are_invalid() {
    let egress = egress("");
    let declared = grant(
        &[("https://api.example.test", true)],
        CredentialPlacement::Bearer,
    );
    for url in [
        "https://user:pw@api.example.test/",
        "ftp://api.example.test/",
        "not a url",
    ] {
        let error = egress
            .send(&declared, Some(&token()), &get(url), None)
            .await
            .unwrap_err();
        assert!(
            matches!(error, EgressError::InvalidRequest(_)),
            "{url}: {error:?}"
        );
    }
}

#[test]
fn private_loopback_link_local_and_shared_ranges_are_not_public() {
    for ip in [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "127.255.255.254",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "0.1.2.3",
        "255.255.255.255",
        "224.0.0.1",
        "240.0.0.1",
        "198.18.0.1",
        "192.0.2.1",
        "::",
        "::1",
        "fe80::1",
        "fd00::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1",
        "2002:7f00:1::1",
        "2001:db8::1",
        "2001::1",
    ] {
        assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
    }
    for ip in [
        "140.82.112.6",
        "8.8.8.8",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ] {
        assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
    }
}

#[tokio::test]
async fn ip_literals_in_every_form_are_refused_and_nothing_is_sent() {
    let internal = StandIn::json(json!({"internal": true})).await;
    let port = internal.addr.port();
    let forms = [
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
        format!("http://0.0.0.0:{port}"),
        format!("http://127.1:{port}"),
        format!("http://2130706433:{port}"),
        format!("http://0x7f.0.0.1:{port}"),
        format!("http://[::ffff:127.0.0.1]:{port}"),
        format!("http://[::ffff:7f00:1]:{port}"),
        format!("http://[64:ff9b::7f00:1]:{port}"),
        "http://169.254.169.254".to_string(),
    ];
    let declared: Vec<(&str, bool)> = forms.iter().map(|f| (f.as_str(), true)).collect();
    let declared = grant(&declared, CredentialPlacement::Bearer);
    for url in &forms {
        let error = egress("")
            .send(
                &declared,
                Some(&token()),
                &get(&format!("{url}/latest/meta-data")),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&error, EgressError::Denied(m) if m.contains("plugins may not reach it")),
            "{url}: {error:?}"
        );
    }
    assert!(internal.requests().is_empty());
}

#[tokio::test]
async fn an_override_opens_exactly_its_target_origin_and_nothing_else() {
    let upstream = StandIn::json(json!({"upstream": true})).await;
    let admin = StandIn::json(json!({"admin": true})).await;
    let target = format!("http://localhost:{}", upstream.addr.port());
    let egress = egress(&format!("https://api.example.test={target}"));
    let same_host_other_port = format!("http://localhost:{}", admin.addr.port());
    let same_origin_by_ip = format!("http://127.0.0.1:{}", upstream.addr.port());
    let declared = grant(
        &[
            ("https://api.example.test", true),
            (&same_host_other_port, true),
            (&same_origin_by_ip, true),
            (&target, true),
        ],
        CredentialPlacement::Bearer,
    );
    // The rewritten request reaches the operator's target.
    egress
        .send(
            &declared,
            Some(&token()),
            &get("https://api.example.test/x"),
            None,
        )
        .await
        .unwrap();
    // A plugin naming private addresses itself does not, not even the target's own origin.
    for url in [&same_host_other_port, &same_origin_by_ip, &target] {
        let error = egress
            .send(&declared, Some(&token()), &get(url), None)
            .await
            .unwrap_err();
        assert!(matches!(error, EgressError::Denied(_)), "{url}: {error:?}");
    }
    assert_eq!(upstream.requests().len(), 1);
    assert!(admin.requests().is_empty());
}

/// The credential as a request carried it: the `Authorization` or `X-Api-Key` value, or the
/// `key` query parameter, decoded.
fn carried(r: &actionhost_e2e::standin::Recorded) -> String {
    r.header("authorization")
        .or(r.header("x-api-key"))
        .map(str::to_string)
        .or_else(|| {
            url::form_urlencoded::parse(r.query.clone().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == "key")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default()
}

/// Answers with everything it received: the request's headers and query, in the body and in
/// a header, and the credential as it was carried, in base64.
async fn echo() -> StandIn {
    StandIn::start(|r| {
        use base64::Engine as _;
        let all: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let text = format!(
            "{}\n{}",
            all.join("\n"),
            r.query.clone().unwrap_or_default()
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(carried(r));
        Reply::json(200, json!({"echo": text, "encoded": encoded}))
            .header("x-echo", &text.replace('\n', " | "))
    })
    .await
}

#[tokio::test]
async fn the_credential_an_upstream_echoes_never_reaches_the_plugin() {
    let server = echo().await;
    let egress = opened(&server);
    let secret = "s3cr/t+key=&x";
    let placements = [
        CredentialPlacement::Bearer,
        CredentialPlacement::Header {
            name: "X-Api-Key".into(),
            prefix: "Key ".into(),
        },
        CredentialPlacement::Query {
            name: "key".into(),
            prefix: String::new(),
        },
    ];
    for placement in placements {
        let declared = grant(&[(&server.url(), true)], placement.clone());
        let response = egress
            .send(
                &declared,
                Some(&SecretString::new(secret)),
                &get(&format!("{}/echo", server.url())),
                None,
            )
            .await
            .unwrap();
        // The upstream got the credential ...
        let received = server.requests().pop().unwrap();
        let carried = carried(&received);
        assert!(carried.ends_with(secret), "{placement:?}: {carried}");
        // ... and no form of it came back to the plugin.
        let body = String::from_utf8_lossy(&response.body).into_owned();
        let headers = format!("{:?}", response.headers);
        use base64::Engine as _;
        for form in [
            secret.to_string(),
            "s3cr%2Ft%2Bkey%3D%26x".to_string(),
            base64::engine::general_purpose::STANDARD.encode(&carried),
        ] {
            assert!(!body.contains(&form), "{placement:?}: {form} in {body}");
            assert!(
                !headers.contains(&form),
                "{placement:?}: {form} in {headers}"
            );
        }
        assert!(
            body.contains("[redacted by actionhost]"),
            "{placement:?}: {body}"
        );
        // Nothing else was touched.
        assert!(body.contains("user-agent"), "{body}");
    }
}

#[tokio::test]
async fn a_query_parameter_named_like_the_credential_is_refused() {
    let server = StandIn::json(json!({})).await;
    let placement = CredentialPlacement::Query {
        name: "key".into(),
        prefix: String::new(),
    };
    let declared = grant(&[(&server.url(), true)], placement);
    let error = opened(&server)
        .send(
            &declared,
            Some(&token()),
            &get(&format!("{}/x?key=attacker", server.url())),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EgressError::InvalidRequest(m) if m.contains("\"key\" carries the credential")),
        "{error:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_request_body_over_the_cap_is_refused_before_anything_is_sent() {
    let server = StandIn::json(json!({})).await;
    let limits = EgressLimits {
        max_request_bytes: 1000,
        ..EgressLimits::default()
    };
    let egress = Egress::new(UpstreamOverrides::default(), limits)
        .unwrap()
        .with_open_origins(vec![Origin::parse(&server.url()).unwrap()]);
    let declared = grant(&[(&server.url(), false)], CredentialPlacement::None);
    let mut request = get(&server.url());
    request.method = HttpMethod::Post;
    request.body = Some(vec![b'x'; 1001].into());
    let error = egress
        .send(&declared, None, &request, None)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        EgressError::InvalidRequest(
            "the request body is 1001 bytes, over the cap of 1000 bytes".into()
        )
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn plugin_supplied_text_is_quoted_only_in_part_in_errors() {
    let declared = grant(
        &[("https://api.example.test", true)],
        CredentialPlacement::Bearer,
    );
    let long_url = format!("https://undeclared.test/{}", "a".repeat(1_000_000));
    let error = egress("")
        .send(&declared, Some(&token()), &get(&long_url), None)
        .await
        .unwrap_err();
    assert!(
        error.to_string().len() < 500,
        "{} bytes",
        error.to_string().len()
    );
    let mut request = get("https://api.example.test/");
    request
        .headers
        .push((format!("x-{}", "b".repeat(1_000_000)), "1".into()));
    request.headers.push(("authorization".into(), "x".into()));
    let error = egress("")
        .send(&declared, Some(&token()), &request, None)
        .await
        .unwrap_err();
    assert!(
        error.to_string().len() < 500,
        "{} bytes",
        error.to_string().len()
    );
}

#[test]
fn overrides_are_parsed_and_bad_ones_name_the_entry() {
    assert!(UpstreamOverrides::parse("").is_ok());
    assert!(
        UpstreamOverrides::parse(
            "https://a.test=http://127.0.0.1:1, https://b.test/api=http://127.0.0.1:2"
        )
        .is_ok()
    );
    let error = UpstreamOverrides::parse("https://a.test").unwrap_err();
    assert_eq!(error.to_string(), "\"https://a.test\" is not FROM=TO");
}

#[tokio::test]
async fn an_encoded_answer_to_a_credentialed_request_is_refused_and_plugins_cannot_ask_for_one() {
    let server = StandIn::start(|_| {
        Reply::json(200, json!({"token": "tok-123"})).header("content-encoding", "gzip")
    })
    .await;
    let egress = opened(&server);
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);
    let error = egress
        .send(&declared, Some(&token()), &get(&server.url()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EgressError::Transport(m) if m.contains("Content-Encoding \"gzip\"")),
        "{error:?}"
    );
    for header in ["Accept-Encoding", "Range", "If-Range"] {
        let mut request = get(&server.url());
        request.headers.push((header.into(), "gzip".into()));
        let error = egress
            .send(&declared, Some(&token()), &request, None)
            .await
            .unwrap_err();
        assert_eq!(
            error,
            EgressError::ForbiddenHeader(header.to_ascii_lowercase())
        );
    }
    assert_eq!(server.requests().len(), 1);
}

/// Records what the audit would: each request's status.
#[derive(Default)]
struct Statuses(std::sync::Mutex<Vec<u16>>);

impl actionhost::capability::http::RequestLog for Statuses {
    fn sending(&self) -> usize {
        let mut statuses = self.0.lock().unwrap();
        statuses.push(0);
        statuses.len() - 1
    }
    fn answered(&self, number: usize, status: Option<u16>) {
        if let Some(status) = status {
            self.0.lock().unwrap()[number] = status;
        }
    }
    fn not_sent(&self, number: usize) {
        self.0.lock().unwrap().remove(number);
    }
}

#[tokio::test]
async fn every_request_that_leaves_is_logged_redirects_included_and_a_huge_retry_after_is_not_waited()
 {
    let server = StandIn::start(|r| match r.path.as_str() {
        "/moved" => Reply::json(302, json!({})).header("location", "/final"),
        "/busy" => Reply::json(429, json!({})).header("retry-after", "18446744073709551615"),
        _ => Reply::json(200, json!({})),
    })
    .await;
    let egress = opened(&server);
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);
    let log = Statuses::default();
    let mut recovery = actionhost::capability::http::Recovery {
        credential: Some(token()),
        max_retries: 2,
        ..Default::default()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let moved = egress
        .send_recovering(
            &declared,
            &mut recovery,
            get(&format!("{}/moved", server.url())),
            deadline,
            &log,
        )
        .await
        .unwrap();
    assert_eq!(moved.status, 200);
    assert_eq!(*log.0.lock().unwrap(), [302, 200]);
    let started = std::time::Instant::now();
    let busy = egress
        .send_recovering(
            &declared,
            &mut recovery,
            get(&format!("{}/busy", server.url())),
            deadline,
            &log,
        )
        .await
        .unwrap();
    assert_eq!(busy.status, 429);
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(*log.0.lock().unwrap(), [302, 200, 429]);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn every_request_names_the_host_and_a_user_agent_and_accept_unless_the_plugin_chose_them() {
    let server = StandIn::json(json!({})).await;
    let egress = opened(&server);
    let declared = grant(&[(&server.url(), true)], CredentialPlacement::Bearer);
    let url = format!("{}/me", server.url());
    egress
        .send(&declared, Some(&token()), &get(&url), None)
        .await
        .unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(
        request.header("user-agent"),
        Some(concat!("actionhost/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(request.header("accept"), Some("*/*"));
    assert_eq!(
        request.header("host"),
        Some(server.addr.to_string().as_str())
    );

    let mut chosen = get(&url);
    chosen.headers = vec![
        ("Accept".into(), "application/vnd.github+json".into()),
        ("User-Agent".into(), "actionhost-github".into()),
    ];
    egress
        .send(&declared, Some(&token()), &chosen, None)
        .await
        .unwrap();
    let request = server.requests().pop().unwrap();
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("user-agent"), Some("actionhost-github"));
}

/// The message of the transport error a GET of `url` with the test credential must end in.
async fn transport_error(egress: &Egress, declared: &EgressGrant, url: &str) -> String {
    match egress.send(declared, Some(&token()), &get(url), None).await {
        Err(EgressError::Transport(message)) => message,
        other => panic!("{url}: expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_naming_the_cause_and_never_the_credential() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let egress = egress("").with_open_origins(vec![Origin::parse(&origin).unwrap()]);
    let declared = grant(
        &[(&origin, true)],
        CredentialPlacement::Query {
            name: "api_key".into(),
            prefix: String::new(),
        },
    );
    let message = transport_error(&egress, &declared, &format!("{origin}/x?q=1")).await;
    assert!(
        message.to_ascii_lowercase().contains("connection refused"),
        "{message}"
    );
    assert!(!message.contains("tok-123"), "{message}");
    assert!(!message.contains("127.0.0.1"), "{message}");
}

/// An HTTPS server on 127.0.0.1 (named `localhost` by its certificate) answering every request
/// with `{"tls":true}`; its port and how many requests it answered.
async fn https_server(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let acceptor = actionhost_e2e::tls::acceptor(chain, key);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = answered.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, count) = (acceptor.clone(), count.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper::service::service_fn(move |_request| {
                    count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(
                            http_body_util::Full::new(hyper::body::Bytes::from_static(
                                br#"{"tls":true}"#,
                            )),
                        ))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (port, answered)
}

#[tokio::test]
async fn https_upstreams_are_verified_against_the_trusted_roots() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, chain, key) = actionhost_e2e::tls::material(dir.path());
    let (port, answered) = https_server(chain, key).await;
    let origin = format!("https://localhost:{port}");
    let declared = grant(&[(&origin, true)], CredentialPlacement::Bearer);
    let opened = |egress: Egress| egress.with_open_origins(vec![Origin::parse(&origin).unwrap()]);

    // Mozilla's roots only: the test CA is not among them, and nothing reaches the server's
    // HTTP layer.
    let message = transport_error(&opened(egress("")), &declared, &format!("{origin}/me")).await;
    assert!(message.contains("certificate"), "{message}");
    assert!(!message.contains("tok-123"), "{message}");
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 0);

    // Trusting the CA: the request goes over TLS and is answered.
    let trusting = opened(
        Egress::with_roots(UpstreamOverrides::default(), EgressLimits::default(), &[ca]).unwrap(),
    );
    let response = trusting
        .send(
            &declared,
            Some(&token()),
            &get(&format!("{origin}/me")),
            None,
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, br#"{"tls":true}"#);
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 1);
}
