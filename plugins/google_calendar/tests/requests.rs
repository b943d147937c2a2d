//! The exact request every Google Calendar action sends, and how Google's answers map to errors
//! and outputs, run natively against the SDK's test transport.

use actionhost_plugin_google_calendar::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const BASE: &str = "https://www.googleapis.com/calendar/v3";

fn run(action: &str, input: Value) -> Result<Value, Error> {
    testing::run(&provider(), action, input, &Context::new("alice"))
}

/// Runs `action` once against a queued JSON answer; returns its result and the one request.
fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(status, answer);
    let result = run(action, input);
    (result, transport.only_request())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn assert_no_credential(request: &RecordedRequest) {
    assert_eq!(
        request.header("authorization"),
        None,
        "the host owns the credential"
    );
}

/// An event as Google's reference shows one.
fn event() -> Value {
    json!({
        "kind": "calendar#event",
        "etag": "\"3181161784712000\"",
        "id": "6kq3ogb46ta3ip1kf6ba1fj5r0",
        "status": "confirmed",
        "htmlLink": "https://www.google.com/calendar/event?eid=NmtxM29nYjQ2dGEzaXAxa2Y2YmExZmo1cjA",
        "summary": "Design review",
        "start": {"dateTime": "2025-03-10T09:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2025-03-10T10:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "organizer": {"email": "bob@example.com"},
        "attendees": [
            {"email": "bob@example.com", "organizer": true, "responseStatus": "accepted"},
            {"email": "alice@example.com", "self": true, "optional": true, "responseStatus": "needsAction"}
        ]
    })
}

#[test]
fn list_calendars_sends_the_page_token_and_passes_the_list_on() {
    let page = json!({"kind": "calendar#calendarList", "nextPageToken": "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA", "items": [{"id": "alice@example.com", "summary": "Alice", "accessRole": "owner", "primary": true}]});
    let (result, request) = call(
        "GOOGLE_CALENDAR_LIST_CALENDARS",
        json!({"maxResults": 50, "pageToken": "page-2", "minAccessRole": "writer", "showHidden": true}),
        200,
        page.clone(),
    );
    assert_eq!(result.unwrap(), page);
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/calendar/v3/users/me/calendarList")
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("maxResults", "50"),
            ("pageToken", "page-2"),
            ("minAccessRole", "writer"),
            ("showHidden", "true")
        ])
    );
    assert_eq!(request.body, None);
    assert_no_credential(&request);
}

#[test]
fn list_calendars_without_parameters_sends_no_query() {
    let (result, request) = call(
        "GOOGLE_CALENDAR_LIST_CALENDARS",
        json!({}),
        200,
        json!({"items": []}),
    );
    assert_eq!(result.unwrap(), json!({"items": []}));
    assert_eq!(request.url, format!("{BASE}/users/me/calendarList"));
}

#[test]
fn list_events_expands_series_and_orders_by_start_by_default() {
    let (_, request) = call(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({}),
        200,
        json!({"items": []}),
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/calendar/v3/calendars/primary/events")
    );
    assert_eq!(
        request.query(),
        pairs(&[("singleEvents", "true"), ("orderBy", "startTime")])
    );
}

#[test]
fn list_events_sends_range_zone_search_and_page_token() {
    let page = json!({"kind": "calendar#events", "summary": "Team", "timeZone": "Europe/Berlin", "nextPageToken": "EjYKKzZrcTNvZ2I0", "items": [event()]});
    let (result, request) = call(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({
            "calendarId": "team@group.calendar.google.com",
            "timeMin": "2025-03-10T00:00:00+01:00",
            "timeMax": "2025-03-17T00:00:00Z",
            "timeZone": "Europe/Berlin",
            "q": "design review",
            "maxResults": 10,
            "pageToken": "EjYKKzZrcTNvZ2I0",
            "showDeleted": false
        }),
        200,
        page.clone(),
    );
    assert_eq!(result.unwrap(), page);
    assert_eq!(
        request.path(),
        "/calendar/v3/calendars/team%40group.calendar.google.com/events"
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("timeMin", "2025-03-10T00:00:00+01:00"),
            ("timeMax", "2025-03-17T00:00:00Z"),
            ("timeZone", "Europe/Berlin"),
            ("q", "design review"),
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("maxResults", "10"),
            ("pageToken", "EjYKKzZrcTNvZ2I0"),
            ("showDeleted", "false"),
        ])
    );
    assert!(
        request
            .raw_query()
            .unwrap()
            .contains("timeMin=2025-03-10T00%3A00%3A00%2B01%3A00"),
        "a `+` offset is percent-encoded, not read as a space"
    );
}

#[test]
fn list_events_can_list_series_unexpanded_ordered_by_update() {
    let (_, request) = call(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({"singleEvents": false, "orderBy": "updated"}),
        200,
        json!({"items": []}),
    );
    assert_eq!(
        request.query(),
        pairs(&[("singleEvents", "false"), ("orderBy", "updated")])
    );
    let (_, request) = call(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({"singleEvents": false}),
        200,
        json!({"items": []}),
    );
    assert_eq!(request.query(), pairs(&[("singleEvents", "false")]));
}

#[test]
fn list_events_refuses_what_google_would_refuse_before_any_request() {
    let transport = Transport::install();
    assert_eq!(
        run(
            "GOOGLE_CALENDAR_LIST_EVENTS",
            json!({"singleEvents": false, "orderBy": "startTime"})
        )
        .unwrap_err(),
        Error::invalid_input("`orderBy: startTime` needs `singleEvents: true`")
    );
    let error = run(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({"timeMin": "2025-03-10T09:00:00"}),
    )
    .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.starts_with("`timeMin` must be an RFC 3339 date-time with a UTC offset")),
        "{error:?}"
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn get_event_encodes_both_ids_and_sends_the_time_zone() {
    let (result, request) = call(
        "GOOGLE_CALENDAR_GET_EVENT",
        json!({"calendarId": "a b@example.com", "eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0_20250310T160000Z", "timeZone": "UTC"}),
        200,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "GET",
            "/calendar/v3/calendars/a%20b%40example.com/events/6kq3ogb46ta3ip1kf6ba1fj5r0_20250310T160000Z"
        )
    );
    assert_eq!(request.query(), pairs(&[("timeZone", "UTC")]));
    assert_no_credential(&request);
}

#[test]
fn create_event_posts_the_event_with_guests_recurrence_reminders_and_a_meet_request() {
    let (result, request) = call(
        "GOOGLE_CALENDAR_CREATE_EVENT",
        json!({
            "summary": "Weekly sync",
            "description": "Agenda in the doc",
            "location": "Room 4",
            "start": {"dateTime": "2025-03-10T09:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": "2025-03-10T09:30:00", "timeZone": "America/Los_Angeles"},
            "attendees": [{"email": "bob@example.com"}, {"email": "carol@example.com", "displayName": "Carol", "optional": true}],
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"],
            "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]},
            "transparency": "opaque",
            "visibility": "private",
            "createMeetLink": true,
            "sendUpdates": "all"
        }),
        200,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/calendar/v3/calendars/primary/events")
    );
    assert_eq!(
        request.query(),
        pairs(&[("conferenceDataVersion", "1"), ("sendUpdates", "all")])
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    let mut body = request.json();
    let request_id = body["conferenceData"]["createRequest"]["requestId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(request_id.starts_with("actionhost-"), "{request_id}");
    body["conferenceData"]["createRequest"]["requestId"] = json!("ID");
    assert_eq!(
        body,
        json!({
            "start": {"dateTime": "2025-03-10T09:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": "2025-03-10T09:30:00", "timeZone": "America/Los_Angeles"},
            "summary": "Weekly sync",
            "description": "Agenda in the doc",
            "location": "Room 4",
            "attendees": [{"email": "bob@example.com"}, {"email": "carol@example.com", "displayName": "Carol", "optional": true}],
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"],
            "reminders": {"useDefault": false, "overrides": [{"method": "popup", "minutes": 10}]},
            "transparency": "opaque",
            "visibility": "private",
            "conferenceData": {"createRequest": {"requestId": "ID", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
        })
    );
    assert_no_credential(&request);
}

#[test]
fn each_meet_request_of_a_new_event_has_a_new_id() {
    let input = json!({"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-11"}, "createMeetLink": true});
    let (_, first) = call("GOOGLE_CALENDAR_CREATE_EVENT", input.clone(), 200, event());
    let (_, second) = call("GOOGLE_CALENDAR_CREATE_EVENT", input, 200, event());
    let id = |r: &RecordedRequest| r.json()["conferenceData"]["createRequest"]["requestId"].clone();
    assert_ne!(id(&first), id(&second));
}

#[test]
fn create_event_all_day_on_a_named_calendar_sends_only_dates() {
    let (_, request) = call(
        "GOOGLE_CALENDAR_CREATE_EVENT",
        json!({"calendarId": "team@group.calendar.google.com", "summary": "Offsite", "start": {"date": "2025-03-10"}, "end": {"date": "2025-03-12"}}),
        200,
        event(),
    );
    assert_eq!(
        request.url,
        format!("{BASE}/calendars/team%40group.calendar.google.com/events")
    );
    assert_eq!(
        request.json(),
        json!({"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-12"}, "summary": "Offsite"})
    );
}

#[test]
fn create_event_refuses_inconsistent_times_and_reminders_before_any_request() {
    let transport = Transport::install();
    let refused = |input: Value| match run("GOOGLE_CALENDAR_CREATE_EVENT", input) {
        Err(Error::InvalidInput(message)) => message,
        other => panic!("{other:?}"),
    };
    let timed =
        |start: &str, end: &str| json!({"start": {"dateTime": start}, "end": {"dateTime": end}});
    assert_eq!(
        refused(
            json!({"start": {"date": "2025-03-10", "dateTime": "2025-03-10T09:00:00Z"}, "end": {"date": "2025-03-11"}})
        ),
        "`start` needs exactly one of `dateTime` (timed event) or `date` (all-day event)"
    );
    assert_eq!(
        refused(
            json!({"start": {"date": "2025-03-10"}, "end": {"dateTime": "2025-03-10T09:00:00Z"}})
        ),
        "`start` and `end` must both be `date` (all-day) or both `dateTime` (timed)"
    );
    assert_eq!(
        refused(timed("2025-03-10T10:00:00Z", "2025-03-10T09:00:00Z")),
        "`end` must be after `start`"
    );
    assert_eq!(
        refused(json!({"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-10"}})),
        "`end` must be after `start`"
    );
    assert_eq!(
        refused(timed("2025-03-10T09:00:00", "2025-03-10T10:00:00Z")),
        "`start.dateTime` \"2025-03-10T09:00:00\" has no UTC offset: add one (`-07:00`, `Z`) or give `start.timeZone`"
    );
    assert_eq!(
        refused(json!({"start": {"date": "10/03/2025"}, "end": {"date": "2025-03-11"}})),
        "`start.date` must be a date `YYYY-MM-DD`, got \"10/03/2025\""
    );
    assert_eq!(
        refused(
            json!({"start": {"dateTime": "2025-03-10T09:00:00Z"}, "end": {"dateTime": "2025-03-10T10:00:00Z"}, "recurrence": ["RRULE:FREQ=DAILY"]})
        ),
        "a recurring event needs `start.timeZone` and `end.timeZone` (an IANA name such as `Europe/Paris`)"
    );
    assert_eq!(
        refused(
            json!({"start": {"date": "2025-03-10"}, "end": {"date": "2025-03-11"}, "reminders": {"useDefault": true, "overrides": [{"method": "email", "minutes": 60}]}})
        ),
        "`reminders.overrides` needs `reminders.useDefault: false`"
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn update_event_patches_only_the_given_fields() {
    let (result, request) = call(
        "GOOGLE_CALENDAR_UPDATE_EVENT",
        json!({"eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0", "summary": "Design review (moved)", "location": "Room 5", "sendUpdates": "externalOnly"}),
        200,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.path()),
        (
            "PATCH",
            "/calendar/v3/calendars/primary/events/6kq3ogb46ta3ip1kf6ba1fj5r0"
        )
    );
    assert_eq!(request.query(), pairs(&[("sendUpdates", "externalOnly")]));
    assert_eq!(
        request.json(),
        json!({"summary": "Design review (moved)", "location": "Room 5"})
    );
    assert_no_credential(&request);
}

#[test]
fn update_event_can_move_the_event_and_add_a_meet_link_with_a_stable_request_id() {
    let input = json!({"eventId": "ev1", "start": {"dateTime": "2025-03-11T09:00:00Z"}, "end": {"dateTime": "2025-03-11T10:00:00Z"}, "createMeetLink": true});
    let (_, request) = call("GOOGLE_CALENDAR_UPDATE_EVENT", input.clone(), 200, event());
    assert_eq!(request.query(), pairs(&[("conferenceDataVersion", "1")]));
    assert_eq!(
        request.json(),
        json!({
            "start": {"dateTime": "2025-03-11T09:00:00Z"},
            "end": {"dateTime": "2025-03-11T10:00:00Z"},
            "conferenceData": {"createRequest": {"requestId": "actionhost-meet-ev1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
        })
    );
    let (_, again) = call("GOOGLE_CALENDAR_UPDATE_EVENT", input, 200, event());
    assert_eq!(
        again.json(),
        request.json(),
        "a repeated change is the same request"
    );
}

#[test]
fn update_event_with_nothing_to_change_is_refused() {
    let transport = Transport::install();
    assert_eq!(
        run(
            "GOOGLE_CALENDAR_UPDATE_EVENT",
            json!({"eventId": "ev1", "sendUpdates": "all"})
        )
        .unwrap_err(),
        Error::invalid_input(
            "nothing to change: give at least one field besides `calendarId` and `eventId`"
        )
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn delete_event_sends_delete_and_answers_what_was_deleted() {
    let transport = Transport::install();
    transport.reply(204, &[], "");
    let output = run(
        "GOOGLE_CALENDAR_DELETE_EVENT",
        json!({"calendarId": "team@group.calendar.google.com", "eventId": "ev1", "sendUpdates": "none"}),
    )
    .unwrap();
    assert_eq!(
        output,
        json!({"deleted": true, "calendarId": "team@group.calendar.google.com", "eventId": "ev1"})
    );
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "DELETE",
            "https://www.googleapis.com/calendar/v3/calendars/team%40group.calendar.google.com/events/ev1?sendUpdates=none"
        )
    );
    assert_eq!(request.body, None);
}

#[test]
fn respond_to_event_reads_the_own_entry_then_patches_only_it() {
    let transport = Transport::install();
    transport.reply_json(200, event());
    let mut answered = event();
    answered["attendees"][1]["responseStatus"] = json!("accepted");
    transport.reply_json(200, answered.clone());
    let output = run(
        "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
        json!({"eventId": "6kq3ogb46ta3ip1kf6ba1fj5r0", "responseStatus": "accepted", "comment": "See you there", "sendUpdates": "all"}),
    )
    .unwrap();
    assert_eq!(output, answered);
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    let path = "/calendar/v3/calendars/primary/events/6kq3ogb46ta3ip1kf6ba1fj5r0";
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path()),
        ("GET", path)
    );
    assert_eq!(requests[0].query(), pairs(&[("maxAttendees", "1")]));
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path()),
        ("PATCH", path)
    );
    assert_eq!(requests[1].query(), pairs(&[("sendUpdates", "all")]));
    assert_eq!(
        requests[1].json(),
        json!({"attendeesOmitted": true, "attendees": [
            {"email": "alice@example.com", "optional": true, "responseStatus": "accepted", "comment": "See you there"}
        ]})
    );
}

#[test]
fn respond_to_event_refuses_an_event_the_user_is_not_invited_to() {
    let transport = Transport::install();
    let mut organized = event();
    organized["attendees"] = json!([{"email": "bob@example.com", "responseStatus": "accepted"}]);
    transport.reply_json(200, organized);
    assert_eq!(
        run(
            "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": "ev1", "responseStatus": "declined"})
        )
        .unwrap_err(),
        Error::invalid_input(
            "the user is not a guest of event \"ev1\", so there is no invitation to answer"
        )
    );
    assert_eq!(transport.requests().len(), 1, "nothing is patched");
}

fn free_busy_answer() -> Value {
    json!({
        "kind": "calendar#freeBusy",
        "timeMin": "2025-03-10T16:00:00.000Z",
        "timeMax": "2025-03-11T00:00:00.000Z",
        "calendars": {
            "primary": {"busy": [
                {"start": "2025-03-10T15:00:00Z", "end": "2025-03-10T17:00:00Z"},
                {"start": "2025-03-10T19:00:00Z", "end": "2025-03-10T20:00:00Z"}
            ]},
            "bob@example.com": {"busy": [
                {"start": "2025-03-10T19:30:00Z", "end": "2025-03-10T21:00:00Z"},
                {"start": "2025-03-10T21:20:00Z", "end": "2025-03-10T21:30:00Z"}
            ]},
            "nobody@example.com": {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
        }
    })
}

#[test]
fn find_free_time_queries_free_busy_and_answers_slots_long_enough_in_the_callers_offset() {
    let (result, request) = call(
        "GOOGLE_CALENDAR_FIND_FREE_TIME",
        json!({"timeMin": "2025-03-10T09:00:00-07:00", "timeMax": "2025-03-10T17:00:00-07:00", "durationMinutes": 30, "calendarIds": ["primary", "bob@example.com", "nobody@example.com"]}),
        200,
        free_busy_answer(),
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://www.googleapis.com/calendar/v3/freeBusy")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"timeMin": "2025-03-10T09:00:00-07:00", "timeMax": "2025-03-10T17:00:00-07:00", "items": [{"id": "primary"}, {"id": "bob@example.com"}, {"id": "nobody@example.com"}]})
    );
    assert_eq!(
        result.unwrap(),
        json!({
            "timeMin": "2025-03-10T09:00:00-07:00",
            "timeMax": "2025-03-10T17:00:00-07:00",
            "durationMinutes": 30,
            "freeSlots": [
                {"start": "2025-03-10T10:00:00-07:00", "end": "2025-03-10T12:00:00-07:00"},
                {"start": "2025-03-10T14:30:00-07:00", "end": "2025-03-10T17:00:00-07:00"}
            ],
            "busy": {
                "bob@example.com": [
                    {"start": "2025-03-10T12:30:00-07:00", "end": "2025-03-10T14:00:00-07:00"},
                    {"start": "2025-03-10T14:20:00-07:00", "end": "2025-03-10T14:30:00-07:00"}
                ],
                "primary": [
                    {"start": "2025-03-10T09:00:00-07:00", "end": "2025-03-10T10:00:00-07:00"},
                    {"start": "2025-03-10T12:00:00-07:00", "end": "2025-03-10T13:00:00-07:00"}
                ]
            },
            "unavailable": {"nobody@example.com": ["notFound"]}
        })
    );
}

#[test]
fn find_free_time_defaults_to_the_primary_calendar_and_says_when_none_could_be_read() {
    let (_, request) = call(
        "GOOGLE_CALENDAR_FIND_FREE_TIME",
        json!({"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T10:00:00Z", "durationMinutes": 60}),
        200,
        json!({"calendars": {"primary": {"busy": []}}}),
    );
    assert_eq!(request.json()["items"], json!([{"id": "primary"}]));
    let (result, _) = call(
        "GOOGLE_CALENDAR_FIND_FREE_TIME",
        json!({"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T10:00:00Z", "durationMinutes": 60, "calendarIds": ["nobody@example.com"]}),
        200,
        json!({"calendars": {"nobody@example.com": {"errors": [{"domain": "global", "reason": "notFound"}]}}}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found(
            "Google gave the availability of none of the calendars (nobody@example.com: notFound)"
        )
    );
}

#[test]
fn find_free_time_refuses_a_window_that_ends_before_it_starts() {
    let transport = Transport::install();
    assert_eq!(
        run(
            "GOOGLE_CALENDAR_FIND_FREE_TIME",
            json!({"timeMin": "2025-03-10T10:00:00Z", "timeMax": "2025-03-10T09:00:00Z", "durationMinutes": 30})
        )
        .unwrap_err(),
        Error::invalid_input("`timeMax` must be after `timeMin`")
    );
    assert!(transport.requests().is_empty());
}

#[test]
fn after_connect_labels_the_account_with_the_primary_calendars_id() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"kind": "calendar#calendarListEntry", "id": "alice@example.com", "primary": true}),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label.as_deref(), Some("alice@example.com"));
    let request = transport.only_request();
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "GET",
            "https://www.googleapis.com/calendar/v3/users/me/calendarList/primary"
        )
    );
}

#[test]
fn after_connect_keeps_a_credential_without_the_calendar_list_scope_and_refuses_a_bad_one() {
    let transport = Transport::install();
    transport.reply_json(
        403,
        google_error(
            403,
            "Request had insufficient authentication scopes.",
            "PERMISSION_DENIED",
            "insufficientPermissions",
        ),
    );
    transport.reply_json(
        401,
        google_error(
            401,
            "Request had invalid authentication credentials.",
            "UNAUTHENTICATED",
            "authError",
        ),
    );
    let account = testing::after_connect(&provider(), &Context::new("alice")).unwrap();
    assert_eq!(account.label, None);
    assert_eq!(
        testing::after_connect(&provider(), &Context::new("alice")).unwrap_err(),
        Error::unauthorized("Request had invalid authentication credentials.")
    );
}

fn google_error(code: u16, message: &str, status: &str, reason: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status, "errors": [{"message": message, "domain": "global", "reason": reason}]}})
}

fn get_event_answered(status: u16, headers: &[(&str, &str)], body: &Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    run("GOOGLE_CALENDAR_GET_EVENT", json!({"eventId": "ev1"})).unwrap_err()
}

#[test]
fn a_refused_credential_is_unauthorized_and_a_missing_event_not_found() {
    let refused = google_error(
        401,
        "Request had invalid authentication credentials.",
        "UNAUTHENTICATED",
        "authError",
    );
    assert_eq!(
        get_event_answered(401, &[], &refused),
        Error::unauthorized("Request had invalid authentication credentials.")
    );
    let missing = google_error(404, "Not Found", "NOT_FOUND", "notFound");
    assert_eq!(
        get_event_answered(404, &[], &missing),
        Error::not_found("Not Found")
    );
}

#[test]
fn rate_limits_are_rate_limited_with_googles_delay() {
    for reason in ["rateLimitExceeded", "userRateLimitExceeded"] {
        let limited = google_error(403, "Rate Limit Exceeded", "PERMISSION_DENIED", reason);
        assert_eq!(
            get_event_answered(403, &[("retry-after", "17")], &limited),
            Error::rate_limited("Rate Limit Exceeded", Some(17)),
            "{reason}"
        );
        assert_eq!(
            get_event_answered(403, &[], &limited),
            Error::rate_limited("Rate Limit Exceeded", None),
            "{reason} without Retry-After"
        );
    }
    let too_many = google_error(
        429,
        "Rate Limit Exceeded",
        "RESOURCE_EXHAUSTED",
        "rateLimitExceeded",
    );
    assert_eq!(
        get_event_answered(429, &[("retry-after", "5")], &too_many),
        Error::rate_limited("Rate Limit Exceeded", Some(5))
    );
}

#[test]
fn other_errors_are_upstream_errors_with_googles_message_status_and_body() {
    let forbidden = google_error(
        403,
        "You need to have writer access to this calendar.",
        "PERMISSION_DENIED",
        "requiredAccessLevel",
    );
    let invalid = google_error(
        400,
        "The specified time range is empty.",
        "INVALID_ARGUMENT",
        "timeRangeEmpty",
    );
    let gone = google_error(410, "Resource has been deleted", "GONE", "deleted");
    for (status, body) in [(403, forbidden), (400, invalid), (410, gone)] {
        let message = body["error"]["message"].as_str().unwrap().to_string();
        assert_eq!(
            get_event_answered(status, &[], &body),
            Error::Upstream {
                status,
                message,
                body: Some(body.to_string())
            }
        );
    }
}

#[test]
fn errors_of_writes_map_the_same_way() {
    let transport = Transport::install();
    transport.reply_json(404, google_error(404, "Not Found", "NOT_FOUND", "notFound"));
    assert_eq!(
        run("GOOGLE_CALENDAR_DELETE_EVENT", json!({"eventId": "ev1"})).unwrap_err(),
        Error::not_found("Not Found")
    );
    transport.reply_json(
        403,
        google_error(
            403,
            "Rate Limit Exceeded",
            "PERMISSION_DENIED",
            "userRateLimitExceeded",
        ),
    );
    assert_eq!(
        run(
            "GOOGLE_CALENDAR_FIND_FREE_TIME",
            json!({"timeMin": "2025-03-10T09:00:00Z", "timeMax": "2025-03-10T10:00:00Z", "durationMinutes": 15})
        )
        .unwrap_err(),
        Error::rate_limited("Rate Limit Exceeded", None)
    );
}

#[test]
fn a_second_page_is_fetched_with_the_returned_token() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"items": [event()], "nextPageToken": "token-2"}));
    transport.reply_json(200, json!({"items": [{"id": "second"}]}));
    let first = run("GOOGLE_CALENDAR_LIST_EVENTS", json!({"maxResults": 1})).unwrap();
    let token = first["nextPageToken"].as_str().unwrap();
    let second = run(
        "GOOGLE_CALENDAR_LIST_EVENTS",
        json!({"maxResults": 1, "pageToken": token}),
    )
    .unwrap();
    assert_eq!(second, json!({"items": [{"id": "second"}]}));
    let requests = transport.requests();
    assert_eq!(
        requests[1].query(),
        pairs(&[
            ("singleEvents", "true"),
            ("orderBy", "startTime"),
            ("maxResults", "1"),
            ("pageToken", "token-2")
        ])
    );
}

const AUTH: &str = "https://www.googleapis.com/auth/";

fn full(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| format!("{AUTH}{n}")).collect()
}

#[test]
fn every_action_declares_the_narrowest_scope_first_and_true_hints() {
    let provider = provider();
    let expect = [
        (
            "GOOGLE_CALENDAR_LIST_CALENDARS",
            vec![
                "calendar.calendarlist.readonly",
                "calendar.calendarlist",
                "calendar.readonly",
                "calendar",
            ],
            (true, false, true),
        ),
        (
            "GOOGLE_CALENDAR_LIST_EVENTS",
            vec![
                "calendar.events.readonly",
                "calendar.events",
                "calendar.readonly",
                "calendar",
            ],
            (true, false, true),
        ),
        (
            "GOOGLE_CALENDAR_GET_EVENT",
            vec![
                "calendar.events.readonly",
                "calendar.events",
                "calendar.readonly",
                "calendar",
            ],
            (true, false, true),
        ),
        (
            "GOOGLE_CALENDAR_CREATE_EVENT",
            vec!["calendar.events", "calendar"],
            (false, false, false),
        ),
        (
            "GOOGLE_CALENDAR_UPDATE_EVENT",
            vec!["calendar.events", "calendar"],
            (false, false, true),
        ),
        (
            "GOOGLE_CALENDAR_DELETE_EVENT",
            vec!["calendar.events", "calendar"],
            (false, true, true),
        ),
        (
            "GOOGLE_CALENDAR_FIND_FREE_TIME",
            vec![
                "calendar.events.freebusy",
                "calendar.freebusy",
                "calendar.readonly",
                "calendar",
            ],
            (true, false, true),
        ),
        (
            "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
            vec!["calendar.events", "calendar"],
            (false, false, true),
        ),
    ];
    assert_eq!(provider.actions().len(), expect.len());
    for (name, scopes, (read_only, destructive, idempotent)) in expect {
        let action = provider.find(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(action.required_scopes(), [full(&scopes)], "{name}");
        let hints = action.hints();
        assert_eq!(
            (hints.read_only, hints.destructive, hints.idempotent),
            (read_only, destructive, idempotent),
            "{name}"
        );
    }
}

#[test]
fn schemas_name_googles_parameters_state_formats_and_keep_required_ones_required() {
    let provider = provider();
    let schema = |name: &str| provider.find(name).unwrap().input_schema();
    let required = |name: &str| {
        let mut list: Vec<String> =
            serde_json::from_value(schema(name)["required"].clone()).unwrap_or_default();
        list.sort();
        list
    };
    assert_eq!(
        required("GOOGLE_CALENDAR_LIST_EVENTS"),
        Vec::<String>::new()
    );
    assert_eq!(required("GOOGLE_CALENDAR_GET_EVENT"), ["eventId"]);
    assert_eq!(required("GOOGLE_CALENDAR_CREATE_EVENT"), ["end", "start"]);
    assert_eq!(required("GOOGLE_CALENDAR_UPDATE_EVENT"), ["eventId"]);
    assert_eq!(required("GOOGLE_CALENDAR_DELETE_EVENT"), ["eventId"]);
    assert_eq!(
        required("GOOGLE_CALENDAR_RESPOND_TO_EVENT"),
        ["eventId", "responseStatus"]
    );
    assert_eq!(
        required("GOOGLE_CALENDAR_FIND_FREE_TIME"),
        ["durationMinutes", "timeMax", "timeMin"]
    );
    let events = schema("GOOGLE_CALENDAR_LIST_EVENTS");
    assert_eq!(events["properties"]["timeMin"]["format"], "date-time");
    assert_eq!(events["properties"]["calendarId"]["default"], "primary");
    assert_eq!(events["properties"]["singleEvents"]["default"], true);
    assert_eq!(events["properties"]["maxResults"]["maximum"], json!(2500));
    let create = schema("GOOGLE_CALENDAR_CREATE_EVENT").to_string();
    assert!(create.contains(r#""format":"email""#), "{create}");
    assert!(create.contains(r#""format":"date""#), "{create}");
    let respond = schema("GOOGLE_CALENDAR_RESPOND_TO_EVENT");
    assert_eq!(
        respond["$defs"]["ResponseStatus"]["enum"],
        json!(["accepted", "declined", "tentative"])
    );
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        // OpenAI's strict tool schemas take `enum` and `anyOf`, not `oneOf`, at any depth.
        assert!(!schema.to_string().contains("oneOf"), "{}", action.name());
        for key in ["oneOf", "anyOf", "allOf", "not"] {
            assert!(
                schema.get(key).is_none(),
                "{} has a top-level {key}",
                action.name()
            );
        }
    }
    let typed: Vec<&str> = provider
        .actions()
        .iter()
        .filter(|a| a.output_schema().is_some())
        .map(|a| a.name())
        .collect();
    assert_eq!(
        typed,
        [
            "GOOGLE_CALENDAR_DELETE_EVENT",
            "GOOGLE_CALENDAR_FIND_FREE_TIME"
        ]
    );
}

/// Prints every schema (`cargo test -- --ignored --nocapture print_schemas`), for review.
#[test]
#[ignore]
fn print_schemas() {
    for action in provider().actions() {
        println!("{} {}", action.name(), action.input_schema());
        if let Some(output) = action.output_schema() {
            println!("  -> {output}");
        }
    }
}
