//! `SHOPIFY_SALES_REPORT`: the orders created in a range of days, summed per day, answered as
//! numbers rather than orders.
//!
//! Days are the shop's calendar days: the shop's IANA time zone (`shop { ianaTimezone }`) turns
//! the first day's midnight and the midnight after the last day into UTC instants, the orders
//! query is filtered on `created_at` between them, and each order's `createdAt` (UTC) is put in
//! the day it falls on in that zone, with daylight-saving changes as the zone has them. Every
//! order is read, 250 per page; a range with more pages than [`MAX_PAGES`] is refused with an
//! error naming the bound, never summed in part. Money is added exactly ([`Decimal`]) in the
//! shop's currency (`shopMoney`) and answered as decimal strings.

use std::collections::BTreeMap;
use std::str::FromStr;

use actionhost_sdk::prelude::*;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

/// Orders per page: the most Shopify's connections give.
pub const PAGE_SIZE: u32 = 250;
/// Pages one report may read (10,000 orders); more is refused, naming this bound.
pub const MAX_PAGES: usize = 40;
/// The longest range, in days.
pub const MAX_DAYS: u64 = 366;

/// Input of `SHOPIFY_SALES_REPORT`.
#[derive(Deserialize, JsonSchema)]
pub struct SalesReportInput {
    /// The first day of the report, YYYY-MM-DD, a calendar day in the shop's time zone
    /// (inclusive).
    #[schemars(extend("format" = "date"))]
    pub start_date: String,
    /// The last day of the report, YYYY-MM-DD, in the shop's time zone (inclusive; the same
    /// day as `start_date` for one day). At most 366 days after `start_date`.
    #[schemars(extend("format" = "date"))]
    pub end_date: String,
    /// Count test orders (made with Shopify's Bogus Gateway or a payment provider's test mode)
    /// too. Default false: they are left out, as Shopify's own reports leave them out.
    pub include_test_orders: Option<bool>,
}

/// One day's sales, or the whole range's.
#[derive(Serialize, JsonSchema, Debug, Clone, PartialEq)]
pub struct Sales {
    /// Orders created that day (cancelled ones included; their refunds are in `refunds`).
    pub orders: u64,
    /// The sum of the orders' total prices as Shopify shows them (`totalPriceSet`: line items
    /// after discounts, plus shipping and taxes, before refunds), a decimal string in
    /// `currency`, e.g. `"1234.50"`.
    pub gross_sales: String,
    /// The sum refunded so far on those orders (`totalRefundedSet`), whenever it was refunded,
    /// a decimal string in `currency`.
    pub refunds: String,
    /// `gross_sales` minus `refunds`, a decimal string in `currency`.
    pub net_sales: String,
}

/// One calendar day of the report.
#[derive(Serialize, JsonSchema, Debug, Clone, PartialEq)]
pub struct Day {
    /// The day, YYYY-MM-DD, in the shop's time zone.
    #[schemars(extend("format" = "date"))]
    pub date: String,
    #[serde(flatten)]
    pub sales: Sales,
}

/// Sales per day from `start_date` to `end_date`, and their totals.
#[derive(Serialize, JsonSchema, Debug, Clone, PartialEq)]
pub struct SalesReport {
    /// The shop's IANA time zone (e.g. `America/New_York`), in which the days are counted.
    pub time_zone: String,
    /// The ISO 4217 code of the shop's currency, in which every amount is given.
    pub currency: String,
    #[schemars(extend("format" = "date"))]
    pub start_date: String,
    #[schemars(extend("format" = "date"))]
    pub end_date: String,
    /// Whether test orders were counted.
    pub include_test_orders: bool,
    /// Every day of the range in order, days without orders included (with zeros).
    pub days: Vec<Day>,
    /// The whole range.
    pub totals: Sales,
}

const SHOP: &str = "query SalesReportShop { shop { ianaTimezone currencyCode } }";

const ORDERS: &str = "query SalesReportOrders($query: String!, $after: String) { orders(first: 250, after: $after, query: $query, sortKey: CREATED_AT) { nodes { createdAt totalPriceSet { shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount currencyCode } } } pageInfo { hasNextPage endCursor } } }";

#[derive(Deserialize)]
struct Money {
    amount: String,
    #[serde(rename = "currencyCode")]
    currency_code: String,
}

#[derive(Deserialize)]
struct MoneyBag {
    #[serde(rename = "shopMoney")]
    shop_money: Money,
}

#[derive(Deserialize)]
struct Order {
    #[serde(rename = "createdAt")]
    created_at: String,
    #[serde(rename = "totalPriceSet")]
    total: MoneyBag,
    #[serde(rename = "totalRefundedSet")]
    refunded: MoneyBag,
}

#[derive(Default, Clone, Copy)]
struct Sum {
    orders: u64,
    gross: Decimal,
    refunds: Decimal,
}

impl Sum {
    fn answer(self) -> Sales {
        Sales {
            orders: self.orders,
            gross_sales: money(self.gross),
            refunds: money(self.refunds),
            net_sales: money(self.gross - self.refunds),
        }
    }
}

/// An amount with at least two decimals (`"0.00"`, `"12.50"`, `"0.125"`).
fn money(amount: Decimal) -> String {
    let mut amount = amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount.to_string()
}

fn date(text: &str, name: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Error::invalid_input(format!("`{name}` must be a date YYYY-MM-DD, not {text:?}"))
    })
}

/// The first instant of `day` in `zone`: its midnight, or where a daylight-saving change skips
/// midnight, the first hour that exists.
fn start_of(day: NaiveDate, zone: Tz) -> Result<DateTime<Utc>, Error> {
    (0..=3)
        .find_map(|hour| {
            zone.from_local_datetime(&day.and_hms_opt(hour, 0, 0)?)
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::internal(format!("{day} has no start in {zone}")))
}

/// `2026-11-01T04:00:00Z`, as Shopify's search syntax takes a time.
fn instant(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn sales_report(input: SalesReportInput, ctx: &Context) -> Result<SalesReport, Error> {
    let first = date(&input.start_date, "start_date")?;
    let last = date(&input.end_date, "end_date")?;
    if last < first {
        return Err(Error::invalid_input(format!(
            "`end_date` {last} is before `start_date` {first}"
        )));
    }
    let span = (last - first).num_days() as u64 + 1;
    if span > MAX_DAYS {
        return Err(Error::invalid_input(format!(
            "the range has {span} days; at most {MAX_DAYS} per report: ask for shorter ranges"
        )));
    }
    let include_test = input.include_test_orders.unwrap_or(false);

    #[derive(Deserialize)]
    struct ShopData {
        shop: Shop,
    }
    #[derive(Deserialize)]
    struct Shop {
        #[serde(rename = "ianaTimezone")]
        time_zone: String,
        #[serde(rename = "currencyCode")]
        currency: String,
    }
    let shop = crate::graphql::<_, ShopData>(ctx, SHOP, &json!({}))?.shop;
    let zone = Tz::from_str(&shop.time_zone).map_err(|_| {
        Error::internal(format!(
            "the shop's time zone {:?} is not an IANA time zone this plugin knows",
            shop.time_zone
        ))
    })?;
    let from = start_of(first, zone)?;
    let after_last = last
        .checked_add_days(Days::new(1))
        .ok_or_else(|| Error::invalid_input("`end_date` is out of range"))?;
    let until = start_of(after_last, zone)?;
    let mut query = format!(
        "created_at:>='{}' AND created_at:<'{}'",
        instant(from),
        instant(until)
    );
    if !include_test {
        query.push_str(" AND test:false");
    }

    let mut days: BTreeMap<NaiveDate, Sum> = BTreeMap::new();
    let mut day = first;
    while day <= last {
        days.insert(day, Sum::default());
        day = day.succ_opt().expect("a day inside the checked range");
    }
    #[derive(Deserialize)]
    struct OrdersData {
        orders: Connection,
    }
    #[derive(Deserialize)]
    struct Connection {
        nodes: Vec<Order>,
        #[serde(rename = "pageInfo")]
        page_info: crate::PageInfo,
    }
    let mut after: Option<String> = None;
    for page in 1.. {
        if page > MAX_PAGES {
            return Err(Error::invalid_input(format!(
                "more than {} orders were created in this range ({MAX_PAGES} pages of {PAGE_SIZE}, the most one report reads): ask for a shorter range",
                MAX_PAGES * PAGE_SIZE as usize
            )));
        }
        let data: OrdersData =
            crate::graphql(ctx, ORDERS, &json!({"query": query, "after": after}))?;
        for order in data.orders.nodes {
            let created = DateTime::parse_from_rfc3339(&order.created_at).map_err(|_| {
                Error::internal(format!(
                    "an order's createdAt {:?} is not a time",
                    order.created_at
                ))
            })?;
            let local = created.with_timezone(&zone).date_naive();
            let Some(sum) = days.get_mut(&local) else {
                return Err(Error::internal(format!(
                    "Shopify returned an order created at {}, outside {first}..{last} in {zone}",
                    order.created_at
                )));
            };
            sum.orders += 1;
            sum.gross += amount(&order.total.shop_money, &shop.currency)?;
            sum.refunds += amount(&order.refunded.shop_money, &shop.currency)?;
        }
        match data.orders.page_info.next() {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }

    let mut total = Sum::default();
    for sum in days.values() {
        total.orders += sum.orders;
        total.gross += sum.gross;
        total.refunds += sum.refunds;
    }
    Ok(SalesReport {
        time_zone: shop.time_zone,
        currency: shop.currency,
        start_date: first.to_string(),
        end_date: last.to_string(),
        include_test_orders: include_test,
        days: days
            .into_iter()
            .map(|(date, sum)| Day {
                date: date.to_string(),
                sales: sum.answer(),
            })
            .collect(),
        totals: total.answer(),
    })
}

/// A `shopMoney` amount, which must be in the shop's currency (a shop that changed currency
/// has older orders in another one: summing them would be wrong).
fn amount(money: &Money, currency: &str) -> Result<Decimal, Error> {
    if money.currency_code != currency {
        return Err(Error::upstream(
            200,
            format!(
                "an order in the range is in {} while the shop's currency is {currency}: the amounts cannot be summed",
                money.currency_code
            ),
        ));
    }
    Decimal::from_str(&money.amount)
        .map_err(|_| Error::internal(format!("Shopify sent the amount {:?}", money.amount)))
}
