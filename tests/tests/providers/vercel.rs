//! The bundled Vercel plugin against a stand-in that checks every request with npm `@vercel/sdk`
//! 1.28.35 itself (`VERCEL`: the SDK's path templates and each operation's zod request schema,
//! run in Node by `tests/tools/standin/vercel.mjs`), since no current description of Vercel's API
//! is obtainable offline. Answers are fixtures shaped like the examples in Vercel's REST API
//! reference. Every call carries the account's team as `teamId`; lists and the build log are read
//! on through the returned cursor; environment variable values are shown only for `plain`
//! variables and only when asked, through the real host too; Vercel's error envelope, its
//! refused-token 403 and its rate limit headers reach the caller as the contract's errors.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, Session, VERCEL};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "vercel.wasm";
const TOKEN: &str = "vcp_4Qx9kLm2Np7Rs1Tu8Vw3Yz6Ab0Cd5Ef_alice";
const BEARER: (&str, &str) = (
    "Authorization",
    "Bearer vcp_4Qx9kLm2Np7Rs1Tu8Vw3Yz6Ab0Cd5Ef_alice",
);
const JSON: (&str, &str) = ("Content-Type", "application/json");

const TEAM: &str = "team_LLHUOMOoDlqOp8wPE4kFo9pE";
const PROJECT: &str = "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB";
const DEPLOYMENT: &str = "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa";

/// Alice's account, acting in her team.
fn alice() -> CallContext {
    let mut call = alice_with(TOKEN, &[]);
    call.fields.insert("team_id".into(), TEAM.into());
    call
}

async fn vercel(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&VERCEL, FILE, &alice(), (test, action, params), fixture).await
}

/// A project as "Find a project by id or name" shows one (abridged).
fn project() -> Value {
    json!({
        "accountId": TEAM,
        "autoExposeSystemEnvs": true,
        "buildCommand": null,
        "createdAt": 1730000000000_i64,
        "devCommand": null,
        "directoryListing": false,
        "framework": "nextjs",
        "id": PROJECT,
        "installCommand": null,
        "name": "my-app",
        "nodeVersion": "22.x",
        "outputDirectory": null,
        "rootDirectory": null,
        "updatedAt": 1740000000000_i64,
        "live": false,
        "link": {"type": "github", "org": "acme", "repo": "my-app", "repoId": 123456789, "productionBranch": "main",
                 "createdAt": 1730000000000_i64, "updatedAt": 1730000000000_i64, "deployHooks": []},
        "env": [
            {"id": "env_enc", "key": "DATABASE_URL", "type": "encrypted", "value": "eyJ2IjoiMSIsImMiOiJzZWNyZXQifQ==", "target": ["production"], "createdAt": 1730000000000_i64}
        ],
        "latestDeployments": [{"id": DEPLOYMENT, "url": "my-app-1a2b3c.vercel.app", "readyState": "READY", "createdAt": 1740000000000_i64}],
        "targets": {"production": {"id": DEPLOYMENT, "url": "my-app-1a2b3c.vercel.app", "readyState": "READY", "target": "production",
                                   "createdAt": 1740000000000_i64, "alias": ["my-app.vercel.app", "acme.com"], "meta": {"githubCommitRef": "main"}}}
    })
}

/// A deployment as "List deployments" shows one.
fn listed_deployment() -> Value {
    json!({
        "uid": DEPLOYMENT, "name": "my-app", "url": "my-app-1a2b3c.vercel.app", "created": 1740000000000_i64,
        "state": "ERROR", "readyState": "ERROR", "type": "LAMBDAS", "target": "production", "projectId": PROJECT,
        "creator": {"uid": "96SnxkFiMyVKsK3pnoHfx3Hz", "email": "alice@acme.com", "username": "alice"},
        "meta": {"githubCommitRef": "main", "githubCommitSha": "dc36199b2234c6586ebe05ec94078a895c707e29", "githubCommitMessage": "Upgrade next"},
        "inspectorUrl": "https://vercel.com/acme/my-app/2euZBFqxYdDMDG1jTrHFnNZ2eUVa",
        "source": "git", "buildingAt": 1740000000500_i64, "ready": 1740000060000_i64
    })
}

/// A deployment as "Get a deployment by ID or URL" shows one (abridged).
fn deployment() -> Value {
    json!({
        "id": DEPLOYMENT, "name": "my-app", "url": "my-app-1a2b3c.vercel.app", "createdAt": 1740000000000_i64,
        "readyState": "ERROR", "errorCode": "BUILD_FAILED", "errorMessage": "Command \"npm run build\" exited with 1",
        "target": "production", "projectId": PROJECT, "alias": [], "aliasAssigned": false, "public": false,
        "creator": {"uid": "96SnxkFiMyVKsK3pnoHfx3Hz", "username": "alice"},
        "gitSource": {"type": "github", "repoId": 123456789, "ref": "main", "sha": "dc36199b2234c6586ebe05ec94078a895c707e29"},
        "regions": ["iad1"], "version": 2
    })
}

fn build_events() -> Value {
    let event = |kind: &str, at: i64, text: &str| {
        json!({"type": kind, "created": at, "date": at, "deploymentId": DEPLOYMENT, "id": format!("{at}000000000000001"),
               "info": {"type": "build", "name": "bld_cotnkcr76", "entrypoint": "."}, "serial": format!("{at}000000000000001"), "text": text})
    };
    json!([
        event("command", 1740000001000, "Running \"npm run build\""),
        event("stdout", 1740000002000, "> next build"),
        event("stderr", 1740000003000, "Error: Cannot find module 'next'")
    ])
}

fn envs() -> Value {
    json!({"envs": [
        {"id": "env_plain", "key": "NEXT_PUBLIC_SITE", "type": "plain", "value": "https://acme.com", "target": ["production", "preview"], "gitBranch": null,
         "configurationId": null, "createdAt": 1730000000000_i64, "updatedAt": 1730000000000_i64, "createdBy": "96SnxkFiMyVKsK3pnoHfx3Hz", "decrypted": false},
        {"id": "env_enc", "key": "DATABASE_URL", "type": "encrypted", "value": "eyJ2IjoiMSIsImMiOiJzZWNyZXQifQ==", "target": ["production"],
         "createdAt": 1730000000000_i64, "updatedAt": 1730000000000_i64, "decrypted": false},
        {"id": "env_sens", "key": "STRIPE_SECRET_KEY", "type": "sensitive", "value": "", "target": ["production"], "createdAt": 1730000000000_i64}
    ]})
}

fn domain() -> Value {
    json!({"id": "EmTbe5CEJyTk2yVAHBUWy4A3sRusca3GCwRjTC1bpeVnt1", "name": "acme.com", "verified": true, "serviceType": "zeit.world",
           "nameservers": ["ns1.vercel-dns.com", "ns2.vercel-dns.com"], "intendedNameservers": ["ns1.vercel-dns.com", "ns2.vercel-dns.com"],
           "customNameservers": [], "createdAt": 1613602938882_i64, "expiresAt": null, "boughtAt": null, "transferredAt": null,
           "renew": true, "userId": "96SnxkFiMyVKsK3pnoHfx3Hz", "teamId": TEAM, "zone": true,
           "creator": {"id": "96SnxkFiMyVKsK3pnoHfx3Hz", "username": "alice", "email": "alice@acme.com"}})
}

fn empty(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: Vec::new(),
        delay: Duration::ZERO,
    }
}

/// Every action, in one session: the SDK's schemas accept each request, each reaches the
/// operation the action is for, and each carries the account's team.
#[tokio::test]
async fn every_action_sends_requests_that_the_vercel_sdk_describes() {
    let standin = VERCEL.session("vercel_every_action");
    let new_deployment = json!({"id": "dpl_9xVz3rU7hZ4kTbWq2mNcP5aLsEd8", "url": "my-app-9x8y7z.vercel.app", "name": "my-app",
                                "readyState": "QUEUED", "target": "production", "projectId": PROJECT, "createdAt": 1740000100000_i64});
    let created_env = json!({"created": {"id": "env_new", "key": "API_URL", "type": "encrypted", "value": "eyJ2IjoiMiJ9",
                                         "target": ["production", "preview"], "createdAt": 1740000200000_i64}, "failed": []});
    let fixtures = [
        Fixture::operation(
            "GET /v10/projects",
            Reply::json(
                200,
                json!({"projects": [project()], "pagination": {"count": 1, "next": null, "prev": null}}),
            ),
        ),
        Fixture::operation("GET /v9/projects/{idOrName}", Reply::json(200, project())),
        Fixture::operation(
            "GET /v7/deployments",
            Reply::json(
                200,
                json!({"deployments": [listed_deployment()], "pagination": {"count": 1, "next": 1739990000000_i64, "prev": null}}),
            ),
        ),
        Fixture::operation(
            "GET /v13/deployments/{idOrUrl}",
            Reply::json(200, deployment()),
        ),
        Fixture::operation(
            "GET /v3/deployments/{idOrUrl}/events",
            Reply::json(200, build_events()),
        ),
        Fixture::operation(
            "POST /v13/deployments",
            Reply::json(200, new_deployment.clone()),
        ),
        Fixture::operation(
            "POST /v10/projects/{projectId}/promote/{deploymentId}",
            empty(201),
        ),
        Fixture::operation("GET /v10/projects/{idOrName}/env", Reply::json(200, envs())),
        Fixture::operation(
            "POST /v10/projects/{idOrName}/env",
            Reply::json(201, created_env),
        ),
        Fixture::operation(
            "GET /v5/domains",
            Reply::json(
                200,
                json!({"domains": [domain()], "pagination": {"count": 1, "next": null, "prev": null}}),
            ),
        ),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = vercel(&standin).await;
    let calls: &[Call] = &[
        (
            "VERCEL_LIST_PROJECTS",
            json!({"search": "my-app", "limit": 10}),
            &["GET /v10/projects"],
        ),
        (
            "VERCEL_GET_PROJECT",
            json!({"project": "my-app"}),
            &["GET /v9/projects/{idOrName}"],
        ),
        (
            "VERCEL_LIST_DEPLOYMENTS",
            json!({"project": PROJECT, "target": "production", "state": ["ERROR", "CANCELED"], "branch": "main", "since": 1730000000000_i64, "limit": 5}),
            &["GET /v7/deployments"],
        ),
        (
            "VERCEL_GET_DEPLOYMENT",
            json!({"deployment": "https://my-app-1a2b3c.vercel.app"}),
            &["GET /v13/deployments/{idOrUrl}"],
        ),
        (
            "VERCEL_GET_DEPLOYMENT_EVENTS",
            json!({"deployment": DEPLOYMENT, "direction": "backward", "limit": 3}),
            &["GET /v3/deployments/{idOrUrl}/events"],
        ),
        (
            "VERCEL_REDEPLOY",
            json!({"deployment_id": DEPLOYMENT}),
            &["GET /v13/deployments/{idOrUrl}", "POST /v13/deployments"],
        ),
        (
            "VERCEL_PROMOTE_DEPLOYMENT",
            json!({"project_id": PROJECT, "deployment_id": DEPLOYMENT}),
            &["POST /v10/projects/{projectId}/promote/{deploymentId}"],
        ),
        (
            "VERCEL_LIST_ENV_VARS",
            json!({"project": "my-app", "show_values": true, "git_branch": "main"}),
            &["GET /v10/projects/{idOrName}/env"],
        ),
        (
            "VERCEL_CREATE_ENV_VAR",
            json!({"project": "my-app", "key": "API_URL", "value": "https://api.acme.com", "target": ["production", "preview"], "comment": "backend", "upsert": true}),
            &["POST /v10/projects/{idOrName}/env"],
        ),
        (
            "VERCEL_LIST_DOMAINS",
            json!({"limit": 50}),
            &["GET /v5/domains"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), calls).await;

    assert_eq!(outputs[0]["projects"][0]["name"], "my-app");
    assert_eq!(
        outputs[0]["projects"][0]["targets"]["production"]["id"],
        DEPLOYMENT
    );
    assert_eq!(outputs[0]["next_cursor"], Value::Null);
    assert!(outputs[0]["projects"][0].get("env").is_none());
    assert_eq!(outputs[1]["framework"], "nextjs");
    assert!(outputs[1].get("env").is_none(), "{}", outputs[1]);
    assert_eq!(
        outputs[2],
        json!({"deployments": [listed_deployment()], "next_cursor": "1739990000000"})
    );
    assert_eq!(outputs[3], deployment());
    assert_eq!(
        outputs[4],
        json!({"events": [
            {"type": "command", "created": 1740000001000_i64, "text": "Running \"npm run build\""},
            {"type": "stdout", "created": 1740000002000_i64, "text": "> next build"},
            {"type": "stderr", "created": 1740000003000_i64, "text": "Error: Cannot find module 'next'"}
        ], "next_cursor": "1740000003000"})
    );
    assert_eq!(outputs[5], new_deployment);
    assert_eq!(
        outputs[6],
        json!({"promoted": true, "project_id": PROJECT, "deployment_id": DEPLOYMENT, "status": 201})
    );
    let values: Vec<&Value> = outputs[7]["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["value"])
        .collect();
    assert_eq!(
        values,
        [
            &json!("https://acme.com"),
            &json!("[hidden: encrypted value]"),
            &json!("[hidden: sensitive value]")
        ]
    );
    assert_eq!(
        outputs[8],
        json!({"created": [{"id": "env_new", "key": "API_URL", "type": "encrypted", "target": ["production", "preview"], "createdAt": 1740000200000_i64}], "failed": []})
    );
    assert_eq!(outputs[9]["domains"][0]["name"], "acme.com");

    let requests = standin.requests().await;
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(BEARER.1),
            "{request:?}"
        );
        let query = request.query.as_deref().unwrap_or_default();
        assert!(
            query.ends_with(&format!("teamId={TEAM}")),
            "{} {query}",
            request.path
        );
    }
    assert_eq!(
        requests[0].query.as_deref(),
        Some(format!("limit=10&search=my-app&teamId={TEAM}").as_str())
    );
    assert_eq!(
        requests[2].query.as_deref(),
        Some(format!("projectId={PROJECT}&target=production&state=ERROR%2CCANCELED&branch=main&since=1730000000000&limit=5&teamId={TEAM}").as_str())
    );
    assert_eq!(
        requests[3].path,
        "/v13/deployments/my-app-1a2b3c.vercel.app"
    );
    assert_eq!(
        requests[4].query.as_deref(),
        Some(format!("direction=backward&follow=0&limit=3&teamId={TEAM}").as_str())
    );
    // The redeploy read the original's name and production target first.
    assert_eq!(requests[5].path, format!("/v13/deployments/{DEPLOYMENT}"));
    assert_eq!(
        requests[6].json(),
        json!({"deploymentId": DEPLOYMENT, "name": "my-app", "target": "production"})
    );
    assert_eq!(
        requests[7].path,
        format!("/v10/projects/{PROJECT}/promote/{DEPLOYMENT}")
    );
    assert!(requests[7].body.is_empty());
    // Values are never asked to be decrypted.
    assert_eq!(
        requests[8].query.as_deref(),
        Some(format!("gitBranch=main&teamId={TEAM}").as_str())
    );
    assert_eq!(
        requests[9].query.as_deref(),
        Some(format!("upsert=true&teamId={TEAM}").as_str())
    );
    assert_eq!(
        requests[9].json(),
        json!({"key": "API_URL", "value": "https://api.acme.com", "type": "encrypted", "target": ["production", "preview"], "comment": "backend"})
    );
}

/// Lists read on through the returned cursor: projects (`from`), deployments and domains
/// (`until`), and a build log streamed as JSON lines (`since`).
#[tokio::test]
async fn lists_and_build_logs_are_read_on_through_the_returned_cursor() {
    let standin = VERCEL.session("vercel_pages");
    let second = json!({"id": "prj_Second", "name": "docs", "createdAt": 1720000000000_i64, "updatedAt": 1720000000000_i64});
    standin
        .answer(
            Fixture::operation(
                "GET /v10/projects",
                Reply::json(200, json!({"projects": [second], "pagination": {"count": 1, "next": null, "prev": 1740000000000_i64}})),
            )
            .with_query("from", "1739999999999"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v10/projects",
            Reply::json(200, json!({"projects": [project()], "pagination": {"count": 1, "next": 1739999999999_i64, "prev": null}})),
        ))
        .await;
    let lines = |events: &[Value]| {
        events
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    let all = build_events();
    let all = all.as_array().unwrap();
    let stream = |events: &[Value]| Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/stream+json".into())],
        body: lines(events).into_bytes(),
        delay: Duration::ZERO,
    };
    standin
        .answer(
            Fixture::operation("GET /v3/deployments/{idOrUrl}/events", stream(&all[2..]))
                .with_query("since", "1740000002000"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v3/deployments/{idOrUrl}/events",
            stream(&all[..2]),
        ))
        .await;
    let (runtime, plugin) = vercel(&standin).await;
    let call = |action: &'static str, params: Value| {
        let (runtime, plugin) = (&runtime, &plugin);
        async move {
            runtime
                .execute(plugin, action, &params, &alice())
                .await
                .0
                .unwrap()
        }
    };
    let first = call("VERCEL_LIST_PROJECTS", json!({"limit": 1})).await;
    assert_eq!(first["projects"][0]["id"], PROJECT);
    assert_eq!(first["next_cursor"], "1739999999999");
    let next = call(
        "VERCEL_LIST_PROJECTS",
        json!({"limit": 1, "cursor": first["next_cursor"]}),
    )
    .await;
    assert_eq!(
        next,
        json!({"projects": [{"id": "prj_Second", "name": "docs", "createdAt": 1720000000000_i64, "updatedAt": 1720000000000_i64}], "next_cursor": null})
    );

    let log = call(
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        json!({"deployment": DEPLOYMENT, "limit": 2}),
    )
    .await;
    assert_eq!(log["events"].as_array().unwrap().len(), 2);
    assert_eq!(log["next_cursor"], "1740000002000");
    let rest = call(
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        json!({"deployment": DEPLOYMENT, "limit": 2, "cursor": log["next_cursor"]}),
    )
    .await;
    assert_eq!(
        rest,
        json!({"events": [{"type": "stderr", "created": 1740000003000_i64, "text": "Error: Cannot find module 'next'"}], "next_cursor": null})
    );
    let requests = standin.requests().await;
    let queries: Vec<&str> = requests
        .iter()
        .map(|r| r.query.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            format!("limit=1&teamId={TEAM}"),
            format!("limit=1&from=1739999999999&teamId={TEAM}"),
            format!("direction=forward&follow=0&limit=2&teamId={TEAM}"),
            format!("direction=forward&follow=0&limit=2&since=1740000002000&teamId={TEAM}"),
        ]
    );

    // Deployments and domains page with `until`.
    for (action, operation, list) in [
        (
            "VERCEL_LIST_DEPLOYMENTS",
            "GET /v7/deployments",
            "deployments",
        ),
        ("VERCEL_LIST_DOMAINS", "GET /v5/domains", "domains"),
    ] {
        let (result, standin) = run(
            &format!("vercel_pages_{list}"),
            action,
            json!({"cursor": "1739990000000"}),
            Fixture::operation(operation, Reply::json(200, json!({list: [], "pagination": {"count": 0, "next": null, "prev": 1739990000001_i64}}))),
        )
        .await;
        assert_eq!(result.unwrap(), json!({list: [], "next_cursor": null}));
        assert_eq!(
            standin.single().await.query.as_deref(),
            Some(format!("limit=20&until=1739990000000&teamId={TEAM}").as_str())
        );
    }
}

/// Vercel's `{"error": {"code", "message"}}` as the contract's errors: a refused token (403 with
/// `invalidToken`), a missing project, a rate limit with `Retry-After` or only
/// `X-RateLimit-Reset`, and a refusal kept as Vercel's own message.
#[tokio::test]
async fn vercels_error_envelope_reaches_the_caller_as_the_contracts_errors() {
    let error = |code: &str, message: &str| json!({"error": {"code": code, "message": message}});
    let invalid_token =
        json!({"error": {"code": "forbidden", "message": "Not authorized", "invalidToken": true}});
    let limited = json!({"error": {"code": "rate_limited", "message": "Rate limit exceeded", "limit": {"remaining": 0, "reset": 1740000060, "resetMs": 1740000060000_i64, "total": 100}}});
    let reset = (SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600)
        .to_string();
    let bad = error(
        "bad_request",
        "Invalid request: `limit` should be less than or equal to 100.",
    );
    let cases = [
        (
            Reply::json(403, invalid_token),
            ActionError::Unauthorized("Not authorized".into()),
        ),
        (
            Reply::json(404, error("not_found", "Project not found")),
            ActionError::NotFound("Project not found".into()),
        ),
        (
            Reply::json(429, limited.clone()).header("retry-after", "7"),
            ActionError::RateLimited {
                message: "Rate limit exceeded".into(),
                retry_after_seconds: Some(7),
            },
        ),
        (
            Reply::json(400, bad.clone()),
            ActionError::Upstream {
                status: 400,
                message: "Invalid request: `limit` should be less than or equal to 100.".into(),
                body: Some(bad.to_string()),
            },
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("vercel_error_{i}"),
            "VERCEL_GET_PROJECT",
            json!({"project": "my-app"}),
            Fixture::operation("GET /v9/projects/{idOrName}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected));
        standin.assert_no_violations().await;
    }
    // Only `X-RateLimit-Reset` (epoch seconds): the delay until then.
    let (result, _) = run(
        "vercel_error_reset",
        "VERCEL_LIST_DEPLOYMENTS",
        json!({}),
        Fixture::operation(
            "GET /v7/deployments",
            Reply::json(429, limited)
                .header("x-ratelimit-limit", "100")
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset),
        ),
    )
    .await;
    match result.unwrap_err() {
        CallError::Action(ActionError::RateLimited {
            message,
            retry_after_seconds: Some(seconds),
        }) => {
            assert_eq!(message, "Rate limit exceeded");
            // An hour ahead, less however long the cases above took on a loaded machine.
            assert!((3000..=3600).contains(&seconds), "{seconds}");
        }
        other => panic!("{other:?}"),
    }
}

/// The negative control: requests the real API would refuse, which the stand-in must refuse
/// too (a stand-in that accepts everything fails here).
#[tokio::test]
async fn the_vercel_check_refuses_what_vercel_would_refuse() {
    let env_path = format!("/v10/projects/{PROJECT}/env");
    assert_refused(
        &VERCEL,
        "vercel_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: &env_path,
                headers: &[BEARER, JSON],
                body: r#"{"key": "API_URL", "value": 5, "type": "encrypted", "target": ["production"]}"#,
                because: "value: Expected string, received number",
            },
            Refused {
                method: "POST",
                path_and_query: &env_path,
                headers: &[BEARER, JSON],
                body: r#"{"key": "API_URL", "value": "x", "type": "secret", "target": ["production"]}"#,
                because: "type: Invalid enum value",
            },
            Refused {
                method: "POST",
                path_and_query: &env_path,
                headers: &[BEARER, JSON],
                body: r#"{"key": "API_URL", "value": "x", "type": "plain", "target": ["production"], "decrypt": true}"#,
                because: "body member `decrypt` is not declared",
            },
            Refused {
                method: "POST",
                path_and_query: "/v13/deployments",
                headers: &[BEARER, JSON],
                body: r#"{"name": 5, "deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa"}"#,
                because: "name: Expected string, received number",
            },
            Refused {
                method: "GET",
                path_and_query: "/v7/deployments?limit=twenty",
                headers: &[BEARER],
                body: "",
                because: "limit: Expected number, received string",
            },
            Refused {
                method: "GET",
                path_and_query: &format!("/v3/deployments/{DEPLOYMENT}/events?direction=up"),
                headers: &[BEARER],
                body: "",
                because: "direction: Invalid enum value",
            },
            Refused {
                method: "GET",
                path_and_query: "/v10/projects?cursor=1739999999999",
                headers: &[BEARER],
                body: "",
                because: "query parameter `cursor` is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/v2/user?teamId=team_LLHUOMOoDlqOp8wPE4kFo9pE",
                headers: &[BEARER],
                body: "",
                because: "query parameter `teamId` is not one of []",
            },
            Refused {
                method: "POST",
                path_and_query: &format!("/v9/projects/{PROJECT}/promote/{DEPLOYMENT}"),
                headers: &[BEARER],
                body: "",
                because: "no operation of @vercel/sdk",
            },
            Refused {
                method: "GET",
                path_and_query: "/v5/domains",
                headers: &[],
                body: "",
                because: "no `Authorization: Bearer ...` header",
            },
        ],
    )
    .await;
}

/// Known good: "Create one or more environment variables" with the request body of Vercel's
/// reference (a list of two variables, one of them for a Git branch).
#[tokio::test]
async fn the_vercel_check_accepts_create_env_vars_from_vercels_docs() {
    let body = json!([
        {"key": "API_URL", "value": "https://api.vercel.com", "type": "plain", "target": ["preview"], "gitBranch": "feature-1", "comment": "database connection string for production"},
        {"key": "DB_PASSWORD", "value": "hunter2", "type": "sensitive", "target": ["production"], "customEnvironmentIds": []}
    ]);
    assert_accepted(
        &VERCEL,
        "vercel_docs_create_env",
        (
            "POST",
            &format!("/v10/projects/{PROJECT}/env?upsert=true&teamId={TEAM}"),
            &[BEARER, JSON],
            &body.to_string(),
        ),
        "POST /v10/projects/{idOrName}/env",
    )
    .await;
}

/// Through the real host: an access token connected with a team (a `team_id` that breaks the
/// field's pattern is refused first) is checked and labelled by `after-connect`, then sent as a
/// bearer token with `teamId` on every call; the account lists its fields; and the answer of
/// VERCEL_LIST_ENV_VARS holds no secret value, asked for or not.
#[tokio::test]
async fn an_access_token_with_a_team_through_the_host_never_shows_secret_values() {
    let standin = VERCEL.session("vercel_host");
    let user = json!({"user": {"id": "96SnxkFiMyVKsK3pnoHfx3Hz", "email": "alice@acme.com", "name": "Alice Doe", "username": "alice",
                               "avatar": null, "defaultTeamId": TEAM, "limited": false, "createdAt": 1600000000000_i64,
                               "softBlock": null, "billing": null, "resourceConfig": {}, "stagingPrefix": "alice", "version": "northstar"}});
    let team = json!({"id": TEAM, "slug": "acme", "name": "Acme Inc", "createdAt": 1600000000000_i64, "avatar": null});
    standin
        .answer(Fixture::operation("GET /v2/user", Reply::json(200, user)))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v2/teams/{teamId}",
            Reply::json(200, team),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /v10/projects/{idOrName}/env",
            Reply::json(200, envs()),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("bob", "GET", "/integrations", None).await;
    let entry = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "vercel")
        .unwrap()
        .clone();
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(
        entry["alternative_auth"],
        json!([{"type": "api_key"}]),
        "{entry}"
    );

    let bad = app
        .as_user(
            "bob",
            "PUT",
            "/connected-accounts/vercel",
            Some(json!({"api_key": TOKEN, "fields": {"team_id": "acme"}})),
        )
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    let why = bad.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        why.contains("field \"team_id\" must match team_[A-Za-z0-9]+"),
        "{bad:?}"
    );
    assert!(standin.checked().await.is_empty(), "nothing reached Vercel");

    app.connect(
        "bob",
        "vercel",
        json!({"api_key": TOKEN, "fields": {"team_id": TEAM}}),
    )
    .await;
    let accounts = app.as_user("bob", "GET", "/connected-accounts", None).await;
    assert_eq!(
        accounts.body[0]["label"], "Alice Doe (alice@acme.com), team Acme Inc",
        "{accounts:?}"
    );
    assert_eq!(
        accounts.body[0]["fields"],
        json!({"team_id": TEAM}),
        "{accounts:?}"
    );

    for show_values in [false, true] {
        let listed = app
            .as_user(
                "bob",
                "POST",
                "/actions",
                Some(json!({"action": "VERCEL_LIST_ENV_VARS", "parameters": {"project": "my-app", "show_values": show_values}})),
            )
            .await;
        assert_eq!(listed.status, 200, "{listed:?}");
        let text = listed.body.to_string();
        assert!(
            !text.contains("eyJ2Ij"),
            "an encrypted value was shown: {text}"
        );
        assert_eq!(text.contains("https://acme.com"), show_values, "{text}");
        assert_eq!(listed.body["envs"].as_array().unwrap().len(), 3);
    }

    let checked = standin.checked().await;
    let operations: Vec<_> = checked
        .iter()
        .filter_map(|c| c.operation.as_deref())
        .collect();
    assert_eq!(
        operations,
        [
            "GET /v2/user",
            "GET /v2/teams/{teamId}",
            "GET /v10/projects/{idOrName}/env",
            "GET /v10/projects/{idOrName}/env"
        ]
    );
    let requests = standin.requests().await;
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(BEARER.1));
    }
    assert_eq!(requests[0].query, None);
    assert_eq!(requests[1].path, format!("/v2/teams/{TEAM}"));
    assert_eq!(
        requests[2].query.as_deref(),
        Some(format!("teamId={TEAM}").as_str())
    );
    assert_eq!(
        requests[3].query.as_deref(),
        Some(format!("teamId={TEAM}").as_str())
    );
}
