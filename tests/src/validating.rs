//! The validating stand-in for a provider (`tests/tools/standin`, Python): it checks every
//! request against the provider's own API description (`../shared/specs/README.md`), answers a
//! request that breaks it with 599 and records why, and answers valid ones from the test's
//! fixtures.
//!
//! One stand-in process serves each description for the whole test binary (started on first
//! use, gone when the binary exits: it stops when its stdin closes). Tests share it through
//! sessions: each test gets its own path prefix `/__s/<session>`, and its runtime's upstream
//! override maps the provider's base URL there (`https://slack.com/api=http://127.0.0.1:P/__s/s`),
//! so fixtures, recorded requests and violations never mix between tests running at once.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::standin::{Recorded, Reply};
use crate::tools_dir;

/// The status the stand-in answers a request with when it breaks the description.
pub const VIOLATION_STATUS: u16 = 599;

/// Where a description file comes from.
pub enum Source {
    /// A file in an npm package of `tests/tools` (installed by the test script).
    Npm(&'static str),
    /// A file under `../shared/specs` (beside the project, for every developer and CI).
    Shared(&'static str),
    /// One of Google's Discovery documents (`gmail.v1`), from PyPI's `google-api-python-client`
    /// wheel, extracted into `tests/tools/.google-discovery` by `tests/tools/fetch-google-discovery.sh`.
    GoogleDiscovery(&'static str),
    /// A file or folder in a PyPI package of `tests/tools/.venv` (pinned in
    /// `tests/tools/standin/requirements.txt`), below its `site-packages`.
    PyPi(&'static str),
    /// A file or folder of `tests/tools` itself: a hand-written checker's data where no
    /// description can be used (HubSpot's account, `standin/hubspot`).
    Tools(&'static str),
}

/// One provider's API description and where the provider serves it.
pub struct Description {
    /// Names the stand-in process in messages.
    pub name: &'static str,
    /// The URL the description's paths are relative to; the session's override replaces it.
    pub base_url: &'static str,
    pub source: Source,
    /// A module of `tests/tools/standin/overlays` that corrects the description.
    pub overlay: Option<&'static str>,
}

/// GitHub's official OpenAPI 3.0 description, from npm `@octokit/openapi`.
pub const GITHUB: Description = Description {
    name: "github",
    base_url: "https://api.github.com",
    source: Source::Npm("@octokit/openapi/generated/api.github.com.json"),
    overlay: None,
};

/// Slack's Web API description (Swagger 2.0; its paths lack the `/api` prefix).
pub const SLACK: Description = Description {
    name: "slack",
    base_url: "https://slack.com/api",
    source: Source::Shared("specs/slack/slack_web_openapi_v2.json"),
    overlay: Some("slack"),
};

/// Linear's GraphQL schema (SDL); every request is a POST of `{query, variables}`.
pub const LINEAR: Description = Description {
    name: "linear",
    base_url: "https://api.linear.app",
    source: Source::Shared("specs/linear/schema.graphql"),
    overlay: None,
};

/// Gmail's Discovery document; its paths are `/gmail/v1/...` and the uploads `/upload/gmail/v1/...`.
pub const GMAIL: Description = Description {
    name: "gmail",
    base_url: "https://gmail.googleapis.com",
    source: Source::GoogleDiscovery("gmail.v1"),
    overlay: None,
};

/// Google Calendar's Discovery document; its paths are `/calendar/v3/...`.
pub const GOOGLE_CALENDAR: Description = Description {
    name: "google-calendar",
    base_url: "https://www.googleapis.com",
    source: Source::GoogleDiscovery("calendar.v3"),
    overlay: None,
};

/// Google Drive's Discovery document; its paths are `/drive/v3/...` and the uploads
/// `/upload/drive/v3/...`.
pub const GOOGLE_DRIVE: Description = Description {
    name: "google-drive",
    base_url: "https://www.googleapis.com",
    source: Source::GoogleDiscovery("drive.v3"),
    overlay: None,
};

/// Google Docs' Discovery document; its paths are `/v1/documents/...`.
pub const GOOGLE_DOCS: Description = Description {
    name: "google-docs",
    base_url: "https://docs.googleapis.com",
    source: Source::GoogleDiscovery("docs.v1"),
    overlay: None,
};

/// Jira Cloud REST v3 (`../shared/specs/jira`, OpenAPI 3.0.1, descriptions stripped). Its paths
/// start at `/rest/api/3`; the base is a site (`https://{site}.atlassian.net`) or, with OAuth,
/// `https://api.atlassian.com/ex/jira/{cloud_id}`: a test maps whichever its account uses.
pub const JIRA: Description = Description {
    name: "jira",
    base_url: "https://your-domain.atlassian.net",
    source: Source::Shared("specs/jira/swagger-v3.stripped.json"),
    overlay: None,
};

/// Asana (`../shared/specs/asana`, OpenAPI 3.0.0, descriptions stripped), with the overlay
/// `asana` (search's `limit`, custom field values of every kind; its docstring says why).
pub const ASANA: Description = Description {
    name: "asana",
    base_url: "https://app.asana.com/api/1.0",
    source: Source::Shared("specs/asana/asana_oas.stripped.json"),
    overlay: Some("asana"),
};

/// Trello (`../shared/specs/trello`, OpenAPI 3.0.0). Its duplicate enum values make Prism skip
/// validation; openapi-core checks it, with the overlay `trello` correcting where the spec
/// refuses what the real API takes (its docstring says each).
pub const TRELLO: Description = Description {
    name: "trello",
    base_url: "https://api.trello.com/1",
    source: Source::Shared("specs/trello/swagger.v3.json"),
    overlay: Some("trello"),
};

/// Monday.com's GraphQL API, version 2026-10 (`../shared/specs/monday/schema.graphql`).
pub const MONDAY: Description = Description {
    name: "monday",
    base_url: "https://api.monday.com",
    source: Source::Shared("specs/monday/schema.graphql"),
    overlay: None,
};

/// Shopify's GraphQL Admin API, version 2026-07: the introspection result
/// `../shared/specs/shopify/admin_2026-07.json.gz` (from npm `@shopify/dev-mcp`), loaded with
/// graphql-core's `build_client_schema`; every document is parsed and validated against it and
/// its variables coerced. The base is the test shop `acme-outfitters`; the path
/// (`/admin/api/2026-07/graphql.json`) and the `X-Shopify-Access-Token` header, which a schema
/// does not describe, are asserted by the tests.
pub const SHOPIFY: Description = Description {
    name: "shopify",
    base_url: "https://acme-outfitters.myshopify.com",
    source: Source::Shared("specs/shopify/admin_2026-07.json.gz"),
    overlay: None,
};

/// Microsoft Graph v1.0 (Outlook mail and calendar, OneDrive, Teams), checked against Graph's
/// own model: the OData CSDL `cleanMetadata-v1.0.xml.gz` under `../shared/specs/microsoft-graph`
/// (`tests/tools/standin/graph.py` walks the real paths on it; its docstring says what is checked).
///
/// A request's operation is `METHOD /template`: the real path with every key (ids, well-known
/// folder names such as `inbox`) replaced by `{id}`, the item path of OneDrive's path-based
/// addressing by `{path}`, and a function's arguments by `{name}`. For example:
/// `POST /me/sendMail`, `POST /me/messages/{id}/send`, `GET /me/mailFolders/{id}/messages`,
/// `PATCH /me/messages/{id}`, `GET /me/calendarView`, `POST /me/events/{id}/accept`,
/// `GET /me/drive/root:/{path}:/children`, `PUT /me/drive/items/{id}:/{path}:/content`,
/// `GET /me/drive/root/search(q={q})`, `POST /teams/{id}/channels/{id}/messages/{id}/replies`,
/// `POST /chats/{id}/messages`. `Fixture::operation` matches these names exactly.
pub const MICROSOFT_GRAPH: Description = Description {
    name: "microsoft-graph",
    base_url: "https://graph.microsoft.com/v1.0",
    source: Source::Shared("specs/microsoft-graph/cleanMetadata-v1.0.xml.gz"),
    overlay: None,
};

impl Description {
    pub fn path(&self) -> PathBuf {
        match self.source {
            Source::Npm(file) => tools_dir().join("node_modules").join(file),
            Source::Shared(file) => shared_dir().join(file),
            Source::GoogleDiscovery(name) => tools_dir()
                .join(".google-discovery")
                .join(format!("{name}.json")),
            Source::PyPi(file) => site_packages().join(file),
            Source::Tools(file) => tools_dir().join(file),
        }
    }

    /// A fresh session on this description's stand-in (started if it is not running yet);
    /// `test` names it in messages.
    pub fn session(&'static self, test: &str) -> Session {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let process = running(self);
        Session {
            base: format!("http://127.0.0.1:{}", process.port),
            name: format!("{test}-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
            description: self,
            client: reqwest::Client::new(),
        }
    }
}

/// The venv's `lib/python3.X/site-packages` (whichever Python created it).
fn site_packages() -> PathBuf {
    let lib = tools_dir().join(".venv/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("python"))
        })
        .unwrap_or(lib)
        .join("site-packages")
}

/// `../shared` beside the project.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

struct Process {
    port: u16,
    // Never dropped (the stand-in lives as long as the binary); holding stdin open keeps it up.
    _child: Child,
    _stdin: ChildStdin,
}

fn running(description: &'static Description) -> Arc<Process> {
    static RUNNING: Mutex<Vec<(&str, Arc<Process>)>> = Mutex::new(Vec::new());
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, process)) = running.iter().find(|(name, _)| *name == description.name) {
        return process.clone();
    }
    let process = Arc::new(start(description));
    running.push((description.name, process.clone()));
    process
}

fn start(description: &Description) -> Process {
    let python = tools_dir().join(".venv/bin/python");
    assert!(
        python.exists(),
        "the stand-in's Python is not installed: run tests/run.sh (it creates tests/tools/.venv)"
    );
    let spec = description.path();
    assert!(
        spec.exists(),
        "no description at {} (tests/run.sh installs the npm tools and fetches Google's documents)",
        spec.display()
    );
    let mut command = Command::new(python);
    command
        .arg(tools_dir().join("standin/standin.py"))
        .arg(&spec)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(overlay) = description.overlay {
        command.args(["--overlay", overlay]);
    }
    let mut child = command.spawn().expect("start the stand-in");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the stand-in's first line");
    // `listening PORT loaded_in_ms MS`
    let words: Vec<&str> = line.split_whitespace().collect();
    let port = match words.as_slice() {
        ["listening", port, "loaded_in_ms", _] => port.parse().expect("port"),
        _ => panic!(
            "the {} stand-in did not start (it said {line:?}; its errors are above)",
            description.name
        ),
    };
    let stdin = child.stdin.take().expect("stdin");
    Process {
        port,
        _child: child,
        _stdin: stdin,
    }
}

/// One test's view of a stand-in: its own fixtures, requests and violations.
pub struct Session {
    base: String,
    name: String,
    description: &'static Description,
    client: reqwest::Client,
}

/// What the stand-in answers to the requests a fixture matches.
#[derive(Debug, Clone)]
pub struct Fixture {
    method: Option<String>,
    path: Option<String>,
    operation: Option<String>,
    query: Vec<(String, String)>,
    once: bool,
    reply: Reply,
}

impl Fixture {
    /// Answers `method` requests to `path` (a pattern: `{name}` matches one segment).
    pub fn new(method: &str, path: &str, reply: Reply) -> Self {
        Fixture {
            method: Some(method.into()),
            path: Some(path.into()),
            operation: None,
            query: Vec::new(),
            once: false,
            reply,
        }
    }

    /// Answers every request.
    pub fn any(reply: Reply) -> Self {
        Fixture {
            method: None,
            path: None,
            operation: None,
            query: Vec::new(),
            once: false,
            reply,
        }
    }

    /// Answers the requests that reach the description's `operation`, whatever path they take
    /// (a Google Discovery method id such as `drive.files.create` covers its upload paths too;
    /// for Microsoft Graph, `METHOD /template`: see [`MICROSOFT_GRAPH`]).
    pub fn operation(operation: &str, reply: Reply) -> Self {
        Fixture {
            operation: Some(operation.into()),
            ..Fixture::any(reply)
        }
    }

    /// Only requests whose query has `name=value`.
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Answers one request only (then the next matching fixture does).
    pub fn once(mut self) -> Self {
        self.once = true;
        self
    }
}

/// A request as the stand-in received it, with its verdict.
#[derive(Debug, Clone)]
pub struct Checked {
    pub request: Recorded,
    /// The description's operation it reached (`POST /repos/{owner}/{repo}/issues`, a Google
    /// Discovery method id such as `gmail.users.messages.send`, or a Graph path template such as
    /// `POST /me/messages/{id}/send`).
    pub operation: Option<String>,
    pub violations: Vec<String>,
}

impl Session {
    /// The prefix the provider's base URL is rewritten to.
    pub fn upstream(&self) -> String {
        format!("{}/__s/{}", self.base, self.name)
    }

    /// `ACTIONHOST_UPSTREAM_OVERRIDES` for this session.
    pub fn overrides(&self) -> String {
        format!("{}={}", self.description.base_url, self.upstream())
    }

    fn control(&self, what: &str) -> String {
        format!("{}/__standin/{}/{what}", self.base, self.name)
    }

    pub async fn answer(&self, fixture: Fixture) {
        let mut body = json!({
            "method": fixture.method,
            "path": fixture.path,
            "operation": fixture.operation,
            "query": fixture.query,
            "once": fixture.once,
            "status": fixture.reply.status,
            "headers": fixture.reply.headers,
            "text": String::from_utf8(fixture.reply.body).expect("a UTF-8 fixture body"),
            "delay_ms": fixture.reply.delay.as_millis() as u64,
        });
        if body["query"] == json!([]) {
            body.as_object_mut().expect("object").remove("query");
        }
        let status = self
            .client
            .post(self.control("fixtures"))
            .json(&body)
            .send()
            .await
            .expect("register a fixture")
            .status();
        assert_eq!(status, 201, "the stand-in refused the fixture");
    }

    /// Every request of this session, in order.
    pub async fn checked(&self) -> Vec<Checked> {
        self.list(&self.control("requests"))
            .await
            .into_iter()
            .map(checked)
            .collect()
    }

    /// Every request of this session, in order; fails the test if one broke the description.
    pub async fn requests(&self) -> Vec<Recorded> {
        self.assert_no_violations().await;
        self.checked()
            .await
            .into_iter()
            .map(|c| c.request)
            .collect()
    }

    /// The only request of this session, which the description accepts.
    pub async fn single(&self) -> Recorded {
        let requests = self.requests().await;
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }

    /// Every way this session's requests broke the description: `METHOD /path?query: why`.
    pub async fn violations(&self) -> Vec<String> {
        self.list(&self.control("violations"))
            .await
            .iter()
            .map(|v| format!("{}: {}", str_of(&v["request"]), str_of(&v["violation"])))
            .collect()
    }

    pub async fn assert_no_violations(&self) {
        let violations = self.violations().await;
        assert!(
            violations.is_empty(),
            "{}'s API description refuses what was sent:\n{}",
            self.description.name,
            violations.join("\n")
        );
    }

    /// Forgets this session's fixtures and requests.
    pub async fn reset(&self) {
        let status = self
            .client
            .post(self.control("reset"))
            .send()
            .await
            .expect("reset")
            .status();
        assert_eq!(status, 204);
    }

    /// Sends a request straight to the stand-in (no plugin, no host), `path_and_query` relative
    /// to the provider's base URL; returns the status and the body as JSON.
    pub async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path_and_query}", self.upstream()))
            .body(body.to_vec());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("send to the stand-in");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn list(&self, url: &str) -> Vec<Value> {
        let answer: Value = self
            .client
            .get(url)
            .send()
            .await
            .expect("ask the stand-in")
            .json()
            .await
            .expect("the stand-in's JSON");
        answer.as_array().cloned().expect("a list")
    }
}

fn str_of(value: &Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_default()
}

fn checked(value: Value) -> Checked {
    let body = base64::engine::general_purpose::STANDARD
        .decode(str_of(&value["body_base64"]))
        .expect("base64 body");
    let headers = value["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|pair| (str_of(&pair[0]).to_lowercase(), str_of(&pair[1])))
        .collect();
    Checked {
        request: Recorded {
            method: str_of(&value["method"]),
            path: str_of(&value["path"]),
            query: value["query"].as_str().map(str::to_string),
            headers,
            body,
        },
        operation: value["operation"].as_str().map(str::to_string),
        violations: value["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(str_of)
            .collect(),
    }
}

/// Notion (`https://api.notion.com/v1`), checked against npm `@notionhq/client` 5.26.0: its
/// endpoint table (`build/src/api-endpoints/*.js`: method, path, path/query/body parameter names
/// of 76 endpoints), the `Notion-Version` it sends (2025-09-03), and Notion's documented request
/// shapes of rich text, blocks, parents, property values, searches and data source queries
/// (`tests/tools/standin/notion.py`: no faithful OpenAPI description of Notion exists). Its
/// operations are `METHOD /template` below `/v1`: `POST /pages`,
/// `PATCH /blocks/{block_id}/children`, `POST /data_sources/{data_source_id}/query`.
pub const NOTION: Description = Description {
    name: "notion",
    base_url: "https://api.notion.com/v1",
    source: Source::Npm("@notionhq/client/build/src/api-endpoints"),
    overlay: None,
};

/// Bitbucket Cloud REST 2.0 (`../shared/specs/bitbucket/swagger.stripped.json`, Swagger 2.0
/// converted by npm `swagger2openapi`, base path `/2.0`), checked by openapi-core with the
/// overlay `bitbucket`: `type` no longer required in request bodies (the real API does not need
/// it), `page`/`pagelen` on every paginated GET, `sort` on the pipelines list, and the file
/// path of `/src/{commit}/{path}` spanning `/` (its docstring says why each). Operations are
/// `METHOD /template` below `/2.0`, e.g. `POST /repositories/{workspace}/{repo_slug}/pullrequests`.
pub const BITBUCKET: Description = Description {
    name: "bitbucket",
    base_url: "https://api.bitbucket.org/2.0",
    source: Source::Shared("specs/bitbucket/swagger.stripped.json"),
    overlay: Some("bitbucket"),
};

/// Discord's HTTP API v10 (`../shared/specs/discord/openapi.stripped.json`: Discord's official
/// `discord-api-spec` OpenAPI 3.1.0, descriptions stripped), checked by openapi-core (method,
/// path, path and query parameters with their snowflake patterns and limits, JSON bodies, the
/// security scheme of each operation) with the overlay `discord`: the custom `snowflake` format
/// dropped (openapi-core has no formatter for it; the pattern still checks every id), and the
/// bot's scheme made an HTTP `Bot` scheme, so bot-only operations must carry
/// `Authorization: Bot <token>`. Operations are `METHOD /template`: `GET /users/@me/guilds`,
/// `POST /channels/{channel_id}/messages`.
pub const DISCORD: Description = Description {
    name: "discord",
    base_url: "https://discord.com/api/v10",
    source: Source::Shared("specs/discord/openapi.stripped.json"),
    overlay: Some("discord"),
};

/// Figma (`https://api.figma.com`), checked against Figma's own OpenAPI 3.1.0 description, npm
/// `@figma/rest-api-spec` 0.43.0 (`openapi/openapi.yaml`, read as YAML), with no overlay: path
/// and query parameters (types, enums such as `format`, ranges such as `scale`), undeclared
/// query parameters, and comment bodies (`client_meta` must be one of its four positions).
/// Figma's operations accept a personal token (`X-Figma-Token`) as well as OAuth, which
/// openapi-core does not check: the tests assert the credential header themselves. Operations
/// are `METHOD /v1/...` templates such as `GET /v1/files/{file_key}`.
pub const FIGMA: Description = Description {
    name: "figma",
    base_url: "https://api.figma.com",
    source: Source::Npm("@figma/rest-api-spec/openapi/openapi.yaml"),
    overlay: None,
};

/// GitLab's REST API v4 on gitlab.com, checked against PyPI `python-gitlab` 8.6.0's resource
/// tables (`gitlab/v4/objects`: each manager's path template, methods by its mixins,
/// `_list_filters`, `_optional_get_attrs`, `_create_attrs` and `_update_attrs` with their
/// required, optional and exclusive names) by `tests/tools/standin/gitlab_resources.py`, which
/// also checks that a project path is one encoded segment, the credential header and GitLab's
/// paging parameters; it cannot check value types or enums, which python-gitlab does not carry
/// (its docstring lists what is and is not checked). The overlay `gitlab` adds what the tables
/// lack (the merge request `diffs` list, `add_labels`/`remove_labels`, a project's read
/// attributes). Operations are `METHOD /template` below `/api/v4`:
/// `POST /projects/{project_id}/issues`, `PUT /projects/{project_id}/issues/{id}`.
pub const GITLAB: Description = Description {
    name: "gitlab",
    base_url: "https://gitlab.com/api/v4",
    source: Source::PyPi("gitlab/v4/objects"),
    overlay: Some("gitlab"),
};

/// HubSpot CRM v3 (`https://api.hubapi.com`), checked by hand against HubSpot's CRM v3
/// documentation (`tests/tools/standin/hubspot.py`; HubSpot's published specs are not licensed
/// for use here): routes of the objects, search, properties, pipelines, v4 default associations
/// and account-info endpoints, their query parameters, the bearer header, and bodies: every
/// property name and value of a create or update against the account the stand-in plays (its
/// property definitions, `tests/tools/standin/hubspot/properties-{object}.json`: known, writable,
/// typed, enumeration options), note association type ids and `hs_timestamp`, and search filter
/// groups, operators, sorts, `limit` and `after`. Its operations are `METHOD /path` with the
/// object type kept and ids as `{objectId}`: `POST /crm/v3/objects/deals/search`,
/// `PATCH /crm/v3/objects/contacts/{objectId}`.
pub const HUBSPOT: Description = Description {
    name: "hubspot",
    base_url: "https://api.hubapi.com",
    source: Source::Tools("standin/hubspot"),
    overlay: None,
};

/// Salesforce's REST API v62.0 on an org's instance (`https://acme.my.salesforce.com`), checked
/// by hand against Salesforce's REST API Developer Guide and the describe fixtures of
/// `tests/tools/standin/salesforce-describes` (Account, Contact, Lead, Opportunity, Case, Task,
/// with custom fields), which tests also serve as the describe answers: resources, methods and
/// query parameters, a bearer token, and record bodies field by field against the object's
/// describe (unknown, formula, compound and non-createable or non-updateable fields, required
/// fields on create, JSON types, lengths, picklist values, ids, dates);
/// `tests/tools/standin/salesforce.py` says exactly what (no machine-readable description of
/// Salesforce's API exists offline: its OpenAPI is generated per org). Its operations are
/// `METHOD /template` below `/services/data/v62.0`: `GET /query`, `GET /query/{locator}`,
/// `POST /sobjects/{object}`, `PATCH /sobjects/{object}/{id}`.
pub const SALESFORCE: Description = Description {
    name: "salesforce",
    base_url: "https://acme.my.salesforce.com",
    source: Source::Tools("standin/salesforce-describes"),
    overlay: None,
};

/// Vercel (`https://api.vercel.com`), checked against npm `@vercel/sdk` 1.28.35 itself
/// (`tests/tools/standin/vercel.mjs`, run by `vercel.py`: no current description of Vercel's API
/// is obtainable offline): the operation is found by method and path among the SDK's
/// `esm/funcs/*.js` path templates, and the request (path parameters, query parameters decoded
/// to their types, JSON body) is validated by that operation's zod request schema from
/// `esm/models/*.js` with `safeParse`; query parameters the operation does not encode, body
/// members the schema does not declare, a body where it takes none and a missing bearer token
/// are refused too. Its operations are `METHOD /template`: `GET /v10/projects`,
/// `POST /v10/projects/{projectId}/promote/{deploymentId}`.
pub const VERCEL: Description = Description {
    name: "vercel",
    base_url: "https://api.vercel.com",
    source: Source::Npm("@vercel/sdk/esm"),
    overlay: None,
};
