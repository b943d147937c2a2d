//! The bundled Discord plugin against a stand-in that checks every request with Discord's own
//! OpenAPI 3.1 description (`validating::DISCORD`): every action's requests, each sent with the
//! right credential (the user's OAuth token for their servers, the operator's bot token for the
//! rest), the refusals that keep the bot out of servers the user is not in, paging, how
//! Discord's errors reach the caller, requests the description must refuse and a known-good one
//! from Discord's docs; and through the whole host, the operator's bot token set with the
//! connection and a call refused without it.

use actionhost::credentials::SecretString;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Checked, DISCORD, Fixture, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
};

const USER_TOKEN: &str = "uTz8bXqJ6kR0alice0oauth0token";
const BOT_TOKEN: &str = "MTA4NzY1NDMyMTAxMjM0NTY3OA.GbOtTk.operator-bot-token";

/// Alice's servers (partial guild objects as Discord's docs show them): she owns "1337 Krew",
/// may manage channels in "Discord Developers", and is a plain member of "Discord Townhall".
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

fn member(id: &str, name: &str) -> Value {
    json!({"user": {"id": id, "username": name, "global_name": name, "avatar": null}, "nick": null, "roles": ["41771983423143936"], "joined_at": "2015-04-26T06:26:56.936000+00:00", "deaf": false, "mute": false, "flags": 0})
}

/// A call for alice: her OAuth token, and the operator's bot token.
fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: vec!["identify".into(), "guilds".into()],
        credential: Some(SecretString::new(USER_TOKEN)),
        operator_secret: Some(SecretString::new(BOT_TOKEN)),
        ..Default::default()
    }
}

async fn discord(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, "discord.wasm").await
}

/// An empty answer with `status` (a 204).
fn empty(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: Vec::new(),
        delay: std::time::Duration::ZERO,
    }
}

/// The fixtures of a session in which alice's servers, the channel (in "Discord Developers")
/// and every list answer as Discord's docs show them.
async fn answer_alices_world(standin: &Session) {
    let fixtures = [
        Fixture::new(
            "GET",
            "/users/@me/guilds",
            Reply::json(200, alices_guilds()),
        ),
        Fixture::new("GET", "/channels/{id}", Reply::json(200, channel_in(DDEVS))),
        Fixture::new(
            "GET",
            "/guilds/{id}/channels",
            Reply::json(200, json!([channel_in(DDEVS)])),
        ),
        Fixture::new(
            "GET",
            "/channels/{id}/messages",
            Reply::json(200, json!([message("1164296447431520257", "hello")])),
        ),
        Fixture::new(
            "GET",
            "/guilds/{id}/members",
            Reply::json(200, json!([member("80351110224678912", "nelly")])),
        ),
        Fixture::new(
            "PUT",
            "/channels/{c}/messages/{m}/reactions/{e}/@me",
            empty(204),
        ),
        Fixture::new(
            "POST",
            "/channels/{id}/messages",
            Reply::json(200, message("1164296447431520258", "Deploy finished")),
        ),
        Fixture::new(
            "PATCH",
            "/channels/{c}/messages/{m}",
            Reply::json(
                200,
                message("1164296447431520258", "Deploy finished (edited)"),
            ),
        ),
        Fixture::any(Reply::json(201, json!({"id": "1164296447431520400"}))),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
}

/// Which credential a request carried: the user's OAuth token or the operator's bot token.
fn assert_credential(check: &Checked) {
    let operation = check.operation.as_deref().unwrap_or_default();
    let user_level = matches!(operation, "GET /users/@me/guilds" | "GET /users/@me");
    let expected = if user_level {
        format!("Bearer {USER_TOKEN}")
    } else {
        format!("Bot {BOT_TOKEN}")
    };
    assert_eq!(
        check.request.header("authorization"),
        Some(expected.as_str()),
        "{operation}"
    );
}

const GUILDS: &str = "GET /users/@me/guilds";
const CHANNEL_OP: &str = "GET /channels/{channel_id}";

/// Every action with every parameter it takes, in one session: the description accepts each
/// request (the bot's with `Authorization: Bot`, which the overlay makes it check), each
/// reaches the operation it is for, after the check of alice's server.
#[tokio::test]
async fn every_action_sends_requests_that_discords_description_accepts() {
    let standin = DISCORD.session("every_action");
    answer_alices_world(&standin).await;
    let (runtime, plugin) = discord(&standin).await;
    let embed = json!({"title": "v1.2.3", "description": "All checks passed.", "url": "https://example.com/releases/1.2.3", "color": 5793266, "fields": [{"name": "Duration", "value": "4m 12s", "inline": true}], "footer": {"text": "CI", "icon_url": "https://example.com/ci.png"}});
    let calls: Vec<Call> = vec![
        (
            "DISCORD_LIST_GUILDS",
            json!({"after": "1", "before": "999999999999999999", "limit": 50, "with_counts": true}),
            &[GUILDS],
        ),
        (
            "DISCORD_LIST_CHANNELS",
            json!({"guild_id": DDEVS}),
            &[GUILDS, "GET /guilds/{guild_id}/channels"],
        ),
        (
            "DISCORD_SEND_MESSAGE",
            json!({"channel_id": CHANNEL, "content": "Deploy finished", "embeds": [embed], "reply_to_message_id": "155117677105512449", "mention_everyone": true}),
            &[CHANNEL_OP, GUILDS, "POST /channels/{channel_id}/messages"],
        ),
        (
            "DISCORD_EDIT_MESSAGE",
            json!({"channel_id": CHANNEL, "message_id": "1164296447431520258", "content": "Deploy finished (edited)", "embeds": [embed]}),
            &[
                CHANNEL_OP,
                GUILDS,
                "PATCH /channels/{channel_id}/messages/{message_id}",
            ],
        ),
        (
            "DISCORD_LIST_MESSAGES",
            json!({"channel_id": CHANNEL, "around": "1164296447431520257", "limit": 100}),
            &[CHANNEL_OP, GUILDS, "GET /channels/{channel_id}/messages"],
        ),
        (
            "DISCORD_ADD_REACTION",
            json!({"channel_id": CHANNEL, "message_id": "1164296447431520258", "emoji": "<:blobwave:1088520316375674891>"}),
            &[
                CHANNEL_OP,
                GUILDS,
                "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
            ],
        ),
        (
            "DISCORD_CREATE_CHANNEL",
            json!({"guild_id": DDEVS, "name": "release-notes", "kind": "text", "topic": "What shipped", "parent_id": "399942396007890945", "nsfw": false, "rate_limit_per_user": 10}),
            &[GUILDS, "POST /guilds/{guild_id}/channels"],
        ),
        (
            "DISCORD_CREATE_THREAD",
            json!({"channel_id": CHANNEL, "name": "Deploy follow-up", "message_id": "1164296447431520258", "auto_archive_duration": 1440}),
            &[
                CHANNEL_OP,
                GUILDS,
                "POST /channels/{channel_id}/messages/{message_id}/threads",
            ],
        ),
        (
            "DISCORD_CREATE_THREAD",
            json!({"channel_id": CHANNEL, "name": "Planning", "private": true, "auto_archive_duration": 10080}),
            &[CHANNEL_OP, GUILDS, "POST /channels/{channel_id}/threads"],
        ),
        (
            "DISCORD_LIST_MEMBERS",
            json!({"guild_id": DDEVS, "limit": 1000, "after": "80351110224678912"}),
            &[GUILDS, "GET /guilds/{guild_id}/members"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(outputs[5], json!({"ok": true}));
    assert_eq!(outputs[4]["messages"][0]["content"], "hello");

    let checked = standin.checked().await;
    for check in &checked {
        assert_credential(check);
    }
    let bodies: Vec<(String, Value)> = checked
        .iter()
        .filter(|c| !c.request.body.is_empty())
        .map(|c| (c.operation.clone().unwrap_or_default(), c.request.json()))
        .collect();
    assert_eq!(
        bodies,
        [
            (
                "POST /channels/{channel_id}/messages".to_string(),
                json!({"content": "Deploy finished", "embeds": [embed], "message_reference": {"message_id": "155117677105512449"}, "allowed_mentions": {"parse": ["users", "roles", "everyone"]}})
            ),
            (
                "PATCH /channels/{channel_id}/messages/{message_id}".to_string(),
                json!({"content": "Deploy finished (edited)", "embeds": [embed]})
            ),
            (
                "POST /guilds/{guild_id}/channels".to_string(),
                json!({"name": "release-notes", "type": 0, "topic": "What shipped", "parent_id": "399942396007890945", "nsfw": false, "rate_limit_per_user": 10})
            ),
            (
                "POST /channels/{channel_id}/messages/{message_id}/threads".to_string(),
                json!({"name": "Deploy follow-up", "auto_archive_duration": 1440})
            ),
            (
                "POST /channels/{channel_id}/threads".to_string(),
                json!({"name": "Planning", "type": 12, "auto_archive_duration": 10080})
            ),
        ]
    );
    let reaction = checked
        .iter()
        .find(|c| c.request.method == "PUT")
        .expect("the reaction");
    assert_eq!(
        reaction.request.path,
        format!(
            "/channels/{CHANNEL}/messages/1164296447431520258/reactions/blobwave%3A1088520316375674891/@me"
        )
    );
}

/// The bot never acts where alice is not a member, nor creates a channel where she may not:
/// the description sees only the checks, never the bot's action.
#[tokio::test]
async fn the_bot_is_refused_where_the_user_may_not_act() {
    let standin = DISCORD.session("refusals");
    standin
        .answer(Fixture::new(
            "GET",
            "/users/@me/guilds",
            Reply::json(200, alices_guilds()),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/channels/{id}",
            Reply::json(200, channel_in(FOREIGN)),
        ))
        .await;
    let (runtime, plugin) = discord(&standin).await;

    let (result, report) = runtime
        .execute(
            &plugin,
            "DISCORD_SEND_MESSAGE",
            &json!({"channel_id": CHANNEL, "content": "hi"}),
            &alice(),
        )
        .await;
    assert!(
        matches!(&result, Err(CallError::Action(ActionError::Upstream { status: 403, message, .. }))
            if message.contains(&format!("not a member of the Discord server {FOREIGN}"))),
        "{result:?}"
    );
    assert_eq!(report.upstream_calls, 2);

    let (result, report) = runtime
        .execute(
            &plugin,
            "DISCORD_LIST_MEMBERS",
            &json!({"guild_id": FOREIGN}),
            &alice(),
        )
        .await;
    assert!(
        matches!(
            &result,
            Err(CallError::Action(ActionError::Upstream { status: 403, .. }))
        ),
        "{result:?}"
    );
    assert_eq!(report.upstream_calls, 1);

    let (result, report) = runtime
        .execute(
            &plugin,
            "DISCORD_CREATE_CHANNEL",
            &json!({"guild_id": TOWNHALL, "name": "mine"}),
            &alice(),
        )
        .await;
    assert!(
        matches!(&result, Err(CallError::Action(ActionError::Upstream { status: 403, message, .. }))
            if message.contains("Manage Channels")),
        "{result:?}"
    );
    assert_eq!(report.upstream_calls, 1);

    let operations: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|c| c.operation)
        .collect();
    let expected: Vec<Option<String>> = [CHANNEL_OP, GUILDS, GUILDS, GUILDS]
        .iter()
        .map(|o| Some(o.to_string()))
        .collect();
    assert_eq!(
        operations, expected,
        "the bot did nothing but read the channel"
    );
    standin.assert_no_violations().await;
}

/// A second page of messages, asked for with the `next_cursor` of the first.
#[tokio::test]
async fn list_messages_pages_back_with_the_returned_cursor() {
    let standin = DISCORD.session("messages_pages");
    standin
        .answer(Fixture::new(
            "GET",
            "/users/@me/guilds",
            Reply::json(200, alices_guilds()),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/channels/{id}",
            Reply::json(200, channel_in(DDEVS)),
        ))
        .await;
    standin
        .answer(
            Fixture::new(
                "GET",
                "/channels/{id}/messages",
                Reply::json(200, json!([message("1164296447431520256", "first")])),
            )
            .with_query("before", "1164296447431520257"),
        )
        .await;
    let newest = json!([
        message("1164296447431520258", "third"),
        message("1164296447431520257", "second")
    ]);
    standin
        .answer(Fixture::new(
            "GET",
            "/channels/{id}/messages",
            Reply::json(200, newest.clone()),
        ))
        .await;
    let (runtime, plugin) = discord(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "DISCORD_LIST_MESSAGES",
            &json!({"channel_id": CHANNEL, "limit": 2}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(
        first,
        json!({"messages": newest, "next_cursor": "1164296447431520257"})
    );
    let (second, _) = runtime
        .execute(
            &plugin,
            "DISCORD_LIST_MESSAGES",
            &json!({"channel_id": CHANNEL, "limit": 2, "before": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"messages": [message("1164296447431520256", "first")], "next_cursor": null})
    );
    let queries: Vec<Option<String>> = standin
        .requests()
        .await
        .into_iter()
        .filter(|r| r.path.ends_with("/messages"))
        .map(|r| r.query)
        .collect();
    assert_eq!(
        queries,
        [
            Some("limit=2".into()),
            Some("before=1164296447431520257&limit=2".into())
        ]
    );
}

/// Runs DISCORD_LIST_CHANNELS in a fresh session where alice's servers answer `guilds` and the
/// channel list answers `channels`.
async fn list_channels_answering(
    test: &str,
    guilds: Reply,
    channels: Reply,
) -> Result<Value, CallError> {
    let standin = DISCORD.session(test);
    standin
        .answer(Fixture::new("GET", "/users/@me/guilds", guilds))
        .await;
    standin
        .answer(Fixture::new("GET", "/guilds/{id}/channels", channels))
        .await;
    let (runtime, plugin) = discord(&standin).await;
    let (result, _) = runtime
        .execute(
            &plugin,
            "DISCORD_LIST_CHANNELS",
            &json!({"guild_id": DDEVS}),
            &alice(),
        )
        .await;
    standin.assert_no_violations().await;
    result
}

#[tokio::test]
async fn discords_errors_reach_the_caller_as_the_contracts() {
    let ok = || Reply::json(200, alices_guilds());
    // The user's token refused: not connected.
    let result = list_channels_answering(
        "error_401_user",
        Reply::json(401, json!({"message": "401: Unauthorized", "code": 0})),
        Reply::json(200, json!([])),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized("401: Unauthorized".into()))
    );

    // The bot's token refused: the operator's to fix, an upstream error.
    let result = list_channels_answering(
        "error_401_bot",
        ok(),
        Reply::json(401, json!({"message": "401: Unauthorized", "code": 0})),
    )
    .await;
    assert!(
        matches!(&result, Err(CallError::Action(ActionError::Upstream { status: 401, message, .. })) if message.contains("operator's bot token")),
        "{result:?}"
    );

    // Unknown Guild (10004): not found.
    let result = list_channels_answering(
        "error_unknown_guild",
        ok(),
        Reply::json(404, json!({"message": "Unknown Guild", "code": 10004})),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::NotFound("Unknown Guild".into()))
    );

    // Missing Access (50001): the bot is not in the server; a 403 with Discord's message.
    let missing = json!({"message": "Missing Access", "code": 50001});
    let result = list_channels_answering(
        "error_missing_access",
        ok(),
        Reply::json(403, missing.clone()),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "Missing Access".into(),
            body: Some(missing.to_string())
        })
    );

    // 429: `retry_after` in seconds, a float, rounded up; Discord's rate-limit headers beside it.
    let limited = Reply::json(
        429,
        json!({"message": "You are being rate limited.", "retry_after": 64.57, "global": false}),
    )
    .header("x-ratelimit-limit", "5")
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-reset", "1470173023.123")
    .header("x-ratelimit-reset-after", "64.57")
    .header("x-ratelimit-bucket", "abcd1234")
    .header("retry-after", "65");
    let result = list_channels_answering("error_rate_limited", ok(), limited).await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "You are being rate limited.".into(),
            retry_after_seconds: Some(65)
        })
    );
}

const BOT_JSON: &[(&str, &str)] = &[
    (
        "authorization",
        "Bot MTA4NzY1NDMyMTAxMjM0NTY3OA.GbOtTk.operator-bot-token",
    ),
    ("content-type", "application/json"),
];

/// Negative controls: requests Discord's description (with the overlay) refuses, so a stand-in
/// that accepts everything fails here.
#[tokio::test]
async fn discords_description_refuses_what_discord_would_refuse() {
    assert_refused(
        &DISCORD,
        "refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/guilds/613425648685547541/members?limit=2",
                headers: &[("authorization", "Bearer uTz8bXqJ6kR0alice0oauth0token")],
                body: "",
                because: "BotToken",
            },
            Refused {
                method: "POST",
                path_and_query: "/channels/1011243431853621248/messages",
                headers: BOT_JSON,
                body: r#"{"content": "hi", "embeds": [{"color": "blurple"}]}"#,
                because: "color",
            },
            Refused {
                method: "POST",
                path_and_query: "/channels/1011243431853621248/messages",
                headers: BOT_JSON,
                body: r#"{"content": "hi", "embed": {"title": "t"}}"#,
                because: "body field 'embed' is not declared",
            },
            Refused {
                method: "GET",
                path_and_query: "/channels/1011243431853621248/messages?limit=500",
                headers: BOT_JSON,
                body: "",
                because: "limit",
            },
            Refused {
                method: "GET",
                path_and_query: "/guilds/general/channels",
                headers: BOT_JSON,
                body: "",
                because: "guild_id",
            },
            Refused {
                method: "POST",
                path_and_query: "/guilds/613425648685547541/channels",
                headers: BOT_JSON,
                body: r#"{"type": 0}"#,
                because: "'name' is a required property",
            },
            Refused {
                method: "POST",
                path_and_query: "/channels/1011243431853621248/threads",
                headers: BOT_JSON,
                body: r#"{"name": "x", "auto_archive_duration": 30}"#,
                because: "not valid under any of the given schemas",
            },
            Refused {
                method: "GET",
                path_and_query: "/guilds/613425648685547541/members?cursor=5",
                headers: BOT_JSON,
                body: "",
                because: "query parameter 'cursor' is not declared",
            },
        ],
    )
    .await;
}

/// Known good: the body of "Create Message" in Discord's docs (an embed with a title and
/// description), from the bot.
#[tokio::test]
async fn discords_description_accepts_the_create_message_example_from_discords_docs() {
    assert_accepted(
        &DISCORD,
        "docs_create_message",
        (
            "POST",
            "/channels/1011243431853621248/messages",
            BOT_JSON,
            r#"{"content": "Hello, World!", "tts": false, "embeds": [{"title": "Hello, Embed!", "description": "This is an embed."}]}"#,
        ),
        "POST /channels/{channel_id}/messages",
    )
    .await;
}
