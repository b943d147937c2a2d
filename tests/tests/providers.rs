//! Every provider plugin through the real runtime, against a validating stand-in for its
//! provider (`actionhost_e2e::validating`): each request the plugin sends is checked against the
//! provider's own API description, answered from the test's fixtures, and asserted exactly; and
//! each description's check is itself tested, with requests it must refuse (so a validator that
//! accepts everything fails) and a known-good request from the provider's docs it must accept.
//!
//! One module per provider; they share one stand-in process per description.

#[path = "providers/asana.rs"]
mod asana;
#[path = "providers/bitbucket.rs"]
mod bitbucket;
#[path = "providers/discord.rs"]
mod discord;
#[path = "providers/figma.rs"]
mod figma;
#[path = "providers/github.rs"]
mod github;
#[path = "providers/gitlab.rs"]
mod gitlab;
#[path = "providers/gmail.rs"]
mod gmail;
#[path = "providers/google.rs"]
mod google;
#[path = "providers/google_calendar.rs"]
mod google_calendar;
#[path = "providers/google_docs.rs"]
mod google_docs;
#[path = "providers/google_drive.rs"]
mod google_drive;
#[path = "providers/graphql.rs"]
mod graphql;
#[path = "providers/hubspot.rs"]
mod hubspot;
#[path = "providers/jira.rs"]
mod jira;
#[path = "providers/linear.rs"]
mod linear;
#[path = "providers/microsoft.rs"]
mod microsoft;
#[path = "providers/microsoft_calendar.rs"]
mod microsoft_calendar;
#[path = "providers/microsoft_graph.rs"]
mod microsoft_graph;
#[path = "providers/microsoft_teams.rs"]
mod microsoft_teams;
#[path = "providers/monday.rs"]
mod monday;
#[path = "providers/notion.rs"]
mod notion;
#[path = "providers/onedrive.rs"]
mod onedrive;
#[path = "providers/outlook.rs"]
mod outlook;
#[path = "providers/salesforce.rs"]
mod salesforce;
#[path = "providers/shopify.rs"]
mod shopify;
#[path = "providers/slack.rs"]
mod slack;
#[path = "providers/trello.rs"]
mod trello;
#[path = "providers/vercel.rs"]
mod vercel;

use actionhost::credentials::SecretString;
use actionhost::runtime::{CallContext, CallError, CallLimits, LoadedPlugin, Runtime};
use actionhost_e2e::validating::{Description, Fixture, Session, VIOLATION_STATUS};
use actionhost_e2e::{bundled, load, runtime};
use serde_json::Value;

/// The bundled plugin `file` in a runtime whose overrides send its provider to `standin`.
async fn load_against(standin: &Session, file: &str) -> (Runtime, LoadedPlugin) {
    let runtime = runtime(&standin.overrides());
    let plugin = load(&runtime, bundled(file), CallLimits::default()).await;
    (runtime, plugin)
}

/// A call for alice with `credential` and the granted `scopes`.
fn alice_with(credential: &str, scopes: &[&str]) -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        credential: Some(SecretString::new(credential)),
        ..Default::default()
    }
}

/// Runs one action of the bundled plugin `file` for `call`, in a fresh session of `description`
/// whose stand-in answers with `fixture`.
async fn run_once(
    description: &'static Description,
    file: &str,
    call: &CallContext,
    (test, action, params): (&str, &str, Value),
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    let standin = description.session(test);
    standin.answer(fixture).await;
    let (runtime, plugin) = load_against(&standin, file).await;
    let (result, _) = runtime.execute(&plugin, action, &params, call).await;
    (result, standin)
}

/// Fails unless `covered` names exactly the plugin's actions (each at least once).
fn assert_covers_every_action(plugin: &LoadedPlugin, covered: &[&str]) {
    let mut covered = covered.to_vec();
    covered.sort();
    covered.dedup();
    let mut declared: Vec<&str> = plugin.actions.iter().map(|a| a.name.as_str()).collect();
    declared.sort();
    assert_eq!(covered, declared, "every action is checked");
}

/// An action, its parameters, and the description's operations its requests must reach, in
/// order (one per upstream request).
type Call<'a> = (&'a str, Value, &'a [&'a str]);

/// Runs `calls` in order in one session and asserts that together they cover every action of
/// the plugin, that each succeeds with exactly one upstream request per operation named, that
/// the description accepts every request, and that the requests reach those operations in that
/// order. Answers each call's output.
async fn assert_every_call_reaches(
    standin: &Session,
    (runtime, plugin): (&Runtime, &LoadedPlugin),
    call: &CallContext,
    calls: &[Call<'_>],
) -> Vec<Value> {
    let actions: Vec<&str> = calls.iter().map(|(a, _, _)| *a).collect();
    assert_covers_every_action(plugin, &actions);
    let mut outputs = Vec::new();
    for (action, params, operations) in calls {
        let (result, report) = runtime.execute(plugin, action, params, call).await;
        outputs.push(result.unwrap_or_else(|e| panic!("{action} {params}: {e:?}")));
        assert_eq!(
            report.upstream_calls as usize,
            operations.len(),
            "{action} {params}"
        );
    }
    standin.assert_no_violations().await;
    let reached: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|c| c.operation)
        .collect();
    let expected: Vec<Option<String>> = calls
        .iter()
        .flat_map(|(_, _, operations)| operations.iter().map(|o| Some(o.to_string())))
        .collect();
    assert_eq!(reached, expected);
    outputs
}

/// A request the description must refuse, sent straight to the stand-in, and a fragment of the
/// reason the stand-in must give.
struct Refused<'a> {
    method: &'a str,
    path_and_query: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: &'a str,
    because: &'a str,
}

/// Sends each request straight to `description`'s stand-in and asserts that it is refused with
/// the violation status, for the stated reason, and recorded as a violation.
async fn assert_refused(description: &'static Description, test: &str, cases: &[Refused<'_>]) {
    let standin: Session = description.session(test);
    for case in cases {
        let (status, answer) = standin
            .send(
                case.method,
                case.path_and_query,
                case.headers,
                case.body.as_bytes(),
            )
            .await;
        let what = format!("{} {}", case.method, case.path_and_query);
        assert_eq!(status, VIOLATION_STATUS, "{what} was accepted: {answer}");
        let why = answer["standin_violation"].as_str().unwrap_or_default();
        assert!(
            why.contains(case.because),
            "{what} was refused for another reason than {:?}: {why}",
            case.because
        );
    }
    assert_eq!(
        standin.checked().await.len(),
        cases.len(),
        "every refused request is recorded"
    );
    assert!(
        standin.violations().await.len() >= cases.len(),
        "every refused request is recorded as a violation"
    );
}

/// Sends a known-good request straight to `description`'s stand-in and asserts that it is
/// accepted and reaches `operation`.
async fn assert_accepted(
    description: &'static Description,
    test: &str,
    request: (&str, &str, &[(&str, &str)], &str),
    operation: &str,
) {
    let standin = description.session(test);
    let (method, path_and_query, headers, body) = request;
    let (status, answer) = standin
        .send(method, path_and_query, headers, body.as_bytes())
        .await;
    assert!(
        (200..300).contains(&status),
        "{method} {path_and_query} was refused: {status} {answer}"
    );
    standin.assert_no_violations().await;
    let checked = standin.checked().await;
    assert_eq!(checked.len(), 1);
    assert_eq!(checked[0].operation.as_deref(), Some(operation));
}
