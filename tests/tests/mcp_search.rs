//! The MCP server's search mode (`/mcp?tools=search`): through the official Python MCP SDK
//! (`tests/tools/mcp/session.py`, the 2026-07-28 revision) as a real client, which also checks
//! each meta-tool's structured result against its declared output schema, and by hand for
//! what is refused before the MCP layer.

use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Reply, StandIn};
use actionhost_e2e::tools_dir;
use serde_json::{Value, json};

/// Runs `session.py` against `{app}/mcp{query}` as `user`: it lists the tools, then makes
/// `calls` (tool, arguments) in order; returns what it printed.
async fn session(app: &TestApp, query: &str, user: &str, calls: &[(&str, Value)]) -> Value {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(tool, args)| json!([tool, args]))
        .collect();
    let output = tokio::process::Command::new(tools_dir().join(".venv/bin/python"))
        .arg(tools_dir().join("mcp/session.py"))
        .arg(format!("{}/mcp{query}", app.url))
        .arg(app.token(user))
        .arg(Value::from(calls).to_string())
        .output()
        .await
        .expect("run the MCP client");
    assert!(
        output.status.success(),
        "the Python MCP client failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client prints JSON")
}

/// The search mode's session as `user`: `session` at `?tools=search`.
async fn search_session(app: &TestApp, user: &str, calls: &[(&str, Value)]) -> Value {
    session(app, "?tools=search", user, calls).await
}

/// A host whose GitHub is `upstream`, where alice connected GitHub (and nothing else).
async fn github_app(upstream: &StandIn) -> TestApp {
    let app = TestApp::start(
        &format!("https://api.github.com={}", upstream.url()),
        |_| {},
    )
    .await;
    app.connect("alice", "github", json!({"access_token": "gho_alice"}))
        .await;
    upstream.take_check("/user");
    app
}

/// The names in a `search_actions` result, checking that its text and structured content agree.
fn matched(call: &Value) -> Vec<&str> {
    assert_eq!(call["isError"], false, "{call}");
    let text: Value = serde_json::from_str(call["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, call["structuredContent"]);
    call["structuredContent"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect()
}

/// The error body of an `isError` result.
fn error_of(call: &Value) -> Value {
    assert_eq!(call["isError"], true, "{call}");
    serde_json::from_str(call["content"][0]["text"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn the_search_mode_lists_only_the_meta_tools() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    let report = search_session(&app, "alice", &[]).await;
    assert_eq!(report["protocol_version"], "2026-07-28", "{report}");
    let names: Vec<&str> = report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["search_actions", "get_action", "run_action"]);
    let search = &report["tools"][0];
    assert_eq!(search["inputSchema"]["required"], json!(["query"]));
    assert_eq!(search["inputSchema"]["additionalProperties"], false);
    assert_eq!(search["annotations"]["readOnlyHint"], true);
    let run = &report["tools"][2];
    assert_eq!(run["inputSchema"]["required"], json!(["name", "arguments"]));
    assert_eq!(run["annotations"]["destructiveHint"], true);

    // `?tools=all` is the direct listing, as without the parameter.
    let all = session(&app, "?tools=all", "alice", &[]).await;
    assert!(
        all["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "GITHUB_CREATE_ISSUE"),
        "{all}"
    );
}

#[tokio::test]
async fn searching_create_issue_ranks_github_create_issue_first() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    let report = search_session(
        &app,
        "alice",
        &[
            ("search_actions", json!({"query": "create issue"})),
            ("search_actions", json!({"query": "issues", "limit": 2})),
        ],
    )
    .await;
    let found = matched(&report["calls"][0]);
    assert_eq!(found[0], "GITHUB_CREATE_ISSUE", "{found:?}");
    let first = &report["calls"][0]["structuredContent"]["matches"][0];
    assert_eq!(
        first,
        &json!({
            "name": "GITHUB_CREATE_ISSUE",
            "integration": "github",
            "description": "Create a new issue in a GitHub repository.",
            "annotations": {"readOnlyHint": false, "destructiveHint": false,
                            "idempotentHint": false, "openWorldHint": true}
        })
    );
    // A plural finds the singular (stemming), and `limit` caps the matches.
    let issues = matched(&report["calls"][1]);
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert!(issues.iter().all(|n| n.contains("ISSUE")), "{issues:?}");
}

#[tokio::test]
async fn a_not_connected_integrations_actions_are_not_found() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    // Alice has GitHub only: Slack's actions are not found, even by their own words.
    let alice = search_session(
        &app,
        "alice",
        &[
            (
                "search_actions",
                json!({"query": "send message slack channel"}),
            ),
            (
                "search_actions",
                json!({"query": "send message", "integration": "slack"}),
            ),
            (
                "search_actions",
                json!({"query": "send message", "integration": "nosuch"}),
            ),
            ("get_action", json!({"name": "SLACK_SEND_MESSAGE"})),
        ],
    )
    .await;
    let found = matched(&alice["calls"][0]);
    assert!(found.iter().all(|n| n.starts_with("GITHUB_")), "{found:?}");
    let not_connected = error_of(&alice["calls"][1]);
    assert_eq!(not_connected["error"]["code"], "not_connected");
    assert!(
        not_connected["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/connected-accounts/slack/authorize"),
        "{not_connected}"
    );
    let unknown = error_of(&alice["calls"][2]);
    assert_eq!(unknown["error"]["code"], "invalid_parameters");
    assert_eq!(
        unknown["error"]["details"]["errors"],
        json!([{"path": "/integration", "message": "there is no integration named nosuch"}])
    );
    assert_eq!(
        error_of(&alice["calls"][3])["error"]["code"],
        "not_connected"
    );

    // Bob has nothing connected: nothing of GitHub either.
    let bob = search_session(
        &app,
        "bob",
        &[("search_actions", json!({"query": "create issue"}))],
    )
    .await;
    assert_eq!(matched(&bob["calls"][0]), Vec::<&str>::new());

    // Carol's GitHub account may only read: the actions that write are left out, as in the
    // direct listing.
    app.connect(
        "carol",
        "github",
        json!({"access_token": "gho_carol", "scopes": ["read:user"]}),
    )
    .await;
    let carol = search_session(
        &app,
        "carol",
        &[(
            "search_actions",
            json!({"query": "create issue", "limit": 50}),
        )],
    )
    .await;
    let found = matched(&carol["calls"][0]);
    assert!(found.contains(&"GITHUB_GET_ISSUE"), "{found:?}");
    assert!(
        !found.iter().any(|n| n.starts_with("GITHUB_CREATE")),
        "{found:?}"
    );
    let direct = session(&app, "", "carol", &[]).await;
    let direct_names: Vec<&str> = direct["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(found.iter().all(|n| direct_names.contains(n)), "{found:?}");
}

#[tokio::test]
async fn get_action_answers_with_the_direct_listings_tool() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    let direct = session(&app, "", "alice", &[]).await;
    let report = search_session(
        &app,
        "alice",
        &[
            ("get_action", json!({"name": "GITHUB_CREATE_ISSUE"})),
            ("get_action", json!({"name": "GITHUB_NO_SUCH_THING"})),
        ],
    )
    .await;
    let listed = direct["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "GITHUB_CREATE_ISSUE")
        .unwrap();
    let got = &report["calls"][0];
    assert_eq!(got["isError"], false, "{got}");
    // The same tool object: description, inputSchema, outputSchema (when any), annotations.
    assert_eq!(&got["structuredContent"], listed);
    assert_eq!(
        listed["inputSchema"]["required"],
        json!(["owner", "repo", "title"])
    );
    let unknown = error_of(&report["calls"][1]);
    assert_eq!(unknown["error"]["code"], "not_found");
    assert_eq!(
        unknown["error"]["message"],
        "there is no action named GITHUB_NO_SUCH_THING"
    );
}

#[tokio::test]
async fn run_action_reaches_the_provider_with_the_users_credential() {
    let upstream =
        StandIn::start(|_| Reply::json(200, json!({"full_name": "octo/hello", "private": false})))
            .await;
    let app = github_app(&upstream).await;
    let report = search_session(
        &app,
        "alice",
        &[(
            "run_action",
            json!({"name": "GITHUB_GET_REPOSITORY", "arguments": {"owner": "octo", "repo": "hello"}}),
        )],
    )
    .await;
    let call = &report["calls"][0];
    assert_eq!(call["isError"], false, "{call}");
    assert_eq!(
        serde_json::from_str::<Value>(call["content"][0]["text"].as_str().unwrap()).unwrap(),
        json!({"full_name": "octo/hello", "private": false})
    );
    let sent = upstream.single();
    assert_eq!(sent.path, "/repos/octo/hello");
    assert_eq!(sent.header("authorization"), Some("Bearer gho_alice"));
    // The same execution path as a direct call: it is audited as the action itself.
    let audit = app.as_admin("GET", "/admin/audit?limit=1", None).await;
    assert_eq!(audit.body["records"][0]["action"], "GITHUB_GET_REPOSITORY");
    assert_eq!(audit.body["records"][0]["user"], "alice");
    assert_eq!(audit.body["records"][0]["outcome"], "ok");
}

#[tokio::test]
async fn invalid_arguments_are_error_results_and_reach_no_provider() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    let report = search_session(
        &app,
        "alice",
        &[
            // The action's own arguments: the pointers of what is wrong, as a direct call.
            (
                "run_action",
                json!({"name": "GITHUB_CREATE_ISSUE", "arguments": {"owner": "octo", "title": 5}}),
            ),
            // A meta-tool's arguments are checked against its schema.
            ("search_actions", json!({"limit": 0})),
            (
                "run_action",
                json!({"name": "GITHUB_NOPE", "arguments": {}}),
            ),
            // In search mode the actions are not tools of their own.
            (
                "GITHUB_GET_REPOSITORY",
                json!({"owner": "octo", "repo": "hello"}),
            ),
        ],
    )
    .await;
    let invalid = error_of(&report["calls"][0]);
    assert_eq!(invalid["error"]["code"], "invalid_parameters");
    let paths: Vec<&str> = invalid["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/repo", "/title"]);
    let meta = error_of(&report["calls"][1]);
    assert_eq!(meta["error"]["code"], "invalid_parameters");
    let paths: Vec<&str> = meta["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/limit", "/query"]);
    let unknown = error_of(&report["calls"][2]);
    assert_eq!(unknown["error"]["code"], "not_found");
    let direct = report["calls"][3]["protocol_error"].as_str().unwrap();
    assert!(
        direct.contains("unknown tool: GITHUB_GET_REPOSITORY")
            && direct.contains("search_actions, get_action and run_action"),
        "{direct}"
    );
    assert!(upstream.requests().is_empty(), "{:?}", upstream.requests());
}

#[tokio::test]
async fn run_action_cuts_an_oversized_result_as_a_direct_call_does() {
    let app = TestApp::start("", |s| s.mcp_result_bytes = 1024).await;
    app.load(actionhost_e2e::components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;
    let arguments = json!({"bytes": 5000});
    let run = search_session(
        &app,
        "alice",
        &[(
            "run_action",
            json!({"name": "HOSTILE_HUGE_OUTPUT", "arguments": arguments}),
        )],
    )
    .await;
    let direct = session(
        &app,
        "",
        "alice",
        &[("HOSTILE_HUGE_OUTPUT", arguments.clone())],
    )
    .await;
    let content = run["calls"][0]["content"].as_array().unwrap();
    assert_eq!(content[0]["text"].as_str().unwrap().len(), 1024);
    assert!(
        content[1]["text"]
            .as_str()
            .unwrap()
            .contains("the result is 5002 bytes; only the first 1024 are shown"),
        "{content:?}"
    );
    assert_eq!(run["calls"][0], direct["calls"][0]);
}

#[tokio::test]
async fn the_index_is_built_once_per_catalog_change_and_follows_a_hot_load() {
    let app = TestApp::start("", |_| {}).await;
    let index = &app.state.action_index;
    let search = [("search_actions", json!({"query": "huge output"}))];
    let before = search_session(&app, "alice", &search).await;
    assert_eq!(matched(&before["calls"][0]), Vec::<&str>::new());
    let built = index.fresh().expect("the first search built the index");
    search_session(&app, "alice", &search).await;
    assert!(
        std::sync::Arc::ptr_eq(&built, &index.fresh().unwrap()),
        "a search with no catalog change reuses the index"
    );

    app.load(actionhost_e2e::components::HOSTILE).await;
    assert!(
        index.fresh().is_none(),
        "a loaded plugin makes the index stale"
    );
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;
    let after = search_session(&app, "alice", &search).await;
    assert_eq!(matched(&after["calls"][0])[0], "HOSTILE_HUGE_OUTPUT");
    let rebuilt = index.fresh().unwrap();
    let hostile = app.state.registry.get("hostile").unwrap().actions.len();
    assert_eq!(rebuilt.len(), built.len() + hostile);
}

#[tokio::test]
async fn an_unknown_tools_value_is_400_naming_the_allowed_values() {
    let app = TestApp::start("", |_| {}).await;
    let post = |query: &str, token: Option<String>| {
        let mut request = app
            .client
            .post(format!("{}/mcp{query}", app.url))
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let refused = post("?tools=everything", Some(app.token("alice")))
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {
            "code": "invalid_parameters",
            "message": "`tools` must be all (every action as a tool) or search (search_actions, get_action and run_action), not \"everything\"",
            "details": {"errors": [{"path": "tools", "message": "`tools` must be all (every action as a tool) or search (search_actions, get_action and run_action), not \"everything\""}]}
        }})
    );
    let twice = post("?tools=search&tools=all", Some(app.token("alice")))
        .await
        .unwrap();
    assert_eq!(twice.status(), 400);
    // Without a token the answer is 401, whatever the query.
    let anonymous = post("?tools=everything", None).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}
