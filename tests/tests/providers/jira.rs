//! The bundled Jira plugin against a stand-in that checks every request with Jira Cloud's own
//! OpenAPI description (`../shared/specs/jira`, REST v3): the exact requests it sends, answers
//! shaped like the examples in Jira's reference (descriptions and comments in Atlassian Document
//! Format, `createmeta` field metadata), how Jira's errors reach the caller, paging by
//! `nextPageToken`, the connect step that finds the site's cloud id, the dynamic schema of
//! `JIRA_CREATE_ISSUE` through the real host (cached, reloaded with `reload_fields`), and the
//! alternative Basic credential calling the site itself.
//!
//! An account signed in with Atlassian calls `https://api.atlassian.com/ex/jira/{cloud_id}`, so
//! those tests use [`GATEWAY`], the same description served under that base. Atlassian's
//! `GET /oauth/token/accessible-resources` is not in the description: a second, unvalidated
//! stand-in ([`StandIn`]) answers it, with the example of Atlassian's OAuth 2.0 (3LO) guide.

use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialKind;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::validating::{Description, Fixture, JIRA, Session, Source, VIOLATION_STATUS};
use actionhost_e2e::{bundled, load, runtime};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused};

const FILE: &str = "jira.wasm";

/// The cloud id of Atlassian's examples.
const CLOUD_ID: &str = "1324a887-45db-1bf4-1e99-ef0ff456d421";

const TOKEN: &str = "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20.alice";

/// Jira's description served where an account signed in with Atlassian calls it, with the
/// overlay `tests/tools/standin/overlays/jira.py` (unassigning takes a null `accountId`).
const GATEWAY: Description = Description {
    name: "jira-gateway",
    base_url: "https://api.atlassian.com/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421",
    source: Source::Shared("specs/jira/swagger-v3.stripped.json"),
    overlay: Some("jira"),
};

/// Alice, signed in with Atlassian: her site's cloud id (found on connect) in the context.
fn alice() -> CallContext {
    let mut call = CallContext {
        user: "alice".into(),
        scopes: [
            "read:jira-work",
            "write:jira-work",
            "read:jira-user",
            "manage:jira-configuration",
            "offline_access",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        credential: Some(SecretString::new(TOKEN)),
        credential_kind: Some(CredentialKind::OAuth2),
        ..Default::default()
    };
    call.fields.insert("site".into(), "acme".into());
    call.fields.insert("cloud_id".into(), CLOUD_ID.into());
    call
}

async fn jira(overrides: &str) -> (Runtime, LoadedPlugin) {
    let runtime = runtime(overrides);
    let plugin = load(&runtime, bundled(FILE), Default::default()).await;
    (runtime, plugin)
}

/// Runs one action for alice in a fresh gateway session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    let standin = GATEWAY.session(test);
    standin.answer(fixture).await;
    let (runtime, plugin) = jira(&standin.overrides()).await;
    let (result, _) = runtime.execute(&plugin, action, &params, &alice()).await;
    (result, standin)
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn doc(paragraphs: &[&str]) -> Value {
    json!({"type": "doc", "version": 1, "content": paragraphs.iter().map(|p| json!(
        {"type": "paragraph", "content": [{"type": "text", "text": p}]})).collect::<Vec<_>>()})
}

fn user(account_id: &str, name: &str) -> Value {
    json!({
        "self": format!("https://acme.atlassian.net/rest/api/3/user?accountId={account_id}"),
        "accountId": account_id,
        "accountType": "atlassian",
        "emailAddress": format!("{}@acme.example", name.split(' ').next().unwrap().to_lowercase()),
        "avatarUrls": {"48x48": "https://avatar-management--avatars.server-location.prod.public.atl-paas.net/initials/MK-5.png"},
        "displayName": name,
        "active": true,
        "timeZone": "Australia/Sydney"
    })
}

/// An issue as "Get issue" answers it, with `expand=names`.
fn issue() -> Value {
    json!({
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": "10002",
        "self": "https://acme.atlassian.net/rest/api/3/issue/10002",
        "key": "ED-1",
        "names": {"summary": "Summary", "status": "Status", "description": "Description", "comment": "Comment", "customfield_10016": "Story point estimate", "customfield_10021": "Flagged", "assignee": "Assignee"},
        "fields": {
            "summary": "Checkout fails with a saved card",
            "status": {"self": "https://acme.atlassian.net/rest/api/3/status/3", "name": "In Progress", "id": "3", "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"}},
            "assignee": user("5b10a2844c20165700ede21g", "Mia Krystof"),
            "description": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Paying with a saved card shows "}, {"type": "text", "text": "Error 502", "marks": [{"type": "code"}]}, {"type": "text", "text": "."}]},
                {"type": "orderedList", "content": [
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Add an item"}]}]},
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Pay with the saved card"}]}]}
                ]}
            ]},
            "customfield_10016": 3,
            "customfield_10021": null,
            "comment": {"comments": [{
                "self": "https://acme.atlassian.net/rest/api/3/issue/10010/comment/10000",
                "id": "10000",
                "author": user("5b10a2844c20165700ede21g", "Mia Krystof"),
                "body": doc(&["Reproduced on staging."]),
                "created": "2021-01-17T12:34:00.000+0000",
                "updated": "2021-01-18T23:45:00.000+0000"
            }], "maxResults": 1, "total": 1, "startAt": 0}
        }
    })
}

#[tokio::test]
async fn get_issue_answers_the_description_and_comments_as_plain_text() {
    let (result, standin) = run(
        "jira_get_issue",
        "JIRA_GET_ISSUE",
        json!({"issue_key": "ED-1"}),
        Fixture::new("GET", "/rest/api/3/issue/{key}", Reply::json(200, issue())),
    )
    .await;
    let answer = result.unwrap();
    assert_eq!(answer["key"], "ED-1");
    assert_eq!(
        answer["fields"]["description"],
        "Paying with a saved card shows Error 502.\n\n1. Add an item\n2. Pay with the saved card"
    );
    assert_eq!(
        answer["fields"]["comment"]["comments"][0]["body"],
        "Reproduced on staging."
    );
    assert_eq!(answer["fields"]["customfield_10016"], 3);
    assert!(answer["fields"].get("customfield_10021").is_none());
    assert_eq!(answer["names"]["customfield_10016"], "Story point estimate");
    assert!(answer["names"].get("customfield_10021").is_none());
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("GET", "/rest/api/3/issue/ED-1", Some("expand=names"))
    );
    assert_bearer(&request);
}

#[tokio::test]
async fn search_issues_fetches_the_next_page_with_the_returned_token() {
    let standin = GATEWAY.session("jira_search_pages");
    let found = |keys: &[&str], next: Option<&str>| {
        let mut page = json!({
            "issues": keys.iter().map(|key| json!({
                "expand": "", "id": "10068", "self": "https://acme.atlassian.net/rest/api/3/issue/10068", "key": key,
                "fields": {"summary": format!("Issue {key}"), "status": {"name": "To Do", "id": "10000"}}
            })).collect::<Vec<_>>(),
            "isLast": next.is_none()
        });
        if let Some(next) = next {
            page["nextPageToken"] = json!(next);
        }
        page
    };
    for page in [
        found(&["ED-1", "ED-2"], Some("CAEaAggD")),
        found(&["ED-3"], None),
    ] {
        standin
            .answer(Fixture::new("POST", "/rest/api/3/search/jql", Reply::json(200, page)).once())
            .await;
    }
    let (runtime, plugin) = jira(&standin.overrides()).await;
    let params = json!({"jql": "project = ED AND statusCategory != Done ORDER BY created DESC", "max_results": 2, "fields": ["summary", "status"]});
    let (first, _) = runtime
        .execute(&plugin, "JIRA_SEARCH_ISSUES", &params, &alice())
        .await;
    let first = first.unwrap();
    assert_eq!(first["issues"][1]["key"], "ED-2");
    let mut next = params.clone();
    next["next_page_token"] = first["nextPageToken"].clone();
    let (second, _) = runtime
        .execute(&plugin, "JIRA_SEARCH_ISSUES", &next, &alice())
        .await;
    let second = second.unwrap();
    assert_eq!(second["issues"][0]["key"], "ED-3");
    assert_eq!(second["isLast"], true);
    let bodies: Vec<Value> = standin
        .requests()
        .await
        .iter()
        .map(Recorded::json)
        .collect();
    let expected = json!({"jql": "project = ED AND statusCategory != Done ORDER BY created DESC", "fields": ["summary", "status"], "maxResults": 2});
    let mut expected_next = expected.clone();
    expected_next["nextPageToken"] = json!("CAEaAggD");
    assert_eq!(bodies, [expected, expected_next]);
}

/// `createmeta` for ED's Story.
fn story_fields() -> Value {
    json!({"maxResults": 200, "startAt": 0, "total": 4, "fields": [
        {"fieldId": "summary", "key": "summary", "name": "Summary", "required": true, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "string", "system": "summary"}},
        {"fieldId": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}},
        {"fieldId": "customfield_10030", "key": "customfield_10030", "name": "Customer impact", "required": true, "hasDefaultValue": false, "operations": ["set"],
         "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10030},
         "allowedValues": [{"self": "https://acme.atlassian.net/rest/api/3/customFieldOption/10100", "value": "Low", "id": "10100"}, {"self": "https://acme.atlassian.net/rest/api/3/customFieldOption/10101", "value": "High", "id": "10101"}]},
        {"fieldId": "customfield_10050", "key": "customfield_10050", "name": "Release notes", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "string", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textarea", "customId": 10050}}
    ]})
}

fn projects() -> Value {
    json!({
        "self": "https://acme.atlassian.net/rest/api/3/project/search?maxResults=20&startAt=0",
        "maxResults": 20, "startAt": 0, "total": 1, "isLast": true,
        "values": [{
            "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
            "self": "https://acme.atlassian.net/rest/api/3/project/10000",
            "id": "10000", "key": "ED", "name": "Engineering Delivery",
            "projectTypeKey": "software", "simplified": false, "style": "classic", "isPrivate": false,
            "description": "Delivery of the web shop",
            "lead": user("5b10a0effa615349cb016cd8", "Ada Lovelace"),
            "issueTypes": [
                {"self": "https://acme.atlassian.net/rest/api/3/issuetype/10001", "id": "10001", "description": "A user story", "name": "Story", "subtask": false, "hierarchyLevel": 0},
                {"self": "https://acme.atlassian.net/rest/api/3/issuetype/10002", "id": "10002", "description": "A problem", "name": "Bug", "subtask": false, "hierarchyLevel": 0}
            ]
        }]
    })
}

fn transitions() -> Value {
    json!({"expand": "transitions", "transitions": [
        {"id": "21", "name": "Start progress", "to": {"self": "https://acme.atlassian.net/rest/api/3/status/3", "name": "In Progress", "id": "3", "statusCategory": {"key": "indeterminate"}}, "hasScreen": false, "isGlobal": true, "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false},
        {"id": "31", "name": "Done", "to": {"self": "https://acme.atlassian.net/rest/api/3/status/10001", "name": "Done", "id": "10001", "statusCategory": {"key": "done"}}, "hasScreen": true, "isGlobal": true, "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false}
    ]})
}

fn no_content() -> Reply {
    Reply {
        status: 204,
        headers: vec![],
        body: vec![],
        delay: std::time::Duration::ZERO,
    }
}

/// Every action with the parameters it takes, in one session: the description accepts each
/// request, and each reaches the operations the action needs, in order.
#[tokio::test]
async fn every_action_sends_requests_that_jiras_description_accepts() {
    let standin = GATEWAY.session("jira_every_action");
    let answers = [
        (
            "POST",
            "/rest/api/3/search/jql",
            Reply::json(200, json!({"issues": [issue()], "isLast": true})),
        ),
        (
            "GET",
            "/rest/api/3/issue/createmeta/ED/issuetypes",
            Reply::json(
                200,
                json!({"maxResults": 200, "startAt": 0, "total": 1, "issueTypes": projects()["values"][0]["issueTypes"]}),
            ),
        ),
        (
            "GET",
            "/rest/api/3/issue/createmeta/ED/issuetypes/10001",
            Reply::json(200, story_fields()),
        ),
        (
            "POST",
            "/rest/api/3/issue",
            Reply::json(
                201,
                json!({"id": "10000", "key": "ED-24", "self": "https://acme.atlassian.net/rest/api/3/issue/10000"}),
            ),
        ),
        (
            "GET",
            "/rest/api/3/issue/{key}/editmeta",
            Reply::json(
                200,
                json!({"fields": {"customfield_10030": story_fields()["fields"][2]}}),
            ),
        ),
        (
            "GET",
            "/rest/api/3/issue/{key}/transitions",
            Reply::json(200, transitions()),
        ),
        ("POST", "/rest/api/3/issue/{key}/transitions", no_content()),
        (
            "POST",
            "/rest/api/3/issue/{key}/comment",
            Reply::json(
                201,
                json!({"self": "https://acme.atlassian.net/rest/api/3/issue/10010/comment/10000", "id": "10000", "author": user("5b10a2844c20165700ede21g", "Mia Krystof"), "body": doc(&["Deployed to staging."]), "created": "2021-01-17T12:34:00.000+0000", "updated": "2021-01-17T12:34:00.000+0000", "jsdPublic": true}),
            ),
        ),
        ("PUT", "/rest/api/3/issue/{key}/assignee", no_content()),
        ("PUT", "/rest/api/3/issue/{key}", no_content()),
        ("GET", "/rest/api/3/issue/{key}", Reply::json(200, issue())),
        (
            "GET",
            "/rest/api/3/project/search",
            Reply::json(200, projects()),
        ),
        (
            "POST",
            "/rest/api/3/project",
            Reply::json(
                201,
                json!({"self": "https://acme.atlassian.net/rest/api/3/project/10042", "id": 10042, "key": "OPS"}),
            ),
        ),
        (
            "GET",
            "/rest/api/3/user/search",
            Reply::json(
                200,
                json!([user("5b10ac8d82e05b22cc7d4ef5", "Ada Lovelace")]),
            ),
        ),
    ];
    for (method, path, reply) in answers {
        standin.answer(Fixture::new(method, path, reply)).await;
    }
    let (runtime, plugin) = jira(&standin.overrides()).await;
    let calls: Vec<Call> = vec![
        (
            "JIRA_SEARCH_ISSUES",
            json!({"jql": "project = ED AND assignee = currentUser()", "fields": ["summary", "description"], "max_results": 100, "next_page_token": "CAEaAggD"}),
            &["POST /rest/api/3/search/jql"],
        ),
        (
            "JIRA_GET_ISSUE",
            json!({"issue_key": "ED-1", "fields": ["summary", "description", "comment"]}),
            &["GET /rest/api/3/issue/{issueIdOrKey}"],
        ),
        (
            "JIRA_CREATE_ISSUE",
            json!({"project_key": "ED", "issue_type": "Story", "summary": "Pay with a saved card", "description": "As a returning customer\nI want to pay with my saved card.\n\n- no re-entry\n- works on mobile",
                   "assignee_account_id": "5b10ac8d82e05b22cc7d4ef5", "labels": ["checkout"], "priority": "High", "parent_key": "ED-1",
                   "custom_fields": {"customfield_10016": 5, "Customer impact": "High", "customfield_10050": "Saved cards work again."}}),
            &[
                "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes",
                "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes/{issueTypeId}",
                "POST /rest/api/3/issue",
            ],
        ),
        (
            "JIRA_UPDATE_ISSUE",
            json!({"issue_key": "ED-24", "summary": "Pay with a saved card (web)", "description": "Web only.", "priority": "Medium", "add_labels": ["web"], "remove_labels": ["checkout"], "custom_fields": {"customfield_10030": "Low"}}),
            &[
                "GET /rest/api/3/issue/{issueIdOrKey}/editmeta",
                "PUT /rest/api/3/issue/{issueIdOrKey}",
            ],
        ),
        (
            "JIRA_TRANSITION_ISSUE",
            json!({"issue_key": "ED-24", "status": "Done", "comment": "Shipped in 2.4.", "resolution": "Done"}),
            &[
                "GET /rest/api/3/issue/{issueIdOrKey}/transitions",
                "POST /rest/api/3/issue/{issueIdOrKey}/transitions",
            ],
        ),
        (
            "JIRA_ADD_COMMENT",
            json!({"issue_key": "ED-24", "body": "Deployed to staging."}),
            &["POST /rest/api/3/issue/{issueIdOrKey}/comment"],
        ),
        (
            "JIRA_ASSIGN_ISSUE",
            json!({"issue_key": "ED-24", "account_id": "5b10ac8d82e05b22cc7d4ef5"}),
            &["PUT /rest/api/3/issue/{issueIdOrKey}/assignee"],
        ),
        (
            "JIRA_ASSIGN_ISSUE",
            json!({"issue_key": "ED-25"}),
            &["PUT /rest/api/3/issue/{issueIdOrKey}/assignee"],
        ),
        (
            "JIRA_LIST_PROJECTS",
            json!({"query": "engineering", "max_results": 20, "start_at": 0}),
            &["GET /rest/api/3/project/search"],
        ),
        (
            "JIRA_CREATE_PROJECT",
            json!({"key": "OPS", "name": "Operations", "project_type": "software", "lead_account_id": "5b10a0effa615349cb016cd8", "description": "Operations work",
                   "template_key": "com.pyxis.greenhopper.jira:gh-simplified-kanban-classic", "assignee_type": "UNASSIGNED"}),
            &["POST /rest/api/3/project"],
        ),
        (
            "JIRA_SEARCH_USERS",
            json!({"query": "ada", "max_results": 10, "start_at": 0}),
            &["GET /rest/api/3/user/search"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(outputs[2]["key"], "ED-24");
    assert_eq!(
        outputs[4],
        json!({"issue_key": "ED-24", "transition_id": "31", "transition": "Done", "status": "Done"})
    );
    assert_eq!(outputs[5]["body"], "Deployed to staging.");
    assert_eq!(
        outputs[7],
        json!({"issue_key": "ED-25", "account_id": null})
    );
    assert_eq!(outputs[8]["projects"][0]["key"], "ED");
    assert_eq!(
        outputs[10]["users"][0]["accountId"],
        "5b10ac8d82e05b22cc7d4ef5"
    );

    // The bodies as Jira takes them: rich text as ADF, custom values in Jira's shapes.
    let requests = standin.requests().await;
    for request in &requests {
        assert_bearer(request);
    }
    let create = &requests[4];
    assert_eq!(create.path, "/rest/api/3/issue");
    assert_eq!(
        create.json(),
        json!({"fields": {
            "project": {"key": "ED"},
            "issuetype": {"id": "10001"},
            "summary": "Pay with a saved card",
            "description": {"type": "doc", "version": 1, "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "As a returning customer"}, {"type": "hardBreak"}, {"type": "text", "text": "I want to pay with my saved card."}]},
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "no re-entry"}]}]},
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "works on mobile"}]}]}
                ]}
            ]},
            "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"},
            "labels": ["checkout"],
            "priority": {"name": "High"},
            "parent": {"key": "ED-1"},
            "customfield_10016": 5,
            "customfield_10030": {"value": "High"},
            "customfield_10050": doc(&["Saved cards work again."])
        }})
    );
    assert_eq!(
        requests[6].json(),
        json!({
            "fields": {"summary": "Pay with a saved card (web)", "description": doc(&["Web only."]), "priority": {"name": "Medium"}, "customfield_10030": {"value": "Low"}},
            "update": {"labels": [{"add": "web"}, {"remove": "checkout"}]}
        })
    );
    assert_eq!(requests[11].path, "/rest/api/3/issue/ED-25/assignee");
    assert_eq!(requests[11].json(), json!({"accountId": null}));
    assert_eq!(
        requests[8].json(),
        json!({"transition": {"id": "31"}, "fields": {"resolution": {"name": "Done"}}, "update": {"comment": [{"add": {"body": doc(&["Shipped in 2.4."])}}]}})
    );

    // The check reaches the caller: a template the description does not know fails the action.
    standin.reset().await;
    let (broken, _) = runtime
        .execute(
            &plugin,
            "JIRA_CREATE_PROJECT",
            &json!({"key": "OPS", "name": "Operations", "project_type": "software", "lead_account_id": "5b10a0effa615349cb016cd8", "template_key": "com.example:no-such-template"}),
            &alice(),
        )
        .await;
    assert!(
        matches!(
            broken,
            Err(CallError::Action(ActionError::Upstream { status, .. })) if status == VIOLATION_STATUS
        ),
        "the stand-in accepted an unknown template: {broken:?}"
    );
    let violations = standin.violations().await;
    assert!(
        violations.len() == 1 && violations[0].contains("projectTemplateKey"),
        "{violations:?}"
    );
}

#[tokio::test]
async fn jiras_errors_reach_the_caller_as_the_contracts_errors() {
    let (result, standin) = run(
        "jira_not_found",
        "JIRA_GET_ISSUE",
        json!({"issue_key": "ED-404"}),
        Fixture::new(
            "GET",
            "/rest/api/3/issue/{key}",
            Reply::json(404, json!({"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::NotFound(
            "Issue does not exist or you do not have permission to see it.".into()
        ))
    );
    standin.assert_no_violations().await;

    let (result, standin) = run(
        "jira_unauthorized",
        "JIRA_SEARCH_USERS",
        json!({"query": "ada"}),
        Fixture::new(
            "GET",
            "/rest/api/3/user/search",
            Reply::json(
                401,
                json!({"code": 401, "message": "Unauthorized; scope does not match"}),
            ),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Unauthorized(
            "Unauthorized; scope does not match".into()
        ))
    );
    standin.assert_no_violations().await;

    let (result, standin) = run(
        "jira_rate_limited",
        "JIRA_LIST_PROJECTS",
        json!({}),
        Fixture::new(
            "GET",
            "/rest/api/3/project/search",
            Reply::json(
                429,
                json!({"errorMessages": ["Rate limit exceeded."], "errors": {}}),
            )
            .header("retry-after", "60")
            .header("x-ratelimit-reason", "jira-quota-tenant-based"),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::RateLimited {
            message: "Rate limit exceeded.".into(),
            retry_after_seconds: Some(60)
        })
    );
    standin.assert_no_violations().await;

    let body = json!({"errorMessages": [], "errors": {"customfield_10030": "Customer impact is required."}});
    let (result, standin) = run(
        "jira_field_error",
        "JIRA_CREATE_ISSUE",
        json!({"project_key": "ED", "issue_type": "Story", "summary": "x"}),
        Fixture::new("POST", "/rest/api/3/issue", Reply::json(400, body.clone())),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 400,
            message: "customfield_10030: Customer impact is required.".into(),
            body: Some(body.to_string())
        })
    );
    standin.assert_no_violations().await;

    // A status the workflow cannot reach: the error lists the transitions there are.
    let (result, standin) = run(
        "jira_unknown_status",
        "JIRA_TRANSITION_ISSUE",
        json!({"issue_key": "ED-1", "status": "Blocked"}),
        Fixture::new(
            "GET",
            "/rest/api/3/issue/{key}/transitions",
            Reply::json(200, transitions()),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::InvalidInput(
            "no transition of ED-1 leads to \"Blocked\"; the transitions available now are: \"Start progress\" → In Progress, \"Done\" → Done".into()
        ))
    );
    assert_eq!(standin.requests().await.len(), 1);
}

/// The sites a token may reach, as Atlassian's OAuth 2.0 (3LO) guide shows them: a Confluence
/// site and two Jira sites.
fn accessible_resources() -> Value {
    json!([
        {"id": "a436116f-02ce-4520-8fbb-7301462a1674", "name": "Acme Wiki", "url": "https://acme-wiki.atlassian.net",
         "scopes": ["read:confluence-content.all", "write:confluence-content"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png"},
        {"id": "6f2ad7d1-86f4-4ad6-9c36-43e5b1d3f0a4", "name": "Acme Labs", "url": "https://acme-labs.atlassian.net",
         "scopes": ["read:jira-work", "write:jira-work", "read:jira-user"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/star.png"},
        {"id": CLOUD_ID, "name": "Acme", "url": "https://acme.atlassian.net",
         "scopes": ["read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-configuration"], "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"}
    ])
}

/// The host with Jira's gateway sent to `standin` and Atlassian's resource list to `resources`.
fn overrides(standin: &Session, resources: &StandIn) -> String {
    format!(
        "{},https://api.atlassian.com/oauth/token={}/oauth/token",
        standin.overrides(),
        resources.url()
    )
}

/// Connecting through the real host: the connect step finds the named site's cloud id, the
/// account keeps it, every call goes to that site, and `JIRA_CREATE_ISSUE`'s schema lists the
/// custom fields of the user's projects: described once, kept, and described again on
/// `reload_fields`.
#[tokio::test]
async fn the_connected_sites_custom_fields_make_create_issues_schema() {
    let resources = StandIn::json(accessible_resources()).await;
    let standin = GATEWAY.session("jira_dynamic_schema");
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/project/search",
            Reply::json(200, projects()),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/issue/createmeta/ED/issuetypes/10001",
            Reply::json(200, story_fields()),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/issue/createmeta/ED/issuetypes/10002",
            Reply::json(200, json!({"maxResults": 200, "startAt": 0, "total": 1, "fields": [story_fields()["fields"][1]]})),
        ))
        .await;
    let app = TestApp::start(&overrides(&standin, &resources), |_| {}).await;
    let connected = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/jira",
            Some(json!({"access_token": TOKEN, "scopes": ["read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-configuration", "offline_access"], "fields": {"site": "acme"}})),
        )
        .await;
    assert_eq!(connected.status, 200, "{connected:?}");
    assert_eq!(connected.body["label"], "Acme (acme.atlassian.net)");
    assert_eq!(
        connected.body["fields"],
        json!({"site": "acme", "cloud_id": CLOUD_ID})
    );
    let check = resources.single();
    assert_eq!(check.path, "/oauth/token/accessible-resources");
    assert_eq!(
        check.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let schema = |body: &Value| {
        body["actions"]["jira"]
            .as_array()
            .expect("jira's actions")
            .iter()
            .find(|t| t["function"]["name"] == "JIRA_CREATE_ISSUE")
            .expect("JIRA_CREATE_ISSUE")["function"]["parameters"]
            .clone()
    };
    let listed = app
        .as_user("alice", "GET", "/actions?integrations=jira", None)
        .await;
    assert_eq!(listed.body["errors"], json!([]), "{listed:?}");
    let parameters = schema(&listed.body);
    assert_eq!(
        parameters["properties"]["custom_fields"]["properties"],
        json!({
            "customfield_10016": {"type": "number", "description": "Story point estimate — number. In: ED (Story, Bug)."},
            "customfield_10030": {"type": "string", "enum": ["Low", "High"], "description": "Customer impact — one option. In: ED (Story). Required in: ED Story."},
            "customfield_10050": {"type": "string", "description": "Release notes — multi-line text, plain. In: ED (Story)."}
        })
    );
    let described: Vec<String> = standin
        .requests()
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        described,
        [
            "GET /rest/api/3/project/search",
            "GET /rest/api/3/issue/createmeta/ED/issuetypes/10001",
            "GET /rest/api/3/issue/createmeta/ED/issuetypes/10002"
        ]
    );

    // The host checks calls against alice's schema: an option the field does not have is
    // refused before the plugin runs.
    let refused = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "JIRA_CREATE_ISSUE", "parameters": {"project_key": "ED", "issue_type": "Story", "summary": "x", "custom_fields": {"customfield_10030": "Severe"}}})),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "invalid_parameters"),
        "{refused:?}"
    );
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/custom_fields/customfield_10030"
    );
    // Listing again uses the cached schema.
    app.as_user("alice", "GET", "/actions?integrations=jira", None)
        .await;
    assert_eq!(standin.requests().await.len(), 3);

    // A new field on the site shows after reload_fields.
    standin.reset().await;
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/project/search",
            Reply::json(200, projects()),
        ))
        .await;
    let mut more = story_fields();
    more["fields"].as_array_mut().unwrap().push(json!({"fieldId": "duedate", "key": "duedate", "name": "Due date", "required": false, "hasDefaultValue": false, "operations": ["set"], "schema": {"type": "date", "system": "duedate"}}));
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/issue/createmeta/ED/issuetypes/{id}",
            Reply::json(200, more),
        ))
        .await;
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=jira&reload_fields=true",
            None,
        )
        .await;
    assert_eq!(
        schema(&reloaded.body)["properties"]["custom_fields"]["properties"]["duedate"],
        json!({"type": "string", "format": "date", "description": "Due date — date, YYYY-MM-DD. In: ED (Story, Bug)."})
    );
    assert_eq!(standin.requests().await.len(), 3);

    // Running through the API reaches the connected site with its cloud id.
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/issue/{key}",
            Reply::json(200, issue()),
        ))
        .await;
    let got = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "JIRA_GET_ISSUE", "parameters": {"issue_key": "ED-1"}})),
        )
        .await;
    assert_eq!(got.status, 200, "{got:?}");
    assert_eq!(
        got.body["fields"]["comment"]["comments"][0]["body"],
        "Reproduced on staging."
    );
    let last = standin.requests().await.pop().unwrap();
    assert_eq!(last.path, "/rest/api/3/issue/ED-1");
}

#[tokio::test]
async fn connecting_with_a_site_the_token_cannot_reach_is_refused_naming_the_sites() {
    let resources = StandIn::json(accessible_resources()).await;
    let standin = GATEWAY.session("jira_wrong_site");
    let app = TestApp::start(&overrides(&standin, &resources), |_| {}).await;
    let refused = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/jira",
            Some(json!({"access_token": TOKEN, "fields": {"site": "globex"}})),
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    let message = refused.body["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("https://globex.atlassian.net")
            && message.contains("https://acme-labs.atlassian.net, https://acme.atlassian.net"),
        "{refused:?}"
    );
    assert!(!message.contains(TOKEN));
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    assert_eq!(accounts.body, json!([]));
    assert!(standin.checked().await.is_empty());
}

/// The alternative credential: an e-mail and API token, sent as HTTP Basic to the site itself
/// (Jira's description's own server), and checked with `/myself` when the account connects.
#[tokio::test]
async fn an_api_token_account_calls_its_site_with_basic_credentials() {
    let standin = JIRA.session("jira_basic");
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/myself",
            Reply::json(200, user("5b10a2844c20165700ede21g", "Mia Krystof")),
        ))
        .await;
    standin
        .answer(Fixture::new(
            "GET",
            "/rest/api/3/issue/{key}",
            Reply::json(200, issue()),
        ))
        .await;
    let (runtime, plugin) = jira(&standin.overrides()).await;
    let mut call = CallContext {
        user: "mia".into(),
        credential: Some(SecretString::new("mia@acme.example:ATATT3xFfGF0-api-token")),
        credential_kind: Some(CredentialKind::Basic),
        ..Default::default()
    };
    call.fields.insert("site".into(), "your-domain".into());
    let (connected, _) = runtime.after_connect(&plugin, &call).await;
    let connected = connected.unwrap();
    assert_eq!(
        connected.label.as_deref(),
        Some("mia@acme.example (your-domain.atlassian.net)")
    );
    assert!(connected.fields.is_empty());
    let (got, _) = runtime
        .execute(
            &plugin,
            "JIRA_GET_ISSUE",
            &json!({"issue_key": "ED-1"}),
            &call,
        )
        .await;
    assert_eq!(got.unwrap()["key"], "ED-1");
    let requests = standin.requests().await;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("mia@acme.example:ATATT3xFfGF0-api-token")
    );
    let seen: Vec<(&str, &str, Option<&str>)> = requests
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                r.header("authorization"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/rest/api/3/myself", Some(basic.as_str())),
            ("GET", "/rest/api/3/issue/ED-1", Some(basic.as_str()))
        ]
    );
}

const JSON_WITH_TOKEN: &[(&str, &str)] = &[
    (
        "authorization",
        "Bearer eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20.alice",
    ),
    ("accept", "application/json"),
    ("content-type", "application/json"),
];

/// Negative controls: requests Jira's description refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn jiras_description_refuses_what_jira_would_refuse() {
    assert_refused(
        &GATEWAY,
        "jira_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/rest/api/3/search/jql",
                headers: JSON_WITH_TOKEN,
                body: r#"{"jql": "project = ED", "maxResult": 5}"#,
                because: "maxResult",
            },
            Refused {
                method: "POST",
                path_and_query: "/rest/api/3/project",
                headers: JSON_WITH_TOKEN,
                body: r#"{"key": "OPS", "name": "Operations", "projectTypeKey": "kanban"}"#,
                because: "projectTypeKey",
            },
            Refused {
                method: "POST",
                path_and_query: "/rest/api/3/project",
                headers: JSON_WITH_TOKEN,
                body: r#"{"key": "OPS"}"#,
                because: "'name' is a required property",
            },
            Refused {
                method: "GET",
                path_and_query: "/rest/api/3/project/search?maxResults=500",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "maxResults",
            },
            Refused {
                method: "GET",
                path_and_query: "/rest/api/3/user/search?query=ada&limit=5",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "query parameter 'limit' is not declared",
            },
            Refused {
                method: "PUT",
                path_and_query: "/rest/api/3/issue/ED-1/assignee",
                headers: JSON_WITH_TOKEN,
                body: r#"{"accountId": 5}"#,
                because: "accountId: 5 is not of type 'string'",
            },
            Refused {
                method: "DELETE",
                path_and_query: "/rest/api/3/issue/ED-1/transitions",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "OperationNotFound",
            },
        ],
    )
    .await;
}

/// Known good: the request body of "Create issue" in Jira's REST v3 reference.
#[tokio::test]
async fn jiras_description_accepts_the_create_issue_example_from_jiras_docs() {
    assert_accepted(
        &GATEWAY,
        "jira_docs_create_issue",
        (
            "POST",
            "/rest/api/3/issue",
            JSON_WITH_TOKEN,
            r#"{"fields":{"assignee":{"id":"5b109f2e9729b51b54dc274d"},"components":[{"id":"10000"}],"customfield_10000":"09/Jun/19","customfield_20000":"06/Jul/19 3:25 PM","customfield_40000":{"content":[{"content":[{"text":"Occurs on all orders","type":"text"}],"type":"paragraph"}],"type":"doc","version":1},"customfield_70000":["jira-administrators","jira-software-users"],"description":{"content":[{"content":[{"text":"Order entry fails when selecting supplier.","type":"text"}],"type":"paragraph"}],"type":"doc","version":1},"duedate":"2019-05-11","environment":{"content":[{"content":[{"text":"UAT","type":"text"}],"type":"paragraph"}],"type":"doc","version":1},"fixVersions":[{"id":"10001"}],"issuetype":{"id":"10000"},"labels":["bugfix","blitz_test"],"parent":{"key":"PROJ-123"},"priority":{"id":"20000"},"project":{"id":"10000"},"reporter":{"id":"5b10a2844c20165700ede21g"},"security":{"id":"10000"},"summary":"Main order flow broken","timetracking":{"originalEstimate":"10","remainingEstimate":"5"},"versions":[{"id":"10000"}]},"update":{}}"#,
        ),
        "POST /rest/api/3/issue",
    )
    .await;
}
