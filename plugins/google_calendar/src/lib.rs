//! Google Calendar provider: calendars, events, invitations and free time through the Calendar
//! API v3 (<https://developers.google.com/calendar/api/v3/reference>).
//!
//! Inputs use Google's own parameter names (`calendarId`, `timeMin`, `pageToken`), so an agent
//! that knows the API needs no translation. Outputs are Google's JSON as it came, except for
//! `GOOGLE_CALENDAR_FIND_FREE_TIME` (free slots computed from a freeBusy answer) and
//! `GOOGLE_CALENDAR_DELETE_EVENT` (Google answers 204 with no body).

use std::collections::BTreeMap;

use actionhost_sdk::google;
use actionhost_sdk::http::Passthrough;
use actionhost_sdk::prelude::*;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat};

fn api() -> Api {
    Api::new("https://www.googleapis.com/calendar/v3").errors(google::errors)
}

fn primary() -> String {
    "primary".into()
}

/// Whom Google e-mails about a change: `all` guests, `externalOnly` (guests outside Google
/// Calendar) or `none` (Google's default).
#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum SendUpdates {
    All,
    ExternalOnly,
    None,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
enum AccessRole {
    FreeBusyReader,
    Reader,
    Writer,
    Owner,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ListCalendars {
    /// Calendars per page, 1 to 250 (default 100).
    #[schemars(range(min = 1, max = 250))]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u32>,
    /// `nextPageToken` of the previous answer, to fetch the page after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
    /// Only calendars on which the user has at least this role: `freeBusyReader` (default: all),
    /// `reader`, `writer` or `owner`.
    #[serde(skip_serializing_if = "Option::is_none")]
    min_access_role: Option<AccessRole>,
    /// Also list calendars the user hid from the list in Google Calendar (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    show_hidden: Option<bool>,
}

fn list_calendars(input: ListCalendars, _: &Context) -> Result<Passthrough, Error> {
    api()
        .get("/users/me/calendarList")
        .query(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "camelCase")]
enum OrderBy {
    StartTime,
    Updated,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ListEvents {
    /// Calendar id from GOOGLE_CALENDAR_LIST_CALENDARS, or `primary` (the default) for the
    /// user's main calendar.
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary", skip_serializing)]
    calendar_id: String,
    /// Only events ending after this time: RFC 3339 with a UTC offset, e.g.
    /// `2025-03-10T00:00:00-07:00` or `2025-03-10T07:00:00Z`.
    #[schemars(extend("format" = "date-time"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    time_min: Option<String>,
    /// Only events starting before this time: RFC 3339 with a UTC offset.
    #[schemars(extend("format" = "date-time"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    time_max: Option<String>,
    /// IANA time zone for the times in the answer, e.g. `Europe/Berlin` (default: the
    /// calendar's time zone).
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    /// Free text matched against summary, description, location, attendees and organizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    q: Option<String>,
    /// Expand recurring events into their single occurrences (default true). With false, a
    /// recurring event appears once, as its series.
    #[serde(default = "yes")]
    single_events: bool,
    /// Order of the events: `startTime`, earliest first (the default when `singleEvents` is true;
    /// needs it), or `updated`, least recently modified first.
    #[serde(skip_serializing_if = "Option::is_none")]
    order_by: Option<OrderBy>,
    /// Events per page at most, 1 to 2500 (default 250).
    #[schemars(range(min = 1, max = 2500))]
    #[serde(skip_serializing_if = "Option::is_none")]
    max_results: Option<u32>,
    /// `nextPageToken` of the previous answer, to fetch the page after it (with the same
    /// other parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    page_token: Option<String>,
    /// Also list cancelled events (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    show_deleted: Option<bool>,
}

fn yes() -> bool {
    true
}

fn list_events(mut input: ListEvents, _: &Context) -> Result<Passthrough, Error> {
    for (name, value) in [("timeMin", &input.time_min), ("timeMax", &input.time_max)] {
        if let Some(value) = value {
            instant(name, value)?;
        }
    }
    if input.order_by == Some(OrderBy::StartTime) && !input.single_events {
        return Err(Error::invalid_input(
            "`orderBy: startTime` needs `singleEvents: true`",
        ));
    }
    if input.single_events && input.order_by.is_none() {
        input.order_by = Some(OrderBy::StartTime);
    }
    api()
        .get(&path!("/calendars/{}/events", input.calendar_id))
        .query(&input)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct GetEvent {
    /// Calendar id, or `primary` (the default) for the user's main calendar.
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary", skip_serializing)]
    calendar_id: String,
    /// The event's `id`, as GOOGLE_CALENDAR_LIST_EVENTS returns it.
    #[serde(skip_serializing)]
    event_id: String,
    /// IANA time zone for the times in the answer, e.g. `America/New_York` (default: the
    /// calendar's time zone).
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
}

fn get_event(input: GetEvent, _: &Context) -> Result<Passthrough, Error> {
    api()
        .get(&event_path(&input.calendar_id, &input.event_id))
        .query(&input)
        .send()?
        .json()
}

fn event_path(calendar_id: &str, event_id: &str) -> String {
    path!("/calendars/{}/events/{}", calendar_id, event_id)
}

/// A start or end: `dateTime` for a timed event, or `date` for an all-day one (exactly one).
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct When {
    /// Time of a timed event, RFC 3339, e.g. `2025-03-10T09:00:00-07:00`. The UTC offset may be
    /// left out (`2025-03-10T09:00:00`) when `timeZone` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    date_time: Option<String>,
    /// Day of an all-day event, `YYYY-MM-DD`. The end date is exclusive: a one-day event on
    /// March 10 has start `2025-03-10` and end `2025-03-11`.
    #[schemars(extend("format" = "date"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    /// IANA time zone, e.g. `Europe/Paris`. Needed for recurring events and for a `dateTime`
    /// without offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
}

/// A checked start or end: an all-day date or an instant (when it has an offset).
enum Moment {
    Day(NaiveDate),
    Instant(Option<DateTime<FixedOffset>>),
}

impl When {
    fn check(&self, name: &str) -> Result<Moment, Error> {
        match (&self.date_time, &self.date) {
            (Some(_), Some(_)) | (None, None) => Err(Error::invalid_input(format!(
                "`{name}` needs exactly one of `dateTime` (timed event) or `date` (all-day event)"
            ))),
            (None, Some(date)) => NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map(Moment::Day)
                .map_err(|_| {
                    Error::invalid_input(format!(
                        "`{name}.date` must be a date `YYYY-MM-DD`, got {date:?}"
                    ))
                }),
            (Some(text), None) => {
                if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                    return Ok(Moment::Instant(Some(at)));
                }
                let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").is_ok();
                match (local, &self.time_zone) {
                    (true, Some(_)) => Ok(Moment::Instant(None)),
                    (true, None) => Err(Error::invalid_input(format!(
                        "`{name}.dateTime` {text:?} has no UTC offset: add one (`-07:00`, `Z`) or give `{name}.timeZone`"
                    ))),
                    (false, _) => Err(Error::invalid_input(format!(
                        "`{name}.dateTime` must be an RFC 3339 date-time such as `2025-03-10T09:00:00-07:00`, got {text:?}"
                    ))),
                }
            }
        }
    }
}

/// Checks a start and end pair: both all-day or both timed, the end after the start where
/// that can be told without a time zone database, and a time zone on both for a series.
fn check_span(start: &When, end: &When, recurring: bool) -> Result<(), Error> {
    let later = match (start.check("start")?, end.check("end")?) {
        (Moment::Day(a), Moment::Day(b)) => b > a,
        (Moment::Instant(Some(a)), Moment::Instant(Some(b))) => b > a,
        (Moment::Instant(_), Moment::Instant(_)) => true,
        _ => {
            return Err(Error::invalid_input(
                "`start` and `end` must both be `date` (all-day) or both `dateTime` (timed)",
            ));
        }
    };
    if !later {
        return Err(Error::invalid_input("`end` must be after `start`"));
    }
    if recurring && (start.time_zone.is_none() || end.time_zone.is_none()) {
        return Err(Error::invalid_input(
            "a recurring event needs `start.timeZone` and `end.timeZone` (an IANA name such as `Europe/Paris`)",
        ));
    }
    Ok(())
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Attendee {
    /// The guest's e-mail address.
    #[schemars(email)]
    email: String,
    /// Name to show for the guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    /// An optional guest (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    optional: Option<bool>,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ReminderMethod {
    Popup,
    Email,
}

#[derive(Deserialize, Serialize, JsonSchema)]
struct Reminder {
    /// How the reminder reaches the user: `popup` (a notification in Google Calendar's apps) or
    /// `email`.
    method: ReminderMethod,
    /// Minutes before the start, 0 to 40320 (four weeks).
    #[schemars(range(min = 0, max = 40320))]
    minutes: u32,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Reminders {
    /// true: the calendar's default reminders; false: only `overrides` (none if empty).
    use_default: bool,
    /// Up to 5 reminders instead of the defaults; only with `useDefault: false`.
    #[schemars(length(max = 5))]
    #[serde(skip_serializing_if = "Option::is_none")]
    overrides: Option<Vec<Reminder>>,
}

impl Reminders {
    fn check(&self) -> Result<(), Error> {
        if self.use_default && self.overrides.as_ref().is_some_and(|o| !o.is_empty()) {
            return Err(Error::invalid_input(
                "`reminders.overrides` needs `reminders.useDefault: false`",
            ));
        }
        Ok(())
    }
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Transparency {
    Opaque,
    Transparent,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Visibility {
    Default,
    Public,
    Private,
    Confidential,
}

// The parts of an event that creating and changing it share (no doc comment: flattened).
#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Details {
    /// Title of the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    /// Description; may contain HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    /// Where it takes place, as free text (an address or a room name).
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    /// Guests to invite.
    #[serde(skip_serializing_if = "Option::is_none")]
    attendees: Option<Vec<Attendee>>,
    /// RFC 5545 lines that make the event recurring, e.g. `RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10`
    /// or `EXDATE;TZID=Europe/Paris:20250317T090000` (no DTSTART: `start` is the first
    /// occurrence). Needs `timeZone` on `start` and `end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    recurrence: Option<Vec<String>>,
    /// Reminders for the user (default: the calendar's default reminders).
    #[serde(skip_serializing_if = "Option::is_none")]
    reminders: Option<Reminders>,
    /// `opaque` (default) shows the time as busy, `transparent` as free.
    #[serde(skip_serializing_if = "Option::is_none")]
    transparency: Option<Transparency>,
    /// Who may see the event's details: `default` (the calendar's setting), `public`,
    /// `private` or `confidential`.
    #[serde(skip_serializing_if = "Option::is_none")]
    visibility: Option<Visibility>,
}

impl Details {
    fn check(&self) -> Result<(), Error> {
        match &self.reminders {
            Some(reminders) => reminders.check(),
            None => Ok(()),
        }
    }

    fn recurring(&self) -> bool {
        self.recurrence.as_ref().is_some_and(|r| !r.is_empty())
    }
}

/// Query parameters of insert and patch.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WriteQuery {
    /// 1 makes Google read `conferenceData` (a Meet link to create).
    #[serde(skip_serializing_if = "Option::is_none")]
    conference_data_version: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_updates: Option<SendUpdates>,
}

impl WriteQuery {
    fn new(meet: bool, send_updates: Option<SendUpdates>) -> Self {
        WriteQuery {
            conference_data_version: meet.then_some(1),
            send_updates,
        }
    }
}

/// `conferenceData` asking Google to create a Meet link. Google ignores a second create request
/// with the same `requestId`, so the id is derived from what names the request.
fn meet_request(request_id: String) -> Value {
    json!({"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}})
}

/// A request id Google has not seen: the time of the call and the request's own words hashed.
fn fresh_request_id(words: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut hasher);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("actionhost-{nanos:x}-{:016x}", hasher.finish())
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CreateEvent {
    /// Calendar to add the event to: an id from GOOGLE_CALENDAR_LIST_CALENDARS, or `primary`
    /// (the default).
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary", skip_serializing)]
    calendar_id: String,
    /// When the event starts.
    start: When,
    /// When the event ends (exclusive; for all-day events the day after the last day).
    end: When,
    #[serde(flatten)]
    details: Details,
    /// Add a Google Meet video link to the event (default false).
    #[schemars(extend("default" = false))]
    #[serde(default, skip_serializing)]
    create_meet_link: bool,
    /// Whom Google e-mails an invitation: `all` guests, `externalOnly` or `none` (Google's
    /// default).
    #[serde(skip_serializing)]
    send_updates: Option<SendUpdates>,
}

fn create_event(input: CreateEvent, _: &Context) -> Result<Passthrough, Error> {
    check_span(&input.start, &input.end, input.details.recurring())?;
    input.details.check()?;
    let mut body = serde_json::to_value(&input)?;
    if input.create_meet_link {
        let words = [
            input.calendar_id.as_str(),
            input.details.summary.as_deref().unwrap_or(""),
        ];
        body["conferenceData"] = meet_request(fresh_request_id(&words));
    }
    api()
        .post(&path!("/calendars/{}/events", input.calendar_id))
        .query(&WriteQuery::new(input.create_meet_link, input.send_updates))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct UpdateEvent {
    /// Calendar of the event, or `primary` (the default).
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary", skip_serializing)]
    calendar_id: String,
    /// The event's `id`. For one occurrence of a recurring event, the occurrence's id (from
    /// GOOGLE_CALENDAR_LIST_EVENTS with `singleEvents`); the series' id changes every occurrence.
    #[serde(skip_serializing)]
    event_id: String,
    /// New start (give `end` too when the length changes).
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<When>,
    /// New end.
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<When>,
    #[serde(flatten)]
    details: Details,
    /// Add a Google Meet video link (default false: the conference stays as it is).
    #[schemars(extend("default" = false))]
    #[serde(default, skip_serializing)]
    create_meet_link: bool,
    /// Whom Google e-mails about the change: `all` guests, `externalOnly` or `none` (Google's
    /// default).
    #[serde(skip_serializing)]
    send_updates: Option<SendUpdates>,
}

fn update_event(input: UpdateEvent, _: &Context) -> Result<Passthrough, Error> {
    match (&input.start, &input.end) {
        (Some(start), Some(end)) => check_span(start, end, input.details.recurring())?,
        (Some(one), None) => {
            one.check("start")?;
        }
        (None, Some(one)) => {
            one.check("end")?;
        }
        (None, None) => {}
    }
    input.details.check()?;
    let mut body = serde_json::to_value(&input)?;
    let Some(fields) = body.as_object_mut() else {
        return Err(Error::internal("an event change serializes to an object"));
    };
    if fields.is_empty() && !input.create_meet_link {
        return Err(Error::invalid_input(
            "nothing to change: give at least one field besides `calendarId` and `eventId`",
        ));
    }
    if input.create_meet_link {
        // One id per event: repeating the same change never creates a second Meet link.
        let request_id = format!("actionhost-meet-{}", input.event_id);
        fields.insert("conferenceData".into(), meet_request(request_id));
    }
    api()
        .patch(&event_path(&input.calendar_id, &input.event_id))
        .query(&WriteQuery::new(input.create_meet_link, input.send_updates))
        .json(&body)
        .send()?
        .json()
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct DeleteEvent {
    /// Calendar of the event, or `primary` (the default).
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary", skip_serializing)]
    calendar_id: String,
    /// The event's `id`. A recurring series' id deletes every occurrence; an occurrence's id
    /// only that one.
    #[serde(skip_serializing)]
    event_id: String,
    /// Whom Google e-mails the cancellation: `all` guests, `externalOnly` or `none` (Google's
    /// default).
    #[serde(skip_serializing_if = "Option::is_none")]
    send_updates: Option<SendUpdates>,
}

/// What GOOGLE_CALENDAR_DELETE_EVENT returns (Google answers with no body).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Deleted {
    /// Always true: the event is deleted.
    deleted: bool,
    /// The calendar it was on, as given.
    calendar_id: String,
    /// The deleted event's id.
    event_id: String,
}

fn delete_event(input: DeleteEvent, _: &Context) -> Result<Deleted, Error> {
    api()
        .delete(&event_path(&input.calendar_id, &input.event_id))
        .query(&input)
        .send()?;
    Ok(Deleted {
        deleted: true,
        calendar_id: input.calendar_id,
        event_id: input.event_id,
    })
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum ResponseStatus {
    Accepted,
    Declined,
    Tentative,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct RespondToEvent {
    /// Calendar on which the user sees the invitation, or `primary` (the default).
    #[schemars(extend("default" = "primary"))]
    #[serde(default = "primary")]
    calendar_id: String,
    /// The event's `id`; an occurrence's id answers for that occurrence only.
    event_id: String,
    /// The answer: `accepted`, `declined` or `tentative`.
    response_status: ResponseStatus,
    /// A note for the organizer with the answer; replaces an earlier note.
    comment: Option<String>,
    /// Whom Google e-mails about the answer: `all`, `externalOnly` or `none` (Google's default).
    send_updates: Option<SendUpdates>,
}

/// Answers an invitation: reads the event for the user's own attendee entry (`self: true`), then
/// patches only that entry. `attendeesOmitted: true` tells Google the list is partial, so the
/// other guests stay as they are.
fn respond_to_event(input: RespondToEvent, _: &Context) -> Result<Passthrough, Error> {
    let path = event_path(&input.calendar_id, &input.event_id);
    // With more guests than `maxAttendees`, Google returns only the user's own entry.
    let event: Value = api()
        .get(&path)
        .query(&[("maxAttendees", "1")])
        .send()?
        .json()?;
    let own = event
        .get("attendees")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter()
                .find(|a| a.get("self") == Some(&Value::Bool(true)))
        });
    let Some(Value::Object(own)) = own else {
        return Err(Error::invalid_input(format!(
            "the user is not a guest of event {:?}, so there is no invitation to answer",
            input.event_id
        )));
    };
    let mut own = own.clone();
    own.remove("self");
    own.insert("responseStatus".into(), json!(input.response_status));
    if let Some(comment) = input.comment {
        own.insert("comment".into(), comment.into());
    }
    api()
        .patch(&path)
        .query(&WriteQuery::new(false, input.send_updates))
        .json(&json!({"attendeesOmitted": true, "attendees": [own]}))
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct FindFreeTime {
    /// Start of the window to search: RFC 3339 with a UTC offset, e.g.
    /// `2025-03-10T09:00:00-07:00`. The answer's times use this offset.
    #[schemars(extend("format" = "date-time"))]
    time_min: String,
    /// End of the window: RFC 3339 with a UTC offset, after `timeMin`.
    #[schemars(extend("format" = "date-time"))]
    time_max: String,
    /// Length of the wanted slot in minutes, e.g. 30.
    #[schemars(range(min = 1))]
    duration_minutes: u32,
    /// Calendars that must all be free: calendar ids, or people's e-mail addresses for their
    /// primary calendars (default `["primary"]`, the user's own). 1 to 50.
    #[schemars(length(min = 1, max = 50), extend("default" = ["primary"]))]
    #[serde(default = "primary_only")]
    calendar_ids: Vec<String>,
}

fn primary_only() -> Vec<String> {
    vec![primary()]
}

/// A span of time; both ends RFC 3339 in the offset of the request's `timeMin`.
#[derive(Serialize, JsonSchema, Debug, PartialEq)]
struct Span {
    /// Start (inclusive).
    start: String,
    /// End (exclusive).
    end: String,
}

/// What GOOGLE_CALENDAR_FIND_FREE_TIME returns.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct FreeTime {
    /// The searched window's start, as given.
    time_min: String,
    /// The searched window's end, as given.
    time_max: String,
    /// The requested slot length in minutes.
    duration_minutes: u32,
    /// Free stretches in the window, earliest first, each at least `durationMinutes` long,
    /// during which every calendar in `busy` is free. A meeting can start anywhere from a
    /// slot's `start` to its `end` minus the duration. Empty when nothing fits.
    free_slots: Vec<Span>,
    /// Busy spans per calendar id, as Google reported them within the window.
    busy: BTreeMap<String, Vec<Span>>,
    /// Calendars whose availability Google would not give, with Google's reasons (`notFound`:
    /// no such calendar or no access); they are left out of `freeSlots`.
    unavailable: BTreeMap<String, Vec<String>>,
}

/// Parses an RFC 3339 date-time with offset, naming the parameter when it is not one.
fn instant(name: &str, text: &str) -> Result<DateTime<FixedOffset>, Error> {
    DateTime::parse_from_rfc3339(text).map_err(|_| {
        Error::invalid_input(format!(
            "`{name}` must be an RFC 3339 date-time with a UTC offset, such as `2025-03-10T09:00:00-07:00`, got {text:?}"
        ))
    })
}

fn find_free_time(input: FindFreeTime, _: &Context) -> Result<FreeTime, Error> {
    let window = (
        instant("timeMin", &input.time_min)?,
        instant("timeMax", &input.time_max)?,
    );
    if window.1 <= window.0 {
        return Err(Error::invalid_input("`timeMax` must be after `timeMin`"));
    }
    if input.duration_minutes == 0 {
        return Err(Error::invalid_input("`durationMinutes` must be at least 1"));
    }
    let items: Vec<Value> = input
        .calendar_ids
        .iter()
        .map(|id| json!({"id": id}))
        .collect();
    let response = api()
        .post("/freeBusy")
        .json(&json!({"timeMin": input.time_min, "timeMax": input.time_max, "items": items}))
        .send()?;

    #[derive(Deserialize)]
    struct FreeBusy {
        #[serde(default)]
        calendars: BTreeMap<String, Calendar>,
    }
    #[derive(Deserialize)]
    struct Calendar {
        #[serde(default)]
        busy: Vec<Period>,
        #[serde(default)]
        errors: Vec<Problem>,
    }
    #[derive(Deserialize)]
    struct Period {
        start: String,
        end: String,
    }
    #[derive(Deserialize)]
    struct Problem {
        reason: String,
    }
    let answer: FreeBusy = response.json()?;
    let offset = *window.0.offset();
    let show = |at: DateTime<FixedOffset>| {
        at.with_timezone(&offset)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true)
    };
    let mut busy = BTreeMap::new();
    let mut unavailable = BTreeMap::new();
    let mut taken = Vec::new();
    for (id, calendar) in answer.calendars {
        if !calendar.errors.is_empty() {
            unavailable.insert(id, calendar.errors.into_iter().map(|e| e.reason).collect());
            continue;
        }
        let mut spans = Vec::new();
        for period in calendar.busy {
            let parse = |text: &str| {
                DateTime::parse_from_rfc3339(text).map_err(|_| {
                    Error::internal(format!("Google's busy time {text:?} is not RFC 3339"))
                })
            };
            let (start, end) = (
                parse(&period.start)?.max(window.0),
                parse(&period.end)?.min(window.1),
            );
            if start < end {
                spans.push(Span {
                    start: show(start),
                    end: show(end),
                });
                taken.push((start, end));
            }
        }
        busy.insert(id, spans);
    }
    if busy.is_empty() {
        let reasons: Vec<String> = unavailable
            .iter()
            .map(|(id, why): (&String, &Vec<String>)| format!("{id}: {}", why.join(", ")))
            .collect();
        let message = format!(
            "Google gave the availability of none of the calendars ({})",
            reasons.join("; ")
        );
        let all_missing = unavailable.values().flatten().all(|r| r == "notFound");
        return Err(if all_missing && !unavailable.is_empty() {
            Error::not_found(message)
        } else {
            response.upstream_error(message)
        });
    }
    let length = chrono::Duration::minutes(i64::from(input.duration_minutes));
    let free_slots = free_between(window.0, window.1, taken, length)
        .into_iter()
        .map(|(start, end)| Span {
            start: show(start),
            end: show(end),
        })
        .collect();
    Ok(FreeTime {
        time_min: input.time_min,
        time_max: input.time_max,
        duration_minutes: input.duration_minutes,
        free_slots,
        busy,
        unavailable,
    })
}

type At = DateTime<FixedOffset>;

/// The gaps of at least `length` between `from` and `to` that no busy span covers.
fn free_between(
    from: At,
    to: At,
    mut busy: Vec<(At, At)>,
    length: chrono::Duration,
) -> Vec<(At, At)> {
    busy.sort();
    let mut free = Vec::new();
    let mut cursor = from;
    for (start, end) in busy {
        if start > cursor && start - cursor >= length {
            free.push((cursor, start));
        }
        cursor = cursor.max(end);
    }
    if to > cursor && to - cursor >= length {
        free.push((cursor, to));
    }
    free
}

/// Checks the new credential by reading the user's primary calendar, whose id is the user's
/// e-mail address, and labels the account with it. A credential without the calendar-list
/// scope (an operator's narrower choice) is kept, unlabelled.
fn after_connect(_: &Context) -> Result<ConnectedAccount, Error> {
    let primary = match api().get("/users/me/calendarList/primary").send() {
        Ok(response) => response.json::<Value>()?,
        Err(Error::Upstream { status: 403, .. }) => return Ok(ConnectedAccount::default()),
        Err(other) => return Err(other),
    };
    Ok(match primary.get("id").and_then(Value::as_str) {
        Some(id) => ConnectedAccount::labelled(id),
        None => ConnectedAccount::default(),
    })
}

/// Scope names in full, narrowest first.
macro_rules! scopes {
    ($($name:literal),+ $(,)?) => {
        &[$(concat!("https://www.googleapis.com/auth/", $name)),+]
    };
}

/// Listing calendars: the calendar list (read) is the narrowest; broader grants also do.
const LIST_CALENDARS: &[&str] = scopes!(
    "calendar.calendarlist.readonly",
    "calendar.calendarlist",
    "calendar.readonly",
    "calendar",
);
/// Reading events on any calendar the user can see.
const READ_EVENTS: &[&str] = scopes!(
    "calendar.events.readonly",
    "calendar.events",
    "calendar.readonly",
    "calendar",
);
/// Writing events on any calendar the user can edit (`calendar.events.owned` reaches only the
/// user's own calendars, so it is not enough for invitations on shared ones).
const WRITE_EVENTS: &[&str] = scopes!("calendar.events", "calendar");
/// Answering an invitation reads and then patches the event.
const RESPOND: &[&str] = WRITE_EVENTS;
/// Free/busy of any calendar the user can see, people's included.
const FREE_BUSY: &[&str] = scopes!(
    "calendar.events.freebusy",
    "calendar.freebusy",
    "calendar.readonly",
    "calendar",
);

/// What a new account is asked for: one grant per family of actions, each the narrowest that
/// serves them all.
const DEFAULT_SCOPES: &[&str] = scopes!(
    "calendar.calendarlist.readonly",
    "calendar.events",
    "calendar.events.freebusy",
);

pub fn provider() -> Provider {
    Provider::new("google_calendar", "Google Calendar")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Calendars, events, invitations and free time in Google Calendar.")
        .categories(&["productivity", "calendar"])
        .auth(Auth::bearer_oauth2(
            google::oauth(DEFAULT_SCOPES),
        ))
        .origin("https://www.googleapis.com")
        .after_connect(after_connect)
        .action(Action::new(
            "GOOGLE_CALENDAR_LIST_CALENDARS",
            "List the calendars in the user's calendar list (own, shared and subscribed) with their ids, names, time zones and the user's access role. Use to find a calendar id before listing or creating events on a calendar other than `primary`. Returns Google's CalendarList: `items` and, when there are more, `nextPageToken` to pass as `pageToken`.",
            list_calendars,
        ).read_only().any_scope(LIST_CALENDARS))
        .action(Action::new(
            "GOOGLE_CALENDAR_LIST_EVENTS",
            "List or search events of one calendar, optionally within a time range (`timeMin`/`timeMax`) and matching free text (`q`). Recurring events are expanded into occurrences and sorted by start time unless told otherwise. Use to see what is scheduled or to find an event's id; to find open time across calendars use GOOGLE_CALENDAR_FIND_FREE_TIME. Returns Google's Events list: `items` (each with `id`, `summary`, `start`, `end`, `attendees`, `htmlLink`) and, while more events match, `nextPageToken` (a page may hold fewer than `maxResults` even then).",
            list_events,
        ).read_only().any_scope(READ_EVENTS))
        .action(Action::new(
            "GOOGLE_CALENDAR_GET_EVENT",
            "Get one event by its id, with its title, times, location, description, guests and their answers, recurrence, reminders and Meet link (`hangoutLink`).",
            get_event,
        ).read_only().any_scope(READ_EVENTS))
        .action(Action::new(
            "GOOGLE_CALENDAR_CREATE_EVENT",
            "Create an event: a timed one (`start.dateTime`/`end.dateTime`) or an all-day one (`start.date`/`end.date`), with optional guests, location, description, recurrence, reminders and a Google Meet link (`createMeetLink`). Guests are e-mailed only with `sendUpdates`. Returns the created event with its `id` and `htmlLink`.",
            create_event,
        ).any_scope(WRITE_EVENTS))
        .action(Action::new(
            "GOOGLE_CALENDAR_UPDATE_EVENT",
            "Change an existing event: only the fields given change, the rest stay (a list such as `attendees` or `recurrence` is replaced as a whole, so send the full new list). Can also add a Google Meet link. To answer an invitation use GOOGLE_CALENDAR_RESPOND_TO_EVENT instead. Returns the updated event.",
            update_event,
        ).idempotent().any_scope(WRITE_EVENTS))
        .action(Action::new(
            "GOOGLE_CALENDAR_DELETE_EVENT",
            "Delete an event (or a whole recurring series, by the series' id) from a calendar; the organizer's delete cancels it for every guest. Returns `{\"deleted\": true, \"calendarId\", \"eventId\"}`.",
            delete_event,
        ).destructive().idempotent().any_scope(WRITE_EVENTS))
        .action(Action::new(
            "GOOGLE_CALENDAR_FIND_FREE_TIME",
            "Find free time of a given length (`durationMinutes`) that is open on every listed calendar (the user's and other people's, by e-mail) between `timeMin` and `timeMax`, from Google's free/busy data. Use to propose meeting times; it does not look at working hours. Returns `freeSlots` (start/end of each free stretch long enough), the `busy` spans per calendar, and calendars Google would not reveal under `unavailable`.",
            find_free_time,
        ).read_only().any_scope(FREE_BUSY))
        .action(Action::new(
            "GOOGLE_CALENDAR_RESPOND_TO_EVENT",
            "Answer an invitation the user received: accept, decline or say maybe (`tentative`), with an optional note to the organizer. Changes only the user's own answer. Returns the updated event.",
            respond_to_event,
        ).idempotent().any_scope(RESPOND))
}

actionhost_sdk::export_provider!(provider);

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> At {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn free_time_is_the_gaps_long_enough_between_merged_busy_spans() {
        let busy = vec![
            (at("2025-03-10T10:00:00Z"), at("2025-03-10T11:00:00Z")),
            (at("2025-03-10T10:30:00Z"), at("2025-03-10T11:30:00Z")),
            (at("2025-03-10T11:45:00Z"), at("2025-03-10T12:00:00Z")),
        ];
        let free = free_between(
            at("2025-03-10T09:00:00Z"),
            at("2025-03-10T13:00:00Z"),
            busy,
            chrono::Duration::minutes(30),
        );
        assert_eq!(
            free,
            [
                (at("2025-03-10T09:00:00Z"), at("2025-03-10T10:00:00Z")),
                (at("2025-03-10T12:00:00Z"), at("2025-03-10T13:00:00Z")),
            ]
        );
    }
}
