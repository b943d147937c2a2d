//! The exact request every HubSpot action sends to CRM v3 (method, URL with its query, headers,
//! JSON body), the inputs refused before any request, paging through `paging.next.after`, the
//! per-account schema of the create and update actions built from the properties API, the
//! connect step, and how HubSpot's error envelope maps to errors, run natively against the SDK's
//! test transport.

use actionhost_plugin_hubspot::{DEFAULT_SCOPES, Object, properties, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(DEFAULT_SCOPES)
}

fn call(
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(&provider(), &context(), action, input, status, answer)
}

fn refused(action: &str, input: Value) -> Error {
    testing::refused(&provider(), &context(), action, input)
}

fn assert_request(request: &RecordedRequest, method: &str, path_and_query: &str) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        (
            method,
            format!("https://api.hubapi.com{path_and_query}").as_str()
        )
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    // The host adds the credential; the plugin never sees it.
    assert_eq!(request.header("authorization"), None);
}

fn json_body(request: &RecordedRequest) -> Value {
    assert_eq!(request.header("content-type"), Some("application/json"));
    request.json()
}

fn record(id: &str, properties: Value) -> Value {
    json!({"id": id, "properties": properties, "createdAt": "2026-05-01T09:30:00.000Z",
           "updatedAt": "2026-05-01T09:30:00.000Z", "archived": false})
}

fn names(object: Object) -> (&'static str, &'static str) {
    match object {
        Object::Contacts => ("CONTACT", "CONTACTS"),
        Object::Companies => ("COMPANY", "COMPANIES"),
        Object::Deals => ("DEAL", "DEALS"),
        Object::Tickets => ("TICKET", "TICKETS"),
    }
}

/// Properties that every object's create accepts (the required ones included).
fn sample(object: Object) -> Value {
    match object {
        Object::Contacts => json!({"email": "ada@example.com", "firstname": "Ada"}),
        Object::Companies => json!({"name": "Acme", "domain": "acme.example"}),
        Object::Deals => {
            json!({"dealname": "Acme renewal", "dealstage": "appointmentscheduled", "amount": 1500.5})
        }
        Object::Tickets => {
            json!({"subject": "Login fails", "hs_pipeline_stage": "1", "hs_ticket_priority": "HIGH"})
        }
    }
}

#[test]
fn create_posts_the_properties_as_strings_to_each_object() {
    for object in Object::ALL {
        let (singular, _) = names(object);
        let created = record("512", json!({"hs_object_id": "512"}));
        let (output, request) = call(
            &format!("HUBSPOT_CREATE_{singular}"),
            json!({"properties": sample(object)}),
            201,
            created.clone(),
        );
        assert_eq!(output.unwrap(), created);
        assert_request(
            &request,
            "POST",
            &format!("/crm/v3/objects/{}", object.path()),
        );
        let mut expected = serde_json::Map::new();
        for (name, value) in sample(object).as_object().unwrap() {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            expected.insert(name.clone(), json!(text));
        }
        assert_eq!(
            json_body(&request),
            json!({"properties": expected}),
            "{singular}"
        );
    }
}

#[test]
fn create_writes_checkbox_options_joined_booleans_and_null_as_hubspot_strings() {
    let (_, request) = call(
        "HUBSPOT_CREATE_CONTACT",
        json!({"properties": {"email": "ada@example.com", "favorite_tools": ["figma", "notion"],
                              "newsletter_opt_in": true, "seats": 12, "jobtitle": null}}),
        201,
        record("1", json!({})),
    );
    assert_eq!(
        request.json(),
        json!({"properties": {"email": "ada@example.com", "favorite_tools": "figma;notion",
                              "newsletter_opt_in": "true", "seats": "12", "jobtitle": ""}})
    );
}

#[test]
fn create_refuses_missing_required_properties_and_objects_before_sending() {
    assert_eq!(
        refused(
            "HUBSPOT_CREATE_DEAL",
            json!({"properties": {"dealname": "Acme renewal"}})
        ),
        Error::invalid_input("a deal needs the properties [\"dealstage\"]")
    );
    assert_eq!(
        refused(
            "HUBSPOT_CREATE_TICKET",
            json!({"properties": {"subject": " ", "hs_pipeline_stage": "1"}})
        ),
        Error::invalid_input("a ticket needs the properties [\"subject\"]")
    );
    assert_eq!(
        refused("HUBSPOT_CREATE_CONTACT", json!({"properties": {}})),
        Error::invalid_input("give at least one property")
    );
    assert!(matches!(
        refused("HUBSPOT_CREATE_COMPANY", json!({"properties": {"address": {"city": "Paris"}}})),
        Error::InvalidInput(m) if m.contains("\"address\"") && m.contains("not an object")
    ));
    assert!(matches!(
        refused("HUBSPOT_CREATE_CONTACT", json!({"properties": {"tags": ["a;b"]}})),
        Error::InvalidInput(m) if m.contains("without `;`")
    ));
}

#[test]
fn update_patches_by_id_or_by_a_unique_property() {
    for object in Object::ALL {
        let (singular, _) = names(object);
        let (output, request) = call(
            &format!("HUBSPOT_UPDATE_{singular}"),
            json!({"id": "512", "properties": {"hubspot_owner_id": "910901"}}),
            200,
            record("512", json!({"hubspot_owner_id": "910901"})),
        );
        assert_eq!(output.unwrap()["id"], "512");
        assert_request(
            &request,
            "PATCH",
            &format!("/crm/v3/objects/{}/512", object.path()),
        );
        assert_eq!(
            json_body(&request),
            json!({"properties": {"hubspot_owner_id": "910901"}})
        );
    }
    let (_, request) = call(
        "HUBSPOT_UPDATE_CONTACT",
        json!({"id": "ada@example.com", "id_property": "email", "properties": {"lifecyclestage": "customer"}}),
        200,
        record("1", json!({})),
    );
    assert_request(
        &request,
        "PATCH",
        "/crm/v3/objects/contacts/ada%40example.com?idProperty=email",
    );
    assert!(matches!(
        refused("HUBSPOT_UPDATE_DEAL", json!({"id": "../deals", "properties": {"amount": 1}})),
        Error::InvalidInput(m) if m.contains("record id")
    ));
    assert_eq!(
        refused("HUBSPOT_UPDATE_DEAL", json!({"id": "1", "properties": {}})),
        Error::invalid_input("nothing to change: give `properties`")
    );
}

#[test]
fn get_asks_for_properties_and_associations() {
    for object in Object::ALL {
        let (singular, _) = names(object);
        let found = record("512", json!({"hs_object_id": "512"}));
        let (output, request) = call(
            &format!("HUBSPOT_GET_{singular}"),
            json!({"id": "512"}),
            200,
            found.clone(),
        );
        assert_eq!(output.unwrap(), found);
        assert_request(
            &request,
            "GET",
            &format!("/crm/v3/objects/{}/512", object.path()),
        );
        assert_eq!(request.body, None);
    }
    let (_, request) = call(
        "HUBSPOT_GET_DEAL",
        json!({"id": "77", "properties": ["dealname", "amount"], "associations": ["contacts", "companies"]}),
        200,
        record("77", json!({})),
    );
    assert_request(
        &request,
        "GET",
        "/crm/v3/objects/deals/77?properties=dealname%2Camount&associations=contacts%2Ccompanies",
    );
    let (_, request) = call(
        "HUBSPOT_GET_CONTACT",
        json!({"id": "ada@example.com", "id_property": "email"}),
        200,
        record("1", json!({})),
    );
    assert_request(
        &request,
        "GET",
        "/crm/v3/objects/contacts/ada%40example.com?idProperty=email",
    );
}

#[test]
fn search_posts_filters_sort_and_limit_and_pages_with_after() {
    for object in Object::ALL {
        let (_, plural) = names(object);
        let page = json!({"total": 1, "results": [record("512", json!({}))]});
        let (output, request) = call(
            &format!("HUBSPOT_SEARCH_{plural}"),
            json!({}),
            200,
            page.clone(),
        );
        assert_eq!(output.unwrap(), page);
        assert_request(
            &request,
            "POST",
            &format!("/crm/v3/objects/{}/search", object.path()),
        );
        assert_eq!(json_body(&request), json!({"limit": 20}));
    }
    let first = json!({"total": 3, "results": [record("1", json!({})), record("2", json!({}))],
                       "paging": {"next": {"after": "2", "link": "https://api.hubapi.com/crm/v3/objects/deals/search?after=2"}}});
    let input = json!({
        "query": "renewal",
        "filters": [
            {"property": "dealstage", "operator": "IN", "values": ["closedwon", "contractsent"]},
            {"property": "amount", "operator": "BETWEEN", "value": "1000", "high_value": "5000"}
        ],
        "filter_groups": [{"filters": [{"property": "hs_is_closed", "operator": "NOT_HAS_PROPERTY"}]}],
        "sort": {"property": "amount", "direction": "DESCENDING"},
        "properties": ["dealname", "amount"],
        "limit": 2
    });
    let (output, request) = call("HUBSPOT_SEARCH_DEALS", input.clone(), 200, first);
    let after = output.unwrap()["paging"]["next"]["after"].clone();
    let filters = json!([
        {"filters": [
            {"propertyName": "dealstage", "operator": "IN", "values": ["closedwon", "contractsent"]},
            {"propertyName": "amount", "operator": "BETWEEN", "value": "1000", "highValue": "5000"}
        ]},
        {"filters": [{"propertyName": "hs_is_closed", "operator": "NOT_HAS_PROPERTY"}]}
    ]);
    assert_eq!(
        json_body(&request),
        json!({"query": "renewal", "filterGroups": filters, "limit": 2,
               "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
               "properties": ["dealname", "amount"]})
    );
    // The second page: the same search with the cursor HubSpot returned.
    let mut next = input;
    next["after"] = after;
    let last = json!({"total": 3, "results": [record("3", json!({}))]});
    let (output, request) = call("HUBSPOT_SEARCH_DEALS", next, 200, last.clone());
    assert_eq!(output.unwrap(), last);
    assert_eq!(json_body(&request)["after"], "2");
}

#[test]
fn search_refuses_incomplete_filters_and_too_many_before_sending() {
    assert!(matches!(
        refused("HUBSPOT_SEARCH_CONTACTS", json!({"filters": [{"property": "email", "operator": "EQ"}]})),
        Error::InvalidInput(m) if m.contains("needs `value`")
    ));
    assert!(matches!(
        refused("HUBSPOT_SEARCH_CONTACTS", json!({"filters": [{"property": "email", "operator": "IN"}]})),
        Error::InvalidInput(m) if m.contains("needs `values`")
    ));
    assert!(matches!(
        refused("HUBSPOT_SEARCH_DEALS", json!({"filters": [{"property": "amount", "operator": "BETWEEN", "value": "1"}]})),
        Error::InvalidInput(m) if m.contains("`high_value`")
    ));
    let group = json!({"filters": [{"property": "a", "operator": "HAS_PROPERTY"}]});
    assert!(matches!(
        refused("HUBSPOT_SEARCH_TICKETS", json!({"filter_groups": vec![group; 6]})),
        Error::InvalidInput(m) if m.contains("at most 5 filter groups")
    ));
    assert!(matches!(
        refused("HUBSPOT_SEARCH_TICKETS", json!({"limit": 201})),
        Error::InvalidInput(m) if m.contains("1 to 200")
    ));
}

#[test]
fn add_note_posts_the_body_timestamp_and_v4_association_types() {
    let note = record("9001", json!({"hs_note_body": "Called Ada"}));
    let (output, request) = call(
        "HUBSPOT_ADD_NOTE",
        json!({"body": "Called Ada", "timestamp": "2026-05-01T09:30:00Z", "contact_ids": ["1"],
               "company_ids": ["2"], "deal_ids": ["3"], "ticket_ids": ["4"], "owner_id": "910901"}),
        201,
        note.clone(),
    );
    assert_eq!(output.unwrap(), note);
    assert_request(&request, "POST", "/crm/v3/objects/notes");
    let to = |id: &str, type_id: u32| json!({"to": {"id": id}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]});
    assert_eq!(
        json_body(&request),
        json!({"properties": {"hs_note_body": "Called Ada", "hs_timestamp": "2026-05-01T09:30:00Z", "hubspot_owner_id": "910901"},
               "associations": [to("1", 202), to("2", 190), to("3", 214), to("4", 228)]})
    );
    // Without a timestamp: now, in Unix milliseconds.
    let (_, request) = call(
        "HUBSPOT_ADD_NOTE",
        json!({"body": "Sent the quote", "deal_ids": ["3"]}),
        201,
        note,
    );
    let stamp = request.json()["properties"]["hs_timestamp"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert!(stamp > 1_700_000_000_000, "{stamp}");
    assert_eq!(
        refused("HUBSPOT_ADD_NOTE", json!({"body": "Orphan"})),
        Error::invalid_input(
            "attach the note to at least one record: give `contact_ids`, `company_ids`, `deal_ids` or `ticket_ids`"
        )
    );
}

#[test]
fn associate_puts_the_default_association() {
    let answer = json!({"status": "COMPLETE", "results": [
        {"from": {"id": "1"}, "to": {"id": "2"}, "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}},
        {"from": {"id": "2"}, "to": {"id": "1"}, "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}}
    ], "startedAt": "2026-05-01T09:30:00.000Z", "completedAt": "2026-05-01T09:30:00.050Z"});
    let (output, request) = call(
        "HUBSPOT_ASSOCIATE_RECORDS",
        json!({"from_object_type": "contacts", "from_id": "1", "to_object_type": "companies", "to_id": "2"}),
        200,
        answer.clone(),
    );
    assert_eq!(output.unwrap(), answer);
    assert_request(
        &request,
        "PUT",
        "/crm/v4/objects/contacts/1/associations/default/companies/2",
    );
    assert_eq!(request.body, None);
    assert!(matches!(
        refused("HUBSPOT_ASSOCIATE_RECORDS", json!({"from_object_type": "deals", "from_id": "1", "to_object_type": "deals", "to_id": "1"})),
        Error::InvalidInput(m) if m.contains("itself")
    ));
}

#[test]
fn list_pipelines_answers_stages_by_label_in_display_order() {
    let answer = json!({"results": [
        {"id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": false,
         "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z", "stages": [
            {"id": "closedwon", "label": "Closed won", "displayOrder": 5, "archived": false,
             "metadata": {"isClosed": "true", "probability": "1.0"}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"},
            {"id": "appointmentscheduled", "label": "Appointment scheduled", "displayOrder": 0, "archived": false,
             "metadata": {"isClosed": "false", "probability": "0.2"}, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
        ]}
    ]});
    let (output, request) = call("HUBSPOT_LIST_PIPELINES", json!({}), 200, answer);
    assert_request(&request, "GET", "/crm/v3/pipelines/deals");
    assert_eq!(
        output.unwrap(),
        json!({"pipelines": [{"id": "default", "label": "Sales Pipeline", "stages": [
            {"id": "appointmentscheduled", "label": "Appointment scheduled", "probability": 0.2, "closed": false},
            {"id": "closedwon", "label": "Closed won", "probability": 1.0, "closed": true}
        ]}]})
    );
    let tickets = json!({"results": [{"id": "0", "label": "Support Pipeline", "displayOrder": 0, "stages": [
        {"id": "4", "label": "Closed", "displayOrder": 3, "metadata": {"ticketState": "CLOSED", "isClosed": "true"}}
    ]}]});
    let (output, request) = call(
        "HUBSPOT_LIST_PIPELINES",
        json!({"object_type": "tickets"}),
        200,
        tickets,
    );
    assert_request(&request, "GET", "/crm/v3/pipelines/tickets");
    assert_eq!(
        output.unwrap()["pipelines"][0]["stages"][0],
        json!({"id": "4", "label": "Closed", "closed": true})
    );
}

/// Deal properties as `GET /crm/v3/properties/deals` answers them: HubSpot's own ones, a custom
/// enumeration, a checkbox, and properties users cannot write.
fn deal_properties() -> Value {
    let property = |name: &str, label: &str, kind: &str, field: &str, extra: Value| {
        let mut p = json!({"name": name, "label": label, "type": kind, "fieldType": field,
            "description": "", "groupName": "dealinformation", "options": [], "displayOrder": -1,
            "calculated": false, "externalOptions": false, "hasUniqueValue": false, "hidden": false,
            "hubspotDefined": true, "modificationMetadata": {"archivable": true, "readOnlyDefinition": true, "readOnlyValue": false},
            "formField": false});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    json!({"results": [
        property("dealname", "Deal Name", "string", "text", json!({"description": "The name given to this deal."})),
        property("amount", "Amount", "number", "number", json!({})),
        property("closedate", "Close Date", "datetime", "date", json!({})),
        property("dealstage", "Deal Stage", "enumeration", "radio", json!({"options": [
            {"label": "Appointment Scheduled", "value": "appointmentscheduled", "displayOrder": 0, "hidden": false},
            {"label": "Closed Won", "value": "closedwon", "displayOrder": 5, "hidden": false},
            {"label": "Retired", "value": "retired", "displayOrder": 6, "hidden": true}
        ]})),
        property("renewal_date", "Renewal date", "date", "date", json!({"hubspotDefined": false, "description": "When the contract renews."})),
        property("regions", "Regions", "enumeration", "checkbox", json!({"hubspotDefined": false, "options": [
            {"label": "Europe", "value": "eu", "displayOrder": 0, "hidden": false},
            {"label": "Americas", "value": "amer", "displayOrder": 1, "hidden": false}
        ]})),
        property("contract_ref", "Contract", "string", "text", json!({"hubspotDefined": false, "hasUniqueValue": true})),
        property("is_strategic", "Strategic", "bool", "booleancheckbox", json!({"hubspotDefined": false})),
        property("hs_object_id", "Record ID", "number", "number", json!({"modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": true}})),
        property("hs_deal_score", "Deal score", "number", "calculation_equation", json!({"calculated": true})),
        property("hs_internal", "Internal", "string", "text", json!({"hidden": true}))
    ]})
}

#[test]
fn the_create_and_update_schemas_are_the_accounts_writable_properties() {
    let provider = provider();
    let create = provider.find("HUBSPOT_CREATE_DEAL").unwrap();
    assert!(create.hints().dynamic_schema);
    let transport = Transport::install();
    transport.reply_json(200, deal_properties());
    let schema = create.describe(&context()).unwrap();
    let request = transport.only_request();
    assert_request(&request, "GET", "/crm/v3/properties/deals?archived=false");
    let described = &schema["properties"]["properties"];
    let keys: Vec<&String> = described["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        [
            "amount",
            "closedate",
            "contract_ref",
            "dealname",
            "dealstage",
            "is_strategic",
            "regions",
            "renewal_date"
        ],
        "no read-only, calculated or hidden property"
    );
    assert_eq!(described["required"], json!(["dealname", "dealstage"]));
    assert_eq!(described["additionalProperties"], false);
    let p = &described["properties"];
    assert_eq!(
        p["dealstage"],
        json!({"type": "string", "enum": ["appointmentscheduled", "closedwon"],
               "description": "Deal Stage. One of: `appointmentscheduled` (Appointment Scheduled), `closedwon` (Closed Won)."})
    );
    assert_eq!(
        p["regions"],
        json!({"type": "array", "items": {"type": "string", "enum": ["eu", "amer"]},
               "description": "Regions. Several of: `eu` (Europe), `amer` (Americas). A custom property."})
    );
    assert_eq!(
        p["renewal_date"],
        json!({"type": "string", "format": "date", "description": "Renewal date. A date, YYYY-MM-DD. A custom property. When the contract renews."})
    );
    assert_eq!(p["closedate"]["format"], "date-time");
    assert_eq!(p["amount"]["type"], "number");
    assert_eq!(p["is_strategic"]["type"], "boolean");
    assert!(
        p["contract_ref"]["description"]
            .as_str()
            .unwrap()
            .contains("Unique")
    );
    assert_eq!(
        p["dealname"]["description"],
        "Deal Name. Text. The name given to this deal."
    );

    // Update: the same properties, none required.
    let update = provider.find("HUBSPOT_UPDATE_DEAL").unwrap();
    let transport = Transport::install();
    transport.reply_json(200, deal_properties());
    let schema = update.describe(&context()).unwrap();
    assert_eq!(schema["properties"]["properties"]["required"], Value::Null);
    assert_eq!(
        schema["properties"]["properties"]["properties"]
            .as_object()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(schema["required"], json!(["id", "properties"]));
}

#[test]
fn a_huge_account_is_described_within_the_budget_with_the_required_ones_kept() {
    let mut results: Vec<Value> = (0..3000)
        .map(|i| json!({"name": format!("custom_{i:04}"), "label": format!("Custom {i}"), "type": "string", "fieldType": "text",
                       "description": "x".repeat(200), "hubspotDefined": false}))
        .collect();
    results.push(json!({"name": "subject", "label": "Ticket name", "type": "string", "fieldType": "text", "hubspotDefined": true}));
    results.push(json!({"name": "hs_pipeline_stage", "label": "Ticket status", "type": "enumeration", "fieldType": "select", "hubspotDefined": true,
                        "options": [{"label": "New", "value": "1"}]}));
    let found: properties::Properties =
        serde_json::from_value(json!({ "results": results })).unwrap();
    let schema = json!({"type": "object", "properties": {"properties": {"type": "object", "description": "Values."}}});
    let schema = properties::describe(schema, Object::Tickets, true, &found.results);
    assert!(
        schema.to_string().len() < 200 * 1024,
        "{}",
        schema.to_string().len()
    );
    let described = &schema["properties"]["properties"];
    assert_eq!(
        described["required"],
        json!(["subject", "hs_pipeline_stage"])
    );
    assert!(described["properties"]["subject"].is_object());
    assert!(
        described["description"]
            .as_str()
            .unwrap()
            .contains("more properties of this account are not listed")
    );
}

#[test]
fn errors_map_from_hubspots_envelope() {
    let cases = [
        (
            401,
            json!({"status": "error", "message": "Authentication credentials not found.", "correlationId": "c1", "category": "INVALID_AUTHENTICATION"}),
            Error::unauthorized("Authentication credentials not found."),
        ),
        (
            401,
            json!({"status": "error", "message": "The OAuth token used to make this call expired 2 minute(s) ago.", "correlationId": "c1", "category": "EXPIRED_AUTHENTICATION"}),
            Error::unauthorized("The OAuth token used to make this call expired 2 minute(s) ago."),
        ),
        (
            404,
            json!({"status": "error", "message": "resource not found", "correlationId": "c2", "category": "OBJECT_NOT_FOUND"}),
            Error::not_found("resource not found"),
        ),
        (
            429,
            json!({"status": "error", "message": "You have reached your daily limit.", "errorType": "RATE_LIMIT", "correlationId": "c3", "policyName": "DAILY"}),
            Error::rate_limited("You have reached your daily limit. (limit DAILY)", None),
        ),
    ];
    for (status, answer, expected) in cases {
        let (result, _) = call("HUBSPOT_GET_CONTACT", json!({"id": "1"}), status, answer);
        assert_eq!(result.unwrap_err(), expected);
    }
    // The ten-second rolling limit: the window's length is the delay.
    let transport = Transport::install();
    transport.reply(
        429,
        &[("content-type", "application/json"), ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"), ("X-HubSpot-RateLimit-Remaining", "0")],
        json!({"status": "error", "message": "You have reached your ten_secondly_rolling limit.", "errorType": "RATE_LIMIT", "correlationId": "c4", "policyName": "TEN_SECONDLY_ROLLING"}).to_string(),
    );
    let result = testing::run(&provider(), "HUBSPOT_SEARCH_DEALS", json!({}), &context());
    assert_eq!(
        result.unwrap_err(),
        Error::rate_limited(
            "You have reached your ten_secondly_rolling limit. (limit TEN_SECONDLY_ROLLING)",
            Some(10)
        )
    );
    // A Retry-After header wins.
    let transport = Transport::install();
    transport.reply(429, &[("Retry-After", "3")], "");
    let result = testing::run(&provider(), "HUBSPOT_SEARCH_DEALS", json!({}), &context());
    assert_eq!(
        result.unwrap_err(),
        Error::rate_limited("HTTP 429", Some(3))
    );
    drop(transport);
    // Anything else: upstream, with HubSpot's message.
    let (result, _) = call(
        "HUBSPOT_CREATE_CONTACT",
        json!({"properties": {"email": "ada@example.com"}}),
        409,
        json!({"status": "error", "message": "Contact already exists. Existing ID: 512", "correlationId": "c5", "category": "CONFLICT"}),
    );
    assert!(matches!(
        result.unwrap_err(),
        Error::Upstream { status: 409, message, .. } if message == "Contact already exists. Existing ID: 512"
    ));
}

#[test]
fn connecting_labels_the_account_with_its_portal() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD",
               "additionalCurrencies": [], "utcOffset": "-05:00", "utcOffsetMilliseconds": -18000000,
               "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"}),
    );
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("HubSpot portal 62515 (app.hubspot.com)")
            .field("portal_id", "62515")
    );
    assert_request(&transport.only_request(), "GET", "/account-info/v3/details");
}

#[test]
fn every_action_declares_its_scopes_and_hints() {
    let provider = provider();
    let scopes = |name: &str| provider.find(name).unwrap().required_scopes().to_vec();
    assert_eq!(
        scopes("HUBSPOT_CREATE_CONTACT"),
        vec![vec!["crm.objects.contacts.write".to_string()]]
    );
    assert_eq!(
        scopes("HUBSPOT_SEARCH_TICKETS"),
        vec![vec!["tickets".to_string()]]
    );
    assert_eq!(
        scopes("HUBSPOT_GET_COMPANY"),
        vec![vec!["crm.objects.companies.read".to_string()]]
    );
    assert_eq!(provider.actions().len(), 19);
    for action in provider.actions() {
        let name = action.name();
        let hints = action.hints();
        assert!(!hints.destructive, "{name}");
        let reads = name.contains("_GET_") || name.contains("_SEARCH_") || name.contains("_LIST_");
        assert_eq!(hints.read_only, reads, "{name}");
        assert_eq!(
            hints.dynamic_schema,
            name.contains("_CREATE_") || name.contains("_UPDATE_"),
            "{name}"
        );
        assert!(!action.required_scopes().is_empty(), "{name}");
    }
}
