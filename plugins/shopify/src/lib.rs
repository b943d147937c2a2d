//! Shopify provider: orders, a daily sales report, products, inventory, customers and draft
//! orders of one shop through the GraphQL Admin API (<https://shopify.dev/docs/api/admin-graphql>),
//! version 2026-07. Every request is a POST to `https://{shop}.myshopify.com/admin/api/2026-07/graphql.json`,
//! `shop` being the account's field (the shop's subdomain), given before the OAuth flow starts
//! since Shopify's OAuth endpoints are per shop too.
//!
//! An account connects with OAuth 2 (Shopify's authorization code grant: comma-separated scopes,
//! no PKCE) or with the admin API access token of a custom app made in the shop's admin; both
//! are sent in `X-Shopify-Access-Token`, not `Authorization`, and reach the same endpoint, so no
//! action looks at which.
//!
//! Every document is a named operation written out as a constant, so a reader (and the
//! validating stand-in) sees exactly what is asked for. Single objects come back as Shopify sends
//! them; lists come back as `{items, next_cursor}`, `next_cursor` being the connection's
//! `pageInfo.endCursor` when `hasNextPage`. Shopify answers most failures with HTTP 200 and
//! `errors[]`, and rate limits with `THROTTLED` and the cost of the query: [`shopify_errors`]
//! maps them; mutations report what was wrong with the input in `userErrors`
//! ([`user_errors`]).
//!
//! One thing differs per shop that a model filling an input needs: the shop's product metafield
//! definitions (its custom fields). `SHOPIFY_CREATE_PRODUCT` and `SHOPIFY_UPDATE_PRODUCT` are
//! described per account with them ([`metafields`]); every other input is the same for every
//! shop.

mod metafields;
mod sales;

use std::collections::BTreeMap;

use actionhost_sdk::prelude::*;
use serde::de::DeserializeOwned;

pub use sales::{MAX_PAGES, PAGE_SIZE};

/// The Admin API version every request names (in the path).
pub const API_VERSION: &str = "2026-07";

/// The shop's origin, `{shop}` being the account's field.
const ORIGIN: &str = "https://{shop}.myshopify.com";

/// The account's shop (its `.myshopify.com` subdomain, checked against the field's pattern
/// when the account connected).
fn shop(ctx: &Context) -> Result<&str, Error> {
    ctx.field("shop")
}

fn api(ctx: &Context) -> Result<Api, Error> {
    Ok(Api::new(ORIGIN.replace("{shop}", shop(ctx)?)).errors(shopify_errors))
}

/// Runs one GraphQL operation on the account's shop and decodes its `data`.
fn graphql<V: Serialize, T: DeserializeOwned>(
    ctx: &Context,
    document: &str,
    variables: &V,
) -> Result<T, Error> {
    api(ctx)?.graphql(
        &format!("/admin/api/{API_VERSION}/graphql.json"),
        document,
        variables,
    )
}

// ---- Errors ----------------------------------------------------------------------------------

/// Shopify's envelopes, whatever the HTTP status:
/// - `errors` as a string (`{"errors": "[API] Invalid API key or access token ..."}` with 401,
///   `"Not Found"` with 404 for a shop that does not exist, `"Unavailable Shop"` with 402):
///   refused credential, not found, or the status's error with Shopify's text;
/// - GraphQL `errors[]`: `THROTTLED` is a rate limit, retried after the seconds the bucket needs
///   to hold the query's cost again ([`retry_after`]); `ACCESS_DENIED` is a scope the token
///   lacks, an upstream error (not a refused credential, which would mark the account revoked);
///   an invalid global id is invalid input. Other entries are left to the SDK, which answers an
///   upstream error with the first message.
fn shopify_errors(response: &Response) -> Option<Error> {
    let body: Value = response.json().ok()?;
    if let Some(text) = body.get("errors").and_then(Value::as_str) {
        let message = format!("Shopify: {text}");
        return Some(match response.status() {
            401 => Error::unauthorized(message),
            404 => Error::not_found(format!(
                "{message} (no such shop, or the shop's API version {API_VERSION} is not served)"
            )),
            429 => Error::rate_limited(message, response.seconds("retry-after")),
            _ => response.upstream_error(message),
        });
    }
    let first = body.get("errors")?.as_array()?.first()?;
    let message = first
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("Shopify GraphQL error")
        .to_string();
    let code = first.pointer("/extensions/code").and_then(Value::as_str);
    match code {
        Some("THROTTLED") => Some(Error::rate_limited(
            message,
            retry_after(&body).or_else(|| response.seconds("retry-after")),
        )),
        Some("ACCESS_DENIED") => Some(response.upstream_error(format!(
            "{message} (the app lacks the access scope this needs: connect the account again with it)"
        ))),
        _ if response.status() == 401 => Some(Error::unauthorized(message)),
        _ if message.starts_with("Invalid global id") => Some(Error::invalid_input(message)),
        _ => None,
    }
}

/// Seconds until a throttled query fits the bucket again: `extensions.cost` has the query's
/// `requestedQueryCost` and `throttleStatus.currentlyAvailable` points, restored at
/// `restoreRate` points a second; ceil((requested − available) / restoreRate), at least 1.
fn retry_after(body: &Value) -> Option<u32> {
    let cost = body.pointer("/extensions/cost")?;
    let requested = cost.get("requestedQueryCost")?.as_f64()?;
    let status = cost.get("throttleStatus")?;
    let available = status.get("currentlyAvailable")?.as_f64()?;
    let rate = status.get("restoreRate")?.as_f64()?;
    if rate <= 0.0 {
        return None;
    }
    let seconds = ((requested - available) / rate).ceil().max(1.0);
    Some(seconds.min(u32::MAX as f64) as u32)
}

/// One entry of a mutation's `userErrors`.
#[derive(Deserialize)]
struct UserError {
    #[serde(default)]
    field: Option<Vec<String>>,
    message: String,
}

/// A mutation's `userErrors`: none is success; otherwise what Shopify said about each field,
/// as invalid input, or not found where Shopify says the object does not exist.
fn user_errors(errors: &[UserError]) -> Result<(), Error> {
    if errors.is_empty() {
        return Ok(());
    }
    let said: Vec<String> = errors
        .iter()
        .map(|e| match e.field.as_deref() {
            Some(field) if !field.is_empty() => format!("{}: {}", field.join("."), e.message),
            _ => e.message.clone(),
        })
        .collect();
    let message = said.join("; ");
    let missing = errors.iter().all(|e| {
        let m = e.message.to_lowercase();
        m.contains("does not exist") || m.contains("not found") || m.contains("could not be found")
    });
    Err(if missing {
        Error::not_found(message)
    } else {
        Error::invalid_input(message)
    })
}

// ---- Shared shapes ---------------------------------------------------------------------------

/// A connection's `pageInfo`.
#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "hasNextPage")]
    has_next_page: bool,
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
}

impl PageInfo {
    /// The cursor of the next page, if there is one.
    fn next(self) -> Option<String> {
        self.end_cursor
            .filter(|c| self.has_next_page && !c.is_empty())
    }
}

/// A page of a list.
#[derive(Serialize, JsonSchema)]
struct ListPage {
    /// The items as Shopify returns them (see the action's description for their fields).
    items: Passthrough,
    /// Pass as `cursor` for the next page; `null` on the last page.
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Connection {
    nodes: Passthrough,
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
}

impl From<Connection> for ListPage {
    fn from(c: Connection) -> Self {
        ListPage {
            items: c.nodes,
            next_cursor: c.page_info.next(),
        }
    }
}

/// The global id `gid://shopify/{kind}/{n}` of an id given as that global id or as its number;
/// anything else (an order name `#1001`, another kind's id) is refused before asking Shopify.
fn gid(kind: &str, id: &str) -> Result<String, Error> {
    let prefix = format!("gid://shopify/{kind}/");
    let number = id.strip_prefix(&prefix).unwrap_or(id);
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(format!(
            "{id:?} is not a {kind} id: give `{prefix}<number>` or the number"
        )));
    }
    Ok(format!("{prefix}{number}"))
}

/// What every list action takes besides its own filters.
#[derive(Serialize)]
struct ListVars<S> {
    first: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<String>,
    #[serde(rename = "sortKey", skip_serializing_if = "Option::is_none")]
    sort_key: Option<S>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reverse: Option<bool>,
}

const DEFAULT_PAGE: u32 = 50;

/// A money amount in the shop's currency, as every document asks for it.
const MONEY: &str = "shopMoney { amount currencyCode }";

// ---- Orders ----------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum OrderSort {
    CreatedAt,
    ProcessedAt,
    UpdatedAt,
    OrderNumber,
    TotalPrice,
    CustomerName,
    FinancialStatus,
    FulfillmentStatus,
    Id,
    Relevance,
}

/// Input of `SHOPIFY_LIST_ORDERS`.
#[derive(Deserialize, JsonSchema)]
struct ListOrders {
    /// A filter in Shopify's search syntax, e.g. `financial_status:paid
    /// fulfillment_status:unfulfilled`, `created_at:>=2026-11-01 created_at:<2026-12-01`,
    /// `email:ada@example.com`, `name:#1001`, `status:open` (open, closed, cancelled),
    /// `tag:wholesale`, `test:false`; terms are ANDed, `OR` and `-` (not) work too. Free text
    /// searches several fields. Every order when left out (only the last 60 days unless the app
    /// has the `read_all_orders` scope).
    query: Option<String>,
    /// Orders per page, 1 to 250 (default 50).
    #[schemars(range(min = 1, max = 250))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page, with the same `query` and sort.
    cursor: Option<String>,
    /// The order (default `PROCESSED_AT`, oldest first; `RELEVANCE` only with a text `query`).
    sort_key: Option<OrderSort>,
    /// Reverse the order, e.g. newest first with `CREATED_AT`. Default false.
    reverse: Option<bool>,
}

const ORDER_SUMMARY: &str = "id name createdAt processedAt cancelledAt closed test email displayFinancialStatus displayFulfillmentStatus tags currencyCode totalPriceSet { shopMoney { amount currencyCode } } currentTotalPriceSet { shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount currencyCode } } customer { id displayName }";

fn list_orders_query() -> String {
    format!(
        "query ListOrders($first: Int!, $after: String, $query: String, $sortKey: OrderSortKeys, $reverse: Boolean) {{ orders(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {{ nodes {{ {ORDER_SUMMARY} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

fn list_orders(input: ListOrders, ctx: &Context) -> Result<ListPage, Error> {
    #[derive(Deserialize)]
    struct Data {
        orders: Connection,
    }
    let vars = ListVars {
        first: input.limit.unwrap_or(DEFAULT_PAGE),
        after: input.cursor.filter(|c| !c.is_empty()),
        query: input.query.filter(|q| !q.trim().is_empty()),
        sort_key: input.sort_key,
        reverse: input.reverse,
    };
    Ok(graphql::<_, Data>(ctx, &list_orders_query(), &vars)?
        .orders
        .into())
}

/// Input of `SHOPIFY_GET_ORDER`.
#[derive(Deserialize, JsonSchema)]
struct GetOrder {
    /// The order's id: its global id `gid://shopify/Order/5678901234` or just the number (not
    /// the order name `#1001`: find that with `SHOPIFY_LIST_ORDERS` and `name:#1001`).
    #[schemars(regex(pattern = r"^(gid://shopify/Order/)?[0-9]+$"))]
    order_id: String,
}

fn get_order_query() -> String {
    format!(
        "query GetOrder($id: ID!) {{ order(id: $id) {{ {ORDER_SUMMARY} updatedAt note sourceName subtotalPriceSet {{ {MONEY} }} totalDiscountsSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }} discountCodes shippingAddress {{ name address1 address2 city province zip countryCodeV2 phone }} lineItems(first: 100) {{ nodes {{ id title variantTitle sku quantity currentQuantity variant {{ id }} product {{ id }} originalUnitPriceSet {{ {MONEY} }} discountedTotalSet {{ {MONEY} }} }} pageInfo {{ hasNextPage }} }} refunds(first: 20) {{ id createdAt note totalRefundedSet {{ {MONEY} }} }} }} }}"
    )
}

fn get_order(input: GetOrder, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        order: Option<Passthrough>,
    }
    let id = gid("Order", &input.order_id)?;
    graphql::<_, Data>(ctx, &get_order_query(), &json!({"id": id}))?
        .order
        .ok_or_else(|| Error::not_found(format!("no order {id} in this shop")))
}

// ---- Products --------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ProductSort {
    Title,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    ProductType,
    Vendor,
    InventoryTotal,
    Id,
    Relevance,
}

/// Input of `SHOPIFY_LIST_PRODUCTS`.
#[derive(Deserialize, JsonSchema)]
struct ListProducts {
    /// A filter in Shopify's search syntax, e.g. `status:active`, `vendor:Acme`,
    /// `product_type:Shirts`, `tag:sale`, `sku:TS-001`, `inventory_total:<5`, `title:*shirt*`;
    /// terms are ANDed. Every product when left out.
    query: Option<String>,
    /// Products per page, 1 to 250 (default 50).
    #[schemars(range(min = 1, max = 250))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page, with the same `query` and sort.
    cursor: Option<String>,
    /// The order (default `ID`; `RELEVANCE` only with a text `query`).
    sort_key: Option<ProductSort>,
    /// Reverse the order. Default false.
    reverse: Option<bool>,
}

const LIST_PRODUCTS: &str = "query ListProducts($first: Int!, $after: String, $query: String, $sortKey: ProductSortKeys, $reverse: Boolean) { products(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) { nodes { id title handle status vendor productType tags totalInventory createdAt updatedAt priceRangeV2 { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } } } pageInfo { hasNextPage endCursor } } }";

fn list_products(input: ListProducts, ctx: &Context) -> Result<ListPage, Error> {
    #[derive(Deserialize)]
    struct Data {
        products: Connection,
    }
    let vars = ListVars {
        first: input.limit.unwrap_or(DEFAULT_PAGE),
        after: input.cursor.filter(|c| !c.is_empty()),
        query: input.query.filter(|q| !q.trim().is_empty()),
        sort_key: input.sort_key,
        reverse: input.reverse,
    };
    Ok(graphql::<_, Data>(ctx, LIST_PRODUCTS, &vars)?
        .products
        .into())
}

/// A product id: its global id or just the number.
const PRODUCT_ID: &str = r"^(gid://shopify/Product/)?[0-9]+$";

/// Input of `SHOPIFY_GET_PRODUCT`.
#[derive(Deserialize, JsonSchema)]
struct GetProduct {
    /// The product's id: `gid://shopify/Product/1234567890` or just the number.
    #[schemars(regex(pattern = PRODUCT_ID))]
    product_id: String,
}

const GET_PRODUCT: &str = "query GetProduct($id: ID!) { product(id: $id) { id title handle status vendor productType tags descriptionHtml createdAt updatedAt publishedAt onlineStoreUrl totalInventory options { id name values } variants(first: 100) { nodes { id title sku barcode price compareAtPrice inventoryQuantity selectedOptions { name value } inventoryItem { id tracked inventoryLevels(first: 10) { nodes { location { id name } quantities(names: [\"available\", \"on_hand\"]) { name quantity } } } } } pageInfo { hasNextPage } } metafields(first: 50) { nodes { namespace key type value } } } }";

fn get_product(input: GetProduct, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        product: Option<Passthrough>,
    }
    let id = gid("Product", &input.product_id)?;
    graphql::<_, Data>(ctx, GET_PRODUCT, &json!({"id": id}))?
        .product
        .ok_or_else(|| Error::not_found(format!("no product {id} in this shop")))
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ProductStatus {
    Active,
    Draft,
    Archived,
    Unlisted,
}

/// A custom field of a product, as Shopify's `MetafieldInput` takes it.
#[derive(Serialize, Deserialize, JsonSchema)]
struct Metafield {
    /// The metafield's namespace, e.g. `custom`.
    #[schemars(length(min = 1, max = 255))]
    namespace: String,
    /// Its key within the namespace, e.g. `material`.
    #[schemars(length(min = 1, max = 64))]
    key: String,
    /// Its type, e.g. `single_line_text_field`, `number_integer`, `boolean`, `date`, `json`;
    /// may be left out when the shop has a definition for this namespace and key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename(serialize = "type"))]
    r#type: Option<String>,
    /// The value as text in the type's format (`"42"`, `"true"`, `"2026-11-30"`, JSON text).
    value: String,
}

/// What a product create or update sets; fields left out are not sent.
#[derive(Serialize, Deserialize, JsonSchema)]
struct ProductFields {
    /// The description, in HTML (e.g. `<p>Soft cotton.</p>`).
    #[serde(
        rename(serialize = "descriptionHtml"),
        skip_serializing_if = "Option::is_none"
    )]
    description_html: Option<String>,
    /// The vendor (brand or maker).
    #[serde(skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    /// The product type, a merchant's category such as `Shirts`.
    #[serde(
        rename(serialize = "productType"),
        skip_serializing_if = "Option::is_none"
    )]
    product_type: Option<String>,
    /// Tags; on update they replace every tag the product had.
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    /// `ACTIVE` (sold on its sales channels), `DRAFT` (hidden, being prepared), `ARCHIVED` or
    /// `UNLISTED` (sold, but hidden from search and collections). Shopify's default on create
    /// is `ACTIVE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<ProductStatus>,
    /// The URL handle (`cotton-t-shirt`); derived from the title on create when left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    handle: Option<String>,
    /// Custom fields to set by namespace, key and type (created, or changed when they exist);
    /// for the shop's defined metafields `metafield_values` is simpler.
    #[serde(skip_serializing_if = "Option::is_none")]
    metafields: Option<Vec<Metafield>>,
    /// Values of the shop's product metafields by `namespace.key` (e.g. `custom.material`),
    /// typed as the shop defines them: this schema lists the connected shop's definitions.
    #[serde(skip_serializing)]
    metafield_values: Option<BTreeMap<String, Value>>,
}

impl ProductFields {
    /// The fields in Shopify's names, `metafield_values` added to `metafields`.
    fn to_input(&self) -> Result<Value, Error> {
        let mut product = serde_json::to_value(self).map_err(|e| Error::internal(e.to_string()))?;
        if let Some(values) = self.metafield_values.as_ref().filter(|v| !v.is_empty()) {
            let mut inputs = match product.get_mut("metafields").map(Value::take) {
                Some(Value::Array(given)) => given,
                _ => Vec::new(),
            };
            inputs.extend(metafields::to_inputs(values)?);
            product["metafields"] = Value::Array(inputs);
        }
        Ok(product)
    }
}

/// The product actions' schema with the shop's product metafield definitions.
fn describe_product(schema: Value, ctx: &Context) -> Result<Value, Error> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "metafieldDefinitions")]
        definitions: Nodes,
    }
    #[derive(Deserialize)]
    struct Nodes {
        nodes: Vec<metafields::Definition>,
    }
    let data: Data = graphql(ctx, metafields::DEFINITIONS, &json!({}))?;
    Ok(metafields::describe_with(schema, &data.definitions.nodes))
}

/// Input of `SHOPIFY_CREATE_PRODUCT`.
#[derive(Deserialize, JsonSchema)]
struct CreateProduct {
    /// The product's name as customers see it.
    #[schemars(length(min = 1, max = 255))]
    title: String,
    #[serde(flatten)]
    fields: ProductFields,
}

const PRODUCT_RESULT: &str = "product { id title handle status vendor productType tags descriptionHtml createdAt updatedAt variants(first: 10) { nodes { id title sku price inventoryItem { id } } } metafields(first: 50) { nodes { namespace key type value } } } userErrors { field message }";

fn create_product_query() -> String {
    format!(
        "mutation CreateProduct($product: ProductCreateInput!) {{ productCreate(product: $product) {{ {PRODUCT_RESULT} }} }}"
    )
}

#[derive(Deserialize)]
struct ProductPayload {
    product: Option<Passthrough>,
    #[serde(rename = "userErrors")]
    user_errors: Vec<UserError>,
}

impl ProductPayload {
    fn product(self) -> Result<Passthrough, Error> {
        user_errors(&self.user_errors)?;
        self.product
            .ok_or_else(|| Error::internal("Shopify returned neither a product nor userErrors"))
    }
}

fn create_product(input: CreateProduct, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "productCreate")]
        payload: ProductPayload,
    }
    if input.title.trim().is_empty() {
        return Err(Error::invalid_input("`title` must not be blank"));
    }
    let mut product = input.fields.to_input()?;
    product["title"] = json!(input.title);
    graphql::<_, Data>(ctx, &create_product_query(), &json!({"product": product}))?
        .payload
        .product()
}

/// Input of `SHOPIFY_UPDATE_PRODUCT`.
#[derive(Deserialize, JsonSchema)]
struct UpdateProduct {
    /// The product's id: `gid://shopify/Product/1234567890` or just the number.
    #[schemars(regex(pattern = PRODUCT_ID))]
    product_id: String,
    /// A new name.
    #[schemars(length(min = 1, max = 255))]
    title: Option<String>,
    #[serde(flatten)]
    fields: ProductFields,
}

fn update_product_query() -> String {
    format!(
        "mutation UpdateProduct($product: ProductUpdateInput!) {{ productUpdate(product: $product) {{ {PRODUCT_RESULT} }} }}"
    )
}

fn update_product(input: UpdateProduct, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "productUpdate")]
        payload: ProductPayload,
    }
    if input.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::invalid_input("`title` must not be blank"));
    }
    let mut product = input.fields.to_input()?;
    if let Some(title) = input.title {
        product["title"] = json!(title);
    }
    if product.as_object().is_some_and(|p| p.is_empty()) {
        return Err(Error::invalid_input(
            "nothing to change: give at least one of `title`, `description_html`, `vendor`, `product_type`, `tags`, `status`, `handle`, `metafields`",
        ));
    }
    product["id"] = json!(gid("Product", &input.product_id)?);
    graphql::<_, Data>(ctx, &update_product_query(), &json!({"product": product}))?
        .payload
        .product()
}

// ---- Inventory -------------------------------------------------------------------------------

/// Why a quantity changes, from Shopify's list of reasons.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum AdjustReason {
    Correction,
    CycleCountAvailable,
    Damaged,
    MovementCreated,
    MovementUpdated,
    MovementReceived,
    MovementCanceled,
    Other,
    Promotion,
    QualityControl,
    Received,
    ReservationCreated,
    ReservationDeleted,
    ReservationUpdated,
    Restock,
    SafetyStock,
    Shrinkage,
}

/// Which quantity of the item at the location changes.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum QuantityName {
    Available,
    Damaged,
    QualityControl,
    SafetyStock,
    Reserved,
    Incoming,
}

/// One change: an item's quantity at one location, up or down.
#[derive(Deserialize, JsonSchema)]
struct InventoryChange {
    /// The inventory item: `gid://shopify/InventoryItem/30322695` or the number (a variant's
    /// `inventoryItem.id` in `SHOPIFY_GET_PRODUCT`; not the variant's id).
    #[schemars(regex(pattern = r"^(gid://shopify/InventoryItem/)?[0-9]+$"))]
    inventory_item_id: String,
    /// The location: `gid://shopify/Location/124656943` or the number (the
    /// `inventoryLevels[].location.id` of the variant in `SHOPIFY_GET_PRODUCT`).
    #[schemars(regex(pattern = r"^(gid://shopify/Location/)?[0-9]+$"))]
    location_id: String,
    /// How much to add (positive) or remove (negative); not 0.
    delta: i32,
    /// The quantity you expect there now: Shopify refuses the change if it differs
    /// (`CHANGE_FROM_QUANTITY_STALE`), so concurrent changes are not overwritten. Left out,
    /// the change applies whatever the quantity is.
    expected_quantity: Option<i32>,
}

/// Input of `SHOPIFY_ADJUST_INVENTORY`.
#[derive(Deserialize, JsonSchema)]
struct AdjustInventory {
    /// The changes, applied together (1 to 250).
    #[schemars(length(min = 1, max = 250))]
    changes: Vec<InventoryChange>,
    /// Why (default `correction`).
    reason: Option<AdjustReason>,
    /// Which quantity changes (default `available`, the quantity that can be sold).
    quantity_name: Option<QuantityName>,
    /// A URI naming what caused the change, kept in the inventory history, e.g.
    /// `logistics://purchase-order/1234` or `gid://shopify/Order/5678901234`.
    #[schemars(extend("format" = "uri"))]
    reference_document_uri: Option<String>,
    /// Shopify's idempotency key: a retry with the same key is applied once. Give one (any
    /// unique text, e.g. a UUID) to retry safely after a failure; a new one is made by default.
    #[schemars(length(min = 1, max = 255))]
    idempotency_key: Option<String>,
}

const ADJUST_INVENTORY: &str = "mutation AdjustInventory($input: InventoryAdjustQuantitiesInput!, $key: String!) { inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { inventoryAdjustmentGroup { id createdAt reason referenceDocumentUri changes { name delta quantityAfterChange item { id sku } location { id name } } } userErrors { field message code } } }";

fn adjust_inventory(input: AdjustInventory, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "inventoryAdjustQuantities")]
        payload: Payload,
    }
    #[derive(Deserialize)]
    struct Payload {
        #[serde(rename = "inventoryAdjustmentGroup")]
        group: Option<Passthrough>,
        #[serde(rename = "userErrors")]
        user_errors: Vec<UserError>,
    }
    if let Some(i) = input.changes.iter().position(|c| c.delta == 0) {
        return Err(Error::invalid_input(format!(
            "`changes[{i}].delta` is 0: nothing to adjust"
        )));
    }
    let mut changes = Vec::new();
    for c in &input.changes {
        // `changeFromQuantity` must be sent, null or not (Shopify refuses the change without it
        // since 2026-04).
        changes.push(json!({
            "inventoryItemId": gid("InventoryItem", &c.inventory_item_id)?,
            "locationId": gid("Location", &c.location_id)?,
            "delta": c.delta,
            "changeFromQuantity": c.expected_quantity,
        }));
    }
    let mut adjustment = json!({
        "reason": input.reason.unwrap_or(AdjustReason::Correction),
        "name": input.quantity_name.unwrap_or(QuantityName::Available),
        "changes": changes,
    });
    if let Some(uri) = input.reference_document_uri {
        adjustment["referenceDocumentUri"] = json!(uri);
    }
    let key = input
        .idempotency_key
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let payload = graphql::<_, Data>(
        ctx,
        ADJUST_INVENTORY,
        &json!({"input": adjustment, "key": key}),
    )?
    .payload;
    user_errors(&payload.user_errors)?;
    payload
        .group
        .ok_or_else(|| Error::internal("Shopify returned neither an adjustment nor userErrors"))
}

// ---- Customers -------------------------------------------------------------------------------

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum CustomerSort {
    Name,
    CreatedAt,
    UpdatedAt,
    Location,
    Id,
    Relevance,
}

/// Input of `SHOPIFY_LIST_CUSTOMERS`.
#[derive(Deserialize, JsonSchema)]
struct ListCustomers {
    /// A filter in Shopify's search syntax, e.g. `email:ada@example.com`, `country:Canada`,
    /// `tag:vip`, `orders_count:>5`, `amount_spent:>=100`, `customer_date:>=2026-01-01`, or free
    /// text (name, e-mail, phone). Every customer when left out.
    query: Option<String>,
    /// Customers per page, 1 to 250 (default 50).
    #[schemars(range(min = 1, max = 250))]
    limit: Option<u32>,
    /// `next_cursor` of the previous page, with the same `query` and sort.
    cursor: Option<String>,
    /// The order (default `ID`; `RELEVANCE` only with a text `query`).
    sort_key: Option<CustomerSort>,
    /// Reverse the order. Default false.
    reverse: Option<bool>,
}

const LIST_CUSTOMERS: &str = "query ListCustomers($first: Int!, $after: String, $query: String, $sortKey: CustomerSortKeys, $reverse: Boolean) { customers(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) { nodes { id displayName firstName lastName defaultEmailAddress { emailAddress marketingState } defaultPhoneNumber { phoneNumber } state tags note numberOfOrders amountSpent { amount currencyCode } createdAt updatedAt defaultAddress { city province countryCodeV2 } } pageInfo { hasNextPage endCursor } } }";

fn list_customers(input: ListCustomers, ctx: &Context) -> Result<ListPage, Error> {
    #[derive(Deserialize)]
    struct Data {
        customers: Connection,
    }
    let vars = ListVars {
        first: input.limit.unwrap_or(DEFAULT_PAGE),
        after: input.cursor.filter(|c| !c.is_empty()),
        query: input.query.filter(|q| !q.trim().is_empty()),
        sort_key: input.sort_key,
        reverse: input.reverse,
    };
    Ok(graphql::<_, Data>(ctx, LIST_CUSTOMERS, &vars)?
        .customers
        .into())
}

// ---- Draft orders ----------------------------------------------------------------------------

/// One line of a draft order: a product variant, or a custom item with a title and price.
#[derive(Deserialize, JsonSchema)]
struct DraftLine {
    /// The product variant sold: `gid://shopify/ProductVariant/39072856` or the number (from
    /// `SHOPIFY_GET_PRODUCT`). Leave out for a custom item.
    #[schemars(regex(pattern = r"^(gid://shopify/ProductVariant/)?[0-9]+$"))]
    variant_id: Option<String>,
    /// How many (at least 1).
    #[schemars(range(min = 1))]
    quantity: u32,
    /// A custom item's name (required without `variant_id`, ignored with it).
    title: Option<String>,
    /// A custom item's unit price, a decimal string such as `"19.99"` in `currency_code`
    /// (required without `variant_id`).
    #[schemars(regex(pattern = r"^[0-9]+(\.[0-9]+)?$"))]
    unit_price: Option<String>,
    /// The ISO 4217 code of `unit_price`, e.g. `USD` (the shop's currency by default).
    #[schemars(regex(pattern = "^[A-Z]{3}$"))]
    currency_code: Option<String>,
}

/// Input of `SHOPIFY_CREATE_DRAFT_ORDER`.
#[derive(Deserialize, JsonSchema)]
struct CreateDraftOrder {
    /// The lines (at least one).
    #[schemars(length(min = 1))]
    line_items: Vec<DraftLine>,
    /// The customer ordering: `gid://shopify/Customer/544365967` or the number (from
    /// `SHOPIFY_LIST_CUSTOMERS`); their default address is used.
    #[schemars(regex(pattern = r"^(gid://shopify/Customer/)?[0-9]+$"))]
    customer_id: Option<String>,
    /// The e-mail address to send the invoice to (the customer's by default).
    #[schemars(email)]
    email: Option<String>,
    /// A note for the merchant.
    note: Option<String>,
    /// Tags of the draft order.
    tags: Option<Vec<String>>,
    /// Discount codes to try on the draft order.
    discount_codes: Option<Vec<String>>,
}

const CREATE_DRAFT_ORDER: &str = "mutation CreateDraftOrder($input: DraftOrderInput!) { draftOrderCreate(input: $input) { draftOrder { id name status invoiceUrl createdAt email note2 tags totalPriceSet { shopMoney { amount currencyCode } } customer { id displayName } lineItems(first: 50) { nodes { id title quantity sku variant { id } originalUnitPriceSet { shopMoney { amount currencyCode } } } } } userErrors { field message } } }";

fn create_draft_order(input: CreateDraftOrder, ctx: &Context) -> Result<Passthrough, Error> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "draftOrderCreate")]
        payload: Payload,
    }
    #[derive(Deserialize)]
    struct Payload {
        #[serde(rename = "draftOrder")]
        draft_order: Option<Passthrough>,
        #[serde(rename = "userErrors")]
        user_errors: Vec<UserError>,
    }
    let mut lines = Vec::new();
    for (i, line) in input.line_items.iter().enumerate() {
        let mut item = json!({"quantity": line.quantity});
        match (&line.variant_id, &line.title, &line.unit_price) {
            (Some(variant), _, _) => item["variantId"] = json!(gid("ProductVariant", variant)?),
            (None, Some(title), Some(price)) if !title.trim().is_empty() => {
                item["title"] = json!(title);
                let currency = match &line.currency_code {
                    Some(code) => code.clone(),
                    None => shop_currency(ctx)?,
                };
                item["originalUnitPriceWithCurrency"] =
                    json!({"amount": price, "currencyCode": currency});
            }
            _ => {
                return Err(Error::invalid_input(format!(
                    "`line_items[{i}]` needs a `variant_id`, or a `title` and a `unit_price` for a custom item"
                )));
            }
        }
        lines.push(item);
    }
    let mut draft = json!({"lineItems": lines});
    if let Some(customer) = input.customer_id {
        draft["purchasingEntity"] = json!({"customerId": gid("Customer", &customer)?});
        draft["useCustomerDefaultAddress"] = json!(true);
    }
    if let Some(email) = input.email {
        draft["email"] = json!(email);
    }
    if let Some(note) = input.note {
        draft["note"] = json!(note);
    }
    if let Some(tags) = input.tags {
        draft["tags"] = json!(tags);
    }
    if let Some(codes) = input.discount_codes {
        draft["discountCodes"] = json!(codes);
    }
    let payload = graphql::<_, Data>(ctx, CREATE_DRAFT_ORDER, &json!({"input": draft}))?.payload;
    user_errors(&payload.user_errors)?;
    payload
        .draft_order
        .ok_or_else(|| Error::internal("Shopify returned neither a draft order nor userErrors"))
}

/// The shop's currency, for a custom line item's price given without one.
fn shop_currency(ctx: &Context) -> Result<String, Error> {
    #[derive(Deserialize)]
    struct Data {
        shop: Shop,
    }
    #[derive(Deserialize)]
    struct Shop {
        #[serde(rename = "currencyCode")]
        currency: String,
    }
    Ok(graphql::<_, Data>(
        ctx,
        "query ShopCurrency { shop { currencyCode } }",
        &json!({}),
    )?
    .shop
    .currency)
}

// ---- Connecting ------------------------------------------------------------------------------

const SHOP_NAME: &str = "query ConnectedShop { shop { name myshopifyDomain } }";

/// Checks the new credential on the shop (a refused one is not stored) and labels the account
/// `Shop name (shop.myshopify.com)`.
fn after_connect(ctx: &Context) -> Result<ConnectedAccount, Error> {
    #[derive(Deserialize)]
    struct Data {
        shop: Shop,
    }
    #[derive(Deserialize)]
    struct Shop {
        name: String,
        #[serde(rename = "myshopifyDomain")]
        domain: String,
    }
    let shop = graphql::<_, Data>(ctx, SHOP_NAME, &json!({}))?.shop;
    Ok(ConnectedAccount::labelled(format!(
        "{} ({})",
        shop.name, shop.domain
    )))
}

// ---- The provider ----------------------------------------------------------------------------

const READ_ORDERS: &str = "read_orders";
const READ_PRODUCTS: &str = "read_products";
const WRITE_PRODUCTS: &str = "write_products";
const READ_INVENTORY: &str = "read_inventory";
const WRITE_INVENTORY: &str = "write_inventory";
const READ_CUSTOMERS: &str = "read_customers";
const WRITE_DRAFT_ORDERS: &str = "write_draft_orders";

pub fn provider() -> Provider {
    Provider::new("shopify", "Shopify")
        .version(env!("CARGO_PKG_VERSION"))
        .description("Orders, sales, products, inventory, customers and draft orders of a Shopify shop.")
        .categories(&["ecommerce"])
        .auth(Auth::bearer_oauth2(
            // Shopify's authorization code grant, per shop: scopes separated by commas, no
            // PKCE. The access token goes in `X-Shopify-Access-Token`, bare.
            OAuth2::new(
                "https://{shop}.myshopify.com/admin/oauth/authorize",
                "https://{shop}.myshopify.com/admin/oauth/access_token",
            )
            .scopes(&[
                READ_ORDERS,
                READ_PRODUCTS,
                WRITE_PRODUCTS,
                READ_INVENTORY,
                WRITE_INVENTORY,
                READ_CUSTOMERS,
                WRITE_DRAFT_ORDERS,
            ])
            .scope_separator(",")
            .without_pkce()
            // Shopify takes the token in its own header, not as a Bearer token (contract 0.4).
            .token_header("X-Shopify-Access-Token", None),
        ))
        // A custom app made in the shop's admin (Settings → Apps and sales channels → Develop
        // apps; no new ones since January 2026, existing ones keep working) has an Admin API
        // access token (`shpat_...`) with the scopes chosen there; Shopify takes it in the same
        // header.
        .alternative_auth(Auth::ApiKey(ApiKey::header("X-Shopify-Access-Token")))
        .field(
            Field::user(
                "shop",
                "Your shop's myshopify.com subdomain: `acme` for acme.myshopify.com (Settings → Domains shows it).",
            )
            .pattern("^[a-z0-9][a-z0-9-]*$")
            .required(),
        )
        .origin(ORIGIN)
        .after_connect(after_connect)
        .action(Action::new(
            "SHOPIFY_SALES_REPORT",
            "Daily sales of the shop between two dates, as numbers: per day the number of orders created, gross sales (order totals after discounts, with shipping and taxes), refunds on those orders and net sales (gross minus refunds), plus totals for the range, in the shop's currency and time zone. Use to answer how much the shop sold; reads every order of the range (up to 10,000; a longer range is refused, ask for shorter ones). Only the last 60 days unless the app has `read_all_orders`.",
            sales::sales_report,
        ).read_only().scopes(&[READ_ORDERS]))
        .action(Action::new(
            "SHOPIFY_LIST_ORDERS",
            "List or search the shop's orders with Shopify's search syntax (status, financial or fulfillment status, dates, customer e-mail, order name, tags). Returns `{items, next_cursor}`: each order's id, name (`#1001`), dates, statuses, totals, refunded amount and customer; pass `next_cursor` as `cursor` for more. Use SHOPIFY_GET_ORDER for line items and addresses, SHOPIFY_SALES_REPORT for sums.",
            list_orders,
        ).read_only().scopes(&[READ_ORDERS]))
        .action(Action::new(
            "SHOPIFY_GET_ORDER",
            "Get one order by id: statuses, customer, note, shipping address, discount codes, subtotal, discounts, shipping, taxes, totals, up to 100 line items (variant, SKU, quantity, prices) and its refunds.",
            get_order,
        ).read_only().scopes(&[READ_ORDERS]))
        .action(Action::new(
            "SHOPIFY_LIST_PRODUCTS",
            "List or search the shop's products with Shopify's search syntax (title, status, vendor, type, tag, SKU, inventory). Returns `{items, next_cursor}`: each product's id, title, handle, status, vendor, type, tags, total inventory and price range; pass `next_cursor` as `cursor` for more. Use SHOPIFY_GET_PRODUCT for variants and stock per location.",
            list_products,
        ).read_only().scopes(&[READ_PRODUCTS]))
        .action(Action::new(
            "SHOPIFY_GET_PRODUCT",
            "Get one product by id: description, options, metafields and up to 100 variants with SKU, price, inventory item id and available/on-hand quantity per location (the ids SHOPIFY_ADJUST_INVENTORY and SHOPIFY_CREATE_DRAFT_ORDER take).",
            get_product,
        ).read_only().scopes(&[READ_PRODUCTS, READ_INVENTORY]))
        .action(Action::new(
            "SHOPIFY_CREATE_PRODUCT",
            "Create a product with a title and optionally a description, vendor, type, tags, status, handle and metafields (the shop's own custom fields are listed in `metafield_values`). Shopify gives it one default variant (price 0, no SKU). Returns the product with its id, handle and the default variant's id and inventory item id.",
            create_product,
        ).scopes(&[WRITE_PRODUCTS]).dynamic(describe_product))
        .action(Action::new(
            "SHOPIFY_UPDATE_PRODUCT",
            "Change a product's title, description, vendor, type, tags (replacing them), status (e.g. ARCHIVED or DRAFT), handle or metafields; fields left out keep their values. Returns the updated product.",
            update_product,
        ).idempotent().scopes(&[WRITE_PRODUCTS]).dynamic(describe_product))
        .action(Action::new(
            "SHOPIFY_ADJUST_INVENTORY",
            "Add to or remove from the stock of inventory items at locations (a delta, not a new total), with a reason kept in the inventory history; optionally only if the current quantity is what you expect. Returns the adjustment with each quantity after the change.",
            adjust_inventory,
        ).scopes(&[WRITE_INVENTORY]))
        .action(Action::new(
            "SHOPIFY_LIST_CUSTOMERS",
            "List or search the shop's customers by e-mail, name, phone, country, tag, order count or amount spent. Returns `{items, next_cursor}`: each customer's id, name, e-mail, phone, state, tags, number of orders, amount spent and city; pass `next_cursor` as `cursor` for more.",
            list_customers,
        ).read_only().scopes(&[READ_CUSTOMERS]))
        .action(Action::new(
            "SHOPIFY_CREATE_DRAFT_ORDER",
            "Create a draft order (a quote or an order taken for a customer) from product variants and custom items, optionally for a customer with a note, tags and discount codes. Returns the draft with its id, name (`#D1`), total and the invoice URL to send to the customer for payment.",
            create_draft_order,
        ).scopes(&[WRITE_DRAFT_ORDERS]))
}

actionhost_sdk::export_provider!(provider);
