//! The bundled Microsoft Teams plugin against a stand-in that checks every request with Microsoft
//! Graph's own model (the v1.0 CSDL, `MICROSOFT_GRAPH`): the exact requests each action sends
//! (paths with encoded channel and chat ids, OData options, message bodies with @mentions), a
//! second page fetched through the returned `@odata.nextLink`, and how Graph's error envelope
//! reaches the caller. Fixtures are shaped like the examples on Graph's reference pages.

use actionhost::runtime::{ActionError, CallContext, CallError};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, MICROSOFT_GRAPH, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const PLUGIN: &str = "microsoft-teams.wasm";
const TEAM: &str = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b";
const CHANNEL: &str = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2";
const CHAT: &str = "19:561082c0f3f847a58069deb8eb300807@thread.v2";
/// `CHANNEL` and `CHAT` as the plugin sends them: one path segment each, percent-encoded.
const CHANNEL_SEGMENT: &str = "19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2";
const CHAT_SEGMENT: &str = "19%3A561082c0f3f847a58069deb8eb300807%40thread.v2";
const JANE: &str = "ef1c916a-3135-4417-ba27-8eb7bd084193";
const GRAPH: &str = "https://graph.microsoft.com/v1.0";

/// Alice's account: her token, the scopes she granted and her tenant.
fn alice() -> CallContext {
    CallContext {
        fields: [("tenant".to_string(), "contoso.onmicrosoft.com".to_string())].into(),
        ..alice_with(
            "eyJ0eXAiOiJKV1QiLCJub25jZSI6ImFsaWNlIn0.alice",
            &[
                "User.Read",
                "Team.ReadBasic.All",
                "Channel.ReadBasic.All",
                "Channel.Create",
                "ChannelMessage.Read.All",
                "ChannelMessage.Send",
                "Chat.Read",
                "ChatMessage.Send",
            ],
        )
    }
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &MICROSOFT_GRAPH,
        PLUGIN,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

fn query(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2024-05-01T10:00:00", "request-id": "9f5d3c1e-7a43-4d7b-9f0b-2a6d1a1c3e11",
                       "client-request-id": "9f5d3c1e-7a43-4d7b-9f0b-2a6d1a1c3e11"}}})
}

/// A channel message as Graph's "List channel messages" example shows one.
fn channel_message(id: &str, content: &str) -> Value {
    json!({
        "id": id, "replyToId": null, "etag": id, "messageType": "message",
        "createdDateTime": "2021-03-28T21:11:12.395Z", "lastModifiedDateTime": "2021-03-28T21:11:12.395Z",
        "lastEditedDateTime": null, "deletedDateTime": null, "subject": null, "summary": null, "chatId": null,
        "importance": "normal", "locale": "en-us",
        "webUrl": format!("https://teams.microsoft.com/l/message/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/{id}?groupId={TEAM}"),
        "policyViolation": null, "eventDetail": null,
        "from": {"application": null, "device": null,
                 "user": {"id": "8ea0e38b-efb3-4757-924a-5f94061cf8c2", "displayName": "Robin Kline", "userIdentityType": "aadUser"}},
        "body": {"contentType": "html", "content": content},
        "channelIdentity": {"teamId": TEAM, "channelId": CHANNEL},
        "attachments": [], "mentions": [], "reactions": []
    })
}

/// A chat as Graph's "List chats" example with `$expand=members` shows one.
fn group_chat() -> Value {
    json!({
        "id": CHAT, "topic": "Group chat sample", "createdDateTime": "2020-12-03T19:41:07.054Z",
        "lastUpdatedDateTime": "2020-12-08T23:53:11.012Z", "chatType": "group",
        "members": [
            {"@odata.type": "#microsoft.graph.aadUserConversationMember",
             "id": "MmFiOWM3OTYtMjkwMi00NWY4LWI3MTItN2M1YTYzY2Y0MWM0IyNlZWY5Y2IzNi0wNmRlLTQ2OWItODdjZC03MGY0Y2JlMzJkM123=",
             "roles": [], "displayName": "Tony Stark", "userId": "4595d2f2-7b31-446c-84fd-9b795e63114b",
             "email": "starkt@teamsgraph.onmicrosoft.com"},
            {"@odata.type": "#microsoft.graph.aadUserConversationMember",
             "id": "MmFiOWM312ftMjkwMi00NWY4LWI3MTItN2M1YTYzY2Y0MWM0IyNlZWY5Y2IzNi0wNmRlLTQ2OWItODdjZC03MGY0Y2JlMzJkM123=",
             "roles": [], "displayName": "Bruce Banner", "userId": "48bf9d52-dca7-4a5f-8398-37b95cc7bd83",
             "email": "bannerb@teamsgraph.onmicrosoft.com"}
        ]
    })
}

#[tokio::test]
async fn list_teams_reads_the_joined_teams_with_the_bearer_token() {
    let team = json!({"id": TEAM, "createdDateTime": null, "displayName": "Contoso Team",
        "description": "This is a Contoso team, used to showcase the range of properties supported by this API",
        "internalId": null, "classification": null, "specialization": null, "visibility": null, "webUrl": null,
        "isArchived": false, "tenantId": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f", "isMembershipLimitedToOwners": null,
        "memberSettings": null, "guestSettings": null, "messagingSettings": null, "funSettings": null,
        "discoverySettings": null, "summary": null});
    let (result, standin) = run(
        "teams_list_teams",
        "MICROSOFT_TEAMS_LIST_TEAMS",
        json!({}),
        Fixture::operation(
            "GET /me/joinedTeams",
            Reply::json(
                200,
                json!({"@odata.context": format!("{GRAPH}/$metadata#teams"), "value": [team]}),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [team], "next_cursor": null})
    );
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/me/joinedTeams")
    );
    assert_eq!(request.query, None);
    assert_eq!(
        request.header("authorization"),
        Some("Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6ImFsaWNlIn0.alice")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn list_channels_selects_fields_and_filters_by_membership() {
    let channel = json!({"id": CHANNEL, "createdDateTime": "2020-05-27T19:22:25.692Z", "displayName": "General",
        "description": "test private team", "membershipType": "private", "isArchived": false,
        "webUrl": "https://teams.microsoft.com/l/channel/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/General",
        "tenantId": "2432b57b-0abd-43db-aa7b-16eadd115d34"});
    let (result, standin) = run(
        "teams_list_channels",
        "MICROSOFT_TEAMS_LIST_CHANNELS",
        json!({"team_id": TEAM, "membership_type": "private"}),
        Fixture::operation(
            "GET /teams/{id}/channels",
            Reply::json(200, json!({"value": [channel]})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [channel], "next_cursor": null})
    );
    let request = standin.single().await;
    assert_eq!(request.path, format!("/teams/{TEAM}/channels"));
    assert_eq!(
        query(&request),
        pairs(&[
            ("$filter", "membershipType eq 'private'"),
            (
                "$select",
                "id,displayName,description,membershipType,isArchived,createdDateTime,webUrl,tenantId"
            ),
        ])
    );
}

#[tokio::test]
async fn create_channel_posts_a_private_channel() {
    let created = json!({
        "@odata.context": format!("{GRAPH}/$metadata#teams('{TEAM}')/channels/$entity"),
        "id": "19:33b76eea88574bd1969dca37e2b7a819@thread.skype", "displayName": "My First Private Channel",
        "description": "This is my first private channels", "isFavoriteByDefault": null, "email": "",
        "webUrl": "https://teams.microsoft.com/l/channel/19:33b76eea88574bd1969dca37e2b7a819@thread.skype/My%20First%20Private%20Channel",
        "membershipType": "private"});
    let (result, standin) = run(
        "teams_create_channel",
        "MICROSOFT_TEAMS_CREATE_CHANNEL",
        json!({"team_id": TEAM, "display_name": "My First Private Channel",
               "description": "This is my first private channels", "membership_type": "private"}),
        Fixture::operation(
            "POST /teams/{id}/channels",
            Reply::json(201, created.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), created);
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", format!("/teams/{TEAM}/channels").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"displayName": "My First Private Channel",
               "description": "This is my first private channels", "membershipType": "private"})
    );
}

#[tokio::test]
async fn a_channel_message_with_mentions_carries_the_at_elements_and_the_mentions() {
    let sent = "Hello World <at id=\"0\">Jane Smith</at>, see &lt;RFC&gt;";
    let mut answer = channel_message("1616965872395", sent);
    answer["mentions"] = json!([{"id": 0, "mentionText": "Jane Smith", "mentioned": {"application": null,
        "device": null, "conversation": null,
        "user": {"id": JANE, "displayName": "Jane Smith", "userIdentityType": "aadUser"}}}]);
    let (result, standin) = run(
        "teams_send_mention",
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "content": "Hello World @Jane Smith, see <RFC>",
               "subject": "Release 2.1", "importance": "high",
               "mentions": [{"user_id": JANE, "display_name": "Jane Smith"}]}),
        Fixture::operation(
            "POST /teams/{id}/channels/{id}/messages",
            Reply::json(201, answer.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let request = standin.single().await;
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages")
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Release 2.1",
            "body": {"contentType": "html", "content": sent},
            "mentions": [{"id": 0, "mentionText": "Jane Smith",
                          "mentioned": {"user": {"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": JANE, "displayName": "Jane Smith", "userIdentityType": "aadUser"}}}],
            "importance": "high"
        })
    );
}

#[tokio::test]
async fn channel_messages_come_page_by_page_through_the_returned_cursor() {
    let standin = MICROSOFT_GRAPH.session("teams_channel_pages");
    let next = format!(
        "{GRAPH}/teams/{TEAM}/channels/{CHANNEL}/messages?$top=1&$skiptoken=%5b%7B%22token%22%3a%22%2bRID%3a~vpsQAJ9uAC047gwAAACcBQ%3d%3d%22%7D%5d"
    );
    standin
        .answer(
            Fixture::operation(
                "GET /teams/{id}/channels/{id}/messages",
                Reply::json(
                    200,
                    json!({"value": [channel_message("1616963377068", "older")]}),
                ),
            )
            .with_query(
                "$skiptoken",
                "[{\"token\":\"+RID:~vpsQAJ9uAC047gwAAACcBQ==\"}]",
            ),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /teams/{id}/channels/{id}/messages",
            Reply::json(
                200,
                json!({"@odata.count": 1, "@odata.nextLink": next, "value": [channel_message("1616965872395", "newest")]}),
            ),
        ))
        .await;
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let params = json!({"team_id": TEAM, "channel_id": CHANNEL, "top": 1});
    let (first, _) = runtime
        .execute(
            &plugin,
            "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
            &params,
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(first["items"][0]["id"], "1616965872395");
    assert_eq!(first["next_cursor"], json!(next));
    let (second, _) = runtime
        .execute(
            &plugin,
            "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
            &json!({"team_id": TEAM, "channel_id": CHANNEL, "top": 1, "cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"items": [channel_message("1616963377068", "older")], "next_cursor": null})
    );
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(query(&requests[0]), pairs(&[("$top", "1")]));
    assert_eq!(
        query(&requests[1]),
        pairs(&[
            ("$top", "1"),
            (
                "$skiptoken",
                "[{\"token\":\"+RID:~vpsQAJ9uAC047gwAAACcBQ==\"}]"
            )
        ])
    );
    // The first page's path is the plugin's (ids encoded), the second is Graph's next link as
    // Graph wrote it.
    assert_eq!(
        requests[0].path,
        format!("/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages")
    );
    assert_eq!(
        requests[1].path,
        format!("/teams/{TEAM}/channels/{CHANNEL}/messages")
    );
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6ImFsaWNlIn0.alice")
        );
    }
}

#[tokio::test]
async fn list_chats_expands_members_so_chats_can_be_told_apart() {
    let (result, standin) = run(
        "teams_list_chats",
        "MICROSOFT_TEAMS_LIST_CHATS",
        json!({"chat_type": "group", "include_last_message": true, "top": 10}),
        Fixture::operation(
            "GET /me/chats",
            Reply::json(
                200,
                json!({"@odata.context": format!("{GRAPH}/$metadata#chats(members())"), "@odata.count": 1, "value": [group_chat()]}),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [group_chat()], "next_cursor": null})
    );
    let request = standin.single().await;
    assert_eq!(request.path, "/me/chats");
    assert_eq!(
        query(&request),
        pairs(&[
            ("$top", "10"),
            ("$filter", "chatType eq 'group'"),
            ("$expand", "members,lastMessagePreview"),
        ])
    );
}

#[tokio::test]
async fn a_chat_message_goes_to_the_chat() {
    let answer = json!({"id": "1612289992105", "replyToId": null, "etag": "1612289992105", "messageType": "message",
        "createdDateTime": "2021-02-02T18:19:52.105Z", "chatId": CHAT, "importance": "normal",
        "body": {"contentType": "text", "content": "Hello world"}, "attachments": [], "mentions": [], "reactions": []});
    let (result, standin) = run(
        "teams_send_chat",
        "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
        json!({"chat_id": CHAT, "content": "Hello world"}),
        Fixture::operation(
            "POST /chats/{id}/messages",
            Reply::json(201, answer.clone()),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), answer);
    let request = standin.single().await;
    assert_eq!(request.path, format!("/chats/{CHAT_SEGMENT}/messages"));
    assert_eq!(
        request.json(),
        json!({"body": {"contentType": "text", "content": "Hello world"}})
    );
}

/// Graph's error envelope through the runtime: a refused token, a missing team, throttling with
/// `Retry-After` (429, and 503 as Graph sends it under load), and a refusal that stays Graph's.
#[tokio::test]
async fn graphs_error_envelope_reaches_the_caller() {
    let cases = [
        Reply::json(
            401,
            graph_error(
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid.",
            ),
        ),
        Reply::json(
            404,
            graph_error(
                "NotFound",
                "No team found with Group Id fbe2bf47-16c8-47cf-b4a5-4b9b187c508b",
            ),
        ),
        Reply::json(429, graph_error("TooManyRequests", "Too many requests."))
            .header("Retry-After", "7"),
        Reply::json(
            503,
            graph_error(
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
            ),
        )
        .header("Retry-After", "30"),
        Reply::json(
            403,
            graph_error("Forbidden", "User is not a member of the team."),
        ),
    ];
    let mut outcomes = Vec::new();
    for (i, reply) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("teams_error_{i}"),
            "MICROSOFT_TEAMS_LIST_CHANNELS",
            json!({"team_id": TEAM}),
            Fixture::operation("GET /teams/{id}/channels", reply),
        )
        .await;
        standin.assert_no_violations().await;
        outcomes.push(result.unwrap_err());
    }
    assert_eq!(
        outcomes[0],
        CallError::Action(ActionError::Unauthorized(
            "InvalidAuthenticationToken: Access token has expired or is not yet valid.".into()
        ))
    );
    assert_eq!(
        outcomes[1],
        CallError::Action(ActionError::NotFound(
            "NotFound: No team found with Group Id fbe2bf47-16c8-47cf-b4a5-4b9b187c508b".into()
        ))
    );
    assert_eq!(
        outcomes[2],
        CallError::Action(ActionError::RateLimited {
            message: "TooManyRequests: Too many requests.".into(),
            retry_after_seconds: Some(7)
        })
    );
    assert_eq!(
        outcomes[3],
        CallError::Action(ActionError::RateLimited {
            message: "ServiceUnavailable: The service is temporarily unavailable.".into(),
            retry_after_seconds: Some(30)
        })
    );
    assert!(
        matches!(&outcomes[4], CallError::Action(ActionError::Upstream { status: 403, message, .. })
            if message == "Forbidden: User is not a member of the team."),
        "{:?}",
        outcomes[4]
    );
}

/// Every action once, with every option it has, each request checked against Graph's model and
/// named by the operation it reached.
#[tokio::test]
async fn every_action_sends_what_graphs_model_accepts() {
    let standin = MICROSOFT_GRAPH.session("teams_every_action");
    let list = Reply::json(200, json!({"value": []}));
    let created = Reply::json(201, channel_message("1616990032035", "x"));
    for operation in [
        "GET /me/joinedTeams",
        "GET /teams/{id}/channels",
        "GET /teams/{id}/channels/{id}/messages",
        "GET /teams/{id}/channels/{id}/messages/{id}/replies",
        "GET /me/chats",
        "GET /chats/{id}/messages",
    ] {
        standin
            .answer(Fixture::operation(operation, list.clone()))
            .await;
    }
    for operation in [
        "POST /teams/{id}/channels",
        "POST /teams/{id}/channels/{id}/messages",
        "POST /teams/{id}/channels/{id}/messages/{id}/replies",
        "POST /chats/{id}/messages",
    ] {
        standin
            .answer(Fixture::operation(operation, created.clone()))
            .await;
    }
    let (runtime, plugin) = load_against(&standin, PLUGIN).await;
    let mention = json!([{"user_id": JANE, "display_name": "Jane Smith"}]);
    let calls: Vec<Call> = vec![
        (
            "MICROSOFT_TEAMS_LIST_TEAMS",
            json!({}),
            &["GET /me/joinedTeams"],
        ),
        (
            "MICROSOFT_TEAMS_LIST_CHANNELS",
            json!({"team_id": TEAM, "membership_type": "shared"}),
            &["GET /teams/{id}/channels"],
        ),
        (
            "MICROSOFT_TEAMS_CREATE_CHANNEL",
            json!({"team_id": TEAM, "display_name": "Architecture Discussion",
                   "description": "This channel is where we debate all future architecture plans"}),
            &["POST /teams/{id}/channels"],
        ),
        (
            "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
            json!({"team_id": TEAM, "channel_id": CHANNEL, "content": "<p>Ship it, @Jane Smith</p>",
                   "content_type": "html", "subject": "Go", "importance": "urgent", "mentions": mention}),
            &["POST /teams/{id}/channels/{id}/messages"],
        ),
        (
            "MICROSOFT_TEAMS_REPLY_TO_MESSAGE",
            json!({"team_id": TEAM, "channel_id": CHANNEL, "message_id": "1616965872395",
                   "content": "Agreed", "importance": "normal", "mentions": mention}),
            &["POST /teams/{id}/channels/{id}/messages/{id}/replies"],
        ),
        (
            "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
            json!({"team_id": TEAM, "channel_id": CHANNEL, "top": 50, "include_replies": true}),
            &["GET /teams/{id}/channels/{id}/messages"],
        ),
        (
            "MICROSOFT_TEAMS_LIST_MESSAGE_REPLIES",
            json!({"team_id": TEAM, "channel_id": CHANNEL, "message_id": "1616965872395", "top": 5}),
            &["GET /teams/{id}/channels/{id}/messages/{id}/replies"],
        ),
        (
            "MICROSOFT_TEAMS_LIST_CHATS",
            json!({"chat_type": "oneOnOne", "include_last_message": true, "top": 50}),
            &["GET /me/chats"],
        ),
        (
            "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
            json!({"chat_id": CHAT, "content": "Lunch, @Jane Smith?", "importance": "high", "mentions": mention}),
            &["POST /chats/{id}/messages"],
        ),
        (
            "MICROSOFT_TEAMS_LIST_CHAT_MESSAGES",
            json!({"chat_id": CHAT, "order_by": "createdDateTime", "top": 20}),
            &["GET /chats/{id}/messages"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
}

const BEARER: (&str, &str) = ("authorization", "Bearer eyJ0eXAi.alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Known good: example 1 of Graph's "Send chatMessage in a channel or a chat" page, as sent.
/// (Its @mention example sends `userIdentityType` on `mentioned.user` without naming the derived
/// `teamworkUserIdentity` that declares it; the model-exact check refuses that, so the plugin
/// names the type, and the mention shape is checked in the tests above.)
#[tokio::test]
async fn graphs_model_accepts_the_channel_message_example_from_graphs_docs() {
    assert_accepted(
        &MICROSOFT_GRAPH,
        "teams_docs_message",
        (
            "POST",
            &format!(
                "/teams/{TEAM}/channels/19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2/messages"
            ),
            &[BEARER, JSON],
            r#"{"body": {"content": "Hello World"}}"#,
        ),
        "POST /teams/{id}/channels/{id}/messages",
    )
    .await;
}

/// Negative controls: requests close to what the plugin sends that Graph's model refuses (a
/// mention id as text, a user kind Teams does not have, a body type other than text or html, a
/// misspelt message property, a channel kind that does not exist, a property a channel lacks, no
/// token), so a stand-in that accepts everything fails here.
#[tokio::test]
async fn graphs_model_refuses_what_graph_would_for_teams() {
    let messages = format!("/teams/{TEAM}/channels/{CHANNEL}/messages");
    let mention = |id: &str, kind: &str| {
        format!(
            r##"{{"body": {{"contentType": "html", "content": "<at id=\"0\">Jane</at>"}},
                "mentions": [{{"id": {id}, "mentionText": "Jane",
                               "mentioned": {{"user": {{"@odata.type": "#microsoft.graph.teamworkUserIdentity",
                               "id": "{JANE}", "displayName": "Jane", "userIdentityType": "{kind}"}}}}}}]}}"##
        )
    };
    let string_id = mention("\"0\"", "aadUser");
    let bad_kind = mention("0", "user");
    assert_refused(
        &MICROSOFT_GRAPH,
        "teams_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: &messages,
                headers: &[BEARER, JSON],
                body: &string_id,
                because: "expected an integer",
            },
            Refused {
                method: "POST",
                path_and_query: &messages,
                headers: &[BEARER, JSON],
                body: &bad_kind,
                because: "'user' is not a member of",
            },
            Refused {
                method: "POST",
                path_and_query: &messages,
                headers: &[BEARER, JSON],
                body: r#"{"body": {"contentType": "markdown", "content": "**hi**"}}"#,
                because: "'markdown' is not a member of bodyType",
            },
            Refused {
                method: "POST",
                path_and_query: &format!("/chats/{CHAT}/messages"),
                headers: &[BEARER, JSON],
                body: r#"{"text": "hi"}"#,
                because: "chatMessage has no property 'text'",
            },
            Refused {
                method: "POST",
                path_and_query: &format!("/teams/{TEAM}/channels"),
                headers: &[BEARER, JSON],
                body: r#"{"displayName": "Plans", "membershipType": "secret"}"#,
                because: "'secret' is not a member of channelMembershipType",
            },
            Refused {
                method: "GET",
                path_and_query: &format!(
                    "/teams/{TEAM}/channels?$select=id,displayName,moderation"
                ),
                headers: &[BEARER],
                body: "",
                because: "channel has no property 'moderation'",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/joinedTeams",
                headers: &[],
                body: "",
                because: "requires an OAuth 2 bearer token",
            },
        ],
    )
    .await;
}
