//! The exact request every Microsoft Calendar action sends, how Graph's answers map to outputs
//! and errors, and what is refused before any request, run natively against the SDK's test
//! transport. Fixtures follow the answers on Graph's v1.0 reference pages.

use actionhost_plugin_microsoft_calendar::provider;
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, Error};
use serde_json::{Value, json};

const GRAPH: &str = "https://graph.microsoft.com/v1.0";

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

/// Runs `action` once against an answer without a body (Graph's 202 and 204).
fn call_empty(action: &str, input: Value, status: u16) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    transport.reply(status, &[], "");
    let result = run(action, input);
    (result, transport.only_request())
}

/// The message of an input refused before any request is sent.
fn refused(action: &str, input: Value) -> String {
    let transport = Transport::install();
    let result = run(action, input);
    assert!(transport.requests().is_empty(), "nothing is sent");
    match result {
        Err(Error::InvalidInput(message)) => message,
        other => panic!("not refused as invalid input: {other:?}"),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The request's `Prefer` headers, in order.
fn prefer(request: &RecordedRequest) -> Vec<&str> {
    request
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("prefer"))
        .map(|(_, value)| value.as_str())
        .collect()
}

/// What every Graph request carries, and what it must not.
fn assert_graph_request(request: &RecordedRequest) {
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(
        request.header("authorization"),
        None,
        "the host owns the credential"
    );
}

const EVENT_ID: &str = "AAMkAGI1AAAt9AHjAAA=";

/// An event as Graph's "Create event" reference answers (shortened), with a Teams meeting.
fn event() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('cd209b0b-3f83-4c35-82d2-d88a61820480')/events/$entity",
        "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"",
        "id": EVENT_ID,
        "subject": "Let's go for lunch",
        "bodyPreview": "Does late morning work for you?",
        "isAllDay": false,
        "isOnlineMeeting": true,
        "onlineMeetingProvider": "teamsForBusiness",
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NmQ2Y2M1ZjQ%40thread.v2/0"},
        "webLink": "https://outlook.office365.com/owa/?itemid=AAMkAGI1AAAt9AHjAAA%3D&exvsurl=1&path=/calendar/item",
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "start": {"dateTime": "2017-04-15T12:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2017-04-15T14:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "location": {"displayName": "Harry's Bar", "locationType": "default", "uniqueId": "Harry's Bar", "uniqueIdType": "private"},
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"}, "emailAddress": {"name": "Samantha Booth", "address": "samanthab@contoso.onmicrosoft.com"}}],
        "organizer": {"emailAddress": {"name": "Dana Swope", "address": "danas@contoso.onmicrosoft.com"}}
    })
}

/// A calendar as Graph's "List calendars" reference answers.
fn calendar() -> Value {
    json!({
        "id": "AAMkAGI2TGuLAAA=",
        "name": "Calendar",
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

const CALENDARS_NEXT: &str = "https://graph.microsoft.com/v1.0/me/calendars?%24top=1&%24skip=1";

#[test]
fn list_calendars_returns_one_page_and_graphs_next_link_as_the_cursor() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_LIST_CALENDARS",
        json!({"top": 1}),
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#me/calendars", "value": [calendar()], "@odata.nextLink": CALENDARS_NEXT}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [calendar()], "next_cursor": CALENDARS_NEXT})
    );
    assert_eq!(request.method, "GET");
    assert_eq!(request.url, format!("{GRAPH}/me/calendars?%24top=1"));
    assert_eq!(request.body, None);
    assert_graph_request(&request);
}

#[test]
fn list_calendars_fetches_the_next_page_through_the_returned_cursor() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_LIST_CALENDARS",
        json!({"cursor": CALENDARS_NEXT}),
        200,
        json!({"value": [calendar()]}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [calendar()], "next_cursor": null})
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("GET", CALENDARS_NEXT)
    );
    assert_graph_request(&request);
}

#[test]
fn list_calendars_asks_for_fifty_by_default_and_refuses_a_foreign_cursor() {
    let (_, request) = call(
        "MICROSOFT_CALENDAR_LIST_CALENDARS",
        json!({}),
        200,
        json!({"value": []}),
    );
    assert_eq!(request.url, format!("{GRAPH}/me/calendars?%24top=50"));
    let message = refused(
        "MICROSOFT_CALENDAR_LIST_CALENDARS",
        json!({"cursor": "https://attacker.example/v1.0/me/calendars"}),
    );
    assert!(message.contains("`cursor`"), "{message}");
}

const LIST_FIELDS: &str = "id,subject,bodyPreview,start,end,isAllDay,location,organizer,attendees,isOnlineMeeting,onlineMeeting,webLink,showAs,responseStatus,type,seriesMasterId,isCancelled,isOrganizer,categories,importance,sensitivity";

#[test]
fn list_events_reads_the_default_calendars_view_of_the_window_in_utc() {
    let page = json!({"value": [event()]});
    let (result, request) = call(
        "MICROSOFT_CALENDAR_LIST_EVENTS",
        json!({"startDateTime": "2020-01-01T19:00:00-08:00", "endDateTime": "2020-01-02T19:00:00-08:00"}),
        200,
        page,
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [event()], "next_cursor": null})
    );
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/v1.0/me/calendarView")
    );
    assert_eq!(
        request.query(),
        pairs(&[
            ("startDateTime", "2020-01-01T19:00:00-08:00"),
            ("endDateTime", "2020-01-02T19:00:00-08:00"),
            ("$orderby", "start/dateTime"),
            ("$select", LIST_FIELDS),
            ("$top", "50"),
        ])
    );
    assert!(
        request
            .raw_query()
            .unwrap()
            .contains("endDateTime=2020-01-02T19%3A00%3A00-08%3A00"),
        "{}",
        request.url
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"UTC\""]);
    assert_graph_request(&request);
}

#[test]
fn list_events_of_a_named_calendar_in_a_zone_pages_with_the_same_zone() {
    let next = "https://graph.microsoft.com/v1.0/me/calendars/AAMkAGI2TGuLAAA%3D/calendarView?startDateTime=2026-12-01T00%3A00%3A00Z&endDateTime=2026-12-08T00%3A00%3A00Z&%24top=1&%24skip=1";
    let (result, request) = call(
        "MICROSOFT_CALENDAR_LIST_EVENTS",
        json!({
            "calendarId": "AAMkAGI2TGuLAAA=",
            "startDateTime": "2026-12-01T00:00:00Z",
            "endDateTime": "2026-12-08T00:00:00Z",
            "timeZone": "W. Europe Standard Time",
            "top": 1
        }),
        200,
        json!({"value": [event()], "@odata.nextLink": next}),
    );
    assert_eq!(result.unwrap()["next_cursor"], next);
    assert_eq!(
        request.path(),
        "/v1.0/me/calendars/AAMkAGI2TGuLAAA%3D/calendarView"
    );
    assert_eq!(
        prefer(&request),
        ["outlook.timezone=\"W. Europe Standard Time\""]
    );

    let (result, second) = call(
        "MICROSOFT_CALENDAR_LIST_EVENTS",
        json!({
            "calendarId": "AAMkAGI2TGuLAAA=",
            "startDateTime": "2026-12-01T00:00:00Z",
            "endDateTime": "2026-12-08T00:00:00Z",
            "timeZone": "W. Europe Standard Time",
            "cursor": next
        }),
        200,
        json!({"value": []}),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_eq!((second.method.as_str(), second.url.as_str()), ("GET", next));
    assert_eq!(
        prefer(&second),
        ["outlook.timezone=\"W. Europe Standard Time\""],
        "the zone is asked for on the next page too"
    );
    assert_graph_request(&second);
}

#[test]
fn list_events_refuses_a_window_graph_would_misread() {
    let window = |start: &str, end: &str| json!({"startDateTime": start, "endDateTime": end});
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            window("2026-12-01T09:00:00", "2026-12-02T00:00:00Z")
        ),
        "`startDateTime` must be an RFC 3339 date-time with a UTC offset, such as `2026-12-01T00:00:00+01:00` or `2026-12-01T08:00:00Z`, got \"2026-12-01T09:00:00\""
    );
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            window("2026-12-01T00:00:00Z", "tomorrow")
        ),
        "`endDateTime` must be an RFC 3339 date-time with a UTC offset, such as `2026-12-01T00:00:00+01:00` or `2026-12-01T08:00:00Z`, got \"tomorrow\""
    );
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            window("2026-12-02T00:00:00+01:00", "2026-12-01T23:00:00Z")
        ),
        "`endDateTime` must be after `startDateTime`"
    );
    let mut bad_zone = window("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
    bad_zone["timeZone"] = json!("UTC\"\r\nX-Injected: 1");
    assert_eq!(
        refused("MICROSOFT_CALENDAR_LIST_EVENTS", bad_zone),
        "`timeZone` must be a time zone name, IANA (`Europe/Berlin`) or Windows (`W. Europe Standard Time`), got \"UTC\\\"\\r\\nX-Injected: 1\""
    );
}

#[test]
fn get_event_asks_for_the_zone_and_a_text_body() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_GET_EVENT",
        json!({"eventId": EVENT_ID, "timeZone": "Pacific Standard Time"}),
        200,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "GET",
            "https://graph.microsoft.com/v1.0/me/events/AAMkAGI1AAAt9AHjAAA%3D"
        )
    );
    assert_eq!(
        prefer(&request),
        [
            "outlook.timezone=\"Pacific Standard Time\"",
            "outlook.body-content-type=\"text\""
        ]
    );
    assert_graph_request(&request);

    let (_, request) = call(
        "MICROSOFT_CALENDAR_GET_EVENT",
        json!({"eventId": EVENT_ID, "bodyFormat": "html"}),
        200,
        event(),
    );
    assert_eq!(
        prefer(&request),
        ["outlook.timezone=\"UTC\""],
        "HTML is Graph's own"
    );
}

#[test]
fn create_event_posts_attendees_location_body_recurrence_and_a_teams_meeting() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({
            "subject": "Let's go for lunch",
            "start": "2017-09-04T12:00:00",
            "end": "2017-09-04T14:00",
            "timeZone": "Pacific Standard Time",
            "body": "<p>Does noon time work for you?</p>",
            "bodyType": "html",
            "location": "Harry's Bar",
            "attendees": [
                {"email": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"},
                {"email": "alexw@contoso.onmicrosoft.com", "type": "optional"},
                {"email": "conf-room-hood@contoso.onmicrosoft.com", "type": "resource"}
            ],
            "teamsMeeting": true,
            "reminderMinutesBeforeStart": 30,
            "showAs": "busy",
            "importance": "high",
            "sensitivity": "private",
            "categories": ["Red category"],
            "recurrence": {"frequency": "weekly", "until": "2017-12-31"}
        }),
        201,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", "https://graph.microsoft.com/v1.0/me/events")
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
            "body": {"contentType": "html", "content": "<p>Does noon time work for you?</p>"},
            "location": {"displayName": "Harry's Bar"},
            "attendees": [
                {"emailAddress": {"address": "AdeleV@contoso.onmicrosoft.com", "name": "Adele Vance"}, "type": "required"},
                {"emailAddress": {"address": "alexw@contoso.onmicrosoft.com"}, "type": "optional"},
                {"emailAddress": {"address": "conf-room-hood@contoso.onmicrosoft.com"}, "type": "resource"}
            ],
            "isOnlineMeeting": true,
            "onlineMeetingProvider": "teamsForBusiness",
            "isReminderOn": true,
            "reminderMinutesBeforeStart": 30,
            "showAs": "busy",
            "importance": "high",
            "sensitivity": "private",
            "categories": ["Red category"],
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                "range": {"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31"}
            }
        })
    );
    assert_graph_request(&request);
}

#[test]
fn create_event_all_day_on_a_named_calendar_sends_midnights_and_a_text_body() {
    let (_, request) = call(
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({
            "calendarId": "AAMkAGI2TGuLAAA=",
            "subject": "Offsite",
            "start": "2026-12-01",
            "end": "2026-12-03",
            "isAllDay": true,
            "timeZone": "Europe/Berlin",
            "body": "Two days in Potsdam"
        }),
        201,
        event(),
    );
    assert_eq!(
        request.url,
        "https://graph.microsoft.com/v1.0/me/calendars/AAMkAGI2TGuLAAA%3D/events"
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Offsite",
            "start": {"dateTime": "2026-12-01T00:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-12-03T00:00:00", "timeZone": "Europe/Berlin"},
            "isAllDay": true,
            "body": {"contentType": "text", "content": "Two days in Potsdam"}
        })
    );
}

#[test]
fn create_event_defaults_to_utc_and_sends_only_what_was_given() {
    let (_, request) = call(
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({"subject": "Focus", "start": "2026-12-01T09:00:00", "end": "2026-12-01T10:30:00", "teamsMeeting": false}),
        201,
        event(),
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"UTC\""]);
    assert_eq!(
        request.json(),
        json!({
            "subject": "Focus",
            "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-01T10:30:00", "timeZone": "UTC"},
            "isOnlineMeeting": false
        })
    );
}

#[test]
fn create_event_refuses_times_and_guests_graph_would_misread() {
    let create = |extra: Value| {
        let mut input = json!({"subject": "Sync", "start": "2026-12-01T09:00:00", "end": "2026-12-01T10:00:00"});
        for (key, value) in extra.as_object().unwrap() {
            input[key] = value.clone();
        }
        refused("MICROSOFT_CALENDAR_CREATE_EVENT", input)
    };
    assert_eq!(
        create(json!({"start": "2026-12-01T09:00:00+01:00"})),
        "`start` \"2026-12-01T09:00:00+01:00\" has a UTC offset: give the wall-clock time without it (`2026-12-01T09:00:00`) and the zone in `timeZone`"
    );
    assert_eq!(
        create(json!({"end": "2026-12-01 10:00"})),
        "`end` must be a wall-clock date-time `YYYY-MM-DDTHH:MM:SS` such as `2026-12-01T09:00:00`, got \"2026-12-01 10:00\""
    );
    assert_eq!(
        create(json!({"end": "2026-12-01T09:00:00"})),
        "`end` must be after `start`"
    );
    assert_eq!(
        create(json!({"isAllDay": true})),
        "`start` of an all-day event must be a date `YYYY-MM-DD` (the end day exclusive: one day on December 1 is `2026-12-01` to `2026-12-02`), got \"2026-12-01T09:00:00\""
    );
    assert_eq!(
        create(json!({"isAllDay": true, "start": "2026-12-01", "end": "2026-12-01"})),
        "`end` must be after `start`"
    );
    assert_eq!(
        create(json!({"timeZone": "+01:00"})),
        "`timeZone` must be a time zone name, IANA (`Europe/Berlin`) or Windows (`W. Europe Standard Time`), got \"+01:00\""
    );
    assert_eq!(
        create(json!({"subject": "  "})),
        "`subject` must not be blank"
    );
    assert_eq!(
        create(json!({"attendees": [{"email": "bob@contoso.com"}, {"email": "carol"}]})),
        "`attendees[1].email` must be an e-mail address, got \"carol\""
    );
    assert_eq!(
        create(json!({"bodyType": "html"})),
        "`bodyType` needs `body`"
    );
    assert_eq!(
        create(json!({"recurrence": {"frequency": "daily", "count": 5, "until": "2026-12-31"}})),
        "give at most one of `recurrence.until` and `recurrence.count`"
    );
}

#[test]
fn update_event_patches_only_the_given_fields() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_UPDATE_EVENT",
        json!({"eventId": EVENT_ID, "subject": "Lunch (moved)", "location": "Fourth Coffee", "teamsMeeting": true}),
        200,
        event(),
    );
    assert_eq!(result.unwrap(), event());
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "PATCH",
            "https://graph.microsoft.com/v1.0/me/events/AAMkAGI1AAAt9AHjAAA%3D"
        )
    );
    assert_eq!(
        request.json(),
        json!({
            "subject": "Lunch (moved)",
            "location": {"displayName": "Fourth Coffee"},
            "isOnlineMeeting": true,
            "onlineMeetingProvider": "teamsForBusiness"
        })
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"UTC\""]);
    assert_graph_request(&request);
}

#[test]
fn update_event_moves_the_event_and_replaces_attendees_and_recurrence() {
    let (_, request) = call(
        "MICROSOFT_CALENDAR_UPDATE_EVENT",
        json!({
            "eventId": EVENT_ID,
            "start": "2026-12-03T15:00:00",
            "end": "2026-12-03T15:30:00",
            "timeZone": "America/New_York",
            "attendees": [{"email": "bob@contoso.com"}],
            "recurrence": {"frequency": "monthly", "weekOfMonth": "first", "count": 6}
        }),
        200,
        event(),
    );
    assert_eq!(
        request.json(),
        json!({
            "start": {"dateTime": "2026-12-03T15:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-12-03T15:30:00", "timeZone": "America/New_York"},
            "isAllDay": false,
            "attendees": [{"emailAddress": {"address": "bob@contoso.com"}, "type": "required"}],
            "recurrence": {
                "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["thursday"], "index": "first"},
                "range": {"type": "numbered", "startDate": "2026-12-03", "numberOfOccurrences": 6}
            }
        })
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"America/New_York\""]);
}

#[test]
fn update_event_refuses_partial_times_and_empty_changes() {
    let update = |input: Value| refused("MICROSOFT_CALENDAR_UPDATE_EVENT", input);
    assert_eq!(
        update(json!({"eventId": EVENT_ID, "start": "2026-12-03T15:00:00"})),
        "give `start` and `end` together (both in `timeZone`)"
    );
    assert_eq!(
        update(json!({"eventId": EVENT_ID, "isAllDay": true})),
        "`isAllDay` changes only with `start` and `end`"
    );
    assert_eq!(
        update(json!({"eventId": EVENT_ID, "recurrence": {"frequency": "daily"}})),
        "a new `recurrence` needs `start` and `end` (the first occurrence)"
    );
    assert_eq!(
        update(json!({"eventId": EVENT_ID})),
        "nothing to change: give at least one field besides `eventId`"
    );
}

#[test]
fn delete_event_deletes_and_reports_it() {
    let (result, request) = call_empty(
        "MICROSOFT_CALENDAR_DELETE_EVENT",
        json!({"eventId": EVENT_ID}),
        204,
    );
    assert_eq!(
        result.unwrap(),
        json!({"deleted": true, "eventId": EVENT_ID, "cancellationSent": false})
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "DELETE",
            "https://graph.microsoft.com/v1.0/me/events/AAMkAGI1AAAt9AHjAAA%3D"
        )
    );
    assert_eq!(request.body, None);
    assert_graph_request(&request);
}

#[test]
fn delete_event_with_a_message_cancels_the_meeting_with_it() {
    let (result, request) = call_empty(
        "MICROSOFT_CALENDAR_DELETE_EVENT",
        json!({"eventId": EVENT_ID, "cancellationMessage": "Cancelling for a scheduling conflict."}),
        202,
    );
    assert_eq!(
        result.unwrap(),
        json!({"deleted": true, "eventId": EVENT_ID, "cancellationSent": true})
    );
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "POST",
            "https://graph.microsoft.com/v1.0/me/events/AAMkAGI1AAAt9AHjAAA%3D/cancel"
        )
    );
    assert_eq!(
        request.json(),
        json!({"comment": "Cancelling for a scheduling conflict."})
    );
}

#[test]
fn respond_to_event_posts_each_answer_to_its_graph_action() {
    for (answer, action, state) in [
        ("accept", "accept", "accepted"),
        ("tentative", "tentativelyAccept", "tentativelyAccepted"),
        ("decline", "decline", "declined"),
    ] {
        let (result, request) = call_empty(
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": EVENT_ID, "response": answer, "comment": "See you there"}),
            202,
        );
        assert_eq!(
            result.unwrap(),
            json!({"eventId": EVENT_ID, "response": state, "sentToOrganizer": true})
        );
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            (
                "POST",
                format!(
                    "https://graph.microsoft.com/v1.0/me/events/AAMkAGI1AAAt9AHjAAA%3D/{action}"
                )
                .as_str()
            )
        );
        assert_eq!(
            request.json(),
            json!({"sendResponse": true, "comment": "See you there"})
        );
        assert_graph_request(&request);
    }
}

#[test]
fn respond_to_event_can_propose_a_new_time_or_answer_silently() {
    let (_, request) = call_empty(
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({
            "eventId": EVENT_ID,
            "response": "tentative",
            "comment": "I may not be able to make this week. How about next week?",
            "proposedNewTime": {"start": "2019-12-02T18:00:00", "end": "2019-12-02T19:00:00", "timeZone": "Pacific Standard Time"}
        }),
        202,
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
    let (result, request) = call_empty(
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({"eventId": EVENT_ID, "response": "decline", "sendResponse": false}),
        202,
    );
    assert_eq!(result.unwrap()["sentToOrganizer"], false);
    assert_eq!(request.json(), json!({"sendResponse": false}));
}

#[test]
fn respond_to_event_refuses_a_proposal_graph_would_not_send() {
    let proposal =
        json!({"start": "2019-12-02T18:00:00", "end": "2019-12-02T19:00:00", "timeZone": "UTC"});
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": EVENT_ID, "response": "accept", "proposedNewTime": proposal})
        ),
        "`proposedNewTime` goes with `tentative` or `decline`, not `accept`"
    );
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": EVENT_ID, "response": "decline", "sendResponse": false, "proposedNewTime": proposal})
        ),
        "`proposedNewTime` needs `sendResponse: true`: the organizer must receive it"
    );
    assert_eq!(
        refused(
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            json!({"eventId": EVENT_ID, "response": "decline", "proposedNewTime": {"start": "2019-12-02T19:00:00", "end": "2019-12-02T18:00:00"}})
        ),
        "proposedNewTime: `end` must be after `start`"
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

#[test]
fn find_meeting_times_posts_attendees_window_and_duration_in_the_zone() {
    let (result, request) = call(
        "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
        json!({
            "attendees": [{"email": "alexw@contoso.onmicrosoft.com", "name": "Alex Wilbur"}],
            "windowStart": "2019-04-16T09:00:00",
            "windowEnd": "2019-04-18T17:00:00",
            "timeZone": "Pacific Standard Time",
            "durationMinutes": 90,
            "maxCandidates": 5,
            "minimumAttendeePercentage": 100
        }),
        200,
        suggestions(),
    );
    assert_eq!(result.unwrap(), suggestions());
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            "POST",
            "https://graph.microsoft.com/v1.0/me/findMeetingTimes"
        )
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
            "meetingDuration": "PT1H30M",
            "isOrganizerOptional": false,
            "returnSuggestionReasons": true,
            "maxCandidates": 5,
            "minimumAttendeePercentage": 100.0
        })
    );
    assert_graph_request(&request);
}

#[test]
fn find_meeting_times_defaults_to_half_an_hour_of_working_time_in_utc() {
    let (_, request) = call(
        "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
        json!({"windowStart": "2026-12-01T08:00", "windowEnd": "2026-12-01T18:00", "activityDomain": "unrestricted"}),
        200,
        json!({"emptySuggestionsReason": "organizerUnavailable", "meetingTimeSuggestions": []}),
    );
    assert_eq!(prefer(&request), ["outlook.timezone=\"UTC\""]);
    let body = request.json();
    assert_eq!(body["attendees"], json!([]));
    assert_eq!(body["meetingDuration"], "PT30M");
    assert_eq!(body["timeConstraint"]["activityDomain"], "unrestricted");
    assert_eq!(
        body["timeConstraint"]["timeSlots"][0]["start"],
        json!({"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"})
    );
}

#[test]
fn find_meeting_times_refuses_a_window_or_duration_it_cannot_search() {
    let find = |input: Value| refused("MICROSOFT_CALENDAR_FIND_MEETING_TIMES", input);
    assert_eq!(
        find(json!({"windowStart": "2026-12-01T18:00:00", "windowEnd": "2026-12-01T08:00:00"})),
        "`windowEnd` must be after `windowStart`"
    );
    assert_eq!(
        find(json!({"windowStart": "2026-12-01T08:00:00Z", "windowEnd": "2026-12-01T18:00:00"})),
        "`windowStart` \"2026-12-01T08:00:00Z\" has a UTC offset: give the wall-clock time without it (`2026-12-01T09:00:00`) and the zone in `timeZone`"
    );
    assert_eq!(
        find(
            json!({"windowStart": "2026-12-01T08:00:00", "windowEnd": "2026-12-01T18:00:00", "durationMinutes": 0})
        ),
        "`durationMinutes` must be 1 to 1440"
    );
    assert_eq!(
        find(
            json!({"windowStart": "2026-12-01T08:00:00", "windowEnd": "2026-12-01T18:00:00", "minimumAttendeePercentage": 120})
        ),
        "`minimumAttendeePercentage` must be 0 to 100"
    );
}

fn graph_error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message, "innerError": {"date": "2026-11-30T04:20:00", "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2", "client-request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2"}}}).to_string()
}

/// Runs `action` against one error answer.
fn failing(action: &str, input: Value, status: u16, headers: &[(&str, &str)], body: &str) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body);
    let error = run(action, input).unwrap_err();
    assert_eq!(transport.requests().len(), 1);
    error
}

#[test]
fn graphs_errors_map_to_the_contracts_codes_for_reads_and_writes() {
    let read = ("MICROSOFT_CALENDAR_GET_EVENT", json!({"eventId": EVENT_ID}));
    let write = (
        "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
        json!({"eventId": EVENT_ID, "response": "accept"}),
    );
    let list = (
        "MICROSOFT_CALENDAR_LIST_EVENTS",
        json!({"startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-02T00:00:00Z"}),
    );
    let json_type = ("content-type", "application/json");
    for (action, input) in [read, write, list] {
        assert_eq!(
            failing(
                action,
                input.clone(),
                401,
                &[json_type],
                &graph_error(
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid."
                )
            ),
            Error::unauthorized(
                "InvalidAuthenticationToken: Access token has expired or is not yet valid."
            ),
            "{action}"
        );
        assert_eq!(
            failing(
                action,
                input.clone(),
                404,
                &[json_type],
                &graph_error(
                    "ErrorItemNotFound",
                    "The specified object was not found in the store."
                )
            ),
            Error::not_found("ErrorItemNotFound: The specified object was not found in the store."),
            "{action}"
        );
        assert_eq!(
            failing(
                action,
                input.clone(),
                429,
                &[json_type, ("Retry-After", "17")],
                &graph_error(
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit."
                )
            ),
            Error::rate_limited(
                "ApplicationThrottled: Application is over its MailboxConcurrency limit.",
                Some(17)
            ),
            "{action}"
        );
        assert_eq!(
            failing(
                action,
                input.clone(),
                503,
                &[json_type, ("Retry-After", "4")],
                &graph_error(
                    "ServiceUnavailable",
                    "The service is temporarily unavailable."
                )
            ),
            Error::rate_limited(
                "ServiceUnavailable: The service is temporarily unavailable.",
                Some(4)
            ),
            "{action}"
        );
        let body = graph_error(
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
        assert_eq!(
            failing(action, input, 403, &[json_type], &body),
            Error::Upstream {
                status: 403,
                message: "ErrorAccessDenied: Access is denied. Check credentials and try again."
                    .into(),
                body: Some(body.clone())
            },
            "{action}"
        );
    }
}

#[test]
fn a_graph_400_keeps_its_code_and_message() {
    let body = graph_error(
        "ErrorInvalidRequest",
        "Your request can't be completed. Time zone 'Mars/Olympus' is not supported.",
    );
    let error = failing(
        "MICROSOFT_CALENDAR_CREATE_EVENT",
        json!({"subject": "Sync", "start": "2026-12-01T09:00:00", "end": "2026-12-01T10:00:00", "timeZone": "Mars/Olympus"}),
        400,
        &[("content-type", "application/json")],
        &body,
    );
    assert!(
        matches!(&error, Error::Upstream { status: 400, message, .. } if message == "ErrorInvalidRequest: Your request can't be completed. Time zone 'Mars/Olympus' is not supported."),
        "{error:?}"
    );
}

/// An action's name, the scopes any one of which it needs, and its hints (read-only,
/// destructive, idempotent).
type Declared = (&'static str, &'static [&'static str], (bool, bool, bool));

#[test]
fn each_action_declares_its_scopes_and_true_hints() {
    // Read-only implies idempotent.
    let provider = provider();
    let expected: [Declared; 8] = [
        (
            "MICROSOFT_CALENDAR_LIST_CALENDARS",
            &[
                "Calendars.ReadBasic",
                "Calendars.Read",
                "Calendars.Read.Shared",
                "Calendars.ReadWrite",
            ],
            (true, false, true),
        ),
        (
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            &[
                "Calendars.ReadBasic",
                "Calendars.Read",
                "Calendars.ReadWrite",
            ],
            (true, false, true),
        ),
        (
            "MICROSOFT_CALENDAR_GET_EVENT",
            &[
                "Calendars.ReadBasic",
                "Calendars.Read",
                "Calendars.ReadWrite",
            ],
            (true, false, true),
        ),
        (
            "MICROSOFT_CALENDAR_CREATE_EVENT",
            &["Calendars.ReadWrite"],
            (false, false, false),
        ),
        (
            "MICROSOFT_CALENDAR_UPDATE_EVENT",
            &["Calendars.ReadWrite"],
            (false, false, true),
        ),
        (
            "MICROSOFT_CALENDAR_DELETE_EVENT",
            &["Calendars.ReadWrite"],
            (false, true, true),
        ),
        (
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            &["Calendars.ReadWrite"],
            (false, false, true),
        ),
        (
            "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
            &["Calendars.Read", "Calendars.ReadWrite"],
            (true, false, true),
        ),
    ];
    assert_eq!(provider.actions().len(), expected.len());
    for (name, scopes, (read_only, destructive, idempotent)) in expected {
        let action = provider.find(name).unwrap_or_else(|| panic!("{name}"));
        let wanted: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        assert_eq!(action.required_scopes(), [wanted], "{name}");
        let hints = action.hints();
        assert_eq!(
            (hints.read_only, hints.destructive, hints.idempotent),
            (read_only, destructive, idempotent),
            "{name}"
        );
    }
}

#[test]
fn every_schema_is_a_plain_object_that_tool_calling_accepts() {
    let provider = provider();
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for key in ["oneOf", "anyOf", "allOf", "not", "enum"] {
            assert!(
                schema.get(key).is_none(),
                "{}: top-level {key}",
                action.name()
            );
        }
    }
    let create = provider
        .find("MICROSOFT_CALENDAR_CREATE_EVENT")
        .unwrap()
        .input_schema();
    assert_eq!(create["required"], json!(["subject", "start", "end"]));
    assert_eq!(create["properties"]["timeZone"]["default"], "UTC");
    let output = provider
        .find("MICROSOFT_CALENDAR_DELETE_EVENT")
        .unwrap()
        .output_schema()
        .unwrap();
    assert_eq!(
        output["required"],
        json!(["deleted", "eventId", "cancellationSent"])
    );
    let responded = provider
        .find("MICROSOFT_CALENDAR_RESPOND_TO_EVENT")
        .unwrap()
        .output_schema()
        .unwrap();
    let state = &responded["$defs"]["ResponseState"]["enum"];
    assert_eq!(
        *state,
        json!(["accepted", "tentativelyAccepted", "declined"]),
        "{responded}"
    );
}
