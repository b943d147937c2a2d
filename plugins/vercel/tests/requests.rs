//! The exact request every Vercel action sends (method, path, query, headers, body), with and
//! without a team on the account; how lists page, how build log events are decoded from a JSON
//! array or a stream of lines, which environment variable values are shown (only `plain` ones,
//! only when asked), and how Vercel's error answers map to errors, run natively against the
//! SDK's test transport.

use actionhost_plugin_vercel::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, Error};
use serde_json::{Value, json};

const TEAM: &str = "team_LLHUOMOoDlqOp8wPE4kFo9pE";

/// An account with no team: calls act on the user's own resources.
fn personal() -> Context {
    Context::new("alice")
}

/// An account acting in a team.
fn in_team() -> Context {
    Context::new("alice").with_field("team_id", TEAM)
}

fn call(
    ctx: &Context,
    action: &str,
    input: Value,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), ctx, action, input, 200, answer)
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_get(request: &RecordedRequest, path: &str, query: &[(&str, &str)]) {
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", path),
        "{request:?}"
    );
    assert_eq!(request.query(), pairs(query));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.body, None);
    assert!(request.url.starts_with("https://api.vercel.com/"));
}

fn project() -> Value {
    json!({
        "accountId": "team_LLHUOMOoDlqOp8wPE4kFo9pE",
        "id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB",
        "name": "my-app",
        "framework": "nextjs",
        "nodeVersion": "22.x",
        "createdAt": 1730000000000_i64,
        "updatedAt": 1740000000000_i64,
        "buildCommand": null,
        "link": {"type": "github", "org": "acme", "repo": "my-app", "repoId": 123456789, "productionBranch": "main", "deployHooks": [{"id": "hk_1", "name": "cms", "ref": "main", "url": "https://api.vercel.com/v1/integrations/deploy/prj_1/secret"}]},
        "targets": {"production": {"id": "dpl_89qyp1cskzkLrVicDaZoDbjyHuDJ", "url": "my-app-abc123.vercel.app", "readyState": "READY", "target": "production", "createdAt": 1740000000000_i64, "meta": {"githubCommitSha": "dc36199b2234c6586ebe05ec94078a895c707e29"}}},
        "env": [{"id": "env_1", "key": "DATABASE_URL", "type": "encrypted", "value": "eyJ2IjoiMSJ9.encrypted"}],
        "latestDeployments": []
    })
}

#[test]
fn list_projects_answers_compact_projects_and_the_next_page_timestamp() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_LIST_PROJECTS",
        json!({"search": "app", "limit": 2}),
        json!({"projects": [project()], "pagination": {"count": 1, "next": 1739999999999_i64, "prev": null}}),
    );
    assert_get(
        &request,
        "/v10/projects",
        &[("limit", "2"), ("search", "app"), ("teamId", TEAM)],
    );
    assert_eq!(
        result.unwrap(),
        json!({
            "projects": [{
                "id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "name": "my-app", "framework": "nextjs",
                "nodeVersion": "22.x", "createdAt": 1730000000000_i64, "updatedAt": 1740000000000_i64,
                "link": {"type": "github", "org": "acme", "repo": "my-app", "repoId": 123456789, "productionBranch": "main"},
                "targets": {"production": {"id": "dpl_89qyp1cskzkLrVicDaZoDbjyHuDJ", "url": "my-app-abc123.vercel.app", "readyState": "READY", "target": "production", "createdAt": 1740000000000_i64}}
            }],
            "next_cursor": "1739999999999"
        })
    );
}

#[test]
fn list_projects_fetches_the_second_page_with_the_cursor_as_from() {
    let (result, request) = call(
        &personal(),
        "VERCEL_LIST_PROJECTS",
        json!({"cursor": "1739999999999"}),
        json!({"projects": [], "pagination": {"count": 0, "next": null, "prev": 1740000000000_i64}}),
    );
    assert_get(
        &request,
        "/v10/projects",
        &[("limit", "20"), ("from", "1739999999999")],
    );
    assert_eq!(
        result.unwrap(),
        json!({"projects": [], "next_cursor": null})
    );
}

#[test]
fn a_cursor_that_is_not_a_timestamp_is_refused_before_sending() {
    for action in [
        "VERCEL_LIST_PROJECTS",
        "VERCEL_LIST_DEPLOYMENTS",
        "VERCEL_LIST_DOMAINS",
    ] {
        let error = testing::refused(&provider(), &personal(), action, json!({"cursor": "abc"}));
        assert_eq!(
            error,
            Error::invalid_input("`cursor` \"abc\" is not a `next_cursor` of this list"),
            "{action}"
        );
    }
}

#[test]
fn get_project_leaves_out_the_environment_variables() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_GET_PROJECT",
        json!({"project": "my app"}),
        project(),
    );
    assert_get(&request, "/v9/projects/my%20app", &[("teamId", TEAM)]);
    let mut expected = project();
    expected.as_object_mut().unwrap().remove("env");
    assert_eq!(result.unwrap(), expected);
}

fn deployment() -> Value {
    json!({
        "uid": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "my-app", "url": "my-app-1a2b3c.vercel.app",
        "created": 1740000000000_i64, "state": "READY", "readyState": "READY", "type": "LAMBDAS",
        "target": "production", "projectId": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB",
        "creator": {"uid": "96SnxkFiMyVKsK3pnoHfx3Hz", "username": "alice"},
        "meta": {"githubCommitRef": "main", "githubCommitSha": "dc36199b2234c6586ebe05ec94078a895c707e29", "githubCommitMessage": "Fix the header"},
        "inspectorUrl": "https://vercel.com/acme/my-app/2euZBFqxYdDMDG1jTrHFnNZ2eUVa"
    })
}

#[test]
fn list_deployments_sends_every_filter_and_pages_with_until() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_LIST_DEPLOYMENTS",
        json!({"project": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "target": "production", "state": ["ERROR", "CANCELED"], "branch": "main", "sha": "dc36199b", "since": 1730000000000_i64, "limit": 5, "cursor": "1740000000000"}),
        json!({"deployments": [deployment()], "pagination": {"count": 1, "next": 1739990000000_i64, "prev": null}}),
    );
    assert_get(
        &request,
        "/v7/deployments",
        &[
            ("projectId", "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB"),
            ("target", "production"),
            ("state", "ERROR,CANCELED"),
            ("branch", "main"),
            ("sha", "dc36199b"),
            ("since", "1730000000000"),
            ("limit", "5"),
            ("until", "1740000000000"),
            ("teamId", TEAM),
        ],
    );
    assert_eq!(
        result.unwrap(),
        json!({"deployments": [deployment()], "next_cursor": "1739990000000"})
    );
}

#[test]
fn list_deployments_without_filters_asks_for_the_default_page() {
    let (result, request) = call(
        &personal(),
        "VERCEL_LIST_DEPLOYMENTS",
        json!({}),
        json!({"deployments": [], "pagination": {"count": 0, "next": null, "prev": null}}),
    );
    assert_get(&request, "/v7/deployments", &[("limit", "20")]);
    assert_eq!(
        result.unwrap(),
        json!({"deployments": [], "next_cursor": null})
    );
}

#[test]
fn get_deployment_takes_an_id_or_a_url_without_its_scheme() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_GET_DEPLOYMENT",
        json!({"deployment": "https://my-app-1a2b3c.vercel.app/"}),
        deployment(),
    );
    assert_get(
        &request,
        "/v13/deployments/my-app-1a2b3c.vercel.app",
        &[("teamId", TEAM)],
    );
    assert_eq!(result.unwrap(), deployment());
    let error = testing::refused(
        &provider(),
        &personal(),
        "VERCEL_GET_DEPLOYMENT",
        json!({"deployment": "https://vercel.com/acme/my-app"}),
    );
    assert!(matches!(error, Error::InvalidInput(m) if m.contains("neither a deployment id")));
}

fn build_events() -> Value {
    json!([
        {"type": "command", "created": 1740000001000_i64, "date": 1740000001000_i64, "deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "id": "1740000001000000000000000001", "info": {"type": "build", "name": "bld_cotnkcr76", "entrypoint": "."}, "serial": "1740000001000000000000000001", "text": "Running \"vercel build\""},
        {"type": "stderr", "created": 1740000002000_i64, "date": 1740000002000_i64, "deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "id": "1740000002000000000000000002", "info": {"type": "build", "name": "bld_cotnkcr76", "entrypoint": "."}, "level": "error", "serial": "1740000002000000000000000002", "text": "Error: Cannot find module 'next'"},
        {"type": "stdout", "created": 1740000003000_i64, "payload": {"date": 1740000003000_i64, "deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "id": "3", "serial": "3", "text": "Build failed"}}
    ])
}

#[test]
fn get_deployment_events_decodes_a_json_array_and_pages_forward_from_the_last_time() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        json!({"deployment": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "limit": 3}),
        build_events(),
    );
    assert_get(
        &request,
        "/v3/deployments/dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa/events",
        &[
            ("direction", "forward"),
            ("follow", "0"),
            ("limit", "3"),
            ("teamId", TEAM),
        ],
    );
    assert_eq!(
        result.unwrap(),
        json!({
            "events": [
                {"type": "command", "created": 1740000001000_i64, "text": "Running \"vercel build\""},
                {"type": "stderr", "created": 1740000002000_i64, "text": "Error: Cannot find module 'next'", "level": "error"},
                {"type": "stdout", "created": 1740000003000_i64, "text": "Build failed"}
            ],
            "next_cursor": "1740000003000"
        })
    );
    // The second page starts at the cursor.
    let (result, request) = call(
        &personal(),
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        json!({"deployment": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "limit": 3, "cursor": "1740000003000"}),
        json!([]),
    );
    assert_get(
        &request,
        "/v3/deployments/dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa/events",
        &[
            ("direction", "forward"),
            ("follow", "0"),
            ("limit", "3"),
            ("since", "1740000003000"),
        ],
    );
    assert_eq!(result.unwrap(), json!({"events": [], "next_cursor": null}));
}

#[test]
fn get_deployment_events_reads_a_stream_of_lines_and_pages_backward_with_until() {
    let transport = Transport::install();
    let lines = build_events()
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    transport.reply(
        200,
        &[("content-type", "application/stream+json")],
        lines + "\n",
    );
    let result = testing::run(
        &provider(),
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        json!({"deployment": "my-app-1a2b3c.vercel.app", "direction": "backward", "cursor": "1740000009000"}),
        &personal(),
    );
    assert_get(
        &transport.only_request(),
        "/v3/deployments/my-app-1a2b3c.vercel.app/events",
        &[
            ("direction", "backward"),
            ("follow", "0"),
            ("limit", "100"),
            ("until", "1740000009000"),
        ],
    );
    let page = result.unwrap();
    let texts: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Build failed",
            "Error: Cannot find module 'next'",
            "Running \"vercel build\""
        ]
    );
    assert_eq!(
        page["next_cursor"],
        Value::Null,
        "3 events of 100: the last page"
    );
}

#[test]
fn redeploy_with_name_and_target_posts_the_deployment_id_at_once() {
    let created = json!({"id": "dpl_9xVz3rU7hZ4kTbWq2mNcP5aLsEd8", "url": "my-app-9x8y7z.vercel.app", "name": "my-app", "readyState": "QUEUED", "target": "production"});
    let (result, request) = call(
        &in_team(),
        "VERCEL_REDEPLOY",
        json!({"deployment_id": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "my-app", "target": "production", "with_latest_commit": true}),
        created.clone(),
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v13/deployments")
    );
    assert_eq!(request.query(), pairs(&[("teamId", TEAM)]));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "my-app", "target": "production", "withLatestCommit": true})
    );
    assert_eq!(result.unwrap(), created);
}

#[test]
fn redeploy_without_a_name_reads_the_original_deployment_first_and_keeps_its_target() {
    let transport = Transport::install();
    transport.reply_json(200, deployment());
    transport.reply_json(200, json!({"id": "dpl_new", "readyState": "QUEUED"}));
    let result = testing::run(
        &provider(),
        "VERCEL_REDEPLOY",
        json!({"deployment_id": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa"}),
        &personal(),
    );
    assert_eq!(
        result.unwrap(),
        json!({"id": "dpl_new", "readyState": "QUEUED"})
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_get(
        &requests[0],
        "/v13/deployments/dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa",
        &[],
    );
    assert_eq!(
        requests[1].json(),
        json!({"deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "my-app", "target": "production"})
    );

    // A preview original with an explicit name: no target is sent (Vercel's default, preview).
    let transport = Transport::install();
    let mut preview = deployment();
    preview["target"] = Value::Null;
    transport.reply_json(200, preview);
    transport.reply_json(200, json!({"id": "dpl_new"}));
    testing::run(
        &provider(),
        "VERCEL_REDEPLOY",
        json!({"deployment_id": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "renamed"}),
        &personal(),
    )
    .unwrap();
    assert_eq!(
        transport.requests()[1].json(),
        json!({"deploymentId": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "name": "renamed"})
    );
}

#[test]
fn promote_posts_to_the_project_and_deployment_and_reports_the_status() {
    let transport = Transport::install();
    transport.reply(202, &[], "");
    let result = testing::run(
        &provider(),
        "VERCEL_PROMOTE_DEPLOYMENT",
        json!({"project_id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "deployment_id": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa"}),
        &in_team(),
    );
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "POST",
            "/v10/projects/prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB/promote/dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa"
        )
    );
    assert_eq!(request.query(), pairs(&[("teamId", TEAM)]));
    assert_eq!(request.body, None);
    assert_eq!(
        result.unwrap(),
        json!({"promoted": true, "project_id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "deployment_id": "dpl_2euZBFqxYdDMDG1jTrHFnNZ2eUVa", "status": 202})
    );
    let hints = provider()
        .find("VERCEL_PROMOTE_DEPLOYMENT")
        .unwrap()
        .hints();
    assert!(hints.destructive && hints.idempotent && !hints.read_only);
}

fn envs() -> Value {
    json!({"envs": [
        {"id": "env_plain", "key": "NEXT_PUBLIC_SITE", "type": "plain", "value": "https://acme.com", "target": ["production", "preview"], "gitBranch": null, "createdAt": 1730000000000_i64, "updatedAt": 1730000000000_i64, "decrypted": false},
        {"id": "env_enc", "key": "DATABASE_URL", "type": "encrypted", "value": "eyJ2IjoiMSIsImMiOiJzZWNyZXQifQ==", "target": ["production"], "createdAt": 1730000000000_i64, "decrypted": false, "internalContentHint": {"type": "flags-secret", "encryptedValue": "c2VjcmV0"}},
        {"id": "env_sens", "key": "STRIPE_KEY", "type": "sensitive", "value": "", "target": ["production"], "createdAt": 1730000000000_i64, "vsmValue": "vsm_1"},
        {"id": "env_sys", "key": "VERCEL_URL", "type": "system", "value": "", "target": ["production", "preview", "development"], "system": true}
    ], "pagination": {"count": 4, "next": null, "prev": null}})
}

#[test]
fn list_env_vars_shows_no_values_by_default() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_LIST_ENV_VARS",
        json!({"project": "my-app", "git_branch": "feature/login"}),
        envs(),
    );
    assert_get(
        &request,
        "/v10/projects/my-app/env",
        &[("gitBranch", "feature/login"), ("teamId", TEAM)],
    );
    let listed = result.unwrap();
    let text = listed.to_string();
    for secret in ["https://acme.com", "eyJ2Ij", "c2VjcmV0", "vsm_1"] {
        assert!(!text.contains(secret), "{secret} shown in {text}");
    }
    assert_eq!(
        listed["envs"][0],
        json!({"id": "env_plain", "key": "NEXT_PUBLIC_SITE", "type": "plain", "target": ["production", "preview"], "gitBranch": null, "createdAt": 1730000000000_i64, "updatedAt": 1730000000000_i64})
    );
    assert_eq!(listed["envs"].as_array().unwrap().len(), 4);
}

#[test]
fn list_env_vars_with_show_values_shows_only_plain_values_and_never_asks_to_decrypt() {
    let (result, request) = call(
        &personal(),
        "VERCEL_LIST_ENV_VARS",
        json!({"project": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", "show_values": true}),
        envs(),
    );
    assert_get(
        &request,
        "/v10/projects/prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB/env",
        &[],
    );
    let listed = result.unwrap();
    let values: Vec<&Value> = listed["envs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|env| &env["value"])
        .collect();
    assert_eq!(
        values,
        [
            &json!("https://acme.com"),
            &json!("[hidden: encrypted value]"),
            &json!("[hidden: sensitive value]"),
            &json!("[hidden: system value]")
        ]
    );
    let text = listed.to_string();
    assert!(
        !text.contains("eyJ2Ij") && !text.contains("c2VjcmV0"),
        "{text}"
    );
}

#[test]
fn list_env_vars_takes_a_single_variable_answer_too() {
    let one = envs()["envs"][1].clone();
    let (result, _) = call(
        &personal(),
        "VERCEL_LIST_ENV_VARS",
        json!({"project": "my-app", "show_values": true}),
        one,
    );
    assert_eq!(
        result.unwrap()["envs"][0]["value"],
        "[hidden: encrypted value]"
    );
}

#[test]
fn create_env_var_posts_the_variable_and_answers_it_without_its_value() {
    let (result, request) = call(
        &in_team(),
        "VERCEL_CREATE_ENV_VAR",
        json!({"project": "my-app", "key": "API_URL", "value": "https://api.acme.com", "target": ["production", "preview"], "comment": "backend", "upsert": true}),
        json!({"created": {"id": "env_new", "key": "API_URL", "type": "encrypted", "value": "eyJ2IjoiMSJ9", "target": ["production", "preview"], "comment": "backend", "createdAt": 1740000000000_i64}, "failed": []}),
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/v10/projects/my-app/env")
    );
    assert_eq!(
        request.query(),
        pairs(&[("upsert", "true"), ("teamId", TEAM)])
    );
    assert_eq!(
        request.json(),
        json!({"key": "API_URL", "value": "https://api.acme.com", "type": "encrypted", "target": ["production", "preview"], "comment": "backend"})
    );
    assert_eq!(
        result.unwrap(),
        json!({"created": [{"id": "env_new", "key": "API_URL", "type": "encrypted", "target": ["production", "preview"], "comment": "backend", "createdAt": 1740000000000_i64}], "failed": []})
    );
}

#[test]
fn create_env_var_for_a_preview_branch_sends_git_branch() {
    let (result, request) = call(
        &personal(),
        "VERCEL_CREATE_ENV_VAR",
        json!({"project": "my-app", "key": "FEATURE_FLAG", "value": "on", "type": "plain", "target": ["preview"], "git_branch": "feature/login"}),
        json!({"created": [{"id": "env_b", "key": "FEATURE_FLAG", "type": "plain", "value": "on", "target": ["preview"], "gitBranch": "feature/login"}], "failed": []}),
    );
    assert_eq!(request.query(), pairs(&[]));
    assert_eq!(
        request.json(),
        json!({"key": "FEATURE_FLAG", "value": "on", "type": "plain", "target": ["preview"], "gitBranch": "feature/login"})
    );
    assert_eq!(
        result.unwrap()["created"][0],
        json!({"id": "env_b", "key": "FEATURE_FLAG", "type": "plain", "target": ["preview"], "gitBranch": "feature/login"})
    );
}

#[test]
fn create_env_var_refuses_what_vercel_would_before_sending() {
    let refused =
        |input: Value| testing::refused(&provider(), &personal(), "VERCEL_CREATE_ENV_VAR", input);
    let base = json!({"project": "my-app", "key": "A", "value": "v", "target": ["production"]});
    let with = |patch: Value| {
        let mut input = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            input[k] = v.clone();
        }
        input
    };
    assert!(
        matches!(refused(with(json!({"key": "1ABC"}))), Error::InvalidInput(m) if m.contains("not a variable name"))
    );
    assert!(
        matches!(refused(with(json!({"key": "MY-KEY"}))), Error::InvalidInput(m) if m.contains("not a variable name"))
    );
    assert_eq!(
        refused(with(json!({"target": []}))),
        Error::invalid_input("`target` must name at least one environment")
    );
    assert!(
        matches!(refused(with(json!({"type": "sensitive", "target": ["production", "development"]}))), Error::InvalidInput(m) if m.contains("development"))
    );
    assert!(
        matches!(refused(with(json!({"git_branch": "main"}))), Error::InvalidInput(m) if m.contains("preview"))
    );
}

#[test]
fn list_domains_pages_with_until() {
    let domain = json!({"id": "EmTbe5CEJyTk2yVAHBUWy4A3sRusca3GCwRjTC1bpeVnt1", "name": "acme.com", "verified": true, "serviceType": "zeit.world", "nameservers": ["ns1.vercel-dns.com", "ns2.vercel-dns.com"], "intendedNameservers": ["ns1.vercel-dns.com", "ns2.vercel-dns.com"], "createdAt": 1613602938882_i64, "expiresAt": null, "boughtAt": null, "renew": true, "creator": {"id": "ZspSRT4ljIEEmMHgoDwKWDei", "username": "alice", "email": "alice@acme.com"}});
    let (result, request) = call(
        &in_team(),
        "VERCEL_LIST_DOMAINS",
        json!({"limit": 1}),
        json!({"domains": [domain.clone()], "pagination": {"count": 1, "next": 1613602938881_i64, "prev": null}}),
    );
    assert_get(&request, "/v5/domains", &[("limit", "1"), ("teamId", TEAM)]);
    assert_eq!(
        result.unwrap(),
        json!({"domains": [domain], "next_cursor": "1613602938881"})
    );
    let (_, request) = call(
        &personal(),
        "VERCEL_LIST_DOMAINS",
        json!({"cursor": "1613602938881"}),
        json!({"domains": [], "pagination": {"count": 0, "next": null, "prev": null}}),
    );
    assert_get(
        &request,
        "/v5/domains",
        &[("limit", "20"), ("until", "1613602938881")],
    );
}

/// Runs VERCEL_GET_PROJECT against one answer and returns the error.
fn error_of(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "VERCEL_GET_PROJECT",
        json!({"project": "my-app"}),
        &personal(),
    )
    .unwrap_err()
}

#[test]
fn vercel_errors_map_to_the_contract() {
    let refused =
        json!({"error": {"code": "forbidden", "message": "Not authorized", "invalidToken": true}});
    assert_eq!(
        error_of(403, &[], refused),
        Error::unauthorized("Not authorized")
    );
    assert_eq!(
        error_of(
            401,
            &[],
            json!({"error": {"code": "unauthorized", "message": "The token is invalid"}})
        ),
        Error::unauthorized("The token is invalid")
    );
    assert_eq!(
        error_of(
            404,
            &[],
            json!({"error": {"code": "not_found", "message": "Project not found"}})
        ),
        Error::not_found("Project not found")
    );
    // A 403 without `invalidToken` (no access to the team) stays Vercel's refusal.
    let no_access = json!({"error": {"code": "forbidden", "message": "You don't have permission to access this team"}});
    assert!(matches!(
        error_of(403, &[], no_access),
        Error::Upstream { status: 403, message, .. } if message == "You don't have permission to access this team"
    ));
    assert!(matches!(
        error_of(400, &[], json!({"error": {"code": "bad_request", "message": "Invalid request: `limit` should be <= 100"}})),
        Error::Upstream { status: 400, message, .. } if message == "Invalid request: `limit` should be <= 100"
    ));
}

#[test]
fn rate_limits_carry_retry_after_or_the_time_until_the_reset() {
    let limited = json!({"error": {"code": "rate_limited", "message": "Rate limit exceeded", "limit": {"remaining": 0, "reset": 1, "resetMs": 1000, "total": 100}}});
    assert_eq!(
        error_of(429, &[("retry-after", "17")], limited.clone()),
        Error::rate_limited("Rate limit exceeded", Some(17))
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset = (now + 60).to_string();
    match error_of(
        429,
        &[
            ("x-ratelimit-reset", &reset),
            ("x-ratelimit-remaining", "0"),
        ],
        limited.clone(),
    ) {
        Error::RateLimited {
            message,
            retry_after_seconds: Some(seconds),
        } => {
            assert_eq!(message, "Rate limit exceeded");
            assert!((58..=60).contains(&seconds), "{seconds}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_of(429, &[], limited),
        Error::rate_limited("Rate limit exceeded", None)
    );
}

#[test]
fn after_connect_labels_the_account_and_checks_its_team() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"user": {"id": "96SnxkFiMyVKsK3pnoHfx3Hz", "email": "alice@acme.com", "name": "Alice Doe", "username": "alice", "defaultTeamId": null}}));
    transport.reply_json(200, json!({"id": TEAM, "slug": "acme", "name": "Acme Inc"}));
    let account = testing::after_connect(&provider(), &in_team()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Alice Doe (alice@acme.com), team Acme Inc")
    );
    let requests = transport.requests();
    assert_get(&requests[0], "/v2/user", &[]);
    assert_get(&requests[1], &format!("/v2/teams/{TEAM}"), &[]);

    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"user": {"id": "1", "email": "bob@acme.com", "name": null, "username": "bob"}}),
    );
    let account = testing::after_connect(&provider(), &personal()).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("bob (bob@acme.com)"));
    assert_eq!(transport.requests().len(), 1);

    // A team the user cannot reach is refused when connecting.
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"user": {"id": "1", "email": "bob@acme.com", "username": "bob"}}),
    );
    transport.reply_json(
        403,
        json!({"error": {"code": "forbidden", "message": "Not authorized"}}),
    );
    let error = testing::after_connect(&provider(), &in_team()).unwrap_err();
    assert!(matches!(error, Error::Upstream { status: 403, .. }));
}

#[test]
fn the_provider_declares_oauth_with_a_token_alternative_and_honest_hints() {
    let provider = provider();
    let read_only = [
        "VERCEL_LIST_PROJECTS",
        "VERCEL_GET_PROJECT",
        "VERCEL_LIST_DEPLOYMENTS",
        "VERCEL_GET_DEPLOYMENT",
        "VERCEL_GET_DEPLOYMENT_EVENTS",
        "VERCEL_LIST_ENV_VARS",
        "VERCEL_LIST_DOMAINS",
    ];
    let names: Vec<&str> = provider.actions().iter().map(|a| a.name()).collect();
    assert_eq!(names.len(), 10);
    for action in provider.actions() {
        let hints = action.hints();
        assert_eq!(
            hints.read_only,
            read_only.contains(&action.name()),
            "{}",
            action.name()
        );
        assert!(action.required_scopes().is_empty(), "{}", action.name());
    }
    for writer in ["VERCEL_REDEPLOY", "VERCEL_CREATE_ENV_VAR"] {
        let hints = provider.find(writer).unwrap().hints();
        assert!(
            !hints.read_only && !hints.destructive && !hints.idempotent,
            "{writer}"
        );
    }
    let schema = provider
        .find("VERCEL_CREATE_ENV_VAR")
        .unwrap()
        .input_schema();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["project", "key", "value", "target"]);
}
