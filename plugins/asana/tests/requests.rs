//! The exact request every Asana action sends (method, path, query, headers, body), how Asana's
//! `{"data": ...}` answers are unwrapped and paged, how its `errors[]` answers map to errors, and
//! the dynamic schema of ASANA_CREATE_TASK, run natively against the SDK's test transport.

use actionhost_plugin_asana::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, Error};
use serde_json::{Value, json};

const TASK_FIELDS: &str = "name,resource_subtype,notes,completed,completed_at,due_on,due_at,start_on,assignee.name,created_at,modified_at,parent.name,projects.name,memberships.project.name,memberships.section.name,tags.name,followers.name,custom_fields.name,custom_fields.resource_subtype,custom_fields.display_value,num_subtasks,workspace.name,permalink_url";
const TASK_LIST_FIELDS: &str = "name,resource_subtype,completed,completed_at,due_on,due_at,assignee.name,parent.name,modified_at,permalink_url";

/// Alice's account, whose default workspace was found when it connected.
fn alice() -> Context {
    Context::new("alice").with_field("workspace", "1100")
}

/// Runs `action` once against queued JSON answers; returns its result and the requests.
fn call(
    action: &str,
    input: Value,
    answers: &[Value],
) -> (Result<Value, Error>, Vec<RecordedRequest>) {
    let transport = Transport::install();
    for answer in answers {
        transport.reply_json(200, answer.clone());
    }
    let result = testing::run(&provider(), action, input, &alice());
    (result, transport.requests())
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
}

fn assert_json(request: &RecordedRequest, method: &str, path: &str, body: Value) {
    assert_eq!(
        (request.method.as_str(), request.path()),
        (method, path),
        "{request:?}"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.json(), body);
}

#[test]
fn list_workspaces_unwraps_data_and_returns_the_next_offset_as_cursor() {
    let (result, requests) = call(
        "ASANA_LIST_WORKSPACES",
        json!({"limit": 2}),
        &[
            json!({"data": [{"gid": "1100", "resource_type": "workspace", "name": "Acme"}], "next_page": {"offset": "eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9", "path": "/workspaces?limit=2&offset=eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9", "uri": "https://app.asana.com/api/1.0/workspaces?limit=2&offset=eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9"}}),
        ],
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"gid": "1100", "resource_type": "workspace", "name": "Acme"}], "next_cursor": "eyJ0eXAiOJiKV1iQLCJhbGciOiJIUzI1NiJ9"})
    );
    assert_get(
        &requests[0],
        "/api/1.0/workspaces",
        &[("limit", "2"), ("opt_fields", "name,is_organization")],
    );
    assert_eq!(
        requests[0].url,
        "https://app.asana.com/api/1.0/workspaces?limit=2&opt_fields=name%2Cis_organization"
    );
}

#[test]
fn a_second_page_is_fetched_with_the_returned_cursor_and_the_last_page_has_none() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": [{"gid": "1"}], "next_page": {"offset": "b2Zmc2V0LTI", "path": "/projects?offset=b2Zmc2V0LTI", "uri": "https://app.asana.com/api/1.0/projects?offset=b2Zmc2V0LTI"}}),
    );
    transport.reply_json(200, json!({"data": [{"gid": "2"}], "next_page": null}));
    let first = testing::run(
        &provider(),
        "ASANA_LIST_PROJECTS",
        json!({"limit": 1, "archived": false}),
        &alice(),
    )
    .unwrap();
    assert_eq!(first["next_cursor"], "b2Zmc2V0LTI");
    let second = testing::run(
        &provider(),
        "ASANA_LIST_PROJECTS",
        json!({"limit": 1, "archived": false, "cursor": first["next_cursor"]}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        second,
        json!({"items": [{"gid": "2"}], "next_cursor": null})
    );
    let fields = "name,archived,color,team.name,due_on,modified_at,permalink_url";
    let requests = transport.requests();
    assert_get(
        &requests[0],
        "/api/1.0/projects",
        &[
            ("workspace", "1100"),
            ("archived", "false"),
            ("limit", "1"),
            ("opt_fields", fields),
        ],
    );
    assert_get(
        &requests[1],
        "/api/1.0/projects",
        &[
            ("workspace", "1100"),
            ("archived", "false"),
            ("limit", "1"),
            ("offset", "b2Zmc2V0LTI"),
            ("opt_fields", fields),
        ],
    );
}

#[test]
fn list_projects_of_a_team_leaves_the_workspace_to_the_team() {
    let (_, requests) = call(
        "ASANA_LIST_PROJECTS",
        json!({"team": "1300"}),
        &[json!({"data": []})],
    );
    assert_eq!(
        requests[0].query(),
        pairs(&[
            ("team", "1300"),
            ("limit", "50"),
            (
                "opt_fields",
                "name,archived,color,team.name,due_on,modified_at,permalink_url"
            )
        ])
    );
}

#[test]
fn without_a_default_workspace_a_workspace_is_asked_for() {
    let transport = Transport::install();
    let error = testing::run(
        &provider(),
        "ASANA_LIST_PROJECTS",
        json!({}),
        &Context::new("bob"),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.starts_with("give `workspace`")),
        "{error:?}"
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn create_project_posts_data_in_the_default_workspace() {
    let project = json!({"gid": "1400", "name": "Launch", "permalink_url": "https://app.asana.com/0/1400/list"});
    let (result, requests) = call(
        "ASANA_CREATE_PROJECT",
        json!({"name": "Launch", "team": "1300", "notes": "Q3 launch", "default_view": "board", "privacy_setting": "private_to_team", "start_on": "2025-07-01", "due_on": "2025-09-30"}),
        &[json!({"data": project})],
    );
    assert_eq!(result.unwrap(), project);
    assert_json(
        &requests[0],
        "POST",
        "/api/1.0/projects",
        json!({"data": {"name": "Launch", "workspace": "1100", "team": "1300", "notes": "Q3 launch", "default_view": "board", "privacy_setting": "private_to_team", "start_on": "2025-07-01", "due_on": "2025-09-30"}}),
    );
    assert_eq!(
        requests[0].query(),
        pairs(&[(
            "opt_fields",
            "name,archived,color,team.name,due_on,modified_at,permalink_url"
        )])
    );
}

#[test]
fn create_project_refuses_a_start_without_a_due_date() {
    let (result, requests) = call(
        "ASANA_CREATE_PROJECT",
        json!({"name": "Launch", "start_on": "2025-07-01"}),
        &[],
    );
    assert!(
        matches!(result, Err(Error::InvalidInput(m)) if m.contains("`start_on` needs `due_on`"))
    );
    assert!(requests.is_empty());
}

#[test]
fn list_tasks_of_a_project_completed_since_a_time() {
    let (result, requests) = call(
        "ASANA_LIST_TASKS",
        json!({"project": "1400", "completed_since": "2025-03-01T00:00:00Z", "limit": 20, "cursor": "c2"}),
        &[json!({"data": [{"gid": "1500", "name": "Draft"}], "next_page": null})],
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [{"gid": "1500", "name": "Draft"}], "next_cursor": null})
    );
    assert_get(
        &requests[0],
        "/api/1.0/tasks",
        &[
            ("project", "1400"),
            ("completed_since", "2025-03-01T00:00:00Z"),
            ("limit", "20"),
            ("offset", "c2"),
            ("opt_fields", TASK_LIST_FIELDS),
        ],
    );
}

#[test]
fn list_tasks_of_an_assignee_names_the_workspace() {
    let (_, requests) = call(
        "ASANA_LIST_TASKS",
        json!({"assignee": "me", "modified_since": "2025-03-01T00:00:00Z"}),
        &[json!({"data": []})],
    );
    assert_get(
        &requests[0],
        "/api/1.0/tasks",
        &[
            ("assignee", "me"),
            ("workspace", "1100"),
            ("modified_since", "2025-03-01T00:00:00Z"),
            ("limit", "50"),
            ("opt_fields", TASK_LIST_FIELDS),
        ],
    );
}

#[test]
fn list_tasks_takes_exactly_one_of_project_section_and_assignee() {
    for input in [
        json!({}),
        json!({"project": "1", "assignee": "me"}),
        json!({"project": "1", "section": "2"}),
    ] {
        let (result, requests) = call("ASANA_LIST_TASKS", input.clone(), &[]);
        assert!(
            matches!(&result, Err(Error::InvalidInput(m)) if m.starts_with("give exactly one of")),
            "{input}: {result:?}"
        );
        assert!(requests.is_empty());
    }
}

#[test]
fn search_tasks_sends_the_filters_and_pages_by_creation_time() {
    let page = json!({"data": [
        {"gid": "1501", "name": "Fix login", "created_at": "2025-03-04T10:00:00.000Z"},
        {"gid": "1502", "name": "Fix logout", "created_at": "2025-03-02T09:30:00.000Z"}
    ]});
    let (result, requests) = call(
        "ASANA_SEARCH_TASKS",
        json!({"text": "fix", "assignees": ["me", "1200"], "projects": ["1400"], "sections": ["1600"], "tags": ["1700"], "completed": false, "is_subtask": false, "due_on_before": "2025-04-01", "due_on_after": "2025-03-01", "modified_since": "2025-01-01T00:00:00Z", "limit": 2}),
        std::slice::from_ref(&page),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": page["data"], "next_cursor": "2025-03-02T09:30:00.000Z"})
    );
    let fields = format!("{TASK_LIST_FIELDS},created_at");
    assert_get(
        &requests[0],
        "/api/1.0/workspaces/1100/tasks/search",
        &[
            ("text", "fix"),
            ("assignee.any", "me,1200"),
            ("projects.any", "1400"),
            ("sections.any", "1600"),
            ("tags.any", "1700"),
            ("completed", "false"),
            ("is_subtask", "false"),
            ("due_on.before", "2025-04-01"),
            ("due_on.after", "2025-03-01"),
            ("modified_at.after", "2025-01-01T00:00:00Z"),
            ("sort_by", "created_at"),
            ("sort_ascending", "false"),
            ("limit", "2"),
            ("opt_fields", &fields),
        ],
    );

    // The next page: tasks created before the last one seen; a page that is not full ends.
    let (result, requests) = call(
        "ASANA_SEARCH_TASKS",
        json!({"text": "fix", "limit": 2, "cursor": "2025-03-02T09:30:00.000Z", "workspace": "1101"}),
        &[json!({"data": [{"gid": "1503", "created_at": "2025-02-01T00:00:00.000Z"}]})],
    );
    assert_eq!(result.unwrap()["next_cursor"], Value::Null);
    assert_get(
        &requests[0],
        "/api/1.0/workspaces/1101/tasks/search",
        &[
            ("text", "fix"),
            ("created_at.before", "2025-03-02T09:30:00.000Z"),
            ("sort_by", "created_at"),
            ("sort_ascending", "false"),
            ("limit", "2"),
            ("opt_fields", &fields),
        ],
    );
}

#[test]
fn search_tasks_pages_ascending_with_created_after_and_not_in_other_orders() {
    let (_, requests) = call(
        "ASANA_SEARCH_TASKS",
        json!({"sort_ascending": true, "cursor": "2025-03-02T09:30:00.000Z", "limit": 1}),
        &[json!({"data": []})],
    );
    assert!(
        requests[0]
            .query()
            .contains(&("created_at.after".into(), "2025-03-02T09:30:00.000Z".into()))
    );
    let (result, requests) = call(
        "ASANA_SEARCH_TASKS",
        json!({"sort_by": "due_date", "limit": 1}),
        &[json!({"data": [{"gid": "1", "created_at": "2025-01-01T00:00:00.000Z"}]})],
    );
    assert_eq!(result.unwrap()["next_cursor"], Value::Null);
    assert!(
        requests[0]
            .query()
            .contains(&("sort_by".into(), "due_date".into()))
    );
    let (result, requests) = call(
        "ASANA_SEARCH_TASKS",
        json!({"sort_by": "likes", "cursor": "2025-01-01T00:00:00.000Z"}),
        &[],
    );
    assert!(matches!(result, Err(Error::InvalidInput(m)) if m.contains("`created_at`")));
    assert!(requests.is_empty());
}

#[test]
fn get_task_asks_for_the_fields_a_model_needs_and_unwraps_data() {
    let task = json!({"gid": "1500", "name": "Draft", "notes": "First draft", "completed": false});
    let (result, requests) = call(
        "ASANA_GET_TASK",
        json!({"task_gid": "1500"}),
        &[json!({"data": task})],
    );
    assert_eq!(result.unwrap(), task);
    assert_get(
        &requests[0],
        "/api/1.0/tasks/1500",
        &[("opt_fields", TASK_FIELDS)],
    );
}

#[test]
fn a_task_gid_is_one_path_segment() {
    let (_, requests) = call(
        "ASANA_GET_TASK",
        json!({"task_gid": "15/../00"}),
        &[json!({"data": {}})],
    );
    assert_eq!(requests[0].path(), "/api/1.0/tasks/15%2F..%2F00");
}

/// Custom field settings of project 1400 as Asana answers them.
fn settings() -> Value {
    json!({"data": [
        {"gid": "9001", "custom_field": {"gid": "2001", "name": "Priority", "resource_subtype": "enum", "enum_options": [
            {"gid": "3001", "name": "High", "enabled": true},
            {"gid": "3002", "name": "Low", "enabled": true},
            {"gid": "3003", "name": "Old", "enabled": false}
        ], "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9002", "custom_field": {"gid": "2002", "name": "Estimate", "resource_subtype": "number", "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9003", "custom_field": {"gid": "2003", "name": "Launch date", "resource_subtype": "date", "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9004", "custom_field": {"gid": "2004", "name": "Platforms", "resource_subtype": "multi_enum", "enum_options": [
            {"gid": "3101", "name": "iOS", "enabled": true},
            {"gid": "3102", "name": "Android", "enabled": true}
        ], "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9005", "custom_field": {"gid": "2005", "name": "Reviewers", "resource_subtype": "people", "is_formula_field": false, "is_value_read_only": false}},
        {"gid": "9006", "custom_field": {"gid": "2006", "name": "Score", "resource_subtype": "number", "is_formula_field": true, "is_value_read_only": true}}
    ], "next_page": null})
}

const SETTING_FIELDS: &str = "custom_field.name,custom_field.resource_subtype,custom_field.enum_options.name,custom_field.enum_options.enabled,custom_field.is_formula_field,custom_field.is_value_read_only";

#[test]
fn create_task_in_a_section_with_custom_fields_by_name_and_gid() {
    let created = json!({"gid": "1500", "name": "Ship it", "permalink_url": "https://app.asana.com/0/1400/1500"});
    let (result, requests) = call(
        "ASANA_CREATE_TASK",
        json!({
            "name": "Ship it", "notes": "Release 2.0", "assignee": "ada@example.com", "due_on": "2025-09-30",
            "start_on": "2025-09-01", "project": "1400", "section": "1600", "resource_subtype": "milestone",
            "tags": ["1700"], "followers": ["me"],
            "custom_fields": {"Priority": "High", "2002": 3.5, "2003": "2025-09-15", "Platforms": ["iOS", "3102"], "2005": ["1200"]}
        }),
        &[settings(), json!({"data": created}), json!({"data": {}})],
    );
    assert_eq!(result.unwrap(), created);
    assert_eq!(requests.len(), 3);
    assert_get(
        &requests[0],
        "/api/1.0/projects/1400/custom_field_settings",
        &[("limit", "100"), ("opt_fields", SETTING_FIELDS)],
    );
    assert_json(
        &requests[1],
        "POST",
        "/api/1.0/tasks",
        json!({"data": {
            "name": "Ship it", "resource_subtype": "milestone", "notes": "Release 2.0", "assignee": "ada@example.com",
            "due_on": "2025-09-30", "start_on": "2025-09-01", "projects": ["1400"], "tags": ["1700"], "followers": ["me"],
            "custom_fields": {"2001": "3001", "2002": 3.5, "2003": {"date": "2025-09-15"}, "2004": ["3101", "3102"], "2005": ["1200"]}
        }}),
    );
    assert_eq!(requests[1].query(), pairs(&[("opt_fields", TASK_FIELDS)]));
    assert_json(
        &requests[2],
        "POST",
        "/api/1.0/sections/1600/addTask",
        json!({"data": {"task": "1500"}}),
    );
}

#[test]
fn create_task_alone_goes_to_the_default_workspace_and_a_subtask_under_its_parent() {
    let (_, requests) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "Call Bob", "due_at": "2025-03-01T15:00:00Z"}),
        &[json!({"data": {"gid": "1"}})],
    );
    assert_json(
        &requests[0],
        "POST",
        "/api/1.0/tasks",
        json!({"data": {"name": "Call Bob", "due_at": "2025-03-01T15:00:00Z", "workspace": "1100"}}),
    );
    let (_, requests) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "Step 1", "parent": "1500", "html_notes": "<body><b>first</b></body>"}),
        &[json!({"data": {"gid": "2"}})],
    );
    assert_eq!(requests.len(), 1);
    assert_json(
        &requests[0],
        "POST",
        "/api/1.0/tasks",
        json!({"data": {"name": "Step 1", "html_notes": "<body><b>first</b></body>", "parent": "1500"}}),
    );
}

#[test]
fn custom_fields_not_on_the_project_or_with_unknown_options_are_refused_naming_them() {
    let (result, requests) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "x", "project": "1400", "custom_fields": {"Severity": "High"}}),
        &[settings()],
    );
    let Err(Error::InvalidInput(message)) = result else {
        panic!("{result:?}")
    };
    assert!(
        message.starts_with("custom field `Severity` is not on project 1400; its fields are: Priority (2001), Estimate (2002)"),
        "{message}"
    );
    assert_eq!(requests.len(), 1, "nothing is created");

    let (result, _) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "x", "project": "1400", "custom_fields": {"2001": "Old"}}),
        &[settings()],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "custom field `Priority` has no option \"Old\"; its options are: High, Low"
        )
    );
    let (result, _) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "x", "project": "1400", "custom_fields": {"Score": 1}}),
        &[settings()],
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input("custom field `Score` is computed by Asana and cannot be set")
    );
    let (result, requests) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "x", "custom_fields": {"2001": "High"}}),
        &[],
    );
    assert!(
        matches!(result, Err(Error::InvalidInput(m)) if m.starts_with("`custom_fields` needs `project`"))
    );
    assert!(requests.is_empty());
    let (result, requests) = call(
        "ASANA_CREATE_TASK",
        json!({"name": "x", "section": "1600"}),
        &[],
    );
    assert!(
        matches!(result, Err(Error::InvalidInput(m)) if m.starts_with("`section` needs `project`"))
    );
    assert!(requests.is_empty());
}

#[test]
fn update_task_completes_it_and_clears_what_is_null() {
    let task = json!({"gid": "1500", "completed": true});
    let (result, requests) = call(
        "ASANA_UPDATE_TASK",
        json!({"task_gid": "1500", "completed": true, "assignee": null, "due_on": null, "name": "Ship 2.0", "custom_fields": {"2001": "3002"}}),
        &[json!({"data": task})],
    );
    assert_eq!(result.unwrap(), task);
    assert_json(
        &requests[0],
        "PUT",
        "/api/1.0/tasks/1500",
        json!({"data": {"name": "Ship 2.0", "assignee": null, "due_on": null, "completed": true, "custom_fields": {"2001": "3002"}}}),
    );
    assert_eq!(requests[0].query(), pairs(&[("opt_fields", TASK_FIELDS)]));
}

#[test]
fn update_task_without_changes_is_refused() {
    let (result, requests) = call("ASANA_UPDATE_TASK", json!({"task_gid": "1500"}), &[]);
    assert!(matches!(result, Err(Error::InvalidInput(m)) if m.starts_with("nothing to change")));
    assert!(requests.is_empty());
}

#[test]
fn add_comment_posts_a_story() {
    let story = json!({"gid": "1800", "resource_subtype": "comment_added", "text": "Looks good"});
    let (result, requests) = call(
        "ASANA_ADD_COMMENT",
        json!({"task_gid": "1500", "text": "Looks good", "is_pinned": true}),
        &[json!({"data": story})],
    );
    assert_eq!(result.unwrap(), story);
    assert_json(
        &requests[0],
        "POST",
        "/api/1.0/tasks/1500/stories",
        json!({"data": {"text": "Looks good", "is_pinned": true}}),
    );
    assert_eq!(
        requests[0].query(),
        pairs(&[(
            "opt_fields",
            "resource_subtype,text,created_at,created_by.name,is_pinned"
        )])
    );
    let (_, requests) = call(
        "ASANA_ADD_COMMENT",
        json!({"task_gid": "1500", "html_text": "<body>Done</body>"}),
        &[json!({"data": story})],
    );
    assert_eq!(
        requests[0].json(),
        json!({"data": {"html_text": "<body>Done</body>"}})
    );
    for input in [
        json!({"task_gid": "1500"}),
        json!({"task_gid": "1500", "text": " "}),
        json!({"task_gid": "1500", "text": "a", "html_text": "<body>a</body>"}),
    ] {
        let (result, requests) = call("ASANA_ADD_COMMENT", input.clone(), &[]);
        assert!(matches!(result, Err(Error::InvalidInput(_))), "{input}");
        assert!(requests.is_empty());
    }
}

/// Asana's error envelope, `{"errors": [{"message", "help", "phrase"}]}`.
fn asana_error(message: &str) -> String {
    json!({"errors": [{"message": message, "help": "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]}).to_string()
}

#[test]
fn asanas_errors_map_to_the_contracts_errors_with_asanas_message() {
    let run = |status: u16, headers: &[(&str, &str)], message: &str| {
        let transport = Transport::install();
        transport.reply(status, headers, asana_error(message));
        testing::run(
            &provider(),
            "ASANA_GET_TASK",
            json!({"task_gid": "1500"}),
            &alice(),
        )
        .unwrap_err()
    };
    assert_eq!(
        run(401, &[], "Not Authorized"),
        Error::unauthorized("Not Authorized")
    );
    assert_eq!(
        run(404, &[], "task: Unknown object: 1500"),
        Error::not_found("task: Unknown object: 1500")
    );
    assert_eq!(
        run(
            429,
            &[("retry-after", "30")],
            "You have made too many requests recently. Please, be chill."
        ),
        Error::rate_limited(
            "You have made too many requests recently. Please, be chill.",
            Some(30)
        )
    );
    assert!(matches!(
        run(403, &[], "You do not have access to this task."),
        Error::Upstream { status: 403, message, .. } if message == "You do not have access to this task."
    ));
    assert!(matches!(
        run(402, &[], "Search is only available to premium users."),
        Error::Upstream { status: 402, message, .. } if message == "Search is only available to premium users."
    ));
}

#[test]
fn after_connect_labels_the_account_and_keeps_the_first_workspace() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"gid": "1200", "name": "Ada Lovelace", "email": "ada@example.com", "workspaces": [{"gid": "1100", "name": "Acme"}, {"gid": "1101", "name": "Personal"}]}}),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Ada Lovelace (ada@example.com)").field("workspace", "1100")
    );
    assert_get(
        &transport.only_request(),
        "/api/1.0/users/me",
        &[("opt_fields", "name,email,workspaces.name")],
    );
    let transport = Transport::install();
    transport.reply(401, &[], asana_error("Not Authorized"));
    assert_eq!(
        testing::after_connect(&provider(), &Context::new("alice")).unwrap_err(),
        Error::unauthorized("Not Authorized")
    );
}

/// Projects of workspace 1100 with their custom field settings, as `GET /projects` answers them
/// with `opt_fields`.
fn projects_with_fields() -> Value {
    let priority = json!({"gid": "2001", "name": "Priority", "resource_subtype": "enum", "enum_options": [
        {"gid": "3001", "name": "High", "enabled": true},
        {"gid": "3002", "name": "Low", "enabled": true},
        {"gid": "3003", "name": "Old", "enabled": false}
    ], "is_formula_field": false, "is_value_read_only": false});
    json!({"data": [
        {"gid": "1400", "name": "Launch", "custom_field_settings": [
            {"gid": "9001", "custom_field": priority},
            {"gid": "9002", "custom_field": {"gid": "2002", "name": "Estimate", "resource_subtype": "number", "is_formula_field": false, "is_value_read_only": false}},
            {"gid": "9006", "custom_field": {"gid": "2006", "name": "Score", "resource_subtype": "number", "is_formula_field": true, "is_value_read_only": true}}
        ]},
        {"gid": "1401", "name": "Roadmap", "custom_field_settings": [
            {"gid": "9011", "custom_field": priority},
            {"gid": "9012", "custom_field": {"gid": "2003", "name": "Launch date", "resource_subtype": "date", "is_formula_field": false, "is_value_read_only": false}},
            {"gid": "9013", "custom_field": {"gid": "2004", "name": "Platforms", "resource_subtype": "multi_enum", "enum_options": [{"gid": "3101", "name": "iOS", "enabled": true}], "is_formula_field": false, "is_value_read_only": false}},
            {"gid": "9014", "custom_field": {"gid": "2005", "name": "Reviewers", "resource_subtype": "people", "is_formula_field": false, "is_value_read_only": false}},
            {"gid": "9015", "custom_field": {"gid": "2007", "name": "Notes", "resource_subtype": "text", "is_formula_field": false, "is_value_read_only": false}}
        ]},
        {"gid": "1402", "name": "Empty"}
    ], "next_page": null})
}

#[test]
fn the_create_task_schema_lists_the_workspaces_custom_fields_typed_and_keyed_by_gid() {
    let transport = Transport::install();
    transport.reply_json(200, projects_with_fields());
    let action = provider();
    let action = action.find("ASANA_CREATE_TASK").unwrap();
    assert!(action.hints().dynamic_schema);
    let schema = action.describe(&alice()).unwrap();
    assert_eq!(
        schema["properties"]["custom_fields"],
        json!({
            "type": "object",
            "description": "Values of custom fields, keyed by custom field gid. Only the fields of the task's `project` can be set (each says which projects have it); needs `project`.",
            "additionalProperties": false,
            "properties": {
                "2001": {"type": "string", "enum": ["High", "Low"], "description": "Priority (enum). On projects: Launch, Roadmap."},
                "2002": {"type": "number", "description": "Estimate (number). On projects: Launch."},
                "2003": {"type": "string", "format": "date", "description": "Launch date (date). On projects: Roadmap."},
                "2004": {"type": "array", "items": {"type": "string", "enum": ["iOS"]}, "description": "Platforms (multi_enum). On projects: Roadmap."},
                "2005": {"type": "array", "items": {"type": "string"}, "description": "Reviewers (people). On projects: Roadmap."},
                "2007": {"type": "string", "description": "Notes (text). On projects: Roadmap."}
            }
        })
    );
    // The rest of the schema is the static one.
    let mut rest = schema.clone();
    let mut static_schema = action.input_schema();
    rest["properties"]
        .as_object_mut()
        .unwrap()
        .remove("custom_fields");
    static_schema["properties"]
        .as_object_mut()
        .unwrap()
        .remove("custom_fields");
    assert_eq!(rest, static_schema);
    assert_get(
        &transport.only_request(),
        "/api/1.0/projects",
        &[
            ("workspace", "1100"),
            ("archived", "false"),
            ("limit", "100"),
            (
                "opt_fields",
                "name,custom_field_settings.custom_field.name,custom_field_settings.custom_field.resource_subtype,custom_field_settings.custom_field.enum_options.name,custom_field_settings.custom_field.enum_options.enabled,custom_field_settings.custom_field.is_formula_field,custom_field_settings.custom_field.is_value_read_only",
            ),
        ],
    );
}

#[test]
fn the_create_task_schema_reads_two_pages_of_projects_at_most_and_says_so() {
    let transport = Transport::install();
    let page = |gid: &str, offset: &str| json!({"data": [{"gid": gid, "name": gid, "custom_field_settings": []}], "next_page": {"offset": offset, "path": "/projects", "uri": "https://app.asana.com/api/1.0/projects"}});
    transport.reply_json(200, page("1", "p2"));
    transport.reply_json(200, page("2", "p3"));
    let schema = provider()
        .find("ASANA_CREATE_TASK")
        .unwrap()
        .describe(&alice())
        .unwrap();
    let custom = &schema["properties"]["custom_fields"];
    assert_eq!(custom["additionalProperties"], true);
    assert!(
        custom["description"].as_str().unwrap().ends_with(
            "Fields of projects beyond the first 200 are not listed but may be given by gid."
        ),
        "{custom}"
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1]
            .query()
            .contains(&("offset".into(), "p2".into()))
    );
}

#[test]
fn without_a_workspace_the_create_task_schema_stays_static_and_nothing_is_sent() {
    let transport = Transport::install();
    let action = provider();
    let action = action.find("ASANA_CREATE_TASK").unwrap();
    assert_eq!(
        action.describe(&Context::new("bob")).unwrap(),
        action.input_schema()
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn hints_and_scopes_are_declared_per_action() {
    let provider = provider();
    let expected = [
        ("ASANA_LIST_WORKSPACES", true, "workspaces:read"),
        ("ASANA_LIST_PROJECTS", true, "projects:read"),
        ("ASANA_CREATE_PROJECT", false, "projects:write"),
        ("ASANA_LIST_TASKS", true, "tasks:read"),
        ("ASANA_SEARCH_TASKS", true, "tasks:read"),
        ("ASANA_GET_TASK", true, "tasks:read"),
        ("ASANA_CREATE_TASK", false, "tasks:write"),
        ("ASANA_UPDATE_TASK", false, "tasks:write"),
        ("ASANA_ADD_COMMENT", false, "stories:write"),
    ];
    assert_eq!(provider.actions().len(), expected.len());
    for (name, read_only, scope) in expected {
        let action = provider.find(name).unwrap();
        assert_eq!(action.hints().read_only, read_only, "{name}");
        assert!(!action.hints().destructive, "{name}");
        assert_eq!(
            action.required_scopes(),
            [vec![scope.to_string()]],
            "{name}"
        );
    }
    assert!(
        provider
            .find("ASANA_UPDATE_TASK")
            .unwrap()
            .hints()
            .idempotent
    );
}

#[test]
fn a_personal_access_token_is_the_alternative_to_oauth_and_changes_no_request() {
    use actionhost_sdk::__private::dispatch;
    use actionhost_sdk::CredentialKind;
    use actionhost_sdk::bindings::actionhost::provider::types as wit;
    let info = dispatch::info(&provider());
    let wit::AuthKind::Oauth2(oauth) = &info.auth else {
        panic!("{:?}", info.auth)
    };
    assert_eq!(
        (
            oauth.authorize_url.as_str(),
            oauth.token_url.as_str(),
            oauth.pkce
        ),
        (
            "https://app.asana.com/-/oauth_authorize",
            "https://app.asana.com/-/oauth_token",
            true
        )
    );
    assert_eq!(
        oauth.revoke_url.as_deref(),
        Some("https://app.asana.com/-/oauth_revoke")
    );
    let [wit::AuthKind::ApiKey(token)] = &info.alternative_auth[..] else {
        panic!("{:?}", info.alternative_auth)
    };
    assert_eq!(
        (
            token.placement,
            token.name.as_str(),
            token.prefix.as_deref()
        ),
        (
            wit::ApiKeyPlacement::Header,
            "Authorization",
            Some("Bearer ")
        )
    );

    // The same request whichever credential the account holds.
    let transport = Transport::install();
    transport.reply_json(200, json!({"data": {"gid": "1500"}}));
    transport.reply_json(200, json!({"data": {"gid": "1500"}}));
    for kind in [CredentialKind::OAuth2, CredentialKind::ApiKey] {
        let output = testing::run(
            &provider(),
            "ASANA_GET_TASK",
            json!({"task_gid": "1500"}),
            &alice().with_credential(kind),
        )
        .unwrap();
        assert_eq!(output, json!({"gid": "1500"}));
    }
    let requests = transport.requests();
    assert_eq!(requests[0], requests[1]);
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"gid": "1200", "name": "Ada Lovelace", "email": "ada@example.com", "workspaces": [{"gid": "1100"}]}}),
    );
    let account = testing::after_connect(
        &provider(),
        &Context::new("alice").with_credential(CredentialKind::ApiKey),
    )
    .unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("Ada Lovelace (ada@example.com)").field("workspace", "1100")
    );
    assert_eq!(transport.only_request().path(), "/api/1.0/users/me");
}
