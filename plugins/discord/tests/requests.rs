//! The exact requests every Discord action sends to Discord's HTTP API v10 (method, URL with its
//! query, body, and which credential: the user's OAuth token or the operator's bot token), the
//! check that the calling user is in the server before the bot acts there (and may manage its
//! channels before one is created), the inputs refused before any request, paging by the returned
//! cursor, the connect step, and how Discord's error envelope maps to errors, run natively
//! against the SDK's test transport.

use actionhost_plugin_discord::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const BASE: &str = "https://discord.com/api/v10";

/// Alice's servers: she owns "1337 Krew", may manage channels in "Discord Developers", and is a
/// plain member of "Discord Townhall" (the partial guild objects of Discord's docs).
const KREW: &str = "80351110224678912";
const DDEVS: &str = "613425648685547541";
const TOWNHALL: &str = "169256939211980800";
/// A server alice is not in.
const FOREIGN: &str = "222078108977594368";
/// A channel of "Discord Developers".
const CHANNEL: &str = "1011243431853621248";

fn alices_guilds() -> Value {
    json!([
        {"id": KREW, "name": "1337 Krew", "icon": "8342729096ea3675442027381ff50dfe", "banner": "bb42bdc37653b7cf58c4c8cc622e76cb", "owner": true, "permissions": "36953089", "features": ["COMMUNITY", "NEWS"]},
        {"id": DDEVS, "name": "Discord Developers", "icon": null, "banner": null, "owner": false, "permissions": "104324689", "features": ["COMMUNITY"]},
        {"id": TOWNHALL, "name": "Discord Townhall", "icon": null, "banner": null, "owner": false, "permissions": "104324673", "features": []}
    ])
}

fn channel_in(guild_id: &str) -> Value {
    json!({"id": CHANNEL, "type": 0, "guild_id": guild_id, "name": "general", "position": 6, "permission_overwrites": [], "rate_limit_per_user": 2, "nsfw": false, "topic": "24/7 chat about how to gank Mankrat", "last_message_id": "155117677105512449", "parent_id": "399942396007890945"})
}

fn message(id: &str, content: &str) -> Value {
    json!({"id": id, "channel_id": CHANNEL, "type": 0, "content": content, "author": {"id": "53908232506183680", "username": "Mason", "global_name": "Mason", "avatar": "a_bab14f271d565501444b2ca3be944b25", "discriminator": "0"}, "timestamp": "2024-06-01T10:00:00.000000+00:00", "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "embeds": [], "attachments": [], "pinned": false})
}

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(&["identify", "guilds"])
}

/// Runs `action` against the queued answers (`null`: an empty 204); its result and every request.
fn run(
    action: &str,
    input: Value,
    answers: Vec<(u16, Value)>,
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let transport = Transport::install();
    for (status, body) in answers {
        if body.is_null() {
            transport.reply(status, &[], "");
        } else {
            transport.reply_json(status, body);
        }
    }
    let result = testing::run(&provider(), action, input, &context());
    (result, transport.requests())
}

fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &context(), action, input)
}

/// Sent with the operator's bot token rather than the user's OAuth token.
fn by_bot(request: &RecordedRequest) -> bool {
    request.as_operator
}

/// A request with the user's own OAuth token.
fn assert_user(request: &RecordedRequest, method: &str, path_and_query: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, format!("{BASE}{path_and_query}").as_str())
    );
    assert!(
        !by_bot(request),
        "{path_and_query} goes with the user's token"
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
}

/// A request with the operator's bot token.
fn assert_bot(request: &RecordedRequest, method: &str, path_and_query: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, format!("{BASE}{path_and_query}").as_str())
    );
    assert!(
        by_bot(request),
        "{path_and_query} goes with the bot's token"
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
}

/// The first two requests of an action on a channel: the channel's server read with the bot,
/// then the user's servers with the user's token.
fn assert_channel_checked(requests: &[RecordedRequest]) {
    assert_bot(&requests[0], "GET", &format!("/channels/{CHANNEL}"));
    assert!(requests[0].body.is_none());
    assert_user(&requests[1], "GET", "/users/@me/guilds?limit=200");
}

fn json_body(request: &RecordedRequest) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    request.json()
}

#[test]
fn list_guilds_reads_the_users_servers_with_their_token_and_pages_after_the_newest() {
    let first = json!([alices_guilds()[0], alices_guilds()[2]]);
    let (result, requests) = run(
        "DISCORD_LIST_GUILDS",
        json!({"limit": 2, "with_counts": true}),
        vec![(200, first.clone())],
    );
    assert_eq!(requests.len(), 1);
    assert_user(
        &requests[0],
        "GET",
        "/users/@me/guilds?limit=2&with_counts=true",
    );
    let page = result.unwrap();
    assert_eq!(page, json!({"guilds": first, "next_cursor": TOWNHALL}));

    // The agent passes the cursor back; a short page is the last.
    let (result, requests) = run(
        "DISCORD_LIST_GUILDS",
        json!({"limit": 2, "after": page["next_cursor"]}),
        vec![(200, json!([alices_guilds()[1]]))],
    );
    assert_user(
        &requests[0],
        "GET",
        &format!("/users/@me/guilds?after={TOWNHALL}&limit=2"),
    );
    assert_eq!(result.unwrap()["next_cursor"], Value::Null);

    // Discord's own default page (200) is asked for explicitly.
    let (_, requests) = run("DISCORD_LIST_GUILDS", json!({}), vec![(200, json!([]))]);
    assert_user(&requests[0], "GET", "/users/@me/guilds?limit=200");
}

#[test]
fn list_channels_checks_the_users_server_then_lists_with_the_bot() {
    let channels = json!([channel_in(DDEVS), {"id": "399942396007890945", "type": 4, "guild_id": DDEVS, "name": "Text Channels", "position": 0, "parent_id": null}]);
    let (result, requests) = run(
        "DISCORD_LIST_CHANNELS",
        json!({"guild_id": DDEVS}),
        vec![(200, alices_guilds()), (200, channels.clone())],
    );
    assert_eq!(result.unwrap(), channels);
    assert_eq!(requests.len(), 2);
    assert_user(&requests[0], "GET", "/users/@me/guilds?limit=200");
    assert_bot(&requests[1], "GET", &format!("/guilds/{DDEVS}/channels"));
}

#[test]
fn the_bot_never_acts_in_a_server_the_user_is_not_in() {
    let (result, requests) = run(
        "DISCORD_LIST_CHANNELS",
        json!({"guild_id": FOREIGN}),
        vec![(200, alices_guilds())],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::upstream(
            403,
            format!(
                "you are not a member of the Discord server {FOREIGN}: the bot acts only in \
                 servers you are in (DISCORD_LIST_GUILDS lists them)"
            )
        )
    );
    assert_eq!(requests.len(), 1, "the bot sent nothing");

    // Through a channel: the channel's server (read with the bot) is not alice's, so nothing
    // is posted.
    let (result, requests) = run(
        "DISCORD_SEND_MESSAGE",
        json!({"channel_id": CHANNEL, "content": "hello"}),
        vec![(200, channel_in(FOREIGN)), (200, alices_guilds())],
    );
    assert!(
        matches!(result, Err(Error::Upstream { status: 403, ref message, .. }) if message.contains(FOREIGN)),
        "{result:?}"
    );
    assert_eq!(requests.len(), 2, "nothing was posted");
    assert_channel_checked(&requests);

    // A direct-message channel belongs to no server: refused as well.
    let (result, requests) = run(
        "DISCORD_ADD_REACTION",
        json!({"channel_id": CHANNEL, "message_id": "155117677105512449", "emoji": "👍"}),
        vec![(200, json!({"id": CHANNEL, "type": 1, "recipients": []}))],
    );
    assert!(
        matches!(result, Err(Error::Upstream { status: 403, ref message, .. }) if message.contains("not in a server")),
        "{result:?}"
    );
    assert_eq!(requests.len(), 1);
}

#[test]
fn the_users_servers_are_read_page_by_page_until_the_one_asked_for() {
    let full: Vec<Value> = (1..=200u64)
        .map(|i| json!({"id": (100_000_000_000_000_000 + i).to_string(), "name": format!("s{i}"), "owner": false, "permissions": "0"}))
        .collect();
    let (result, requests) = run(
        "DISCORD_LIST_CHANNELS",
        json!({"guild_id": DDEVS}),
        vec![
            (200, Value::Array(full)),
            (200, alices_guilds()),
            (200, json!([])),
        ],
    );
    assert_eq!(result.unwrap(), json!([]));
    assert_user(&requests[0], "GET", "/users/@me/guilds?limit=200");
    assert_user(
        &requests[1],
        "GET",
        "/users/@me/guilds?limit=200&after=100000000000000200",
    );
    assert_bot(&requests[2], "GET", &format!("/guilds/{DDEVS}/channels"));
}

#[test]
fn send_message_posts_text_embeds_and_the_reply_with_the_bot() {
    let sent = message("1164296447431520256", "Deploy finished");
    let (result, requests) = run(
        "DISCORD_SEND_MESSAGE",
        json!({
            "channel_id": CHANNEL,
            "content": "Deploy finished",
            "embeds": [{
                "title": "v1.2.3",
                "description": "All checks passed.",
                "url": "https://example.com/releases/1.2.3",
                "color": 5793266,
                "fields": [{"name": "Duration", "value": "4m 12s", "inline": true}],
                "footer": {"text": "CI"}
            }],
            "reply_to_message_id": "155117677105512449"
        }),
        vec![
            (200, channel_in(DDEVS)),
            (200, alices_guilds()),
            (200, sent.clone()),
        ],
    );
    assert_eq!(result.unwrap(), sent);
    assert_eq!(requests.len(), 3);
    assert_channel_checked(&requests);
    assert_bot(
        &requests[2],
        "POST",
        &format!("/channels/{CHANNEL}/messages"),
    );
    assert_eq!(
        json_body(&requests[2]),
        json!({
            "content": "Deploy finished",
            "embeds": [{
                "title": "v1.2.3",
                "description": "All checks passed.",
                "url": "https://example.com/releases/1.2.3",
                "color": 5793266,
                "fields": [{"name": "Duration", "value": "4m 12s", "inline": true}],
                "footer": {"text": "CI"}
            }],
            "message_reference": {"message_id": "155117677105512449"},
            "allowed_mentions": {"parse": ["users"]}
        })
    );

    // `@everyone` notifies only when asked.
    let (_, requests) = run(
        "DISCORD_SEND_MESSAGE",
        json!({"channel_id": CHANNEL, "content": "@everyone standup", "mention_everyone": true}),
        vec![(200, channel_in(KREW)), (200, alices_guilds()), (200, sent)],
    );
    assert_eq!(
        json_body(&requests[2]),
        json!({"content": "@everyone standup", "allowed_mentions": {"parse": ["users", "roles", "everyone"]}})
    );
}

#[test]
fn an_empty_message_is_refused_before_any_request() {
    for input in [
        json!({"channel_id": CHANNEL}),
        json!({"channel_id": CHANNEL, "content": "  "}),
        json!({"channel_id": CHANNEL, "embeds": []}),
    ] {
        assert_eq!(
            refused("DISCORD_SEND_MESSAGE", input),
            Error::invalid_input("give `content` (non-blank text), `embeds`, or both")
        );
    }
    assert!(matches!(
        refused(
            "DISCORD_EDIT_MESSAGE",
            json!({"channel_id": CHANNEL, "message_id": "1"})
        ),
        Error::InvalidInput(m) if m.contains("nothing to change")
    ));
}

#[test]
fn edit_message_patches_only_the_parts_given() {
    let edited = message("1164296447431520256", "Deploy finished (edited)");
    let (result, requests) = run(
        "DISCORD_EDIT_MESSAGE",
        json!({"channel_id": CHANNEL, "message_id": "1164296447431520256", "content": "Deploy finished (edited)", "embeds": []}),
        vec![
            (200, channel_in(DDEVS)),
            (200, alices_guilds()),
            (200, edited.clone()),
        ],
    );
    assert_eq!(result.unwrap(), edited);
    assert_channel_checked(&requests);
    assert_bot(
        &requests[2],
        "PATCH",
        &format!("/channels/{CHANNEL}/messages/1164296447431520256"),
    );
    assert_eq!(
        json_body(&requests[2]),
        json!({"content": "Deploy finished (edited)", "embeds": []})
    );
}

#[test]
fn list_messages_pages_back_from_the_oldest_message() {
    let first = json!([
        message("1164296447431520258", "third"),
        message("1164296447431520257", "second")
    ]);
    let (result, requests) = run(
        "DISCORD_LIST_MESSAGES",
        json!({"channel_id": CHANNEL, "limit": 2}),
        vec![
            (200, channel_in(DDEVS)),
            (200, alices_guilds()),
            (200, first.clone()),
        ],
    );
    assert_channel_checked(&requests);
    assert_bot(
        &requests[2],
        "GET",
        &format!("/channels/{CHANNEL}/messages?limit=2"),
    );
    let page = result.unwrap();
    assert_eq!(
        page,
        json!({"messages": first, "next_cursor": "1164296447431520257"})
    );

    let (result, requests) = run(
        "DISCORD_LIST_MESSAGES",
        json!({"channel_id": CHANNEL, "limit": 2, "before": page["next_cursor"]}),
        vec![
            (200, channel_in(DDEVS)),
            (200, alices_guilds()),
            (200, json!([message("1164296447431520256", "first")])),
        ],
    );
    assert_bot(
        &requests[2],
        "GET",
        &format!("/channels/{CHANNEL}/messages?before=1164296447431520257&limit=2"),
    );
    assert_eq!(result.unwrap()["next_cursor"], Value::Null);

    assert_eq!(
        refused(
            "DISCORD_LIST_MESSAGES",
            json!({"channel_id": CHANNEL, "before": "2", "around": "1"})
        ),
        Error::invalid_input("give at most one of `before`, `after` and `around`")
    );
}

#[test]
fn add_reaction_puts_the_encoded_emoji_for_the_bot() {
    for (emoji, segment) in [
        ("👍", "%F0%9F%91%8D"),
        (
            "<:blobwave:1088520316375674891>",
            "blobwave%3A1088520316375674891",
        ),
        (
            "<a:party:1088520316375674892>",
            "party%3A1088520316375674892",
        ),
        (
            "blobwave:1088520316375674891",
            "blobwave%3A1088520316375674891",
        ),
    ] {
        let (result, requests) = run(
            "DISCORD_ADD_REACTION",
            json!({"channel_id": CHANNEL, "message_id": "155117677105512449", "emoji": emoji}),
            vec![
                (200, channel_in(DDEVS)),
                (200, alices_guilds()),
                (204, Value::Null),
            ],
        );
        assert_eq!(result.unwrap(), json!({"ok": true}));
        assert_channel_checked(&requests);
        assert_bot(
            &requests[2],
            "PUT",
            &format!("/channels/{CHANNEL}/messages/155117677105512449/reactions/{segment}/@me"),
        );
        assert!(requests[2].body.is_none());
    }
}

#[test]
fn create_channel_needs_the_users_manage_channels_permission() {
    let created = json!({"id": "1164296447431520300", "type": 0, "guild_id": DDEVS, "name": "release-notes", "topic": "What shipped", "parent_id": "399942396007890945", "position": 7, "nsfw": false, "rate_limit_per_user": 10, "permission_overwrites": []});
    let (result, requests) = run(
        "DISCORD_CREATE_CHANNEL",
        json!({"guild_id": DDEVS, "name": " release-notes ", "topic": "What shipped", "parent_id": "399942396007890945", "nsfw": false, "rate_limit_per_user": 10}),
        vec![(200, alices_guilds()), (201, created.clone())],
    );
    assert_eq!(result.unwrap(), created);
    assert_eq!(requests.len(), 2);
    assert_user(&requests[0], "GET", "/users/@me/guilds?limit=200");
    assert_bot(&requests[1], "POST", &format!("/guilds/{DDEVS}/channels"));
    assert_eq!(
        json_body(&requests[1]),
        json!({"name": "release-notes", "type": 0, "topic": "What shipped", "parent_id": "399942396007890945", "nsfw": false, "rate_limit_per_user": 10})
    );

    // The owner may, whatever the bitfield says; each kind is sent as its type number.
    for (kind, code) in [
        ("voice", 2),
        ("category", 4),
        ("announcement", 5),
        ("stage", 13),
        ("forum", 15),
    ] {
        let (_, requests) = run(
            "DISCORD_CREATE_CHANNEL",
            json!({"guild_id": KREW, "name": "x", "kind": kind}),
            vec![(200, alices_guilds()), (201, json!({"id": "1"}))],
        );
        assert_eq!(json_body(&requests[1]), json!({"name": "x", "type": code}));
    }

    // A plain member of the server may not: the bot creates nothing.
    let (result, requests) = run(
        "DISCORD_CREATE_CHANNEL",
        json!({"guild_id": TOWNHALL, "name": "mine"}),
        vec![(200, alices_guilds())],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::upstream(
            403,
            format!(
                "you lack the Manage Channels permission in the Discord server {TOWNHALL}: the \
                 bot creates channels only for users who may create them themselves"
            )
        )
    );
    assert_eq!(requests.len(), 1, "nothing was created");

    // Nor in a server they are not in.
    let (result, requests) = run(
        "DISCORD_CREATE_CHANNEL",
        json!({"guild_id": FOREIGN, "name": "mine"}),
        vec![(200, alices_guilds())],
    );
    assert!(
        matches!(result, Err(Error::Upstream { status: 403, ref message, .. }) if message.contains("not a member"))
    );
    assert_eq!(requests.len(), 1);
}

#[test]
fn create_thread_starts_from_a_message_or_on_its_own() {
    let thread = json!({"id": "1164296447431520400", "type": 11, "guild_id": DDEVS, "parent_id": CHANNEL, "name": "Deploy follow-up", "owner_id": "1164296447431520001", "thread_metadata": {"archived": false, "auto_archive_duration": 1440, "locked": false}});
    let (result, requests) = run(
        "DISCORD_CREATE_THREAD",
        json!({"channel_id": CHANNEL, "name": "Deploy follow-up", "message_id": "1164296447431520256", "auto_archive_duration": 1440}),
        vec![
            (200, channel_in(DDEVS)),
            (200, alices_guilds()),
            (201, thread.clone()),
        ],
    );
    assert_eq!(result.unwrap(), thread);
    assert_channel_checked(&requests);
    assert_bot(
        &requests[2],
        "POST",
        &format!("/channels/{CHANNEL}/messages/1164296447431520256/threads"),
    );
    assert_eq!(
        json_body(&requests[2]),
        json!({"name": "Deploy follow-up", "auto_archive_duration": 1440})
    );

    for (private, kind) in [(false, 11), (true, 12)] {
        let (_, requests) = run(
            "DISCORD_CREATE_THREAD",
            json!({"channel_id": CHANNEL, "name": "Planning", "private": private}),
            vec![
                (200, channel_in(DDEVS)),
                (200, alices_guilds()),
                (201, thread.clone()),
            ],
        );
        assert_bot(
            &requests[2],
            "POST",
            &format!("/channels/{CHANNEL}/threads"),
        );
        assert_eq!(
            json_body(&requests[2]),
            json!({"name": "Planning", "type": kind})
        );
    }

    assert!(matches!(
        refused("DISCORD_CREATE_THREAD", json!({"channel_id": CHANNEL, "name": "x", "message_id": "1", "private": true})),
        Error::InvalidInput(m) if m.contains("public")
    ));
    assert!(matches!(
        refused("DISCORD_CREATE_THREAD", json!({"channel_id": CHANNEL, "name": "x", "auto_archive_duration": 30})),
        Error::InvalidInput(m) if m.contains("auto_archive_duration")
    ));
}

#[test]
fn list_members_pages_after_the_last_user_id() {
    let member = |id: &str, name: &str| json!({"user": {"id": id, "username": name, "global_name": name, "avatar": null}, "nick": null, "roles": ["41771983423143936"], "joined_at": "2015-04-26T06:26:56.936000+00:00", "deaf": false, "mute": false, "flags": 0});
    let first = json!([
        member("80351110224678912", "nelly"),
        member("80351110224678913", "mason")
    ]);
    let (result, requests) = run(
        "DISCORD_LIST_MEMBERS",
        json!({"guild_id": DDEVS, "limit": 2}),
        vec![(200, alices_guilds()), (200, first.clone())],
    );
    assert_user(&requests[0], "GET", "/users/@me/guilds?limit=200");
    assert_bot(
        &requests[1],
        "GET",
        &format!("/guilds/{DDEVS}/members?limit=2"),
    );
    let page = result.unwrap();
    assert_eq!(
        page,
        json!({"members": first, "next_cursor": "80351110224678913"})
    );

    let (result, requests) = run(
        "DISCORD_LIST_MEMBERS",
        json!({"guild_id": DDEVS, "limit": 2, "after": page["next_cursor"]}),
        vec![
            (200, alices_guilds()),
            (200, json!([member("80351110224678914", "ana")])),
        ],
    );
    assert_bot(
        &requests[1],
        "GET",
        &format!("/guilds/{DDEVS}/members?limit=2&after=80351110224678913"),
    );
    assert_eq!(result.unwrap()["next_cursor"], Value::Null);

    // Discord's default of one member is not used: a page of 100.
    let (_, requests) = run(
        "DISCORD_LIST_MEMBERS",
        json!({"guild_id": DDEVS}),
        vec![(200, alices_guilds()), (200, json!([]))],
    );
    assert_bot(
        &requests[1],
        "GET",
        &format!("/guilds/{DDEVS}/members?limit=100"),
    );
}

#[test]
fn discords_errors_map_to_the_contracts() {
    let transport = Transport::install();
    let send = |input: Value| testing::run(&provider(), "DISCORD_SEND_MESSAGE", input, &context());
    let input = json!({"channel_id": CHANNEL, "content": "hi"});

    // An unknown channel (10003) is not found, whatever the status.
    transport.reply_json(404, json!({"message": "Unknown Channel", "code": 10003}));
    assert_eq!(
        send(input.clone()).unwrap_err(),
        Error::not_found("Unknown Channel")
    );

    // Missing Permissions (50013) stays the bot's 403 with Discord's message.
    transport.reply_json(200, channel_in(DDEVS));
    transport.reply_json(200, alices_guilds());
    let missing = json!({"message": "Missing Permissions", "code": 50013});
    transport.reply_json(403, missing.clone());
    assert_eq!(
        send(input.clone()).unwrap_err(),
        Error::Upstream {
            status: 403,
            message: "Missing Permissions".into(),
            body: Some(missing.to_string())
        }
    );

    // Missing Access (50001), e.g. members without the privileged intent.
    transport.reply_json(200, alices_guilds());
    transport.reply_json(403, json!({"message": "Missing Access", "code": 50001}));
    let members = testing::run(
        &provider(),
        "DISCORD_LIST_MEMBERS",
        json!({"guild_id": DDEVS}),
        &context(),
    );
    assert!(
        matches!(members, Err(Error::Upstream { status: 403, ref message, .. }) if message == "Missing Access"),
        "{members:?}"
    );

    // 429: the body's `retry_after` in seconds (a float), rounded up.
    transport.reply(
        429,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset-after", "1.337"),
            ("retry-after", "2"),
        ],
        json!({"message": "You are being rate limited.", "retry_after": 6.457, "global": false})
            .to_string(),
    );
    assert_eq!(
        send(input.clone()).unwrap_err(),
        Error::rate_limited("You are being rate limited.", Some(7))
    );
    // Without a body, the header's delay.
    transport.reply(429, &[("x-ratelimit-reset-after", "1.337")], "");
    assert_eq!(
        send(input.clone()).unwrap_err(),
        Error::rate_limited("HTTP 429", Some(2))
    );

    // The user's token refused: not connected (the account must be connected again).
    transport.reply_json(200, channel_in(DDEVS));
    transport.reply_json(401, json!({"message": "401: Unauthorized", "code": 0}));
    assert_eq!(
        send(input.clone()).unwrap_err(),
        Error::unauthorized("401: Unauthorized")
    );

    // The bot's token refused: the operator's to fix; the user's account stays connected.
    transport.reply_json(401, json!({"message": "401: Unauthorized", "code": 0}));
    let error = send(input.clone()).unwrap_err();
    assert!(
        matches!(&error, Error::Upstream { status: 401, message, .. } if message.contains("operator's bot token")),
        "{error:?}"
    );

    // Invalid Form Body (50035) is an upstream 400 with Discord's message and details.
    transport.reply_json(200, channel_in(DDEVS));
    transport.reply_json(200, alices_guilds());
    let invalid = json!({"code": 50035, "message": "Invalid Form Body", "errors": {"content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}}});
    transport.reply_json(400, invalid.clone());
    assert_eq!(
        send(input).unwrap_err(),
        Error::Upstream {
            status: 400,
            message: "Invalid Form Body".into(),
            body: Some(invalid.to_string())
        }
    );
}

#[test]
fn connecting_labels_the_account_with_the_discord_username() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"id": "80351110224678912", "username": "nelly", "global_name": "Nelly", "discriminator": "0", "avatar": "8342729096ea3675442027381ff50dfe", "mfa_enabled": true, "locale": "en-US"}));
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("nelly"));
    assert_user(&transport.only_request(), "GET", "/users/@me");

    let transport = Transport::install();
    transport.reply_json(401, json!({"message": "401: Unauthorized", "code": 0}));
    assert_eq!(
        testing::after_connect(&provider(), &context()).unwrap_err(),
        Error::unauthorized("401: Unauthorized")
    );
}

#[test]
fn every_action_needs_the_guilds_scope_and_ids_are_snowflakes() {
    let provider = provider();
    let mut names = Vec::new();
    for action in provider.actions() {
        names.push(action.name().to_string());
        assert_eq!(
            action.required_scopes(),
            [vec!["guilds".to_string()]],
            "{}",
            action.name()
        );
        let schema = action.input_schema();
        assert!(
            schema.get("anyOf").is_none() && schema.get("oneOf").is_none(),
            "{}",
            action.name()
        );
        for id in ["guild_id", "channel_id", "message_id"] {
            if let Some(property) = schema["properties"].get(id) {
                assert_eq!(
                    property["pattern"],
                    "^[1-9][0-9]{0,19}$",
                    "{} {id}",
                    action.name()
                );
            }
        }
    }
    names.sort();
    assert_eq!(
        names,
        [
            "DISCORD_ADD_REACTION",
            "DISCORD_CREATE_CHANNEL",
            "DISCORD_CREATE_THREAD",
            "DISCORD_EDIT_MESSAGE",
            "DISCORD_LIST_CHANNELS",
            "DISCORD_LIST_GUILDS",
            "DISCORD_LIST_MEMBERS",
            "DISCORD_LIST_MESSAGES",
            "DISCORD_SEND_MESSAGE",
        ]
    );
    let reads = [
        "DISCORD_LIST_GUILDS",
        "DISCORD_LIST_CHANNELS",
        "DISCORD_LIST_MESSAGES",
        "DISCORD_LIST_MEMBERS",
    ];
    for action in provider.actions() {
        let hints = action.hints();
        assert_eq!(
            hints.read_only,
            reads.contains(&action.name()),
            "{}",
            action.name()
        );
        assert!(!hints.destructive, "{}", action.name());
    }
}
