//! The bundled Shopify plugin against a stand-in that checks every request with Shopify's own
//! GraphQL Admin API schema, version 2026-07 (the introspection result
//! `../shared/specs/shopify/admin_2026-07.json.gz`): each document is parsed and validated and
//! its variables coerced (graphql-core). The shop's address, the versioned path and the token in
//! `X-Shopify-Access-Token`, which a schema does not describe, are asserted here. The answers are
//! Shopify's as its reference shows them: HTTP 200 with `errors[]` for most failures, `THROTTLED`
//! with the query's cost for a rate limit, string `errors` with 401/404, `userErrors` in mutation
//! payloads. The account's `shop` field comes from the call context (and, through the real host,
//! from connecting): it picks the origin every request goes to.

use actionhost::credentials::SecretString;
use actionhost::manifest::CredentialKind;
use actionhost::runtime::{ActionError, CallContext, CallError, LoadedPlugin, Runtime};
use actionhost_e2e::host::TestApp;
use actionhost_e2e::oauth_server::{CLIENT_ID, CLIENT_SECRET};
use actionhost_e2e::standin::Reply;
use actionhost_e2e::validating::{Fixture, SHOPIFY, Session};
use serde_json::{Value, json};

use super::{
    Call, Refused, assert_accepted, assert_every_call_reaches, assert_refused, load_against,
    run_once,
};

const FILE: &str = "shopify.wasm";
const SHOP: &str = "acme-outfitters";
const PATH: &str = "/admin/api/2026-07/graphql.json";
/// A custom app's Admin API access token, as Shopify's admin shows one.
const TOKEN: &str = "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";

const SCOPES: &[&str] = &[
    "read_orders",
    "read_products",
    "write_products",
    "read_inventory",
    "write_inventory",
    "read_customers",
    "write_draft_orders",
];

/// Alice's shop, connected with a custom app's token (`X-Shopify-Access-Token`, bare).
fn alice() -> CallContext {
    let mut call = CallContext {
        user: "alice".into(),
        scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
        credential: Some(SecretString::new(TOKEN)),
        credential_kind: Some(CredentialKind::ApiKey),
        ..Default::default()
    };
    call.fields.insert("shop".into(), SHOP.into());
    call
}

async fn shopify(standin: &Session) -> (Runtime, LoadedPlugin) {
    load_against(standin, FILE).await
}

/// Shopify's `extensions.cost` of a cheap query.
fn cost() -> Value {
    json!({"cost": {"requestedQueryCost": 12, "actualQueryCost": 12, "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1988, "restoreRate": 100.0}}})
}

/// Answers the GraphQL operation `operation` (`query ListOrders`) with `data`.
fn data(operation: &str, data: Value) -> Fixture {
    Fixture::operation(
        operation,
        Reply::json(200, json!({"data": data, "extensions": cost()})),
    )
}

/// Every request reached the shop's versioned GraphQL path with the token in Shopify's header
/// and nothing in `Authorization`.
async fn assert_shopify_requests(standin: &Session) {
    for request in standin.requests().await {
        assert_eq!(
            (request.method.as_str(), request.path.as_str()),
            ("POST", PATH)
        );
        assert_eq!(request.query, None);
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(request.header("x-shopify-access-token"), Some(TOKEN));
        assert_eq!(request.header("authorization"), None);
    }
}

fn variables(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body).unwrap()["variables"].clone()
}

fn money(amount: &str) -> Value {
    json!({"shopMoney": {"amount": amount, "currencyCode": "USD"}})
}

fn page(nodes: Value, next: Option<&str>) -> Value {
    json!({"nodes": nodes, "pageInfo": {"hasNextPage": next.is_some(), "endCursor": next}})
}

/// An order as `orders { nodes { ... } }` answers it in the reference's examples.
fn order(id: u64, name: &str) -> Value {
    json!({
        "id": format!("gid://shopify/Order/{id}"), "name": name,
        "createdAt": "2026-11-02T15:04:05Z", "processedAt": "2026-11-02T15:04:05Z",
        "cancelledAt": null, "closed": false, "test": false, "email": "bob.norman@mail.example.com",
        "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED", "tags": ["wholesale"],
        "currencyCode": "USD", "totalPriceSet": money("598.94"), "currentTotalPriceSet": money("598.94"),
        "totalRefundedSet": money("0.0"),
        "customer": {"id": "gid://shopify/Customer/115310627314723954", "displayName": "Bob Norman"}
    })
}

fn product() -> Value {
    json!({
        "id": "gid://shopify/Product/108828309", "title": "Draft", "handle": "draft", "status": "ACTIVE",
        "vendor": "Arbor", "productType": "Snowboards", "tags": ["Deepsnow", "Wooden Core"],
        "descriptionHtml": "<p>good board</p>", "createdAt": "2026-11-01T10:00:00Z", "updatedAt": "2026-11-02T10:00:00Z",
        "variants": {"nodes": [{"id": "gid://shopify/ProductVariant/30322695", "title": "151cm", "sku": "IPOD2008GREEN", "price": "199.99", "inventoryItem": {"id": "gid://shopify/InventoryItem/30322695"}}]},
        "metafields": {"nodes": [{"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "Wood"}]}
    })
}

/// Every action with the parameters it takes, in one session: Shopify's schema accepts each
/// document and its variables, each request reaches the operation the action is for, a second
/// page of orders is fetched with the cursor the first answered, and the sales report reads
/// both pages of its range and sums them per day in the shop's time zone.
#[tokio::test]
async fn every_action_sends_documents_that_shopifys_schema_accepts() {
    let standin = SHOPIFY.session("every_action");
    let cursor = "eyJsYXN0X2lkIjo0NTAxMjM0NTY3ODksImxhc3RfdmFsdWUiOiIyMDI2LTExLTAyIn0=";
    for fixture in [
        data("query SalesReportShop", json!({"shop": {"ianaTimezone": "America/New_York", "currencyCode": "USD"}})),
        data("query SalesReportOrders", json!({"orders": page(json!([
            {"createdAt": "2026-11-01T04:00:00Z", "totalPriceSet": money("598.94"), "totalRefundedSet": money("0.0")},
            {"createdAt": "2026-11-02T04:59:59Z", "totalPriceSet": money("11.5"), "totalRefundedSet": money("11.5")}
        ]), Some("c2"))})).once(),
        data("query SalesReportOrders", json!({"orders": page(json!([
            {"createdAt": "2026-11-02T05:00:00Z", "totalPriceSet": money("20.00"), "totalRefundedSet": money("5.00")}
        ]), None)})).once(),
        data("query ListOrders", json!({"orders": page(json!([order(450789469, "#1001")]), Some(cursor))})).once(),
        data("query ListOrders", json!({"orders": page(json!([order(450789470, "#1002")]), None)})).once(),
        data("query GetOrder", json!({"order": order(450789469, "#1001")})),
        data("query ListProducts", json!({"products": page(json!([{"id": "gid://shopify/Product/108828309", "title": "Draft", "status": "ACTIVE"}]), None)})),
        data("query GetProduct", json!({"product": product()})),
        data("mutation CreateProduct", json!({"productCreate": {"product": product(), "userErrors": []}})),
        data("mutation UpdateProduct", json!({"productUpdate": {"product": product(), "userErrors": []}})),
        data("mutation AdjustInventory", json!({"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": {
            "id": "gid://shopify/InventoryAdjustmentGroup/1", "createdAt": "2026-11-30T09:00:00Z", "reason": "received", "referenceDocumentUri": "logistics://purchase-order/1234",
            "changes": [{"name": "available", "delta": 5, "quantityAfterChange": 12, "item": {"id": "gid://shopify/InventoryItem/30322695", "sku": "IPOD2008GREEN"}, "location": {"id": "gid://shopify/Location/124656943", "name": "Shop location"}}]
        }, "userErrors": []}})),
        data("query ListCustomers", json!({"customers": page(json!([{"id": "gid://shopify/Customer/115310627314723954", "displayName": "Bob Norman", "defaultEmailAddress": {"emailAddress": "bob.norman@mail.example.com", "marketingState": "SUBSCRIBED"}, "numberOfOrders": "1", "amountSpent": {"amount": "598.94", "currencyCode": "USD"}}]), None)})),
        data("query ShopCurrency", json!({"shop": {"currencyCode": "USD"}})),
        data("mutation CreateDraftOrder", json!({"draftOrderCreate": {"draftOrder": {
            "id": "gid://shopify/DraftOrder/276395349", "name": "#D1", "status": "OPEN",
            "invoiceUrl": "https://acme-outfitters.myshopify.com/548380009/invoices/9c3f6dcb", "totalPriceSet": money("404.48")
        }, "userErrors": []}})),
    ] {
        standin.answer(fixture).await;
    }
    let (runtime, plugin) = shopify(&standin).await;
    let calls: Vec<Call> = vec![
        (
            "SHOPIFY_SALES_REPORT",
            json!({"start_date": "2026-11-01", "end_date": "2026-11-02"}),
            &[
                "query SalesReportShop",
                "query SalesReportOrders",
                "query SalesReportOrders",
            ],
        ),
        (
            "SHOPIFY_LIST_ORDERS",
            json!({"query": "financial_status:paid fulfillment_status:unfulfilled", "limit": 1, "sort_key": "CREATED_AT", "reverse": true}),
            &["query ListOrders"],
        ),
        (
            "SHOPIFY_LIST_ORDERS",
            json!({"query": "financial_status:paid fulfillment_status:unfulfilled", "limit": 1, "sort_key": "CREATED_AT", "reverse": true, "cursor": cursor}),
            &["query ListOrders"],
        ),
        (
            "SHOPIFY_GET_ORDER",
            json!({"order_id": "450789469"}),
            &["query GetOrder"],
        ),
        (
            "SHOPIFY_LIST_PRODUCTS",
            json!({"query": "status:active vendor:Arbor", "limit": 10, "sort_key": "TITLE"}),
            &["query ListProducts"],
        ),
        (
            "SHOPIFY_GET_PRODUCT",
            json!({"product_id": "gid://shopify/Product/108828309"}),
            &["query GetProduct"],
        ),
        (
            "SHOPIFY_CREATE_PRODUCT",
            json!({"title": "Draft", "description_html": "<p>good board</p>", "vendor": "Arbor", "product_type": "Snowboards", "tags": ["Deepsnow"], "status": "DRAFT", "handle": "draft",
                   "metafields": [{"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "Wood"}]}),
            &["mutation CreateProduct"],
        ),
        (
            "SHOPIFY_UPDATE_PRODUCT",
            json!({"product_id": "108828309", "title": "Draft 2", "status": "ACTIVE", "tags": ["Deepsnow", "Wooden Core"]}),
            &["mutation UpdateProduct"],
        ),
        (
            "SHOPIFY_ADJUST_INVENTORY",
            json!({"changes": [{"inventory_item_id": "30322695", "location_id": "124656943", "delta": 5, "expected_quantity": 7}], "reason": "received", "reference_document_uri": "logistics://purchase-order/1234", "idempotency_key": "po-1234-receipt"}),
            &["mutation AdjustInventory"],
        ),
        (
            "SHOPIFY_LIST_CUSTOMERS",
            json!({"query": "email:bob.norman@mail.example.com", "limit": 5, "sort_key": "UPDATED_AT", "reverse": true}),
            &["query ListCustomers"],
        ),
        (
            "SHOPIFY_CREATE_DRAFT_ORDER",
            json!({"line_items": [{"variant_id": "30322695", "quantity": 2}, {"title": "Gift wrapping", "unit_price": "4.50", "quantity": 1}],
                   "customer_id": "115310627314723954", "email": "bob.norman@mail.example.com", "note": "Deliver after 5pm", "tags": ["phone"], "discount_codes": ["WELCOME10"]}),
            &["query ShopCurrency", "mutation CreateDraftOrder"],
        ),
    ];
    let outputs = assert_every_call_reaches(&standin, (&runtime, &plugin), &alice(), &calls).await;
    assert_shopify_requests(&standin).await;
    assert_eq!(
        outputs[0],
        json!({
            "time_zone": "America/New_York", "currency": "USD", "start_date": "2026-11-01", "end_date": "2026-11-02",
            "include_test_orders": false,
            "days": [
                {"date": "2026-11-01", "orders": 2, "gross_sales": "610.44", "refunds": "11.50", "net_sales": "598.94"},
                {"date": "2026-11-02", "orders": 1, "gross_sales": "20.00", "refunds": "5.00", "net_sales": "15.00"}
            ],
            "totals": {"orders": 3, "gross_sales": "630.44", "refunds": "16.50", "net_sales": "613.94"}
        })
    );
    assert_eq!(
        outputs[1],
        json!({"items": [order(450789469, "#1001")], "next_cursor": cursor})
    );
    assert_eq!(
        outputs[2],
        json!({"items": [order(450789470, "#1002")], "next_cursor": null})
    );
    assert_eq!(outputs[3]["name"], "#1001");
    assert_eq!(outputs[10]["name"], "#D1");

    let requests = standin.requests().await;
    let range =
        "created_at:>='2026-11-01T04:00:00Z' AND created_at:<'2026-11-03T05:00:00Z' AND test:false";
    assert_eq!(
        variables(&requests[1].body),
        json!({"query": range, "after": null})
    );
    assert_eq!(
        variables(&requests[2].body),
        json!({"query": range, "after": "c2"})
    );
    assert_eq!(
        variables(&requests[4].body),
        json!({"first": 1, "after": cursor, "query": "financial_status:paid fulfillment_status:unfulfilled", "sortKey": "CREATED_AT", "reverse": true})
    );
    assert_eq!(
        variables(&requests[10].body),
        json!({"key": "po-1234-receipt", "input": {"reason": "received", "name": "available", "referenceDocumentUri": "logistics://purchase-order/1234",
               "changes": [{"inventoryItemId": "gid://shopify/InventoryItem/30322695", "locationId": "gid://shopify/Location/124656943", "delta": 5, "changeFromQuantity": 7}]}})
    );
    assert_eq!(
        variables(&requests[13].body)["input"]["lineItems"][1],
        json!({"title": "Gift wrapping", "quantity": 1, "originalUnitPriceWithCurrency": {"amount": "4.50", "currencyCode": "USD"}})
    );
}

async fn error_of(test: &str, reply: Reply) -> CallError {
    let (result, standin) = run_once(
        &SHOPIFY,
        FILE,
        &alice(),
        (test, "SHOPIFY_GET_ORDER", json!({"order_id": "450789469"})),
        Fixture::operation("query GetOrder", reply),
    )
    .await;
    standin.assert_no_violations().await;
    assert_eq!(standin.checked().await.len(), 1);
    result.unwrap_err()
}

/// Shopify's errors as its reference shows them reach the caller as the contract's errors: a
/// refused token (401, string `errors`) → not connected; `THROTTLED` → rate limited, retried
/// after the seconds the bucket needs to hold the query's cost again (here
/// ceil((1001 − 1) / 10) = 100 s, longer than a call, so the host hands it on rather than
/// waiting); a missing scope (`ACCESS_DENIED`) → upstream error, not a revoked account; an order
/// that is not there (`order: null`) → not found.
#[tokio::test]
async fn shopifys_errors_map_to_the_contracts_codes() {
    assert_eq!(
        error_of(
            "error_401",
            Reply::json(401, json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}))
        )
        .await,
        CallError::Action(ActionError::Unauthorized(
            "Shopify: [API] Invalid API key or access token (unrecognized login or wrong password)".into()
        ))
    );
    let throttled = json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": 1001, "actualQueryCost": null, "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1, "restoreRate": 10.0}}}
    });
    assert_eq!(
        error_of("error_throttled", Reply::json(200, throttled)).await,
        CallError::Action(ActionError::RateLimited {
            message: "Throttled".into(),
            retry_after_seconds: Some(100)
        })
    );
    let denied = json!({"data": {"order": null}, "errors": [{"message": "Access denied for order field. Required access: `read_orders` access scope.", "locations": [{"line": 1, "column": 26}], "extensions": {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes", "requiredAccess": "`read_orders` access scope."}, "path": ["order"]}], "extensions": cost()});
    match error_of("error_access_denied", Reply::json(200, denied)).await {
        CallError::Action(ActionError::Upstream {
            status: 200,
            message,
            ..
        }) => assert_eq!(
            message,
            "Access denied for order field. Required access: `read_orders` access scope. (the app lacks the access scope this needs: connect the account again with it)"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_of(
            "error_not_found",
            Reply::json(200, json!({"data": {"order": null}, "extensions": cost()}))
        )
        .await,
        CallError::Action(ActionError::NotFound(
            "no order gid://shopify/Order/450789469 in this shop".into()
        ))
    );
}

/// A mutation's `userErrors` name the field Shopify refused; the request itself was valid.
#[tokio::test]
async fn user_errors_are_invalid_input_naming_the_field() {
    let (result, standin) = run_once(
        &SHOPIFY,
        FILE,
        &alice(),
        ("user_errors", "SHOPIFY_CREATE_PRODUCT", json!({"title": "Draft", "handle": "draft"})),
        data(
            "mutation CreateProduct",
            json!({"productCreate": {"product": null, "userErrors": [{"field": ["handle"], "message": "Handle has already been taken"}]}}),
        ),
    )
    .await;
    assert_eq!(
        result.unwrap_err(),
        CallError::Action(ActionError::InvalidInput(
            "handle: Handle has already been taken".into()
        ))
    );
    assert_shopify_requests(&standin).await;
}

fn body(query: &str, variables: Value) -> String {
    json!({"query": query, "variables": variables}).to_string()
}

const TOKEN_HEADER: (&str, &str) = ("x-shopify-access-token", TOKEN);
const JSON: (&str, &str) = ("content-type", "application/json");

/// Negative controls: documents and variables Shopify's schema refuses, so a stand-in that
/// accepts everything fails here.
#[tokio::test]
async fn shopifys_schema_refuses_what_shopify_would() {
    let unknown_field = body("query { shop { name timezone } }", json!({}));
    let wrong_type = body(
        "query ListOrders($first: Int!) { orders(first: $first) { nodes { id } } }",
        json!({"first": "fifty"}),
    );
    let bad_enum = body(
        "query ListOrders($sortKey: OrderSortKeys) { orders(first: 5, sortKey: $sortKey) { nodes { id } } }",
        json!({"sortKey": "NEWEST"}),
    );
    let missing_input = body(
        "mutation AdjustInventory($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) { userErrors { message } } }",
        json!({"input": {"reason": "correction", "name": "available", "changes": [{"inventoryItemId": "gid://shopify/InventoryItem/1", "delta": 1}]}}),
    );
    let draft_note = body(
        "mutation CreateDraftOrder($input: DraftOrderInput!) { draftOrderCreate(input: $input) { draftOrder { id note } } }",
        json!({"input": {"lineItems": [{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}]}}),
    );
    let headers = [TOKEN_HEADER, JSON];
    assert_refused(
        &SHOPIFY,
        "refused",
        &[
            Refused {
                method: "POST",
                path_and_query: PATH,
                headers: &headers,
                body: &unknown_field,
                because: "Cannot query field 'timezone' on type 'Shop'",
            },
            Refused {
                method: "POST",
                path_and_query: PATH,
                headers: &headers,
                body: &wrong_type,
                because: "invalid variables",
            },
            Refused {
                method: "POST",
                path_and_query: PATH,
                headers: &headers,
                body: &bad_enum,
                because: "OrderSortKeys",
            },
            Refused {
                method: "POST",
                path_and_query: PATH,
                headers: &headers,
                body: &missing_input,
                because: "locationId",
            },
            Refused {
                method: "POST",
                path_and_query: PATH,
                headers: &headers,
                body: &draft_note,
                because: "Cannot query field 'note' on type 'DraftOrder'",
            },
            Refused {
                method: "GET",
                path_and_query: "/admin/api/2026-07/graphql.json?query=%7Bshop%7Bname%7D%7D",
                headers: &headers,
                body: "",
                because: "a GraphQL request is a POST",
            },
        ],
    )
    .await;
}

/// Known good: the products query of Shopify's "Getting started" examples, inline arguments.
#[tokio::test]
async fn shopifys_schema_accepts_a_query_from_shopifys_docs() {
    let docs = body(
        "query { products(first: 3) { edges { node { id title } } } }",
        json!({}),
    );
    assert_accepted(
        &SHOPIFY,
        "docs_products",
        ("POST", PATH, &[TOKEN_HEADER, JSON], &docs),
        "query (anonymous)",
    )
    .await;
}

/// Through the real host: a custom app's token connects with the shop's name (the `shop` field);
/// the connect step checks it with `shop { name myshopifyDomain }` and labels the account; a
/// call reaches that shop with the token in `X-Shopify-Access-Token`. An account without `shop`
/// is refused naming it.
#[tokio::test]
async fn a_custom_app_token_connects_to_its_shop_and_calls_reach_it() {
    let standin = SHOPIFY.session("connect");
    standin
        .answer(data(
            "query ConnectedShop",
            json!({"shop": {"name": "Acme Outfitters", "myshopifyDomain": "acme-outfitters.myshopify.com"}}),
        ))
        .await;
    standin
        .answer(data(
            "query ListCustomers",
            json!({"customers": page(json!([]), None)}),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let without_shop = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/shopify",
            Some(json!({"api_key": TOKEN})),
        )
        .await;
    assert_eq!(without_shop.status, 400, "{without_shop:?}");
    assert!(
        without_shop.body.to_string().contains("shop"),
        "{without_shop:?}"
    );
    let connected = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/shopify",
            Some(json!({"api_key": TOKEN, "fields": {"shop": SHOP}})),
        )
        .await;
    assert_eq!(connected.status, 200, "{connected:?}");
    assert_eq!(
        connected.body["label"],
        "Acme Outfitters (acme-outfitters.myshopify.com)"
    );
    assert_eq!(connected.body["fields"], json!({"shop": SHOP}));
    assert!(!connected.body.to_string().contains(TOKEN));
    let listed = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SHOPIFY_LIST_CUSTOMERS", "parameters": {"query": "tag:vip"}})),
        )
        .await;
    assert_eq!(
        (listed.status, listed.body.clone()),
        (200, json!({"items": [], "next_cursor": null}))
    );
    let operations: Vec<Option<String>> = standin
        .checked()
        .await
        .into_iter()
        .map(|c| c.operation)
        .collect();
    assert_eq!(
        operations,
        [
            Some("query ConnectedShop".into()),
            Some("query ListCustomers".into())
        ]
    );
    assert_shopify_requests(&standin).await;
}

/// An OAuth account's token goes in `X-Shopify-Access-Token` too (contract 0.4's token header),
/// never as a Bearer token: Shopify's Admin API takes no other.
#[tokio::test]
async fn an_oauth_token_goes_in_shopifys_header() {
    let standin = SHOPIFY.session("oauth_token_header");
    standin
        .answer(data(
            "query ConnectedShop",
            json!({"shop": {"name": "Acme Outfitters", "myshopifyDomain": "acme-outfitters.myshopify.com"}}),
        ))
        .await;
    standin
        .answer(data(
            "query ListCustomers",
            json!({"customers": page(json!([]), None)}),
        ))
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let connected = app
        .as_user(
            "alice",
            "PUT",
            "/connected-accounts/shopify",
            Some(json!({"access_token": TOKEN, "fields": {"shop": SHOP}})),
        )
        .await;
    assert_eq!(connected.status, 200, "{connected:?}");
    let listed = app
        .as_user(
            "alice",
            "POST",
            "/actions",
            Some(json!({"action": "SHOPIFY_LIST_CUSTOMERS", "parameters": {}})),
        )
        .await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(standin.requests().await.len(), 2);
    assert_shopify_requests(&standin).await;
}

/// Signing in with OAuth starts at the shop's own authorize endpoint (the `shop` given before
/// the flow fills the template), with Shopify's comma-separated scopes and no PKCE; without a
/// shop the host cannot build the URL and says so.
#[tokio::test]
async fn oauth_starts_at_the_shops_authorize_endpoint_with_comma_separated_scopes() {
    let standin = SHOPIFY.session("oauth_start");
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    let connection = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let put = app
        .as_admin("PUT", "/admin/connections/shopify", Some(connection))
        .await;
    assert_eq!(put.status, 200, "{put:?}");
    let started = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/shopify/authorize",
            Some(json!({"fields": {"shop": SHOP}})),
        )
        .await;
    assert_eq!(started.status, 200, "{started:?}");
    let url = url::Url::parse(started.body["authorization_url"].as_str().unwrap()).unwrap();
    assert_eq!(
        (url.scheme(), url.host_str(), url.path()),
        (
            "https",
            Some("acme-outfitters.myshopify.com"),
            "/admin/oauth/authorize"
        )
    );
    let params: std::collections::HashMap<String, String> =
        url.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["scope"], SCOPES.join(","));
    assert!(!params.contains_key("code_challenge"), "{url}");
    let no_shop = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/shopify/authorize",
            Some(json!({})),
        )
        .await;
    assert_eq!(no_shop.status, 400, "{no_shop:?}");
    assert!(no_shop.body.to_string().contains("shop"), "{no_shop:?}");
    let bad_shop = app
        .as_user(
            "alice",
            "POST",
            "/connected-accounts/shopify/authorize",
            Some(json!({"fields": {"shop": "evil.example/"}})),
        )
        .await;
    assert_eq!(bad_shop.status, 400, "{bad_shop:?}");
    assert!(standin.checked().await.is_empty());
}

/// The shop's product metafield definitions, as `metafieldDefinitions(ownerType: PRODUCT)`
/// answers them.
fn definitions(materials: &[&str]) -> Fixture {
    let choices = serde_json::to_string(materials).unwrap();
    data(
        "query ProductMetafieldDefinitions",
        json!({"metafieldDefinitions": {"nodes": [
            {"namespace": "custom", "key": "material", "name": "Material", "description": "What the product is made of", "type": {"name": "single_line_text_field"}, "validations": [{"name": "choices", "value": choices}]},
            {"namespace": "specs", "key": "weight_g", "name": "Weight (g)", "description": null, "type": {"name": "number_integer"}, "validations": [{"name": "min", "value": "1"}]}
        ]}}),
    )
}

fn parameters(listing: &Value, action: &str) -> Value {
    listing["actions"]["shopify"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["function"]["name"] == action)
        .unwrap_or_else(|| panic!("no {action} in {listing}"))["function"]["parameters"]
        .clone()
}

/// Through the real host: the product actions' schemas list the connected shop's metafield
/// definitions (described once per action, then cached); a call is checked against them (a
/// material the shop does not offer is refused before the plugin runs); after
/// `reload_fields=true` a new choice is valid and its value reaches Shopify as a metafield.
#[tokio::test]
async fn the_shops_metafield_definitions_are_the_product_schema_listed_enforced_and_reloaded() {
    let standin = SHOPIFY.session("dynamic_schema");
    standin
        .answer(data(
            "query ConnectedShop",
            json!({"shop": {"name": "Acme Outfitters", "myshopifyDomain": "acme-outfitters.myshopify.com"}}),
        ))
        .await;
    standin
        .answer(definitions(&["Cotton", "Wool"]).once())
        .await;
    standin
        .answer(definitions(&["Cotton", "Wool"]).once())
        .await;
    let app = TestApp::start(&standin.overrides(), |_| {}).await;
    app.connect(
        "alice",
        "shopify",
        json!({"api_key": TOKEN, "fields": {"shop": SHOP}}),
    )
    .await;
    let listing = app
        .as_user("alice", "GET", "/actions?integrations=shopify", None)
        .await;
    assert_eq!(listing.status, 200, "{listing:?}");
    assert_eq!(listing.body["errors"], json!([]));
    for action in ["SHOPIFY_CREATE_PRODUCT", "SHOPIFY_UPDATE_PRODUCT"] {
        let values = &parameters(&listing.body, action)["properties"]["metafield_values"];
        assert_eq!(
            values["properties"]["custom.material"],
            json!({"type": "string", "enum": ["Cotton", "Wool"], "description": "Material (Shopify type single_line_text_field): What the product is made of"}),
            "{action}"
        );
        assert_eq!(values["properties"]["specs.weight_g"]["minimum"], 1.0);
    }
    app.as_user("alice", "GET", "/actions?integrations=shopify", None)
        .await;
    let describes = |checked: &[actionhost_e2e::validating::Checked]| {
        checked
            .iter()
            .filter(|c| c.operation.as_deref() == Some("query ProductMetafieldDefinitions"))
            .count()
    };
    assert_eq!(
        describes(&standin.checked().await),
        2,
        "one per dynamic action, then cached"
    );
    let linen = json!({"action": "SHOPIFY_CREATE_PRODUCT", "parameters": {"title": "Summer shirt", "metafield_values": {"custom.material": "Linen", "specs.weight_g": 180}}});
    let refused = app
        .as_user("alice", "POST", "/actions", Some(linen.clone()))
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, "invalid_parameters"),
        "{refused:?}"
    );
    assert_eq!(
        refused.body["error"]["details"]["errors"][0]["path"],
        "/metafield_values/custom.material"
    );
    let before = standin.checked().await.len();
    assert_eq!(
        before, 3,
        "the connect check and two describes; the refused call sent nothing"
    );
    standin
        .answer(definitions(&["Cotton", "Wool", "Linen"]))
        .await;
    standin
        .answer(data(
            "mutation CreateProduct",
            json!({"productCreate": {"product": {"id": "gid://shopify/Product/1072481062", "title": "Summer shirt"}, "userErrors": []}}),
        ))
        .await;
    let reloaded = app
        .as_user(
            "alice",
            "GET",
            "/actions?integrations=shopify&reload_fields=true",
            None,
        )
        .await;
    assert_eq!(
        parameters(&reloaded.body, "SHOPIFY_CREATE_PRODUCT")["properties"]["metafield_values"]["properties"]
            ["custom.material"]["enum"],
        json!(["Cotton", "Wool", "Linen"])
    );
    let created = app.as_user("alice", "POST", "/actions", Some(linen)).await;
    assert_eq!(
        (created.status, created.body.clone()),
        (
            200,
            json!({"id": "gid://shopify/Product/1072481062", "title": "Summer shirt"})
        )
    );
    let requests = standin.requests().await;
    let create = requests.last().unwrap();
    assert_eq!(
        variables(&create.body),
        json!({"product": {"title": "Summer shirt", "metafields": [
            {"namespace": "custom", "key": "material", "value": "Linen"},
            {"namespace": "specs", "key": "weight_g", "value": "180"}
        ]}})
    );
    assert_shopify_requests(&standin).await;
}
