//! The exact request every Salesforce action sends to the org's REST API (method, URL with its
//! query, headers, JSON body), the inputs refused before any request, paging by the returned
//! `next_cursor` (a `nextRecordsUrl`), the dynamic schemas of the create and update actions from
//! an object's `describe`, the connect step that reads the identity URL, and how Salesforce's
//! error envelope maps to errors, run natively against the SDK's test transport.

use actionhost_plugin_salesforce::{fields, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{ConnectedAccount, Context, CredentialKind, Error};
use serde_json::{Value, json};

const INSTANCE: &str = "https://acme.my.salesforce.com";
const BASE: &str = "https://acme.my.salesforce.com/services/data/v62.0";

fn context() -> Context {
    Context::new("alice")
        .with_credential(CredentialKind::OAuth2)
        .with_scopes(&["api", "refresh_token", "id"])
        .with_field("environment", "login")
        .with_field("instance_url", INSTANCE)
        .with_field(
            "id",
            "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P",
        )
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
        (method, format!("{BASE}{path_and_query}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

/// The answer of a query page, as the REST API guide shows it.
fn query_page(names: &[&str], next: Option<&str>) -> Value {
    let records: Vec<Value> = names
        .iter()
        .map(|name| json!({"attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001D000000IRFmaIAH"}, "Name": name}))
        .collect();
    let mut page = json!({"totalSize": 3, "done": next.is_none(), "records": records});
    if let Some(next) = next {
        page["nextRecordsUrl"] = json!(next);
    }
    page
}

#[test]
fn query_sends_the_soql_and_answers_the_records_with_a_cursor() {
    let (output, request) = call(
        "SALESFORCE_QUERY",
        json!({"query": " SELECT Name FROM Account ", "max_records": 2}),
        200,
        query_page(
            &["Acme", "Globex"],
            Some("/services/data/v62.0/query/01gD0000002HU6KIAW-2000"),
        ),
    );
    assert_request(&request, "GET", "/query?q=SELECT%20Name%20FROM%20Account");
    assert_eq!(
        request.header("sforce-query-options"),
        Some("batchSize=200")
    );
    let output = output.unwrap();
    assert_eq!(output["total_size"], 3);
    assert_eq!(output["records"][1]["Name"], "Globex");
    assert_eq!(
        output["next_cursor"],
        "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"
    );
}

#[test]
fn query_follows_next_records_url_until_enough_and_continues_from_a_cursor() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        query_page(
            &["Acme"],
            Some("/services/data/v62.0/query/01gD0000002HU6KIAW-200"),
        ),
    );
    transport.reply_json(
        200,
        query_page(
            &["Globex"],
            Some("/services/data/v62.0/query/01gD0000002HU6KIAW-400"),
        ),
    );
    let output = testing::run(
        &provider(),
        "SALESFORCE_QUERY",
        json!({"query": "SELECT Name FROM Account", "max_records": 2, "include_deleted": true}),
        &context(),
    )
    .unwrap();
    let requests = transport.requests();
    assert_eq!(requests.len(), 2);
    assert_request(
        &requests[0],
        "GET",
        "/queryAll?q=SELECT%20Name%20FROM%20Account",
    );
    assert_request(&requests[1], "GET", "/query/01gD0000002HU6KIAW-200");
    assert_eq!(
        requests[1].header("sforce-query-options"),
        Some("batchSize=200")
    );
    assert_eq!(output["records"].as_array().unwrap().len(), 2);
    assert_eq!(
        output["next_cursor"],
        "/services/data/v62.0/query/01gD0000002HU6KIAW-400"
    );

    // The cursor continues alone; the last page has no cursor.
    let (output, request) = call(
        "SALESFORCE_QUERY",
        json!({"cursor": "/services/data/v62.0/query/01gD0000002HU6KIAW-400"}),
        200,
        query_page(&["Initech"], None),
    );
    assert_request(&request, "GET", "/query/01gD0000002HU6KIAW-400");
    let output = output.unwrap();
    assert_eq!(output["records"][0]["Name"], "Initech");
    assert_eq!(output["next_cursor"], Value::Null);
}

#[test]
fn query_refuses_no_query_and_a_cursor_that_is_not_a_query_locator() {
    for input in [json!({}), json!({"query": "  "})] {
        assert!(matches!(
            refused("SALESFORCE_QUERY", input),
            Error::InvalidInput(m) if m.contains("give `query`")
        ));
    }
    for cursor in [
        "/services/data/v62.0/sobjects/Account/001D000000IRFmaIAH",
        "https://evil.test/services/data/v62.0/query/01g-2000",
        "/services/data/v62.0/query/../sobjects",
    ] {
        assert!(matches!(
            refused("SALESFORCE_QUERY", json!({"cursor": cursor})),
            Error::InvalidInput(m) if m.contains("`cursor` must be")
        ));
    }
}

#[test]
fn search_sends_the_sosl() {
    let answer = json!({"searchRecords": [{"attributes": {"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/003D000000QV9n2IAD"}, "Id": "003D000000QV9n2IAD", "Name": "Jane Doe"}]});
    let (output, request) = call(
        "SALESFORCE_SEARCH",
        json!({"search": "FIND {Jane} IN NAME FIELDS RETURNING Contact(Id, Name)"}),
        200,
        answer.clone(),
    );
    assert_request(
        &request,
        "GET",
        "/search?q=FIND%20%7BJane%7D%20IN%20NAME%20FIELDS%20RETURNING%20Contact%28Id%2C%20Name%29",
    );
    assert_eq!(output.unwrap(), answer);
    assert!(matches!(
        refused("SALESFORCE_SEARCH", json!({"search": " "})),
        Error::InvalidInput(_)
    ));
}

#[test]
fn get_record_reads_one_record_with_the_fields_named() {
    let answer = json!({"attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001D000000IqhSLIAZ"}, "Id": "001D000000IqhSLIAZ", "Name": "Acme"});
    let (output, request) = call(
        "SALESFORCE_GET_RECORD",
        json!({"object": "Account", "record_id": "001D000000IqhSLIAZ", "fields": ["Name", "Owner.Name"]}),
        200,
        answer.clone(),
    );
    assert_request(
        &request,
        "GET",
        "/sobjects/Account/001D000000IqhSLIAZ?fields=Name%2COwner.Name",
    );
    assert_eq!(output.unwrap(), answer);

    let (_, request) = call(
        "SALESFORCE_GET_RECORD",
        json!({"object": "Invoice__c", "record_id": "a01D000000IqhSL"}),
        200,
        json!({}),
    );
    assert_request(&request, "GET", "/sobjects/Invoice__c/a01D000000IqhSL");
}

#[test]
fn ids_and_object_names_that_could_change_the_path_are_refused() {
    for (object, id) in [
        ("Account/../User", "001D000000IqhSLIAZ"),
        ("", "001D000000IqhSLIAZ"),
        ("Account", "001D000000IqhSL/x"),
        ("Account", "001D00000"),
    ] {
        assert!(matches!(
            refused(
                "SALESFORCE_GET_RECORD",
                json!({"object": object, "record_id": id})
            ),
            Error::InvalidInput(_)
        ));
        assert!(matches!(
            refused(
                "SALESFORCE_DELETE_RECORD",
                json!({"object": object, "record_id": id})
            ),
            Error::InvalidInput(_)
        ));
    }
    assert!(matches!(
        refused(
            "SALESFORCE_GET_RECORD",
            json!({"object": "Account", "record_id": "001D000000IqhSLIAZ", "fields": ["Name,Id FROM User"]})
        ),
        Error::InvalidInput(_)
    ));
}

#[test]
fn create_posts_the_fields_with_multi_select_values_joined() {
    let (output, request) = call(
        "SALESFORCE_CREATE_RECORD_OPPORTUNITY",
        json!({"fields": {"Name": "Acme — 500 widgets", "StageName": "Prospecting", "CloseDate": "2026-12-31", "Amount": 50000, "Competitors__c": ["Globex", "Initech"]}}),
        201,
        json!({"id": "006D000000IqhSLIAZ", "success": true, "errors": []}),
    );
    assert_request(&request, "POST", "/sobjects/Opportunity");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"Name": "Acme — 500 widgets", "StageName": "Prospecting", "CloseDate": "2026-12-31", "Amount": 50000, "Competitors__c": "Globex;Initech"})
    );
    assert_eq!(
        output.unwrap(),
        json!({"id": "006D000000IqhSLIAZ", "success": true, "errors": []})
    );
    for (suffix, object) in [
        ("ACCOUNT", "Account"),
        ("CONTACT", "Contact"),
        ("LEAD", "Lead"),
        ("CASE", "Case"),
        ("TASK", "Task"),
    ] {
        let (_, request) = call(
            &format!("SALESFORCE_CREATE_RECORD_{suffix}"),
            json!({"fields": {"Subject": "x"}}),
            201,
            json!({"id": "00TD000000IqhSLIAZ", "success": true, "errors": []}),
        );
        assert_request(&request, "POST", &format!("/sobjects/{object}"));
    }
    assert!(matches!(
        refused("SALESFORCE_CREATE_RECORD_ACCOUNT", json!({"fields": {}})),
        Error::InvalidInput(_)
    ));
}

#[test]
fn update_patches_only_the_fields_given() {
    let (output, request) = call(
        "SALESFORCE_UPDATE_RECORD_CASE",
        json!({"record_id": "500D000000IqhSLIAZ", "fields": {"Status": "Closed", "Description": null}}),
        204,
        Value::Null,
    );
    assert_request(&request, "PATCH", "/sobjects/Case/500D000000IqhSLIAZ");
    assert_eq!(
        request.json(),
        json!({"Status": "Closed", "Description": null})
    );
    assert_eq!(
        output.unwrap(),
        json!({"id": "500D000000IqhSLIAZ", "object": "Case", "result": "updated"})
    );
    assert!(matches!(
        refused(
            "SALESFORCE_UPDATE_RECORD_CASE",
            json!({"record_id": "500D000000IqhSLIAZ", "fields": {}})
        ),
        Error::InvalidInput(_)
    ));
}

#[test]
fn delete_deletes_the_record() {
    let (output, request) = call(
        "SALESFORCE_DELETE_RECORD",
        json!({"object": "Lead", "record_id": "00QD000000IqhSLIAZ"}),
        204,
        Value::Null,
    );
    assert_request(&request, "DELETE", "/sobjects/Lead/00QD000000IqhSLIAZ");
    assert!(request.body.as_deref().unwrap_or_default().is_empty());
    assert_eq!(
        output.unwrap(),
        json!({"id": "00QD000000IqhSLIAZ", "object": "Lead", "result": "deleted"})
    );
}

#[test]
fn list_objects_answers_a_compact_list_filtered() {
    let answer = json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
        {"name": "Account", "label": "Account", "labelPlural": "Accounts", "keyPrefix": "001", "custom": false, "createable": true, "updateable": true, "deletable": true, "queryable": true, "searchable": true, "urls": {"sobject": "/services/data/v62.0/sobjects/Account"}},
        {"name": "Invoice__c", "label": "Invoice", "labelPlural": "Invoices", "keyPrefix": "a01", "custom": true, "createable": true, "updateable": true, "deletable": false, "queryable": true, "searchable": false, "urls": {}}
    ]});
    let (output, request) = call(
        "SALESFORCE_LIST_OBJECTS",
        json!({"search": "INVOICE"}),
        200,
        answer.clone(),
    );
    assert_request(&request, "GET", "/sobjects");
    assert_eq!(
        output.unwrap(),
        json!({"objects": [{"name": "Invoice__c", "label": "Invoice", "labelPlural": "Invoices", "keyPrefix": "a01", "custom": true, "createable": true, "updateable": true, "deletable": false, "queryable": true, "searchable": false}]})
    );
    let (output, _) = call("SALESFORCE_LIST_OBJECTS", json!({}), 200, answer);
    assert_eq!(output.unwrap()["objects"].as_array().unwrap().len(), 2);
}

/// A describe of Opportunity with the kinds of field the schema treats differently.
fn opportunity_describe() -> Value {
    json!({"name": "Opportunity", "label": "Opportunity", "fields": [
        {"name": "Id", "label": "Opportunity ID", "type": "id", "length": 18, "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true, "calculated": false},
        {"name": "AccountId", "label": "Account ID", "type": "reference", "referenceTo": ["Account"], "nillable": true, "createable": true, "updateable": true, "defaultedOnCreate": false},
        {"name": "Name", "label": "Name", "type": "string", "length": 120, "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": false},
        {"name": "StageName", "label": "Stage", "type": "picklist", "length": 255, "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": false,
         "picklistValues": [{"value": "Prospecting", "label": "Prospecting", "active": true}, {"value": "Old Stage", "label": "Old Stage", "active": false}, {"value": "Closed Won", "label": "Closed Won", "active": true}]},
        {"name": "Amount", "label": "Amount", "type": "currency", "nillable": true, "createable": true, "updateable": true, "scale": 2},
        {"name": "CloseDate", "label": "Close Date", "type": "date", "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": false},
        {"name": "IsPrivate", "label": "Private", "type": "boolean", "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": true},
        {"name": "ExpectedRevenue", "label": "Expected Amount", "type": "currency", "nillable": true, "createable": false, "updateable": false, "calculated": true},
        {"name": "Delivery_Status__c", "label": "Delivery Status", "type": "picklist", "custom": true, "nillable": true, "createable": true, "updateable": true,
         "inlineHelpText": "Where the order stands in fulfilment.", "picklistValues": [{"value": "Pending", "active": true}, {"value": "Shipped", "active": true}]},
        {"name": "Competitors__c", "label": "Competitors", "type": "multipicklist", "custom": true, "nillable": true, "createable": true, "updateable": true,
         "picklistValues": [{"value": "Globex", "active": true}, {"value": "Initech", "active": true}]},
        {"name": "Margin__c", "label": "Margin", "type": "percent", "custom": true, "nillable": true, "createable": true, "updateable": false},
        {"name": "Region__c", "label": "Region", "type": "string", "length": 40, "custom": true, "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": false},
        {"name": "Signed_At__c", "label": "Signed at", "type": "datetime", "custom": true, "nillable": true, "createable": true, "updateable": true},
        {"name": "Contact_Email__c", "label": "Contact e-mail", "type": "email", "length": 80, "custom": true, "nillable": true, "createable": true, "updateable": true},
        {"name": "Seats__c", "label": "Seats", "type": "double", "custom": true, "nillable": true, "createable": true, "updateable": true, "scale": 0},
        {"name": "CreatedDate", "label": "Created Date", "type": "datetime", "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true}
    ]})
}

fn action_describe(action: &str, answer: Value) -> (Value, RecordedRequest) {
    let transport = Transport::install();
    transport.reply_json(200, answer);
    let provider = provider();
    let schema = provider
        .find(action)
        .expect("the action")
        .describe(&context())
        .unwrap();
    (schema, transport.only_request())
}

#[test]
fn create_opportunitys_schema_lists_the_orgs_fields() {
    let (schema, request) = action_describe(
        "SALESFORCE_CREATE_RECORD_OPPORTUNITY",
        opportunity_describe(),
    );
    assert_request(&request, "GET", "/sobjects/Opportunity/describe");
    let fields = &schema["properties"]["fields"];
    assert_eq!(fields["additionalProperties"], false);
    assert_eq!(
        fields["required"],
        json!(["Name", "StageName", "CloseDate", "Region__c"])
    );
    assert_eq!(
        fields["properties"],
        json!({
            "AccountId": {"type": "string", "pattern": "^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$", "description": "Account ID — the 15- or 18-character id of a record of Account."},
            "Name": {"type": "string", "maxLength": 120, "description": "Name."},
            "StageName": {"type": "string", "enum": ["Prospecting", "Closed Won"], "description": "Stage."},
            "Amount": {"type": "number", "description": "Amount — an amount in the record's currency; up to 2 decimal places."},
            "CloseDate": {"type": "string", "format": "date", "description": "Close Date."},
            "IsPrivate": {"type": "boolean", "description": "Private."},
            "Delivery_Status__c": {"type": "string", "enum": ["Pending", "Shipped"], "description": "Delivery Status. Where the order stands in fulfilment."},
            "Competitors__c": {"type": "array", "items": {"type": "string", "enum": ["Globex", "Initech"]}, "uniqueItems": true, "description": "Competitors — several values; sent joined by `;`."},
            "Margin__c": {"type": "number", "description": "Margin — a percentage, 12.5 for 12.5%."},
            "Region__c": {"type": "string", "maxLength": 40, "description": "Region."},
            "Signed_At__c": {"type": "string", "format": "date-time", "description": "Signed at."},
            "Contact_Email__c": {"type": "string", "format": "email", "maxLength": 80, "description": "Contact e-mail."},
            "Seats__c": {"type": "number", "description": "Seats."}
        })
    );
    assert!(
        fields["description"]
            .as_str()
            .unwrap()
            .starts_with("The new Opportunity's field values")
    );
    // The rest of the static schema stays.
    assert_eq!(schema["required"], json!(["fields"]));
}

#[test]
fn update_opportunitys_schema_lists_the_updateable_fields_and_requires_none() {
    let (schema, request) = action_describe(
        "SALESFORCE_UPDATE_RECORD_OPPORTUNITY",
        opportunity_describe(),
    );
    assert_request(&request, "GET", "/sobjects/Opportunity/describe");
    let fields = &schema["properties"]["fields"];
    assert_eq!(fields.get("required"), None);
    assert_eq!(fields["minProperties"], 1);
    let names: Vec<&str> = fields["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(!names.contains(&"Margin__c"), "not updateable: {names:?}");
    assert!(!names.contains(&"ExpectedRevenue") && !names.contains(&"Id"));
    assert_eq!(
        fields["properties"]["Delivery_Status__c"],
        json!({"type": ["string", "null"], "enum": ["Pending", "Shipped", null], "description": "Delivery Status. Where the order stands in fulfilment."})
    );
    // A field that may not be empty cannot be cleared.
    assert_eq!(fields["properties"]["Name"]["type"], "string");
    assert_eq!(schema["required"], json!(["record_id", "fields"]));
}

#[test]
fn a_huge_object_keeps_its_schema_bounded() {
    let long_help = "h".repeat(1000);
    let many: Vec<Value> = (0..900)
        .map(|i| json!({"name": format!("Field_{i}__c"), "label": format!("Field {i}"), "type": "picklist", "nillable": true, "createable": true, "updateable": true, "inlineHelpText": long_help,
            "picklistValues": (0..40).map(|v| json!({"value": format!("Value {v}"), "active": true})).collect::<Vec<_>>()}))
        .collect();
    let (schema, _) = action_describe(
        "SALESFORCE_CREATE_RECORD_ACCOUNT",
        json!({"name": "Account", "label": "Account", "fields": many}),
    );
    let size = schema.to_string().len();
    assert!(size < 256 * 1024, "{size} bytes");
    let properties = schema["properties"]["fields"]["properties"]
        .as_object()
        .unwrap();
    assert_eq!(properties.len(), 900, "every createable field is kept");
    let one = properties["Field_7__c"]["description"].as_str().unwrap();
    assert!(one.chars().count() <= fields::MAX_DESCRIPTION, "{one}");
}

#[test]
fn connecting_labels_the_account_from_the_identity_url() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"id": "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P", "user_id": "005x00000012Q9P", "organization_id": "00Dx0000000BV7z",
               "username": "ada@acme.com", "display_name": "Ada Lovelace", "email": "ada@acme.com"}),
    );
    let account = testing::after_connect(&provider(), &context()).unwrap();
    assert_eq!(
        account,
        ConnectedAccount::labelled("ada@acme.com (acme.my.salesforce.com)")
    );
    let request = transport.only_request();
    assert_eq!(
        request.url,
        "https://login.salesforce.com/id/00Dx0000000BV7z/005x00000012Q9P"
    );

    // A sandbox account reads its identity at test.salesforce.com; a token brought without an
    // identity URL is checked at the org's userinfo endpoint.
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"preferred_username": "ada@acme.com.uat", "name": "Ada"}),
    );
    let sandbox = context().with_field("environment", "test");
    testing::after_connect(&provider(), &sandbox).unwrap();
    assert!(
        transport
            .only_request()
            .url
            .starts_with("https://test.salesforce.com/id/")
    );
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"preferred_username": "ada@acme.com", "name": "Ada"}),
    );
    let mut brought = context();
    brought.fields.remove("id");
    let account = testing::after_connect(&provider(), &brought).unwrap();
    assert_eq!(
        account.label.as_deref(),
        Some("ada@acme.com (acme.my.salesforce.com)")
    );
    assert_eq!(
        transport.only_request().url,
        "https://acme.my.salesforce.com/services/oauth2/userinfo"
    );
}

fn error_of(status: u16, headers: &[(&str, &str)], body: Value) -> Error {
    let transport = Transport::install();
    transport.reply(status, headers, body.to_string());
    testing::run(
        &provider(),
        "SALESFORCE_GET_RECORD",
        json!({"object": "Account", "record_id": "001D000000IqhSLIAZ"}),
        &context(),
    )
    .unwrap_err()
}

#[test]
fn salesforces_error_envelope_maps_to_the_contracts_errors() {
    assert_eq!(
        error_of(
            401,
            &[],
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        ),
        Error::unauthorized("INVALID_SESSION_ID: Session expired or invalid")
    );
    assert_eq!(
        error_of(
            404,
            &[],
            json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        ),
        Error::not_found("NOT_FOUND: The requested resource does not exist")
    );
    assert_eq!(
        error_of(
            403,
            &[("Retry-After", "60")],
            json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        ),
        Error::rate_limited(
            "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.",
            Some(60)
        )
    );
    assert_eq!(
        error_of(
            429,
            &[],
            json!([{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
        ),
        Error::rate_limited("REQUEST_LIMIT_EXCEEDED: Too many requests", None)
    );
    match error_of(
        400,
        &[],
        json!([{"message": "Required fields are missing: [StageName]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["StageName"]}]),
    ) {
        Error::Upstream {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(
                message,
                "REQUIRED_FIELD_MISSING: Required fields are missing: [StageName] [StageName]"
            );
        }
        other => panic!("{other:?}"),
    }
    match error_of(
        400,
        &[],
        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"}),
    ) {
        Error::Upstream { message, .. } => assert_eq!(message, "expired access/refresh token"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_account_without_its_instance_must_connect_again() {
    let ctx = Context::new("alice").with_field("environment", "login");
    let error = testing::refused(&provider(), &ctx, "SALESFORCE_LIST_OBJECTS", json!({}));
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
}
