//! The exact GraphQL request every Shopify action sends (POST to the account's shop at
//! `/admin/api/2026-07/graphql.json`), how Shopify's error envelopes (`THROTTLED` with the
//! query's cost, `ACCESS_DENIED`, string `errors` with 401/404, `userErrors`) map to errors, paging
//! by cursor, and the sales report's days in the shop's time zone; run natively against the SDK's
//! test transport.

use actionhost_plugin_shopify::{MAX_PAGES, provider};
use actionhost_sdk::testing::{self, RecordedRequest, Transport};
use actionhost_sdk::{Context, CredentialKind, Error};
use serde_json::{Value, json};

const ENDPOINT: &str = "https://acme.myshopify.com/admin/api/2026-07/graphql.json";

fn alice() -> Context {
    Context::new("alice")
        .with_field("shop", "acme")
        .with_credential(CredentialKind::OAuth2)
}

/// Runs `action` against one queued `data` answer; returns the result and the one request.
fn call(action: &str, input: Value, data: Value) -> (Result<Value, Error>, RecordedRequest) {
    testing::call(
        &provider(),
        &alice(),
        action,
        input,
        200,
        json!({"data": data, "extensions": cost(2.0, 1998.0)}),
    )
}

/// Shopify's `extensions.cost` of a query that cost `actual`, leaving `available` points.
fn cost(actual: f64, available: f64) -> Value {
    json!({"cost": {"requestedQueryCost": actual, "actualQueryCost": actual, "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0}}})
}

/// Asserts the request is a GraphQL POST to the shop's Admin API endpoint without any
/// credential (the host adds it), and returns its operation (`query ListOrders`) and variables.
fn graphql(request: &RecordedRequest) -> (String, Value) {
    assert_eq!(
        (request.method.as_str(), request.url.as_str()),
        ("POST", ENDPOINT)
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("x-shopify-access-token"), None);
    let body = request.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["query", "variables"]);
    let query = body["query"].as_str().unwrap();
    let operation = query.split(['(', '{']).next().unwrap().trim().to_string();
    (operation, body["variables"].clone())
}

fn query_of(request: &RecordedRequest) -> String {
    request.json()["query"].as_str().unwrap().to_string()
}

fn money(amount: &str) -> Value {
    json!({"shopMoney": {"amount": amount, "currencyCode": "USD"}})
}

fn order(id: u64, name: &str) -> Value {
    json!({
        "id": format!("gid://shopify/Order/{id}"), "name": name,
        "createdAt": "2026-11-02T15:04:05Z", "processedAt": "2026-11-02T15:04:05Z",
        "cancelledAt": null, "closed": false, "test": false, "email": "ada@example.com",
        "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED", "tags": [],
        "currencyCode": "USD", "totalPriceSet": money("59.97"), "currentTotalPriceSet": money("59.97"),
        "totalRefundedSet": money("0.0"),
        "customer": {"id": "gid://shopify/Customer/544365967", "displayName": "Ada Lovelace"}
    })
}

fn connection(nodes: Value, next: Option<&str>) -> Value {
    json!({"nodes": nodes, "pageInfo": {"hasNextPage": next.is_some(), "endCursor": next}})
}

#[test]
fn list_orders_searches_and_continues_with_the_cursor() {
    let transport = Transport::install();
    let cursor = "eyJsYXN0X2lkIjo1Njc4OTAxMjM0LCJsYXN0X3ZhbHVlIjoiMjAyNi0xMS0wMiJ9";
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([order(5678901234, "#1001")]), Some(cursor))}}),
    );
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([order(5678901235, "#1002")]), None)}}),
    );
    let input = json!({"query": "financial_status:paid fulfillment_status:unfulfilled", "limit": 1, "sort_key": "CREATED_AT", "reverse": true});
    let first = testing::run(&provider(), "SHOPIFY_LIST_ORDERS", input, &alice()).unwrap();
    assert_eq!(
        first,
        json!({"items": [order(5678901234, "#1001")], "next_cursor": cursor})
    );
    let second = testing::run(
        &provider(),
        "SHOPIFY_LIST_ORDERS",
        json!({"query": "financial_status:paid fulfillment_status:unfulfilled", "limit": 1, "sort_key": "CREATED_AT", "reverse": true, "cursor": cursor}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        second,
        json!({"items": [order(5678901235, "#1002")], "next_cursor": null})
    );
    let requests = transport.requests();
    let (operation, variables) = graphql(&requests[0]);
    assert_eq!(operation, "query ListOrders");
    assert_eq!(
        variables,
        json!({"first": 1, "query": "financial_status:paid fulfillment_status:unfulfilled", "sortKey": "CREATED_AT", "reverse": true})
    );
    assert!(
        query_of(&requests[0]).contains("totalRefundedSet { shopMoney { amount currencyCode } }")
    );
    assert_eq!(
        graphql(&requests[1]).1,
        json!({"first": 1, "after": cursor, "query": "financial_status:paid fulfillment_status:unfulfilled", "sortKey": "CREATED_AT", "reverse": true})
    );
}

#[test]
fn list_orders_defaults_to_fifty_and_sends_no_empty_query() {
    let (result, request) = call(
        "SHOPIFY_LIST_ORDERS",
        json!({"query": "  ", "cursor": ""}),
        json!({"orders": connection(json!([]), None)}),
    );
    assert_eq!(result.unwrap(), json!({"items": [], "next_cursor": null}));
    assert_eq!(graphql(&request).1, json!({"first": 50}));
}

#[test]
fn get_order_takes_a_number_or_a_global_id() {
    let found = json!({"id": "gid://shopify/Order/5678901234", "name": "#1001", "lineItems": {"nodes": [], "pageInfo": {"hasNextPage": false}}});
    for id in ["5678901234", "gid://shopify/Order/5678901234"] {
        let (result, request) = call(
            "SHOPIFY_GET_ORDER",
            json!({"order_id": id}),
            json!({"order": found}),
        );
        assert_eq!(result.unwrap(), found);
        let (operation, variables) = graphql(&request);
        assert_eq!(operation, "query GetOrder");
        assert_eq!(variables, json!({"id": "gid://shopify/Order/5678901234"}));
        let query = query_of(&request);
        assert!(query.contains("lineItems(first: 100)"), "{query}");
        assert!(query.contains("refunds(first: 20)"), "{query}");
    }
}

#[test]
fn an_order_shopify_answers_null_for_is_not_found() {
    let (result, _) = call(
        "SHOPIFY_GET_ORDER",
        json!({"order_id": "42"}),
        json!({"order": null}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("no order gid://shopify/Order/42 in this shop")
    );
}

#[test]
fn an_order_name_is_refused_by_the_schema() {
    let error = testing::refused(
        &provider(),
        &alice(),
        "SHOPIFY_GET_ORDER",
        json!({"order_id": "#1001"}),
    );
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
}

#[test]
fn list_products_and_customers_send_their_filters() {
    let product = json!({"id": "gid://shopify/Product/108828309", "title": "Cotton T-shirt", "status": "ACTIVE"});
    let (result, request) = call(
        "SHOPIFY_LIST_PRODUCTS",
        json!({"query": "status:active vendor:Acme", "limit": 250, "sort_key": "TITLE"}),
        json!({"products": connection(json!([product]), Some("cursor-2"))}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [product], "next_cursor": "cursor-2"})
    );
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "query ListProducts");
    assert_eq!(
        variables,
        json!({"first": 250, "query": "status:active vendor:Acme", "sortKey": "TITLE"})
    );

    let customer = json!({"id": "gid://shopify/Customer/544365967", "displayName": "Ada Lovelace", "defaultEmailAddress": {"emailAddress": "ada@example.com", "marketingState": "SUBSCRIBED"}});
    let (result, request) = call(
        "SHOPIFY_LIST_CUSTOMERS",
        json!({"query": "email:ada@example.com", "cursor": "c1"}),
        json!({"customers": connection(json!([customer]), None)}),
    );
    assert_eq!(
        result.unwrap(),
        json!({"items": [customer], "next_cursor": null})
    );
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "query ListCustomers");
    assert_eq!(
        variables,
        json!({"first": 50, "after": "c1", "query": "email:ada@example.com"})
    );
}

#[test]
fn get_product_asks_for_variants_and_stock_per_location() {
    let product = json!({"id": "gid://shopify/Product/108828309", "title": "Cotton T-shirt"});
    let (result, request) = call(
        "SHOPIFY_GET_PRODUCT",
        json!({"product_id": "108828309"}),
        json!({"product": product}),
    );
    assert_eq!(result.unwrap(), product);
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "query GetProduct");
    assert_eq!(variables, json!({"id": "gid://shopify/Product/108828309"}));
    let query = query_of(&request);
    assert!(
        query.contains(r#"quantities(names: ["available", "on_hand"])"#),
        "{query}"
    );
    let (result, _) = call(
        "SHOPIFY_GET_PRODUCT",
        json!({"product_id": "1"}),
        json!({"product": null}),
    );
    assert!(matches!(result.unwrap_err(), Error::NotFound(_)));
}

#[test]
fn create_product_sends_only_the_fields_given_in_shopifys_names() {
    let created = json!({"id": "gid://shopify/Product/1072481062", "title": "Wool scarf", "handle": "wool-scarf", "status": "DRAFT"});
    let (result, request) = call(
        "SHOPIFY_CREATE_PRODUCT",
        json!({
            "title": "Wool scarf", "description_html": "<p>Warm.</p>", "vendor": "Acme",
            "product_type": "Scarves", "tags": ["winter"], "status": "DRAFT",
            "metafields": [{"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "Wool"}]
        }),
        json!({"productCreate": {"product": created, "userErrors": []}}),
    );
    assert_eq!(result.unwrap(), created);
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "mutation CreateProduct");
    assert_eq!(
        variables,
        json!({"product": {
            "title": "Wool scarf", "descriptionHtml": "<p>Warm.</p>", "vendor": "Acme",
            "productType": "Scarves", "tags": ["winter"], "status": "DRAFT",
            "metafields": [{"namespace": "custom", "key": "material", "type": "single_line_text_field", "value": "Wool"}]
        }})
    );
}

#[test]
fn user_errors_are_invalid_input_naming_the_field_or_not_found() {
    let (result, _) = call(
        "SHOPIFY_CREATE_PRODUCT",
        json!({"title": "Scarf", "handle": "taken"}),
        json!({"productCreate": {"product": null, "userErrors": [{"field": ["handle"], "message": "Handle has already been taken"}]}}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input("handle: Handle has already been taken")
    );
    let (result, _) = call(
        "SHOPIFY_UPDATE_PRODUCT",
        json!({"product_id": "999", "title": "Scarf"}),
        json!({"productUpdate": {"product": null, "userErrors": [{"field": ["id"], "message": "Product does not exist"}]}}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::not_found("id: Product does not exist")
    );
}

#[test]
fn update_product_sends_the_id_and_the_changes() {
    let updated = json!({"id": "gid://shopify/Product/108828309", "status": "ARCHIVED"});
    let (result, request) = call(
        "SHOPIFY_UPDATE_PRODUCT",
        json!({"product_id": "gid://shopify/Product/108828309", "status": "ARCHIVED", "tags": []}),
        json!({"productUpdate": {"product": updated, "userErrors": []}}),
    );
    assert_eq!(result.unwrap(), updated);
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "mutation UpdateProduct");
    assert_eq!(
        variables,
        json!({"product": {"id": "gid://shopify/Product/108828309", "status": "ARCHIVED", "tags": []}})
    );
    let error = testing::refused(
        &provider(),
        &alice(),
        "SHOPIFY_UPDATE_PRODUCT",
        json!({"product_id": "108828309"}),
    );
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.starts_with("nothing to change")),
        "{error:?}"
    );
}

#[test]
fn adjust_inventory_sends_every_change_with_an_idempotency_key() {
    let group = json!({"id": "gid://shopify/InventoryAdjustmentGroup/1", "reason": "received", "changes": [{"name": "available", "delta": 5, "quantityAfterChange": 12}]});
    let (result, request) = call(
        "SHOPIFY_ADJUST_INVENTORY",
        json!({
            "changes": [
                {"inventory_item_id": "30322695", "location_id": "124656943", "delta": 5, "expected_quantity": 7},
                {"inventory_item_id": "gid://shopify/InventoryItem/30322696", "location_id": "gid://shopify/Location/124656943", "delta": -2}
            ],
            "reason": "received",
            "reference_document_uri": "logistics://purchase-order/1234",
            "idempotency_key": "po-1234-receipt"
        }),
        json!({"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": group, "userErrors": []}}),
    );
    assert_eq!(result.unwrap(), group);
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "mutation AdjustInventory");
    assert!(
        query_of(&request)
            .contains("inventoryAdjustQuantities(input: $input) @idempotent(key: $key)")
    );
    assert_eq!(
        variables,
        json!({
            "key": "po-1234-receipt",
            "input": {
                "reason": "received", "name": "available",
                "referenceDocumentUri": "logistics://purchase-order/1234",
                "changes": [
                    {"inventoryItemId": "gid://shopify/InventoryItem/30322695", "locationId": "gid://shopify/Location/124656943", "delta": 5, "changeFromQuantity": 7},
                    {"inventoryItemId": "gid://shopify/InventoryItem/30322696", "locationId": "gid://shopify/Location/124656943", "delta": -2, "changeFromQuantity": null}
                ]
            }
        })
    );
}

#[test]
fn adjust_inventory_makes_a_fresh_key_per_call_and_refuses_a_zero_delta() {
    let answer = json!({"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/2"}, "userErrors": []}});
    let input = json!({"changes": [{"inventory_item_id": "30322695", "location_id": "124656943", "delta": -1}], "quantity_name": "damaged", "reason": "damaged"});
    let (_, first) = call("SHOPIFY_ADJUST_INVENTORY", input.clone(), answer.clone());
    let (_, second) = call("SHOPIFY_ADJUST_INVENTORY", input, answer);
    let (key1, key2) = (
        graphql(&first).1["key"].clone(),
        graphql(&second).1["key"].clone(),
    );
    let key1 = key1.as_str().unwrap().to_string();
    assert_eq!(key1.len(), 36, "a UUID: {key1}");
    assert_eq!(key1.matches('-').count(), 4, "a UUID: {key1}");
    assert_ne!(key1, key2.as_str().unwrap());
    assert_eq!(graphql(&first).1["input"]["name"], "damaged");
    let error = testing::refused(
        &provider(),
        &alice(),
        "SHOPIFY_ADJUST_INVENTORY",
        json!({"changes": [{"inventory_item_id": "1", "location_id": "2", "delta": 0}]}),
    );
    assert_eq!(
        error,
        Error::invalid_input("`changes[0].delta` is 0: nothing to adjust")
    );
    let (result, _) = call(
        "SHOPIFY_ADJUST_INVENTORY",
        json!({"changes": [{"inventory_item_id": "1", "location_id": "2", "delta": 1, "expected_quantity": 3}]}),
        json!({"inventoryAdjustQuantities": {"inventoryAdjustmentGroup": null, "userErrors": [{"field": ["input", "changes", "0", "changeFromQuantity"], "message": "The specified compare quantity is stale.", "code": "CHANGE_FROM_QUANTITY_STALE"}]}}),
    );
    assert_eq!(
        result.unwrap_err(),
        Error::invalid_input(
            "input.changes.0.changeFromQuantity: The specified compare quantity is stale."
        )
    );
}

#[test]
fn create_draft_order_with_a_variant_and_a_custom_item_for_a_customer() {
    let draft = json!({"id": "gid://shopify/DraftOrder/276395349", "name": "#D1", "invoiceUrl": "https://acme.myshopify.com/548380009/invoices/9c3f6dcb"});
    let (result, request) = call(
        "SHOPIFY_CREATE_DRAFT_ORDER",
        json!({
            "line_items": [
                {"variant_id": "39072856", "quantity": 2},
                {"title": "Gift wrapping", "unit_price": "4.50", "currency_code": "USD", "quantity": 1}
            ],
            "customer_id": "544365967", "note": "Deliver after 5pm", "tags": ["phone"], "discount_codes": ["WELCOME10"]
        }),
        json!({"draftOrderCreate": {"draftOrder": draft, "userErrors": []}}),
    );
    assert_eq!(result.unwrap(), draft);
    let (operation, variables) = graphql(&request);
    assert_eq!(operation, "mutation CreateDraftOrder");
    assert_eq!(
        variables,
        json!({"input": {
            "lineItems": [
                {"variantId": "gid://shopify/ProductVariant/39072856", "quantity": 2},
                {"title": "Gift wrapping", "quantity": 1, "originalUnitPriceWithCurrency": {"amount": "4.50", "currencyCode": "USD"}}
            ],
            "purchasingEntity": {"customerId": "gid://shopify/Customer/544365967"},
            "useCustomerDefaultAddress": true,
            "note": "Deliver after 5pm", "tags": ["phone"], "discountCodes": ["WELCOME10"]
        }})
    );
}

#[test]
fn a_custom_item_without_a_currency_is_priced_in_the_shops() {
    let transport = Transport::install();
    transport.reply_json(200, json!({"data": {"shop": {"currencyCode": "CAD"}}}));
    transport.reply_json(
        200,
        json!({"data": {"draftOrderCreate": {"draftOrder": {"id": "gid://shopify/DraftOrder/1"}, "userErrors": []}}}),
    );
    testing::run(
        &provider(),
        "SHOPIFY_CREATE_DRAFT_ORDER",
        json!({"line_items": [{"title": "Repair", "unit_price": "80", "quantity": 1}], "email": "ada@example.com"}),
        &alice(),
    )
    .unwrap();
    let requests = transport.requests();
    assert_eq!(graphql(&requests[0]).0, "query ShopCurrency");
    assert_eq!(
        graphql(&requests[1]).1,
        json!({"input": {"lineItems": [{"title": "Repair", "quantity": 1, "originalUnitPriceWithCurrency": {"amount": "80", "currencyCode": "CAD"}}], "email": "ada@example.com"}})
    );
    let error = testing::refused(
        &provider(),
        &alice(),
        "SHOPIFY_CREATE_DRAFT_ORDER",
        json!({"line_items": [{"title": "Repair", "quantity": 1}]}),
    );
    assert_eq!(
        error,
        Error::invalid_input(
            "`line_items[0]` needs a `variant_id`, or a `title` and a `unit_price` for a custom item"
        )
    );
}

/// Shopify's throttled answer, as its rate-limit docs show it: HTTP 200, `THROTTLED`, and the
/// cost of the query against what the bucket holds.
fn throttled(requested: f64, available: f64, restore: f64) -> Value {
    json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": requested, "actualQueryCost": null, "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": available, "restoreRate": restore}}}
    })
}

#[test]
fn throttled_is_a_rate_limit_retried_when_the_bucket_holds_the_cost_again() {
    for (requested, available, restore, seconds) in [
        (752.0, 666.0, 50.0, 2),
        (1000.0, 0.0, 100.0, 10),
        (101.0, 0.0, 100.0, 2),
        (10.0, 50.0, 50.0, 1),
    ] {
        let (result, _) = testing::call(
            &provider(),
            &alice(),
            "SHOPIFY_LIST_PRODUCTS",
            json!({}),
            200,
            throttled(requested, available, restore),
        );
        assert_eq!(
            result.unwrap_err(),
            Error::rate_limited("Throttled", Some(seconds)),
            "{requested} {available} {restore}"
        );
    }
}

#[test]
fn refused_tokens_missing_scopes_missing_shops_and_bad_ids_map_to_their_errors() {
    let run = |status: u16, body: Value| {
        testing::call(
            &provider(),
            &alice(),
            "SHOPIFY_GET_ORDER",
            json!({"order_id": "1"}),
            status,
            body,
        )
        .0
        .unwrap_err()
    };
    assert_eq!(
        run(
            401,
            json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
        ),
        Error::unauthorized(
            "Shopify: [API] Invalid API key or access token (unrecognized login or wrong password)"
        )
    );
    assert!(matches!(
        run(404, json!({"errors": "Not Found"})),
        Error::NotFound(m) if m.starts_with("Shopify: Not Found (no such shop")
    ));
    assert!(matches!(
        run(402, json!({"errors": "Unavailable Shop"})),
        Error::Upstream { status: 402, message, .. } if message == "Shopify: Unavailable Shop"
    ));
    assert!(matches!(
        run(200, json!({"data": {"order": null}, "errors": [{"message": "Access denied for order field. Required access: `read_orders` access scope.", "extensions": {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes", "requiredAccess": "`read_orders` access scope."}, "path": ["order"]}]})),
        Error::Upstream { status: 200, message, .. } if message.starts_with("Access denied for order field.") && message.contains("lacks the access scope")
    ));
    assert_eq!(
        run(
            200,
            json!({"data": {"order": null}, "errors": [{"message": "Invalid global id 'gid://shopify/Order/1'", "locations": [{"line": 1, "column": 30}], "path": ["order"], "extensions": {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"}}]})
        ),
        Error::invalid_input("Invalid global id 'gid://shopify/Order/1'")
    );
    assert!(matches!(
        run(200, json!({"errors": [{"message": "Internal error. Looks like something went wrong on our end.", "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "5f2b0a0e"}}]})),
        Error::Upstream { status: 200, message, .. } if message.starts_with("Internal error.")
    ));
}

#[test]
fn connecting_labels_the_account_with_the_shops_name_and_domain() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"shop": {"name": "Acme Outfitters", "myshopifyDomain": "acme.myshopify.com"}}}),
    );
    let account = testing::after_connect(&provider(), &alice()).unwrap();
    assert_eq!(
        account.label.as_deref(),
        Some("Acme Outfitters (acme.myshopify.com)")
    );
    assert!(account.fields.is_empty());
    assert_eq!(graphql(&transport.only_request()).0, "query ConnectedShop");
}

#[test]
fn an_account_without_its_shop_must_connect_again() {
    let error = testing::refused(
        &provider(),
        &Context::new("alice"),
        "SHOPIFY_LIST_ORDERS",
        json!({}),
    );
    assert!(matches!(error, Error::Unauthorized(m) if m.contains("`shop`")));
}

#[test]
fn a_custom_app_token_reaches_the_same_endpoint() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([]), None)}}),
    );
    let ctx = Context::new("alice")
        .with_field("shop", "acme")
        .with_credential(CredentialKind::ApiKey);
    testing::run(&provider(), "SHOPIFY_LIST_ORDERS", json!({}), &ctx).unwrap();
    assert_eq!(graphql(&transport.only_request()).0, "query ListOrders");
}

fn report_order(created: &str, total: &str, refunded: &str) -> Value {
    json!({"createdAt": created, "totalPriceSet": money(total), "totalRefundedSet": money(refunded)})
}

/// New York leaves daylight-saving time on 2026-11-01: that day has 25 hours, from
/// 04:00Z to 05:00Z the next day. Orders are put in the day they fall on there.
#[test]
fn the_sales_report_sums_every_page_per_day_in_the_shops_time_zone() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"shop": {"ianaTimezone": "America/New_York", "currencyCode": "USD"}}}),
    );
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([
            report_order("2026-11-01T04:00:00Z", "10.00", "0.00"),
            report_order("2026-11-02T04:30:00Z", "20.5", "5.25")
        ]), Some("page-2"))}}),
    );
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([
            report_order("2026-11-02T05:30:00Z", "0.1", "0.0"),
            report_order("2026-11-02T06:00:00Z", "0.2", "0.0")
        ]), None)}}),
    );
    let report = testing::run(
        &provider(),
        "SHOPIFY_SALES_REPORT",
        json!({"start_date": "2026-11-01", "end_date": "2026-11-03"}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        report,
        json!({
            "time_zone": "America/New_York", "currency": "USD",
            "start_date": "2026-11-01", "end_date": "2026-11-03", "include_test_orders": false,
            "days": [
                {"date": "2026-11-01", "orders": 2, "gross_sales": "30.50", "refunds": "5.25", "net_sales": "25.25"},
                {"date": "2026-11-02", "orders": 2, "gross_sales": "0.30", "refunds": "0.00", "net_sales": "0.30"},
                {"date": "2026-11-03", "orders": 0, "gross_sales": "0.00", "refunds": "0.00", "net_sales": "0.00"}
            ],
            "totals": {"orders": 4, "gross_sales": "30.80", "refunds": "5.25", "net_sales": "25.55"}
        })
    );
    let requests = transport.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(graphql(&requests[0]).0, "query SalesReportShop");
    let query =
        "created_at:>='2026-11-01T04:00:00Z' AND created_at:<'2026-11-04T05:00:00Z' AND test:false";
    let (operation, variables) = graphql(&requests[1]);
    assert_eq!(operation, "query SalesReportOrders");
    assert_eq!(variables, json!({"query": query, "after": null}));
    assert!(query_of(&requests[1]).contains("orders(first: 250"));
    assert_eq!(
        graphql(&requests[2]).1,
        json!({"query": query, "after": "page-2"})
    );
}

#[test]
fn the_sales_report_counts_test_orders_when_asked_in_a_zone_east_of_utc() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"shop": {"ianaTimezone": "Asia/Kolkata", "currencyCode": "INR"}}}),
    );
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([
            {"createdAt": "2026-06-30T18:30:00Z", "totalPriceSet": {"shopMoney": {"amount": "1499.0", "currencyCode": "INR"}}, "totalRefundedSet": {"shopMoney": {"amount": "0.0", "currencyCode": "INR"}}}
        ]), None)}}),
    );
    let report = testing::run(
        &provider(),
        "SHOPIFY_SALES_REPORT",
        json!({"start_date": "2026-07-01", "end_date": "2026-07-01", "include_test_orders": true}),
        &alice(),
    )
    .unwrap();
    assert_eq!(
        report["days"],
        json!([{"date": "2026-07-01", "orders": 1, "gross_sales": "1499.00", "refunds": "0.00", "net_sales": "1499.00"}])
    );
    assert_eq!(
        graphql(&transport.requests()[1]).1["query"],
        "created_at:>='2026-06-30T18:30:00Z' AND created_at:<'2026-07-01T18:30:00Z'"
    );
}

#[test]
fn a_range_with_more_orders_than_the_bound_is_refused_naming_it_not_summed_in_part() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"shop": {"ianaTimezone": "UTC", "currencyCode": "USD"}}}),
    );
    for page in 0..MAX_PAGES {
        transport.reply_json(
            200,
            json!({"data": {"orders": connection(json!([report_order("2026-11-02T10:00:00Z", "1.00", "0.00")]), Some(&format!("p{}", page + 2)))}}),
        );
    }
    let error = testing::run(
        &provider(),
        "SHOPIFY_SALES_REPORT",
        json!({"start_date": "2026-11-01", "end_date": "2026-11-30"}),
        &alice(),
    )
    .unwrap_err();
    assert_eq!(
        error,
        Error::invalid_input(
            "more than 10000 orders were created in this range (40 pages of 250, the most one report reads): ask for a shorter range"
        )
    );
    assert_eq!(transport.requests().len(), 1 + MAX_PAGES);
}

#[test]
fn the_sales_report_refuses_bad_ranges_before_asking() {
    for (input, message) in [
        (
            json!({"start_date": "2026-11-30", "end_date": "2026-11-01"}),
            "`end_date` 2026-11-01 is before `start_date` 2026-11-30",
        ),
        (
            json!({"start_date": "2025-01-01", "end_date": "2026-11-01"}),
            "the range has 670 days; at most 366 per report: ask for shorter ranges",
        ),
        (
            json!({"start_date": "2026-02-30", "end_date": "2026-03-01"}),
            "`start_date` must be a date YYYY-MM-DD, not \"2026-02-30\"",
        ),
    ] {
        let error = testing::refused(&provider(), &alice(), "SHOPIFY_SALES_REPORT", input);
        assert_eq!(error, Error::invalid_input(message));
    }
}

#[test]
fn a_throttled_page_fails_the_whole_report() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"shop": {"ianaTimezone": "UTC", "currencyCode": "USD"}}}),
    );
    transport.reply_json(
        200,
        json!({"data": {"orders": connection(json!([]), Some("p2"))}}),
    );
    transport.reply_json(200, throttled(252.0, 2.0, 50.0));
    let error = testing::run(
        &provider(),
        "SHOPIFY_SALES_REPORT",
        json!({"start_date": "2026-11-01", "end_date": "2026-11-01"}),
        &alice(),
    )
    .unwrap_err();
    assert_eq!(error, Error::rate_limited("Throttled", Some(5)));
}

#[test]
fn every_action_declares_its_scopes_and_hints() {
    let provider = provider();
    let scopes: Vec<(&str, Vec<Vec<String>>, bool)> = provider
        .actions()
        .iter()
        .map(|a| (a.name(), a.required_scopes().to_vec(), a.hints().read_only))
        .collect();
    let one = |s: &[&str]| s.iter().map(|s| vec![s.to_string()]).collect::<Vec<_>>();
    assert_eq!(
        scopes,
        vec![
            ("SHOPIFY_SALES_REPORT", one(&["read_orders"]), true),
            ("SHOPIFY_LIST_ORDERS", one(&["read_orders"]), true),
            ("SHOPIFY_GET_ORDER", one(&["read_orders"]), true),
            ("SHOPIFY_LIST_PRODUCTS", one(&["read_products"]), true),
            (
                "SHOPIFY_GET_PRODUCT",
                one(&["read_products", "read_inventory"]),
                true
            ),
            ("SHOPIFY_CREATE_PRODUCT", one(&["write_products"]), false),
            ("SHOPIFY_UPDATE_PRODUCT", one(&["write_products"]), false),
            ("SHOPIFY_ADJUST_INVENTORY", one(&["write_inventory"]), false),
            ("SHOPIFY_LIST_CUSTOMERS", one(&["read_customers"]), true),
            (
                "SHOPIFY_CREATE_DRAFT_ORDER",
                one(&["write_draft_orders"]),
                false
            ),
        ]
    );
}

/// Every input schema is one flat object (the flattened product fields are properties of it):
/// no `allOf`/`oneOf`/`anyOf` at the top, which OpenAI's and Anthropic's tool calling refuse.
#[test]
fn every_input_schema_is_a_flat_object() {
    let provider = provider();
    for action in provider.actions() {
        let schema = action.input_schema();
        assert_eq!(schema["type"], "object", "{}", action.name());
        for combinator in ["allOf", "oneOf", "anyOf"] {
            assert!(
                schema.get(combinator).is_none(),
                "{}: {schema}",
                action.name()
            );
        }
    }
    let update = provider
        .find("SHOPIFY_UPDATE_PRODUCT")
        .unwrap()
        .input_schema();
    assert_eq!(update["required"], json!(["product_id"]));
    assert!(
        update["properties"]["status"]
            .to_string()
            .contains("ProductStatus"),
        "{update}"
    );
    assert_eq!(
        update["$defs"]["ProductStatus"]["enum"],
        json!(["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"])
    );
    let report = provider.find("SHOPIFY_SALES_REPORT").unwrap();
    assert_eq!(
        report.input_schema()["properties"]["start_date"]["format"],
        "date"
    );
    assert!(
        report.output_schema().is_some(),
        "the report's shape is documented"
    );
}

/// The shop's product metafield definitions as `metafieldDefinitions` answers them: a text with
/// choices, a bounded integer, a list of dates, a weight, and one without a description.
fn definitions() -> Value {
    json!({"metafieldDefinitions": {"nodes": [
        {"namespace": "custom", "key": "material", "name": "Material", "description": "What the product is made of", "type": {"name": "single_line_text_field"}, "validations": [{"name": "choices", "value": "[\"Cotton\",\"Wool\",\"Linen\"]"}]},
        {"namespace": "specs", "key": "weight_g", "name": "Weight (g)", "description": null, "type": {"name": "number_integer"}, "validations": [{"name": "min", "value": "0"}, {"name": "max", "value": "50000"}]},
        {"namespace": "custom", "key": "restock_dates", "name": "Restock dates", "description": "", "type": {"name": "list.date"}, "validations": []},
        {"namespace": "shipping", "key": "weight", "name": "Shipping weight", "description": "Packed", "type": {"name": "weight"}, "validations": []}
    ]}})
}

#[test]
fn the_product_actions_are_described_with_the_shops_metafield_definitions() {
    for action in ["SHOPIFY_CREATE_PRODUCT", "SHOPIFY_UPDATE_PRODUCT"] {
        let transport = Transport::install();
        transport.reply_json(200, json!({"data": definitions()}));
        let provider = provider();
        let found = provider.find(action).unwrap();
        assert!(found.hints().dynamic_schema);
        let schema = found.describe(&alice()).unwrap();
        let values = &schema["properties"]["metafield_values"];
        assert_eq!(values["additionalProperties"], false, "{action}");
        assert_eq!(
            values["properties"],
            json!({
                "custom.material": {"type": "string", "enum": ["Cotton", "Wool", "Linen"], "description": "Material (Shopify type single_line_text_field): What the product is made of"},
                "specs.weight_g": {"type": "integer", "minimum": 0.0, "maximum": 50000.0, "description": "Weight (g) (Shopify type number_integer)"},
                "custom.restock_dates": {"type": "array", "items": {"type": "string", "format": "date"}, "description": "Restock dates (Shopify type list.date)"},
                "shipping.weight": {"type": "object", "description": "Shipping weight (Shopify type weight): Packed"}
            }),
            "{action}"
        );
        assert!(
            schema["properties"]["title"].is_object(),
            "the static schema is kept"
        );
        let (operation, variables) = graphql(&transport.only_request());
        assert_eq!(operation, "query ProductMetafieldDefinitions");
        assert_eq!(variables, json!({}));
    }
}

#[test]
fn a_shop_without_definitions_is_told_to_use_metafields() {
    let transport = Transport::install();
    transport.reply_json(
        200,
        json!({"data": {"metafieldDefinitions": {"nodes": []}}}),
    );
    let schema = provider()
        .find("SHOPIFY_CREATE_PRODUCT")
        .unwrap()
        .describe(&alice())
        .unwrap();
    let values = &schema["properties"]["metafield_values"];
    assert_eq!(values["properties"], json!({}));
    assert!(
        values["description"]
            .as_str()
            .unwrap()
            .contains("no product metafields")
    );
}

#[test]
fn metafield_values_become_metafield_inputs_in_shopifys_formats() {
    let (result, request) = call(
        "SHOPIFY_UPDATE_PRODUCT",
        json!({
            "product_id": "108828309",
            "metafields": [{"namespace": "legacy", "key": "code", "type": "single_line_text_field", "value": "A1"}],
            "metafield_values": {
                "custom.material": "Wool", "specs.weight_g": 250, "custom.gift": true,
                "custom.restock_dates": ["2026-12-01", "2027-01-15"],
                "shipping.weight": {"value": 0.3, "unit": "KILOGRAMS"}
            }
        }),
        json!({"productUpdate": {"product": {"id": "gid://shopify/Product/108828309"}, "userErrors": []}}),
    );
    result.unwrap();
    assert_eq!(
        graphql(&request).1,
        json!({"product": {"id": "gid://shopify/Product/108828309", "metafields": [
            {"namespace": "legacy", "key": "code", "type": "single_line_text_field", "value": "A1"},
            {"namespace": "custom", "key": "gift", "value": "true"},
            {"namespace": "custom", "key": "material", "value": "Wool"},
            {"namespace": "custom", "key": "restock_dates", "value": "[\"2026-12-01\",\"2027-01-15\"]"},
            {"namespace": "shipping", "key": "weight", "value": "{\"unit\":\"KILOGRAMS\",\"value\":0.3}"},
            {"namespace": "specs", "key": "weight_g", "value": "250"}
        ]}})
    );
    let error = testing::refused(
        &provider(),
        &alice(),
        "SHOPIFY_CREATE_PRODUCT",
        json!({"title": "Scarf", "metafield_values": {"material": "Wool"}}),
    );
    assert_eq!(
        error,
        Error::invalid_input(
            "`metafield_values` names \"material\": give `namespace.key`, e.g. `custom.material`"
        )
    );
}
