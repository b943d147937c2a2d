//! The exact GraphQL operation every Linear action sends (one `POST /graphql` of `{query,
//! variables}`), how Linear's `errors[]` map to errors with HTTP 200 and 400 alike, paging through
//! `pageInfo`, the account label and the per-user schema of `LINEAR_CREATE_ISSUE`, run natively
//! against the SDK's test transport.

use actionhost_plugin_linear::{DOCUMENTS, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const TEAM: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
const ISSUE: &str = "4d2e6a44-1f5b-4c7e-9d0a-3a1b2c3d4e5f";

fn alice() -> Context {
    Context::new("alice").with_scopes(&["read", "write"])
}

/// Runs `action` once against a queued `data` answer; returns its result and the one request.
fn call(action: &str, input: Value, data: Value) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, json!({ "data": data }));
    let result = testing::run(&provider(), action, input, &alice());
    (result, transport.only_request())
}

/// The document named `operation` (`query Teams`, `mutation IssueCreate`), from the plugin's own
/// list, so a test fails if a request carries another one.
fn document(operation: &str) -> &'static str {
    let matching: Vec<&str> = DOCUMENTS
        .iter()
        .copied()
        .filter(|d| {
            d.starts_with(&format!("{operation}(")) || d.starts_with(&format!("{operation} {{"))
        })
        .collect();
    assert_eq!(matching.len(), 1, "one document is {operation}");
    matching[0]
}

/// Asserts the request is Linear's GraphQL POST of `operation` with exactly `variables`.
fn assert_operation(request: &RecordedRequest, operation: &str, variables: Value) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://api.linear.app/graphql")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host adds the credential"
    );
    assert_eq!(
        request.json(),
        json!({"query": document(operation), "variables": variables})
    );
}

fn page(root: &str, nodes: Value, next: Option<&str>) -> Value {
    json!({ root: {"nodes": nodes, "pageInfo": {"hasNextPage": next.is_some(), "endCursor": next.unwrap_or("c-last")}} })
}

#[test]
fn every_document_is_one_named_operation_with_a_distinct_name() {
    let mut names: Vec<&str> = DOCUMENTS
        .iter()
        .map(|d| {
            let head = d.split(['(', '{']).next().unwrap().trim();
            let (kind, name) = head.split_once(' ').expect("a named operation");
            assert!(kind == "query" || kind == "mutation", "{d}");
            name
        })
        .collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count);
}

#[test]
fn list_teams_asks_for_a_page_and_answers_items_and_the_next_cursor() {
    let teams = json!([{"id": TEAM, "key": "ENG", "name": "Engineering"}]);
    let (result, request) = call(
        "LINEAR_LIST_TEAMS",
        json!({"name": "eng", "first": 1}),
        page("teams", teams.clone(), Some("b2c3")),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": teams, "next_cursor": "b2c3"})
    );
    assert_operation(
        &request,
        "query Teams",
        json!({"first": 1, "filter": {"name": {"containsIgnoreCase": "eng"}}}),
    );
}

#[test]
fn list_teams_fetches_the_second_page_with_the_returned_cursor() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": page("teams", json!([{"id": "t1"}]), Some("cursor-1"))}),
    );
    transport.reply_json(
        200,
        json!({"data": page("teams", json!([{"id": "t2"}]), None)}),
    );
    let first = testing::run(&provider(), "LINEAR_LIST_TEAMS", json!({}), &alice()).unwrap();
    let second = testing::run(
        &provider(),
        "LINEAR_LIST_TEAMS",
        json!({"cursor": first["next_cursor"]}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        second,
        json!({"items": [{"id": "t2"}], "next_cursor": null})
    );
    let requests = transport.requests();
    assert_eq!(requests[0].json()["variables"], json!({"first": 50}));
    assert_eq!(
        requests[1].json()["variables"],
        json!({"first": 50, "after": "cursor-1"})
    );
}

#[test]
fn search_issues_with_text_runs_linears_full_text_search_with_every_filter() {
    let issue = json!({"id": ISSUE, "identifier": "ENG-123", "title": "Login fails"});
    let (result, request) = call(
        "LINEAR_SEARCH_ISSUES",
        json!({
            "query": "  login timeout ",
            "include_comments": true,
            "team": "ENG",
            "state": "In Progress",
            "state_type": "started",
            "assignee": "me",
            "label": "Bug",
            "priority": "urgent",
            "include_archived": false,
            "first": 20,
            "cursor": "prev",
        }),
        page("searchIssues", json!([issue]), None),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [issue], "next_cursor": null})
    );
    assert_operation(
        &request,
        "query SearchIssues",
        json!({
            "term": "login timeout",
            "first": 20,
            "after": "prev",
            "filter": {
                "team": {"key": {"eqIgnoreCase": "ENG"}},
                "state": {"name": {"eqIgnoreCase": "In Progress"}, "type": {"eq": "started"}},
                "assignee": {"isMe": {"eq": true}},
                "labels": {"some": {"name": {"eqIgnoreCase": "Bug"}}},
                "priority": {"eq": 1},
            },
            "includeArchived": false,
            "includeComments": true,
        }),
    );
}

#[test]
fn search_issues_without_text_lists_the_filtered_issues() {
    let (result, request) = call(
        "LINEAR_SEARCH_ISSUES",
        json!({"team": TEAM, "assignee": "none", "priority": "none"}),
        page("issues", json!([]), None),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_operation(
        &request,
        "query Issues",
        json!({
            "first": 50,
            "filter": {
                "team": {"id": {"eq": TEAM}},
                "assignee": {"null": true},
                "priority": {"eq": 0},
            },
        }),
    );
    // No filter at all, and a blank text, list everything.
    let (_, request) = call(
        "LINEAR_SEARCH_ISSUES",
        json!({"query": " "}),
        page("issues", json!([]), None),
    );
    assert_operation(&request, "query Issues", json!({"first": 50}));
}

#[test]
fn search_issues_reads_an_assignee_as_e_mail_or_id() {
    let (_, request) = call(
        "LINEAR_SEARCH_ISSUES",
        json!({"assignee": "Ada@Example.com"}),
        page("issues", json!([]), None),
    );
    assert_eq!(
        request.json()["variables"]["filter"],
        json!({"assignee": {"email": {"eqIgnoreCase": "Ada@Example.com"}}})
    );
    let (_, request) = call(
        "LINEAR_SEARCH_ISSUES",
        json!({"assignee": "c0ffee00-0000-4000-8000-000000000001"}),
        page("issues", json!([]), None),
    );
    assert_eq!(
        request.json()["variables"]["filter"],
        json!({"assignee": {"id": {"eq": "c0ffee00-0000-4000-8000-000000000001"}}})
    );
}

#[test]
fn get_issue_asks_by_identifier_and_answers_the_issue() {
    let issue = json!({"id": ISSUE, "identifier": "ENG-123", "description": "Steps:\n1. Log in"});
    let (result, request) = call(
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-123"}),
        json!({"issue": issue}),
    );
    assert_eq!(result.unwrap(), issue);
    assert_operation(&request, "query Issue", json!({"id": "ENG-123"}));
}

#[test]
fn create_issue_sends_linears_input_names_and_answers_the_created_issue() {
    let issue = json!({"id": ISSUE, "identifier": "ENG-124", "url": "https://linear.app/acme/issue/ENG-124/crash-on-start"});
    let (result, request) = call(
        "LINEAR_CREATE_ISSUE",
        json!({
            "team_id": TEAM,
            "title": "Crash on start",
            "description": "## Steps\n1. Open the app",
            "assignee_id": "u1",
            "state_id": "s1",
            "priority": "high",
            "label_ids": ["l1", "l2"],
            "project_id": "p1",
            "parent_id": "i0",
            "due_date": "2026-12-01",
            "estimate": 3,
        }),
        json!({"issueCreate": {"success": true, "issue": issue}}),
    );
    assert_eq!(result.unwrap(), issue);
    assert_operation(
        &request,
        "mutation IssueCreate",
        json!({"input": {
            "teamId": TEAM,
            "title": "Crash on start",
            "description": "## Steps\n1. Open the app",
            "assigneeId": "u1",
            "stateId": "s1",
            "priority": 2,
            "labelIds": ["l1", "l2"],
            "projectId": "p1",
            "parentId": "i0",
            "dueDate": "2026-12-01",
            "estimate": 3,
        }}),
    );
}

#[test]
fn create_issue_leaves_out_what_was_not_given_and_refuses_a_blank_title() {
    let (_, request) = call(
        "LINEAR_CREATE_ISSUE",
        json!({"team_id": TEAM, "title": "Only a title"}),
        json!({"issueCreate": {"success": true, "issue": {"id": ISSUE}}}),
    );
    assert_eq!(
        request.json()["variables"],
        json!({"input": {"teamId": TEAM, "title": "Only a title"}})
    );
    let transport = Transport::install();
    let error = testing::run(
        &provider(),
        "LINEAR_CREATE_ISSUE",
        json!({"team_id": TEAM, "title": "  "}),
        &alice(),
    );
    assert_eq!(
        error.unwrap_err(),
        Error::invalid_input("`title` must not be blank")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn update_issue_sends_only_the_changes_and_null_to_clear() {
    let issue = json!({"id": ISSUE, "identifier": "ENG-123"});
    let (result, request) = call(
        "LINEAR_UPDATE_ISSUE",
        json!({
            "id": "ENG-123",
            "state_id": "s-done",
            "assignee_id": null,
            "due_date": null,
            "priority": "low",
            "add_label_ids": ["l3"],
            "remove_label_ids": ["l1"],
        }),
        json!({"issueUpdate": {"success": true, "issue": issue}}),
    );
    assert_eq!(result.unwrap(), issue);
    assert_operation(
        &request,
        "mutation IssueUpdate",
        json!({"id": "ENG-123", "input": {
            "assigneeId": null,
            "stateId": "s-done",
            "priority": 4,
            "addedLabelIds": ["l3"],
            "removedLabelIds": ["l1"],
            "dueDate": null,
        }}),
    );
}

#[test]
fn update_issue_with_nothing_to_change_is_refused_before_any_request() {
    let transport = Transport::install();
    let error = testing::run(
        &provider(),
        "LINEAR_UPDATE_ISSUE",
        json!({"id": "ENG-123"}),
        &alice(),
    );
    assert_eq!(
        error.unwrap_err(),
        Error::invalid_input("give at least one field to change besides `id`")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn add_comment_to_an_issue_id_posts_one_comment() {
    let comment = json!({"id": "c1", "body": "Fixed in **v2**", "url": "https://linear.app/acme/issue/ENG-123#comment-c1"});
    let (result, request) = call(
        "LINEAR_ADD_COMMENT",
        json!({"issue_id": ISSUE, "body": "Fixed in **v2**", "parent_id": "c0"}),
        json!({"commentCreate": {"success": true, "comment": comment}}),
    );
    assert_eq!(result.unwrap(), comment);
    assert_operation(
        &request,
        "mutation CommentCreate",
        json!({"input": {"issueId": ISSUE, "body": "Fixed in **v2**", "parentId": "c0"}}),
    );
}

#[test]
fn add_comment_to_an_identifier_looks_the_issue_up_first() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"data": {"issue": {"id": ISSUE}}}));
    transport.reply_json(
        200,
        json!({"data": {"commentCreate": {"success": true, "comment": {"id": "c2"}}}}),
    );
    let result = testing::run(
        &provider(),
        "LINEAR_ADD_COMMENT",
        json!({"issue_id": "ENG-123", "body": "On it"}),
        &alice(),
    );
    assert_eq!(result.unwrap(), json!({"id": "c2"}));
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_operation(&requests[0], "query IssueId", json!({"id": "ENG-123"}));
    assert_operation(
        &requests[1],
        "mutation CommentCreate",
        json!({"input": {"issueId": ISSUE, "body": "On it"}}),
    );
}

#[test]
fn list_projects_filters_by_team_and_name() {
    let project = json!({"id": "p1", "name": "Mobile launch", "progress": 0.4});
    let (result, request) = call(
        "LINEAR_LIST_PROJECTS",
        json!({"team": "ENG", "name": "launch", "include_archived": true, "first": 10}),
        page("projects", json!([project]), Some("p-next")),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [project], "next_cursor": "p-next"})
    );
    assert_operation(
        &request,
        "query Projects",
        json!({
            "first": 10,
            "filter": {
                "accessibleTeams": {"some": {"key": {"eqIgnoreCase": "ENG"}}},
                "name": {"containsIgnoreCase": "launch"},
            },
            "includeArchived": true,
        }),
    );
}

#[test]
fn create_project_sends_linears_input_names() {
    let project = json!({"id": "p2", "name": "Q1 roadmap", "url": "https://linear.app/acme/project/q1-roadmap-0a1b2c3d4e5f"});
    let (result, request) = call(
        "LINEAR_CREATE_PROJECT",
        json!({
            "name": "Q1 roadmap",
            "team_ids": [TEAM],
            "description": "Everything for Q1",
            "content": "# Goals\n- ship",
            "lead_id": "u1",
            "member_ids": ["u1", "u2"],
            "start_date": "2027-01-04",
            "target_date": "2027-03-31",
            "priority": "medium",
        }),
        json!({"projectCreate": {"success": true, "project": project}}),
    );
    assert_eq!(result.unwrap(), project);
    assert_operation(
        &request,
        "mutation ProjectCreate",
        json!({"input": {
            "name": "Q1 roadmap",
            "teamIds": [TEAM],
            "description": "Everything for Q1",
            "content": "# Goals\n- ship",
            "leadId": "u1",
            "memberIds": ["u1", "u2"],
            "startDate": "2027-01-04",
            "targetDate": "2027-03-31",
            "priority": 3,
        }}),
    );
}

#[test]
fn create_project_needs_a_name_and_a_team() {
    let transport = Transport::install();
    let run = |input| testing::run(&provider(), "LINEAR_CREATE_PROJECT", input, &alice());
    assert_eq!(
        run(json!({"name": " ", "team_ids": [TEAM]})).unwrap_err(),
        Error::invalid_input("`name` must not be blank")
    );
    assert_eq!(
        run(json!({"name": "X", "team_ids": []})).unwrap_err(),
        Error::invalid_input("`team_ids` needs at least one team")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn list_workflow_states_filters_by_team_and_type() {
    let state = json!({"id": "s1", "name": "In Progress", "type": "started"});
    let (result, request) = call(
        "LINEAR_LIST_WORKFLOW_STATES",
        json!({"team": "eng", "type": "started"}),
        page("workflowStates", json!([state]), None),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [state], "next_cursor": null})
    );
    assert_operation(
        &request,
        "query WorkflowStates",
        json!({"first": 50, "filter": {"team": {"key": {"eqIgnoreCase": "eng"}}, "type": {"eq": "started"}}}),
    );
}

#[test]
fn list_labels_of_a_team_include_the_workspaces_labels() {
    let (_, request) = call(
        "LINEAR_LIST_LABELS",
        json!({"team": TEAM, "name": "bug", "first": 100}),
        page("issueLabels", json!([]), None),
    );
    assert_operation(
        &request,
        "query IssueLabels",
        json!({"first": 100, "filter": {
            "or": [{"team": {"id": {"eq": TEAM}}}, {"team": {"null": true}}],
            "name": {"containsIgnoreCase": "bug"},
        }}),
    );
}

#[test]
fn list_users_matches_name_display_name_or_e_mail() {
    let user = json!({"id": "u1", "name": "Ada Lovelace", "email": "ada@acme.com"});
    let (result, request) = call(
        "LINEAR_LIST_USERS",
        json!({"query": "ada", "include_disabled": true, "cursor": "u-prev"}),
        page("users", json!([user]), None),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [user], "next_cursor": null})
    );
    let contains = json!({"containsIgnoreCase": "ada"});
    assert_operation(
        &request,
        "query Users",
        json!({
            "first": 50,
            "after": "u-prev",
            "filter": {"or": [{"name": contains}, {"displayName": contains}, {"email": contains}]},
            "includeDisabled": true,
        }),
    );
}

// ---- Errors ----------------------------------------------------------------------------------

fn error_answer(message: &str, code: &str, kind: &str, user_message: Option<&str>) -> Value {
    let mut extensions = json!({"code": code, "type": kind});
    if let Some(said) = user_message {
        extensions["userPresentableMessage"] = json!(said);
    }
    json!({"data": null, "errors": [{"message": message, "extensions": extensions}]})
}

/// Runs LINEAR_GET_ISSUE against one queued answer and returns its error.
fn error_of(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-9"}),
        &alice(),
    )
    .unwrap_err()
}

#[test]
fn a_refused_credential_is_unauthorized_with_http_200_400_or_401() {
    let body = error_answer(
        "Authentication required, not authenticated",
        "AUTHENTICATION_ERROR",
        "authentication error",
        Some("You need to authenticate to access this operation."),
    );
    let expected = Error::unauthorized(
        "Authentication required, not authenticated (You need to authenticate to access this operation.)",
    );
    assert_eq!(error_of(200, &[], body.clone()), expected);
    assert_eq!(error_of(400, &[], body), expected);
    assert_eq!(
        error_of(401, &[], json!({"message": "Unauthorized"})),
        Error::unauthorized("Unauthorized")
    );
}

#[test]
fn a_missing_entity_is_not_found() {
    let body = error_answer(
        "Entity not found: Issue",
        "INPUT_ERROR",
        "invalid input",
        Some("Could not find referenced Issue."),
    );
    assert_eq!(
        error_of(200, &[], body),
        Error::not_found("Entity not found: Issue (Could not find referenced Issue.)")
    );
}

#[test]
fn invalid_input_is_invalid_input_with_linears_message() {
    let body = error_answer(
        "Argument Validation Error",
        "INVALID_INPUT",
        "invalid input",
        Some("dueDate must be a valid date"),
    );
    assert_eq!(
        error_of(400, &[], body),
        Error::invalid_input("Argument Validation Error (dueDate must be a valid date)")
    );
}

#[test]
fn a_rate_limit_waits_for_retry_after_or_for_the_spent_budgets_reset() {
    let body = error_answer("Rate limit exceeded", "RATELIMITED", "ratelimited", None);
    assert_eq!(
        error_of(400, &[("retry-after", "12")], body.clone()),
        Error::rate_limited("Rate limit exceeded", Some(12))
    );
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let in_30s = (now_ms + 30_000).to_string();
    let in_90s = (now_ms + 90_000).to_string();
    // The requests budget is spent; the complexity budget (resetting later) is not.
    let error = error_of(
        400,
        &[
            ("x-ratelimit-requests-remaining", "0"),
            ("x-ratelimit-requests-reset", &in_30s),
            ("x-ratelimit-complexity-remaining", "120000"),
            ("x-ratelimit-complexity-reset", &in_90s),
        ],
        body.clone(),
    );
    let Error::RateLimited {
        message,
        retry_after_seconds: Some(seconds),
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(message, "Rate limit exceeded");
    assert!((29..=30).contains(&seconds), "{seconds}");
    // A reset already past still asks for a second's wait; no header, no hint.
    let past = (now_ms - 5_000).to_string();
    assert_eq!(
        error_of(200, &[("x-ratelimit-requests-reset", &past)], body.clone()),
        Error::rate_limited("Rate limit exceeded", Some(1))
    );
    assert_eq!(
        error_of(200, &[], body),
        Error::rate_limited("Rate limit exceeded", None)
    );
}

#[test]
fn other_errors_are_upstream_errors_with_linears_message_and_status() {
    let body = error_answer(
        "Forbidden",
        "FORBIDDEN",
        "forbidden",
        Some("You don't have access to this team."),
    );
    assert_eq!(
        error_of(200, &[], body.clone()),
        Error::Upstream {
            status: 200,
            message: "Forbidden (You don't have access to this team.)".into(),
            body: Some(body.to_string()),
        }
    );
}

// ---- Account and schema ----------------------------------------------------------------------

#[test]
fn after_connect_labels_the_account_with_e_mail_and_workspace() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"viewer": {"id": "u1", "name": "Ada Lovelace", "email": "ada@acme.com"}, "organization": {"name": "Acme", "urlKey": "acme"}}}),
    );
    let account = testing::after_connect(&provider(), &alice()).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("ada@acme.com (Acme)"));
    assert_operation(&transport.only_request(), "query Viewer", json!({}));
}

#[test]
fn after_connect_refuses_a_credential_linear_refuses() {
    let transport = Transport::install();
    transport.reply_json(
        400,
        error_answer(
            "Authentication required, not authenticated",
            "AUTHENTICATION_ERROR",
            "authentication error",
            None,
        ),
    );
    assert_eq!(
        testing::after_connect(&provider(), &alice()).unwrap_err(),
        Error::unauthorized("Authentication required, not authenticated")
    );
}

#[test]
fn create_issues_schema_offers_the_users_teams_by_id() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"teams": {"nodes": [
            {"id": TEAM, "key": "ENG", "name": "Engineering"},
            {"id": "5a1d3c4e-0000-4000-8000-00000000d351", "key": "DES", "name": "Design"},
        ], "pageInfo": {"hasNextPage": false}}}}),
    );
    let provider = provider();
    let action = provider.find("LINEAR_CREATE_ISSUE").unwrap();
    assert!(action.hints().dynamic_schema);
    let schema = action.describe(&alice()).unwrap();
    let team = &schema["properties"]["team_id"];
    assert_eq!(
        team["enum"],
        json!([TEAM, "5a1d3c4e-0000-4000-8000-00000000d351"])
    );
    assert_eq!(
        team["description"],
        format!(
            "Id of the team the issue belongs to: `{TEAM}` = ENG (Engineering); `5a1d3c4e-0000-4000-8000-00000000d351` = DES (Design)."
        )
    );
    // The rest of the schema is the static one.
    let mut rest = schema.clone();
    rest["properties"]["team_id"] = action.input_schema()["properties"]["team_id"].clone();
    assert_eq!(rest, action.input_schema());
    assert_operation(
        &transport.only_request(),
        "query CreateIssueTeams",
        json!({}),
    );
}

#[test]
fn create_issues_schema_stays_static_when_the_teams_do_not_fit_one_page() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"teams": {"nodes": [{"id": TEAM, "key": "ENG", "name": "Engineering"}], "pageInfo": {"hasNextPage": true}}}}),
    );
    let provider = provider();
    let action = provider.find("LINEAR_CREATE_ISSUE").unwrap();
    assert_eq!(action.describe(&alice()).unwrap(), action.input_schema());
    assert_eq!(transport.requests().len(), 1);
}

#[test]
fn schemas_state_formats_enums_and_which_fields_are_required() {
    let provider = provider();
    let schema = |name: &str| provider.find(name).unwrap().input_schema();
    let create = schema("LINEAR_CREATE_ISSUE");
    assert_eq!(create["required"], json!(["team_id", "title"]));
    assert_eq!(create["properties"]["due_date"]["format"], "date");
    let search = schema("LINEAR_SEARCH_ISSUES");
    assert!(search.get("required").is_none());
    let priority = serde_json::to_string(&search).unwrap();
    for level in [
        "\"urgent\"",
        "\"high\"",
        "\"medium\"",
        "\"low\"",
        "\"none\"",
    ] {
        assert!(priority.contains(level), "{level} in {priority}");
    }
    assert_eq!(
        schema("LINEAR_CREATE_PROJECT")["required"],
        json!(["name", "team_ids"])
    );
    assert_eq!(schema("LINEAR_UPDATE_ISSUE")["required"], json!(["id"]));
    assert_eq!(
        schema("LINEAR_ADD_COMMENT")["required"],
        json!(["issue_id", "body"])
    );
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for combinator in ["oneOf", "anyOf", "allOf"] {
            assert!(schema.get(combinator).is_none(), "{}", action.name());
        }
    }
}

#[test]
fn hints_and_scopes_say_what_each_action_does() {
    let provider = provider();
    let reads = [
        "LINEAR_LIST_TEAMS",
        "LINEAR_SEARCH_ISSUES",
        "LINEAR_GET_ISSUE",
        "LINEAR_LIST_PROJECTS",
        "LINEAR_LIST_WORKFLOW_STATES",
        "LINEAR_LIST_LABELS",
        "LINEAR_LIST_USERS",
    ];
    for name in reads {
        let action = provider.find(name).unwrap();
        assert!(action.hints().read_only, "{name}");
        assert_eq!(
            action.required_scopes(),
            [vec!["read".to_string()]],
            "{name}"
        );
    }
    let scopes = |name: &str| provider.find(name).unwrap().required_scopes().to_vec();
    assert_eq!(
        scopes("LINEAR_CREATE_ISSUE"),
        [vec!["issues:create".to_string(), "write".to_string()]]
    );
    assert_eq!(
        scopes("LINEAR_ADD_COMMENT"),
        [vec!["comments:create".to_string(), "write".to_string()]]
    );
    assert_eq!(scopes("LINEAR_UPDATE_ISSUE"), [vec!["write".to_string()]]);
    assert_eq!(scopes("LINEAR_CREATE_PROJECT"), [vec!["write".to_string()]]);
    assert!(
        provider
            .find("LINEAR_UPDATE_ISSUE")
            .unwrap()
            .hints()
            .idempotent
    );
    assert!(
        !provider
            .find("LINEAR_CREATE_ISSUE")
            .unwrap()
            .hints()
            .read_only
    );
    assert_eq!(provider.actions().len(), 11);
}

#[test]
fn an_account_with_a_personal_api_key_sends_the_same_operations() {
    // The host puts the key bare in `Authorization`; the plugin's requests do not change.
    let with_key = Context::new("alice").with_credential(CredentialKind::ApiKey);
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"viewer": {"id": "u1", "name": "Ada Lovelace", "email": "ada@acme.com"}, "organization": {"name": "Acme"}}}),
    );
    transport.reply_json(200, json!({"data": {"issue": {"id": ISSUE}}}));
    let account = testing::after_connect(&provider(), &with_key).unwrap();
    assert_eq!(account, ConnectedAccount::labelled("ada@acme.com (Acme)"));
    let issue = testing::run(
        &provider(),
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-123"}),
        &with_key,
    );
    assert_eq!(issue.unwrap(), json!({"id": ISSUE}));
    let requests = transport.requests();
    assert_operation(&requests[0], "query Viewer", json!({}));
    assert_operation(&requests[1], "query Issue", json!({"id": "ENG-123"}));
}
