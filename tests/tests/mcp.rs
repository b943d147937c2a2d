//! The MCP server at `/mcp`, through the official Python MCP SDK (`mcp` on PyPI, speaking the
//! 2026-07-28 revision) as a real client, and by hand for the 2025-11-25 handshake and for
//! what happens without a token.

use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Reply, StandIn};
use actionhost_e2e::tools_dir;
use serde_json::{Value, json};

/// Runs one of the official SDK clients in `tests/tools/mcp` (`program script`) as `user`: it
/// lists the tools, calls `call` when given, and prints what it saw as JSON.
async fn sdk_client(
    program: &std::path::Path,
    script: &str,
    app: &TestApp,
    user: &str,
    call: Option<(&str, Value)>,
) -> Value {
    let mut command = tokio::process::Command::new(program);
    command
        .arg(tools_dir().join("mcp").join(script))
        .arg(format!("{}/mcp", app.url))
        .arg(app.token(user));
    if let Some((tool, arguments)) = call {
        command.arg(tool).arg(arguments.to_string());
    }
    let output = command.output().await.expect("run the MCP client");
    assert!(
        output.status.success(),
        "the {script} MCP client failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client prints JSON")
}

/// The Python SDK (2026-07-28: stateless, `server/discover`).
async fn python_client(app: &TestApp, user: &str, call: Option<(&str, Value)>) -> Value {
    let python = tools_dir().join(".venv/bin/python");
    sdk_client(&python, "client.py", app, user, call).await
}

/// The TypeScript SDK (2025-11-25: initialize, a session).
async fn typescript_client(app: &TestApp, user: &str, call: Option<(&str, Value)>) -> Value {
    sdk_client(std::path::Path::new("node"), "client.mjs", app, user, call).await
}

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

fn tool<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tool {name} in {report}"))
}

#[tokio::test]
async fn the_python_sdk_lists_and_calls_the_users_tools_with_the_users_credential() {
    let upstream =
        StandIn::start(|_| Reply::json(200, json!({"full_name": "octo/hello", "private": false})))
            .await;
    let app = github_app(&upstream).await;
    let report = python_client(
        &app,
        "alice",
        Some((
            "GITHUB_GET_REPOSITORY",
            json!({"owner": "octo", "repo": "hello"}),
        )),
    )
    .await;
    assert_eq!(report["protocol_version"], "2026-07-28", "{report}");

    // The same tools as GET /actions?format=mcp, with annotations from the hints.
    let listed = app
        .as_user("alice", "GET", "/actions?format=mcp", None)
        .await;
    let names: Vec<&Value> = listed.body["actions"]["github"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["name"])
        .collect();
    let mcp_names: Vec<&Value> = report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["name"])
        .collect();
    assert_eq!(mcp_names, names);
    let get = tool(&report, "GITHUB_GET_REPOSITORY");
    assert_eq!(
        get["inputSchema"],
        listed.body["actions"]["github"][5]["inputSchema"]
    );
    assert_eq!(get["annotations"]["readOnlyHint"], true);
    assert_eq!(get["annotations"]["destructiveHint"], false);
    let create = tool(&report, "GITHUB_CREATE_ISSUE");
    assert_eq!(create["annotations"]["readOnlyHint"], false);

    // The call ran as POST /actions does: the provider's body, alice's own token.
    let call = &report["call"];
    assert_eq!(call["isError"], false, "{call}");
    let text = call["content"][0]["text"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text).unwrap(),
        json!({"full_name": "octo/hello", "private": false})
    );
    let sent = upstream.single();
    assert_eq!(sent.path, "/repos/octo/hello");
    assert_eq!(sent.header("authorization"), Some("Bearer gho_alice"));
    let audit = app.as_admin("GET", "/admin/audit?limit=1", None).await;
    assert_eq!(audit.body["records"][0]["action"], "GITHUB_GET_REPOSITORY");
    assert_eq!(audit.body["records"][0]["user"], "alice");
}

#[tokio::test]
async fn the_typescript_sdk_on_2025_11_25_lists_and_calls_in_a_session() {
    let upstream = StandIn::start(|_| Reply::json(200, json!({"full_name": "octo/hello"}))).await;
    let app = github_app(&upstream).await;
    let report = typescript_client(
        &app,
        "alice",
        Some((
            "GITHUB_GET_REPOSITORY",
            json!({"owner": "octo", "repo": "hello"}),
        )),
    )
    .await;
    assert_eq!(report["protocol_version"], "2025-11-25", "{report}");
    assert_eq!(report["session"], true);
    assert_eq!(report["server"]["name"], "actionhost");
    assert_eq!(
        tool(&report, "GITHUB_GET_REPOSITORY")["annotations"]["readOnlyHint"],
        true
    );
    let call = &report["call"];
    assert_eq!(call["isError"], false, "{call}");
    assert_eq!(
        serde_json::from_str::<Value>(call["content"][0]["text"].as_str().unwrap()).unwrap(),
        json!({"full_name": "octo/hello"})
    );
    let sent = upstream.single();
    assert_eq!(sent.path, "/repos/octo/hello");
    assert_eq!(sent.header("authorization"), Some("Bearer gho_alice"));
}

#[tokio::test]
async fn failures_the_model_can_act_on_are_tool_results_with_is_error() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    // Invalid arguments: the pointers of what is wrong, and no request upstream.
    let report = python_client(
        &app,
        "alice",
        Some(("GITHUB_CREATE_ISSUE", json!({"owner": "octo", "title": 5}))),
    )
    .await;
    let call = &report["call"];
    assert_eq!(call["isError"], true, "{call}");
    let error: Value = serde_json::from_str(call["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(error["error"]["code"], "invalid_parameters");
    let paths: Vec<&str> = error["error"]["details"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/repo", "/title"]);
    assert!(upstream.requests().is_empty());

    // A user with no GitHub account sees no GitHub tools, and a call says how to connect.
    let report = python_client(
        &app,
        "bob",
        Some((
            "GITHUB_GET_REPOSITORY",
            json!({"owner": "octo", "repo": "hello"}),
        )),
    )
    .await;
    assert!(
        report["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| !t["name"].as_str().unwrap().starts_with("GITHUB_")),
        "{report}"
    );
    let error: Value =
        serde_json::from_str(report["call"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(error["error"]["code"], "not_connected");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/connected-accounts/github/authorize"),
        "{error}"
    );
    assert!(
        upstream.requests().is_empty(),
        "bob never acts with alice's account"
    );
}

#[tokio::test]
async fn an_oversized_result_is_cut_with_a_note_saying_how_much() {
    let app = TestApp::start("", |s| s.mcp_result_bytes = 1024).await;
    app.load(actionhost_e2e::components::HOSTILE).await;
    app.connect("alice", "hostile", json!({"api_key": "k"}))
        .await;
    let report = python_client(
        &app,
        "alice",
        Some(("HOSTILE_HUGE_OUTPUT", json!({"bytes": 5000}))),
    )
    .await;
    let content = report["call"]["content"].as_array().unwrap();
    assert_eq!(content[0]["text"].as_str().unwrap().len(), 1024);
    let note = content[1]["text"].as_str().unwrap();
    assert!(
        note.contains("the result is 5002 bytes; only the first 1024 are shown"),
        "{note}"
    );
    // The REST API still answers with the whole output.
    let whole = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "HOSTILE_HUGE_OUTPUT", "parameters": {"bytes": 5000}})),
        )
        .await;
    assert_eq!(whole.body.as_str().unwrap().len(), 5000);
}

#[tokio::test]
async fn without_a_token_mcp_answers_401_naming_the_resource_metadata() {
    let app = TestApp::start("", |_| {}).await;
    let response = app
        .client
        .post(format!("{}/mcp", app.url))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        challenge,
        format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
            app.url
        )
    );
    let metadata = app
        .call("GET", "/.well-known/oauth-protected-resource", None, None)
        .await;
    assert_eq!(metadata.status, 200);
    assert_eq!(metadata.body["resource"], format!("{}/mcp", app.url));
    let forged = app
        .client
        .post(format!("{}/mcp", app.url))
        .bearer_auth("not-a-jwt")
        .header("content-type", "application/json")
        .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn a_2025_11_25_client_initializes_a_session_and_lists_tools() {
    let upstream = StandIn::json(json!({})).await;
    let app = github_app(&upstream).await;
    let token = app.token("alice");
    let post = |body: Value, session: Option<String>| {
        let mut request = app
            .client
            .post(format!("{}/mcp", app.url))
            .bearer_auth(&token)
            .header("accept", "application/json, text/event-stream")
            .json(&body);
        if let Some(id) = session {
            request = request
                .header("mcp-session-id", id)
                .header("mcp-protocol-version", "2025-11-25");
        }
        request.send()
    };
    let initialized = post(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "by-hand", "version": "1.0.0"}}}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(initialized.status(), 200);
    let session = initialized
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    let result = json_rpc_result(initialized).await;
    assert_eq!(result["protocolVersion"], "2025-11-25", "{result}");
    assert_eq!(result["serverInfo"]["name"], "actionhost");
    assert_eq!(result["capabilities"]["tools"]["listChanged"], true);
    let notified = post(
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        session.clone(),
    )
    .await
    .unwrap();
    assert!(notified.status().is_success(), "{}", notified.status());
    let listed = json_rpc_result(
        post(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            session,
        )
        .await
        .unwrap(),
    )
    .await;
    assert!(
        listed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "GITHUB_CREATE_ISSUE"),
        "{listed}"
    );
    assert_eq!(listed.get("nextCursor"), None, "one page holds them all");
}

#[tokio::test]
async fn tools_list_pages_with_a_cursor_in_a_stable_order() {
    let upstream = StandIn::json(json!({})).await;
    let app = TestApp::start(&format!("https://api.github.com={}", upstream.url()), |s| {
        s.mcp_tools_per_page = 4
    })
    .await;
    app.connect("alice", "github", json!({"access_token": "gho_alice"}))
        .await;
    let token = app.token("alice");
    let list = |cursor: Option<String>| {
        let mut params = json!({"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "by-hand", "version": "1.0.0"}
        }});
        if let Some(cursor) = cursor {
            params["cursor"] = json!(cursor);
        }
        app.client
            .post(format!("{}/mcp", app.url))
            .bearer_auth(&token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/list")
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": params}))
            .send()
    };
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = json_rpc_result(list(cursor.clone()).await.unwrap()).await;
        pages += 1;
        let tools = page["tools"].as_array().unwrap_or_else(|| panic!("{page}"));
        assert!(tools.len() <= 4);
        names.extend(
            tools
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string()),
        );
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let listed = app
        .as_user("alice", "GET", "/actions?format=mcp", None)
        .await;
    let expected: Vec<String> = listed.body["actions"]["github"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected);
    assert_eq!(pages, expected.len().div_ceil(4));
}

/// The `result` of a JSON-RPC answer sent as JSON or as one SSE event.
async fn json_rpc_result(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    let body = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|d| !d.is_empty())
        .unwrap_or(text.as_str())
        .to_string();
    let message: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {text}"));
    message["result"].clone()
}
