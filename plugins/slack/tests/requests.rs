//! The exact request every Slack action sends, and how Slack's `ok: false` envelope maps to
//! errors, run natively against the SDK's test transport.

use actionhost_plugin_slack::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

/// Runs `action` once against a queued JSON answer; returns its result and the one request.
fn call(action: &str, input: Value, answer: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let result = testing::run(&provider(), action, input, &Context::new("alice"));
    (result, transport.only_request())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_form(request: &RecordedRequest) {
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.raw_query(), None);
}

#[test]
fn send_message_posts_a_form_with_blocks_as_json_text() {
    let answer = json!({"ok": true, "channel": "C1", "ts": "1700000000.000100"});
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*Deploy* done"}}]);
    let (result, request) = call(
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C1", "text": "Deploy done & green", "thread_ts": "1.2", "blocks": blocks, "unfurl_links": false}),
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://slack.com/api/chat.postMessage")
    );
    assert_form(&request);
    assert_eq!(
        request.form(),
        pairs(&[
            ("channel", "C1"),
            ("text", "Deploy done & green"),
            ("thread_ts", "1.2"),
            ("blocks", &blocks.to_string()),
            ("unfurl_links", "false"),
        ])
    );
    assert!(
        request
            .text()
            .starts_with("channel=C1&text=Deploy%20done%20%26%20green&")
    );
}

#[test]
fn send_message_leaves_out_what_was_not_given() {
    let (_, request) = call(
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C1", "text": "hi"}),
        json!({"ok": true}),
    );
    assert_eq!(request.text(), "channel=C1&text=hi");
}

#[test]
fn list_channels_sends_its_filters_as_query() {
    let (result, request) = call(
        "SLACK_LIST_CHANNELS",
        json!({"types": "public_channel,private_channel", "exclude_archived": true, "limit": 200}),
        json!({"ok": true, "channels": [{"id": "C1"}]}),
    );
    assert_eq!(result.unwrap()["channels"][0]["id"], "C1");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/api/conversations.list")
    );
    assert_eq!(
        request.raw_query(),
        Some("types=public_channel%2Cprivate_channel&exclude_archived=true&limit=200")
    );
    assert_eq!(request.body, None);
}

#[test]
fn list_channels_continues_from_the_cursor_and_returns_the_next_one() {
    let answer = json!({"ok": true, "channels": [{"id": "C3"}], "response_metadata": {"next_cursor": "dGVhbTpDMDYx"}});
    let (result, request) = call(
        "SLACK_LIST_CHANNELS",
        json!({"limit": 1, "cursor": "dGVhbTpDMDYw"}),
        answer,
    );
    assert_eq!(
        result.unwrap()["response_metadata"]["next_cursor"],
        "dGVhbTpDMDYx"
    );
    assert_eq!(
        request.query(),
        pairs(&[("limit", "1"), ("cursor", "dGVhbTpDMDYw")])
    );
}

#[test]
fn create_channel_posts_name_and_privacy() {
    let (result, request) = call(
        "SLACK_CREATE_CHANNEL",
        json!({"name": "incident-42", "is_private": true}),
        json!({"ok": true, "channel": {"id": "C9"}}),
    );
    assert_eq!(result.unwrap()["channel"]["id"], "C9");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/api/conversations.create")
    );
    assert_form(&request);
    assert_eq!(
        request.form(),
        pairs(&[("name", "incident-42"), ("is_private", "true")])
    );
}

#[test]
fn channel_history_sends_channel_and_window_as_query() {
    let (result, request) = call(
        "SLACK_GET_CHANNEL_HISTORY",
        json!({"channel": "C1", "limit": 50, "oldest": "1700000000.000000", "latest": "1700003600.000000", "cursor": "bmV4dA=="}),
        json!({"ok": true, "messages": []}),
    );
    assert_eq!(result.unwrap()["messages"], json!([]));
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/api/conversations.history")
    );
    assert_eq!(
        request.raw_query(),
        Some(
            "channel=C1&limit=50&oldest=1700000000.000000&latest=1700003600.000000&cursor=bmV4dA%3D%3D"
        )
    );
}

#[test]
fn add_reaction_strips_the_colons_of_the_emoji_name() {
    let (result, request) = call(
        "SLACK_ADD_REACTION",
        json!({"channel": "C1", "timestamp": "1700000000.000100", "name": ":thumbsup:"}),
        json!({"ok": true}),
    );
    assert_eq!(result.unwrap(), json!({"ok": true}));
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/api/reactions.add")
    );
    assert_form(&request);
    assert_eq!(
        request.form(),
        pairs(&[
            ("channel", "C1"),
            ("timestamp", "1700000000.000100"),
            ("name", "thumbsup")
        ])
    );
}

#[test]
fn find_user_by_email_looks_the_address_up() {
    let (result, request) = call(
        "SLACK_FIND_USER_BY_EMAIL",
        json!({"email": "ada+ops@example.com"}),
        json!({"ok": true, "user": {"id": "U1"}}),
    );
    assert_eq!(result.unwrap()["user"]["id"], "U1");
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/api/users.lookupByEmail")
    );
    assert_eq!(request.raw_query(), Some("email=ada%2Bops%40example.com"));
}

#[test]
fn after_connect_labels_the_account_with_user_and_team() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"ok": true, "url": "https://acme.slack.com/", "team": "Acme", "user": "ada", "team_id": "T1", "user_id": "U1"}));
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("ada (Acme)"));
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://slack.com/api/auth.test")
    );
}

fn answered(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C1", "text": "hi"}),
        &Context::new("alice"),
    )
    .unwrap_err()
}

#[test]
fn ok_false_answers_become_errors_with_slacks_code() {
    for code in [
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
    ] {
        assert_eq!(
            answered(200, &[], json!({"ok": false, "error": code})),
            Error::unauthorized(code)
        );
    }
    assert_eq!(
        answered(200, &[], json!({"ok": false, "error": "channel_not_found"})),
        Error::not_found("channel_not_found")
    );
    let body = json!({"ok": false, "error": "msg_too_long"});
    assert_eq!(
        answered(200, &[], body.clone()),
        Error::Upstream {
            status: 200,
            message: "msg_too_long".into(),
            body: Some(body.to_string())
        }
    );
    let body = json!({"ok": false});
    assert_eq!(
        answered(200, &[], body.clone()),
        Error::Upstream {
            status: 200,
            message: "unknown_error".into(),
            body: Some(body.to_string())
        }
    );
}

#[test]
fn ratelimited_carries_slacks_retry_after() {
    assert_eq!(
        answered(
            429,
            &[("retry-after", "30")],
            json!({"ok": false, "error": "ratelimited"})
        ),
        Error::rate_limited("ratelimited", Some(30))
    );
    // A 429 without Slack's envelope still is a rate limit.
    let transport = Transport::install();
    transport.reply(429, &[("retry-after", "7")], "");
    let error = testing::run(
        &provider(),
        "SLACK_LIST_CHANNELS",
        json!({}),
        &Context::new("alice"),
    )
    .unwrap_err();
    assert_eq!(error, Error::rate_limited("HTTP 429", Some(7)));
}

#[test]
fn each_action_declares_the_scopes_slack_documents_for_its_method() {
    let provider = provider();
    let scopes = |name: &str| provider.find(name).unwrap().required_scopes().to_vec();
    let one = |s: &str| vec![vec![s.to_string()]];
    assert_eq!(scopes("SLACK_SEND_MESSAGE"), one("chat:write"));
    assert_eq!(scopes("SLACK_LIST_CHANNELS"), one("channels:read"));
    assert_eq!(scopes("SLACK_ADD_REACTION"), one("reactions:write"));
    assert_eq!(scopes("SLACK_FIND_USER_BY_EMAIL"), one("users:read.email"));
    assert_eq!(
        scopes("SLACK_CREATE_CHANNEL"),
        [vec!["channels:manage", "groups:write", "channels:write"]]
    );
    assert_eq!(
        scopes("SLACK_GET_CHANNEL_HISTORY"),
        [vec![
            "channels:history",
            "groups:history",
            "im:history",
            "mpim:history"
        ]]
    );
    assert_eq!(provider.actions().len(), 6);
}

#[test]
fn blocks_stay_an_array_of_objects_in_the_input_schema() {
    let schema = provider()
        .find("SLACK_SEND_MESSAGE")
        .unwrap()
        .input_schema();
    assert_eq!(
        schema["properties"]["blocks"]["type"],
        json!(["array", "null"])
    );
    assert_eq!(schema["required"], json!(["channel", "text"]));
}
