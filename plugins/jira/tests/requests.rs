//! The exact request every Jira action sends to Jira Cloud's REST v3 through Atlassian's gateway
//! (method, URL with its query, headers, JSON body with rich text as ADF), the inputs refused
//! before any request, the lookups some actions make first (transitions, issue types, field
//! metadata), paging by the returned token or offset, the dynamic schema of
//! `JIRA_CREATE_ISSUE`, the connect step that finds the site's cloud id, and how Jira's error
//! envelope maps to errors, run natively against the SDK's test transport.

use actionhost_plugin_jira::{adf, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const CLOUD_ID: &str = "1324a887-45db-1bf4-1e99-ef0ff456d421";

fn base() -> String {
    format!("https://api.atlassian.com/ex/jira/{CLOUD_ID}/rest/api/3")
}

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(&["read:jira-work", "write:jira-work", "read:jira-user"])
        .with_field("cloud_id", CLOUD_ID)
}

/// Runs `action` against the queued answers (`null`: an empty 204); returns its result and
/// every request.
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

/// Runs `action` against one queued answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), &context(), action, input, status, answer)
}

/// Runs `action` and asserts that it fails before sending anything.
fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &context(), action, input)
}

fn assert_request(request: &RecordedRequest, method: &str, path_and_query: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (method, format!("{}{path_and_query}", base()).as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
}

fn json_body(request: &RecordedRequest) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    request.json()
}

fn doc(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

#[test]
fn search_issues_posts_the_jql_with_the_default_fields_and_pages_by_token() {
    let first = json!({
        "issues": [{"id": "10068", "key": "PROJ-7", "fields": {"summary": "Crash", "description": doc("Steps")}}],
        "nextPageToken": "CAEaAggD",
        "isLast": false
    });
    let (result, request) = call(
        "JIRA_SEARCH_ISSUES",
        json!({"jql": " project = PROJ ORDER BY updated DESC ", "max_results": 1}),
        200,
        first,
    );
    assert_request(&request, "POST", "/search/jql");
    assert_eq!(
        json_body(&request),
        json!({
            "jql": "project = PROJ ORDER BY updated DESC",
            "fields": ["summary", "status", "issuetype", "priority", "assignee", "reporter", "project", "labels", "parent", "created", "updated", "duedate", "resolution"],
            "maxResults": 1
        })
    );
    let first = result.unwrap();
    assert_eq!(first["issues"][0]["fields"]["description"], "Steps");
    assert_eq!(first["nextPageToken"], "CAEaAggD");

    // The agent passes the token back for the next page.
    let (result, request) = call(
        "JIRA_SEARCH_ISSUES",
        json!({"jql": "project = PROJ ORDER BY updated DESC", "fields": ["summary", "customfield_10016"], "next_page_token": first["nextPageToken"]}),
        200,
        json!({"issues": [{"id": "10069", "key": "PROJ-8", "fields": {"summary": "Slow"}}], "isLast": true}),
    );
    assert_eq!(
        json_body(&request),
        json!({
            "jql": "project = PROJ ORDER BY updated DESC",
            "fields": ["summary", "customfield_10016"],
            "maxResults": 50,
            "nextPageToken": "CAEaAggD"
        })
    );
    assert_eq!(result.unwrap()["isLast"], true);
    assert_eq!(
        refused("JIRA_SEARCH_ISSUES", json!({"jql": "  "})),
        Error::invalid_input("`jql` must not be blank")
    );
}

#[test]
fn get_issue_answers_plain_text_fields_with_their_names_and_without_nulls() {
    let answer = json!({
        "expand": "renderedFields,names",
        "id": "10002",
        "self": format!("{}/issue/10002", base()),
        "key": "PROJ-2",
        "names": {"summary": "Summary", "description": "Description", "customfield_10016": "Story points", "customfield_10099": "Unused", "comment": "Comment"},
        "fields": {
            "summary": "Login fails",
            "description": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Since 2.3:"}]},
                {"type": "bulletList", "content": [{"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "open the app"}]}]}]}
            ]},
            "customfield_10016": 5,
            "customfield_10099": null,
            "comment": {"comments": [{"id": "1", "body": doc("Seen it too")}], "total": 1}
        }
    });
    let (result, request) = call(
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-2"}),
        200,
        answer,
    );
    assert_request(&request, "GET", "/issue/PROJ-2?expand=names");
    assert_eq!(
        result.unwrap(),
        json!({
            "id": "10002",
            "key": "PROJ-2",
            "fields": {
                "summary": "Login fails",
                "description": "Since 2.3:\n\n- open the app",
                "customfield_10016": 5,
                "comment": {"comments": [{"id": "1", "body": "Seen it too"}], "total": 1}
            },
            "names": {"comment": "Comment", "customfield_10016": "Story points", "description": "Description", "summary": "Summary"}
        })
    );

    let (_, request) = call(
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ 2/x", "fields": ["summary", "status"]}),
        200,
        json!({"id": "1", "key": "PROJ-2", "fields": {}}),
    );
    assert_request(
        &request,
        "GET",
        "/issue/PROJ%202%2Fx?expand=names&fields=summary%2Cstatus",
    );
}

#[test]
fn create_issue_sends_every_field_with_the_description_as_adf() {
    let created =
        json!({"id": "10000", "key": "PROJ-24", "self": format!("{}/issue/10000", base())});
    let (result, request) = call(
        "JIRA_CREATE_ISSUE",
        json!({
            "project_key": "PROJ",
            "issue_type": "Bug",
            "summary": " Crash on start ",
            "description": "The app crashes.\n\n- open it\n- wait",
            "assignee_account_id": "5b10ac8d82e05b22cc7d4ef5",
            "labels": ["crash", "ios"],
            "priority": "High",
            "parent_key": "PROJ-1"
        }),
        201,
        created.clone(),
    );
    assert_eq!(result.unwrap(), created);
    assert_request(&request, "POST", "/issue");
    assert_eq!(
        json_body(&request),
        json!({"fields": {
            "project": {"key": "PROJ"},
            "issuetype": {"name": "Bug"},
            "summary": "Crash on start",
            "description": adf::from_text("The app crashes.\n\n- open it\n- wait"),
            "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
            "labels": ["crash", "ios"],
            "priority": {"name": "High"},
            "parent": {"key": "PROJ-1"}
        }})
    );
    let (_, request) = call(
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "PROJ", "issue_type": "10001", "summary": "Task"}),
        201,
        created,
    );
    assert_eq!(
        json_body(&request),
        json!({"fields": {"project": {"key": "PROJ"}, "issuetype": {"id": "10001"}, "summary": "Task"}})
    );
    assert_eq!(
        refused(
            "JIRA_CREATE_ISSUE",
            json!({"project_key": "PROJ", "issue_type": "Bug", "summary": "x", "labels": ["two words"]})
        ),
        Error::invalid_input(
            "`labels[0]` must be one word without spaces (Jira refuses spaces in labels): \"two words\""
        )
    );
    assert_eq!(
        refused(
            "JIRA_CREATE_ISSUE",
            json!({"project_key": " ", "issue_type": "Bug", "summary": "x"})
        ),
        Error::invalid_input("`project_key` must not be blank")
    );
}

/// `createmeta` for PROJ's Story: the system fields and three custom fields.
fn story_fields() -> Value {
    json!({
        "maxResults": 200, "startAt": 0, "total": 6,
        "fields": [
            {"fieldId": "summary", "key": "summary", "name": "Summary", "required": true, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "string", "system": "summary"}},
            {"fieldId": "issuetype", "key": "issuetype", "name": "Issue Type", "required": true, "hasDefaultValue": false, "operations": [], "schema": {"type": "issuetype", "system": "issuetype"}},
            {"fieldId": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}},
            {"fieldId": "customfield_10020", "key": "customfield_10020", "name": "Severity", "required": true, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10020},
             "allowedValues": [{"self": "https://acme.atlassian.net/rest/api/3/customFieldOption/10030", "value": "Minor", "id": "10030"}, {"self": "https://acme.atlassian.net/rest/api/3/customFieldOption/10031", "value": "Major", "id": "10031"}]},
            {"fieldId": "customfield_10050", "key": "customfield_10050", "name": "Release notes", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea", "customId": 10050}},
            {"fieldId": "duedate", "key": "duedate", "name": "Due date", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "date", "system": "duedate"}}
        ]
    })
}

fn proj_issue_types() -> Value {
    json!({"maxResults": 200, "startAt": 0, "total": 2, "issueTypes": [
        {"id": "10001", "name": "Story", "subtask": false, "description": "A user story"},
        {"id": "10002", "name": "Bug", "subtask": false}
    ]})
}

#[test]
fn create_issue_converts_custom_fields_with_the_issue_types_metadata() {
    let created =
        json!({"id": "10000", "key": "PROJ-25", "self": format!("{}/issue/10000", base())});
    let (result, requests) = run(
        "JIRA_CREATE_ISSUE",
        json!({
            "project_key": "PROJ",
            "issue_type": "story",
            "summary": "Export to CSV",
            "custom_fields": {"customfield_10016": 3, "Severity": "Major", "customfield_10050": "Line one\nline two", "duedate": "2025-03-31"}
        }),
        vec![
            (200, proj_issue_types()),
            (200, story_fields()),
            (201, created.clone()),
        ],
    );
    assert_eq!(result.unwrap(), created);
    assert_eq!(requests.len(), 3);
    assert_request(
        &requests[0],
        "GET",
        "/issue/createmeta/PROJ/issuetypes?maxResults=200",
    );
    assert_request(
        &requests[1],
        "GET",
        "/issue/createmeta/PROJ/issuetypes/10001?maxResults=200",
    );
    assert_request(&requests[2], "POST", "/issue");
    assert_eq!(
        json_body(&requests[2]),
        json!({"fields": {
            "project": {"key": "PROJ"},
            "issuetype": {"id": "10001"},
            "customfield_10016": 3,
            "customfield_10020": {"value": "Major"},
            "customfield_10050": adf::from_text("Line one\nline two"),
            "duedate": "2025-03-31",
            "summary": "Export to CSV"
        }})
    );

    // An issue type given by id needs no lookup.
    let (result, requests) = run(
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "PROJ", "issue_type": "10001", "summary": "x", "custom_fields": {"customfield_10016": 2}}),
        vec![(200, story_fields()), (201, created.clone())],
    );
    result.unwrap();
    assert_request(
        &requests[0],
        "GET",
        "/issue/createmeta/PROJ/issuetypes/10001?maxResults=200",
    );
    assert_eq!(
        json_body(&requests[1])["fields"]["issuetype"],
        json!({"id": "10001"})
    );

    // An issue type the project does not have, and a field the issue type does not have.
    let (result, requests) = run(
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "PROJ", "issue_type": "Epic", "summary": "x", "custom_fields": {"customfield_10016": 1}}),
        vec![(200, proj_issue_types())],
    );
    assert_eq!(requests.len(), 1);
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "project PROJ has no issue type \"Epic\"; its issue types are: Story, Bug"
        )
    );
    let (result, requests) = run(
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "PROJ", "issue_type": "Story", "summary": "x", "custom_fields": {"Team": "Core"}}),
        vec![(200, proj_issue_types()), (200, story_fields())],
    );
    assert_eq!(requests.len(), 2);
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "`custom_fields` names \"Team\", which is not a field of PROJ / Story; its fields are: customfield_10016 (Story point estimate), customfield_10020 (Severity), customfield_10050 (Release notes), duedate (Due date)"
        )
    );
}

#[test]
fn create_issues_schema_lists_the_custom_fields_of_the_users_projects() {
    let create = provider();
    let action = create
        .actions()
        .iter()
        .find(|a| a.name() == "JIRA_CREATE_ISSUE")
        .unwrap();
    assert!(action.hints().dynamic_schema);
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({
            "self": format!("{}/project/search?maxResults=20&startAt=0", base()),
            "maxResults": 20, "startAt": 0, "total": 2, "isLast": true,
            "values": [
                {"id": "10000", "key": "PROJ", "name": "Platform", "projectTypeKey": "software",
                 "issueTypes": [{"id": "10001", "name": "Story", "subtask": false}, {"id": "10002", "name": "Bug", "subtask": false}]},
                {"id": "10010", "key": "OPS", "name": "Operations", "projectTypeKey": "business",
                 "issueTypes": [{"id": "10003", "name": "Task", "subtask": false}]}
            ]
        }),
    );
    transport.reply_json(200, story_fields());
    transport.reply_json(
        200,
        json!({"maxResults": 200, "startAt": 0, "total": 1, "fields": [
            {"fieldId": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}}
        ]}),
    );
    transport.reply_json(
        200,
        json!({"maxResults": 200, "startAt": 0, "total": 1, "fields": [
            {"fieldId": "customfield_10060", "key": "customfield_10060", "name": "Reviewers", "required": false, "hasDefaultValue": false, "operations": ["set", "add", "remove"], "schema": {"type": "array", "items": "user", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker", "customId": 10060}}
        ]}),
    );
    let schema = action.describe(&context()).unwrap();
    let urls: Vec<String> = transport.requests().into_iter().map(|r| r.url).collect();
    assert_eq!(
        urls,
        [
            format!(
                "{}/project/search?action=create&expand=issueTypes&orderBy=-lastIssueUpdatedDate&maxResults=20",
                base()
            ),
            format!(
                "{}/issue/createmeta/PROJ/issuetypes/10001?maxResults=200",
                base()
            ),
            format!(
                "{}/issue/createmeta/PROJ/issuetypes/10002?maxResults=200",
                base()
            ),
            format!(
                "{}/issue/createmeta/OPS/issuetypes/10003?maxResults=200",
                base()
            ),
        ]
    );
    let custom = &schema["properties"]["custom_fields"];
    assert_eq!(
        custom["type"],
        action.input_schema()["properties"]["custom_fields"]["type"]
    );
    assert_eq!(custom["additionalProperties"], true);
    assert_eq!(
        custom["properties"],
        json!({
            "customfield_10016": {"type": "number", "description": "Story point estimate — number. In: PROJ (Story, Bug)."},
            "customfield_10020": {"type": "string", "enum": ["Minor", "Major"], "description": "Severity — one option. In: PROJ (Story). Required in: PROJ Story."},
            "customfield_10050": {"type": "string", "description": "Release notes — multi-line text, plain. In: PROJ (Story)."},
            "customfield_10060": {"type": "array", "items": {"type": "string"}, "description": "Reviewers — list of account ids. In: OPS (Task)."},
            "duedate": {"type": "string", "format": "date", "description": "Due date — date, YYYY-MM-DD. In: PROJ (Story)."}
        })
    );
    assert!(
        schema["properties"]["project_key"]["description"]
            .as_str()
            .unwrap()
            .ends_with("Projects you can create issues in, with their issue types: PROJ (Platform): Story, Bug; OPS (Operations): Task.")
    );
    // The static parameters stay as they were.
    assert_eq!(schema["required"], action.input_schema()["required"]);
    assert_eq!(
        schema["properties"]["summary"],
        action.input_schema()["properties"]["summary"]
    );
}

#[test]
fn update_issue_puts_fields_and_label_operations() {
    let (result, request) = call(
        "JIRA_UPDATE_ISSUE",
        json!({"issue_key": "PROJ-2", "summary": "New title", "description": "", "priority": "Low", "add_labels": ["triaged"], "remove_labels": ["new"]}),
        204,
        Value::Null,
    );
    assert_eq!(
        result.unwrap(),
        json!({"issue_key": "PROJ-2", "updated": true})
    );
    assert_request(&request, "PUT", "/issue/PROJ-2");
    assert_eq!(
        json_body(&request),
        json!({
            "fields": {"summary": "New title", "description": null, "priority": {"name": "Low"}},
            "update": {"labels": [{"add": "triaged"}, {"remove": "new"}]}
        })
    );

    let editmeta = json!({"fields": {
        "summary": {"required": true, "schema": {"type": "string", "system": "summary"}, "name": "Summary", "key": "summary", "operations": ["set"]},
        "customfield_10020": {"required": false, "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10020}, "name": "Severity", "key": "customfield_10020", "operations": ["set"], "allowedValues": [{"value": "Minor", "id": "10030"}, {"value": "Major", "id": "10031"}]},
        "duedate": {"required": false, "schema": {"type": "date", "system": "duedate"}, "name": "Due date", "key": "duedate", "operations": ["set"]}
    }});
    let (result, requests) = run(
        "JIRA_UPDATE_ISSUE",
        json!({"issue_key": "PROJ-2", "labels": ["a"], "custom_fields": {"Severity": "Minor", "duedate": null}}),
        vec![(200, editmeta), (204, Value::Null)],
    );
    result.unwrap();
    assert_request(&requests[0], "GET", "/issue/PROJ-2/editmeta");
    assert_request(&requests[1], "PUT", "/issue/PROJ-2");
    assert_eq!(
        json_body(&requests[1]),
        json!({"fields": {"duedate": null, "customfield_10020": {"value": "Minor"}, "labels": ["a"]}})
    );

    assert_eq!(
        refused("JIRA_UPDATE_ISSUE", json!({"issue_key": "PROJ-2"})),
        Error::invalid_input(
            "give at least one of `summary`, `description`, `priority`, `labels`, `add_labels`, `remove_labels` or `custom_fields`"
        )
    );
    assert_eq!(
        refused(
            "JIRA_UPDATE_ISSUE",
            json!({"issue_key": "PROJ-2", "labels": ["a"], "add_labels": ["b"]})
        ),
        Error::invalid_input(
            "give `labels` (replace all) or `add_labels` / `remove_labels`, not both"
        )
    );
}

fn transitions() -> Value {
    json!({"expand": "transitions", "transitions": [
        {"id": "11", "name": "To Do", "to": {"id": "10000", "name": "To Do", "statusCategory": {"key": "new"}}, "hasScreen": false, "isGlobal": true},
        {"id": "21", "name": "Start progress", "to": {"id": "3", "name": "In Progress", "statusCategory": {"key": "indeterminate"}}, "hasScreen": false, "isGlobal": true},
        {"id": "31", "name": "Resolve", "to": {"id": "10001", "name": "Done", "statusCategory": {"key": "done"}}, "hasScreen": true, "isGlobal": true}
    ]})
}

#[test]
fn transition_issue_finds_the_transition_by_target_status_or_name() {
    let (result, requests) = run(
        "JIRA_TRANSITION_ISSUE",
        json!({"issue_key": "PROJ-2", "status": "done", "comment": "Fixed in 2.4", "resolution": "Fixed"}),
        vec![(200, transitions()), (204, Value::Null)],
    );
    assert_eq!(
        result.unwrap(),
        json!({"issue_key": "PROJ-2", "transition_id": "31", "transition": "Resolve", "status": "Done"})
    );
    assert_request(&requests[0], "GET", "/issue/PROJ-2/transitions");
    assert_request(&requests[1], "POST", "/issue/PROJ-2/transitions");
    assert_eq!(
        json_body(&requests[1]),
        json!({
            "transition": {"id": "31"},
            "fields": {"resolution": {"name": "Fixed"}},
            "update": {"comment": [{"add": {"body": adf::from_text("Fixed in 2.4")}}]}
        })
    );

    let (result, requests) = run(
        "JIRA_TRANSITION_ISSUE",
        json!({"issue_key": "PROJ-2", "status": "Start Progress"}),
        vec![(200, transitions()), (204, Value::Null)],
    );
    assert_eq!(result.unwrap()["status"], "In Progress");
    assert_eq!(json_body(&requests[1]), json!({"transition": {"id": "21"}}));

    let (result, requests) = run(
        "JIRA_TRANSITION_ISSUE",
        json!({"issue_key": "PROJ-2", "status": "Blocked"}),
        vec![(200, transitions())],
    );
    assert_eq!(requests.len(), 1);
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "no transition of PROJ-2 leads to \"Blocked\"; the transitions available now are: \"To Do\" → To Do, \"Start progress\" → In Progress, \"Resolve\" → Done"
        )
    );
}

#[test]
fn add_comment_posts_adf_and_answers_the_comment_as_text() {
    let answer = json!({
        "self": format!("{}/issue/10010/comment/10000", base()),
        "id": "10000",
        "author": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof", "active": false},
        "body": doc("Looks good"),
        "created": "2021-01-17T12:34:00.000+0000",
        "updated": "2021-01-18T23:45:00.000+0000"
    });
    let (result, request) = call(
        "JIRA_ADD_COMMENT",
        json!({"issue_key": "PROJ-2", "body": "Looks good"}),
        201,
        answer,
    );
    assert_request(&request, "POST", "/issue/PROJ-2/comment");
    assert_eq!(json_body(&request), json!({"body": doc("Looks good")}));
    let comment = result.unwrap();
    assert_eq!(comment["body"], "Looks good");
    assert_eq!(comment["id"], "10000");
    assert_eq!(
        refused(
            "JIRA_ADD_COMMENT",
            json!({"issue_key": "PROJ-2", "body": " \n"})
        ),
        Error::invalid_input("`body` must not be blank")
    );
}

#[test]
fn assign_issue_puts_the_account_id_or_null_to_unassign() {
    let (result, request) = call(
        "JIRA_ASSIGN_ISSUE",
        json!({"issue_key": "PROJ-2", "account_id": "5b10ac8d82e05b22cc7d4ef5"}),
        204,
        Value::Null,
    );
    assert_eq!(
        result.unwrap(),
        json!({"issue_key": "PROJ-2", "account_id": "5b10ac8d82e05b22cc7d4ef5"})
    );
    assert_request(&request, "PUT", "/issue/PROJ-2/assignee");
    assert_eq!(
        json_body(&request),
        json!({"accountId": "5b10ac8d82e05b22cc7d4ef5"})
    );
    let (result, request) = call(
        "JIRA_ASSIGN_ISSUE",
        json!({"issue_key": "PROJ-2"}),
        204,
        Value::Null,
    );
    assert_eq!(
        result.unwrap(),
        json!({"issue_key": "PROJ-2", "account_id": null})
    );
    assert_eq!(json_body(&request), json!({"accountId": null}));
}

#[test]
fn list_projects_pages_by_offset() {
    let page = |start: u64, last: bool| {
        json!({"self": "x", "maxResults": 2, "startAt": start, "total": 3, "isLast": last,
               "values": [{"id": "10000", "key": "PROJ", "name": "Platform"}, {"id": "10001", "key": "OPS", "name": "Operations"}]})
    };
    let (result, request) = call(
        "JIRA_LIST_PROJECTS",
        json!({"query": " plat ", "max_results": 2}),
        200,
        page(0, false),
    );
    assert_request(
        &request,
        "GET",
        "/project/search?startAt=0&maxResults=2&expand=description%2Clead%2CissueTypes&query=plat",
    );
    let first = result.unwrap();
    assert_eq!(first["next_start_at"], 2);
    assert_eq!(first["total"], 3);
    assert_eq!(first["projects"][1]["key"], "OPS");
    let (result, request) = call(
        "JIRA_LIST_PROJECTS",
        json!({"max_results": 2, "start_at": first["next_start_at"]}),
        200,
        page(2, true),
    );
    assert_request(
        &request,
        "GET",
        "/project/search?startAt=2&maxResults=2&expand=description%2Clead%2CissueTypes",
    );
    assert_eq!(result.unwrap()["next_start_at"], Value::Null);
}

#[test]
fn create_project_posts_the_project_and_refuses_a_bad_key() {
    let created = json!({"self": format!("{}/project/10042", base()), "id": 10042, "key": "OPS"});
    let (result, request) = call(
        "JIRA_CREATE_PROJECT",
        json!({"key": "OPS", "name": "Operations", "project_type": "software", "lead_account_id": "5b10a0effa615349cb016cd8",
               "description": "Ops work", "template_key": "com.pyxis.greenhopper.jira:gh-simplified-kanban-classic", "assignee_type": "PROJECT_LEAD"}),
        201,
        created.clone(),
    );
    assert_eq!(result.unwrap(), created);
    assert_request(&request, "POST", "/project");
    assert_eq!(
        json_body(&request),
        json!({"key": "OPS", "name": "Operations", "projectTypeKey": "software", "leadAccountId": "5b10a0effa615349cb016cd8",
               "description": "Ops work", "projectTemplateKey": "com.pyxis.greenhopper.jira:gh-simplified-kanban-classic", "assigneeType": "PROJECT_LEAD"})
    );
    assert_eq!(
        refused(
            "JIRA_CREATE_PROJECT",
            json!({"key": "ops", "name": "Operations", "project_type": "business", "lead_account_id": "x"})
        ),
        Error::invalid_input(
            "`key` must be 2 to 10 upper-case letters and digits starting with a letter, like OPS: \"ops\""
        )
    );
}

#[test]
fn search_users_pages_by_offset_while_pages_are_full() {
    let user = |id: &str| json!({"accountId": id, "accountType": "atlassian", "displayName": "Ada", "active": true});
    let (result, request) = call(
        "JIRA_SEARCH_USERS",
        json!({"query": "ada", "max_results": 2}),
        200,
        json!([user("a1"), user("a2")]),
    );
    assert_request(
        &request,
        "GET",
        "/user/search?query=ada&startAt=0&maxResults=2",
    );
    let first = result.unwrap();
    assert_eq!(first["next_start_at"], 2);
    let (result, request) = call(
        "JIRA_SEARCH_USERS",
        json!({"query": "ada", "max_results": 2, "start_at": 2}),
        200,
        json!([user("a3")]),
    );
    assert_request(
        &request,
        "GET",
        "/user/search?query=ada&startAt=2&maxResults=2",
    );
    assert_eq!(
        result.unwrap(),
        json!({"users": [user("a3")], "next_start_at": null})
    );
}

#[test]
fn jiras_error_envelope_maps_to_the_contracts_errors() {
    let (result, _) = call(
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-404"}),
        404,
        json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("Issue does not exist or you do not have permission to see it.")
    );
    let (result, _) = call(
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-1"}),
        401,
        json!({"code": 401, "message": "Unauthorized; scope does not match"}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::unauthorized("Unauthorized; scope does not match")
    );
    let body = json!({"errorMessages": [], "errors": {"summary": "You must specify a summary of the issue.", "customfield_10020": "Severity is required."}});
    let (result, _) = call(
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "PROJ", "issue_type": "Bug", "summary": "x"}),
        400,
        body.clone(),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::Upstream {
            status: 400,
            message: "customfield_10020: Severity is required.; summary: You must specify a summary of the issue.".into(),
            body: Some(body.to_string())
        }
    );

    let transport = Transport::install();
    transport.reply(429, &[("retry-after", "17")], "Rate limit exceeded.");
    let error = testing::run(
        &provider(),
        "JIRA_SEARCH_USERS",
        json!({"query": "ada"}),
        &context(),
    )
    .unwrap_err();
    assert_eq!(error, Error::rate_limited("HTTP 429", Some(17)));

    // An account stored without its cloud id cannot be used: connect again.
    let transport = Transport::install();
    let error = testing::run(
        &provider(),
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-1"}),
        &Context::new("alice"),
    )
    .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(m) if m.contains("cloud_id")));
    assert!(transport.requests().is_empty());
}

fn resources() -> Value {
    json!([
        {"id": "c0ffee00-0000-4000-8000-000000000001", "name": "Acme Wiki", "url": "https://acme-wiki.atlassian.net",
         "scopes": ["read:confluence-content.all"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png"},
        {"id": CLOUD_ID, "name": "Acme", "url": "https://acme.atlassian.net",
         "scopes": ["read:jira-work", "write:jira-work", "read:jira-user"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"},
        {"id": "beef0000-0000-4000-8000-000000000002", "name": "Acme Labs", "url": "https://acme-labs.atlassian.net",
         "scopes": ["read:jira-work", "write:jira-work"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/star.png"}
    ])
}

fn connect(ctx: Context, answer: Value) -> (Result<ConnectedAccount, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let result = testing::after_connect(&provider(), &ctx.with_credential(CredentialKind::OAuth2));
    (result, transport.only_request())
}

#[test]
fn connecting_keeps_the_cloud_id_of_the_named_site_or_the_first_jira_site() {
    let (account, request) = connect(
        Context::new("alice").with_field("site", "Acme-Labs"),
        resources(),
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "GET",
            "https://api.atlassian.com/oauth/token/accessible-resources"
        )
    );
    assert_eq!(
        account.unwrap(),
        ConnectedAccount::labelled("Acme Labs (acme-labs.atlassian.net)")
            .field("cloud_id", "beef0000-0000-4000-8000-000000000002")
    );
    // Without a site: the first Jira site (the Confluence-only one is skipped).
    let (account, _) = connect(Context::new("alice"), resources());
    assert_eq!(
        account.unwrap(),
        ConnectedAccount::labelled("Acme (acme.atlassian.net)").field("cloud_id", CLOUD_ID)
    );
    let (account, _) = connect(
        Context::new("alice").with_field("site", "globex"),
        resources(),
    );
    assert_eq!(
        account.unwrap_err(),
        Error::invalid_input(
            "this Atlassian account did not grant access to https://globex.atlassian.net; the Jira sites it granted are: https://acme.atlassian.net, https://acme-labs.atlassian.net. Connect again with one of them as `site` (or choose https://globex.atlassian.net on Atlassian's consent screen)"
        )
    );
    let (account, _) = connect(Context::new("alice"), json!([]));
    assert!(matches!(account.unwrap_err(), Error::Unauthorized(m) if m.contains("no Jira site")));
}

#[test]
fn every_action_declares_jiras_scopes_and_true_hints() {
    let provider = provider();
    let expected: &[(&str, &[&str], bool, bool)] = &[
        ("JIRA_SEARCH_ISSUES", &["read:jira-work"], true, true),
        ("JIRA_GET_ISSUE", &["read:jira-work"], true, true),
        (
            "JIRA_CREATE_ISSUE",
            &["write:jira-work", "read:jira-work"],
            false,
            false,
        ),
        (
            "JIRA_UPDATE_ISSUE",
            &["write:jira-work", "read:jira-work"],
            false,
            true,
        ),
        (
            "JIRA_TRANSITION_ISSUE",
            &["write:jira-work", "read:jira-work"],
            false,
            false,
        ),
        ("JIRA_ADD_COMMENT", &["write:jira-work"], false, false),
        ("JIRA_ASSIGN_ISSUE", &["write:jira-work"], false, true),
        ("JIRA_LIST_PROJECTS", &["read:jira-work"], true, true),
        (
            "JIRA_CREATE_PROJECT",
            &["manage:jira-configuration"],
            false,
            false,
        ),
        ("JIRA_SEARCH_USERS", &["read:jira-user"], true, true),
    ];
    assert_eq!(provider.actions().len(), expected.len());
    for (name, scopes, read_only, idempotent) in expected {
        let action = provider.find(name).unwrap();
        let required: Vec<Vec<String>> = scopes.iter().map(|s| vec![s.to_string()]).collect();
        assert_eq!(action.required_scopes(), required, "{name}");
        let hints = action.hints();
        assert_eq!(
            (hints.read_only, hints.idempotent, hints.destructive),
            (*read_only, *idempotent, false),
            "{name}"
        );
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{name}");
        assert!(
            schema.get("oneOf").is_none() && schema.get("anyOf").is_none(),
            "{name}"
        );
    }
}

/// An account connected with an e-mail and API token.
fn basic_context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::Basic)
        .with_field("site", "acme")
}

#[test]
fn an_account_with_an_api_token_calls_its_site_directly() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": "10002", "key": "PROJ-2", "fields": {"summary": "Login fails"}}),
    );
    let issue = testing::run(
        &provider(),
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-2"}),
        &basic_context(),
    )
    .unwrap();
    assert_eq!(issue["fields"]["summary"], "Login fails");
    let request = transport.only_request();
    assert_eq!(
        request.url,
        "https://acme.atlassian.net/rest/api/3/issue/PROJ-2?expand=names"
    );
    assert_eq!(request.header("authorization"), None);

    // Its connect step checks the credential on the site and labels the account.
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"accountId": "5b10a2844c20165700ede21g", "accountType": "atlassian", "emailAddress": "mia@example.com", "displayName": "Mia Krystof", "active": true}),
    );
    let account = testing::after_connect(&provider(), &basic_context()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("mia@example.com (acme.atlassian.net)")
    );
    assert_eq!(
        transport.only_request().url,
        "https://acme.atlassian.net/rest/api/3/myself"
    );

    // A refused token is not stored.
    let transport = Transport::install();
    transport.reply(
        401,
        &[("content-type", "text/plain")],
        "Client must be authenticated to access this resource.",
    );
    let error = testing::after_connect(&provider(), &basic_context()).unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    drop(transport);

    // Without a site there is nowhere to call.
    let transport = Transport::install();
    let no_site = Context::new("alice").with_credential(CredentialKind::Basic);
    let error = testing::run(
        &provider(),
        "JIRA_GET_ISSUE",
        json!({"issue_key": "PROJ-2"}),
        &no_site,
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::Unauthorized(m) if m.contains("`site`")),
        "{error:?}"
    );
    assert!(testing::after_connect(&provider(), &no_site).is_err());
    assert!(transport.requests().is_empty());
}
