//! The bundled Asana plugin against a stand-in that checks every request with Asana's own
//! OpenAPI description (`../shared/specs/asana`, with the overlay `asana`: search takes `limit`,
//! and task custom field values have each kind's type): the exact requests it sends, Asana's
//! `{"data": ...}` answers unwrapped and paged, its `errors[]` answers as the contract's errors,
//! the dynamic schema of ASANA_CREATE_TASK through the real host, from connecting the account
//! over OAuth to a call the host checks against the user's schema, and the personal access token
//! that may stand in for OAuth.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::validating::{ASANA, Fixture, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "asana.wasm";
const TOKEN: &str = "2/1200/1209:asana-alice";

const TASK_FIELDS: &str = "name,resource_subtype,notes,completed,completed_at,due_on,due_at,start_on,assignee.name,created_at,modified_at,parent.name,projects.name,memberships.project.name,memberships.section.name,tags.name,followers.name,custom_fields.name,custom_fields.resource_subtype,custom_fields.display_value,num_subtasks,workspace.name,permalink_url";
const TASK_LIST_FIELDS: &str = "name,resource_subtype,completed,completed_at,due_on,due_at,assignee.name,parent.name,modified_at,permalink_url";

async fn asana(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Alice, connected with the default scopes; her account's default workspace is 1100.
fn alice() -> CallContext {
    let mut call = alice_with(
        TOKEN,
        &[
            "workspaces:read",
            "users:read",
            "projects:read",
            "projects:write",
            "tasks:read",
            "tasks:write",
            "stories:write",
        ],
    );
    call.fields.insert("workspace".into(), "1100".into());
    call
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&ASANA, FILE, &alice(), (test, action, params), fixture).await
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

/// The query as decoded pairs, in order.
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

/// A task as Asana's "Get a task" reference shows it (trimmed to the fields the plugin asks for).
fn task(gid: &str, name: &str) -> Value {
    json!({
        "gid": gid,
        "resource_type": "task",
        "name": name,
        "resource_subtype": "default_task",
        "notes": "Mittens really likes the stuff from Humboldt.",
        "completed": false,
        "completed_at": null,
        "due_on": "2025-09-15",
        "due_at": null,
        "start_on": null,
        "assignee": {"gid": "1200", "resource_type": "user", "name": "Greg Sanchez"},
        "created_at": "2025-03-02T09:30:00.000Z",
        "modified_at": "2025-03-04T10:00:00.000Z",
        "parent": null,
        "projects": [{"gid": "1400", "resource_type": "project", "name": "Stuff to buy"}],
        "memberships": [{"project": {"gid": "1400", "resource_type": "project", "name": "Stuff to buy"}, "section": {"gid": "1600", "resource_type": "section", "name": "Next Actions"}}],
        "tags": [],
        "followers": [{"gid": "1200", "resource_type": "user", "name": "Greg Sanchez"}],
        "custom_fields": [{"gid": "2001", "resource_type": "custom_field", "name": "Priority", "resource_subtype": "enum", "display_value": "High"}],
        "num_subtasks": 0,
        "workspace": {"gid": "1100", "resource_type": "workspace", "name": "My Company Workspace"},
        "permalink_url": format!("https://app.asana.com/0/1400/{gid}")
    })
}

/// Custom field settings of project 1400, as Asana answers them with the plugin's `opt_fields`.
fn settings() -> Value {
    json!({"data": [
        {"gid": "9001", "resource_type": "custom_field_setting", "custom_field": {"gid": "2001", "resource_type": "custom_field", "name": "Priority", "resource_subtype": "enum", "enum_options": [
            {"gid": "3001", "resource_type": "enum_option", "name": "High", "enabled": true},
            {"gid": "3002", "resource_type": "enum_option", "name": "Low", "enabled": true}
        ], "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9002", "resource_type": "custom_field_setting", "custom_field": {"gid": "2002", "resource_type": "custom_field", "name": "Estimate", "resource_subtype": "number", "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9003", "resource_type": "custom_field_setting", "custom_field": {"gid": "2003", "resource_type": "custom_field", "name": "Launch date", "resource_subtype": "date", "is_formula_field": false, "is_value_read_only": false}}
    ], "next_page": null})
}

/// Every action with every parameter it takes, in one session: the description accepts each
/// request, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_asanas_description_accepts() {
    let standin = ASANA.session("asana_every_action");
    let list = |data: Value| Reply::json(200, json!({"data": data, "next_page": null}));
    for (operation, reply) in [
        (
            "GET /workspaces",
            list(
                json!([{"gid": "1100", "resource_type": "workspace", "name": "My Company Workspace", "is_organization": true}]),
            ),
        ),
        (
            "GET /projects",
            list(
                json!([{"gid": "1400", "resource_type": "project", "name": "Stuff to buy", "archived": false}]),
            ),
        ),
        (
            "POST /projects",
            Reply::json(
                201,
                json!({"data": {"gid": "1401", "resource_type": "project", "name": "Launch"}}),
            ),
        ),
        (
            "GET /tasks",
            list(json!([{"gid": "1500", "resource_type": "task", "name": "Buy catnip"}])),
        ),
        (
            "GET /workspaces/{workspace_gid}/tasks/search",
            Reply::json(
                200,
                json!({"data": [{"gid": "1500", "resource_type": "task", "name": "Buy catnip", "created_at": "2025-03-02T09:30:00.000Z"}]}),
            ),
        ),
        (
            "GET /tasks/{task_gid}",
            Reply::json(200, json!({"data": task("1500", "Buy catnip")})),
        ),
        (
            "GET /projects/{project_gid}/custom_field_settings",
            Reply::json(200, settings()),
        ),
        (
            "POST /tasks",
            Reply::json(201, json!({"data": task("1501", "Buy kibble")})),
        ),
        (
            "POST /sections/{section_gid}/addTask",
            Reply::json(200, json!({"data": {}})),
        ),
        (
            "PUT /tasks/{task_gid}",
            Reply::json(200, json!({"data": task("1500", "Buy catnip")})),
        ),
        (
            "POST /tasks/{task_gid}/stories",
            Reply::json(
                201,
                json!({"data": {"gid": "1800", "resource_type": "story", "resource_subtype": "comment_added", "text": "Bought", "created_at": "2025-03-05T08:00:00.000Z", "created_by": {"gid": "1200", "resource_type": "user", "name": "Greg Sanchez"}, "is_pinned": false}}),
            ),
        ),
    ] {
        standin.answer(Fixture::operation(operation, reply)).await;
    }
    let (runtime, plugin) = asana(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "ASANA_LIST_WORKSPACES",
            json!({"limit": 10, "cursor": "eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9"}),
            &["GET /workspaces"],
        ),
        (
            "ASANA_LIST_PROJECTS",
            json!({"archived": false, "limit": 100}),
            &["GET /projects"],
        ),
        (
            "ASANA_LIST_PROJECTS",
            json!({"team": "1300"}),
            &["GET /projects"],
        ),
        (
            "ASANA_CREATE_PROJECT",
            json!({"name": "Launch", "team": "1300", "notes": "Q3", "default_view": "timeline", "privacy_setting": "public_to_workspace", "start_on": "2025-07-01", "due_on": "2025-09-30"}),
            &["POST /projects"],
        ),
        (
            "ASANA_LIST_TASKS",
            json!({"project": "1400", "completed_since": "2025-03-01T00:00:00Z", "modified_since": "2025-02-01T00:00:00Z", "limit": 100, "cursor": "b2Zmc2V0"}),
            &["GET /tasks"],
        ),
        (
            "ASANA_LIST_TASKS",
            json!({"section": "1600"}),
            &["GET /tasks"],
        ),
        (
            "ASANA_LIST_TASKS",
            json!({"assignee": "me"}),
            &["GET /tasks"],
        ),
        (
            "ASANA_SEARCH_TASKS",
            json!({"text": "catnip", "assignees": ["me"], "projects": ["1400", "1401"], "sections": ["1600"], "tags": ["1700"], "completed": false, "is_subtask": false, "due_on_before": "2025-12-31", "due_on_after": "2025-01-01", "modified_since": "2025-01-01T00:00:00Z", "limit": 100, "cursor": "2025-03-02T09:30:00.000Z"}),
            &["GET /workspaces/{workspace_gid}/tasks/search"],
        ),
        (
            "ASANA_SEARCH_TASKS",
            json!({"sort_by": "due_date", "sort_ascending": true}),
            &["GET /workspaces/{workspace_gid}/tasks/search"],
        ),
        (
            "ASANA_GET_TASK",
            json!({"task_gid": "1500"}),
            &["GET /tasks/{task_gid}"],
        ),
        (
            "ASANA_CREATE_TASK",
            json!({"name": "Buy kibble", "notes": "The big bag", "assignee": "me", "due_on": "2025-09-30", "start_on": "2025-09-01", "project": "1400", "section": "1600", "resource_subtype": "default_task", "tags": ["1700"], "followers": ["greg@example.com"], "custom_fields": {"Priority": "High", "2002": 3, "2003": "2025-09-15"}}),
            &[
                "GET /projects/{project_gid}/custom_field_settings",
                "POST /tasks",
                "POST /sections/{section_gid}/addTask",
            ],
        ),
        (
            "ASANA_CREATE_TASK",
            json!({"name": "Weigh the bag", "parent": "1501", "html_notes": "<body>In <b>kg</b></body>", "due_at": "2025-09-30T15:00:00Z"}),
            &["POST /tasks"],
        ),
        (
            "ASANA_CREATE_TASK",
            json!({"name": "Call the vet"}),
            &["POST /tasks"],
        ),
        (
            "ASANA_UPDATE_TASK",
            json!({"task_gid": "1500", "completed": true, "name": "Buy catnip (done)", "notes": "Bought two", "assignee": null, "due_on": null, "start_on": null, "custom_fields": {"2001": "3002", "2002": 4.5}}),
            &["PUT /tasks/{task_gid}"],
        ),
        (
            "ASANA_ADD_COMMENT",
            json!({"task_gid": "1500", "text": "Bought", "is_pinned": false}),
            &["POST /tasks/{task_gid}/stories"],
        ),
        (
            "ASANA_ADD_COMMENT",
            json!({"task_gid": "1500", "html_text": "<body>Bought <strong>two</strong></body>"}),
            &["POST /tasks/{task_gid}/stories"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    // Answers come unwrapped from `data`; lists as `items` and `next_cursor`.
    assert_eq!(outputs[0]["items"][0]["gid"], "1100");
    assert_eq!(outputs[0]["next_cursor"], Value::Null);
    assert_eq!(outputs[3]["gid"], "1401");
    assert_eq!(outputs[9], task("1500", "Buy catnip"));
    assert_eq!(outputs[10]["gid"], "1501");
    assert_eq!(outputs[14]["resource_subtype"], "comment_added");

    let requests = standin.requests().await;
    for request in &requests {
        assert_bearer(request);
    }
    // The account's default workspace fills in what a call leaves out.
    assert_eq!(
        query(&requests[1]),
        pairs(&[
            ("workspace", "1100"),
            ("archived", "false"),
            ("limit", "100"),
            (
                "opt_fields",
                "name,archived,color,team.name,due_on,modified_at,permalink_url"
            )
        ])
    );
    assert_eq!(
        query(&requests[6]),
        pairs(&[
            ("assignee", "me"),
            ("workspace", "1100"),
            ("limit", "50"),
            ("opt_fields", TASK_LIST_FIELDS)
        ])
    );
    assert_eq!(requests[7].path, "/workspaces/1100/tasks/search");
    assert_eq!(
        requests[3].json(),
        json!({"data": {"name": "Launch", "workspace": "1100", "team": "1300", "notes": "Q3", "default_view": "timeline", "privacy_setting": "public_to_workspace", "start_on": "2025-07-01", "due_on": "2025-09-30"}})
    );
    // Custom fields by name or gid become Asana's gids and values.
    assert_eq!(
        requests[11].json(),
        json!({"data": {"name": "Buy kibble", "resource_subtype": "default_task", "notes": "The big bag", "assignee": "me", "due_on": "2025-09-30", "start_on": "2025-09-01", "projects": ["1400"], "tags": ["1700"], "followers": ["greg@example.com"], "custom_fields": {"2001": "3001", "2002": 3, "2003": {"date": "2025-09-15"}}}})
    );
    assert_eq!(query(&requests[11]), pairs(&[("opt_fields", TASK_FIELDS)]));
    assert_eq!(requests[12].path, "/sections/1600/addTask");
    assert_eq!(requests[12].json(), json!({"data": {"task": "1501"}}));
    assert_eq!(
        requests[14].json(),
        json!({"data": {"name": "Call the vet", "workspace": "1100"}})
    );
    assert_eq!(
        requests[15].json(),
        json!({"data": {"name": "Buy catnip (done)", "notes": "Bought two", "assignee": null, "due_on": null, "start_on": null, "completed": true, "custom_fields": {"2001": "3002", "2002": 4.5}}})
    );
}

#[tokio::test]
async fn list_tasks_fetches_the_second_page_with_the_returned_cursor() {
    let standin = ASANA.session("asana_pages");
    let offset = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";
    standin
        .answer(
            Fixture::operation(
                "GET /tasks",
                Reply::json(
                    200,
                    json!({"data": [{"gid": "1502", "resource_type": "task", "name": "Second"}], "next_page": null}),
                ),
            )
            .with_query("offset", offset),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /tasks",
            Reply::json(
                200,
                json!({"data": [{"gid": "1501", "resource_type": "task", "name": "First"}], "next_page": {"offset": offset, "path": format!("/tasks?project=1400&limit=1&offset={offset}"), "uri": format!("https://app.asana.com/api/1.0/tasks?project=1400&limit=1&offset={offset}")}}),
            ),
        ))
        .await;
    let (runtime, plugin) = asana(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "ASANA_LIST_TASKS",
            &json!({"project": "1400", "limit": 1}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(
        first,
        json!({"items": [{"gid": "1501", "resource_type": "task", "name": "First"}], "next_cursor": offset})
    );
    let (second, _) = runtime
        .execute(
            &plugin,
            "ASANA_LIST_TASKS",
            &json!({"project": "1400", "limit": 1, "cursor": first["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        second.unwrap(),
        json!({"items": [{"gid": "1502", "resource_type": "task", "name": "Second"}], "next_cursor": null})
    );
    let queries: Vec<Vec<(String, String)>> = standin.requests().await.iter().map(query).collect();
    assert_eq!(
        queries,
        [
            pairs(&[
                ("project", "1400"),
                ("limit", "1"),
                ("opt_fields", TASK_LIST_FIELDS)
            ]),
            pairs(&[
                ("project", "1400"),
                ("limit", "1"),
                ("offset", offset),
                ("opt_fields", TASK_LIST_FIELDS)
            ]),
        ]
    );
}

#[tokio::test]
async fn search_pages_by_creation_time() {
    let standin = ASANA.session("asana_search_pages");
    standin
        .answer(Fixture::operation(
            "GET /workspaces/{workspace_gid}/tasks/search",
            Reply::json(
                200,
                json!({"data": [
                    {"gid": "1502", "resource_type": "task", "name": "Fix logout", "created_at": "2025-03-04T10:00:00.000Z"},
                    {"gid": "1501", "resource_type": "task", "name": "Fix login", "created_at": "2025-03-02T09:30:00.000Z"}
                ]}),
            ),
        ))
        .await;
    let (runtime, plugin) = asana(&standin).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "ASANA_SEARCH_TASKS",
            &json!({"text": "fix", "limit": 2}),
            &alice(),
        )
        .await;
    let cursor = first.unwrap()["next_cursor"].clone();
    assert_eq!(cursor, "2025-03-02T09:30:00.000Z");
    runtime
        .execute(
            &plugin,
            "ASANA_SEARCH_TASKS",
            &json!({"text": "fix", "limit": 2, "cursor": cursor}),
            &alice(),
        )
        .await
        .0
        .unwrap();
    let requests = standin.requests().await;
    let fields = format!("{TASK_LIST_FIELDS},created_at");
    assert_eq!(
        query(&requests[1]),
        pairs(&[
            ("text", "fix"),
            ("created_at.before", "2025-03-02T09:30:00.000Z"),
            ("sort_by", "created_at"),
            ("sort_ascending", "false"),
            ("limit", "2"),
            ("opt_fields", &fields)
        ])
    );
}

/// Asana's error envelope as its "Errors" page shows it.
fn asana_error(message: &str) -> Value {
    json!({"errors": [{"message": message, "help": "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]})
}

#[tokio::test]
async fn asanas_errors_reach_the_caller_as_the_contracts_errors() {
    let forbidden = asana_error("You do not have access to this task.");
    let premium =
        asana_error("Search is only available to premium users. Please upgrade your organization.");
    let cases = [
        (
            "GET /tasks/{task_gid}",
            "ASANA_GET_TASK",
            json!({"task_gid": "1500"}),
            Reply::json(401, asana_error("Not Authorized")),
            ActionError::Unauthorized("Not Authorized".into()),
        ),
        (
            "GET /tasks/{task_gid}",
            "ASANA_GET_TASK",
            json!({"task_gid": "1500"}),
            Reply::json(404, asana_error("task: Unknown object: 1500")),
            ActionError::NotFound("task: Unknown object: 1500".into()),
        ),
        (
            "PUT /tasks/{task_gid}",
            "ASANA_UPDATE_TASK",
            json!({"task_gid": "1500", "completed": true}),
            Reply::json(
                429,
                asana_error("You have made too many requests recently. Please, be chill."),
            )
            .header("retry-after", "30"),
            ActionError::RateLimited {
                message: "You have made too many requests recently. Please, be chill.".into(),
                retry_after_seconds: Some(30),
            },
        ),
        (
            "PUT /tasks/{task_gid}",
            "ASANA_UPDATE_TASK",
            json!({"task_gid": "1500", "completed": true}),
            Reply::json(403, forbidden.clone()),
            ActionError::Upstream {
                status: 403,
                message: "You do not have access to this task.".into(),
                body: Some(forbidden.to_string()),
            },
        ),
        (
            "GET /workspaces/{workspace_gid}/tasks/search",
            "ASANA_SEARCH_TASKS",
            json!({"text": "x"}),
            Reply::json(402, premium.clone()),
            ActionError::Upstream {
                status: 402,
                message:
                    "Search is only available to premium users. Please upgrade your organization."
                        .into(),
                body: Some(premium.to_string()),
            },
        ),
    ];
    for (i, (operation, action, params, reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("asana_error_{i}"),
            action,
            params,
            Fixture::operation(operation, reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected), "{action}");
        assert_eq!(standin.requests().await.len(), 1, "{action}");
    }
}

/// The projects of workspace 1100 with their custom field settings, as `GET /projects` answers
/// them with the plugin's `opt_fields`.
fn projects_with_fields() -> Value {
    let settings = settings();
    let priority = &settings["data"][0]["custom_field"];
    json!({"data": [
        {"gid": "1400", "resource_type": "project", "name": "Stuff to buy", "custom_field_settings": [
            {"gid": "9001", "resource_type": "custom_field_setting", "custom_field": priority},
            {"gid": "9002", "resource_type": "custom_field_setting", "custom_field": settings["data"][1]["custom_field"]}
        ]},
        {"gid": "1401", "resource_type": "project", "name": "Launch", "custom_field_settings": [
            {"gid": "9011", "resource_type": "custom_field_setting", "custom_field": priority}
        ]}
    ], "next_page": null})
}

/// The whole path of a dynamic schema through the real host: the account connects over OAuth
/// (the connect step labels it from `/users/me` and keeps its workspace), `GET /actions` shows
/// ASANA_CREATE_TASK with the workspace's custom fields (described once, then cached), the host
/// refuses a value the user's schema does not allow before any request, a valid call creates
/// the task with Asana's option gid, and `reload_fields=true` describes again.
#[tokio::test]
async fn the_create_task_schema_is_described_per_account_through_the_host() {
    let standin = ASANA.session("asana_dynamic");
    standin
        .answer(Fixture::operation(
            "GET /users/{user_gid}",
            Reply::json(
                200,
                json!({"data": {"gid": "1200", "resource_type": "user", "name": "Greg Sanchez", "email": "gsanchez@example.com", "workspaces": [{"gid": "1100", "resource_type": "workspace", "name": "My Company Workspace"}]}}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /projects",
            Reply::json(200, projects_with_fields()),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /projects/{project_gid}/custom_field_settings",
            Reply::json(200, settings()),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /tasks",
            Reply::json(201, json!({"data": task("1501", "Buy kibble")})),
        ))
        .await;
    // Asana's token endpoint answers without `scope`: the requested scopes are granted.
    let tokens = StandIn::start(|_| {
        Reply::json(
            200,
            json!({"access_token": "asana-access-1", "token_type": "bearer", "expires_in": 3600, "refresh_token": "asana-refresh-1", "data": {"id": 1200, "gid": "1200", "name": "Greg Sanchez", "email": "gsanchez@example.com"}}),
        )
    })
    .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let put = app
        .as_admin(
            "PUT",
            "/admin/connections/asana",
            Some(json!({"client_id": "asana-client", "client_secret": "asana-secret", "token_url": format!("{}/-/oauth_token", tokens.url())})),
        )
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let started = app
        .as_user("greg", "POST", "/connected-accounts/asana/authorize", None)
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let url = url::Url::parse(started.body["authorization_url"].as_str().unwrap()).unwrap();
    assert_eq!(
        (url.host_str(), url.path()),
        (Some("app.asana.com"), "/-/oauth_authorize")
    );
    let params: std::collections::HashMap<String, String> =
        url.query_pairs().into_owned().collect();
    assert_eq!(
        params["scope"],
        "workspaces:read users:read projects:read projects:write tasks:read tasks:write stories:write"
    );
    assert_eq!(params["code_challenge_method"], "S256");
    let callback = app
        .call(
            "GET",
            &format!("/oauth/callback?code=asana-code&state={}", params["state"]),
            None,
            None,
        )
        .await;
    assert_eq!(callback.status, 200, "{callback:?}");
    let accounts = app
        .as_user("greg", "GET", "/connected-accounts", None)
        .await;
    let account = &accounts.body.as_array().unwrap()[0];
    assert_eq!(account["status"], "active", "{account}");
    assert_eq!(account["label"], "Greg Sanchez (gsanchez@example.com)");
    assert_eq!(account["fields"], json!({"workspace": "1100"}));

    let schema = |body: &Value| {
        body["actions"]["asana"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["function"]["name"] == "ASANA_CREATE_TASK")
            .unwrap()["function"]["parameters"]["properties"]["custom_fields"]
            .clone()
    };
    let listed = app
        .as_user("greg", "GET", "/actions?integrations=asana", None)
        .await;
    assert_eq!(listed.body["errors"], json!([]), "{listed:?}");
    assert_eq!(
        schema(&listed.body)["properties"],
        json!({
            "2001": {"type": "string", "enum": ["High", "Low"], "description": "Priority (enum). On projects: Stuff to buy, Launch."},
            "2002": {"type": "number", "description": "Estimate (number). On projects: Stuff to buy."}
        })
    );
    assert_eq!(schema(&listed.body)["additionalProperties"], false);

    // The user's schema is enforced by the host: an option the field does not have, or a field
    // no project has, is refused before the plugin runs.
    for bad in [json!({"2001": "Urgent"}), json!({"9999": "x"})] {
        let refused = app
            .as_user(
                "greg",
                "POST",
                "/actions",
                Some(json!({"action": "ASANA_CREATE_TASK", "parameters": {"name": "Buy kibble", "project": "1400", "custom_fields": bad}})),
            )
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "invalid_parameters"),
            "{refused:?}"
        );
    }
    let created = app
        .as_user(
            "greg",
            "POST",
            "/actions",
            Some(json!({"action": "ASANA_CREATE_TASK", "parameters": {"name": "Buy kibble", "project": "1400", "custom_fields": {"2001": "Low", "2002": 2}}})),
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["gid"], "1501");

    app.as_user(
        "greg",
        "GET",
        "/actions?integrations=asana&reload_fields=true",
        None,
    )
    .await;
    let requests = standin.checked().await;
    let operations: Vec<&str> = requests
        .iter()
        .map(|c| c.operation.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(
        operations,
        [
            "GET /users/{user_gid}",
            "GET /projects",
            "GET /projects/{project_gid}/custom_field_settings",
            "POST /tasks",
            "GET /projects",
        ]
    );
    standin.assert_no_violations().await;
    let sent: Vec<&Recorded> = requests.iter().map(|c| &c.request).collect();
    assert_eq!(sent[0].path, "/users/me");
    assert_eq!(
        sent[0].header("authorization"),
        Some("Bearer asana-access-1")
    );
    assert_eq!(
        query(sent[1]),
        pairs(&[
            ("workspace", "1100"),
            ("archived", "false"),
            ("limit", "100"),
            (
                "opt_fields",
                "name,custom_field_settings.custom_field.name,custom_field_settings.custom_field.resource_subtype,custom_field_settings.custom_field.enum_options.name,custom_field_settings.custom_field.enum_options.enabled,custom_field_settings.custom_field.is_formula_field,custom_field_settings.custom_field.is_value_read_only"
            ),
        ])
    );
    assert_eq!(
        sent[3].json()["data"]["custom_fields"],
        json!({"2001": "3002", "2002": 2})
    );
}

/// The alternative to OAuth (contract 0.3): a personal access token given through the host's
/// API. The connect step checks it with `/users/me` and keeps the workspace; calls carry it as a
/// bearer token, exactly as they carry an OAuth token.
#[tokio::test]
async fn a_personal_access_token_connects_and_is_sent_as_a_bearer_token() {
    const PAT: &str = "2/1200/1210:pat-of-greg";
    let standin = ASANA.session("asana_pat");
    standin
        .answer(Fixture::operation(
            "GET /users/{user_gid}",
            Reply::json(
                200,
                json!({"data": {"gid": "1200", "resource_type": "user", "name": "Greg Sanchez", "email": "gsanchez@example.com", "workspaces": [{"gid": "1100", "resource_type": "workspace", "name": "My Company Workspace"}]}}),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /tasks/{task_gid}",
            Reply::json(200, json!({"data": task("1500", "Buy catnip")})),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("greg", "GET", "/integrations", None).await;
    let entry = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "asana")
        .expect("asana is bundled")
        .clone();
    assert_eq!(entry["auth"]["type"], "oauth2", "{entry}");
    assert_eq!(entry["alternative_auth"], json!([{"type": "api_key"}]));

    app.connect("greg", "asana", json!({"api_key": PAT})).await;
    let accounts = app
        .as_user("greg", "GET", "/connected-accounts", None)
        .await;
    let account = &accounts.body.as_array().unwrap()[0];
    assert_eq!(account["label"], "Greg Sanchez (gsanchez@example.com)");
    assert_eq!(account["fields"], json!({"workspace": "1100"}));
    let got = app
        .as_user(
            "greg",
            "POST",
            "/actions",
            Some(json!({"action": "ASANA_GET_TASK", "parameters": {"task_gid": "1500"}})),
        )
        .await;
    assert_eq!((got.status, got.body), (200, task("1500", "Buy catnip")));
    let requests = standin.requests().await;
    let sent: Vec<(&str, Option<&str>)> = requests
        .iter()
        .map(|r| (r.path.as_str(), r.header("authorization")))
        .collect();
    let bearer = format!("Bearer {PAT}");
    assert_eq!(
        sent,
        [
            ("/users/me", Some(bearer.as_str())),
            ("/tasks/1500", Some(bearer.as_str()))
        ]
    );
}

const BEARER: (&str, &str) = ("authorization", "Bearer 2/1200/1209:asana-alice");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Asana's description (with the overlay) refuses, so a stand-in
/// that accepts everything fails here. (The description's security is not checked: Asana's
/// operations also accept its `personalAccessToken` bearer scheme, which openapi-core skips;
/// the tests above assert the bearer header themselves.)
#[tokio::test]
async fn asanas_description_refuses_what_asana_would_refuse() {
    assert_refused(
        &ASANA,
        "asana_refused",
        &[
            Refused {
                method: "GET",
                path_and_query: "/tasks?project=1400&limit=500",
                headers: &[BEARER],
                body: "",
                because: "500 is greater than the maximum of 100",
            },
            Refused {
                method: "GET",
                path_and_query: "/tasks/1500?opt_fields=name,secret_sauce",
                headers: &[BEARER],
                body: "",
                because: "'secret_sauce' is not one of",
            },
            Refused {
                method: "GET",
                path_and_query: "/tasks?project=1400&page=2",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'page' is not declared",
            },
            Refused {
                method: "PUT",
                path_and_query: "/tasks/1500",
                headers: &[BEARER, JSON],
                body: r#"{"data": {"completed": "yes"}}"#,
                because: "data/completed: 'yes' is not of type 'boolean'",
            },
            Refused {
                method: "POST",
                path_and_query: "/tasks",
                headers: &[BEARER, JSON],
                body: r#"{"data": {"name": "x", "custom_fields": {"2001": true}}}"#,
                because: "data/custom_fields/2001: True is not valid under any of the given schemas",
            },
            Refused {
                method: "GET",
                path_and_query: "/workspaces/1100/tasks/search?limit=101",
                headers: &[BEARER],
                body: "",
                because: "101 is greater than the maximum of 100",
            },
            Refused {
                method: "DELETE",
                path_and_query: "/workspaces",
                headers: &[BEARER],
                body: "",
                because: "OperationNotFound",
            },
            Refused {
                method: "GET",
                path_and_query: "/task/1500",
                headers: &[BEARER],
                body: "",
                because: "PathNotFound",
            },
        ],
    )
    .await;
}

/// Known good: "Create a task" as Asana's reference shows it, the fields in `data`.
#[tokio::test]
async fn asanas_description_accepts_a_create_task_from_asanas_docs() {
    assert_accepted(
        &ASANA,
        "asana_docs_create_task",
        (
            "POST",
            "/tasks",
            &[BEARER, JSON],
            r#"{"data": {"name": "Buy catnip", "approval_status": "pending", "assignee_status": "upcoming", "completed": false, "due_on": "2019-09-15", "html_notes": "<body>Mittens <em>really</em> likes the stuff from Humboldt.</body>", "liked": true, "assignee": "12345", "custom_fields": {"5678904321": "On Hold", "4578152156": "Not Started"}, "followers": ["12345"], "parent": "12345", "projects": ["12345"], "tags": ["12345"], "workspace": "12345"}}"#,
        ),
        "POST /tasks",
    )
    .await;
}
