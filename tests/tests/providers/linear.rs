//! The bundled Linear plugin against a stand-in that checks every request with Linear's own
//! GraphQL schema (`../shared/specs/linear/schema.graphql`, graphql-core): each document is
//! parsed and validated, its variables coerced against the declared types, and a fixture answers
//! by operation (`query Teams`, `mutation IssueCreate`). Answers are shaped like the examples of
//! Linear's API reference; Linear's `errors[]` (with HTTP 200 or 400) reach the caller as the
//! contract's errors. Through the whole host, connecting an account runs the plugin's
//! `after_connect` (the label) and `GET /actions` the per-user schema of `LINEAR_CREATE_ISSUE`,
//! which the host then enforces. Linear accounts have no account fields; the credential in the
//! call context is checked as the bearer token of every request.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, LINEAR, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "linear.wasm";

/// An OAuth access token as Linear issues them.
const TOKEN: &str = "lin_oauth_8f3b1c2d9e4a5f60718293a4b5c6d7e8";

const TEAM: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";
const DESIGN: &str = "5a1d3c4e-7b2f-4e8d-9c01-3f4a5b6c7d8e";
const ISSUE: &str = "e8f1a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b";
const ADA: &str = "2d3e4f50-6172-4839-9a4b-5c6d7e8f9012";

async fn linear(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

fn alice() -> CallContext {
    alice_with(TOKEN, &["read", "write"])
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&LINEAR, FILE, &alice(), (test, action, params), fixture).await
}

/// Answers the GraphQL operation `operation` (`query Teams`) with `data`.
fn answer(operation: &str, data: Value) -> Fixture {
    Fixture::operation(operation, Reply::json(200, json!({ "data": data })))
}

/// Asserts the request is a GraphQL POST to `/graphql` with Alice's bearer token, and answers its
/// operation's variables.
fn variables(request: &Recorded) -> Value {
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("POST", "/graphql", None)
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let body = request.json();
    assert!(body["query"].is_string(), "{body}");
    body["variables"].clone()
}

fn connection(root: &str, nodes: Value, next: Option<&str>) -> Value {
    json!({ root: {
        "nodes": nodes,
        "pageInfo": {"hasNextPage": next.is_some(), "endCursor": next.unwrap_or("8c5a61e2-2d1b-4b0e-a6f5-6f1e0c9d7b3a")}
    }})
}

/// A listed issue with the fields the plugin asks for, as Linear answers them.
fn issue_summary(identifier: &str, title: &str) -> Value {
    json!({
        "id": ISSUE,
        "identifier": identifier,
        "title": title,
        "priority": 2,
        "priorityLabel": "High",
        "url": format!("https://linear.app/acme/issue/{identifier}/login-fails-with-sso"),
        "dueDate": "2026-12-04",
        "estimate": 3,
        "createdAt": "2026-11-20T09:14:03.512Z",
        "updatedAt": "2026-11-29T16:40:11.020Z",
        "state": {"id": "7f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", "name": "In Progress", "type": "started"},
        "assignee": {"id": ADA, "name": "Ada Lovelace", "email": "ada@acme.com"},
        "team": {"id": TEAM, "key": "ENG", "name": "Engineering"},
        "project": {"id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "name": "SSO"},
        "labels": {"nodes": [{"id": "3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b", "name": "Bug"}]}
    })
}

/// A single issue with its description, as LINEAR_GET_ISSUE and the mutations ask for it.
fn issue_detail(identifier: &str, title: &str) -> Value {
    let mut issue = issue_summary(identifier, title);
    let extra = json!({
        "description": "Signing in with Okta SSO fails with `invalid_state`.\n\n## Steps\n1. Open the login page\n2. Choose SSO",
        "branchName": "ada/eng-123-login-fails-with-sso",
        "creator": {"id": ADA, "name": "Ada Lovelace"},
        "cycle": {"id": "6e7f8091-a2b3-44c5-96d7-e8f90a1b2c3d", "number": 42, "name": null},
        "parent": null,
        "children": {"nodes": []},
        "comments": {"nodes": [{"id": "c0ffee12-3456-4789-8abc-def012345678", "body": "Seen on staging too.", "createdAt": "2026-11-21T10:02:00.000Z", "user": {"id": ADA, "name": "Ada Lovelace"}}]}
    });
    issue
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    issue
}

#[tokio::test]
async fn list_teams_then_the_second_page_with_the_returned_cursor() {
    let standin = LINEAR.session("linear_teams_pages");
    let first = json!([{"id": TEAM, "key": "ENG", "name": "Engineering", "description": null, "private": false, "timezone": "Europe/London", "issueCount": 1289}]);
    let second = json!([{"id": DESIGN, "key": "DES", "name": "Design", "description": "Product design", "private": false, "timezone": "America/New_York", "issueCount": 212}]);
    standin
        .answer(
            answer(
                "query Teams",
                connection("teams", first.clone(), Some("ZW5nLXRlYW0tY3Vyc29y")),
            )
            .once(),
        )
        .await;
    standin
        .answer(answer(
            "query Teams",
            connection("teams", second.clone(), None),
        ))
        .await;
    let (runtime, plugin) = linear(&standin).await;
    let (page, _) = runtime
        .execute(&plugin, "LINEAR_LIST_TEAMS", &json!({"first": 1}), &alice())
        .await;
    let page = page.unwrap();
    assert_eq!(
        page,
        json!({"items": first, "next_cursor": "ZW5nLXRlYW0tY3Vyc29y"})
    );
    let (next, _) = runtime
        .execute(
            &plugin,
            "LINEAR_LIST_TEAMS",
            &json!({"first": 1, "cursor": page["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(next.unwrap(), json!({"items": second, "next_cursor": null}));
    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(variables(&requests[0]), json!({"first": 1}));
    assert_eq!(
        variables(&requests[1]),
        json!({"first": 1, "after": "ZW5nLXRlYW0tY3Vyc29y"})
    );
}

#[tokio::test]
async fn search_issues_sends_the_text_and_every_filter() {
    let found = issue_summary("ENG-123", "Login fails with SSO");
    let (result, standin) = run(
        "linear_search",
        "LINEAR_SEARCH_ISSUES",
        json!({"query": "login sso", "team": "ENG", "state_type": "started", "assignee": "ada@acme.com", "label": "Bug", "priority": "high", "first": 10}),
        answer("query SearchIssues", connection("searchIssues", json!([found]), Some("aXNzdWUtMTIz"))),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [found], "next_cursor": "aXNzdWUtMTIz"})
    );
    assert_eq!(
        variables(&standin.single().await),
        json!({
            "term": "login sso",
            "first": 10,
            "filter": {
                "team": {"key": {"eqIgnoreCase": "ENG"}},
                "state": {"type": {"eq": "started"}},
                "assignee": {"email": {"eqIgnoreCase": "ada@acme.com"}},
                "labels": {"some": {"name": {"eqIgnoreCase": "Bug"}}},
                "priority": {"eq": 2}
            }
        })
    );
}

#[tokio::test]
async fn get_issue_answers_the_issue_as_linear_sent_it() {
    let issue = issue_detail("ENG-123", "Login fails with SSO");
    let (result, standin) = run(
        "linear_get_issue",
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-123"}),
        answer("query Issue", json!({"issue": issue})),
    )
    .await;
    assert_eq!(result.unwrap(), issue);
    assert_eq!(variables(&standin.single().await), json!({"id": "ENG-123"}));
}

#[tokio::test]
async fn create_issue_sends_linears_input_and_answers_the_created_issue() {
    let issue = issue_detail("ENG-124", "Crash on start");
    let (result, standin) = run(
        "linear_create_issue",
        "LINEAR_CREATE_ISSUE",
        json!({
            "team_id": TEAM,
            "title": "Crash on start",
            "description": "The app crashes at launch on **iOS 18**.",
            "assignee_id": ADA,
            "priority": "urgent",
            "label_ids": ["3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b"],
            "due_date": "2026-12-04"
        }),
        answer(
            "mutation IssueCreate",
            json!({"issueCreate": {"success": true, "issue": issue}}),
        ),
    )
    .await;
    assert_eq!(result.unwrap(), issue);
    assert_eq!(
        variables(&standin.single().await),
        json!({"input": {
            "teamId": TEAM,
            "title": "Crash on start",
            "description": "The app crashes at launch on **iOS 18**.",
            "assigneeId": ADA,
            "priority": 1,
            "labelIds": ["3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b"],
            "dueDate": "2026-12-04"
        }})
    );
}

#[tokio::test]
async fn add_comment_to_an_identifier_looks_the_issue_up_then_comments() {
    let standin = LINEAR.session("linear_comment");
    standin
        .answer(answer("query IssueId", json!({"issue": {"id": ISSUE}})))
        .await;
    let comment = json!({
        "id": "a1b2c3d4-e5f6-4789-8abc-def012345679",
        "body": "Fixed in **v2.4.1**",
        "url": "https://linear.app/acme/issue/ENG-123/login-fails-with-sso#comment-a1b2c3d4",
        "createdAt": "2026-11-30T07:00:00.000Z",
        "user": {"id": ADA, "name": "Ada Lovelace"},
        "issue": {"id": ISSUE, "identifier": "ENG-123"},
        "parent": null
    });
    standin
        .answer(answer(
            "mutation CommentCreate",
            json!({"commentCreate": {"success": true, "comment": comment}}),
        ))
        .await;
    let (runtime, plugin) = linear(&standin).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "LINEAR_ADD_COMMENT",
            &json!({"issue_id": "ENG-123", "body": "Fixed in **v2.4.1**"}),
            &alice(),
        )
        .await;
    assert_eq!(result.unwrap(), comment);
    assert_eq!(report.upstream_calls, 2);
    let requests = standin.requests().await;
    assert_eq!(variables(&requests[0]), json!({"id": "ENG-123"}));
    assert_eq!(
        variables(&requests[1]),
        json!({"input": {"issueId": ISSUE, "body": "Fixed in **v2.4.1**"}})
    );
}

/// Linear's `errors[]` envelope, as its API sends it.
fn linear_error(message: &str, code: &str, kind: &str, user_message: &str) -> Value {
    json!({
        "errors": [{
            "message": message,
            "locations": [{"line": 1, "column": 29}],
            "path": ["issue"],
            "extensions": {"code": code, "type": kind, "userPresentableMessage": user_message}
        }],
        "data": null
    })
}

#[tokio::test]
async fn linears_errors_reach_the_caller_as_the_contracts_errors() {
    // A revoked token: Linear answers 400 with AUTHENTICATION_ERROR.
    let (result, standin) = run(
        "linear_error_auth",
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-123"}),
        Fixture::operation(
            "query Issue",
            Reply::json(
                400,
                linear_error(
                    "Authentication required, not authenticated",
                    "AUTHENTICATION_ERROR",
                    "authentication error",
                    "You need to authenticate to access this operation.",
                ),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized(
            "Authentication required, not authenticated (You need to authenticate to access this operation.)".into()
        ))
    );
    standin.assert_no_violations().await;

    // A missing issue: HTTP 200 with `Entity not found`.
    let (result, standin) = run(
        "linear_error_not_found",
        "LINEAR_GET_ISSUE",
        json!({"id": "ENG-99999"}),
        Fixture::operation(
            "query Issue",
            Reply::json(
                200,
                linear_error(
                    "Entity not found: Issue",
                    "INPUT_ERROR",
                    "invalid input",
                    "Could not find referenced Issue.",
                ),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::NotFound(
            "Entity not found: Issue (Could not find referenced Issue.)".into()
        ))
    );
    standin.assert_no_violations().await;

    // Rate limited: the requests budget is spent and resets in 42 s (epoch milliseconds).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let reset = (now_ms + 42_000).to_string();
    let (result, standin) = run(
        "linear_error_rate_limited",
        "LINEAR_LIST_TEAMS",
        json!({}),
        Fixture::operation(
            "query Teams",
            Reply::json(
                400,
                linear_error(
                    "Rate limit exceeded",
                    "RATELIMITED",
                    "ratelimited",
                    "Too many requests. Please try again later.",
                ),
            )
            .header("x-ratelimit-requests-limit", "5000")
            .header("x-ratelimit-requests-remaining", "0")
            .header("x-ratelimit-requests-reset", &reset),
        ),
    )
    .await;
    match result.unwrap_err() {
        CallError::Action(ActionError::RateLimited {
            message,
            retry_after_seconds: Some(seconds),
        }) => {
            assert_eq!(
                message,
                "Rate limit exceeded (Too many requests. Please try again later.)"
            );
            assert!((38..=42).contains(&seconds), "{seconds}");
        }
        other => panic!("{other:?}"),
    }
    standin.assert_no_violations().await;

    // Anything else keeps Linear's message and status.
    let body = linear_error(
        "Forbidden",
        "FORBIDDEN",
        "forbidden",
        "You don't have access to this team.",
    );
    let (result, _) = run(
        "linear_error_forbidden",
        "LINEAR_CREATE_ISSUE",
        json!({"team_id": TEAM, "title": "x"}),
        Fixture::operation("mutation IssueCreate", Reply::json(200, body.clone())),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 200,
            message: "Forbidden (You don't have access to this team.)".into(),
            body: Some(body.to_string())
        })
    );
}

/// Every action with the parameters it takes, in one session: Linear's schema accepts each
/// document and its variables, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_operations_that_linears_schema_accepts() {
    let standin = LINEAR.session("linear_every_action");
    let project = json!({"id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "name": "SSO", "description": "Single sign-on", "url": "https://linear.app/acme/project/sso-0a1b2c3d4e5f", "priority": 2, "progress": 0.35, "startDate": "2026-11-02", "targetDate": "2026-12-18", "createdAt": "2026-10-30T12:00:00.000Z", "updatedAt": "2026-11-29T08:00:00.000Z", "status": {"id": "1a2b3c4d-5e6f-4708-9192-a3b4c5d6e7f8", "name": "In Progress", "type": "started"}, "lead": {"id": ADA, "name": "Ada Lovelace"}, "teams": {"nodes": [{"id": TEAM, "key": "ENG", "name": "Engineering"}]}});
    for fixture in [
        answer(
            "query Teams",
            connection(
                "teams",
                json!([{"id": TEAM, "key": "ENG", "name": "Engineering"}]),
                None,
            ),
        ),
        answer(
            "query SearchIssues",
            connection(
                "searchIssues",
                json!([issue_summary("ENG-123", "Login fails with SSO")]),
                None,
            ),
        ),
        answer(
            "query Issues",
            connection(
                "issues",
                json!([issue_summary("ENG-123", "Login fails with SSO")]),
                None,
            ),
        ),
        answer(
            "query Issue",
            json!({"issue": issue_detail("ENG-123", "Login fails with SSO")}),
        ),
        answer(
            "mutation IssueCreate",
            json!({"issueCreate": {"success": true, "issue": issue_detail("ENG-124", "Crash on start")}}),
        ),
        answer(
            "mutation IssueUpdate",
            json!({"issueUpdate": {"success": true, "issue": issue_detail("ENG-123", "Login fails with SSO")}}),
        ),
        answer(
            "mutation CommentCreate",
            json!({"commentCreate": {"success": true, "comment": {"id": "a1b2c3d4-e5f6-4789-8abc-def012345679"}}}),
        ),
        answer(
            "query Projects",
            connection("projects", json!([project]), None),
        ),
        answer(
            "mutation ProjectCreate",
            json!({"projectCreate": {"success": true, "project": project}}),
        ),
        answer(
            "query WorkflowStates",
            connection(
                "workflowStates",
                json!([{"id": "7f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", "name": "In Progress", "type": "started", "color": "#f2c94c", "position": 2, "description": null, "team": {"id": TEAM, "key": "ENG", "name": "Engineering"}}]),
                None,
            ),
        ),
        answer(
            "query IssueLabels",
            connection(
                "issueLabels",
                json!([{"id": "3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b", "name": "Bug", "description": null, "color": "#eb5757", "isGroup": false, "parent": null, "team": null}]),
                None,
            ),
        ),
        answer(
            "query Users",
            connection(
                "users",
                json!([{"id": ADA, "name": "Ada Lovelace", "displayName": "ada", "email": "ada@acme.com", "active": true, "admin": true, "guest": false, "isMe": true, "timezone": "Europe/London"}]),
                None,
            ),
        ),
    ] {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = linear(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "LINEAR_LIST_TEAMS",
            json!({"name": "eng", "first": 10, "cursor": "dGVhbS1jdXJzb3I="}),
            &["query Teams"],
        ),
        (
            "LINEAR_SEARCH_ISSUES",
            json!({"query": "sso", "include_comments": true, "team": TEAM, "state": "In Progress", "state_type": "started", "assignee": "me", "label": "Bug", "priority": "medium", "include_archived": true, "first": 25, "cursor": "aXNzdWUtY3Vyc29y"}),
            &["query SearchIssues"],
        ),
        (
            "LINEAR_SEARCH_ISSUES",
            json!({"team": "ENG", "assignee": "none", "priority": "none"}),
            &["query Issues"],
        ),
        ("LINEAR_GET_ISSUE", json!({"id": ISSUE}), &["query Issue"]),
        (
            "LINEAR_CREATE_ISSUE",
            json!({"team_id": TEAM, "title": "Crash on start", "description": "**Steps**", "assignee_id": ADA, "state_id": "7f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", "priority": "high", "label_ids": ["3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b"], "project_id": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "parent_id": ISSUE, "due_date": "2026-12-04", "estimate": 2}),
            &["mutation IssueCreate"],
        ),
        (
            "LINEAR_UPDATE_ISSUE",
            json!({"id": "ENG-123", "title": "Login fails with Okta SSO", "description": "Updated", "assignee_id": null, "state_id": "7f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8", "priority": "low", "label_ids": [], "add_label_ids": ["3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b"], "remove_label_ids": [], "project_id": null, "parent_id": null, "due_date": null, "estimate": 5, "team_id": TEAM}),
            &["mutation IssueUpdate"],
        ),
        (
            "LINEAR_ADD_COMMENT",
            json!({"issue_id": ISSUE, "body": "Seen on **prod**", "parent_id": "c0ffee12-3456-4789-8abc-def012345678"}),
            &["mutation CommentCreate"],
        ),
        (
            "LINEAR_LIST_PROJECTS",
            json!({"team": "ENG", "name": "sso", "include_archived": false, "first": 5, "cursor": "cHJvamVjdA=="}),
            &["query Projects"],
        ),
        (
            "LINEAR_CREATE_PROJECT",
            json!({"name": "SSO", "team_ids": [TEAM, DESIGN], "description": "Single sign-on", "content": "# Goals\n- Okta", "lead_id": ADA, "member_ids": [ADA], "start_date": "2026-11-02", "target_date": "2026-12-18", "priority": "high"}),
            &["mutation ProjectCreate"],
        ),
        (
            "LINEAR_LIST_WORKFLOW_STATES",
            json!({"team": TEAM, "type": "completed", "first": 20, "cursor": "c3RhdGU="}),
            &["query WorkflowStates"],
        ),
        (
            "LINEAR_LIST_LABELS",
            json!({"team": "ENG", "name": "bug", "first": 30, "cursor": "bGFiZWw="}),
            &["query IssueLabels"],
        ),
        (
            "LINEAR_LIST_USERS",
            json!({"query": "ada", "include_disabled": false, "first": 40, "cursor": "dXNlcg=="}),
            &["query Users"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(outputs[0]["items"][0]["key"], "ENG");
    assert_eq!(outputs[3]["identifier"], "ENG-123");
    assert_eq!(outputs[4]["identifier"], "ENG-124");
    for request in standin.requests().await {
        variables(&request);
    }
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn graphql_body(query: &str, variables: Value) -> String {
    json!({"query": query, "variables": variables}).to_string()
}

/// Negative controls: what Linear's schema refuses, among them the mistakes a plugin could make
/// in these very operations (a priority sent as its name, a filter field that does not exist, a
/// project without its teams), so a stand-in that accepts everything fails here.
#[tokio::test]
async fn linears_schema_refuses_what_linear_would_refuse() {
    let create = "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier } } }";
    let priority_by_name = graphql_body(
        create,
        json!({"input": {"teamId": TEAM, "title": "x", "priority": "high"}}),
    );
    let unknown_filter = graphql_body(
        "query Issues($filter: IssueFilter) { issues(filter: $filter) { nodes { id } } }",
        json!({"filter": {"assigneeEmail": {"eq": "ada@acme.com"}}}),
    );
    let project_without_teams = graphql_body(
        "mutation ProjectCreate($input: ProjectCreateInput!) { projectCreate(input: $input) { success } }",
        json!({"input": {"name": "SSO"}}),
    );
    let unknown_field = graphql_body(
        "query Issue($id: String!) { issue(id: $id) { id assigneeName } }",
        json!({"id": "ENG-1"}),
    );
    let missing_term = graphql_body(
        "query SearchIssues($term: String!) { searchIssues(term: $term) { nodes { id } } }",
        json!({}),
    );
    assert_refused(
        &LINEAR,
        "linear_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &[JSON],
                body: &priority_by_name,
                because: "invalid variables",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &[JSON],
                body: &unknown_filter,
                because: "assigneeEmail",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &[JSON],
                body: &project_without_teams,
                because: "teamIds",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &[JSON],
                body: &unknown_field,
                because: "Cannot query field 'assigneeName'",
            },
            Refused {
                method: "POST",
                path_and_query: "/graphql",
                headers: &[JSON],
                body: &missing_term,
                because: "$term",
            },
        ],
    )
    .await;
}

/// Known good: the issue-creating mutation of Linear's "Getting started" guide, with its
/// arguments inline.
#[tokio::test]
async fn linears_schema_accepts_the_create_issue_example_from_linears_docs() {
    let query = r#"mutation IssueCreate {
  issueCreate(
    input: {
      title: "New exception"
      description: "More detailed error report in markdown"
      teamId: "9cfb482a-81e3-4154-b5b9-2c805e70a02d"
    }
  ) {
    success
    issue {
      id
      title
    }
  }
}"#;
    assert_accepted(
        &LINEAR,
        "linear_docs_create",
        (
            "POST",
            "/graphql",
            &[JSON, ("authorization", "Bearer lin_oauth_example")],
            &json!({"query": query}).to_string(),
        ),
        "mutation IssueCreate",
    )
    .await;
}

/// Through the whole host: connecting runs `after_connect` (the account is labelled with the
/// user's e-mail and workspace), `GET /actions` asks the plugin for the per-user schema of
/// `LINEAR_CREATE_ISSUE` (the user's teams as an `enum`), and the host holds calls to it.
#[tokio::test]
async fn connecting_labels_the_account_and_create_issue_offers_the_users_teams() {
    let standin = LINEAR.session("linear_host");
    standin
        .answer(answer(
            "query Viewer",
            json!({"viewer": {"id": ADA, "name": "Ada Lovelace", "email": "ada@acme.com"}, "organization": {"name": "Acme", "urlKey": "acme"}}),
        ))
        .await;
    standin
        .answer(answer(
            "query CreateIssueTeams",
            json!({"teams": {"nodes": [{"id": TEAM, "key": "ENG", "name": "Engineering"}, {"id": DESIGN, "key": "DES", "name": "Design"}], "pageInfo": {"hasNextPage": false}}}),
        ))
        .await;
    standin
        .answer(answer(
            "mutation IssueCreate",
            json!({"issueCreate": {"success": true, "issue": issue_detail("DES-7", "New icons")}}),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    app.connect(
        "alice",
        "linear",
        json!({"access_token": TOKEN, "scopes": ["read", "write"]}),
    )
    .await;
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["integration"], "linear");
    assert_eq!(accounts.body[0]["label"], "ada@acme.com (Acme)");

    let listed = app
        .as_user("alice", "GET", "/actions?integrations=linear", None)
        .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let tools = listed.body["actions"]["linear"].as_array().unwrap();
    let create = tools
        .iter()
        .find(|t| t["function"]["name"] == "LINEAR_CREATE_ISSUE")
        .expect("LINEAR_CREATE_ISSUE is listed");
    let team = &create["function"]["parameters"]["properties"]["team_id"];
    assert_eq!(team["enum"], json!([TEAM, DESIGN]));
    assert_eq!(
        team["description"],
        format!(
            "Id of the team the issue belongs to: `{TEAM}` = ENG (Engineering); `{DESIGN}` = DES (Design)."
        )
    );

    // A team outside the user's is refused by the host before the plugin runs.
    let refused = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "LINEAR_CREATE_ISSUE", "parameters": {"team_id": "not-a-team", "title": "x"}})),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "invalid_parameters")
    );
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/team_id"
    );
    let created = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "LINEAR_CREATE_ISSUE", "parameters": {"team_id": DESIGN, "title": "New icons"}})),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.body["identifier"], "DES-7");

    let checked = standin.checked().await;
    let operations: Vec<Option<&str>> = checked.iter().map(|c| c.operation.as_deref()).collect();
    assert_eq!(
        operations,
        [
            Some("query Viewer"),
            Some("query CreateIssueTeams"),
            Some("mutation IssueCreate")
        ]
    );
    standin.assert_no_violations().await;
    for check in &checked {
        assert_eq!(
            check.request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
    assert_eq!(
        checked[2].request.json()["variables"],
        json!({"input": {"teamId": DESIGN, "title": "New icons"}})
    );
}

/// The alternative way to connect (contract 0.3): a personal API key, which the host sends bare
/// in `Authorization` (no `Bearer`) for `after_connect` and every action.
#[tokio::test]
async fn a_personal_api_key_connects_and_is_sent_bare() {
    const KEY: &str = "lin_api_0a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T";
    let standin = LINEAR.session("linear_api_key");
    standin
        .answer(answer(
            "query Viewer",
            json!({"viewer": {"id": ADA, "name": "Ada Lovelace", "email": "ada@acme.com"}, "organization": {"name": "Acme", "urlKey": "acme"}}),
        ))
        .await;
    let issue = issue_detail("ENG-123", "Login fails with SSO");
    standin
        .answer(answer("query Issue", json!({"issue": issue})))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let integrations = app.as_user("alice", "GET", "/integrations", None).await;
    let linear = integrations
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "linear")
        .expect("linear is bundled");
    assert_eq!(linear["auth"]["type"], "oauth2");
    assert_eq!(linear["alternative_auth"], json!([{"type": "api_key"}]));

    app.connect("alice", "linear", json!({"api_key": KEY}))
        .await;
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body[0]["label"], "ada@acme.com (Acme)");
    let got = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "LINEAR_GET_ISSUE", "parameters": {"id": "ENG-123"}})),
        )
        .await;
    assert_eq!((got.status, got.body), (200, issue));

    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(KEY));
    }
    assert_eq!(requests[1].json()["variables"], json!({"id": "ENG-123"}));
}
