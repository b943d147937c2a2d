//! The bundled Microsoft Calendar plugin against a stand-in that checks every request with
//! Microsoft Graph's own model (the v1.0 CSDL, `MICROSOFT_GRAPH`): the exact requests it sends
//! (paths, OData options, `Prefer` headers, event bodies with Graph's time, recurrence and Teams
//! shapes, invitation answers, findMeetingTimes), its outputs (Graph's JSON; `items` and
//! `next_cursor` for lists; a small report where Graph answers without a body), a second page
//! through the returned cursor, and how Graph's error envelope reaches the caller.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::standin::{Recorded, Reply};
use actionhost_e2e::validating::{Fixture, MICROSOFT_GRAPH, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
};

const FILE: &str = "microsoft-calendar.wasm";
const TOKEN: &str = "EwBwA8l6BAAURSN.alice";
const BEARER: (&str, &str) = ("authorization", "Bearer EwBwA8l6BAAURSN.alice");
const JSON: (&str, &str) = ("content-type", "application/json");
const EVENT_ID: &str = "AAMkAGI1AAAt9AHjAAA=";
const CALENDAR_ID: &str = "AAMkAGI2TGuLAAA=";

async fn calendar(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Alice's call: her Graph token, the grant a new account asks for, and her account's tenant.
fn alice() -> CallContext {
    CallContext {
        user: "alice".into(),
        scopes: ["offline_access", "User.Read", "Calendars.ReadWrite"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        fields: [("tenant".to_string(), "contoso.onmicrosoft.com".to_string())].into(),
        credential: Some(actionhost::credentials::SecretString::new(TOKEN)),
        ..Default::default()
    }
}

/// Runs one action in a fresh session whose stand-in answers with `fixture`.
async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    super::run_once(
        &MICROSOFT_GRAPH,
        FILE,
        &alice(),
        (test, action, params),
        fixture,
    )
    .await
}

/// An answer without a body (Graph's 202 and 204).
fn empty(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: Vec::new(),
        delay: std::time::Duration::ZERO,
    }
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some("Bearer EwBwA8l6BAAURSN.alice")
    );
}

/// The request's `Prefer` headers, in order.
fn prefer(request: &Recorded) -> Vec<&str> {
    request
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("prefer"))
        .map(|(_, value)| value.as_str())
        .collect()
}

/// The request's query, decoded, in order.
fn query(request: &Recorded) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.query.as_deref().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An event as Graph's "Create event" reference answers it (shortened), with a Teams meeting.
fn event() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('cd209b0b-3f83-4c35-82d2-d88a61820480')/events/$entity",
        "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"",
        "id": EVENT_ID,
        "createdDateTime": "2017-04-15T03:00:50.7579581Z",
        "lastModifiedDateTime": "2017-04-15T03:00:51.245372Z",
        "subject": "Let's go for lunch",
        "bodyPreview": "Does late morning work for you?",
        "body": {"contentType": "text", "content": "Does late morning work for you?"},
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": false,
        "isCancelled": false,
        "isOrganizer": true,
        "showAs": "busy",
        "type": "singleInstance",
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NmQ2Y2M1ZjQ%40thread.v2/0"},
        "webLink": "https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D&exvsurl=1&path=/calendar/item",
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "start": {"dateTime": "2017-04-15T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-04-15T14:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Harry's Bar", "locationType": "default", "uniqueId": "Harry's Bar", "uniqueIdType": "private"},
        "recurrence": null,
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}, "emailAddress": {"name": "Samantha Booth", "address": "samanthab@contoso.onmicrosoft.com"}}],
        "organizer": {"emailAddress": {"name": "Dana Swope", "address": "danas@contoso.onmicrosoft.com"}}
    })
}

/// A calendar as Graph's "List calendars" reference answers it.
fn calendar_entry(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "color": "auto",
        "changeKey": "nfZyf7VcrEKLNoU37KWlkQAAA0x0+w==",
        "canShare": true,
        "canViewPrivateItems": true,
        "hexColor": "",
        "canEdit": true,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"],
        "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": true,
        "isRemovable": false,
        "owner": {"name": "Samantha Booth", "address": "samanthab@contoso.com"}
    })
}

#[tokio::test]
async fn list_calendars_fetches_a_second_page_through_the_returned_cursor() {
    let standin = MICROSOFT_GRAPH.session("mscal_list_calendars");
    let next = "https://graph.microsoft.com/v1.0/me/calendars?%24top=1&%24skip=1";
    let second = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#me/calendars", "value": [calendar_entry("AAMkAGI2TGuMAAA=", "Birthdays")]});
    standin
        .answer(
            Fixture::operation("GET /me/calendars", Reply::json(200, second))
                .with_query("$skip", "1"),
        )
        .await;
    let first = json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#me/calendars", "value": [calendar_entry(CALENDAR_ID, "Calendar")], "@odata.nextLink": next});
    standin
        .answer(Fixture::operation(
            "GET /me/calendars",
            Reply::json(200, first),
        ))
        .await;
    let (runtime, plugin) = calendar(&standin).await;
    let (one, _) = runtime
        .execute(
            &plugin,
            "MICROSOFT_CALENDAR_LIST_CALENDARS",
            &json!({"top": 1}),
            &alice(),
        )
        .await;
    let one = one.unwrap();
    assert_eq!(
        one,
        json!({"items": [calendar_entry(CALENDAR_ID, "Calendar")], "next_cursor": next})
    );
    let (two, _) = runtime
        .execute(
            &plugin,
            "MICROSOFT_CALENDAR_LIST_CALENDARS",
            &json!({"cursor": one["next_cursor"]}),
            &alice(),
        )
        .await;
    assert_eq!(
        two.unwrap(),
        json!({"items": [calendar_entry("AAMkAGI2TGuMAAA=", "Birthdays")], "next_cursor": null})
    );
    standin.assert_no_violations().await;
    let requests = standin.requests().await;
    let seen: Vec<(&str, &str, Option<&str>)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.query.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/me/calendars", Some("%24top=1")),
            ("GET", "/me/calendars", Some("%24top=1&%24skip=1"))
        ]
    );
    for request in &requests {
        assert_bearer(request);
        assert_eq!(request.header("accept"), Some("application/json"));
    }
}

const LIST_FIELDS: &str = "id,subject,bodyPreview,start,end,isAllDay,location,organizer,attendees,isOnlineMeeting,onlineMeeting,webLink,showAs,responseStatus,type,seriesMasterId,isCancelled,isOrganizer,categories,importance,sensitivity";

#[tokio::test]
async fn list_events_reads_a_calendar_view_in_the_zone_and_pages_with_it() {
    let standin = MICROSOFT_GRAPH.session("mscal_list_events");
    let next = "https://graph.microsoft.com/v1.0/me/calendars/AAMkAGI2TGuLAAA%3D/calendarView?startDateTime=2026-12-01T00%3A00%3A00%2B01%3A00&endDateTime=2026-12-08T00%3A00%3A00%2B01%3A00&%24orderby=start%2FdateTime&%24top=1&%24skip=1";
    standin
        .answer(
            Fixture::operation(
                "GET /me/calendars/{id}/calendarView",
                Reply::json(200, json!({"value": []})),
            )
            .with_query("$skip", "1"),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "GET /me/calendars/{id}/calendarView",
            Reply::json(200, json!({"value": [event()], "@odata.nextLink": next})),
        ))
        .await;
    let (runtime, plugin) = calendar(&standin).await;
    let params = json!({
        "calendarId": CALENDAR_ID,
        "startDateTime": "2026-12-01T00:00:00+01:00",
        "endDateTime": "2026-12-08T00:00:00+01:00",
        "timeZone": "W. Europe Standard Time",
        "top": 1
    });
    let (one, _) = runtime
        .execute(&plugin, "MICROSOFT_CALENDAR_LIST_EVENTS", &params, &alice())
        .await;
    let one = one.unwrap();
    assert_eq!(one, json!({"items": [event()], "next_cursor": next}));
    let mut again = params.clone();
    again["cursor"] = one["next_cursor"].clone();
    let (two, _) = runtime
        .execute(&plugin, "MICROSOFT_CALENDAR_LIST_EVENTS", &again, &alice())
        .await;
    assert_eq!(two.unwrap(), json!({"items": [], "next_cursor": null}));
    standin.assert_no_violations().await;

    let requests = standin.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/me/calendars/AAMkAGI2TGuLAAA%3D/calendarView")
    );
    assert_eq!(
        query(&requests[0]),
        pairs(&[
            ("startDateTime", "2026-12-01T00:00:00+01:00"),
            ("endDateTime", "2026-12-08T00:00:00+01:00"),
            ("$orderby", "start/dateTime"),
            ("$select", LIST_FIELDS),
            ("$top", "1"),
        ])
    );
    assert_eq!(
        requests[1].query.as_deref(),
        next.split_once('?').map(|(_, q)| q),
        "the second page is Graph's next link as it came"
    );
    for request in &requests {
        assert_eq!(
            prefer(request),
            ["outlook.timezone=\"W. Europe Standard Time\""]
        );
        assert_bearer(request);
    }
}

#[tokio::test]
async fn list_events_of_the_default_calendar_ask_for_utc() {
    let (result, standin) = run(
        "mscal_list_events_default",
        "MICROSOFT_CALENDAR_LIST_EVENTS",
        json!({"startDateTime": "2020-01-01T19:00:00-08:00", "endDateTime": "2020-01-02T19:00:00-08:00"}),
        Fixture::operation(
            "GET /me/calendarView",
            Reply::json(200, json!({"value": [event()]})),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"items": [event()], "next_cursor": null})
    );
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(request.path, "/me/calendarView");
    assert_eq!(
        query(&request)[0],
        ("startDateTime".into(), "2020-01-01T19:00:00-08:00".into())
    );
    assert_eq!(query(&request)[4], ("$top".into(), "50".into()));
    assert_eq!(prefer(&request), ["outlook.timezone=\"UTC\""]);
}

#[tokio::test]
async fn get_event_asks_for_the_zone_and_a_text_body() {
    let (result, standin) = run(
        "mscal_get_event",
        "MICROSOFT_CALENDAR_GET_EVENT",
        json!({"eventId": EVENT_ID, "timeZone": "Pacific Standard Time"}),
        Fixture::operation("GET /me/events/{id}", Reply::json(200, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (
            request.method.as_str(),
            request.path.as_str(),
            request.query.as_deref()
        ),
        ("GET", "/me/events/AAMkAGI1AAAt9AHjAAA%3D", None)
    );
    assert_eq!(
        prefer(&request),
        [
            "outlook.timezone=\"Pacific Standard Time\"",
            "outlook.body-content-type=\"text\""
        ]
    );
    assert_bearer(&request);
}

#[tokio::test]
async fn create_event_posts_a_weekly_teams_meeting_with_attendees() {
    let (result, standin) = run(
        "mscal_create_event",
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({
            "subject": "Let's go for lunch",
            "start": "2017-09-04T12:00:00",
            "end": "2017-09-04T14:00:00",
            "timeZone": "Pacific Standard Time",
            "body": "Does noon time work for you?",
            "location": "Harry's Bar",
            "attendees": [{"email": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"}, {"email": "conf-room-hood@contoso.onmicrosoft.com", "type": "resource"}],
            "teamsMeeting": true,
            "reminderMinutesBeforeStart": 10,
            "showAs": "tentative",
            "importance": "high",
            "sensitivity": "private",
            "categories": ["Red category"],
            "recurrence": {"frequency": "weekly", "daysOfWeek": ["monday", "wednesday"], "until": "2017-12-31"}
        }),
        Fixture::operation("POST /me/events", Reply::json(201, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/me/events")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        prefer(&request),
        ["outlook.timezone=\"Pacific Standard Time\""]
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Let's go for lunch",
            "start": {"dateTime": "2017-09-04T12:00:00", "timeZone": "Pacific Standard Time"},
            "end": {"dateTime": "2017-09-04T14:00:00", "timeZone": "Pacific Standard Time"},
            "body": {"contentType": "text", "content": "Does noon time work for you?"},
            "location": {"displayName": "Harry's Bar"},
            "attendees": [
                {"emailAddress": {"address": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"}, "type": "required"},
                {"emailAddress": {"address": "conf-room-hood@contoso.onmicrosoft.com"}, "type": "resource"}
            ],
            "isOnlineMeeting": true,
            "onlineMeetingProvider": "teamsForBusiness",
            "isReminderOn": true,
            "reminderMinutesBeforeStart": 10,
            "showAs": "tentative",
            "importance": "high",
            "sensitivity": "private",
            "categories": ["Red category"],
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday"]},
                "range": {"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31"}
            }
        })
    );
    assert_bearer(&request);
}

#[tokio::test]
async fn create_event_all_day_and_monthly_on_a_named_calendar() {
    let (result, standin) = run(
        "mscal_create_all_day",
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({
            "calendarId": CALENDAR_ID,
            "subject": "Team offsite",
            "start": "2026-12-01",
            "end": "2026-12-03",
            "isAllDay": true,
            "timeZone": "Europe/Berlin",
            "recurrence": {"frequency": "monthly", "weekOfMonth": "first", "count": 3}
        }),
        Fixture::operation("POST /me/calendars/{id}/events", Reply::json(201, event())),
    )
    .await;
    assert!(result.is_ok(), "{result:?}");
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(request.path, "/me/calendars/AAMkAGI2TGuLAAA%3D/events");
    assert_eq!(
        request.json(),
        json!({
            "subject": "Team offsite",
            "start": {"dateTime": "2026-12-01T00:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-03T00:00:00", "timeZone": "Europe/Berlin"},
            "isAllDay": true,
            "recurrence": {
                "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["tuesday"], "index": "first"},
                "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 3}
            }
        })
    );
}

#[tokio::test]
async fn update_event_patches_only_the_given_fields() {
    let (result, standin) = run(
        "mscal_update_event",
        "MICROSOFT_CALENDAR_UPDATE_EVENT",
        json!({"eventId": EVENT_ID, "subject": "Lunch (moved)", "start": "2026-12-03T12:30:00", "end": "2026-12-03T13:30:00", "timeZone": "America/New_York", "location": "Fourth Coffee"}),
        Fixture::operation("PATCH /me/events/{id}", Reply::json(200, event())),
    )
    .await;
    assert_eq!(result.unwrap(), event());
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("PATCH", "/me/events/AAMkAGI1AAAt9AHjAAA%3D")
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Lunch (moved)",
            "start": {"dateTime": "2026-12-03T12:30:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-03T13:30:00", "timeZone": "America/New_York"},
            "isAllDay": false,
            "location": {"displayName": "Fourth Coffee"}
        })
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"America/New_York\""]);
}

#[tokio::test]
async fn delete_event_deletes_or_cancels_with_a_message() {
    let (result, standin) = run(
        "mscal_delete_event",
        "MICROSOFT_CALENDAR_DELETE_EVENT",
        json!({"eventId": EVENT_ID}),
        Fixture::operation("DELETE /me/events/{id}", empty(204)),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"deleted": true, "eventId": EVENT_ID, "cancellationSent": false})
    );
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("DELETE", "/me/events/AAMkAGI1AAAt9AHjAAA%3D")
    );
    assert!(request.body.is_empty());

    let (result, standin) = run(
        "mscal_cancel_event",
        "MICROSOFT_CALENDAR_DELETE_EVENT",
        json!({"eventId": EVENT_ID, "cancellationMessage": "Cancelling for a scheduling conflict."}),
        Fixture::operation("POST /me/events/{id}/cancel", empty(202)),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"deleted": true, "eventId": EVENT_ID, "cancellationSent": true})
    );
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(request.path, "/me/events/AAMkAGI1AAAt9AHjAAA%3D/cancel");
    assert_eq!(
        request.json(),
        json!({"comment": "Cancelling for a scheduling conflict."})
    );
}

#[tokio::test]
async fn respond_to_event_answers_through_graphs_actions() {
    let (result, standin) = run(
        "mscal_respond_tentative",
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({
            "eventId": EVENT_ID,
            "response": "tentative",
            "comment": "I may not be able to make this week. How about next week?",
            "proposedNewTime": {"start": "2019-12-02T18:00:00", "end": "2019-12-02T19:00:00", "timeZone": "Pacific Standard Time"}
        }),
        Fixture::operation("POST /me/events/{id}/tentativelyAccept", empty(202)),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"eventId": EVENT_ID, "response": "tentativelyAccepted", "sentToOrganizer": true})
    );
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        request.path,
        "/me/events/AAMkAGI1AAAt9AHjAAA%3D/tentativelyAccept"
    );
    assert_eq!(
        request.json(),
        json!({
            "sendResponse": true,
            "comment": "I may not be able to make this week. How about next week?",
            "proposedNewTime": {
                "start": {"dateTime": "2019-12-02T18:00:00", "timeZone": "Pacific Standard Time"},
                "end": {"dateTime": "2019-12-02T19:00:00", "timeZone": "Pacific Standard Time"}
            }
        })
    );

    let (result, standin) = run(
        "mscal_respond_decline",
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({"eventId": EVENT_ID, "response": "decline", "comment": "Out that week", "sendResponse": false}),
        Fixture::operation("POST /me/events/{id}/decline", empty(202)),
    )
    .await;
    assert_eq!(
        result.unwrap(),
        json!({"eventId": EVENT_ID, "response": "declined", "sentToOrganizer": false})
    );
    standin.assert_no_violations().await;
    assert_eq!(
        standin.single().await.json(),
        json!({"sendResponse": false, "comment": "Out that week"})
    );
}

/// Graph's answer in the findMeetingTimes reference (one suggestion of four).
fn suggestions() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.meetingTimeSuggestionsResult",
        "emptySuggestionsReason": "",
        "meetingTimeSuggestions": [{
            "confidence": 100,
            "order": 1,
            "organizerAvailability": "free",
            "suggestionReason": "Suggested because it is one of the nearest times when all attendees are available.",
            "attendeeAvailability": [{"availability": "free", "attendee": {"emailAddress": {"address": "alexw@contoso.onmicrosoft.com"}}}],
            "locations": [{"displayName": "Conf room Hood"}],
            "meetingTimeSlot": {
                "start": {"dateTime": "2019-04-18T16:00:00.0000000", "timeZone": "Pacific Standard Time"},
                "end": {"dateTime": "2019-04-18T17:00:00.0000000", "timeZone": "Pacific Standard Time"}
            }
        }]
    })
}

#[tokio::test]
async fn find_meeting_times_posts_the_window_duration_and_attendees() {
    let (result, standin) = run(
        "mscal_find_meeting_times",
        "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
        json!({
            "attendees": [{"email": "alexw@contoso.onmicrosoft.com", "name": "Alex Wilbur"}],
            "windowStart": "2019-04-16T09:00:00",
            "windowEnd": "2019-04-18T17:00:00",
            "timeZone": "Pacific Standard Time",
            "durationMinutes": 60,
            "maxCandidates": 4,
            "minimumAttendeePercentage": 100
        }),
        Fixture::operation("POST /me/findMeetingTimes", Reply::json(200, suggestions())),
    )
    .await;
    assert_eq!(result.unwrap(), suggestions());
    standin.assert_no_violations().await;
    let request = standin.single().await;
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/me/findMeetingTimes")
    );
    assert_eq!(
        prefer(&request),
        ["outlook.timezone=\"Pacific Standard Time\""]
    );
    assert_eq!(
        request.json(),
        json!({
            "attendees": [{"emailAddress": {"address": "alexw@contoso.onmicrosoft.com", "name": "Alex Wilbur"}, "type": "required"}],
            "timeConstraint": {
                "activityDomain": "work",
                "timeSlots": [{
                    "start": {"dateTime": "2019-04-16T09:00:00", "timeZone": "Pacific Standard Time"},
                    "end": {"dateTime": "2019-04-18T17:00:00", "timeZone": "Pacific Standard Time"}
                }]
            },
            "meetingDuration": "PT1H",
            "isOrganizerOptional": false,
            "returnSuggestionReasons": true,
            "maxCandidates": 4,
            "minimumAttendeePercentage": 100.0
        })
    );
}

fn graph_error(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "innerError": {"date": "2026-11-30T04:20:00", "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2", "client-request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2"}}})
}

#[tokio::test]
async fn graphs_error_envelope_maps_to_the_contracts_errors() {
    let cases = [
        (
            "mscal_error_401",
            Reply::json(
                401,
                graph_error(
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                ),
            ),
            ActionError::Unauthorized(
                "InvalidAuthenticationToken: Access token has expired or is not yet valid.".into(),
            ),
        ),
        (
            "mscal_error_404",
            Reply::json(
                404,
                graph_error(
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                ),
            ),
            ActionError::NotFound(
                "ErrorItemNotFound: The specified object was not found in the store.".into(),
            ),
        ),
        (
            "mscal_error_429",
            Reply::json(
                429,
                graph_error(
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                ),
            )
            .header("retry-after", "17"),
            ActionError::RateLimited {
                message: "ApplicationThrottled: Application is over its MailboxConcurrency limit."
                    .into(),
                retry_after_seconds: Some(17),
            },
        ),
        (
            "mscal_error_503",
            Reply::json(
                503,
                graph_error(
                    "ServiceUnavailable",
                    "The service is temporarily unavailable.",
                ),
            )
            .header("retry-after", "4"),
            ActionError::RateLimited {
                message: "ServiceUnavailable: The service is temporarily unavailable.".into(),
                retry_after_seconds: Some(4),
            },
        ),
    ];
    for (test, reply, expected) in cases {
        let (result, standin) = run(
            test,
            "MICROSOFT_CALENDAR_GET_EVENT",
            json!({"eventId": EVENT_ID}),
            Fixture::operation("GET /me/events/{id}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected), "{test}");
        standin.assert_no_violations().await;
    }

    let denied = graph_error(
        "ErrorAccessDenied",
        "Access is denied. Check credentials and try again.",
    );
    let (result, standin) = run(
        "mscal_error_403",
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({"eventId": EVENT_ID, "response": "accept"}),
        Fixture::operation(
            "POST /me/events/{id}/accept",
            Reply::json(403, denied.clone()),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::Upstream {
            status: 403,
            message: "ErrorAccessDenied: Access is denied. Check credentials and try again.".into(),
            body: Some(denied.to_string())
        })
    );
    standin.assert_no_violations().await;
}

/// Every action with the parameters it takes, in one session: Graph's model accepts each
/// request, and each reaches the operation the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_graphs_model_accepts() {
    let standin = MICROSOFT_GRAPH.session("mscal_every_action");
    let fixtures = [
        ("GET /me/calendars", Reply::json(200, json!({"value": []}))),
        (
            "GET /me/calendarView",
            Reply::json(200, json!({"value": []})),
        ),
        ("GET /me/events/{id}", Reply::json(200, event())),
        ("POST /me/events", Reply::json(201, event())),
        ("PATCH /me/events/{id}", Reply::json(200, event())),
        ("DELETE /me/events/{id}", empty(204)),
        ("POST /me/events/{id}/accept", empty(202)),
        ("POST /me/findMeetingTimes", Reply::json(200, suggestions())),
    ];
    for (operation, reply) in fixtures {
        standin.answer(Fixture::operation(operation, reply)).await;
    }
    let (runtime, plugin) = calendar(&standin).await;
    let calls: [Call; 8] = [
        (
            "MICROSOFT_CALENDAR_LIST_CALENDARS",
            json!({"top": 100}),
            &["GET /me/calendars"],
        ),
        (
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            json!({"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-08T00:00:00Z", "timeZone": "Asia/Tokyo", "top": 100}),
            &["GET /me/calendarView"],
        ),
        (
            "MICROSOFT_CALENDAR_GET_EVENT",
            json!({"eventId": EVENT_ID, "bodyFormat": "html"}),
            &["GET /me/events/{id}"],
        ),
        (
            "MICROSOFT_CALENDAR_CREATE_EVENT",
            json!({"subject": "Quarterly review", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00", "timeZone": "Europe/London", "body": "<b>Q4</b>", "bodyType": "html", "attendees": [{"email": "bob@contoso.com", "type": "optional"}], "teamsMeeting": true, "showAs": "oof", "recurrence": {"frequency": "yearly", "interval": 1}}),
            &["POST /me/events"],
        ),
        (
            "MICROSOFT_CALENDAR_UPDATE_EVENT",
            json!({"eventId": EVENT_ID, "start": "2026-12-02", "end": "2026-12-03", "isAllDay": true, "recurrence": {"frequency": "daily", "interval": 2, "count": 5}, "teamsMeeting": false, "reminderMinutesBeforeStart": 0, "sensitivity": "normal", "importance": "low", "categories": []}),
            &["PATCH /me/events/{id}"],
        ),
        (
            "MICROSOFT_CALENDAR_DELETE_EVENT",
            json!({"eventId": EVENT_ID}),
            &["DELETE /me/events/{id}"],
        ),
        (
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": EVENT_ID, "response": "accept"}),
            &["POST /me/events/{id}/accept"],
        ),
        (
            "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
            json!({"windowStart": "2026-12-01T00:00:00", "windowEnd": "2026-12-02T00:00:00", "activityDomain": "unrestricted", "isOrganizerOptional": true, "durationMinutes": 45}),
            &["POST /me/findMeetingTimes"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(outputs[0], json!({"items": [], "next_cursor": null}));
    for request in standin.requests().await {
        assert_bearer(&request);
    }
}

/// Negative controls: calendar requests Graph's model refuses, so a stand-in that accepts
/// everything fails here.
#[tokio::test]
async fn graphs_model_refuses_what_the_calendar_api_would_refuse() {
    assert_refused(
        &MICROSOFT_GRAPH,
        "mscal_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/me/events",
                headers: &[BEARER, JSON],
                body: r#"{"subject": "Sync", "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"}, "onlineMeetingProvider": "zoom"}"#,
                because: "'zoom' is not a member of onlineMeetingProviderType",
            },
            Refused {
                method: "POST",
                path_and_query: "/me/events",
                headers: &[BEARER, JSON],
                body: r#"{"subject": "Sync", "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["mon"]}}}"#,
                because: "'mon' is not a member of dayOfWeek",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/calendarView?startDateTime=2026-12-01T00:00:00Z",
                headers: &[BEARER],
                body: "",
                because: "'endDateTime' is required",
            },
            Refused {
                method: "GET",
                path_and_query: "/me/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z&$select=subject,title",
                headers: &[BEARER],
                body: "",
                because: "event has no property 'title'",
            },
            Refused {
                method: "POST",
                path_and_query: "/me/events/E/tentativelyAccept",
                headers: &[BEARER, JSON],
                body: r#"{"sendResponse": true, "note": "maybe"}"#,
                because: "'note' is not a parameter of the action tentativelyAccept",
            },
            Refused {
                method: "POST",
                path_and_query: "/me/findMeetingTimes",
                headers: &[BEARER, JSON],
                body: r#"{"meetingDuration": "90 minutes"}"#,
                because: "'90 minutes' is not an ISO 8601 duration",
            },
        ],
    )
    .await;
}

/// Known good: the recurring lunch of Graph's "Create event" reference (example 3), as Graph's
/// docs send it (`contentType` `HTML`, `daysOfWeek` `Monday`: Graph takes members in any case).
#[tokio::test]
async fn graphs_model_accepts_the_recurring_event_example_from_graphs_docs() {
    let body = json!({
        "subject": "Let's go for lunch",
        "body": {"contentType": "HTML", "content": "Does noon time work for you?"},
        "start": {"dateTime": "2017-09-04T12:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-09-04T14:00:00", "timeZone": "Pacific Standard Time"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["Monday"]},
            "range": {"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31"}
        },
        "location": {"displayName": "Harry's Bar"},
        "attendees": [{"emailAddress": {"address": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"}, "type": "required"}]
    })
    .to_string();
    assert_accepted(
        &MICROSOFT_GRAPH,
        "mscal_docs_recurring_event",
        ("POST", "/me/events", &[BEARER, JSON], &body),
        "POST /me/events",
    )
    .await;
}
