//! Microsoft Calendar provider: calendars, events, invitations and meeting-time suggestions in
//! Outlook calendars through Microsoft Graph v1.0
//! (<https://learn.microsoft.com/graph/api/resources/calendar-overview>).
//!
//! Graph writes a time as `{"dateTime": "2026-12-01T09:00:00", "timeZone": "..."}`: a wall-clock
//! time without offset and a zone name. Inputs take the same two parts flat (`start`, `end`,
//! `timeZone`, UTC by default), checked here so that a model learns what was wrong before Graph
//! is asked; recurrence is a small shape (`daily` … `yearly`, interval, weekdays, until or count)
//! turned into Graph's `patternedRecurrence`. Answers give times in the zone asked for
//! (`Prefer: outlook.timezone`). Outputs are Graph's JSON as it came, except for the lists
//! (`items` and `next_cursor`, Graph's `@odata.nextLink`) and the actions Graph answers without a
//! body (delete, respond).

use actionhost_sdk::microsoft;
use actionhost_sdk::paginate::{Limits, Paged};
use actionhost_sdk::prelude::*;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde_json::Map;

/// Graph's client asking for the answer's times in `time_zone` (and, for one event, its body as
/// text); `microsoft::list` sends these headers with the next pages too.
fn api(time_zone: &str, text_body: bool) -> Api {
    let api = microsoft::graph().header("Prefer", &format!("outlook.timezone=\"{time_zone}\""));
    if text_body {
        api.header("Prefer", "outlook.body-content-type=\"text\"")
    } else {
        api
    }
}

const UTC: &str = "UTC";

fn utc() -> String {
    UTC.into()
}

/// Checks a time zone name: an IANA name (`Europe/Berlin`, `America/Argentina/Buenos_Aires`,
/// `Etc/GMT+8`) or a Windows one (`W. Europe Standard Time`). Graph knows which exist; this
/// refuses what cannot be one, and anything that would break out of the quoted `Prefer` value.
fn zone<'a>(name: &str, value: &'a str) -> Result<&'a str, Error> {
    let mut chars = value.chars();
    let fits = value.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || " ._+-/".contains(c));
    if fits {
        Ok(value)
    } else {
        Err(Error::invalid_input(format!(
            "`{name}` must be a time zone name, IANA (`Europe/Berlin`) or Windows (`W. Europe Standard Time`), got {value:?}"
        )))
    }
}

/// Parses a wall-clock date-time without offset (`2026-12-01T09:00:00`, seconds optional).
fn wall_clock(name: &str, text: &str) -> Result<NaiveDateTime, Error> {
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at);
        }
    }
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        return Err(Error::invalid_input(format!(
            "`{name}` {text:?} has a UTC offset: give the wall-clock time without it (`2026-12-01T09:00:00`) and the zone in `timeZone`"
        )));
    }
    Err(Error::invalid_input(format!(
        "`{name}` must be a wall-clock date-time `YYYY-MM-DDTHH:MM:SS` such as `2026-12-01T09:00:00`, got {text:?}"
    )))
}

/// Parses a date `YYYY-MM-DD`.
fn day(name: &str, text: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::invalid_input(format!(
            "`{name}` must be a date `YYYY-MM-DD` such as `2026-12-01`, got {text:?}"
        ))
    })
}

/// Checks an instant with offset, as `calendarView` takes its window.
fn instant(name: &str, text: &str) -> Result<(), Error> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|_| ())
        .map_err(|_| {
            Error::invalid_input(format!(
                "`{name}` must be an RFC 3339 date-time with a UTC offset, such as `2026-12-01T00:00:00+01:00` or `2026-12-01T08:00:00Z`, got {text:?}"
            ))
        })
}

/// Graph's `dateTimeTimeZone`.
fn graph_time(at: NaiveDateTime, time_zone: &str) -> Value {
    json!({"dateTime": at.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": time_zone})
}

/// A checked start and end in one zone: Graph's two `dateTimeTimeZone` values and the first day.
struct Span {
    start: Value,
    end: Value,
    first_day: NaiveDate,
}

/// Checks `start` and `end` (wall-clock date-times, or dates for an all-day event, whose end day
/// is exclusive) in `time_zone`, the end after the start.
fn span(start: &str, end: &str, time_zone: &str, all_day: bool) -> Result<Span, Error> {
    let time_zone = zone("timeZone", time_zone)?;
    let (from, to) = if all_day {
        let midnight = |name, text| day(name, text).map(|d| d.and_time(NaiveTime::MIN));
        let refuse = |name: &str, text: &str| {
            Error::invalid_input(format!(
                "`{name}` of an all-day event must be a date `YYYY-MM-DD` (the end day exclusive: one day on December 1 is `2026-12-01` to `2026-12-02`), got {text:?}"
            ))
        };
        (
            midnight("start", start).map_err(|_| refuse("start", start))?,
            midnight("end", end).map_err(|_| refuse("end", end))?,
        )
    } else {
        (wall_clock("start", start)?, wall_clock("end", end)?)
    };
    if to <= from {
        return Err(Error::invalid_input("`end` must be after `start`"));
    }
    Ok(Span {
        start: graph_time(from, time_zone),
        end: graph_time(to, time_zone),
        first_day: from.date(),
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ListCalendars {
    /// Calendars per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    #[serde(default = "fifty")]
    top: u32,
    /// `next_cursor` of the previous answer, to fetch the page after it.
    cursor: Option<String>,
}

fn fifty() -> u32 {
    50
}

/// One page a call: Graph's next page link, if any, becomes `next_cursor`.
const ONE_PAGE: Limits = Limits {
    max_pages: 1,
    max_items: usize::MAX,
};

fn list_calendars(input: ListCalendars, _: &Context) -> Result<Paged<Value>, Error> {
    let first = microsoft::graph()
        .get("/me/calendars")
        .query(&[("$top", input.top)]);
    microsoft::list(input.cursor, ONE_PAGE, first)
}

/// Event properties a list returns: enough to tell events apart and act on them, without the
/// body (GET_EVENT has it).
const LIST_FIELDS: &str = "id,subject,bodyPreview,start,end,isAllDay,location,organizer,attendees,isOnlineMeeting,onlineMeeting,webLink,showAs,responseStatus,type,seriesMasterId,isCancelled,isOrganizer,categories,importance,sensitivity";

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ListEvents {
    /// Start of the window: RFC 3339 with a UTC offset, e.g. `2026-12-01T00:00:00+01:00` or
    /// `2026-12-01T08:00:00Z`. Events ending after it are listed.
    #[schemars(extend("format" = "date-time"))]
    start_date_time: String,
    /// End of the window, after `startDateTime`: RFC 3339 with a UTC offset. Events starting
    /// before it are listed.
    #[schemars(extend("format" = "date-time"))]
    end_date_time: String,
    /// Calendar `id` from MICROSOFT_CALENDAR_LIST_CALENDARS (default: the user's default
    /// calendar).
    calendar_id: Option<String>,
    /// Time zone of the times in the answer: IANA (`Europe/Berlin`) or Windows (`W. Europe
    /// Standard Time`) name (default `UTC`).
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
    /// Events per page, 1 to 100 (default 50).
    #[schemars(range(min = 1, max = 100))]
    #[serde(default = "fifty")]
    top: u32,
    /// `next_cursor` of the previous answer, to fetch the page after it (the window and time zone
    /// must be the same).
    cursor: Option<String>,
}

fn list_events(input: ListEvents, _: &Context) -> Result<Paged<Value>, Error> {
    instant("startDateTime", &input.start_date_time)?;
    instant("endDateTime", &input.end_date_time)?;
    let window = (
        chrono::DateTime::parse_from_rfc3339(&input.start_date_time),
        chrono::DateTime::parse_from_rfc3339(&input.end_date_time),
    );
    if let (Ok(from), Ok(to)) = window
        && to <= from
    {
        return Err(Error::invalid_input(
            "`endDateTime` must be after `startDateTime`",
        ));
    }
    let graph = api(zone("timeZone", &input.time_zone)?, false);
    let path = match &input.calendar_id {
        Some(id) => path!("/me/calendars/{}/calendarView", id),
        None => "/me/calendarView".to_string(),
    };
    let first = graph.get(&path).query(&[
        ("startDateTime", input.start_date_time.as_str()),
        ("endDateTime", input.end_date_time.as_str()),
        ("$orderby", "start/dateTime"),
        ("$select", LIST_FIELDS),
        ("$top", &input.top.to_string()),
    ]);
    microsoft::list(input.cursor, ONE_PAGE, first)
}

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum BodyFormat {
    Text,
    Html,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct GetEvent {
    /// The event's `id`, as MICROSOFT_CALENDAR_LIST_EVENTS returns it (an occurrence of a series
    /// has its own id).
    event_id: String,
    /// Time zone of the times in the answer: IANA or Windows name (default `UTC`).
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
    /// Format of the event's `body`: `text` (default) or `html`, as it was written.
    #[schemars(extend("default" = "text"))]
    #[serde(default = "text")]
    body_format: BodyFormat,
}

fn text() -> BodyFormat {
    BodyFormat::Text
}

fn get_event(input: GetEvent, _: &Context) -> Result<Passthrough, Error> {
    let time_zone = zone("timeZone", &input.time_zone)?;
    api(time_zone, input.body_format == BodyFormat::Text)
        .get(&event_path(&input.event_id))
        .send()?
        .json()
}

fn event_path(event_id: &str) -> String {
    path!("/me/events/{}", event_id)
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum AttendeeType {
    #[default]
    Required,
    Optional,
    Resource,
}

#[derive(Deserialize, JsonSchema)]
struct Attendee {
    /// The guest's e-mail address (or a room's or resource's).
    #[schemars(email)]
    email: String,
    /// Name to show for the guest.
    name: Option<String>,
    /// `required` (default), `optional`, or `resource` for a room or equipment.
    #[serde(default, rename = "type")]
    kind: AttendeeType,
}

/// Graph's `attendee`, after a light check of the address.
fn graph_attendees(attendees: &[Attendee]) -> Result<Vec<Value>, Error> {
    attendees
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let plausible = a.email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !a.email.contains(char::is_whitespace)
            });
            if !plausible {
                return Err(Error::invalid_input(format!(
                    "`attendees[{i}].email` must be an e-mail address, got {:?}",
                    a.email
                )));
            }
            let mut address = json!({"address": a.email});
            if let Some(name) = &a.name {
                address["name"] = name.as_str().into();
            }
            Ok(json!({"emailAddress": address, "type": a.kind}))
        })
        .collect()
}

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum DayOfWeek {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Weekday> for DayOfWeek {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Mon => DayOfWeek::Monday,
            Weekday::Tue => DayOfWeek::Tuesday,
            Weekday::Wed => DayOfWeek::Wednesday,
            Weekday::Thu => DayOfWeek::Thursday,
            Weekday::Fri => DayOfWeek::Friday,
            Weekday::Sat => DayOfWeek::Saturday,
            Weekday::Sun => DayOfWeek::Sunday,
        }
    }
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum WeekOfMonth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

/// How an event repeats. The first occurrence is the event's `start`.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Recurrence {
    /// `daily`, `weekly`, `monthly` or `yearly`.
    frequency: Frequency,
    /// Every how many days, weeks, months or years, 1 to 99 (default 1: every one).
    #[schemars(range(min = 1, max = 99))]
    #[serde(default = "one")]
    interval: u32,
    /// `weekly`: the weekdays it falls on (default: the weekday of `start`). `monthly` or
    /// `yearly` with `weekOfMonth`: the weekday in that week (default: the weekday of `start`).
    /// Not for `daily`.
    days_of_week: Option<Vec<DayOfWeek>>,
    /// `monthly` or `yearly` only: repeat on a weekday of the given week of the month (`first`,
    /// `second`, `third`, `fourth` or `last`), as in "the second Tuesday". Without it the event
    /// repeats on the day of the month of `start` (and, yearly, in its month).
    week_of_month: Option<WeekOfMonth>,
    /// Last day an occurrence may fall on, `YYYY-MM-DD`, inclusive. At most one of `until` and
    /// `count`; with neither, the series has no end.
    #[schemars(extend("format" = "date"))]
    until: Option<String>,
    /// Number of occurrences in all, at least 1.
    #[schemars(range(min = 1))]
    count: Option<u32>,
}

fn one() -> u32 {
    1
}

impl Recurrence {
    /// Graph's `patternedRecurrence` for a series whose first occurrence is on `first_day`.
    fn to_graph(&self, first_day: NaiveDate) -> Result<Value, Error> {
        if !(1..=99).contains(&self.interval) {
            return Err(Error::invalid_input(
                "`recurrence.interval` must be 1 to 99",
            ));
        }
        let days = match (&self.days_of_week, self.frequency) {
            (Some(_), Frequency::Daily) => {
                return Err(Error::invalid_input(
                    "`recurrence.daysOfWeek` is not for a `daily` series: use `weekly` with the days",
                ));
            }
            (Some(days), _) if days.is_empty() => {
                return Err(Error::invalid_input(
                    "`recurrence.daysOfWeek` must name at least one day",
                ));
            }
            (Some(days), _) => days.clone(),
            (None, _) => vec![first_day.weekday().into()],
        };
        let relative = match (self.week_of_month, self.frequency) {
            (Some(week), Frequency::Monthly | Frequency::Yearly) => Some(week),
            (Some(_), _) => {
                return Err(Error::invalid_input(
                    "`recurrence.weekOfMonth` is only for a `monthly` or `yearly` series",
                ));
            }
            (None, _) => None,
        };
        if self.days_of_week.is_some()
            && relative.is_none()
            && matches!(self.frequency, Frequency::Monthly | Frequency::Yearly)
        {
            return Err(Error::invalid_input(
                "`recurrence.daysOfWeek` in a `monthly` or `yearly` series needs `weekOfMonth` (e.g. `second` for \"the second Tuesday\")",
            ));
        }
        let interval = self.interval;
        let pattern = match (self.frequency, relative) {
            (Frequency::Daily, _) => json!({"type": "daily", "interval": interval}),
            (Frequency::Weekly, _) => {
                json!({"type": "weekly", "interval": interval, "daysOfWeek": days})
            }
            (Frequency::Monthly, None) => json!({
                "type": "absoluteMonthly", "interval": interval, "dayOfMonth": first_day.day()
            }),
            (Frequency::Monthly, Some(week)) => json!({
                "type": "relativeMonthly", "interval": interval, "daysOfWeek": days, "index": week
            }),
            (Frequency::Yearly, None) => json!({
                "type": "absoluteYearly", "interval": interval,
                "dayOfMonth": first_day.day(), "month": first_day.month()
            }),
            (Frequency::Yearly, Some(week)) => json!({
                "type": "relativeYearly", "interval": interval, "daysOfWeek": days,
                "index": week, "month": first_day.month()
            }),
        };
        let start_date = first_day.format("%Y-%m-%d").to_string();
        let range = match (&self.until, self.count) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "give at most one of `recurrence.until` and `recurrence.count`",
                ));
            }
            (Some(until), None) => {
                let last = day("recurrence.until", until)?;
                if last < first_day {
                    return Err(Error::invalid_input(
                        "`recurrence.until` must not be before the first occurrence (`start`)",
                    ));
                }
                json!({"type": "endDate", "startDate": start_date, "endDate": until})
            }
            (None, Some(0)) => {
                return Err(Error::invalid_input(
                    "`recurrence.count` must be at least 1",
                ));
            }
            (None, Some(count)) => {
                json!({"type": "numbered", "startDate": start_date, "numberOfOccurrences": count})
            }
            (None, None) => json!({"type": "noEnd", "startDate": start_date}),
        };
        Ok(json!({"pattern": pattern, "range": range}))
    }
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
enum ShowAs {
    Free,
    Tentative,
    Busy,
    Oof,
    WorkingElsewhere,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Importance {
    Low,
    Normal,
    High,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Sensitivity {
    Normal,
    Personal,
    Private,
    Confidential,
}

// What creating and changing an event share (no doc comment: flattened).
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Details {
    /// Description of the event, in the format `bodyType` says.
    body: Option<String>,
    /// Format of `body`: `text` (default) or `html`.
    #[schemars(extend("default" = "text"))]
    body_type: Option<BodyFormat>,
    /// Where it takes place, as free text (an address or a room's name).
    location: Option<String>,
    /// People (and rooms or resources) to invite; Outlook e-mails them an invitation.
    attendees: Option<Vec<Attendee>>,
    /// Add a Microsoft Teams meeting: the answer's `onlineMeeting.joinUrl` is its link (work or
    /// school accounts).
    teams_meeting: Option<bool>,
    /// Minutes before the start to remind the user (default: the user's Outlook setting, usually
    /// 15).
    #[schemars(range(min = 0, max = 40320))]
    reminder_minutes_before_start: Option<u32>,
    /// How the time shows in the user's free/busy: `free`, `tentative`, `busy` (default), `oof`
    /// (out of office) or `workingElsewhere`.
    show_as: Option<ShowAs>,
    /// `low`, `normal` (default) or `high`.
    importance: Option<Importance>,
    /// `normal` (default), `personal`, `private` or `confidential`.
    sensitivity: Option<Sensitivity>,
    /// Outlook category names to tag the event with, e.g. `["Red category"]`.
    categories: Option<Vec<String>>,
}

impl Details {
    /// Adds the given details to a Graph event body.
    fn write(&self, event: &mut Map<String, Value>) -> Result<(), Error> {
        if self.body_type.is_some() && self.body.is_none() {
            return Err(Error::invalid_input("`bodyType` needs `body`"));
        }
        if let Some(body) = &self.body {
            let format = match self.body_type.unwrap_or(BodyFormat::Text) {
                BodyFormat::Text => "text",
                BodyFormat::Html => "html",
            };
            event.insert(
                "body".into(),
                json!({"contentType": format, "content": body}),
            );
        }
        if let Some(location) = &self.location {
            event.insert("location".into(), json!({"displayName": location}));
        }
        if let Some(attendees) = &self.attendees {
            event.insert("attendees".into(), graph_attendees(attendees)?.into());
        }
        if let Some(teams) = self.teams_meeting {
            event.insert("isOnlineMeeting".into(), teams.into());
            if teams {
                event.insert("onlineMeetingProvider".into(), "teamsForBusiness".into());
            }
        }
        if let Some(minutes) = self.reminder_minutes_before_start {
            event.insert("isReminderOn".into(), true.into());
            event.insert("reminderMinutesBeforeStart".into(), minutes.into());
        }
        for (name, value) in [
            ("showAs", serde_json::to_value(&self.show_as)?),
            ("importance", serde_json::to_value(&self.importance)?),
            ("sensitivity", serde_json::to_value(&self.sensitivity)?),
            ("categories", serde_json::to_value(&self.categories)?),
        ] {
            if !value.is_null() {
                event.insert(name.into(), value);
            }
        }
        Ok(())
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct CreateEvent {
    /// Title of the event.
    subject: String,
    /// When it starts: wall-clock date-time in `timeZone`, without offset, e.g.
    /// `2026-12-01T09:00:00`; for an all-day event a date, `2026-12-01`.
    start: String,
    /// When it ends, after `start`, in the same form; for an all-day event the day after the
    /// last day (one day on December 1: `2026-12-02`).
    end: String,
    /// Time zone of `start` and `end`: IANA (`Europe/Berlin`) or Windows (`W. Europe Standard
    /// Time`) name (default `UTC`). The answer's times are in it too.
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
    /// An all-day event (default false): `start` and `end` are dates.
    #[serde(default)]
    is_all_day: bool,
    /// Calendar `id` from MICROSOFT_CALENDAR_LIST_CALENDARS (default: the user's default
    /// calendar).
    calendar_id: Option<String>,
    #[serde(flatten)]
    details: Details,
    /// Make it a series.
    recurrence: Option<Recurrence>,
}

fn create_event(input: CreateEvent, _: &Context) -> Result<Passthrough, Error> {
    if input.subject.trim().is_empty() {
        return Err(Error::invalid_input("`subject` must not be blank"));
    }
    let span = span(&input.start, &input.end, &input.time_zone, input.is_all_day)?;
    let mut event = Map::new();
    event.insert("subject".into(), input.subject.into());
    event.insert("start".into(), span.start);
    event.insert("end".into(), span.end);
    if input.is_all_day {
        event.insert("isAllDay".into(), true.into());
    }
    input.details.write(&mut event)?;
    if let Some(recurrence) = &input.recurrence {
        event.insert("recurrence".into(), recurrence.to_graph(span.first_day)?);
    }
    let path = match &input.calendar_id {
        Some(id) => path!("/me/calendars/{}/events", id),
        None => "/me/events".to_string(),
    };
    api(&input.time_zone, false)
        .post(&path)
        .json(&event)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct UpdateEvent {
    /// The event's `id`. A series' id changes every occurrence; an occurrence's id only that one.
    event_id: String,
    /// New title.
    subject: Option<String>,
    /// New start, wall-clock in `timeZone` (`2026-12-01T09:00:00`; a date for an all-day event).
    /// Give `start` and `end` together.
    start: Option<String>,
    /// New end, in the same form (all-day: the day after the last day).
    end: Option<String>,
    /// Time zone of `start` and `end`: IANA or Windows name (default `UTC`). The answer's times
    /// are in it too.
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
    /// Whether the event is all-day (only with `start` and `end`; default false then).
    is_all_day: Option<bool>,
    #[serde(flatten)]
    details: Details,
    /// A new recurrence for a series, replacing the old one (needs `start` and `end`: the
    /// first occurrence).
    recurrence: Option<Recurrence>,
}

fn update_event(input: UpdateEvent, _: &Context) -> Result<Passthrough, Error> {
    let time_zone = zone("timeZone", &input.time_zone)?;
    let mut event = Map::new();
    if let Some(subject) = &input.subject {
        event.insert("subject".into(), subject.as_str().into());
    }
    let span = match (&input.start, &input.end) {
        (Some(start), Some(end)) => {
            let all_day = input.is_all_day.unwrap_or(false);
            let span = span(start, end, time_zone, all_day)?;
            event.insert("start".into(), span.start.clone());
            event.insert("end".into(), span.end.clone());
            event.insert("isAllDay".into(), all_day.into());
            Some(span)
        }
        (None, None) => None,
        _ => {
            return Err(Error::invalid_input(
                "give `start` and `end` together (both in `timeZone`)",
            ));
        }
    };
    if input.is_all_day.is_some() && span.is_none() {
        return Err(Error::invalid_input(
            "`isAllDay` changes only with `start` and `end`",
        ));
    }
    input.details.write(&mut event)?;
    if let Some(recurrence) = &input.recurrence {
        let Some(span) = &span else {
            return Err(Error::invalid_input(
                "a new `recurrence` needs `start` and `end` (the first occurrence)",
            ));
        };
        event.insert("recurrence".into(), recurrence.to_graph(span.first_day)?);
    }
    if event.is_empty() {
        return Err(Error::invalid_input(
            "nothing to change: give at least one field besides `eventId`",
        ));
    }
    api(time_zone, false)
        .patch(&event_path(&input.event_id))
        .json(&event)
        .send()?
        .json()
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct DeleteEvent {
    /// The event's `id`. A series' id deletes every occurrence; an occurrence's id only that one.
    event_id: String,
    /// A message for the attendees. With it, the organizer's meeting is cancelled with this note
    /// (Graph's `cancel`, organizer only); without it, the event is deleted and, when the user
    /// organizes it, attendees get a plain cancellation.
    cancellation_message: Option<String>,
}

/// What MICROSOFT_CALENDAR_DELETE_EVENT returns (Graph answers with no body).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Deleted {
    /// Always true: the event is gone from the calendar.
    deleted: bool,
    /// The event's id, as given.
    event_id: String,
    /// Whether it was cancelled with `cancellationMessage` sent to the attendees.
    cancellation_sent: bool,
}

fn delete_event(input: DeleteEvent, _: &Context) -> Result<Deleted, Error> {
    let graph = microsoft::graph();
    let path = event_path(&input.event_id);
    match &input.cancellation_message {
        Some(message) => graph
            .post(&format!("{path}/cancel"))
            .json(&json!({"comment": message}))
            .send()?,
        None => graph.delete(&path).send()?,
    };
    Ok(Deleted {
        deleted: true,
        event_id: input.event_id,
        cancellation_sent: input.cancellation_message.is_some(),
    })
}

#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Answer {
    Accept,
    Tentative,
    Decline,
}

/// A time the user proposes instead, for `tentative` or `decline`.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ProposedTime {
    /// Proposed start, wall-clock in `timeZone`, e.g. `2026-12-02T10:00:00`.
    start: String,
    /// Proposed end, after `start`.
    end: String,
    /// Time zone of both: IANA or Windows name (default `UTC`).
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct RespondToEvent {
    /// The invitation's event `id`; an occurrence's id answers for that occurrence only.
    event_id: String,
    /// `accept`, `tentative` (maybe) or `decline`.
    response: Answer,
    /// A note for the organizer with the answer.
    comment: Option<String>,
    /// Send the answer (and `comment`) to the organizer (default true); false only records it
    /// in the user's calendar.
    #[schemars(extend("default" = true))]
    #[serde(default = "yes")]
    send_response: bool,
    /// Propose another time (only with `tentative` or `decline`, and `sendResponse`; the
    /// organizer must allow proposals).
    proposed_new_time: Option<ProposedTime>,
}

fn yes() -> bool {
    true
}

/// An attendee's answer as Graph's `responseType` names it.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
enum ResponseState {
    Accepted,
    TentativelyAccepted,
    Declined,
}

/// What MICROSOFT_CALENDAR_RESPOND_TO_EVENT returns (Graph answers with no body).
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Responded {
    /// The event's id, as given.
    event_id: String,
    /// The user's answer now: `accepted`, `tentativelyAccepted` or `declined`.
    response: ResponseState,
    /// Whether the organizer was told.
    sent_to_organizer: bool,
}

fn respond_to_event(input: RespondToEvent, _: &Context) -> Result<Responded, Error> {
    let (action, response) = match input.response {
        Answer::Accept => ("accept", ResponseState::Accepted),
        Answer::Tentative => ("tentativelyAccept", ResponseState::TentativelyAccepted),
        Answer::Decline => ("decline", ResponseState::Declined),
    };
    let mut body = json!({"sendResponse": input.send_response});
    if let Some(comment) = &input.comment {
        body["comment"] = comment.as_str().into();
    }
    if let Some(proposal) = &input.proposed_new_time {
        if input.response == Answer::Accept {
            return Err(Error::invalid_input(
                "`proposedNewTime` goes with `tentative` or `decline`, not `accept`",
            ));
        }
        if !input.send_response {
            return Err(Error::invalid_input(
                "`proposedNewTime` needs `sendResponse: true`: the organizer must receive it",
            ));
        }
        let span = span(&proposal.start, &proposal.end, &proposal.time_zone, false).map_err(
            |e| match e {
                Error::InvalidInput(m) => Error::invalid_input(format!("proposedNewTime: {m}")),
                other => other,
            },
        )?;
        body["proposedNewTime"] = json!({"start": span.start, "end": span.end});
    }
    microsoft::graph()
        .post(&format!("{}/{action}", event_path(&input.event_id)))
        .json(&body)
        .send()?;
    Ok(Responded {
        event_id: input.event_id,
        response,
        sent_to_organizer: input.send_response,
    })
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ActivityDomain {
    Work,
    Personal,
    Unrestricted,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct FindMeetingTimes {
    /// People (and rooms) who should attend, besides the user (the organizer). Empty: only the
    /// user's own free time.
    #[serde(default)]
    attendees: Vec<Attendee>,
    /// Start of the window to search, wall-clock in `timeZone`, e.g. `2026-12-01T09:00:00`.
    window_start: String,
    /// End of the window, after `windowStart`, e.g. `2026-12-05T17:00:00`.
    window_end: String,
    /// Time zone of the window and of the suggested times: IANA or Windows name (default `UTC`).
    #[schemars(extend("default" = "UTC"))]
    #[serde(default = "utc")]
    time_zone: String,
    /// Length of the meeting in minutes, 1 to 1440 (default 30).
    #[schemars(range(min = 1, max = 1440))]
    #[serde(default = "thirty")]
    duration_minutes: u32,
    /// Hours to consider: `work` (default: each person's working hours), `personal` (working
    /// hours and weekends) or `unrestricted` (any hour, any day).
    #[schemars(extend("default" = "work"))]
    #[serde(default = "work")]
    activity_domain: ActivityDomain,
    /// Suggestions at most, 1 to 100 (Graph's default when left out).
    #[schemars(range(min = 1, max = 100))]
    max_candidates: Option<u32>,
    /// The user need not attend (default false).
    #[serde(default)]
    is_organizer_optional: bool,
    /// Only times at which at least this share of attendees is likely free, 0 to 100 (Graph's
    /// default 50).
    #[schemars(range(min = 0.0, max = 100.0))]
    minimum_attendee_percentage: Option<f64>,
}

fn thirty() -> u32 {
    30
}

fn work() -> ActivityDomain {
    ActivityDomain::Work
}

/// An ISO 8601 duration of whole minutes, as Graph's `Edm.Duration` takes it: `PT1H30M`.
fn duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

fn find_meeting_times(input: FindMeetingTimes, _: &Context) -> Result<Passthrough, Error> {
    if !(1..=1440).contains(&input.duration_minutes) {
        return Err(Error::invalid_input("`durationMinutes` must be 1 to 1440"));
    }
    if let Some(share) = input.minimum_attendee_percentage
        && !(0.0..=100.0).contains(&share)
    {
        return Err(Error::invalid_input(
            "`minimumAttendeePercentage` must be 0 to 100",
        ));
    }
    let window = span(
        &input.window_start,
        &input.window_end,
        &input.time_zone,
        false,
    )
    .map_err(|e| match e {
        Error::InvalidInput(m) => Error::invalid_input(
            m.replace("`start`", "`windowStart`")
                .replace("`end`", "`windowEnd`"),
        ),
        other => other,
    })?;
    let mut body = json!({
        "attendees": graph_attendees(&input.attendees)?,
        "timeConstraint": {
            "activityDomain": input.activity_domain,
            "timeSlots": [{"start": window.start, "end": window.end}]
        },
        "meetingDuration": duration(input.duration_minutes),
        "isOrganizerOptional": input.is_organizer_optional,
        "returnSuggestionReasons": true
    });
    if let Some(max) = input.max_candidates {
        body["maxCandidates"] = max.into();
    }
    if let Some(share) = input.minimum_attendee_percentage {
        body["minimumAttendeePercentage"] = share.into();
    }
    api(&input.time_zone, false)
        .post("/me/findMeetingTimes")
        .json(&body)
        .send()?
        .json()
}

/// Listing calendars: basic calendar reading is the narrowest grant; broader ones also do.
const LIST_CALENDARS: &[&str] = &[
    "Calendars.ReadBasic",
    "Calendars.Read",
    "Calendars.Read.Shared",
    "Calendars.ReadWrite",
];
/// Reading events (`Calendars.ReadBasic` reads them without `body`).
const READ_EVENTS: &[&str] = &[
    "Calendars.ReadBasic",
    "Calendars.Read",
    "Calendars.ReadWrite",
];
/// Creating, changing, deleting and answering events.
const WRITE_EVENTS: &[&str] = &["Calendars.ReadWrite"];
/// Free/busy of the user and the attendees for suggestions.
const FIND_TIMES: &[&str] = &["Calendars.Read", "Calendars.ReadWrite"];

/// What a new account is asked for: the one grant that serves every action.
const DEFAULT_SCOPES: &[&str] = &["Calendars.ReadWrite"];

pub fn provider() -> Provider {
    microsoft::provider("microsoft_calendar", "Microsoft Calendar", DEFAULT_SCOPES)
        .version(env!("CARGO_PKG_VERSION"))
        .description("Calendars, events, Teams meetings, invitations and meeting-time suggestions in Outlook calendars (Microsoft 365 and Outlook.com).")
        .categories(&["productivity", "calendar"])
        .action(Action::new(
            "MICROSOFT_CALENDAR_LIST_CALENDARS",
            "List the user's Outlook calendars with their ids, names, colors, owners, whether each is the default and whether the user can edit it. Use to find a calendar id before listing or creating events on a calendar other than the default. Returns `items` (Graph's calendar objects) and `next_cursor` (pass it as `cursor` for the next page; null on the last).",
            list_calendars,
        ).read_only().any_scope(LIST_CALENDARS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_LIST_EVENTS",
            "List the events of one calendar in a time window (`startDateTime` to `endDateTime`), recurring series expanded into their occurrences, earliest first, with times in `timeZone`. Use to see what is scheduled or to find an event's id; to find a free time with other people use MICROSOFT_CALENDAR_FIND_MEETING_TIMES. Returns `items` (each with `id`, `subject`, `bodyPreview`, `start`, `end`, `location`, `organizer`, `attendees`, `onlineMeeting`, `webLink`, `responseStatus`; no full body) and `next_cursor` (pass it as `cursor` for the next page; null on the last).",
            list_events,
        ).read_only().any_scope(READ_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_GET_EVENT",
            "Get one event by its id with everything about it: subject, body (as text by default), start and end in `timeZone`, location, organizer, attendees and their answers, recurrence, Teams join link (`onlineMeeting.joinUrl`) and `webLink`. Returns Graph's event.",
            get_event,
        ).read_only().any_scope(READ_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_CREATE_EVENT",
            "Create an event in the user's calendar: a timed one (`start`/`end` wall-clock in `timeZone`) or an all-day one (`isAllDay` with dates), with optional body, location, attendees (Outlook e-mails them an invitation at once), recurrence (daily/weekly/monthly/yearly) and a Microsoft Teams meeting link (`teamsMeeting`). Returns the created event with its `id`, `webLink` and, for a Teams meeting, `onlineMeeting.joinUrl`.",
            create_event,
        ).any_scope(WRITE_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_UPDATE_EVENT",
            "Change an existing event: only the fields given change (`attendees` replaces the whole list, so send everyone; `start` and `end` go together). Attendees are sent the update when the user organizes the event. To answer an invitation use MICROSOFT_CALENDAR_RESPOND_TO_EVENT instead. Returns the updated event.",
            update_event,
        ).idempotent().any_scope(WRITE_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_DELETE_EVENT",
            "Delete an event (or a whole series, by the series' id) from the user's calendar; for a meeting the user organizes, attendees get a cancellation, with `cancellationMessage` as its note if given. Returns `{\"deleted\": true, \"eventId\", \"cancellationSent\"}`.",
            delete_event,
        ).destructive().idempotent().any_scope(WRITE_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_RESPOND_TO_EVENT",
            "Answer a meeting invitation the user received: `accept`, `tentative` or `decline`, with an optional comment to the organizer and, for tentative or decline, an optional proposed new time. Returns `{\"eventId\", \"response\", \"sentToOrganizer\"}`.",
            respond_to_event,
        ).idempotent().any_scope(WRITE_EVENTS))
        .action(Action::new(
            "MICROSOFT_CALENDAR_FIND_MEETING_TIMES",
            "Suggest times for a meeting of `durationMinutes` between `windowStart` and `windowEnd` when the user and the attendees are free, from their Outlook free/busy and working hours (work or school accounts only). Use to propose a meeting time before creating the event. Returns Graph's suggestions: `meetingTimeSuggestions` (each with `meetingTimeSlot` start and end in `timeZone`, `confidence` 0-100, `organizerAvailability`, `attendeeAvailability`, `suggestionReason`), or an empty list and `emptySuggestionsReason` (e.g. `attendeesUnavailable`).",
            find_meeting_times,
        ).read_only().any_scope(FIND_TIMES))
}

actionhost_sdk::export_provider!(provider);

#[cfg(test)]
mod tests {
    use super::*;

    fn first() -> NaiveDate {
        // A Tuesday.
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn recurrence(value: Value) -> Result<Value, Error> {
        serde_json::from_value::<Recurrence>(value)
            .unwrap()
            .to_graph(first())
    }

    #[test]
    fn recurrence_shapes_become_graph_patterns() {
        assert_eq!(
            recurrence(json!({"frequency": "weekly"})).unwrap(),
            json!({"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]}, "range": {"type": "noEnd", "startDate": "2026-12-01"}})
        );
        assert_eq!(
            recurrence(json!({"frequency": "monthly", "interval": 2, "count": 6})).unwrap(),
            json!({"pattern": {"type": "absoluteMonthly", "interval": 2, "dayOfMonth": 1}, "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 6}})
        );
        assert_eq!(
            recurrence(
                json!({"frequency": "monthly", "weekOfMonth": "first", "until": "2027-06-30"})
            )
            .unwrap(),
            json!({"pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["tuesday"], "index": "first"}, "range": {"type": "endDate", "startDate": "2026-12-01", "endDate": "2027-06-30"}})
        );
        assert_eq!(
            recurrence(json!({"frequency": "yearly"})).unwrap()["pattern"],
            json!({"type": "absoluteYearly", "interval": 1, "dayOfMonth": 1, "month": 12})
        );
        assert_eq!(
            recurrence(
                json!({"frequency": "yearly", "weekOfMonth": "last", "daysOfWeek": ["friday"]})
            )
            .unwrap()["pattern"],
            json!({"type": "relativeYearly", "interval": 1, "daysOfWeek": ["friday"], "index": "last", "month": 12})
        );
        assert_eq!(
            recurrence(json!({"frequency": "daily", "interval": 3})).unwrap()["pattern"],
            json!({"type": "daily", "interval": 3})
        );
    }

    #[test]
    fn recurrence_refuses_what_graph_cannot_mean() {
        let refused = |value: Value| match recurrence(value) {
            Err(Error::InvalidInput(message)) => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            refused(json!({"frequency": "daily", "daysOfWeek": ["monday"]})),
            "`recurrence.daysOfWeek` is not for a `daily` series: use `weekly` with the days"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "weekOfMonth": "first"})),
            "`recurrence.weekOfMonth` is only for a `monthly` or `yearly` series"
        );
        assert_eq!(
            refused(json!({"frequency": "monthly", "daysOfWeek": ["monday"]})),
            "`recurrence.daysOfWeek` in a `monthly` or `yearly` series needs `weekOfMonth` (e.g. `second` for \"the second Tuesday\")"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "until": "2026-12-31", "count": 3})),
            "give at most one of `recurrence.until` and `recurrence.count`"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "until": "2026-11-30"})),
            "`recurrence.until` must not be before the first occurrence (`start`)"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "until": "31/12/2026"})),
            "`recurrence.until` must be a date `YYYY-MM-DD` such as `2026-12-01`, got \"31/12/2026\""
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "interval": 0})),
            "`recurrence.interval` must be 1 to 99"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "daysOfWeek": []})),
            "`recurrence.daysOfWeek` must name at least one day"
        );
        assert_eq!(
            refused(json!({"frequency": "weekly", "count": 0})),
            "`recurrence.count` must be at least 1"
        );
    }

    #[test]
    fn durations_are_iso_8601_in_hours_and_minutes() {
        assert_eq!(duration(30), "PT30M");
        assert_eq!(duration(60), "PT1H");
        assert_eq!(duration(90), "PT1H30M");
        assert_eq!(duration(1440), "PT24H");
    }

    #[test]
    fn time_zone_names_of_both_kinds_pass_and_others_do_not() {
        for name in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+8",
            "W. Europe Standard Time",
            "Pacific Standard Time",
        ] {
            assert_eq!(zone("timeZone", name).unwrap(), name);
        }
        for name in ["", "+01:00", "Pacific\" Standard", "Europe/Berlin\r\nX: 1"] {
            assert!(zone("timeZone", name).is_err(), "{name:?}");
        }
    }
}
