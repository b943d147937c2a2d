//! The bundled HubSpot plugin against a stand-in that checks every request by hand against
//! HubSpot's CRM v3 documentation (`HUBSPOT`, `tests/tools/standin/hubspot.py`: HubSpot's
//! published specs are not licensed for use here) and against the account it plays: the property
//! definitions in `tests/tools/standin/hubspot/properties-{object}.json`, which it also serves as
//! the answers of `GET /crm/v3/properties/{object}`, so a property a create or update names must
//! be one the dynamic schema listed. Answers are fixtures shaped like the examples in HubSpot's
//! reference pages. HubSpot's error envelope reaches the caller as the contract's errors; a search
//! is read on through `paging.next.after`; and through the real host the create and update
//! schemas are the account's properties: one properties request per action and object, cached
//! (a second listing sends none), refreshed by `reload_fields=true`, and described once per
//! action for eight concurrent cold listings.

use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::Reply;
use actionhost_e2e::tools_dir;
use actionhost_e2e::validating::{Checked, Fixture, HUBSPOT, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, alice_with, assert_accepted, assert_every_call_reaches, assert_refused,
    load_against, run_once,
};

const FILE: &str = "hubspot.wasm";
const TOKEN: &str = "pat-na1-5f2c4a1e-8d3b-4b7e-9c0a-1e2f3a4b5c6d";
const BEARER: (&str, &str) = (
    "Authorization",
    "Bearer pat-na1-5f2c4a1e-8d3b-4b7e-9c0a-1e2f3a4b5c6d",
);
const JSON: (&str, &str) = ("Content-Type", "application/json");
const OBJECTS: [&str; 4] = ["contacts", "companies", "deals", "tickets"];

fn alice() -> CallContext {
    let mut call = alice_with(TOKEN, &[]);
    call.fields.insert("portal_id".into(), "62515".into());
    call
}

async fn hubspot(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

async fn run(
    test: &str,
    action: &str,
    params: Value,
    fixture: Fixture,
) -> (Result<Value, CallError>, Session) {
    run_once(&HUBSPOT, FILE, &alice(), (test, action, params), fixture).await
}

/// The account's property definitions of `object`, as the stand-in checks against them.
fn properties(object: &str) -> Value {
    let path = tools_dir().join(format!("standin/hubspot/properties-{object}.json"));
    serde_json::from_slice(&std::fs::read(&path).expect("the properties fixture")).expect("JSON")
}

/// A record as HubSpot's object endpoints answer one.
fn record(id: &str, properties: Value) -> Value {
    let mut properties = properties;
    properties["hs_object_id"] = json!(id);
    properties["createdate"] = json!("2026-05-01T09:30:00.000Z");
    properties["hs_lastmodifieddate"] = json!("2026-05-01T09:30:00.000Z");
    json!({"id": id, "properties": properties, "createdAt": "2026-05-01T09:30:00.000Z",
           "updatedAt": "2026-05-01T09:30:00.000Z", "archived": false})
}

/// A search answer; `after` is the next page's cursor.
fn page(results: Vec<Value>, total: u32, after: Option<&str>) -> Value {
    let mut page = json!({"total": total, "results": results});
    if let Some(after) = after {
        page["paging"] = json!({"next": {"after": after, "link": format!("https://api.hubapi.com/crm/v3/objects/deals/search?after={after}")}});
    }
    page
}

/// `GET /crm/v3/pipelines/deals` as HubSpot's pipelines reference shows it.
fn pipelines() -> Value {
    let stage = |id: &str, label: &str, order: u32, probability: &str, closed: &str| {
        json!({"id": id, "label": label, "displayOrder": order, "archived": false,
               "metadata": {"isClosed": closed, "probability": probability},
               "createdAt": "2019-08-06T02:41:52.251Z", "updatedAt": "2019-08-06T02:41:52.251Z", "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"})
    };
    json!({"results": [{"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": false,
    "createdAt": "2019-08-06T02:41:52.251Z", "updatedAt": "2019-08-06T02:41:52.251Z",
    "stages": [
        stage("closedwon", "Closed won", 5, "1.0", "true"),
        stage("appointmentscheduled", "Appointment scheduled", 0, "0.2", "false"),
        stage("closedlost", "Closed lost", 6, "0.0", "true")
    ]}]})
}

fn account_details() -> Value {
    json!({"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD",
           "additionalCurrencies": [], "utcOffset": "-05:00", "utcOffsetMilliseconds": -18000000,
           "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"})
}

/// Every action, in one session: HubSpot's documented shapes and the account's properties accept
/// each request, and each reaches the endpoint the action is for.
#[tokio::test]
async fn every_action_sends_requests_that_hubspots_crm_docs_describe() {
    let standin = HUBSPOT.session("hubspot_every_action");
    for object in OBJECTS {
        let created = record("512", json!({}));
        for (operation, reply) in [
            (
                format!("POST /crm/v3/objects/{object}"),
                Reply::json(201, created.clone()),
            ),
            (
                format!("PATCH /crm/v3/objects/{object}/{{objectId}}"),
                Reply::json(200, created.clone()),
            ),
            (
                format!("GET /crm/v3/objects/{object}/{{objectId}}"),
                Reply::json(200, created.clone()),
            ),
            (
                format!("POST /crm/v3/objects/{object}/search"),
                Reply::json(200, page(vec![created.clone()], 1, None)),
            ),
        ] {
            standin.answer(Fixture::operation(&operation, reply)).await;
        }
    }
    standin
        .answer(Fixture::operation(
            "POST /crm/v3/objects/notes",
            Reply::json(
                201,
                record(
                    "9001",
                    json!({"hs_note_body": "Called Ada about the renewal."}),
                ),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "PUT /crm/v4/objects/contacts/{objectId}/associations/default/companies/{toObjectId}",
            Reply::json(200, json!({"status": "COMPLETE", "results": [
                {"from": {"id": "512"}, "to": {"id": "613"}, "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}},
                {"from": {"id": "613"}, "to": {"id": "512"}, "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}}
            ], "startedAt": "2026-05-01T09:30:00.000Z", "completedAt": "2026-05-01T09:30:00.041Z"})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /crm/v3/pipelines/deals",
            Reply::json(200, pipelines()),
        ))
        .await;
    let (runtime, plugin) = hubspot(&standin).await;
    let calls: &[Call] = &[
        (
            "HUBSPOT_CREATE_CONTACT",
            json!({"properties": {"email": "ada@example.com", "firstname": "Ada", "lifecyclestage": "lead", "favorite_tools": ["figma", "linear"], "newsletter_opt_in": true}}),
            &["POST /crm/v3/objects/contacts"],
        ),
        (
            "HUBSPOT_UPDATE_CONTACT",
            json!({"id": "ada@example.com", "id_property": "email", "properties": {"jobtitle": "Engineer", "customer_tier": "gold"}}),
            &["PATCH /crm/v3/objects/contacts/{objectId}"],
        ),
        (
            "HUBSPOT_GET_CONTACT",
            json!({"id": "512", "properties": ["email", "lifecyclestage"], "associations": ["companies"]}),
            &["GET /crm/v3/objects/contacts/{objectId}"],
        ),
        (
            "HUBSPOT_SEARCH_CONTACTS",
            json!({"filters": [{"property": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}], "sort": {"property": "createdate", "direction": "DESCENDING"}}),
            &["POST /crm/v3/objects/contacts/search"],
        ),
        (
            "HUBSPOT_CREATE_COMPANY",
            json!({"properties": {"name": "Acme", "domain": "acme.example", "industry": "COMPUTER_SOFTWARE", "numberofemployees": 120}}),
            &["POST /crm/v3/objects/companies"],
        ),
        (
            "HUBSPOT_UPDATE_COMPANY",
            json!({"id": "613", "properties": {"account_tier": "tier_1", "city": null}}),
            &["PATCH /crm/v3/objects/companies/{objectId}"],
        ),
        (
            "HUBSPOT_GET_COMPANY",
            json!({"id": "613"}),
            &["GET /crm/v3/objects/companies/{objectId}"],
        ),
        (
            "HUBSPOT_SEARCH_COMPANIES",
            json!({"query": "acme", "properties": ["name", "domain"], "limit": 5}),
            &["POST /crm/v3/objects/companies/search"],
        ),
        (
            "HUBSPOT_CREATE_DEAL",
            json!({"properties": {"dealname": "Acme renewal", "dealstage": "appointmentscheduled", "pipeline": "default", "amount": 1500.5, "closedate": "2026-06-30T00:00:00Z", "renewal_date": "2027-06-30", "regions": ["eu", "amer"]}}),
            &["POST /crm/v3/objects/deals"],
        ),
        (
            "HUBSPOT_UPDATE_DEAL",
            json!({"id": "714", "properties": {"dealstage": "closedwon"}}),
            &["PATCH /crm/v3/objects/deals/{objectId}"],
        ),
        (
            "HUBSPOT_GET_DEAL",
            json!({"id": "714", "properties": ["dealname", "amount", "dealstage"], "associations": ["contacts", "companies"]}),
            &["GET /crm/v3/objects/deals/{objectId}"],
        ),
        (
            "HUBSPOT_SEARCH_DEALS",
            json!({"filter_groups": [
                {"filters": [{"property": "dealstage", "operator": "IN", "values": ["closedwon", "contractsent"]}]},
                {"filters": [{"property": "amount", "operator": "BETWEEN", "value": "1000", "high_value": "5000"}, {"property": "hubspot_owner_id", "operator": "HAS_PROPERTY"}]}
            ], "limit": 200}),
            &["POST /crm/v3/objects/deals/search"],
        ),
        (
            "HUBSPOT_CREATE_TICKET",
            json!({"properties": {"subject": "Login fails", "content": "Since the 2.3 release.", "hs_pipeline": "0", "hs_pipeline_stage": "1", "hs_ticket_priority": "HIGH", "affected_product": "web"}}),
            &["POST /crm/v3/objects/tickets"],
        ),
        (
            "HUBSPOT_UPDATE_TICKET",
            json!({"id": "815", "properties": {"hs_pipeline_stage": "4"}}),
            &["PATCH /crm/v3/objects/tickets/{objectId}"],
        ),
        (
            "HUBSPOT_GET_TICKET",
            json!({"id": "815", "associations": ["contacts"]}),
            &["GET /crm/v3/objects/tickets/{objectId}"],
        ),
        (
            "HUBSPOT_SEARCH_TICKETS",
            json!({"filters": [{"property": "hs_ticket_priority", "operator": "EQ", "value": "HIGH"}, {"property": "createdate", "operator": "GTE", "value": "2026-05-01T00:00:00Z"}]}),
            &["POST /crm/v3/objects/tickets/search"],
        ),
        (
            "HUBSPOT_ADD_NOTE",
            json!({"body": "Called Ada about the renewal.", "timestamp": "2026-05-01T09:30:00Z", "contact_ids": ["512"], "deal_ids": ["714"]}),
            &["POST /crm/v3/objects/notes"],
        ),
        (
            "HUBSPOT_ASSOCIATE_RECORDS",
            json!({"from_object_type": "contacts", "from_id": "512", "to_object_type": "companies", "to_id": "613"}),
            &[
                "PUT /crm/v4/objects/contacts/{objectId}/associations/default/companies/{toObjectId}",
            ],
        ),
        (
            "HUBSPOT_LIST_PIPELINES",
            json!({}),
            &["GET /crm/v3/pipelines/deals"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), calls).await;
    assert_eq!(outputs[0]["id"], "512");
    assert_eq!(outputs[3]["results"][0]["id"], "512");
    assert_eq!(
        outputs[16]["properties"]["hs_note_body"],
        "Called Ada about the renewal."
    );
    assert_eq!(outputs[17]["status"], "COMPLETE");
    assert_eq!(
        outputs[18],
        json!({"pipelines": [{"id": "default", "label": "Sales Pipeline", "stages": [
            {"id": "appointmentscheduled", "label": "Appointment scheduled", "probability": 0.2, "closed": false},
            {"id": "closedwon", "label": "Closed won", "probability": 1.0, "closed": true},
            {"id": "closedlost", "label": "Closed lost", "probability": 0.0, "closed": true}
        ]}]})
    );

    let requests = standin.requests().await;
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(BEARER.1));
    }
    assert_eq!(
        requests[0].json(),
        json!({"properties": {"email": "ada@example.com", "firstname": "Ada", "lifecyclestage": "lead", "favorite_tools": "figma;linear", "newsletter_opt_in": "true"}})
    );
    assert_eq!(
        requests[1].path,
        "/crm/v3/objects/contacts/ada%40example.com"
    );
    assert_eq!(requests[1].query.as_deref(), Some("idProperty=email"));
    assert_eq!(
        requests[2].query.as_deref(),
        Some("properties=email%2Clifecyclestage&associations=companies")
    );
    assert_eq!(
        requests[3].json(),
        json!({"limit": 20, "filterGroups": [{"filters": [{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}]}],
               "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}]})
    );
    assert_eq!(
        requests[5].json(),
        json!({"properties": {"account_tier": "tier_1", "city": ""}})
    );
    assert_eq!(
        requests[8].json(),
        json!({"properties": {"dealname": "Acme renewal", "dealstage": "appointmentscheduled", "pipeline": "default", "amount": "1500.5",
                              "closedate": "2026-06-30T00:00:00Z", "renewal_date": "2027-06-30", "regions": "eu;amer"}})
    );
    assert_eq!(
        requests[16].json(),
        json!({"properties": {"hs_note_body": "Called Ada about the renewal.", "hs_timestamp": "2026-05-01T09:30:00Z"},
        "associations": [
            {"to": {"id": "512"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}]},
            {"to": {"id": "714"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 214}]}
        ]})
    );
    assert_eq!(
        requests[17].path,
        "/crm/v4/objects/contacts/512/associations/default/companies/613"
    );
    assert!(requests[17].body.is_empty());
}

/// A search is read on with the cursor it returned: the second request is the first with
/// `after`, and the last page has no `paging`.
#[tokio::test]
async fn a_search_is_read_on_through_paging_next_after() {
    let standin = HUBSPOT.session("hubspot_paging");
    let first = page(
        vec![
            record("714", json!({"dealname": "Acme renewal"})),
            record("715", json!({"dealname": "Globex pilot"})),
        ],
        3,
        Some("2"),
    );
    let last = page(vec![record("716", json!({"dealname": "Initech"}))], 3, None);
    standin
        .answer(
            Fixture::operation("POST /crm/v3/objects/deals/search", Reply::json(200, first)).once(),
        )
        .await;
    standin
        .answer(Fixture::operation(
            "POST /crm/v3/objects/deals/search",
            Reply::json(200, last),
        ))
        .await;
    let (runtime, plugin) = hubspot(&standin).await;
    let mut params = json!({"filters": [{"property": "dealstage", "operator": "NEQ", "value": "closedlost"}], "properties": ["dealname"], "limit": 2});
    let (answer, _) = runtime
        .execute(&plugin, "HUBSPOT_SEARCH_DEALS", &params, &alice())
        .await;
    let answer = answer.unwrap();
    assert_eq!(answer["results"].as_array().unwrap().len(), 2);
    params["after"] = answer["paging"]["next"]["after"].clone();
    let (answer, _) = runtime
        .execute(&plugin, "HUBSPOT_SEARCH_DEALS", &params, &alice())
        .await;
    let answer = answer.unwrap();
    assert_eq!(answer["results"][0]["id"], "716");
    assert!(answer.get("paging").is_none());
    let requests = standin.requests().await;
    let filter = json!([{"filters": [{"propertyName": "dealstage", "operator": "NEQ", "value": "closedlost"}]}]);
    assert_eq!(
        requests[0].json(),
        json!({"limit": 2, "filterGroups": filter, "properties": ["dealname"]})
    );
    assert_eq!(
        requests[1].json(),
        json!({"limit": 2, "filterGroups": filter, "properties": ["dealname"], "after": "2"})
    );
}

/// HubSpot's `{"status": "error", "message", "category"}` as the contract's errors; a rate limit
/// keeps the delay HubSpot gives (its rolling window's length, or `Retry-After`).
#[tokio::test]
async fn hubspots_error_envelope_reaches_the_caller_as_the_contracts_errors() {
    let error = |message: &str, category: &str| json!({"status": "error", "message": message, "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf", "category": category});
    let invalid = json!({"status": "error", "message": "Property values were not valid: [{\"isValid\":false,\"message\":\"Property \\\"favorite_color\\\" does not exist\",\"error\":\"PROPERTY_DOESNT_EXIST\",\"name\":\"favorite_color\"}]",
                         "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf", "category": "VALIDATION_ERROR"});
    let cases = [
        (
            Reply::json(
                401,
                error(
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                    "INVALID_AUTHENTICATION",
                ),
            ),
            ActionError::Unauthorized("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview".into()),
        ),
        (
            Reply::json(404, error("resource not found", "OBJECT_NOT_FOUND")),
            ActionError::NotFound("resource not found".into()),
        ),
        (
            Reply::json(
                429,
                json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT",
                       "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24", "policyName": "TEN_SECONDLY_ROLLING", "requestId": "3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd"}),
            )
            .header("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")
            .header("X-HubSpot-RateLimit-Max", "100")
            .header("X-HubSpot-RateLimit-Remaining", "0"),
            ActionError::RateLimited {
                message: "You have reached your ten_secondly_rolling limit. (limit TEN_SECONDLY_ROLLING)".into(),
                retry_after_seconds: Some(10),
            },
        ),
        (
            Reply::json(
                429,
                json!({"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                       "correlationId": "c033cdaa-2c40-4a64-ae48-b4cec88dad24", "policyName": "SECONDLY"}),
            )
            .header("Retry-After", "2"),
            ActionError::RateLimited {
                message: "You have reached your secondly limit. (limit SECONDLY)".into(),
                retry_after_seconds: Some(2),
            },
        ),
        (
            Reply::json(400, invalid.clone()),
            ActionError::Upstream {
                status: 400,
                message: invalid["message"].as_str().unwrap().into(),
                body: Some(invalid.to_string()),
            },
        ),
    ];
    for (i, (reply, expected)) in cases.into_iter().enumerate() {
        let (result, standin) = run(
            &format!("hubspot_error_{i}"),
            "HUBSPOT_GET_DEAL",
            json!({"id": "714"}),
            Fixture::operation("GET /crm/v3/objects/deals/{objectId}", reply),
        )
        .await;
        assert_eq!(result.unwrap_err(), CallError::Action(expected));
        standin.assert_no_violations().await;
    }
}

/// The negative control: requests HubSpot would refuse, which the stand-in must refuse too (a
/// stand-in that accepts everything fails here).
#[tokio::test]
async fn the_hubspot_check_refuses_what_hubspot_would_refuse() {
    assert_refused(
        &HUBSPOT,
        "hubspot_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/crm/v3/objects/contacts",
                headers: &[BEARER, JSON],
                body: r#"{"properties": {"email": "ada@example.com", "favorite_color": "blue"}}"#,
                because: "properties.favorite_color: the account has no such property",
            },
            Refused {
                method: "PATCH",
                path_and_query: "/crm/v3/objects/deals/714",
                headers: &[BEARER, JSON],
                body: r#"{"properties": {"hs_deal_stage_probability": "0.5"}}"#,
                because: "a read-only property",
            },
            Refused {
                method: "PATCH",
                path_and_query: "/crm/v3/objects/deals/714",
                headers: &[BEARER, JSON],
                body: r#"{"properties": {"dealstage": "Closed won"}}"#,
                because: "'Closed won' is not one of its options",
            },
            Refused {
                method: "POST",
                path_and_query: "/crm/v3/objects/deals",
                headers: &[BEARER, JSON],
                body: r#"{"properties": {"dealname": "Acme", "amount": 1500}}"#,
                because: "properties.amount: a string, not a number",
            },
            Refused {
                method: "POST",
                path_and_query: "/crm/v3/objects/deals/search",
                headers: &[BEARER, JSON],
                body: r#"{"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GREATER_THAN", "value": "5"}]}], "limit": 500}"#,
                because: "'GREATER_THAN' is not one of",
            },
            Refused {
                method: "POST",
                path_and_query: "/crm/v3/objects/contacts/search",
                headers: &[BEARER, JSON],
                body: r#"{"limit": 500}"#,
                because: "limit: 500 is not an integer from 1 to 200",
            },
            Refused {
                method: "POST",
                path_and_query: "/crm/v3/objects/notes",
                headers: &[BEARER, JSON],
                body: r#"{"properties": {"hs_note_body": "Hi"}, "associations": [{"to": {"id": "512"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}]}"#,
                because: "properties.hs_timestamp: required for a note",
            },
            Refused {
                method: "GET",
                path_and_query: "/contacts/v1/contact/vid/512/profile",
                headers: &[BEARER],
                body: "",
                because: "no HubSpot CRM v3 endpoint",
            },
            Refused {
                method: "GET",
                path_and_query: "/crm/v3/objects/deals/714?limit=10",
                headers: &[],
                body: "",
                because: "no `Authorization: Bearer <token>` header",
            },
        ],
    )
    .await;
}

/// Known good: "Create a contact" and a deal search exactly as HubSpot's guides show them.
#[tokio::test]
async fn the_hubspot_check_accepts_requests_from_hubspots_guides() {
    let contact = json!({"properties": {"email": "example@hubspot.com", "firstname": "Jane", "lastname": "Doe", "phone": "(555) 555-5555", "company": "HubSpot", "lifecyclestage": "marketingqualifiedlead"}});
    assert_accepted(
        &HUBSPOT,
        "hubspot_docs_create_contact",
        (
            "POST",
            "/crm/v3/objects/contacts",
            &[BEARER, JSON],
            &contact.to_string(),
        ),
        "POST /crm/v3/objects/contacts",
    )
    .await;
    let search = json!({"filterGroups": [{"filters": [{"propertyName": "amount", "operator": "GT", "value": "1000"}]}],
                        "sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}],
                        "properties": ["dealname", "amount"], "limit": 10, "after": "10"});
    assert_accepted(
        &HUBSPOT,
        "hubspot_docs_search_deals",
        (
            "POST",
            "/crm/v3/objects/deals/search",
            &[BEARER, JSON],
            &search.to_string(),
        ),
        "POST /crm/v3/objects/deals/search",
    )
    .await;
}

/// The tool's parameters for `action` in a listing.
fn parameters(listing: &Value, action: &str) -> Value {
    listing["actions"]["hubspot"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == action)
        .unwrap_or_else(|| panic!("no {action} in {listing}"))["function"]["parameters"]
        .clone()
}

/// The contacts' properties before the account gained the customer tier "platinum".
fn without_platinum() -> Value {
    let mut contacts = properties("contacts");
    for property in contacts["results"].as_array_mut().unwrap() {
        if property["name"] == "customer_tier" {
            property["options"]
                .as_array_mut()
                .unwrap()
                .retain(|o| o["value"] != "platinum");
        }
    }
    contacts
}

/// Properties requests per object among `checked`.
fn describes(checked: &[Checked]) -> Vec<usize> {
    OBJECTS
        .iter()
        .map(|object| {
            let operation = format!("GET /crm/v3/properties/{object}");
            checked
                .iter()
                .filter(|c| c.operation.as_deref() == Some(operation.as_str()))
                .count()
        })
        .collect()
}

/// Through the real host, with a private app token: connecting labels the account with its
/// portal and keeps `portal_id`; eight concurrent cold listings describe each dynamic action once
/// (one properties request per action: create and update of each object); a second listing is
/// served from the cache; a call is checked against the account's schema before the plugin runs;
/// `reload_fields=true` describes again, and a property added in HubSpot becomes valid.
#[tokio::test]
async fn the_accounts_properties_are_its_schema_described_once_cached_and_reloaded() {
    let standin = HUBSPOT.session("hubspot_dynamic_schema");
    standin
        .answer(Fixture::operation(
            "GET /account-info/v3/details",
            Reply::json(200, account_details()),
        ))
        .await;
    // Each describe takes 300 ms, so the concurrent listings overlap. Contacts' properties
    // answer twice (create and update) as they were before the account gained the tier
    // "platinum" (the stand-in's account has it), then as they are now.
    for object in OBJECTS {
        let served = if object == "contacts" {
            without_platinum()
        } else {
            properties(object)
        };
        let reply = Reply::json(200, served).delayed(std::time::Duration::from_millis(300));
        let operation = format!("GET /crm/v3/properties/{object}");
        if object == "contacts" {
            for _ in 0..2 {
                standin
                    .answer(Fixture::operation(&operation, reply.clone()).once())
                    .await;
            }
        } else {
            standin.answer(Fixture::operation(&operation, reply)).await;
        }
    }
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    app.connect("alice", "hubspot", json!({"api_key": TOKEN}))
        .await;
    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "hubspot")
        .unwrap_or_else(|| panic!("{accounts:?}"))
        .clone();
    assert_eq!(account["label"], "HubSpot portal 62515 (app.hubspot.com)");
    assert_eq!(account["fields"], json!({"portal_id": "62515"}));

    // Eight listings at once, cold: one describe per dynamic action, every listing described.
    let listings =
        (0..8).map(|_| app.as_user("alice", "GET", "/actions?integrations=hubspot", None));
    for listing in futures::future::join_all(listings).await {
        assert_eq!(listing.status, 200, "{listing:?}");
        assert_eq!(listing.body["errors"], json!([]), "{listing:?}");
        let deal = parameters(&listing.body, "HUBSPOT_CREATE_DEAL");
        assert_eq!(
            deal["properties"]["properties"]["required"],
            json!(["dealname", "dealstage"])
        );
    }
    assert_eq!(
        describes(&standin.checked().await),
        [2, 2, 2, 2],
        "one properties request per dynamic action (create and update of each object)"
    );
    let listing = app
        .as_user("alice", "GET", "/actions?integrations=hubspot", None)
        .await;
    assert_eq!(
        describes(&standin.checked().await),
        [2, 2, 2, 2],
        "a second listing is served from the cache"
    );
    let contact = parameters(&listing.body, "HUBSPOT_CREATE_CONTACT");
    let described = &contact["properties"]["properties"]["properties"];
    assert_eq!(
        described["favorite_tools"],
        json!({"type": "array", "items": {"type": "string", "enum": ["figma", "notion", "linear"]},
               "description": "Favorite tools. Several of: `figma` (Figma), `notion` (Notion), `linear` (Linear). A custom property. Tools the contact uses every day."})
    );
    assert_eq!(
        described["customer_tier"]["enum"],
        json!(["gold", "silver"]),
        "no hidden option"
    );
    for absent in [
        "hs_object_id",
        "createdate",
        "hs_email_domain",
        "hs_internal_flag",
    ] {
        assert!(described.get(absent).is_none(), "{absent} is not writable");
    }
    let ticket = parameters(&listing.body, "HUBSPOT_UPDATE_TICKET");
    assert_eq!(
        ticket["properties"]["properties"]["properties"]["hs_ticket_priority"]["enum"],
        json!(["LOW", "MEDIUM", "HIGH"])
    );
    assert!(ticket["properties"]["properties"].get("required").is_none());

    // The host checks a call against alice's schema: "platinum" is not yet a tier there.
    let platinum = json!({"action": "HUBSPOT_UPDATE_CONTACT", "parameters": {"id": "512", "properties": {"customer_tier": "platinum"}}});
    let refused = app
        .as_user("alice", "POST", "/actions", Some(platinum.clone()))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "invalid_parameters"),
        "{refused:?}"
    );
    let before = standin.checked().await.len();
    assert_eq!(
        before,
        1 + 8,
        "the account check and eight describes; the refused call sent nothing"
    );

    // The account gained the tier in HubSpot; after reload_fields it is listed and accepted.
    standin
        .answer(Fixture::operation(
            "GET /crm/v3/properties/contacts",
            Reply::json(200, properties("contacts")),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "PATCH /crm/v3/objects/contacts/{objectId}",
            Reply::json(200, record("512", json!({"customer_tier": "platinum"}))),
        ))
        .await;
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=hubspot&reload_fields=true",
            None,
        )
        .await;
    assert_eq!(reloaded.body["errors"], json!([]), "{reloaded:?}");
    assert_eq!(
        describes(&standin.checked().await),
        [4, 4, 4, 4],
        "reload_fields describes every dynamic action again"
    );
    assert_eq!(
        parameters(&reloaded.body, "HUBSPOT_UPDATE_CONTACT")["properties"]["properties"]["properties"]
            ["customer_tier"]["enum"],
        json!(["gold", "silver", "platinum"])
    );
    let updated = app
        .as_user("alice", "POST", "/actions", Some(platinum))
        .await;
    assert_eq!(updated.status, 200, "{updated:?}");
    assert_eq!(updated.body["properties"]["customer_tier"], "platinum");
    app.as_user("alice", "GET", "/actions?integrations=hubspot", None)
        .await;
    assert_eq!(
        describes(&standin.checked().await),
        [4, 4, 4, 4],
        "and is cached again"
    );
    let requests = standin.requests().await;
    for request in &requests {
        assert_eq!(request.header("authorization"), Some(BEARER.1));
    }
    let last = requests.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("PATCH", "/crm/v3/objects/contacts/512")
    );
    assert_eq!(
        last.json(),
        json!({"properties": {"customer_tier": "platinum"}})
    );
}

/// OAuth through the real host: with the app registered, authorizing sends the user to
/// HubSpot's authorize page with the app's client id, the redirect URI and every scope the
/// actions use, space-separated, and no PKCE (HubSpot's OAuth guide documents none).
#[tokio::test]
async fn signing_in_goes_to_hubspots_authorize_page_with_the_scopes() {
    let standin = HUBSPOT.session("hubspot_oauth");
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let put = app
        .as_admin(
            "PUT",
            "/admin/connections/hubspot",
            Some(
                json!({"client_id": "5f2c4a1e-hubspot-app", "client_secret": "hubspot-app-secret"}),
            ),
        )
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let started = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/hubspot/authorize",
            None,
        )
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let url = url::Url::parse(started.body["authorization_url"].as_str().unwrap()).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        ("https", Some("app.hubspot.com"), "/oauth/authorize")
    );
    let params: std::collections::HashMap<String, String> =
        url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "5f2c4a1e-hubspot-app");
    assert_eq!(params["response_type"], "code");
    assert!(
        params["redirect_uri"].ends_with("/oauth/callback"),
        "{params:?}"
    );
    assert_eq!(
        params["scope"],
        "oauth crm.objects.contacts.read crm.objects.contacts.write crm.objects.companies.read crm.objects.companies.write crm.objects.deals.read crm.objects.deals.write tickets crm.schemas.contacts.read crm.schemas.companies.read crm.schemas.deals.read"
    );
    assert!(!params.contains_key("code_challenge"), "{params:?}");
    assert!(standin.checked().await.is_empty());
}
