//! The bundled Slack plugin against a stand-in that checks every request with Slack's own Web API
//! description (Swagger 2.0, converted; overlay `slack`): the exact requests it sends and how
//! Slack's `{"ok": false, "error": ...}` answers reach the caller.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, SLACK, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

async fn slack(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, "slack.wasm").await
}

fn alice() -> CallContext {
    alice_with("xoxb-alice", &[])
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &SLACK,
        "slack.wasm",
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
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
    let (result, standin) = run(
        "send_message",
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C1", "text": "Deploy done :tada:", "thread_ts": "1699999999.000200", "blocks": [{"type": "divider"}]}),
        Fixture::new(
            "POST",
            "/chat.postMessage",
            Reply::json(200, answer.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let request = standin.single().await;
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
    let (result, standin) = run(
        "list_channels",
        "SLACK_LIST_CHANNELS",
        json!({"types": "public_channel,private_channel", "exclude_archived": true, "limit": 200}),
        Fixture::new(
            "GET",
            "/conversations.list",
            Reply::json(200, json!({"ok": true, "channels": []})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["channels"], json!([]));
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/conversations.list");
    assert_eq!(
        request.query.as_deref(),
        Some("types=public_channel%2Cprivate_channel&exclude_archived=true&limit=200")
    );
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-alice"));
}

#[tokio::test]
async fn list_channels_passes_the_cursor_for_the_next_page() {
    let standin = SLACK.session("list_channels_pages");
    standin
        .answer(
            Fixture::new(
                "GET",
                "/conversations.list",
                Reply::json(200, json!({"ok": true, "channels": [{"id": "C2"}], "response_metadata": {"next_cursor": ""}})),
            )
            .with_query("cursor", "dGVhbTpDMDYxRkE1UEI="),
        )
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/conversations.list",
            Reply::json(200, json!({"ok": true, "channels": [{"id": "C1"}], "response_metadata": {"next_cursor": "dGVhbTpDMDYxRkE1UEI="}})),
        ))
        .await;
    let (runtime, plugin) = slack(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "SLACK_LIST_CHANNELS",
            &json!({"limit": 1}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(first["channels"], json!([{"id": "C1"}]));
    let cursor = first["response_metadata"]["next_cursor"].clone();
    let (second, _) = runtime
        .execute(
            &plugin,
            "SLACK_LIST_CHANNELS",
            &json!({"limit": 1, "cursor": cursor}),
            &alice(),
        )
        .await;
    assert_eq!(second.unwrap()["channels"], json!([{"id": "C2"}]));
    let queries: Vec<Option<String>> = standin
        .requests()
        .await
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("limit=1".into()),
            Some("limit=1&cursor=dGVhbTpDMDYxRkE1UEI%3D".into())
        ]
    );
}

#[tokio::test]
async fn create_channel_posts_name_and_privacy() {
    let (result, standin) = run(
        "create_channel",
        "SLACK_CREATE_CHANNEL",
        json!({"name": "incident-42", "is_private": true}),
        Fixture::new(
            "POST",
            "/conversations.create",
            Reply::json(200, json!({"ok": true, "channel": {"id": "C9"}})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["channel"]["id"], "C9");
    let request = standin.single().await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/conversations.create");
    assert_eq!(
        form(&request),
        pairs(&[("name", "incident-42"), ("is_private", "true")])
    );
}

#[tokio::test]
async fn channel_history_reads_between_timestamps() {
    let (result, standin) = run(
        "channel_history",
        "SLACK_GET_CHANNEL_HISTORY",
        json!({"channel": "C1", "limit": 20, "oldest": "1700000000.0"}),
        Fixture::new(
            "GET",
            "/conversations.history",
            Reply::json(200, json!({"ok": true, "messages": [{"text": "hi"}]})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["messages"][0]["text"], "hi");
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/conversations.history");
    assert_eq!(
        request.query.as_deref(),
        Some("channel=C1&limit=20&oldest=1700000000.0")
    );
}

#[tokio::test]
async fn add_reaction_strips_colons_from_the_emoji_name() {
    let (result, standin) = run(
        "add_reaction",
        "SLACK_ADD_REACTION",
        json!({"channel": "C1", "timestamp": "1700000000.000100", "name": ":thumbsup:"}),
        Fixture::new(
            "POST",
            "/reactions.add",
            Reply::json(200, json!({"ok": true})),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), json!({"ok": true}));
    let request = standin.single().await;
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
    let (result, standin) = run(
        "find_user_by_email",
        "SLACK_FIND_USER_BY_EMAIL",
        json!({"email": "ada+ops@example.com"}),
        Fixture::new(
            "GET",
            "/users.lookupByEmail",
            Reply::json(200, json!({"ok": true, "user": {"id": "U1"}})),
        ),
    )
    .await;
    assert_eq!(result.unwrap()["user"]["id"], "U1");
    let request = standin.single().await;
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
    let (result, standin) = run(
        "error_channel_not_found",
        "SLACK_SEND_MESSAGE",
        json!({"channel": "C404", "text": "hi"}),
        Fixture::new("POST", "/chat.postMessage", Reply::json(200, body.clone())),
    )
    .await;
    // Slack's `*_not_found` codes name a missing object.
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::NotFound("channel_not_found".into()))
    );
    assert_eq!(
        form(&standin.single().await),
        pairs(&[("channel", "C404"), ("text", "hi")])
    );

    let (result, standin) = run(
        "error_invalid_auth",
        "SLACK_LIST_CHANNELS",
        json!({}),
        Fixture::new(
            "GET",
            "/conversations.list",
            Reply::json(200, json!({"ok": false, "error": "invalid_auth"})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized("invalid_auth".into()))
    );
    assert_eq!(standin.single().await.query, None);

    let (result, standin) = run(
        "error_rate_limited",
        "SLACK_LIST_CHANNELS",
        json!({}),
        Fixture::new(
            "GET",
            "/conversations.list",
            Reply::json(429, json!({"ok": false, "error": "ratelimited"}))
                .header("retry-after", "30"),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "ratelimited".into(),
            retry_after_seconds: Some(30)
        })
    );
    standin.assert_no_violations().await;
}

/// Every action with every parameter it takes, in one session: the description accepts each
/// request, and each reaches the method the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_slacks_description_accepts() {
    let standin = SLACK.session("every_action");
    standin
        .answer(Fixture::any(Reply::json(200, json!({"ok": true}))))
        .await;
    let (runtime, plugin) = slack(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "SLACK_SEND_MESSAGE",
            json!({"channel": "C1", "text": "hi", "thread_ts": "1.2", "unfurl_links": false}),
            &["POST /chat.postMessage"],
        ),
        (
            "SLACK_LIST_CHANNELS",
            json!({"types": "public_channel", "exclude_archived": true, "limit": 10, "cursor": "abc"}),
            &["GET /conversations.list"],
        ),
        (
            "SLACK_CREATE_CHANNEL",
            json!({"name": "new-channel", "is_private": false}),
            &["POST /conversations.create"],
        ),
        (
            "SLACK_GET_CHANNEL_HISTORY",
            json!({"channel": "C1", "limit": 5, "oldest": "1.0", "latest": "2.0"}),
            &["GET /conversations.history"],
        ),
        (
            "SLACK_ADD_REACTION",
            json!({"channel": "C1", "timestamp": "1.2", "name": "eyes"}),
            &["POST /reactions.add"],
        ),
        (
            "SLACK_FIND_USER_BY_EMAIL",
            json!({"email": "a@example.com"}),
            &["GET /users.lookupByEmail"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert!(
        outputs.iter().all(|o| o == &json!({"ok": true})),
        "{outputs:?}"
    );
}

const BEARER: (&str, &str) = ("authorization", "Bearer xoxb-alice");
const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// Negative controls: requests Slack's description (with the overlay) refuses, so a stand-in
/// that accepts everything fails here.
#[tokio::test]
async fn slacks_description_refuses_what_slack_would_refuse() {
    assert_refused(
        &SLACK,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/chat.postMessage",
                headers: &[BEARER, FORM],
                body: "text=hi",
                because: "'channel' is a required property",
            },
            Refused {
                method: "GET",
                path_and_query: "/chat.postMessage?channel=C1&text=hi",
                headers: &[BEARER],
                body: "",
                because: "OperationNotFound",
            },
            Refused {
                method: "POST",
                path_and_query: "/conversations.create",
                headers: &[BEARER, FORM],
                body: "name=x&is_private=maybe",
                because: "Failed to cast value to boolean type: maybe",
            },
            Refused {
                method: "GET",
                path_and_query: "/conversations.list?limit=lots",
                headers: &[BEARER],
                body: "",
                because: "limit",
            },
            Refused {
                method: "POST",
                path_and_query: "/reactions.add",
                headers: &[BEARER, FORM],
                body: "channel=C1&timestamp=1.2&name=eyes&emoji=eyes",
                because: "body field 'emoji' is not declared",
            },
            Refused {
                method: "POST",
                path_and_query: "/chat.postMessage",
                headers: &[FORM],
                body: "channel=C1&text=hi",
                because: "OAuth 2 bearer token",
            },
            Refused {
                method: "POST",
                path_and_query: "/chat.postMessage",
                headers: &[BEARER, ("content-type", "text/plain")],
                body: "channel=C1&text=hi",
                because: "MediaTypeNotFound",
            },
            Refused {
                method: "POST",
                path_and_query: "/chat.post_message",
                headers: &[BEARER, FORM],
                body: "channel=C1&text=hi",
                because: "PathNotFound",
            },
        ],
    )
    .await;
}

/// Known good: chat.postMessage as Slack's docs show it, a form with `channel` and `text` and
/// the bot token as a bearer header.
#[tokio::test]
async fn slacks_description_accepts_a_post_message_from_slacks_docs() {
    assert_accepted(
        &SLACK,
        "docs_post_message",
        (
            "POST",
            "/chat.postMessage",
            &[BEARER, FORM],
            "channel=C123ABC456&text=Hello%20world",
        ),
        "POST /chat.postMessage",
    )
    .await;
}
