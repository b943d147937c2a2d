//! The bundled Google Calendar plugin against a stand-in that checks every request with Google's
//! own Discovery document for Calendar v3 (`calendar.v3.json` of PyPI `google-api-python-client`):
//! the exact requests it sends, its outputs (Google's JSON as it came, the free slots computed
//! from a freeBusy answer) and how Google's error envelope reaches the caller.

use std::time::Duration;

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, GOOGLE_CALENDAR, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "google-calendar.wasm";
const EVENTS: &str = "/calendar/v3/calendars/{calendarId}/events";
const EVENT: &str = "/calendar/v3/calendars/{calendarId}/events/{eventId}";

async fn calendar(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

fn alice() -> CallContext {
    alice_with(
        "ya29.alice-token",
        &[
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
            "https://www.googleapis.com/auth/calendar.events",
            "https://www.googleapis.com/auth/calendar.events.freebusy",
        ],
    )
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(
        &GOOGLE_CALENDAR,
        FILE,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some("Bearer ya29.alice-token")
    );
}

/// An event as Google's reference shows one, with the user invited.
fn event() -> Value {
    json!({
        "kind": "calendar#event",
        "etag": "\"3181161784712000\"",
        "id": "6kq3ogb46ta3ip1kf6ba1fj5r0",
        "status": "confirmed",
        "htmlLink": "https://www.google.com/calendar/event?eid=NmtxM29nYjQ2dGEzaXAxa2Y2YmExZmo1cjA",
        "created": "2025-03-01T10:00:00.000Z",
        "updated": "2025-03-01T10:00:00.000Z",
        "summary": "Design review",
        "creator": {"email": "bob@example.com"},
        "organizer": {"email": "bob@example.com"},
        "start": {"dateTime": "2025-03-10T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2025-03-10T10:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "iCalUID": "6kq3ogb46ta3ip1kf6ba1fj5r0@google.com",
        "sequence": 0,
        "attendees": [
            {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": "alice@example.com", "self": true, "responseStatus": "needsAction"}
        ],
        "reminders": {"useDefault": true},
        "eventType": "default"
    })
}

fn google_error(code: u16, message: &str, status: &str, reason: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status, "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

#[tokio::test]
async fn list_calendars_fetches_a_second_page_with_the_returned_token() {
    let standin = GOOGLE_CALENDAR.session("list_calendars_pages");
    let path = "/calendar/v3/users/me/calendarList";
    let second = json!({"kind": "calendar#calendarList", "etag": "\"p2\"", "items": [{"kind": "calendar#calendarListEntry", "id": "team@group.calendar.google.com", "summary": "Team", "accessRole": "writer"}]});
    standin
        .answer(
            Fixture::new("GET", path, Reply::json(200, second.clone()))
                .with_query("pageToken", "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA"),
        )
        .await;
    let first = json!({"kind": "calendar#calendarList", "etag": "\"p1\"", "nextPageToken": "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA", "items": [{"kind": "calendar#calendarListEntry", "id": "alice@example.com", "summary": "alice@example.com", "timeZone": "America/Los_Angeles", "accessRole": "owner", "primary": true}]});
    standin
        .answer(Fixture::new("GET", path, Reply::json(200, first.clone())))
        .await;
    let (runtime, plugin) = calendar(&standin).await;
    let (one, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_CALENDAR_LIST_CALENDARS",
            &json!({"maxResults": 1, "minAccessRole": "writer"}),
            &alice(),
        )
        .await;
    assert_eq!(one.unwrap(), first);
    let (two, _) = runtime
        .execute(
            &plugin,
            "GOOGLE_CALENDAR_LIST_CALENDARS",
            &json!({"maxResults": 1, "minAccessRole": "writer", "pageToken": first["nextPageToken"]}),
            &alice(),
        )
        .await;
    assert_eq!(two.unwrap(), second);
    let requests = standin.requests().await;
    let queries: Vec<Option<&str>> = requests.iter().map(|r| r.query.as_deref()).collect();
    assert_eq!(
        queries,
        [
            Some("maxResults=1&minAccessRole=writer"),
            Some("maxResults=1&pageToken=CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA&minAccessRole=writer")
        ]
    );
    for request in &requests {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("GET", path)
        );
        assert_bearer(request);
    }
}

#[tokio::test]
async fn list_events_sends_the_range_zone_search_and_expansion() {
    let page = json!({"kind": "calendar#events", "summary": "alice@example.com", "timeZone": "Europe/Berlin", "items": [event()]});
    let (result, standin) = run(
        "list_events",
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({"timeMin": "2025-03-10T00:00:00+01:00", "timeMax": "2025-03-17T00:00:00Z", "timeZone": "Europe/Berlin", "q": "design review", "maxResults": 25}),
        Fixture::new("GET", EVENTS, Reply::json(200, page.clone())),
    )
    .await;
    assert_eq!(result.unwrap(), page);
    let request = standin.single().await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/calendar/v3/calendars/primary/events");
    assert_eq!(
        request.query.as_deref(),
        Some(
            "timeMin=2025-03-10T00%3A00%3A00%2B01%3A00&timeMax=2025-03-17T00%3A00%3A00Z&timeZone=Europe%2FBerlin&q=design%20review&singleEvents=true&orderBy=startTime&maxResults=25"
        )
    );
    assert_bearer(&request);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn get_event_reads_one_event_of_a_named_calendar() {
    let (result, standin) = run(
        "get_event",
        "GOOGLE_CALENDAR_GET_EVENT",
        json!({"calendarId": "team@group.calendar.google.com", "eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0"}),
        Fixture::new("GET", EVENT, Reply::json(200, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    let request = standin.single().await;
    assert_eq!(
        request.path,
        "/calendar/v3/calendars/team%40group.calendar.google.com/events/6kq3ogb46ta3ip1kf6ba1fj5r0"
    );
    assert_eq!(request.query, None);
    assert_bearer(&request);
}

#[tokio::test]
async fn create_event_posts_the_event_and_asks_for_a_meet_link() {
    let mut created = event();
    created["hangoutLink"] = json!("https://meet.google.com/abc-defg-hij");
    let (result, standin) = run(
        "create_event",
        "GOOGLE_CALENDAR_CREATE_EVENT",
        json!({
            "summary": "Weekly sync",
            "location": "Room 4",
            "description": "Agenda in the doc",
            "start": {"dateTime": "2025-03-10T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": "2025-03-10T09:30:00-07:00", "timeZone": "America/Los_Angeles"},
            "attendees": [{"email": "bob@example.com"}, {"email": "carol@example.com", "optional": true}],
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"],
            "reminders": {"useDefault": false, "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}]},
            "createMeetLink": true,
            "sendUpdates": "all"
        }),
        Fixture::new("POST", EVENTS, Reply::json(200, created.clone())),
    )
    .await;
    assert_eq!(result.unwrap(), created);
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/calendar/v3/calendars/primary/events")
    );
    assert_eq!(
        request.query.as_deref(),
        Some("conferenceDataVersion=1&sendUpdates=all")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_bearer(&request);
    let mut body = request.json();
    assert!(
        body["conferenceData"]["createRequest"]["requestId"]
            .as_str()
            .is_some_and(|id| id.starts_with("actionhost-")),
        "{body}"
    );
    body["conferenceData"]["createRequest"]["requestId"] = json!("ID");
    assert_eq!(
        body,
        json!({
            "start": {"dateTime": "2025-03-10T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": "2025-03-10T09:30:00-07:00", "timeZone": "America/Los_Angeles"},
            "summary": "Weekly sync",
            "description": "Agenda in the doc",
            "location": "Room 4",
            "attendees": [{"email": "bob@example.com"}, {"email": "carol@example.com", "optional": true}],
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"],
            "reminders": {"useDefault": false, "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}]},
            "conferenceData": {"createRequest": {"requestId": "ID", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
        })
    );
}

/// A wall-clock `dateTime` with a `timeZone` and no offset is what Google's own description of
/// `EventDateTime.dateTime` allows ("A time zone offset is required unless a time zone is
/// explicitly specified in timeZone"), though the same document types the field `format:
/// date-time`; the stand-in reads that sentence. The plugin sends the time as given; without a
/// `timeZone` the same time is refused.
#[tokio::test]
async fn a_wall_clock_time_with_a_time_zone_is_sent_as_given() {
    let (result, standin) = run(
        "create_event_wall_clock",
        "GOOGLE_CALENDAR_CREATE_EVENT",
        json!({"summary": "Standup", "start": {"dateTime": "2025-03-10T09:00:00", "timeZone": "Europe/Paris"}, "end": {"dateTime": "2025-03-10T09:15:00", "timeZone": "Europe/Paris"}}),
        Fixture::new("POST", EVENTS, Reply::json(200, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        standin.single().await.json(),
        json!({"start": {"dateTime": "2025-03-10T09:00:00", "timeZone": "Europe/Paris"}, "end": {"dateTime": "2025-03-10T09:15:00", "timeZone": "Europe/Paris"}, "summary": "Standup"})
    );

    // The plugin refuses an offset-less time without a zone itself; the stand-in does too.
    assert_refused(
        &GOOGLE_CALENDAR,
        "wall_clock_without_zone",
        &[Refused {
            method: "POST",
            path_and_query: "/calendar/v3/calendars/primary/events",
            headers: &[BEARER, JSON],
            body: r#"{"start": {"dateTime": "2025-03-10T09:00:00"}, "end": {"dateTime": "2025-03-10T09:15:00", "timeZone": ""}}"#,
            because: "body.end.dateTime: '2025-03-10T09:15:00' is not an RFC 3339 date-time",
        }],
    )
    .await;
}

#[tokio::test]
async fn update_event_patches_only_the_given_fields() {
    let (result, standin) = run(
        "update_event",
        "GOOGLE_CALENDAR_UPDATE_EVENT",
        json!({"eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0", "summary": "Design review (moved)", "start": {"date": "2025-03-11"}, "end": {"date": "2025-03-12"}, "sendUpdates": "externalOnly"}),
        Fixture::new("PATCH", EVENT, Reply::json(200, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        (
            "PATCH",
            "/calendar/v3/calendars/primary/events/6kq3ogb46ta3ip1kf6ba1fj5r0"
        )
    );
    assert_eq!(request.query.as_deref(), Some("sendUpdates=externalOnly"));
    assert_eq!(
        request.json(),
        json!({"start": {"date": "2025-03-11"}, "end": {"date": "2025-03-12"}, "summary": "Design review (moved)"})
    );
}

#[tokio::test]
async fn delete_event_answers_what_was_deleted_for_googles_empty_204() {
    let empty = Reply {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
        delay: Duration::ZERO,
    };
    let (result, standin) = run(
        "delete_event",
        "GOOGLE_CALENDAR_DELETE_EVENT",
        json!({"eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0", "sendUpdates": "all"}),
        Fixture::new("DELETE", EVENT, empty),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"deleted": true, "calendarId": "primary", "eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0"})
    );
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        (
            "DELETE",
            "/calendar/v3/calendars/primary/events/6kq3ogb46ta3ip1kf6ba1fj5r0",
            Some("sendUpdates=all")
        )
    );
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn find_free_time_answers_the_slots_every_calendar_has_free() {
    let answer = json!({
        "kind": "calendar#freeBusy",
        "timeMin": "2025-03-10T16:00:00.000Z",
        "timeMax": "2025-03-11T00:00:00.000Z",
        "calendars": {
            "primary": {"busy": [{"start": "2025-03-10T16:00:00Z", "end": "2025-03-10T17:00:00Z"}]},
            "bob@example.com": {"busy": [{"start": "2025-03-10T19:30:00Z", "end": "2025-03-10T21:00:00Z"}]},
            "room-4@resource.calendar.google.com": {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
        }
    });
    let (result, standin) = run(
        "find_free_time",
        "GOOGLE_CALENDAR_FIND_FREE_TIME",
        json!({"timeMin": "2025-03-10T09:00:00-07:00", "timeMax": "2025-03-10T17:00:00-07:00", "durationMinutes": 45, "calendarIds": ["primary", "bob@example.com", "room-4@resource.calendar.google.com"]}),
        Fixture::new("POST", "/calendar/v3/freeBusy", Reply::json(200, answer)),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({
            "timeMin": "2025-03-10T09:00:00-07:00",
            "timeMax": "2025-03-10T17:00:00-07:00",
            "durationMinutes": 45,
            "freeSlots": [
                {"start": "2025-03-10T10:00:00-07:00", "end": "2025-03-10T12:30:00-07:00"},
                {"start": "2025-03-10T14:00:00-07:00", "end": "2025-03-10T17:00:00-07:00"}
            ],
            "busy": {
                "bob@example.com": [{"start": "2025-03-10T12:30:00-07:00", "end": "2025-03-10T14:00:00-07:00"}],
                "primary": [{"start": "2025-03-10T09:00:00-07:00", "end": "2025-03-10T10:00:00-07:00"}]
            },
            "unavailable": {"room-4@resource.calendar.google.com": ["notFound"]}
        })
    );
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/calendar/v3/freeBusy")
    );
    assert_eq!(
        request.json(),
        json!({"timeMin": "2025-03-10T09:00:00-07:00", "timeMax": "2025-03-10T17:00:00-07:00", "items": [{"id": "primary"}, {"id": "bob@example.com"}, {"id": "room-4@resource.calendar.google.com"}]})
    );
    assert_bearer(&request);
}

#[tokio::test]
async fn respond_to_event_patches_only_the_users_own_answer() {
    let standin = GOOGLE_CALENDAR.session("respond_to_event");
    let mut answered = event();
    answered["attendees"][1]["responseStatus"] = json!("tentative");
    standin
        .answer(Fixture::new("GET", EVENT, Reply::json(200, event())))
        .await;
    standin
        .answer(Fixture::new(
            "PATCH",
            EVENT,
            Reply::json(200, answered.clone()),
        ))
        .await;
    let (runtime, plugin) = calendar(&standin).await;
    let (result, report) = runtime
        .execute(
            &plugin,
            "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
            &json!({"eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0", "responseStatus": "tentative", "comment": "Might be late"}),
            &alice(),
        )
        .await;
    assert_eq!(result.unwrap(), answered);
    assert_eq!(report.upstream_calls, 2);
    let requests = standin.requests().await;
    let path = "/calendar/v3/calendars/primary/events/6kq3ogb46ta3ip1kf6ba1fj5r0";
    assert_eq!(
        (
            requests[0].method.as_str(),
            requests[0].path.as_str(),
            requests[0].query.as_deref()
        ),
        ("GET", path, Some("maxAttendees=1"))
    );
    assert_eq!(
        (
            requests[1].method.as_str(),
            requests[1].path.as_str(),
            requests[1].query.as_deref()
        ),
        ("PATCH", path, None)
    );
    assert_eq!(
        requests[1].json(),
        json!({"attendeesOmitted": true, "attendees": [{"email": "alice@example.com", "responseStatus": "tentative", "comment": "Might be late"}]})
    );
}

#[tokio::test]
async fn googles_error_envelope_maps_to_the_contracts_errors() {
    let cases = [
        (
            "error_unauthenticated",
            Reply::json(401, google_error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "UNAUTHENTICATED", "authError")),
            ActionError::Unauthorized("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.".into()),
        ),
        (
            "error_not_found",
            Reply::json(404, google_error(404, "Not Found", "NOT_FOUND", "notFound")),
            ActionError::NotFound("Not Found".into()),
        ),
        (
            "error_rate_limited_403",
            Reply::json(403, google_error(403, "Rate Limit Exceeded", "PERMISSION_DENIED", "rateLimitExceeded")).header("retry-after", "120"),
            ActionError::RateLimited { message: "Rate Limit Exceeded".into(), retry_after_seconds: Some(120) },
        ),
        (
            "error_user_rate_limited_403",
            Reply::json(403, google_error(403, "User Rate Limit Exceeded", "PERMISSION_DENIED", "userRateLimitExceeded")),
            ActionError::RateLimited { message: "User Rate Limit Exceeded".into(), retry_after_seconds: None },
        ),
        (
            "error_rate_limited_429",
            Reply::json(429, google_error(429, "Rate Limit Exceeded", "RESOURCE_EXHAUSTED", "rateLimitExceeded")).header("retry-after", "600"),
            ActionError::RateLimited { message: "Rate Limit Exceeded".into(), retry_after_seconds: Some(600) },
        ),
    ];
    for (test, reply, expected) in cases {
        let (result, standin) = run(
            test,
            "GOOGLE_CALENDAR_GET_EVENT",
            json!({"eventId": "ev1"}),
            Fixture::new("GET", EVENT, reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected), "{test}");
        standin.assert_no_violations().await;
    }

    let forbidden = google_error(
        403,
        "You need to have writer access to this calendar.",
        "PERMISSION_DENIED",
        "requiredAccessLevel",
    );
    let (result, standin) = run(
        "error_forbidden",
        "GOOGLE_CALENDAR_DELETE_EVENT",
        json!({"calendarId": "holidays@group.v.calendar.google.com", "eventId": "ev1"}),
        Fixture::new("DELETE", EVENT, Reply::json(403, forbidden.clone())),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "You need to have writer access to this calendar.".into(),
            body: Some(forbidden.to_string())
        })
    );
    standin.assert_no_violations().await;
}

/// Every action with the parameters it takes, in one session: Google's Discovery document
/// accepts each request, and each reaches the method the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_googles_discovery_document_accepts() {
    let standin = GOOGLE_CALENDAR.session("every_action");
    let fixtures = [
        Fixture::new(
            "GET",
            "/calendar/v3/users/me/calendarList",
            Reply::json(200, json!({"items": []})),
        ),
        Fixture::new(
            "POST",
            "/calendar/v3/freeBusy",
            Reply::json(200, json!({"calendars": {"primary": {"busy": []}}})),
        ),
        Fixture::new("GET", EVENTS, Reply::json(200, json!({"items": []}))),
        Fixture::new("POST", EVENTS, Reply::json(200, event())),
        Fixture::new("GET", EVENT, Reply::json(200, event())),
        Fixture::new("PATCH", EVENT, Reply::json(200, event())),
        Fixture::new(
            "DELETE",
            EVENT,
            Reply {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
                delay: Duration::ZERO,
            },
        ),
    ];
    for fixture in fixtures {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = calendar(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "GOOGLE_CALENDAR_LIST_CALENDARS",
            json!({"maxResults": 10, "pageToken": "t", "minAccessRole": "reader", "showHidden": true}),
            &["calendar.calendarList.list"],
        ),
        (
            "GOOGLE_CALENDAR_LIST_EVENTS",
            json!({"calendarId": "team@group.calendar.google.com", "timeMin": "2025-03-10T00:00:00Z", "timeMax": "2025-03-11T00:00:00-07:00", "timeZone": "UTC", "q": "sync", "singleEvents": false, "orderBy": "updated", "maxResults": 2500, "pageToken": "t", "showDeleted": true}),
            &["calendar.events.list"],
        ),
        (
            "GOOGLE_CALENDAR_GET_EVENT",
            json!({"eventId": "ev1", "timeZone": "Asia/Tokyo"}),
            &["calendar.events.get"],
        ),
        (
            "GOOGLE_CALENDAR_CREATE_EVENT",
            json!({"summary": "All hands", "description": "<b>Q3</b>", "location": "HQ", "start": {"dateTime": "2025-03-10T09:00:00-07:00", "timeZone": "America/Los_Angeles"}, "end": {"dateTime": "2025-03-10T10:00:00-07:00", "timeZone": "America/Los_Angeles"}, "attendees": [{"email": "bob@example.com", "displayName": "Bob", "optional": true}], "recurrence": ["RRULE:FREQ=MONTHLY;COUNT=3", "EXDATE;TZID=America/Los_Angeles:20250410T090000"], "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 0}]}, "transparency": "transparent", "visibility": "confidential", "createMeetLink": true, "sendUpdates": "none"}),
            &["calendar.events.insert"],
        ),
        (
            "GOOGLE_CALENDAR_UPDATE_EVENT",
            json!({"eventId": "ev1", "location": "Room 5", "attendees": [{"email": "carol@example.com"}], "reminders": {"useDefault": true}, "createMeetLink": true, "sendUpdates": "all"}),
            &["calendar.events.patch"],
        ),
        (
            "GOOGLE_CALENDAR_DELETE_EVENT",
            json!({"calendarId": "team@group.calendar.google.com", "eventId": "ev1", "sendUpdates": "externalOnly"}),
            &["calendar.events.delete"],
        ),
        (
            "GOOGLE_CALENDAR_FIND_FREE_TIME",
            json!({"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T17:00:00Z", "durationMinutes": 30}),
            &["calendar.freebusy.query"],
        ),
        (
            "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": "ev1", "responseStatus": "declined", "comment": "Out that week", "sendUpdates": "all"}),
            &["calendar.events.get", "calendar.events.patch"],
        ),
    ];
    assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
}

const BEARER: (&str, &str) = ("authorization", "Bearer ya29.alice-token");
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: requests Calendar's Discovery document refuses, so a stand-in that
/// accepts everything fails here.
#[tokio::test]
async fn googles_discovery_document_refuses_what_calendar_would_refuse() {
    assert_refused(
        &GOOGLE_CALENDAR,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events",
                headers: &[BEARER, JSON],
                body: r#"{"title": "Sync", "start": {"date": "2025-03-10"}, "end": {"date": "2025-03-11"}}"#,
                because: "body: field 'title' is not declared",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?singleEvent=true",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'singleEvent' is not declared",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/calendars/primary/events?maxResults=lots",
                headers: &[BEARER],
                body: "",
                because: "query parameter 'maxResults': 'lots' is not an integer",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events?sendUpdates=everyone",
                headers: &[BEARER, JSON],
                body: r#"{"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-11"}}"#,
                because: "query parameter 'sendUpdates': 'everyone' is not one of",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/calendars/primary/events?conferenceDataVersion=2",
                headers: &[BEARER, JSON],
                body: r#"{"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-11"}}"#,
                because: "query parameter 'conferenceDataVersion': 2 is out of range [0, 1]",
            },
            Refused {
                method: "PUT",
                path_and_query: "/calendar/v3/freeBusy",
                headers: &[BEARER, JSON],
                body: r#"{"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T10:00:00Z"}"#,
                because: "does not take PUT",
            },
            Refused {
                method: "GET",
                path_and_query: "/calendar/v3/users/me/calendarList",
                headers: &[],
                body: "",
                because: "OAuth 2 bearer token",
            },
            Refused {
                method: "POST",
                path_and_query: "/calendar/v3/freeBusy",
                headers: &[BEARER, JSON],
                body: r#"{"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T10:00:00Z", "items": "primary"}"#,
                because: "body.items: expected an array",
            },
        ],
    )
    .await;
}

/// Known good: the event of Google's "Create events" guide (Calendar API docs), inserted with
/// the user's token.
#[tokio::test]
async fn googles_discovery_document_accepts_the_create_event_example_from_googles_docs() {
    let body = json!({
        "summary": "Google I/O 2015",
        "location": "800 Howard St., San Francisco, CA 94103",
        "description": "A chance to hear more about Google's developer products.",
        "start": {"dateTime": "2015-05-28T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2015-05-28T17:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
        "attendees": [{"email": "lpage@example.com"}, {"email": "sbrin@example.com"}],
        "reminders": {"useDefault": false, "overrides": [{"method": "email", "minutes": 1440}, {"method": "popup", "minutes": 10}]}
    });
    let standin_body = body.to_string();
    assert_accepted(
        &GOOGLE_CALENDAR,
        "docs_insert_event",
        (
            "POST",
            "/calendar/v3/calendars/primary/events",
            &[BEARER, JSON],
            &standin_body,
        ),
        "calendar.events.insert",
    )
    .await;
}
