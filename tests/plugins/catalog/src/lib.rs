//! A provider with 100 generated actions in the vocabulary of one kind of SaaS product, for the
//! tool-search benchmark: ten such providers (billing, support, recruiting, ...) make a
//! catalog of 1,000 actions whose names and descriptions differ as a real catalog's do.
//!
//! One build serves all ten: its id is the placeholder `zzwidez`, which the benchmark patches
//! in the component's bytes to one of the ten ids in [`DOMAINS`] (all seven letters long, so
//! that the patch keeps the length); the plugin reads its (patched) id at run time and
//! declares that domain's actions. Actions need an API key (so only the users who connected
//! the integration see them) and make no upstream call: they echo what they were given.

use actionhost_sdk::prelude::*;

/// The placeholder id; `std::hint::black_box` keeps the compiler from folding it, so the
/// patched bytes are what the plugin reads.
const ID: &str = "zzwidez";

/// One kind of product: id (seven letters), display name, and its ten kinds of objects as
/// (singular, plural, what one is).
struct Domain {
    id: &'static str,
    name: &'static str,
    objects: [(&'static str, &'static str, &'static str); 10],
}

/// The ten domains; `tests/src/lib.rs` (`CATALOG_IDS`) names the same ids.
const DOMAINS: [Domain; 10] = [
    Domain {
        id: "billing",
        name: "Billing",
        objects: [
            (
                "invoice",
                "invoices",
                "a bill sent to a customer for payment",
            ),
            (
                "customer",
                "customers",
                "a person or company that is billed",
            ),
            (
                "subscription",
                "subscriptions",
                "a recurring charge for a plan",
            ),
            ("payment", "payments", "money received against an invoice"),
            ("refund", "refunds", "money returned to a customer"),
            ("coupon", "coupons", "a discount applied at checkout"),
            ("price", "prices", "what a product costs per unit or period"),
            ("product", "products", "something sold, with its prices"),
            ("tax rate", "tax rates", "a percentage of tax for a region"),
            (
                "credit note",
                "credit notes",
                "a reduction of an issued invoice",
            ),
        ],
    },
    Domain {
        id: "support",
        name: "Support desk",
        objects: [
            (
                "ticket",
                "tickets",
                "a customer's request or problem report",
            ),
            ("agent", "agents", "a member of the support team"),
            ("macro", "macros", "a canned reply with actions"),
            (
                "satisfaction rating",
                "satisfaction ratings",
                "a customer's score for a solved ticket",
            ),
            (
                "sla policy",
                "sla policies",
                "the response and resolution times promised",
            ),
            (
                "help article",
                "help articles",
                "a self-service answer in the help center",
            ),
            ("ticket tag", "ticket tags", "a label used to group tickets"),
            ("view", "views", "a saved filter of tickets"),
            ("requester", "requesters", "the person who opened a ticket"),
            (
                "escalation",
                "escalations",
                "a ticket handed to a higher support tier",
            ),
        ],
    },
    Domain {
        id: "recruit",
        name: "Recruiting",
        objects: [
            (
                "candidate",
                "candidates",
                "a person applying or sourced for a job",
            ),
            (
                "job posting",
                "job postings",
                "an open position published on the careers page",
            ),
            (
                "application",
                "applications",
                "a candidate's application to a job",
            ),
            (
                "interview",
                "interviews",
                "a scheduled conversation with a candidate",
            ),
            (
                "scorecard",
                "scorecards",
                "an interviewer's written feedback",
            ),
            ("offer", "offers", "a job offer with salary and start date"),
            (
                "referral",
                "referrals",
                "a candidate recommended by an employee",
            ),
            (
                "hiring stage",
                "hiring stages",
                "a step of the hiring pipeline",
            ),
            (
                "talent pool",
                "talent pools",
                "a group of candidates kept for later roles",
            ),
            (
                "assessment",
                "assessments",
                "a skills test sent to a candidate",
            ),
        ],
    },
    Domain {
        id: "payroll",
        name: "Payroll",
        objects: [
            ("employee", "employees", "a person on the payroll"),
            (
                "pay run",
                "pay runs",
                "one payroll calculation for a pay period",
            ),
            ("payslip", "payslips", "an employee's statement of pay"),
            (
                "time off request",
                "time off requests",
                "a request for vacation or leave",
            ),
            (
                "expense claim",
                "expense claims",
                "a request to reimburse a work expense",
            ),
            ("bonus", "bonuses", "a one-time payment on top of salary"),
            ("deduction", "deductions", "an amount withheld from pay"),
            (
                "pay schedule",
                "pay schedules",
                "how often employees are paid",
            ),
            ("contractor", "contractors", "a freelancer paid per invoice"),
            (
                "benefit plan",
                "benefit plans",
                "health, pension or other benefits offered",
            ),
        ],
    },
    Domain {
        id: "webshop",
        name: "Web shop",
        objects: [
            ("order", "orders", "a purchase placed by a shopper"),
            ("cart", "carts", "items a shopper has not bought yet"),
            (
                "product variant",
                "product variants",
                "a size or color of a product",
            ),
            (
                "shipment",
                "shipments",
                "a parcel sent to a shopper with tracking",
            ),
            (
                "return request",
                "return requests",
                "a shopper sending items back",
            ),
            (
                "discount code",
                "discount codes",
                "a code that lowers the order total",
            ),
            (
                "inventory item",
                "inventory items",
                "stock of a variant at a location",
            ),
            (
                "collection",
                "collections",
                "a group of products shown together",
            ),
            ("gift card", "gift cards", "a prepaid balance for the shop"),
            (
                "review",
                "reviews",
                "a shopper's rating and comment on a product",
            ),
        ],
    },
    Domain {
        id: "storage",
        name: "Cloud storage",
        objects: [
            ("file", "files", "a document, image or other upload"),
            ("folder", "folders", "a container of files and folders"),
            (
                "share link",
                "share links",
                "a URL that gives others access to a file",
            ),
            ("file version", "file versions", "an earlier copy of a file"),
            (
                "upload session",
                "upload sessions",
                "a large upload sent in parts",
            ),
            (
                "trash item",
                "trash items",
                "a deleted file that can still be restored",
            ),
            (
                "storage quota",
                "storage quotas",
                "how much space an account may use",
            ),
            ("file comment", "file comments", "a remark left on a file"),
            ("shared drive", "shared drives", "a drive owned by a team"),
            (
                "file lock",
                "file locks",
                "a lock that keeps others from editing a file",
            ),
        ],
    },
    Domain {
        id: "surveys",
        name: "Surveys",
        objects: [
            ("survey", "surveys", "a questionnaire sent to people"),
            ("question", "questions", "one question of a survey"),
            ("response", "responses", "one person's completed answers"),
            ("respondent", "respondents", "a person who answers surveys"),
            (
                "survey invitation",
                "survey invitations",
                "an e-mail asking someone to answer",
            ),
            (
                "answer choice",
                "answer choices",
                "an option of a multiple-choice question",
            ),
            (
                "survey report",
                "survey reports",
                "charts and totals of the responses",
            ),
            ("panel", "panels", "a group of respondents to sample from"),
            (
                "survey theme",
                "survey themes",
                "the colors and fonts of a survey",
            ),
            (
                "webhook",
                "webhooks",
                "a URL called when a response arrives",
            ),
        ],
    },
    Domain {
        id: "finance",
        name: "Accounting",
        objects: [
            (
                "journal entry",
                "journal entries",
                "a debit and credit booked in the ledger",
            ),
            (
                "ledger account",
                "ledger accounts",
                "an account of the chart of accounts",
            ),
            (
                "bank transaction",
                "bank transactions",
                "a line of a bank statement",
            ),
            (
                "vendor bill",
                "vendor bills",
                "an invoice received from a supplier",
            ),
            (
                "budget",
                "budgets",
                "planned income and spending for a period",
            ),
            (
                "expense category",
                "expense categories",
                "a class of spending for reports",
            ),
            (
                "reconciliation",
                "reconciliations",
                "matching the books to a bank statement",
            ),
            (
                "fiscal period",
                "fiscal periods",
                "a month or quarter of the books",
            ),
            (
                "purchase order",
                "purchase orders",
                "an order placed with a supplier",
            ),
            (
                "tax return",
                "tax returns",
                "a filing of taxes owed for a period",
            ),
        ],
    },
    Domain {
        id: "mailing",
        name: "Email marketing",
        objects: [
            (
                "campaign",
                "campaigns",
                "an e-mail sent to a list of subscribers",
            ),
            (
                "mailing list",
                "mailing lists",
                "people who agreed to receive e-mail",
            ),
            ("subscriber", "subscribers", "one address on a mailing list"),
            (
                "email template",
                "email templates",
                "a reusable e-mail layout",
            ),
            (
                "segment",
                "segments",
                "subscribers matching some conditions",
            ),
            (
                "automation",
                "automations",
                "e-mails sent when a subscriber does something",
            ),
            (
                "sender identity",
                "sender identities",
                "a verified from-address",
            ),
            ("unsubscribe", "unsubscribes", "an address that opted out"),
            ("ab test", "ab tests", "two versions of a campaign compared"),
            (
                "bounce report",
                "bounce reports",
                "addresses that could not be delivered to",
            ),
        ],
    },
    Domain {
        id: "wikipad",
        name: "Team wiki",
        objects: [
            ("page", "pages", "a document of the team wiki"),
            (
                "space",
                "spaces",
                "a section of the wiki for one team or project",
            ),
            ("page comment", "page comments", "a remark left on a page"),
            (
                "page template",
                "page templates",
                "a starting point for new pages",
            ),
            ("attachment", "attachments", "a file attached to a page"),
            (
                "page version",
                "page versions",
                "an earlier revision of a page",
            ),
            (
                "space permission",
                "space permissions",
                "who may read or edit a space",
            ),
            ("blog post", "blog posts", "a dated announcement in a space"),
            ("label", "labels", "a tag used to group pages"),
            (
                "page watcher",
                "page watchers",
                "someone notified when a page changes",
            ),
        ],
    },
];

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    Draft,
    Active,
    Closed,
}

/// Input of the create actions.
// The fields exist for their schema; the action echoes only the title.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
struct Create {
    /// Title or name of the new object.
    title: String,
    /// Longer description, in Markdown.
    body: Option<String>,
    /// Labels to attach.
    labels: Option<Vec<String>>,
    /// Status to start in (default `draft`).
    status: Option<Status>,
    /// Due or effective date (ISO 8601).
    due: Option<String>,
}

/// Input of the actions on one object.
#[derive(Deserialize, JsonSchema)]
struct One {
    /// Id of the object.
    id: String,
}

/// Input of the list, search and export actions.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
struct Many {
    /// Words to look for in titles and bodies.
    query: Option<String>,
    /// Only objects in this status.
    status: Option<Status>,
    /// Only objects with this label.
    label: Option<String>,
    /// Page of results, from 1.
    #[schemars(range(min = 1))]
    page: Option<u32>,
    /// Results per page, 1 to 100.
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
}

/// Input of the update actions.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
struct Update {
    /// Id of the object.
    id: String,
    /// New title.
    title: Option<String>,
    /// New description, in Markdown.
    body: Option<String>,
    /// Labels, replacing the current ones.
    labels: Option<Vec<String>>,
    /// New status.
    status: Option<Status>,
}

/// Input of the assign actions.
#[derive(Deserialize, JsonSchema)]
struct Assign {
    /// Id of the object.
    id: String,
    /// E-mail address or member id of the assignee.
    assignee: String,
}

fn created(input: Create, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "id": "1", "title": input.title }))
}

fn one(input: One, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "id": input.id }))
}

fn many(_: Many, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "items": [], "next_page": null }))
}

fn updated(input: Update, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "id": input.id }))
}

fn assigned(input: Assign, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "id": input.id, "assignee": input.assignee }))
}

/// `phrase` in upper snake case, for an action name.
fn upper(phrase: &str) -> String {
    phrase.replace(' ', "_").to_ascii_uppercase()
}

/// "a" or "an" before `word`.
fn article(word: &str) -> &'static str {
    match word.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}

pub fn provider() -> Provider {
    let id = std::hint::black_box(ID);
    let domain = DOMAINS.iter().find(|d| d.id == id).unwrap_or(&DOMAINS[0]);
    let (app, prefix) = (domain.name, id.to_ascii_uppercase());
    let mut provider = Provider::new(id, app)
        .version("1.0.0")
        .description("Generated actions for the tool-search benchmark.")
        .categories(&["testing"])
        .auth(Auth::ApiKey(ApiKey::header("X-Api-Key")))
        .origin("https://api.catalog.test");
    for (one_name, many_name, what) in domain.objects {
        let (o, os) = (upper(one_name), upper(many_name));
        let a = article(one_name);
        let name = |verb: &str, object: &str| format!("{prefix}_{verb}_{object}");
        provider = provider
            .action(Action::new(
                &name("CREATE", &o),
                &format!("Create a new {one_name} in {app} ({what}). Returns the created {one_name} with its id."),
                created,
            ))
            .action(
                Action::new(
                    &name("GET", &o),
                    &format!("Get one {one_name} by its id, with all of its fields."),
                    one,
                )
                .read_only(),
            )
            .action(
                Action::new(
                    &name("LIST", &os),
                    &format!("List {many_name} in {app}, newest first, optionally filtered by status or label. Paginate with `page`."),
                    many,
                )
                .read_only(),
            )
            .action(
                Action::new(
                    &name("UPDATE", &o),
                    &format!("Change an existing {one_name}: only the fields given are changed."),
                    updated,
                )
                .idempotent(),
            )
            .action(
                Action::new(
                    &name("DELETE", &o),
                    &format!("Delete {a} {one_name} permanently. This cannot be undone."),
                    one,
                )
                .destructive(),
            )
            .action(
                Action::new(
                    &name("ARCHIVE", &o),
                    &format!("Archive {a} {one_name} so that it no longer shows in lists; archived {many_name} can be restored."),
                    one,
                )
                .idempotent(),
            )
            .action(
                Action::new(
                    &name("SEARCH", &os),
                    &format!("Search {many_name} by words in their title and body; returns the best matches first."),
                    many,
                )
                .read_only(),
            )
            .action(
                Action::new(
                    &name("EXPORT", &os),
                    &format!("Export {many_name} as a CSV file for reporting or a spreadsheet."),
                    many,
                )
                .read_only(),
            )
            .action(Action::new(
                &name("ASSIGN", &o),
                &format!("Assign {a} {one_name} to a member of the {app} workspace, who is notified."),
                assigned,
            ))
            .action(Action::new(
                &name("DUPLICATE", &o),
                &format!("Make a copy of {a} {one_name}, with a new id and the same fields."),
                one,
            ));
    }
    provider
}

actionhost_sdk::export_provider!(provider);
