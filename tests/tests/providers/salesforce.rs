//! The bundled Salesforce plugin against a stand-in that checks every request by hand against
//! Salesforce's REST API Developer Guide and the describe fixtures it serves
//! (`tests/tools/standin/salesforce.py`; no machine-readable description of Salesforce's API
//! exists offline, its OpenAPI being generated per org): the exact requests every action sends
//! to the org's instance, answers shaped like the guide's examples, how Salesforce's error
//! envelope reaches the caller, paging by `nextRecordsUrl`, signing in through the real host
//! (PKCE at login.salesforce.com, the token response's `instance_url` kept and every call sent
//! there, the identity URL labelling the account), and the dynamic schemas of the create and
//! update actions through the real host: one describe per action, cached, refreshed by
//! `reload_fields`, shared by concurrent listings, and enforced on calls.

use std::collections::HashMap;

use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialKind;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::standin::{Recorded, Reply, StandIn};
use actionhost_e2e::validating::{Fixture, SALESFORCE, Session};
use actionhost_e2e::{bundled, load, runtime};
use serde_json::{Value, json};

use super::{Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused};

const FILE: &str = "salesforce.wasm";
const INSTANCE: &str = "https://acme.my.salesforce.com";
const TOKEN: &str = "00Dx0000000BV7z!AR8AQBM8J_xr9kLqmZIRyQxZgLcM4HVi41aGtW0qW3JCzf5xdTGGGSoVim8FfJkZEqxbjaFbberKGk8v8AnYrvChG4qJbQo8";
const SCOPES: &[&str] = &["api", "refresh_token", "id"];
const IDENTITY: &str = "https://login.salesforce.com/id/00Dx0000000BV7zEAG/005x00000012Q9PAAU";

/// The describe fixtures, the same files the stand-in checks bodies against.
const DESCRIBES: &[(&str, &str)] = &[
    (
        "Account",
        include_str!("../../tools/standin/salesforce-describes/Account.json"),
    ),
    (
        "Contact",
        include_str!("../../tools/standin/salesforce-describes/Contact.json"),
    ),
    (
        "Lead",
        include_str!("../../tools/standin/salesforce-describes/Lead.json"),
    ),
    (
        "Opportunity",
        include_str!("../../tools/standin/salesforce-describes/Opportunity.json"),
    ),
    (
        "Case",
        include_str!("../../tools/standin/salesforce-describes/Case.json"),
    ),
    (
        "Task",
        include_str!("../../tools/standin/salesforce-describes/Task.json"),
    ),
];

/// Alice's account: her org's instance from the token response, signed in at login.
fn alice() -> CallContext {
    let mut call = CallContext {
        user: "alice".into(),
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        credential: Some(SecretString::new(TOKEN)),
        credential_kind: Some(CredentialKind::OAuth2),
        ..Default::default()
    };
    call.fields.insert("environment".into(), "login".into());
    call.fields.insert("instance_url".into(), INSTANCE.into());
    call.fields.insert("id".into(), IDENTITY.into());
    call
}

async fn salesforce(overrides: &str) -> (Runtime, LoadedPlugin) {
    let runtime = runtime(overrides);
    let plugin = load(&runtime, bundled(FILE), Default::default()).await;
    (runtime, plugin)
}

/// A page of a query's answer, as the guide's "Execute a SOQL Query" shows it.
fn accounts_page(names: &[(&str, &str)], next: Option<&str>) -> Value {
    let records: Vec<Value> = names
        .iter()
        .map(|(id, name)| json!({"attributes": {"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{id}")}, "Id": id, "Name": name}))
        .collect();
    let mut page = json!({"totalSize": 3, "done": next.is_none(), "records": records});
    if let Some(next) = next {
        page["nextRecordsUrl"] = json!(next);
    }
    page
}

/// The guide's answer to a create: the new id, `success`, no errors.
fn created(id: &str) -> Reply {
    Reply::json(201, json!({"id": id, "success": true, "errors": []}))
}

fn no_content() -> Reply {
    Reply {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
        delay: Default::default(),
    }
}

fn assert_bearer(request: &Recorded) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn every_action_sends_requests_that_salesforces_description_accepts() {
    let standin = SALESFORCE.session("salesforce_every_action");
    for fixture in [
        Fixture::operation(
            "GET /query",
            Reply::json(
                200,
                accounts_page(
                    &[("001D000000IRFmaIAH", "Edge Communications")],
                    Some("/services/data/v62.0/query/01gD0000002HU6KIAW-2000"),
                ),
            ),
        ),
        Fixture::operation(
            "GET /query/{locator}",
            Reply::json(
                200,
                accounts_page(
                    &[("001D000000IomazIAB", "Burlington Textiles Corp of America")],
                    None,
                ),
            ),
        ),
        Fixture::operation(
            "GET /search",
            Reply::json(
                200,
                json!({"searchRecords": [
                    {"attributes": {"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/003D000000QV9n2IAD"}, "Id": "003D000000QV9n2IAD", "Name": "Rose Gonzalez", "Email": "rose@edge.com"},
                    {"attributes": {"type": "Lead", "url": "/services/data/v62.0/sobjects/Lead/00QD000000Hxq5zMAB"}, "Id": "00QD000000Hxq5zMAB", "Name": "Rose Gonzales", "Company": "Edge Communications"}
                ]}),
            ),
        ),
        Fixture::operation(
            "GET /sobjects/{object}/{id}",
            Reply::json(
                200,
                json!({"attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001D000000IRFmaIAH"}, "Name": "Edge Communications", "Industry": "Electronics", "Owner": {"attributes": {"type": "User", "url": "/services/data/v62.0/sobjects/User/005D0000001KyEIIA0"}, "Name": "Ada Lovelace"}, "Id": "001D000000IRFmaIAH"}),
            ),
        ),
        Fixture::operation(
            "GET /sobjects",
            Reply::json(
                200,
                json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [
                    {"activateable": false, "createable": true, "custom": false, "customSetting": false, "deletable": true, "deprecatedAndHidden": false, "feedEnabled": true, "keyPrefix": "001", "label": "Account", "labelPlural": "Accounts", "layoutable": true, "mergeable": true, "mruEnabled": true, "name": "Account", "queryable": true, "replicateable": true, "retrieveable": true, "searchable": true, "triggerable": true, "undeletable": true, "updateable": true, "urls": {"sobject": "/services/data/v62.0/sobjects/Account", "describe": "/services/data/v62.0/sobjects/Account/describe", "rowTemplate": "/services/data/v62.0/sobjects/Account/{ID}"}},
                    {"activateable": false, "createable": true, "custom": true, "customSetting": false, "deletable": true, "deprecatedAndHidden": false, "feedEnabled": false, "keyPrefix": "a01", "label": "Invoice", "labelPlural": "Invoices", "layoutable": true, "mergeable": false, "mruEnabled": true, "name": "Invoice__c", "queryable": true, "replicateable": true, "retrieveable": true, "searchable": true, "triggerable": true, "undeletable": true, "updateable": true, "urls": {"sobject": "/services/data/v62.0/sobjects/Invoice__c"}}
                ]}),
            ),
        ),
        Fixture::operation("POST /sobjects/{object}", created("001D000000IqhSLIAZ")),
        Fixture::operation("PATCH /sobjects/{object}/{id}", no_content()),
        Fixture::operation("DELETE /sobjects/{object}/{id}", no_content()),
    ] {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = salesforce(&standin.overrides()).await;
    let calls: Vec<Call> = vec![
        (
            "SALESFORCE_QUERY",
            json!({"query": "SELECT Id, Name FROM Account WHERE Industry = 'Electronics'", "max_records": 1}),
            &["GET /query"],
        ),
        (
            "SALESFORCE_QUERY",
            json!({"cursor": "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"}),
            &["GET /query/{locator}"],
        ),
        (
            "SALESFORCE_SEARCH",
            json!({"search": "FIND {Rose} IN NAME FIELDS RETURNING Contact(Id, Name, Email), Lead(Id, Name, Company)"}),
            &["GET /search"],
        ),
        (
            "SALESFORCE_GET_RECORD",
            json!({"object": "Account", "record_id": "001D000000IRFmaIAH", "fields": ["Name", "Industry", "Owner.Name"]}),
            &["GET /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_LIST_OBJECTS",
            json!({"custom_only": true}),
            &["GET /sobjects"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_ACCOUNT",
            json!({"fields": {"Name": "Express Logistics and Transport", "Industry": "Transportation", "BillingCity": "Portland", "NumberOfEmployees": 4200, "AnnualRevenue": 950000000, "Customer_Tier__c": "Gold", "Regions__c": ["AMER", "APAC"], "SLA_Expiration__c": "2027-06-30"}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_CONTACT",
            json!({"fields": {"LastName": "Gonzalez", "FirstName": "Rose", "Email": "rose@edge.com", "AccountId": "001D000000IRFmaIAH", "HasOptedOutOfEmail": false, "Preferred_Channel__c": "Email"}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_LEAD",
            json!({"fields": {"LastName": "Young", "Company": "United Oil & Gas Corp.", "Status": "Working - Contacted", "Product_Interest__c": ["GC5000 series"], "Score__c": 72}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_OPPORTUNITY",
            json!({"fields": {"Name": "Edge Emergency Generator", "StageName": "Prospecting", "CloseDate": "2026-12-31", "Amount": 75000.5, "AccountId": "001D000000IRFmaIAH", "Competitors__c": ["Globex", "Hooli"], "Contract_Signed__c": "2026-11-30T10:00:00Z"}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_CASE",
            json!({"fields": {"Subject": "Generator starts slowly", "Origin": "Web", "Priority": "High", "ContactId": "003D000000QV9n2IAD", "Product__c": "GC5040"}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_CREATE_RECORD_TASK",
            json!({"fields": {"Subject": "Call", "ActivityDate": "2026-12-02", "WhoId": "003D000000QV9n2IAD", "WhatId": "006D000000IqhSLIAZ", "Follow_Up_Channel__c": "Phone"}}),
            &["POST /sobjects/{object}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_ACCOUNT",
            json!({"record_id": "001D000000IRFmaIAH", "fields": {"Rating": "Hot", "Description": null}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_CONTACT",
            json!({"record_id": "003D000000QV9n2IAD", "fields": {"Title": "VP Operations"}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_LEAD",
            json!({"record_id": "00QD000000Hxq5zMAB", "fields": {"Status": "Closed - Not Converted"}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_OPPORTUNITY",
            json!({"record_id": "006D000000IqhSLIAZ", "fields": {"StageName": "Closed Won", "Delivery_Status__c": "In Progress"}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_CASE",
            json!({"record_id": "500D000000IqhSLIAZ", "fields": {"Status": "Closed", "IsEscalated": true}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_UPDATE_RECORD_TASK",
            json!({"record_id": "00TD000000IqhSLIAZ", "fields": {"Status": "Completed"}}),
            &["PATCH /sobjects/{object}/{id}"],
        ),
        (
            "SALESFORCE_DELETE_RECORD",
            json!({"object": "Lead", "record_id": "00QD000000Hxq5zMAB"}),
            &["DELETE /sobjects/{object}/{id}"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_eq!(
        outputs[0],
        json!({"total_size": 3, "records": [{"attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001D000000IRFmaIAH"}, "Id": "001D000000IRFmaIAH", "Name": "Edge Communications"}],
               "next_cursor": "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"})
    );
    assert_eq!(outputs[1]["next_cursor"], Value::Null);
    assert_eq!(
        outputs[2]["searchRecords"][1]["Company"],
        "Edge Communications"
    );
    assert_eq!(outputs[3]["Owner"]["Name"], "Ada Lovelace");
    assert_eq!(
        outputs[4],
        json!({"objects": [{"name": "Invoice__c", "label": "Invoice", "labelPlural": "Invoices", "keyPrefix": "a01", "custom": true, "createable": true, "updateable": true, "deletable": true, "queryable": true, "searchable": true}]})
    );
    assert_eq!(
        outputs[5],
        json!({"id": "001D000000IqhSLIAZ", "success": true, "errors": []})
    );
    assert_eq!(
        outputs[11],
        json!({"id": "001D000000IRFmaIAH", "object": "Account", "result": "updated"})
    );
    assert_eq!(
        outputs[17],
        json!({"id": "00QD000000Hxq5zMAB", "object": "Lead", "result": "deleted"})
    );

    let requests = standin.requests().await;
    for request in &requests {
        assert_bearer(request);
    }
    let line = |r: &Recorded| {
        format!(
            "{} {}{}",
            r.method,
            r.path,
            r.query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default()
        )
    };
    assert_eq!(
        line(&requests[0]),
        "GET /services/data/v62.0/query?q=SELECT%20Id%2C%20Name%20FROM%20Account%20WHERE%20Industry%20%3D%20%27Electronics%27"
    );
    assert_eq!(
        requests[0].header("sforce-query-options"),
        Some("batchSize=200")
    );
    assert_eq!(
        line(&requests[3]),
        "GET /services/data/v62.0/sobjects/Account/001D000000IRFmaIAH?fields=Name%2CIndustry%2COwner.Name"
    );
    assert_eq!(
        line(&requests[5]),
        "POST /services/data/v62.0/sobjects/Account"
    );
    assert_eq!(
        requests[5].json(),
        json!({"Name": "Express Logistics and Transport", "Industry": "Transportation", "BillingCity": "Portland", "NumberOfEmployees": 4200, "AnnualRevenue": 950000000, "Customer_Tier__c": "Gold", "Regions__c": "AMER;APAC", "SLA_Expiration__c": "2027-06-30"})
    );
    assert_eq!(
        line(&requests[14]),
        "PATCH /services/data/v62.0/sobjects/Opportunity/006D000000IqhSLIAZ"
    );
    assert_eq!(
        requests[14].json(),
        json!({"StageName": "Closed Won", "Delivery_Status__c": "In Progress"})
    );
    assert_eq!(
        line(&requests[17]),
        "DELETE /services/data/v62.0/sobjects/Lead/00QD000000Hxq5zMAB"
    );
}

/// Paging: the first page's `nextRecordsUrl` comes back as `next_cursor`, and passing it as
/// `cursor` fetches the next page at that URL.
#[tokio::test]
async fn query_fetches_the_next_page_with_the_returned_cursor() {
    let standin = SALESFORCE.session("salesforce_query_pages");
    standin
        .answer(Fixture::operation(
            "GET /query",
            Reply::json(
                200,
                accounts_page(
                    &[
                        ("001D000000IRFmaIAH", "Edge Communications"),
                        ("001D000000IRFmbIAH", "Burlington Textiles"),
                    ],
                    Some("/services/data/v62.0/query/01gD0000002HU6KIAW-2"),
                ),
            ),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "GET /query/{locator}",
            Reply::json(
                200,
                accounts_page(&[("001D000000IRFmcIAH", "Pyramid Construction")], None),
            ),
        ))
        .await;
    let (runtime, plugin) = salesforce(&standin.overrides()).await;
    let (first, _) = runtime
        .execute(
            &plugin,
            "SALESFORCE_QUERY",
            &json!({"query": "SELECT Id, Name FROM Account ORDER BY Name", "max_records": 2}),
            &alice(),
        )
        .await;
    let first = first.unwrap();
    assert_eq!(first["records"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(cursor, "/services/data/v62.0/query/01gD0000002HU6KIAW-2");
    let (second, _) = runtime
        .execute(
            &plugin,
            "SALESFORCE_QUERY",
            &json!({"cursor": cursor}),
            &alice(),
        )
        .await;
    let second = second.unwrap();
    assert_eq!(second["records"][0]["Name"], "Pyramid Construction");
    assert_eq!(second["next_cursor"], Value::Null);
    let paths: Vec<String> = standin
        .requests()
        .await
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/services/data/v62.0/query",
            "/services/data/v62.0/query/01gD0000002HU6KIAW-2"
        ]
    );
}

/// Runs `action` for alice against one answer of the stand-in.
async fn error_of(test: &str, action: &str, params: Value, reply: Reply) -> CallError {
    let standin = SALESFORCE.session(test);
    standin.answer(Fixture::any(reply)).await;
    let (runtime, plugin) = salesforce(&standin.overrides()).await;
    let (result, _) = runtime.execute(&plugin, action, &params, &alice()).await;
    standin.assert_no_violations().await;
    result.unwrap_err()
}

#[tokio::test]
async fn salesforces_errors_reach_the_caller_as_the_contracts_errors() {
    let get = json!({"object": "Account", "record_id": "001D000000IRFmaIAH"});
    assert_eq!(
        error_of(
            "salesforce_expired",
            "SALESFORCE_GET_RECORD",
            get.clone(),
            Reply::json(401, json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])),
        )
        .await,
        CallError::Action(ActionError::Unauthorized(
            "INVALID_SESSION_ID: Session expired or invalid".into()
        ))
    );
    assert_eq!(
        error_of(
            "salesforce_not_found",
            "SALESFORCE_GET_RECORD",
            get.clone(),
            Reply::json(404, json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])),
        )
        .await,
        CallError::Action(ActionError::NotFound(
            "NOT_FOUND: The requested resource does not exist".into()
        ))
    );
    assert_eq!(
        error_of(
            "salesforce_limit",
            "SALESFORCE_LIST_OBJECTS",
            json!({}),
            Reply::json(403, json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]))
                .header("Retry-After", "120"),
        )
        .await,
        CallError::Action(ActionError::RateLimited {
            message: "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.".into(),
            retry_after_seconds: Some(120),
        })
    );
    match error_of(
        "salesforce_bad_request",
        "SALESFORCE_QUERY",
        json!({"query": "SELECT Nmae FROM Account"}),
        Reply::json(400, json!([{"message": "\nSELECT Nmae FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Nmae' on entity 'Account'.", "errorCode": "INVALID_FIELD"}])),
    )
    .await
    {
        CallError::Action(ActionError::Upstream {
            status, message, ..
        }) => {
            assert_eq!(status, 400);
            assert!(
                message.starts_with("INVALID_FIELD: ")
                    && message.contains("No such column 'Nmae' on entity 'Account'."),
                "{message}"
            );
            assert!(!message.contains(TOKEN));
        }
        other => panic!("{other:?}"),
    }
}

const JSON_WITH_TOKEN: &[(&str, &str)] = &[
    ("authorization", "Bearer 00Dx0000000BV7z!token"),
    ("content-type", "application/json"),
];

/// The negative control: requests the real API refuses, each refused for its reason.
#[tokio::test]
async fn salesforces_description_refuses_what_salesforce_would_refuse() {
    assert_refused(
        &SALESFORCE,
        "salesforce_refused",
        &[
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Opportunity",
                headers: JSON_WITH_TOKEN,
                body: r#"{"Name": "Deal", "StageName": "Won-ish", "CloseDate": "2026-12-31"}"#,
                because: "'Won-ish' is not one of its active values",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Account",
                headers: JSON_WITH_TOKEN,
                body: r#"{"Name": "Acme", "Tier__c": "Gold"}"#,
                because: "Account has no field 'Tier__c'",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Account",
                headers: JSON_WITH_TOKEN,
                body: r#"{"Name": "Acme", "NumberOfEmployees": "12"}"#,
                because: "NumberOfEmployees: '12' is not an integer",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Account",
                headers: JSON_WITH_TOKEN,
                body: r#"{"Name": "Acme", "Health_Score__c": 9.5}"#,
                because: "Health_Score__c is a formula field",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Contact",
                headers: JSON_WITH_TOKEN,
                body: r#"{"LastName": "Doe", "Name": "Jane Doe"}"#,
                because: "Name is not createable",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Lead",
                headers: JSON_WITH_TOKEN,
                body: r#"{"LastName": "Young"}"#,
                because: "Company is required to create a Lead",
            },
            Refused {
                method: "POST",
                path_and_query: "/services/data/v62.0/sobjects/Account",
                headers: JSON_WITH_TOKEN,
                body: r#"{"Name": "Acme", "Regions__c": ["EMEA", "AMER"]}"#,
                because: "Regions__c: ['EMEA', 'AMER'] is not a string",
            },
            Refused {
                method: "PATCH",
                path_and_query: "/services/data/v62.0/sobjects/Lead/00QD000000Hxq5zMAB",
                headers: JSON_WITH_TOKEN,
                body: r#"{"IsConverted": true}"#,
                because: "IsConverted is not updateable",
            },
            Refused {
                method: "GET",
                path_and_query: "/services/data/v62.0/query",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "needs the query parameter q",
            },
            Refused {
                method: "GET",
                path_and_query: "/services/data/v62.0/sobjects/Case/001D000000IRFmaIAH",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "not a Case id",
            },
            Refused {
                method: "GET",
                path_and_query: "/services/data/v58.0/sobjects",
                headers: JSON_WITH_TOKEN,
                body: "",
                because: "is not below /services/data/v62.0",
            },
            Refused {
                method: "GET",
                path_and_query: "/services/data/v62.0/sobjects",
                headers: &[],
                body: "",
                because: "no `Authorization: Bearer ...` header",
            },
        ],
    )
    .await;
}

/// Known good: the request of "Create a Record" in the REST API Developer Guide.
#[tokio::test]
async fn salesforces_description_accepts_the_create_example_from_the_guide() {
    assert_accepted(
        &SALESFORCE,
        "salesforce_docs_create",
        (
            "POST",
            "/services/data/v62.0/sobjects/Account",
            JSON_WITH_TOKEN,
            r#"{"Name" : "Express Logistics and Transport"}"#,
        ),
        "POST /sobjects/{object}",
    )
    .await;
}

/// Salesforce's login host standing in: the token endpoint (the token response of the guide's
/// web server flow, with `instance_url` and the identity URL `id`) and the identity URL.
async fn login_host() -> StandIn {
    StandIn::start(|request: &Recorded| match request.path.as_str() {
        "/services/oauth2/token" => Reply::json(
            200,
            json!({
                "access_token": TOKEN,
                "refresh_token": "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrHcqCDHvOnnLgxFQTkFdAJQSqQYxMkWZSOBWbqm1iaqXh_P8T",
                "signature": "CMJ4l+CCaPQiKjoOEwEig9H4wqhpuLSk4J2urAe+fVg=",
                "scope": "refresh_token id api",
                "instance_url": INSTANCE,
                "id": IDENTITY,
                "token_type": "Bearer",
                "issued_at": "1764496800000"
            }),
        ),
        "/id/00Dx0000000BV7zEAG/005x00000012Q9PAAU" => Reply::json(
            200,
            json!({"id": IDENTITY, "asserted_user": true, "user_id": "005x00000012Q9PAAU", "organization_id": "00Dx0000000BV7zEAG",
                   "username": "ada@acme.com", "nick_name": "ada", "display_name": "Ada Lovelace", "email": "ada@acme.com",
                   "email_verified": true, "first_name": "Ada", "last_name": "Lovelace", "timezone": "Europe/London", "active": true,
                   "user_type": "STANDARD", "language": "en_US", "locale": "en_GB", "utcOffset": 0,
                   "urls": {"rest": "https://acme.my.salesforce.com/services/data/v{version}/", "query": "https://acme.my.salesforce.com/services/data/v{version}/query/"}}),
        ),
        _ => Reply::json(404, json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])),
    })
    .await
}

/// Signing in through the real host: the authorize URL at login.salesforce.com with PKCE and
/// the plugin's scopes; the code exchanged there; the token response's `instance_url` and `id`
/// kept as the account's fields; the identity URL read to label the account; and every call
/// then sent to the org's instance. A token response naming an instance outside Salesforce's
/// domains is refused.
#[tokio::test]
async fn signing_in_keeps_the_instance_url_and_every_call_goes_there() {
    let standin = SALESFORCE.session("salesforce_sign_in");
    standin
        .answer(Fixture::operation(
            "GET /query",
            Reply::json(
                200,
                accounts_page(&[("001D000000IRFmaIAH", "Edge Communications")], None),
            ),
        ))
        .await;
    let login = login_host().await;
    let overrides = format!(
        "{},https://login.salesforce.com={}",
        standin.overrides(),
        login.url()
    );
    let app = TestApp::start(&overrides, |_| {}).await;
    let put = app
        .as_admin(
            "PUT",
            "/admin/connections/salesforce",
            // The token endpoint is the login stand-in's (the upstream override covers API
            // calls, not the OAuth client, as for every provider's sign-in test).
            Some(json!({"client_id": "3MVG9connected.app.key", "client_secret": "connected-app-secret",
                        "token_url": format!("{}/services/oauth2/token", login.url())})),
        )
        .await;
    assert_eq!(put.status, 200, "{put:?}");

    // Without the environment the OAuth URLs have no host: the authorize step says so.
    let missing = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/salesforce/authorize",
            None,
        )
        .await;
    assert_eq!(missing.status, 400, "{missing:?}");
    assert!(
        missing.body.to_string().contains("environment"),
        "{missing:?}"
    );

    let started = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/salesforce/authorize",
            Some(json!({"fields": {"environment": "login"}})),
        )
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let url = url::Url::parse(started.body["authorization_url"].as_str().unwrap()).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        (
            "https",
            Some("login.salesforce.com"),
            "/services/oauth2/authorize"
        )
    );
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], "3MVG9connected.app.key");
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["scope"], "api refresh_token id");

    let callback = app
        .call(
            "GET",
            &format!(
                "/oauth/callback?code=aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.8hojaNW_1g%3D%3D&state={}",
                params["state"]
            ),
            None,
            None,
        )
        .await;
    assert_eq!(callback.status, 200, "{callback:?}");
    let login_requests = login.take();
    let paths: Vec<&str> = login_requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/services/oauth2/token",
            "/id/00Dx0000000BV7zEAG/005x00000012Q9PAAU"
        ]
    );
    let (exchange, identity) = (&login_requests[0], &login_requests[1]);
    let form = String::from_utf8(exchange.body.clone()).unwrap();
    let form: HashMap<String, String> = url::form_urlencoded::parse(form.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(form["grant_type"], "authorization_code");
    assert!(!form["code_verifier"].is_empty());
    assert_eq!(
        identity.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let accounts = app
        .as_user("alice", "GET", "/connected-accounts", None)
        .await;
    let account = accounts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["integration"] == "salesforce")
        .unwrap_or_else(|| panic!("{accounts:?}"))
        .clone();
    assert_eq!(account["status"], "active", "{account}");
    assert_eq!(account["label"], "ada@acme.com (acme.my.salesforce.com)");
    assert_eq!(
        account["fields"],
        json!({"environment": "login", "instance_url": INSTANCE, "id": IDENTITY})
    );

    let queried = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SALESFORCE_QUERY", "parameters": {"query": "SELECT Id, Name FROM Account"}})),
        )
        .await;
    assert_eq!(queried.status, 200, "{queried:?}");
    assert_eq!(queried.body["records"][0]["Name"], "Edge Communications");
    let sent = standin.single().await;
    assert_eq!(sent.path, "/services/data/v62.0/query");
    assert_bearer(&sent);

    // An instance outside Salesforce's domains is refused when a token is brought with it.
    let refused = app
        .as_user(
            "bob",
            "PUT",
            "/connected-accounts/salesforce",
            Some(json!({"access_token": "bob-token", "fields": {"environment": "login", "instance_url": "https://acme.my.salesforce.com.evil.test"}})),
        )
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(
        refused.body.to_string().contains("instance_url"),
        "{refused:?}"
    );
}

/// The tool of `action` in a listing of Salesforce's actions.
fn parameters(listing: &Value, action: &str) -> Value {
    listing["actions"]["salesforce"]
        .as_array()
        .unwrap_or_else(|| panic!("salesforce's actions: {listing}"))
        .iter()
        .find(|t| t["function"]["name"] == action)
        .unwrap_or_else(|| panic!("{action}"))["function"]["parameters"]
        .clone()
}

/// How many describe requests `standin` has seen, per object.
async fn describes(standin: &Session) -> Vec<String> {
    let mut objects: Vec<String> = standin
        .requests()
        .await
        .iter()
        .filter(|r| r.path.ends_with("/describe"))
        .map(|r| r.path.split('/').nth(5).unwrap_or_default().to_string())
        .collect();
    objects.sort();
    objects
}

/// Each object described twice (its create and its update action).
fn twice_each() -> Vec<String> {
    let mut objects: Vec<String> = DESCRIBES
        .iter()
        .flat_map(|(object, _)| [object.to_string(), object.to_string()])
        .collect();
    objects.sort();
    objects
}

/// The dynamic schemas through the real host, counted at the stand-in: a listing describes each
/// create and update action once (12 describes for 6 objects); a second listing describes
/// nothing (cached for 8 hours); `reload_fields=true` describes all 12 again; 8 concurrent
/// listings for a user with nothing cached describe each action once (single flight). The
/// schema carries the org's fields, and the host enforces it on calls.
#[tokio::test]
async fn create_and_update_schemas_are_the_orgs_fields_described_once_per_action() {
    let standin = SALESFORCE.session("salesforce_dynamic");
    for (object, describe) in DESCRIBES {
        standin
            .answer(Fixture::new(
                "GET",
                &format!("/services/data/v62.0/sobjects/{object}/describe"),
                Reply::json(200, serde_json::from_str(describe).unwrap()),
            ))
            .await;
    }
    standin
        .answer(Fixture::operation(
            "GET /services/oauth2/userinfo",
            Reply::json(200, json!({"sub": "https://login.salesforce.com/id/00Dx0000000BV7zEAG/005x00000012Q9PAAU", "user_id": "005x00000012Q9PAAU", "organization_id": "00Dx0000000BV7zEAG",
                                    "preferred_username": "ada@acme.com", "name": "Ada Lovelace", "email": "ada@acme.com", "email_verified": true})),
        ))
        .await;
    standin
        .answer(Fixture::operation(
            "POST /sobjects/{object}",
            created("006D000000IqhSLIAZ"),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    for user in ["alice", "bob"] {
        let connected = app
            .as_user(
                user,
                "PUT",
                "/connected-accounts/salesforce",
                Some(json!({"access_token": TOKEN, "scopes": SCOPES, "fields": {"environment": "login", "instance_url": INSTANCE}})),
            )
            .await;
        assert_eq!(connected.status, 200, "{connected:?}");
        assert_eq!(
            connected.body["label"],
            "ada@acme.com (acme.my.salesforce.com)"
        );
    }
    assert!(describes(&standin).await.is_empty());

    let listed = app
        .as_user("alice", "GET", "/actions?integrations=salesforce", None)
        .await;
    assert_eq!(listed.body["errors"], json!([]), "{listed:?}");
    assert_eq!(describes(&standin).await, twice_each());

    let create = parameters(&listed.body, "SALESFORCE_CREATE_RECORD_OPPORTUNITY");
    let fields = &create["properties"]["fields"];
    assert_eq!(
        fields["required"],
        json!(["Name", "StageName", "CloseDate"]),
        "{fields}"
    );
    assert_eq!(fields["additionalProperties"], false);
    let properties = fields["properties"].as_object().unwrap();
    for left_out in [
        "Id",
        "ExpectedRevenue",
        "Weighted_Margin__c",
        "IsClosed",
        "CreatedDate",
    ] {
        assert!(!properties.contains_key(left_out), "{left_out} is listed");
    }
    assert_eq!(
        properties["Delivery_Status__c"],
        json!({"type": "string", "enum": ["Not Started", "In Progress", "Delivered"], "description": "Delivery Status. Where the order stands in fulfilment."})
    );
    assert_eq!(
        properties["Competitors__c"],
        json!({"type": "array", "items": {"type": "string", "enum": ["Globex", "Initech", "Umbrella", "Hooli"]}, "uniqueItems": true, "description": "Competitors — several values; sent joined by `;`."})
    );
    assert_eq!(
        properties["Main_Competitor__c"]["description"],
        "Main Competitor — the values allowed depend on Type."
    );
    assert_eq!(
        properties["AccountId"],
        json!({"type": "string", "pattern": "^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$", "description": "Account ID — the 15- or 18-character id of a record of Account."})
    );
    assert_eq!(
        properties["Contract_Signed__c"],
        json!({"type": "string", "format": "date-time", "description": "Contract Signed."})
    );
    let account_create = parameters(&listed.body, "SALESFORCE_CREATE_RECORD_ACCOUNT");
    let account = &account_create["properties"]["fields"]["properties"];
    assert_eq!(
        account["Customer_Tier__c"]["enum"],
        json!(["Platinum", "Gold", "Silver", "Bronze"]),
        "inactive values are left out"
    );
    assert!(account.get("BillingAddress").is_none() && account.get("BillingCity").is_some());
    let update = parameters(&listed.body, "SALESFORCE_UPDATE_RECORD_LEAD");
    assert_eq!(update["required"], json!(["record_id", "fields"]));
    assert!(update["properties"]["fields"].get("required").is_none());
    assert!(
        update["properties"]["fields"]["properties"]
            .get("IsConverted")
            .is_none(),
        "createable but not updateable"
    );

    // Cached: a second listing describes nothing.
    app.as_user("alice", "GET", "/actions?integrations=salesforce", None)
        .await;
    assert_eq!(describes(&standin).await.len(), 12);

    // reload_fields describes every action again.
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=salesforce&reload_fields=true",
            None,
        )
        .await;
    assert_eq!(reloaded.body["errors"], json!([]), "{reloaded:?}");
    assert_eq!(describes(&standin).await.len(), 24);

    // 8 concurrent listings for bob, who has nothing cached: one describe per action.
    let started = std::time::Instant::now();
    let listings = futures::future::join_all(
        (0..8).map(|_| app.as_user("bob", "GET", "/actions?integrations=salesforce", None)),
    )
    .await;
    let elapsed = started.elapsed();
    for listing in &listings {
        assert_eq!(listing.body["errors"], json!([]), "{listing:?}");
        assert_eq!(
            parameters(&listing.body, "SALESFORCE_CREATE_RECORD_OPPORTUNITY"),
            create
        );
    }
    let mut all = twice_each();
    all.extend(twice_each());
    all.extend(twice_each());
    all.sort();
    assert_eq!(describes(&standin).await, all);
    eprintln!("8 concurrent cold listings: 12 describes, {elapsed:?}");

    // The host checks calls against the user's schema: a stage the org does not have, or a
    // formula field, is refused before the plugin runs; a valid one reaches Salesforce.
    for (bad, path) in [
        (
            json!({"Name": "Deal", "StageName": "Won-ish", "CloseDate": "2026-12-31"}),
            "/fields/StageName",
        ),
        (
            json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31", "ExpectedRevenue": 5}),
            "/fields",
        ),
        (
            json!({"Name": "Deal", "StageName": "Prospecting"}),
            "/fields/CloseDate",
        ),
    ] {
        let refused = app
            .as_user(
                "alice",
                "POST",
                "/actions",
                Some(json!({"action": "SALESFORCE_CREATE_RECORD_OPPORTUNITY", "parameters": {"fields": bad}})),
            )
            .await;
        assert_eq!(
            (refused.status, refused.code()),
            (400, "invalid_parameters"),
            "{refused:?}"
        );
        assert_eq!(
            refused.body["error"]["details"]["errors"][0]["path"], path,
            "{refused:?}"
        );
    }
    let posts = || async {
        standin
            .requests()
            .await
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    };
    assert_eq!(posts().await, 0);
    let made = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SALESFORCE_CREATE_RECORD_OPPORTUNITY", "parameters": {"fields": {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31", "Competitors__c": ["Umbrella"]}}})),
        )
        .await;
    assert_eq!(made.status, 200, "{made:?}");
    assert_eq!(made.body["id"], "006D000000IqhSLIAZ");
    assert_eq!(posts().await, 1);
    assert_eq!(
        describes(&standin).await.len(),
        36,
        "the call used the cached schema"
    );
}
