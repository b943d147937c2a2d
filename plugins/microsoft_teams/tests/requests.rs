//! The exact requests every Microsoft Teams action sends (method, path, query, headers, body),
//! how Graph's error envelope maps to errors, and paging through `@odata.nextLink`, run natively
//! against the SDK's test transport. Answers are shaped like the examples on Graph's reference
//! pages.

use actionhost_plugin_microsoft_teams::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const TEAM: &str = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b";
const CHANNEL: &str = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2";
/// `CHANNEL` as one encoded path segment.
const CHANNEL_SEGMENT: &str = "19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2";
const CHAT: &str = "19:561082c0f3f847a58069deb8eb300807@thread.v2";
const CHAT_SEGMENT: &str = "19%3A561082c0f3f847a58069deb8eb300807%40thread.v2";
const JANE: &str = "ef1c916a-3135-4417-ba27-8eb7bd084193";
const GRAPH: &str = "https://graph.microsoft.com/v1.0";

fn run(action: &str, input: Value) -> Result<Value, Error> {
    testing::run(&provider(), action, input, &Context::new("alice"))
}

/// Runs `action` once against a queued answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(status, answer);
    let result = run(action, input);
    (result, transport.only_request())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every request asks Graph for JSON; a body is JSON too.
fn assert_graph_request(request: &RecordedRequest, method: &str, path: &str) {
    assert_eq!(
        (request.method.as_str(), request.path()),
        (method, path),
        "{request:#?}"
    );
    assert!(
        request.url.starts_with(&format!("{GRAPH}/")),
        "{}",
        request.url
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    if request.body.is_some() {
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
}

fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message,
        "innerError": {"date": "2024-05-01T10:00:00", "request-id": "9f5d3c1e-7a43-4d7b-9f0b-2a6d1a1c3e11"}}})
}

/// A posted channel message as Graph answers it (its reference page's example, shortened).
fn created_message(content_type: &str, content: &str) -> Value {
    json!({
        "@odata.context": format!("{GRAPH}/$metadata#teams('{TEAM}')/channels('19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2')/messages/$entity"),
        "id": "1616990032035", "replyToId": null, "etag": "1616990032035", "messageType": "message",
        "createdDateTime": "2021-03-29T03:53:52.035Z", "subject": null, "importance": "normal",
        "webUrl": "https://teams.microsoft.com/l/message/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/1616990032035",
        "from": {"application": null, "device": null,
                 "user": {"id": "8ea0e38b-efb3-4757-924a-5f94061cf8c2", "displayName": "Robin Kline", "userIdentityType": "aadUser"}},
        "body": {"contentType": content_type, "content": content},
        "channelIdentity": {"teamId": TEAM, "channelId": CHANNEL},
        "attachments": [], "mentions": [], "reactions": []
    })
}

// ---- Teams and channels ----------------------------------------------------------------------

#[test]
fn list_teams_reads_joined_teams_and_follows_every_page() {
    let transport = Transport::install();
    let next = format!("{GRAPH}/me/joinedTeams?$skiptoken=X%2744");
    let first = json!({"@odata.context": format!("{GRAPH}/$metadata#teams"), "value": [
        {"id": "172b0cce-e65d-44ce-9a49-91d9f2e8493a", "createdDateTime": null, "displayName": "Contoso Team",
         "description": "This is a Contoso team, used to showcase the range of properties supported by this API",
         "internalId": null, "classification": null, "specialization": null, "visibility": null, "webUrl": null,
         "isArchived": false, "tenantId": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f", "isMembershipLimitedToOwners": null,
         "memberSettings": null, "guestSettings": null, "messagingSettings": null, "funSettings": null,
         "discoverySettings": null, "summary": null}],
        "@odata.nextLink": next});
    let second = json!({"value": [{"id": "02bd9fd6-8f93-4758-87c3-1fb73740a315", "displayName": "HR Taskforce",
        "description": "Everything about HR", "isArchived": true, "tenantId": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"}]});
    transport.reply_json(200, first.clone());
    transport.reply_json(200, second.clone());
    let listed = run("MICROSOFT_TEAMS_LIST_TEAMS", json!({})).unwrap();
    assert_eq!(
        listed,
        json!({"items": [first["value"][0], second["value"][0]], "next_cursor": null})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_graph_request(&requests[0], "GET", "/v1.0/me/joinedTeams");
    assert_eq!(requests[0].raw_query(), None);
    assert_eq!(requests[1].url, next);
    assert_eq!(requests[1].header("accept"), Some("application/json"));
}

#[test]
fn list_channels_selects_the_cheap_fields_and_filters_by_membership() {
    let answer = json!({"@odata.context": format!("{GRAPH}/$metadata#teams('{TEAM}')/channels"), "value": [
        {"id": CHANNEL, "createdDateTime": "2020-05-27T19:22:25.692Z", "displayName": "General",
         "description": "test private team", "membershipType": "private", "isArchived": false,
         "webUrl": "https://teams.microsoft.com/l/channel/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/General",
         "tenantId": "2432b57b-0abd-43db-aa7b-16eadd115d34"}]});
    let (result, request) = call(
        "MICROSOFT_TEAMS_LIST_CHANNELS",
        json!({"team_id": TEAM, "membership_type": "private"}),
        200,
        answer.clone(),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": answer["value"], "next_cursor": null})
    );
    assert_graph_request(&request, "GET", &format!("/v1.0/teams/{TEAM}/channels"));
    assert_eq!(
        request.query(),
        pairs(&[
            ("$filter", "membershipType eq 'private'"),
            (
                "$select",
                "id,displayName,description,membershipType,isArchived,createdDateTime,webUrl,tenantId"
            ),
        ])
    );

    let (_, request) = call(
        "MICROSOFT_TEAMS_LIST_CHANNELS",
        json!({"team_id": TEAM}),
        200,
        json!({"value": []}),
    );
    assert_eq!(request.query().len(), 1);
    assert_eq!(request.query()[0].0, "$select");
}

#[test]
fn create_channel_posts_name_description_and_membership() {
    let answer = json!({
        "@odata.context": format!("{GRAPH}/$metadata#teams('{TEAM}')/channels/$entity"),
        "id": "19:33b76eea88574bd1969dca37e2b7a819@thread.skype", "displayName": "My First Private Channel",
        "description": "This is my first private channels", "isFavoriteByDefault": null, "email": "",
        "webUrl": "https://teams.microsoft.com/l/channel/19:33b76eea88574bd1969dca37e2b7a819@thread.skype/My%20First%20Private%20Channel",
        "membershipType": "private"});
    let (result, request) = call(
        "MICROSOFT_TEAMS_CREATE_CHANNEL",
        json!({"team_id": TEAM, "display_name": " My First Private Channel ",
               "description": "This is my first private channels", "membership_type": "private"}),
        201,
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_graph_request(&request, "POST", &format!("/v1.0/teams/{TEAM}/channels"));
    assert_eq!(
        request.json(),
        json!({"displayName": "My First Private Channel",
               "description": "This is my first private channels", "membershipType": "private"})
    );

    let (_, request) = call(
        "MICROSOFT_TEAMS_CREATE_CHANNEL",
        json!({"team_id": TEAM, "display_name": "Architecture Discussion"}),
        201,
        json!({"id": "19:4b6bed8d24574f6a9e436813cb2617d8@thread.tacv2"}),
    );
    assert_eq!(
        request.json(),
        json!({"displayName": "Architecture Discussion", "membershipType": "standard"})
    );
}

#[test]
fn create_channel_refuses_a_blank_name_before_any_request() {
    let transport = Transport::install();
    let error = run(
        "MICROSOFT_TEAMS_CREATE_CHANNEL",
        json!({"team_id": TEAM, "display_name": "  "}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input("`display_name` must not be blank")
    );
    assert!(transport.requests().is_empty());
}

// ---- Messages --------------------------------------------------------------------------------

#[test]
fn send_channel_message_posts_plain_text_as_written() {
    let answer = created_message("text", "Hello World\nsecond line");
    let (result, request) = call(
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "content": "Hello World\nsecond line"}),
        201,
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_graph_request(
        &request,
        "POST",
        &format!("/v1.0/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages"),
    );
    assert_eq!(
        request.json(),
        json!({"body": {"contentType": "text", "content": "Hello World\nsecond line"}})
    );
}

#[test]
fn send_channel_message_builds_the_at_element_and_the_mentions_entry() {
    let (_, request) = call(
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "content": "Hello World @Jane Smith & <team>",
               "subject": "Release 2.1", "importance": "high",
               "mentions": [{"user_id": JANE, "display_name": "Jane Smith"}]}),
        201,
        created_message("html", "Hello World <at id=\"0\">Jane Smith</at>"),
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Release 2.1",
            "body": {"contentType": "html",
                     "content": "Hello World <at id=\"0\">Jane Smith</at> &amp; &lt;team&gt;"},
            "mentions": [{"id": 0, "mentionText": "Jane Smith",
                          "mentioned": {"user": {"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": JANE, "displayName": "Jane Smith", "userIdentityType": "aadUser"}}}],
            "importance": "high"
        })
    );
}

#[test]
fn send_channel_message_keeps_html_and_puts_an_absent_mention_first() {
    let (_, request) = call(
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "content_type": "html",
               "content": "<p>Build <b>green</b></p>",
               "mentions": [{"user_id": JANE, "display_name": "Jane <QA>"}]}),
        201,
        created_message("html", "x"),
    );
    let body = request.json();
    assert_eq!(
        body["body"],
        json!({"contentType": "html", "content": "<at id=\"0\">Jane &lt;QA&gt;</at> <p>Build <b>green</b></p>"})
    );
    assert_eq!(body["mentions"][0]["mentionText"], "Jane <QA>");
}

#[test]
fn sending_refuses_a_mention_without_an_object_id_and_blank_content() {
    let transport = Transport::install();
    let error = run(
        "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
        json!({"chat_id": CHAT, "content": "hi @Jane",
               "mentions": [{"user_id": "jane@contoso.com", "display_name": "Jane"}]}),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.starts_with("`mentions[0].user_id` must be a user's Microsoft Entra object id")),
        "{error:?}"
    );
    let error = run(
        "MICROSOFT_TEAMS_REPLY_TO_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "message_id": "1616965872395", "content": " "}),
    )
    .unwrap_err();
    assert_eq!(error, Error::invalid_input("`content` must not be blank"));
    assert!(transport.requests().is_empty());
}

#[test]
fn reply_posts_to_the_threads_replies() {
    let answer = json!({"id": "1616989753153", "replyToId": "1616965872395", "messageType": "message",
        "body": {"contentType": "html", "content": "<at id=\"0\">Jane Smith</at> done"}});
    let (result, request) = call(
        "MICROSOFT_TEAMS_REPLY_TO_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "message_id": "1616965872395",
               "content": "done", "mentions": [{"user_id": JANE, "display_name": "Jane Smith"}]}),
        201,
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_graph_request(
        &request,
        "POST",
        &format!("/v1.0/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages/1616965872395/replies"),
    );
    assert_eq!(
        request.json(),
        json!({"body": {"contentType": "html", "content": "<at id=\"0\">Jane Smith</at> done"},
               "mentions": [{"id": 0, "mentionText": "Jane Smith",
                             "mentioned": {"user": {"@odata.type": "#microsoft.graph.teamworkUserIdentity", "id": JANE, "displayName": "Jane Smith", "userIdentityType": "aadUser"}}}]})
    );
}

#[test]
fn channel_messages_page_by_top_and_the_returned_cursor() {
    let transport = Transport::install();
    let next = format!(
        "{GRAPH}/teams/{TEAM}/channels/{CHANNEL}/messages?$skiptoken=%5b%7B%22token%22%3a%22%2bRID%3a~vpsQAJ9uAC047gwAAACcBQ%3d%3d%22%7D%5d"
    );
    let first = json!({"@odata.count": 2, "@odata.nextLink": next, "value": [created_message("text", "one")]});
    transport.reply_json(200, first.clone());
    let page = run(
        "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "top": 1, "include_replies": true}),
    )
    .unwrap();
    assert_eq!(page, json!({"items": first["value"], "next_cursor": next}));
    let request = transport.only_request();
    assert_graph_request(
        &request,
        "GET",
        &format!("/v1.0/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages"),
    );
    assert_eq!(
        request.query(),
        pairs(&[("$top", "1"), ("$expand", "replies")])
    );

    let transport = Transport::install();
    let second = json!({"value": [created_message("text", "two")]});
    transport.reply_json(200, second.clone());
    let page = run(
        "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "top": 1, "cursor": next}),
    )
    .unwrap();
    assert_eq!(page, json!({"items": second["value"], "next_cursor": null}));
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", next.as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

#[test]
fn a_cursor_that_is_not_a_graph_link_is_refused_before_any_request() {
    let transport = Transport::install();
    for (action, input) in [
        (
            "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
            json!({"team_id": TEAM, "channel_id": CHANNEL, "cursor": "https://attacker.example/v1.0/teams"}),
        ),
        (
            "MICROSOFT_TEAMS_LIST_CHATS",
            json!({"cursor": "https://graph.microsoft.com/beta/me/chats?$skiptoken=1"}),
        ),
    ] {
        let error = run(action, input).unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.contains("`cursor`")),
            "{action}: {error:?}"
        );
    }
    assert!(transport.requests().is_empty());
}

#[test]
fn message_replies_are_listed_with_top() {
    let answer = json!({"@odata.count": 1, "value": [{"id": "1616989753153", "replyToId": "1616989510408",
        "messageType": "message", "body": {"contentType": "text", "content": "Hello World"}}]});
    let (result, request) = call(
        "MICROSOFT_TEAMS_LIST_MESSAGE_REPLIES",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "message_id": "1616989510408", "top": 50}),
        200,
        answer.clone(),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": answer["value"], "next_cursor": null})
    );
    assert_graph_request(
        &request,
        "GET",
        &format!("/v1.0/teams/{TEAM}/channels/{CHANNEL_SEGMENT}/messages/1616989510408/replies"),
    );
    assert_eq!(request.query(), pairs(&[("$top", "50")]));
}

// ---- Chats -----------------------------------------------------------------------------------

#[test]
fn list_chats_expands_members_by_default() {
    let answer = json!({"@odata.context": format!("{GRAPH}/$metadata#chats(members())"), "@odata.count": 1, "value": [
        {"id": CHAT, "topic": "Group chat sample", "createdDateTime": "2020-12-03T19:41:07.054Z",
         "lastUpdatedDateTime": "2020-12-08T23:53:11.012Z", "chatType": "group",
         "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember",
                      "id": "MmFiOWM3OTYtMjkwMi00NWY4LWI3MTItN2M1YTYzY2Y0MWM0IyNlZWY5Y2IzNi0wNmRlLTQ2OWItODdjZC03MGY0Y2JlMzJkM123=",
                      "roles": [], "displayName": "Tony Stark", "userId": "4595d2f2-7b31-446c-84fd-9b795e63114b",
                      "email": "starkt@teamsgraph.onmicrosoft.com"}]}]});
    let (result, request) = call("MICROSOFT_TEAMS_LIST_CHATS", json!({}), 200, answer.clone());
    assert_eq!(
        result.unwrap(),
        json!({"items": answer["value"], "next_cursor": null})
    );
    assert_graph_request(&request, "GET", "/v1.0/me/chats");
    assert_eq!(request.query(), pairs(&[("$expand", "members")]));
}

#[test]
fn list_chats_filters_by_type_and_adds_the_last_message_preview() {
    let (_, request) = call(
        "MICROSOFT_TEAMS_LIST_CHATS",
        json!({"chat_type": "oneOnOne", "include_last_message": true, "top": 20}),
        200,
        json!({"value": []}),
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("$top", "20"),
            ("$filter", "chatType eq 'oneOnOne'"),
            ("$expand", "members,lastMessagePreview"),
        ])
    );
    let (_, request) = call(
        "MICROSOFT_TEAMS_LIST_CHATS",
        json!({"include_members": false}),
        200,
        json!({"value": []}),
    );
    assert_eq!(request.raw_query(), None);
}

#[test]
fn send_chat_message_posts_to_the_chat() {
    let answer = json!({"id": "1612289992105", "chatId": CHAT, "messageType": "message",
        "body": {"contentType": "text", "content": "Hello world"}});
    let (result, request) = call(
        "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
        json!({"chat_id": CHAT, "content": "Hello world", "importance": "urgent"}),
        201,
        answer.clone(),
    );
    assert_eq!(result.unwrap(), answer);
    assert_graph_request(
        &request,
        "POST",
        &format!("/v1.0/chats/{CHAT_SEGMENT}/messages"),
    );
    assert_eq!(
        request.json(),
        json!({"body": {"contentType": "text", "content": "Hello world"}, "importance": "urgent"})
    );
}

#[test]
fn chat_messages_are_newest_first_by_the_chosen_time() {
    let (_, request) = call(
        "MICROSOFT_TEAMS_LIST_CHAT_MESSAGES",
        json!({"chat_id": CHAT, "top": 2}),
        200,
        json!({"value": []}),
    );
    assert_graph_request(
        &request,
        "GET",
        &format!("/v1.0/chats/{CHAT_SEGMENT}/messages"),
    );
    assert_eq!(
        request.query(),
        pairs(&[("$top", "2"), ("$orderby", "lastModifiedDateTime desc")])
    );
    let (_, request) = call(
        "MICROSOFT_TEAMS_LIST_CHAT_MESSAGES",
        json!({"chat_id": CHAT, "order_by": "createdDateTime"}),
        200,
        json!({"value": []}),
    );
    assert_eq!(
        request.query(),
        pairs(&[("$orderby", "createdDateTime desc")])
    );
}

// ---- Errors, connect, hints and schemas ------------------------------------------------------

#[test]
fn a_refused_token_is_not_connected() {
    let (result, _) = call(
        "MICROSOFT_TEAMS_LIST_TEAMS",
        json!({}),
        401,
        graph_error(
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        ),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::unauthorized(
            "InvalidAuthenticationToken: Access token has expired or is not yet valid."
        )
    );
}

#[test]
fn a_missing_team_or_channel_is_not_found() {
    let (result, _) = call(
        "MICROSOFT_TEAMS_LIST_CHANNELS",
        json!({"team_id": TEAM}),
        404,
        graph_error(
            "NotFound",
            "No team found with Group Id fbe2bf47-16c8-47cf-b4a5-4b9b187c508b",
        ),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found(
            "NotFound: No team found with Group Id fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
        )
    );
}

#[test]
fn throttling_is_rate_limited_with_graphs_retry_delay() {
    let transport = Transport::install();
    transport.reply(
        429,
        &[("content-type", "application/json"), ("Retry-After", "7")],
        graph_error("TooManyRequests", "Too many requests.").to_string(),
    );
    let error = run(
        "MICROSOFT_TEAMS_SEND_CHAT_MESSAGE",
        json!({"chat_id": CHAT, "content": "hi"}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::rate_limited("TooManyRequests: Too many requests.", Some(7))
    );

    let transport = Transport::install();
    transport.reply(
        503,
        &[("content-type", "application/json"), ("Retry-After", "30")],
        graph_error(
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        )
        .to_string(),
    );
    let error = run(
        "MICROSOFT_TEAMS_LIST_CHAT_MESSAGES",
        json!({"chat_id": CHAT}),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::rate_limited(
            "ServiceUnavailable: The service is temporarily unavailable.",
            Some(30)
        )
    );
}

#[test]
fn other_errors_are_upstream_errors_with_graphs_code_and_message() {
    let (result, _) = call(
        "MICROSOFT_TEAMS_CREATE_CHANNEL",
        json!({"team_id": TEAM, "display_name": "General"}),
        400,
        graph_error(
            "BadRequest",
            "Channel name already existed, please use other name.",
        ),
    );
    let error = result.unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 400, message, body: Some(_) }
            if message == "BadRequest: Channel name already existed, please use other name."),
        "{error:?}"
    );
    let (result, _) = call(
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        json!({"team_id": TEAM, "channel_id": CHANNEL, "content": "hi"}),
        403,
        graph_error("Forbidden", "Forbidden"),
    );
    assert!(
        matches!(result.unwrap_err(), Error::Upstream { status: 403, message, .. } if message == "Forbidden: Forbidden")
    );
}

#[test]
fn connecting_labels_the_account_with_the_users_address() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"mail": "AdeleV@contoso.com", "userPrincipalName": "AdeleV@contoso.com", "displayName": "Adele Vance"}),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("AdeleV@contoso.com"));
    assert_graph_request(&transport.only_request(), "GET", "/v1.0/me");
}

#[test]
fn hints_and_scopes_are_the_narrowest_true_ones() {
    let provider = provider();
    let scopes = |name: &str| -> Vec<Vec<String>> {
        provider.find(name).unwrap().required_scopes().to_vec()
    };
    let one = |s: &str| vec![vec![s.to_string()]];
    let any = |s: &[&str]| vec![s.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    assert_eq!(
        scopes("MICROSOFT_TEAMS_LIST_TEAMS"),
        one("Team.ReadBasic.All")
    );
    assert_eq!(
        scopes("MICROSOFT_TEAMS_LIST_CHANNELS"),
        one("Channel.ReadBasic.All")
    );
    assert_eq!(
        scopes("MICROSOFT_TEAMS_CREATE_CHANNEL"),
        one("Channel.Create")
    );
    for send in [
        "MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE",
        "MICROSOFT_TEAMS_REPLY_TO_MESSAGE",
    ] {
        assert_eq!(scopes(send), one("ChannelMessage.Send"), "{send}");
    }
    for read in [
        "MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES",
        "MICROSOFT_TEAMS_LIST_MESSAGE_REPLIES",
    ] {
        assert_eq!(scopes(read), one("ChannelMessage.Read.All"), "{read}");
    }
    assert_eq!(
        scopes("MICROSOFT_TEAMS_LIST_CHATS"),
        any(&["Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"])
    );
    assert_eq!(
        scopes("MICROSOFT_TEAMS_SEND_CHAT_MESSAGE"),
        any(&["ChatMessage.Send", "Chat.ReadWrite"])
    );
    assert_eq!(
        scopes("MICROSOFT_TEAMS_LIST_CHAT_MESSAGES"),
        any(&["Chat.Read", "Chat.ReadWrite"])
    );
    for action in provider.actions() {
        let hints = action.hints();
        assert!(!hints.destructive, "{}", action.name());
        let reads = action.name().contains("_LIST_");
        assert_eq!(hints.read_only, reads, "{}", action.name());
        assert_eq!(hints.idempotent, reads, "{}", action.name());
    }
    assert_eq!(provider.actions().len(), 10);
}

#[test]
fn schemas_state_formats_enums_and_defaults_without_combinators_at_the_top() {
    let provider = provider();
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for combinator in ["oneOf", "anyOf", "allOf"] {
            assert!(
                schema.get(combinator).is_none(),
                "{} has {combinator}",
                action.name()
            );
        }
        // Closed sets are plain `enum`s, nowhere a oneOf of consts.
        assert!(
            !schema.to_string().contains("\"oneOf\""),
            "{}",
            action.name()
        );
    }
    let send = provider
        .find("MICROSOFT_TEAMS_SEND_CHANNEL_MESSAGE")
        .unwrap()
        .input_schema();
    assert_eq!(
        send["required"],
        json!(["team_id", "channel_id", "content"])
    );
    assert_eq!(send["properties"]["content_type"]["default"], "text");
    assert_eq!(
        send["$defs"]["ContentType"]["enum"],
        json!(["text", "html"])
    );
    assert_eq!(
        send["$defs"]["Mention"]["properties"]["user_id"]["format"],
        "uuid"
    );
    assert_eq!(
        send["$defs"]["Mention"]["required"],
        json!(["user_id", "display_name"])
    );
    let chats = provider
        .find("MICROSOFT_TEAMS_LIST_CHATS")
        .unwrap()
        .input_schema();
    assert_eq!(chats["properties"]["include_members"]["default"], true);
    assert_eq!(chats["properties"]["top"]["maximum"], 50);
    assert_eq!(
        chats["$defs"]["ChatType"]["enum"],
        json!(["oneOnOne", "group", "meeting"])
    );
    let create = provider
        .find("MICROSOFT_TEAMS_CREATE_CHANNEL")
        .unwrap()
        .input_schema();
    assert_eq!(create["properties"]["display_name"]["maxLength"], 50);
    assert_eq!(
        create["$defs"]["NewChannelType"]["enum"],
        json!(["standard", "private"])
    );
    let list = provider
        .find("MICROSOFT_TEAMS_LIST_CHANNEL_MESSAGES")
        .unwrap();
    let output = list.output_schema().unwrap();
    assert_eq!(output["required"], json!(["items", "next_cursor"]));
}
