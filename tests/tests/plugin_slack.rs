//! The bundled Slack plugin, through the real runtime: the exact requests it sends (checked by a
//! loopback stand-in and by Prism with Slack's own API description) and how Slack's
//! `{"ok": false, "error": ...}` answers reach the caller.

use actionhost::credentials::SecretString;
use actionhost::runtime::{ActionError, CallContext, CallError, CallLimits, LoadedPlugin, Runtime};
use actionhost_e2e::prism::{Prism, prepare_specs};
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::{bundled, load, runtime};
use serde_json::{Value, json};

async fn slack(upstream: &str) -> (Runtime, LoadedPlugin) {
    let runtime = runtime(&format!("https://slack.com/api={upstream}"));
    let plugin = load(&runtime, bundled("slack.wasm"), CallLimits::default()).await;
    (runtime, plugin)
}

fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: vec![],
        credential: Some(SecretString::new("xoxb-alice")),
        ..Default::default()
    }
}

async fn run(action: &str, params: Value, reply: Reply) -> (Result<Value, CallError>, Recorded) {
    let upstream = StandIn::start(move |_| reply.clone()).await;
    let (runtime, plugin) = slack(&upstream.url()).await;
    let (result, _) = runtime.execute(&plugin, action, &params, &alice()).await;
    (result, upstream.single())
}

fn form(request: &Recorded) -> Vec<(String, String)> {
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn send_message_posts_a_form_with_the_bearer_token() {
    let answer = json!({"ok": true, "channel": "C1", "ts": "1700000000.000100"});
    let (result, request) = run(
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C1", "text": "Deploy done :tada:", "thread_ts": "1699999999.000200", "blocks": [{"type": "divider"}]}),
        Reply::json(200, answer.clone()),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/chat.postMessage");
    assert_eq!(request.query, None);
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-alice"));
    assert_eq!(
        form(&request),
        pairs(&[
            ("channel", "C1"),
            ("text", "Deploy done :tada:"),
            ("thread_ts", "1699999999.000200"),
            ("blocks", r#"[{"type":"divider"}]"#),
        ])
    );
}

#[tokio::test]
async fn list_channels_sends_the_filters_as_query() {
    let (result, request) = run(
        "SLACK_LIST_CHANNELS",
        json!({"types": "public_channel,private_channel", "exclude_archived": true, "limit": 200}),
        Reply::json(200, json!({"ok": true, "channels": []})),
    )
    .await;
    assert_eq!(result.unwrap()["channels"], json!([]));
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/conversations.list");
    assert_eq!(
        request.query.as_deref(),
        Some("types=public_channel%2Cprivate_channel&exclude_archived=true&limit=200")
    );
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-alice"));
}

#[tokio::test]
async fn create_channel_posts_name_and_privacy() {
    let (result, request) = run(
        "SLACK_CREATE_CHANNEL",
        json!({"name": "incident-42", "is_private": true}),
        Reply::json(200, json!({"ok": true, "channel": {"id": "C9"}})),
    )
    .await;
    assert_eq!(result.unwrap()["channel"]["id"], "C9");
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/conversations.create");
    assert_eq!(
        form(&request),
        pairs(&[("name", "incident-42"), ("is_private", "true")])
    );
}

#[tokio::test]
async fn channel_history_reads_between_timestamps() {
    let (result, request) = run(
        "SLACK_GET_CHANNEL_HISTORY",
        json!({"channel": "C1", "limit": 20, "oldest": "1700000000.0"}),
        Reply::json(200, json!({"ok": true, "messages": [{"text": "hi"}]})),
    )
    .await;
    assert_eq!(result.unwrap()["messages"][0]["text"], "hi");
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/conversations.history");
    assert_eq!(
        request.query.as_deref(),
        Some("channel=C1&limit=20&oldest=1700000000.0")
    );
}

#[tokio::test]
async fn add_reaction_strips_colons_from_the_emoji_name() {
    let (result, request) = run(
        "SLACK_ADD_REACTION",
        json!({"channel": "C1", "timestamp": "1700000000.000100", "name": ":thumbsup:"}),
        Reply::json(200, json!({"ok": true})),
    )
    .await;
    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(request.path, "/reactions.add");
    assert_eq!(
        form(&request),
        pairs(&[
            ("channel", "C1"),
            ("timestamp", "1700000000.000100"),
            ("name", "thumbsup")
        ])
    );
}

#[tokio::test]
async fn find_user_by_email_looks_the_address_up() {
    let (result, request) = run(
        "SLACK_FIND_USER_BY_EMAIL",
        json!({"email": "ada+ops@example.com"}),
        Reply::json(200, json!({"ok": true, "user": {"id": "U1"}})),
    )
    .await;
    assert_eq!(result.unwrap()["user"]["id"], "U1");
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/users.lookupByEmail");
    assert_eq!(
        request.query.as_deref(),
        Some("email=ada%2Bops%40example.com")
    );
}

#[tokio::test]
async fn slacks_ok_false_answers_become_errors_with_slacks_code() {
    let body = json!({"ok": false, "error": "channel_not_found"});
    let (result, _) = run(
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C404", "text": "hi"}),
        Reply::json(200, body.clone()),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 200,
            message: "channel_not_found".into(),
            body: Some(body.to_string())
        })
    );

    let (result, _) = run(
        "SLACK_LIST_CHANNELS",
        json!({}),
        Reply::json(200, json!({"ok": false, "error": "invalid_auth"})),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized("invalid_auth".into()))
    );

    let (result, _) = run(
        "SLACK_LIST_CHANNELS",
        json!({}),
        Reply::json(429, json!({"ok": false, "error": "ratelimited"})).header("retry-after", "30"),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "ratelimited".into(),
            retry_after_seconds: Some(30)
        })
    );
}

/// Every action against Prism serving Slack's own API description.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_sends_requests_that_slacks_api_description_accepts() {
    let specs = tempfile::tempdir().unwrap();
    prepare_specs(specs.path());
    let prism = Prism::start(&specs.path().join("slack.json"));
    let (runtime, plugin) = slack(&prism.url()).await;
    let calls = [
        (
            "SLACK_SEND_MESSAGE",
            json!({"channel": "C1", "text": "hi", "thread_ts": "1.2", "unfurl_links": false}),
        ),
        (
            "SLACK_LIST_CHANNELS",
            json!({"types": "public_channel", "exclude_archived": true, "limit": 10, "cursor": "abc"}),
        ),
        (
            "SLACK_CREATE_CHANNEL",
            json!({"name": "new-channel", "is_private": false}),
        ),
        (
            "SLACK_GET_CHANNEL_HISTORY",
            json!({"channel": "C1", "limit": 5, "oldest": "1.0", "latest": "2.0"}),
        ),
        (
            "SLACK_ADD_REACTION",
            json!({"channel": "C1", "timestamp": "1.2", "name": "eyes"}),
        ),
        (
            "SLACK_FIND_USER_BY_EMAIL",
            json!({"email": "a@example.com"}),
        ),
    ];
    let mut covered: Vec<&str> = calls.iter().map(|(a, _)| *a).collect();
    covered.sort();
    let mut declared: Vec<&str> = plugin.actions.iter().map(|a| a.name.as_str()).collect();
    declared.sort();
    assert_eq!(
        covered, declared,
        "every Slack action is checked against the description"
    );
    for (action, params) in calls {
        let (result, report) = runtime.execute(&plugin, action, &params, &alice()).await;
        // Prism answers a valid request with one of the description's examples, which may itself
        // be an `ok: false` example; a request that breaks the description gets HTTP 4xx instead.
        match result {
            Ok(_) => {}
            Err(CallError::Action(ActionError::Upstream { status: 200, .. })) => {}
            Err(CallError::Action(
                ActionError::Unauthorized(_) | ActionError::RateLimited { .. },
            )) => {}
            other => panic!("{action}: Slack's description rejected the request: {other:?}"),
        }
        assert_eq!(report.last_upstream_status, Some(200), "{action}");
    }

    // The check can fail: chat.postMessage without `channel` violates the description.
    let broken = runtime
        .egress()
        .send(
            &actionhost::capability::http::EgressGrant {
                plugin_id: "slack".into(),
                origins: vec![actionhost::capability::http::OriginGrant {
                    origin: actionhost::origin::Origin::parse("https://slack.com").unwrap(),
                    credentials: true,
                }],
                placement: actionhost::manifest::CredentialPlacement::Bearer,
                operator_key: None,
                unresolved: Vec::new(),
            },
            Some(&SecretString::new("xoxb-alice")),
            actionhost::capability::http::OutboundRequest {
                method: actionhost::capability::http::HttpMethod::Post,
                url: "https://slack.com/api/chat.postMessage".into(),
                headers: vec![(
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                )],
                body: Some(b"text=hi".to_vec()),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        broken.status, 422,
        "Prism accepted chat.postMessage without a channel"
    );
}
