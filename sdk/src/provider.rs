//! Describing a provider and its actions, and dispatching the WIT exports to them.

use std::cell::RefCell;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;
use crate::bindings::actionhost::provider::types as wit;

/// What an action is told about the call. No credential: the host adds it to requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The user the action runs for.
    pub user_id: String,
    /// Scopes granted to the user's connected account.
    pub scopes: Vec<String>,
    /// The account's fields (see [`Provider::field`]), by name.
    pub fields: BTreeMap<String, String>,
    /// Which kind of credential the account holds: the provider's [`Provider::auth`] or one of
    /// its [`Provider::alternative_auth`]s (e.g. a Jira account connected with an API token
    /// calls the site's own URL, one connected by OAuth calls Atlassian's gateway).
    pub credential: CredentialKind,
}

/// The kind of credential an account holds (the host injects it; the plugin never sees it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CredentialKind {
    /// The provider needs none.
    #[default]
    None,
    /// An API key or personal token ([`Auth::ApiKey`]).
    ApiKey,
    /// HTTP Basic credentials ([`Auth::Basic`]).
    Basic,
    /// OAuth 2 tokens, or a token the user brought for an OAuth 2 integration ([`Auth::OAuth2`]).
    OAuth2,
}

impl Context {
    /// A context for `user_id` with no scopes and no fields (tests build theirs this way).
    ///
    /// ```
    /// let ctx = actionhost_sdk::Context::new("u1").with_scopes(&["repo"]).with_field("shop", "acme");
    /// assert_eq!((ctx.user_id.as_str(), ctx.scopes.len()), ("u1", 1));
    /// ```
    pub fn new(user_id: &str) -> Self {
        Context {
            user_id: user_id.into(),
            ..Context::default()
        }
    }

    /// ```
    /// let ctx = actionhost_sdk::Context::new("u1").with_scopes(&["chat:write", "channels:read"]);
    /// assert_eq!(ctx.scopes, ["chat:write", "channels:read"]);
    /// ```
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }

    /// ```
    /// let ctx = actionhost_sdk::Context::new("u1").with_field("shop", "acme");
    /// assert_eq!(ctx.field("shop").unwrap(), "acme");
    /// ```
    pub fn with_field(mut self, name: &str, value: &str) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// ```
    /// use actionhost_sdk::{Context, CredentialKind};
    /// let ctx = Context::new("u1").with_credential(CredentialKind::Basic);
    /// assert_eq!(ctx.credential, CredentialKind::Basic);
    /// ```
    pub fn with_credential(mut self, kind: CredentialKind) -> Self {
        self.credential = kind;
        self
    }

    /// The account field `name`. Missing, it is an error that asks for the account to be
    /// connected again (`not_connected`): the host stores no account without its required fields.
    ///
    /// ```
    /// use actionhost_sdk::{Context, Error};
    /// let ctx = Context::new("u1").with_field("shop", "acme");
    /// assert_eq!(ctx.field("shop").unwrap(), "acme");
    /// assert!(matches!(ctx.field("cloud_id"), Err(Error::Unauthorized(_))));
    /// ```
    pub fn field(&self, name: &str) -> Result<&str, Error> {
        self.fields.get(name).map(String::as_str).ok_or_else(|| {
            Error::unauthorized(format!(
                "the connected account has no `{name}` field; connect it again"
            ))
        })
    }
}

/// OAuth 2 endpoints of a provider.
///
/// ```
/// use actionhost_sdk::OAuth2;
/// let oauth = OAuth2::new("https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token")
///     .scopes(&["repo"])
///     .param("allow_signup", "false");
/// ```
#[derive(Debug, Clone)]
pub struct OAuth2 {
    authorize_url: String,
    token_url: String,
    revoke_url: Option<String>,
    scopes: Vec<String>,
    scope_separator: String,
    pkce: bool,
    params: Vec<(String, String)>,
    client_auth_basic: bool,
    token_header: Option<(String, Option<String>)>,
}

impl OAuth2 {
    /// PKCE on and scopes separated by spaces, unless changed.
    ///
    /// ```
    /// let oauth = actionhost_sdk::OAuth2::new("https://a.test/authorize", "https://a.test/token");
    /// ```
    pub fn new(authorize_url: &str, token_url: &str) -> Self {
        OAuth2 {
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            revoke_url: None,
            scopes: Vec::new(),
            scope_separator: " ".into(),
            pkce: true,
            params: Vec::new(),
            client_auth_basic: false,
            token_header: None,
        }
    }

    /// Default scopes, used when the operator configured none.
    ///
    /// ```
    /// let oauth = actionhost_sdk::OAuth2::new("https://a.test/auth", "https://a.test/token").scopes(&["read", "write"]);
    /// ```
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The separator the provider expects between scopes (Slack: `,`).
    ///
    /// ```
    /// let slack = actionhost_sdk::OAuth2::new("https://slack.com/oauth/v2/authorize", "https://slack.com/api/oauth.v2.access")
    ///     .scopes(&["chat:write", "channels:read"])
    ///     .scope_separator(",");
    /// ```
    pub fn scope_separator(mut self, separator: &str) -> Self {
        self.scope_separator = separator.into();
        self
    }

    /// RFC 7009 token revocation endpoint.
    ///
    /// ```
    /// let oauth = actionhost_sdk::OAuth2::new("https://a.test/auth", "https://a.test/token").revoke_url("https://a.test/revoke");
    /// ```
    pub fn revoke_url(mut self, url: &str) -> Self {
        self.revoke_url = Some(url.into());
        self
    }

    /// Turns PKCE off, for providers that reject it.
    ///
    /// ```
    /// let oauth = actionhost_sdk::OAuth2::new("https://a.test/auth", "https://a.test/token").without_pkce();
    /// ```
    pub fn without_pkce(mut self) -> Self {
        self.pkce = false;
        self
    }

    /// An extra authorize-URL parameter, e.g. `access_type=offline`.
    ///
    /// ```
    /// let google = actionhost_sdk::OAuth2::new("https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token")
    ///     .param("access_type", "offline")
    ///     .param("prompt", "consent");
    /// ```
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// The client authenticates at the token and revocation endpoints with HTTP Basic
    /// (`client_id:client_secret`) instead of form fields (Notion, Reddit).
    ///
    /// ```
    /// let notion = actionhost_sdk::OAuth2::new("https://api.notion.com/v1/oauth/authorize", "https://api.notion.com/v1/oauth/token")
    ///     .client_auth_basic();
    /// ```
    pub fn client_auth_basic(mut self) -> Self {
        self.client_auth_basic = true;
        self
    }

    /// The access token goes in header `name` (after `prefix`, if any) instead of
    /// `Authorization: Bearer`, as Shopify's `X-Shopify-Access-Token` (contract 0.4). The host
    /// owns that header: a plugin setting it is refused.
    ///
    /// ```
    /// let shopify = actionhost_sdk::OAuth2::new(
    ///     "https://{shop}.myshopify.com/admin/oauth/authorize",
    ///     "https://{shop}.myshopify.com/admin/oauth/access_token",
    /// )
    /// .token_header("X-Shopify-Access-Token", None);
    /// ```
    pub fn token_header(mut self, name: &str, prefix: Option<&str>) -> Self {
        self.token_header = Some((name.into(), prefix.map(str::to_string)));
        self
    }
}

/// A secret that belongs to the operator's connection rather than to a user (Discord's bot
/// token), sent on the requests a plugin makes with [`Request::as_operator`](crate::http::Request::as_operator)
/// (contract 0.4). The operator sets it as `operator_secret` of `PUT /admin/connections/{id}`.
///
/// ```
/// use actionhost_sdk::OperatorCredential;
/// let bot = OperatorCredential::header("Authorization")
///     .prefix("Bot ")
///     .label("Bot token (Discord Developer Portal → your application → Bot)");
/// ```
#[derive(Debug, Clone)]
pub struct OperatorCredential {
    label: String,
    name: String,
    prefix: Option<String>,
}

impl OperatorCredential {
    /// The secret goes in header `name`; the label defaults to "Operator secret".
    ///
    /// ```
    /// let key = actionhost_sdk::OperatorCredential::header("X-Service-Key");
    /// ```
    pub fn header(name: &str) -> Self {
        OperatorCredential {
            label: "Operator secret".into(),
            name: name.into(),
            prefix: None,
        }
    }

    /// Text put before the secret, e.g. `"Bot "`.
    ///
    /// ```
    /// let bot = actionhost_sdk::OperatorCredential::header("Authorization").prefix("Bot ");
    /// ```
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// What the operator is asked for, shown in the catalog and the admin API.
    ///
    /// ```
    /// let bot = actionhost_sdk::OperatorCredential::header("Authorization").label("Bot token");
    /// ```
    pub fn label(mut self, label: &str) -> Self {
        self.label = label.into();
        self
    }
}

/// Where an API key (or the operator's part of one) goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Header,
    Query,
}

/// A static key the user brings, sent as `name: prefix + key` in a header or a query parameter.
///
/// ```
/// use actionhost_sdk::{ApiKey, Auth};
/// // Discord's custom scheme: `Authorization: Bot <token>`.
/// let discord = Auth::ApiKey(ApiKey::header("Authorization").prefix("Bot "));
/// // Trello: `?key=<operator's app key>&token=<user's token>`.
/// let trello = Auth::ApiKey(ApiKey::query("token").operator_key_in_query("key"));
/// ```
#[derive(Debug, Clone)]
pub struct ApiKey {
    placement: Placement,
    name: String,
    prefix: Option<String>,
    operator_key: Option<(Placement, String)>,
}

impl ApiKey {
    /// ```
    /// let key = actionhost_sdk::ApiKey::header("X-Api-Key");
    /// ```
    pub fn header(name: &str) -> Self {
        ApiKey {
            placement: Placement::Header,
            name: name.into(),
            prefix: None,
            operator_key: None,
        }
    }

    /// ```
    /// let key = actionhost_sdk::ApiKey::query("api_key");
    /// ```
    pub fn query(name: &str) -> Self {
        ApiKey {
            placement: Placement::Query,
            ..ApiKey::header(name)
        }
    }

    /// Text before the key: a scheme such as `"Bearer "`, `"Token "` or Discord's `"Bot "`.
    ///
    /// ```
    /// let key = actionhost_sdk::ApiKey::header("Authorization").prefix("Token ");
    /// ```
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// The operator's part of a two-part key (the `client_id` of the operator's connection),
    /// sent in the query parameter `name` beside the user's key.
    ///
    /// ```
    /// let trello = actionhost_sdk::ApiKey::query("token").operator_key_in_query("key");
    /// ```
    pub fn operator_key_in_query(mut self, name: &str) -> Self {
        self.operator_key = Some((Placement::Query, name.into()));
        self
    }

    /// The operator's part of a two-part key, sent in the header `name`.
    ///
    /// ```
    /// let key = actionhost_sdk::ApiKey::header("X-User-Key").operator_key_in_header("X-App-Key");
    /// ```
    pub fn operator_key_in_header(mut self, name: &str) -> Self {
        self.operator_key = Some((Placement::Header, name.into()));
        self
    }
}

/// Where an account field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldSource {
    User,
    TokenResponse,
    AfterConnect,
}

/// A per-account, non-secret setting (Shopify's `shop`, Salesforce's `instance_url`, Jira's
/// `cloud_id`), read in actions with [`Context::field`] and usable in origins and OAuth URLs as
/// `{name}`.
///
/// ```
/// use actionhost_sdk::Field;
/// let shop = Field::user("shop", "Your shop's subdomain: `acme` for acme.myshopify.com.")
///     .pattern("[a-z0-9][a-z0-9-]*")
///     .required();
/// ```
#[derive(Debug, Clone)]
pub struct Field {
    name: String,
    description: String,
    pattern: Option<String>,
    required: bool,
    source: FieldSource,
    default: Option<String>,
}

impl Field {
    fn new(name: &str, description: &str, source: FieldSource) -> Self {
        Field {
            name: name.into(),
            description: description.into(),
            pattern: None,
            required: false,
            source,
            default: None,
        }
    }

    /// A field the user gives when connecting.
    ///
    /// ```
    /// let base = actionhost_sdk::Field::user("base_url", "Your GitLab's URL, e.g. https://gitlab.example.com.");
    /// ```
    pub fn user(name: &str, description: &str) -> Self {
        Self::new(name, description, FieldSource::User)
    }

    /// A field copied from the OAuth token response's member of the same name.
    ///
    /// ```
    /// let instance = actionhost_sdk::Field::token_response("instance_url", "Your Salesforce instance.");
    /// ```
    pub fn token_response(name: &str, description: &str) -> Self {
        Self::new(name, description, FieldSource::TokenResponse)
    }

    /// A field the plugin finds in its [`after_connect`](Provider::after_connect) handler.
    ///
    /// ```
    /// let cloud = actionhost_sdk::Field::after_connect("cloud_id", "The Atlassian site's cloud id.");
    /// ```
    pub fn after_connect(name: &str, description: &str) -> Self {
        Self::new(name, description, FieldSource::AfterConnect)
    }

    /// A regular expression the whole value must match; needed for a field used in an origin.
    ///
    /// ```
    /// let shop = actionhost_sdk::Field::user("shop", "Shop subdomain.").pattern("[a-z0-9-]+");
    /// ```
    pub fn pattern(mut self, pattern: &str) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// An account cannot be stored without this field.
    ///
    /// ```
    /// let shop = actionhost_sdk::Field::user("shop", "Shop subdomain.").required();
    /// ```
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The value an account gets when the user gives none (a [`Field::user`] only; it must
    /// match the pattern). [`Context::field`] then always has a value (contract 0.4).
    ///
    /// A user field may be a whole origin, `Provider::origin("{base_url}")` (https, a domain
    /// name, no path): a self-managed instance. For an OAuth 2 account the host sets such a
    /// field itself, to the origin of the token endpoint the account's token came from.
    ///
    /// ```
    /// use actionhost_sdk::{Field, Provider};
    /// let gitlab = Provider::new("gitlab", "GitLab")
    ///     .field(
    ///         Field::user("base_url", "Your GitLab's URL, e.g. https://gitlab.example.com.")
    ///             .pattern(r"https://[a-z0-9.-]+(:[0-9]{1,5})?")
    ///             .default("https://gitlab.com"),
    ///     )
    ///     .origin("{base_url}");
    /// ```
    pub fn default(mut self, value: &str) -> Self {
        self.default = Some(value.into());
        self
    }
}

/// What [`after_connect`](Provider::after_connect) found about a newly connected account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectedAccount {
    /// Fields of source `after_connect`, by name.
    pub fields: Vec<(String, String)>,
    /// How the account is shown: the user's login or e-mail at the provider.
    pub label: Option<String>,
}

impl ConnectedAccount {
    /// An account shown as `label`.
    ///
    /// ```
    /// let account = actionhost_sdk::ConnectedAccount::labelled("octocat");
    /// assert_eq!(account.label.as_deref(), Some("octocat"));
    /// ```
    pub fn labelled(label: impl Into<String>) -> Self {
        ConnectedAccount {
            fields: Vec::new(),
            label: Some(label.into()),
        }
    }

    /// Adds a field found for the account.
    ///
    /// ```
    /// let account = actionhost_sdk::ConnectedAccount::default().field("cloud_id", "1324a887");
    /// assert_eq!(account.fields, [("cloud_id".to_string(), "1324a887".to_string())]);
    /// ```
    pub fn field(mut self, name: &str, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }
}

/// How the host authenticates to the provider.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A public API.
    None,
    /// A static key the user brings.
    ApiKey(ApiKey),
    /// HTTP Basic with a username and password (often an API token) the user brings; the labels
    /// tell the user what each is.
    Basic {
        username_label: String,
        password_label: String,
    },
    /// OAuth 2; the host sends `Authorization: Bearer <token>`.
    OAuth2(OAuth2),
}

impl Auth {
    /// ```
    /// let auth = actionhost_sdk::Auth::bearer_oauth2(actionhost_sdk::OAuth2::new("https://a.test/auth", "https://a.test/token"));
    /// ```
    pub fn bearer_oauth2(oauth: OAuth2) -> Self {
        Auth::OAuth2(oauth)
    }

    /// ```
    /// let jira = actionhost_sdk::Auth::basic("Atlassian account e-mail", "API token (id.atlassian.com → Security)");
    /// ```
    pub fn basic(username_label: &str, password_label: &str) -> Self {
        Auth::Basic {
            username_label: username_label.into(),
            password_label: password_label.into(),
        }
    }
}

/// Runs an action on its JSON input and writes its output as JSON text (never through a
/// `Value`, so an output of `Box<RawValue>` is passed on as it is).
type Handler = Box<dyn Fn(&str, &Context) -> Result<String, Error>>;
type Describer = Box<dyn Fn(Value, &Context) -> Result<Value, Error>>;
type Connector = Box<dyn Fn(&Context) -> Result<ConnectedAccount, Error>>;

thread_local! {
    /// While a provider is built for one `execute` or `describe`, the action that call is for
    /// ([`dispatch::build_for`]): every other action is left out as it is made. A component runs
    /// each call in a fresh instance, so without this the whole provider, every action's name,
    /// description and scopes, was built for every call (about 1 µs of GitHub's 9 actions).
    static ONLY: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// One typed action.
pub struct Action {
    /// Made while building the provider for another action's call: empty, and not added.
    left_out: bool,
    name: String,
    description: String,
    /// Derived on demand: `execute` never pays for schema generation.
    input_schema: fn() -> Value,
    output_schema: fn() -> Option<Value>,
    hints: wit::ActionHints,
    scopes: Vec<Vec<String>>,
    handler: Handler,
    describer: Option<Describer>,
}

impl Action {
    /// An action whose input is `I` (schema derived from it, doc comments included) and whose
    /// output is `O`. A typed output gets its schema derived too; the provider's JSON passed on
    /// as it came ([`Value`] or [`Passthrough`](crate::http::Passthrough)) declares none.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    ///
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Echo {
    ///     /// What to echo.
    ///     text: String,
    /// }
    ///
    /// let action = Action::new("DEMO_ECHO_TEXT", "Echo the text back.", |input: Echo, _ctx: &Context| {
    ///     Ok(json!({ "text": input.text }))
    /// });
    /// let output = action.run(r#"{"text":"hi"}"#, &Context::default()).unwrap();
    /// assert_eq!(output, json!({"text": "hi"}));
    /// assert_eq!(action.input_schema()["properties"]["text"]["description"], "What to echo.");
    /// assert_eq!(action.output_schema(), None);
    ///
    /// /// What `DEMO_COUNT_WORDS` returns.
    /// #[derive(Serialize, JsonSchema)]
    /// struct Count {
    ///     /// Number of words.
    ///     words: usize,
    /// }
    /// let typed = Action::new("DEMO_COUNT_WORDS", "Count words.", |input: Echo, _ctx: &Context| {
    ///     Ok(Count { words: input.text.split_whitespace().count() })
    /// });
    /// assert_eq!(typed.output_schema().unwrap()["properties"]["words"]["description"], "Number of words.");
    /// ```
    pub fn new<I, O, F>(name: &str, description: &str, handler: F) -> Self
    where
        I: DeserializeOwned + JsonSchema,
        O: Serialize + JsonSchema,
        F: Fn(I, &Context) -> Result<O, Error> + 'static,
    {
        // Compared as data: inlined, the comparison with a literal name can compile to integer
        // constants in the code, and a component renamed in its data segment (the tests'
        // patched twins) would then leave out the action it was called for.
        let name = std::hint::black_box(name);
        let left_out = ONLY.with_borrow(|only| only.as_deref().is_some_and(|only| only != name));
        let handler: Handler = if left_out {
            Box::new(|_, _| Err(Error::internal("this action was left out")))
        } else {
            Box::new(move |input, ctx| {
                let input: I =
                    serde_json::from_str(input).map_err(|e| Error::invalid_input(e.to_string()))?;
                let output = handler(input, ctx)?;
                Ok(serde_json::to_string(&output)?)
            })
        };
        let text = |text: &str| if left_out { String::new() } else { text.into() };
        Action {
            left_out,
            name: text(name),
            description: text(description),
            input_schema: schema_of::<I>,
            output_schema: output_schema_of::<O>,
            hints: wit::ActionHints::empty(),
            scopes: Vec::new(),
            handler,
            describer: None,
        }
    }

    /// Marks the action as only reading (implies idempotent).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!({"id": i.id}))).read_only();
    /// ```
    pub fn read_only(mut self) -> Self {
        self.hints |= wit::ActionHints::READ_ONLY | wit::ActionHints::IDEMPOTENT;
        self
    }

    /// Marks the action as able to destroy data.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_DELETE_THING", "Delete a thing for good.", |i: Input, _: &Context| Ok(json!({"deleted": i.id}))).destructive();
    /// ```
    pub fn destructive(mut self) -> Self {
        self.hints |= wit::ActionHints::DESTRUCTIVE;
        self
    }

    /// Marks the action as safe to repeat with the same input.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_SET_THING", "Set a thing.", |i: Input, _: &Context| Ok(json!({"id": i.id}))).idempotent();
    /// ```
    pub fn idempotent(mut self) -> Self {
        self.hints |= wit::ActionHints::IDEMPOTENT;
        self
    }

    /// OAuth scopes the action needs, every one of them.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { channel: String }
    /// let action = Action::new("DEMO_POST", "Post.", |i: Input, _: &Context| Ok(json!(i.channel))).scopes(&["chat:write"]);
    /// assert_eq!(action.required_scopes(), [vec!["chat:write".to_string()]]);
    /// ```
    pub fn scopes(mut self, scopes: &[&str]) -> Self {
        if self.left_out {
            return self;
        }
        self.scopes
            .extend(scopes.iter().map(|scope| vec![scope.to_string()]));
        self
    }

    /// One requirement met by any one of `scopes` (GitHub: `repo` or `public_repo`).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { repo: String }
    /// let action = Action::new("DEMO_STAR", "Star.", |i: Input, _: &Context| Ok(json!(i.repo)))
    ///     .any_scope(&["repo", "public_repo"])
    ///     .scopes(&["read:user"]);
    /// assert_eq!(action.required_scopes().len(), 2);
    /// assert_eq!(action.required_scopes()[0], ["repo", "public_repo"]);
    /// ```
    pub fn any_scope(mut self, scopes: &[&str]) -> Self {
        if self.left_out {
            return self;
        }
        self.scopes
            .push(scopes.iter().map(|scope| scope.to_string()).collect());
        self
    }

    /// The scope requirements: each inner list is met by any one of its scopes.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input {}
    /// let action = Action::new("DEMO_PING", "Ping.", |_: Input, _: &Context| Ok(json!(true)));
    /// assert!(action.required_scopes().is_empty());
    /// ```
    pub fn required_scopes(&self) -> &[Vec<String>] {
        &self.scopes
    }

    /// The hints the action declares.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input {}
    /// let action = Action::new("DEMO_PING", "Ping.", |_: Input, _: &Context| Ok(json!(true))).read_only();
    /// assert!(action.hints().read_only && action.hints().idempotent && !action.hints().destructive);
    /// ```
    pub fn hints(&self) -> Hints {
        Hints {
            read_only: self.hints.contains(wit::ActionHints::READ_ONLY),
            destructive: self.hints.contains(wit::ActionHints::DESTRUCTIVE),
            idempotent: self.hints.contains(wit::ActionHints::IDEMPOTENT),
            dynamic_schema: self.hints.contains(wit::ActionHints::DYNAMIC_SCHEMA),
        }
    }

    /// Completes the schema per user (custom fields): `describe` gets the static schema and may
    /// call the provider with the user's credential.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { title: String }
    /// let action = Action::new("DEMO_CREATE_TICKET", "Create a ticket.", |_: Input, _: &Context| Ok(json!({})))
    ///     .dynamic(|mut schema, _ctx| {
    ///         schema["properties"]["priority"] = json!({"type": "string", "enum": ["low", "high"]});
    ///         Ok(schema)
    ///     });
    /// let schema = action.describe(&Context::default()).unwrap();
    /// assert_eq!(schema["properties"]["priority"]["enum"][1], "high");
    /// ```
    pub fn dynamic(
        mut self,
        describe: impl Fn(Value, &Context) -> Result<Value, Error> + 'static,
    ) -> Self {
        self.hints |= wit::ActionHints::DYNAMIC_SCHEMA;
        if !self.left_out {
            self.describer = Some(Box::new(describe));
        }
        self
    }

    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id)));
    /// assert_eq!(action.name(), "DEMO_GET_THING");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The derived JSON Schema (draft 2020-12) of the input.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id)));
    /// assert_eq!(action.input_schema()["required"], json!(["id"]));
    /// ```
    pub fn input_schema(&self) -> Value {
        (self.input_schema)()
    }

    /// The derived JSON Schema of a typed output; `None` for raw JSON outputs.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id)));
    /// assert_eq!(action.output_schema(), None);
    /// ```
    pub fn output_schema(&self) -> Option<Value> {
        (self.output_schema)()
    }

    /// Runs the action on JSON input, as the host would (natively, for unit tests of pure logic).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id)));
    /// assert_eq!(action.run(r#"{"id": "7"}"#, &Context::default()).unwrap(), json!("7"));
    /// assert!(matches!(action.run("{}", &Context::default()), Err(Error::InvalidInput(_))));
    /// ```
    pub fn run(&self, input: &str, ctx: &Context) -> Result<Value, Error> {
        Ok(serde_json::from_str(&self.run_json(input, ctx)?)?)
    }

    /// Runs the action like [`run`](Self::run) and returns its output as the JSON text the host
    /// receives: what the action returned, serialised once (a `Box<RawValue>` unchanged).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// use serde_json::value::RawValue;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input {}
    /// let action = Action::new("DEMO_PASS_THROUGH", "Pass a body through.", |_: Input, _: &Context| {
    ///     Ok(RawValue::from_string(r#"{"b": 1,  "a": [2]}"#.to_string()).unwrap())
    /// });
    /// assert_eq!(action.run_json("{}", &Context::default()).unwrap(), r#"{"b": 1,  "a": [2]}"#);
    /// ```
    pub fn run_json(&self, input: &str, ctx: &Context) -> Result<String, Error> {
        (self.handler)(input, ctx)
    }

    /// The user-specific input schema (the static one when the action is not dynamic).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let action = Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id)));
    /// assert_eq!(action.describe(&Context::default()).unwrap(), action.input_schema());
    /// ```
    pub fn describe(&self, ctx: &Context) -> Result<Value, Error> {
        match &self.describer {
            Some(describe) => describe(self.input_schema(), ctx),
            None => Ok(self.input_schema()),
        }
    }

    fn definition(&self, input_schema: &Value) -> wit::ActionDefinition {
        wit::ActionDefinition {
            name: self.name.clone(),
            description: self.description.clone(),
            input_schema: input_schema.to_string(),
            output_schema: self.output_schema().map(|schema| schema.to_string()),
            hints: self.hints,
            scopes: self.scopes.clone(),
        }
    }
}

/// An action's hints, as [`Action::hints`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub dynamic_schema: bool,
}

fn schema_of<T: JsonSchema>() -> Value {
    root_schema::<T>(schemars::generate::SchemaSettings::draft2020_12())
}

/// The schema of what the action writes (serialize side); `None` when it says nothing (`true`
/// or `{}`, the schema of `Value` and raw JSON), which is no use to an agent.
fn output_schema_of<T: JsonSchema>() -> Option<Value> {
    let schema =
        root_schema::<T>(schemars::generate::SchemaSettings::draft2020_12().for_serialize());
    let says_nothing =
        schema == Value::Bool(true) || schema.as_object().is_some_and(|o| o.is_empty());
    (!says_nothing).then_some(schema)
}

fn root_schema<T: JsonSchema>(settings: schemars::generate::SchemaSettings) -> Value {
    let mut schema = serde_json::to_value(settings.into_generator().into_root_schema_for::<T>())
        .expect("schemas serialize");
    if let Some(object) = schema.as_object_mut() {
        // The host knows the draft; LLM tool formats do not want these keys.
        object.remove("$schema");
        object.remove("title");
    }
    schema
}

/// A provider: its identity, auth, origins and actions.
pub struct Provider {
    id: String,
    name: String,
    version: String,
    description: String,
    categories: Vec<String>,
    auth: Auth,
    alternative_auth: Vec<Auth>,
    origins: Vec<(String, bool)>,
    fields: Vec<Field>,
    operator_credential: Option<OperatorCredential>,
    actions: Vec<Action>,
    after_connect: Option<Connector>,
}

impl Provider {
    /// `id` is the integration id (`^[a-z][a-z0-9_]{0,31}$`); action names start with it upper-cased.
    ///
    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme");
    /// ```
    pub fn new(id: &str, name: &str) -> Self {
        Provider {
            id: id.into(),
            name: name.into(),
            version: "0.1.0".into(),
            description: String::new(),
            categories: Vec::new(),
            auth: Auth::None,
            alternative_auth: Vec::new(),
            origins: Vec::new(),
            fields: Vec::new(),
            operator_credential: None,
            actions: Vec::new(),
            after_connect: None,
        }
    }

    /// The plugin's version; pass `env!("CARGO_PKG_VERSION")`.
    ///
    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme").version(env!("CARGO_PKG_VERSION"));
    /// ```
    pub fn version(mut self, version: &str) -> Self {
        self.version = version.into();
        self
    }

    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme").description("Widgets at Acme.");
    /// ```
    pub fn description(mut self, description: &str) -> Self {
        self.description = description.into();
        self
    }

    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme").categories(&["crm", "sales"]);
    /// ```
    pub fn categories(mut self, categories: &[&str]) -> Self {
        self.categories = categories.iter().map(|c| c.to_string()).collect();
        self
    }

    /// ```
    /// use actionhost_sdk::{ApiKey, Auth, Provider};
    /// let provider = Provider::new("acme", "Acme").auth(Auth::ApiKey(ApiKey::header("X-Api-Key")));
    /// ```
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Another way a user may connect an account instead of [`Provider::auth`], e.g. a personal
    /// access token beside OAuth 2. At most one of each kind, never [`Auth::None`] nor the
    /// primary's kind (the host refuses the plugin otherwise). An account holds one credential;
    /// [`Context::credential`] says which kind.
    ///
    /// ```
    /// use actionhost_sdk::{ApiKey, Auth, OAuth2, Provider};
    /// let linear = Provider::new("linear", "Linear")
    ///     .auth(Auth::bearer_oauth2(OAuth2::new("https://linear.app/oauth/authorize", "https://api.linear.app/oauth/token")))
    ///     .alternative_auth(Auth::ApiKey(ApiKey::header("Authorization")));
    /// ```
    pub fn alternative_auth(mut self, auth: Auth) -> Self {
        self.alternative_auth.push(auth);
        self
    }

    /// An origin the plugin may call with the user's credential, e.g. `https://api.github.com`,
    /// or one built from account fields, e.g. `https://{shop}.myshopify.com`.
    ///
    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme").origin("https://api.acme.example");
    /// ```
    pub fn origin(mut self, origin: &str) -> Self {
        self.origins.push((origin.into(), true));
        self
    }

    /// An origin the plugin may call without the credential (e.g. pre-signed downloads), or a
    /// wildcard over one domain's hosts for URLs a provider hands out on hosts no one can list
    /// in advance: `https://*.sharepoint.com` (the `*` the whole first label, then a fixed
    /// domain of two labels or more; a wildcard is refused with credentials).
    ///
    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme")
    ///     .origin("https://api.acme.example")
    ///     .origin_without_credentials("https://files.acme-cdn.example");
    /// ```
    pub fn origin_without_credentials(mut self, origin: &str) -> Self {
        self.origins.push((origin.into(), false));
        self
    }

    /// A per-account setting, asked for in the order fields are added.
    ///
    /// ```
    /// use actionhost_sdk::{Field, Provider};
    /// let shopify = Provider::new("shopify", "Shopify")
    ///     .field(Field::user("shop", "Shop subdomain, e.g. `acme`.").pattern("[a-z0-9][a-z0-9-]*").required())
    ///     .origin("https://{shop}.myshopify.com");
    /// ```
    pub fn field(mut self, field: Field) -> Self {
        self.fields.push(field);
        self
    }

    /// A secret of the operator's (Discord's bot token) that requests made with
    /// [`Request::as_operator`](crate::http::Request::as_operator) carry instead of the
    /// account's credential. Only the plugin's fixed origins that take credentials receive it.
    ///
    /// ```
    /// use actionhost_sdk::{OperatorCredential, Provider};
    /// let discord = Provider::new("discord", "Discord")
    ///     .origin("https://discord.com")
    ///     .operator_credential(OperatorCredential::header("Authorization").prefix("Bot ").label("Bot token"));
    /// ```
    pub fn operator_credential(mut self, credential: OperatorCredential) -> Self {
        self.operator_credential = Some(credential);
        self
    }

    /// What to do once when an account connects, with its credential usable: find fields of
    /// source `after_connect` and a label for the account. Without one, the account gets no
    /// fields and no label, and nothing is sent.
    ///
    /// ```no_run
    /// use actionhost_sdk::prelude::*;
    /// let provider = Provider::new("github", "GitHub").after_connect(|_ctx| {
    ///     let user: Value = Request::get("https://api.github.com/user").send()?.json()?;
    ///     Ok(ConnectedAccount::labelled(user["login"].as_str().unwrap_or_default()))
    /// });
    /// ```
    pub fn after_connect(
        mut self,
        handler: impl Fn(&Context) -> Result<ConnectedAccount, Error> + 'static,
    ) -> Self {
        self.after_connect = Some(Box::new(handler));
        self
    }

    /// Runs the `after_connect` handler (an empty account without one).
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// let provider = Provider::new("demo", "Demo")
    ///     .after_connect(|ctx| Ok(ConnectedAccount::labelled(ctx.user_id.clone())));
    /// assert_eq!(provider.connect(&Context::new("u1")).unwrap().label.as_deref(), Some("u1"));
    /// assert_eq!(Provider::new("demo", "Demo").connect(&Context::new("u1")).unwrap(), ConnectedAccount::default());
    /// ```
    pub fn connect(&self, ctx: &Context) -> Result<ConnectedAccount, Error> {
        match &self.after_connect {
            Some(handler) => handler(ctx),
            None => Ok(ConnectedAccount::default()),
        }
    }

    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let provider = Provider::new("demo", "Demo")
    ///     .action(Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id))));
    /// assert_eq!(provider.actions().len(), 1);
    /// ```
    pub fn action(mut self, action: Action) -> Self {
        if !action.left_out {
            self.actions.push(action);
        }
        self
    }

    /// The action named `name`.
    ///
    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let provider = Provider::new("demo", "Demo")
    ///     .action(Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id))));
    /// assert!(provider.find("DEMO_GET_THING").is_some());
    /// assert!(provider.find("DEMO_NOPE").is_none());
    /// ```
    pub fn find(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }

    /// ```
    /// assert!(actionhost_sdk::Provider::new("demo", "Demo").actions().is_empty());
    /// ```
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }
}

/// The WIT exports, implemented once for every provider (used by [`crate::export_provider!`]).
#[doc(hidden)]
pub mod dispatch {
    use super::*;

    /// Builds the provider for one call of `action` (`execute` or `describe`): the other
    /// actions are left out as they are made, so only `action` is in it. Returns the name too.
    pub fn build_for(action: String, build: impl FnOnce() -> Provider) -> (Provider, String) {
        /// Ends the filter even if building panics (a unit test goes on after a panic).
        struct Only;
        impl Drop for Only {
            fn drop(&mut self) {
                ONLY.set(None);
            }
        }
        ONLY.set(Some(action));
        let _only = Only;
        let provider = build();
        let action = ONLY.take().unwrap_or_default();
        (provider, action)
    }

    pub fn info(provider: &Provider) -> wit::ProviderInfo {
        let auth = |auth: &Auth| auth_kind(auth);
        wit::ProviderInfo {
            id: provider.id.clone(),
            name: provider.name.clone(),
            version: provider.version.clone(),
            description: provider.description.clone(),
            categories: provider.categories.clone(),
            auth: auth(&provider.auth),
            alternative_auth: provider.alternative_auth.iter().map(auth).collect(),
            origins: provider
                .origins
                .iter()
                .map(|(origin, credentials)| wit::OriginGrant {
                    origin: origin.clone(),
                    credentials: *credentials,
                })
                .collect(),
            account_fields: provider
                .fields
                .iter()
                .map(|f| wit::AccountField {
                    name: f.name.clone(),
                    description: f.description.clone(),
                    pattern: f.pattern.clone(),
                    required: f.required,
                    source: match f.source {
                        FieldSource::User => wit::FieldSource::User,
                        FieldSource::TokenResponse => wit::FieldSource::TokenResponse,
                        FieldSource::AfterConnect => wit::FieldSource::AfterConnect,
                    },
                    default_value: f.default.clone(),
                })
                .collect(),
            operator_credential: provider.operator_credential.as_ref().map(|c| {
                wit::OperatorCredential {
                    label: c.label.clone(),
                    header: wit::TokenHeader {
                        name: c.name.clone(),
                        prefix: c.prefix.clone(),
                    },
                }
            }),
        }
    }

    fn auth_kind(auth: &Auth) -> wit::AuthKind {
        let placement = |p: Placement| match p {
            Placement::Header => wit::ApiKeyPlacement::Header,
            Placement::Query => wit::ApiKeyPlacement::Query,
        };
        match auth {
            Auth::None => wit::AuthKind::None,
            Auth::ApiKey(key) => wit::AuthKind::ApiKey(wit::ApiKeyAuth {
                placement: placement(key.placement),
                name: key.name.clone(),
                prefix: key.prefix.clone(),
                operator_key: key.operator_key.as_ref().map(|(p, name)| wit::OperatorKey {
                    placement: placement(*p),
                    name: name.clone(),
                }),
            }),
            Auth::Basic {
                username_label,
                password_label,
            } => wit::AuthKind::Basic(wit::BasicAuth {
                username_label: username_label.clone(),
                password_label: password_label.clone(),
            }),
            Auth::OAuth2(o) => wit::AuthKind::Oauth2(wit::Oauth2Auth {
                authorize_url: o.authorize_url.clone(),
                token_url: o.token_url.clone(),
                revoke_url: o.revoke_url.clone(),
                default_scopes: o.scopes.clone(),
                scope_separator: o.scope_separator.clone(),
                pkce: o.pkce,
                extra_authorize_params: o.params.clone(),
                client_auth: if o.client_auth_basic {
                    wit::ClientAuth::Basic
                } else {
                    wit::ClientAuth::RequestBody
                },
                token_header: o
                    .token_header
                    .as_ref()
                    .map(|(name, prefix)| wit::TokenHeader {
                        name: name.clone(),
                        prefix: prefix.clone(),
                    }),
            }),
        }
    }

    pub fn list_actions(provider: &Provider) -> Vec<wit::ActionDefinition> {
        provider
            .actions
            .iter()
            .map(|a| a.definition(&a.input_schema()))
            .collect()
    }

    fn context(ctx: wit::CallContext) -> Context {
        Context {
            user_id: ctx.user_id,
            scopes: ctx.scopes,
            fields: ctx.fields.into_iter().collect(),
            credential: match ctx.credential {
                wit::CredentialKind::None => CredentialKind::None,
                wit::CredentialKind::ApiKey => CredentialKind::ApiKey,
                wit::CredentialKind::Basic => CredentialKind::Basic,
                wit::CredentialKind::Oauth2 => CredentialKind::OAuth2,
            },
        }
    }

    fn find<'a>(provider: &'a Provider, action: &str) -> Result<&'a Action, wit::ActionError> {
        provider.find(action).ok_or_else(|| {
            wit::ActionError::NotFound(format!("{} has no action {action}", provider.id))
        })
    }

    pub fn describe(
        provider: &Provider,
        action: &str,
        ctx: wit::CallContext,
    ) -> Result<wit::ActionDefinition, wit::ActionError> {
        let action = find(provider, action)?;
        let schema = action
            .describe(&context(ctx))
            .map_err(wit::ActionError::from)?;
        Ok(action.definition(&schema))
    }

    pub fn execute(
        provider: &Provider,
        action: &str,
        input: &str,
        ctx: wit::CallContext,
    ) -> Result<String, wit::ActionError> {
        let action = find(provider, action)?;
        action
            .run_json(input, &context(ctx))
            .map_err(wit::ActionError::from)
    }

    pub fn after_connect(
        provider: &Provider,
        ctx: wit::CallContext,
    ) -> Result<wit::ConnectedAccount, wit::ActionError> {
        let account = provider
            .connect(&context(ctx))
            .map_err(wit::ActionError::from)?;
        Ok(wit::ConnectedAccount {
            fields: account.fields,
            label: account.label,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[derive(Deserialize, JsonSchema)]
    struct Nothing {}

    fn noop(_: Nothing, _: &Context) -> Result<Value, Error> {
        Ok(json!(null))
    }

    fn three_actions() -> Provider {
        Provider::new("demo", "Demo")
            .action(Action::new("DEMO_ONE", "One.", noop).read_only())
            .action(
                Action::new("DEMO_TWO", "Two.", noop)
                    .any_scope(&["write", "admin"])
                    .dynamic(|schema, _| Ok(schema)),
            )
            .action(Action::new("DEMO_THREE", "Three.", noop).scopes(&["read"]))
    }

    #[test]
    fn a_provider_built_for_one_call_holds_only_that_action() {
        let (provider, action) = dispatch::build_for("DEMO_TWO".into(), three_actions);
        assert_eq!(action, "DEMO_TWO");
        let names: Vec<_> = provider.actions().iter().map(Action::name).collect();
        assert_eq!(names, ["DEMO_TWO"]);
        let two = &provider.actions()[0];
        assert_eq!(two.required_scopes(), [vec!["write", "admin"]]);
        assert!(two.hints().dynamic_schema);
        let output = dispatch::execute(&provider, &action, "{}", wit_context());
        assert_eq!(output.unwrap(), "null");
        let schema = dispatch::describe(&provider, &action, wit_context()).unwrap();
        assert_eq!(schema.name, "DEMO_TWO");

        // An action the provider does not have: nothing is built, and the error names it.
        let (provider, action) = dispatch::build_for("DEMO_NONE".into(), three_actions);
        assert!(provider.actions().is_empty());
        let error = dispatch::execute(&provider, &action, "{}", wit_context()).unwrap_err();
        assert!(
            matches!(&error, wit::ActionError::NotFound(m) if m == "demo has no action DEMO_NONE"),
            "{error:?}"
        );

        // Afterwards a provider is whole again, also after a build that panicked.
        assert_eq!(three_actions().actions().len(), 3);
        let panicked = std::panic::catch_unwind(|| {
            dispatch::build_for("DEMO_ONE".into(), || {
                panic!("a provider that fails to build")
            })
        });
        assert!(panicked.is_err());
        assert_eq!(three_actions().actions().len(), 3);
    }

    fn wit_context() -> wit::CallContext {
        wit::CallContext {
            user_id: "u1".into(),
            scopes: vec![],
            fields: vec![],
            credential: wit::CredentialKind::None,
        }
    }

    #[test]
    fn info_carries_the_0_2_surface() {
        let provider = Provider::new("shopify", "Shopify")
            .auth(Auth::bearer_oauth2(
                OAuth2::new(
                    "https://{shop}.myshopify.com/admin/oauth/authorize",
                    "https://{shop}.myshopify.com/admin/oauth/access_token",
                )
                .client_auth_basic(),
            ))
            .field(
                Field::user("shop", "Shop subdomain.")
                    .pattern("[a-z0-9-]+")
                    .required(),
            )
            .field(Field::after_connect("plan", "The shop's plan."))
            .origin("https://{shop}.myshopify.com");
        let info = dispatch::info(&provider);
        assert_eq!(info.origins[0].origin, "https://{shop}.myshopify.com");
        let wit::AuthKind::Oauth2(oauth) = info.auth else {
            panic!("oauth2")
        };
        assert_eq!(oauth.client_auth, wit::ClientAuth::Basic);
        let fields: Vec<_> = info
            .account_fields
            .iter()
            .map(|f| (f.name.as_str(), f.pattern.as_deref(), f.required, f.source))
            .collect();
        assert_eq!(
            fields,
            [
                ("shop", Some("[a-z0-9-]+"), true, wit::FieldSource::User),
                ("plan", None, false, wit::FieldSource::AfterConnect)
            ]
        );
    }

    #[test]
    fn api_keys_and_basic_credentials_reach_the_wit_types() {
        let discord = dispatch::info(
            &Provider::new("discord", "Discord")
                .auth(Auth::ApiKey(ApiKey::header("Authorization").prefix("Bot "))),
        );
        let wit::AuthKind::ApiKey(key) = discord.auth else {
            panic!("api key")
        };
        assert_eq!(
            (key.placement, key.name.as_str(), key.prefix.as_deref()),
            (wit::ApiKeyPlacement::Header, "Authorization", Some("Bot "))
        );
        assert!(key.operator_key.is_none());

        let trello = dispatch::info(&Provider::new("trello", "Trello").auth(Auth::ApiKey(
            ApiKey::query("token").operator_key_in_query("key"),
        )));
        let wit::AuthKind::ApiKey(key) = trello.auth else {
            panic!("api key")
        };
        let operator = key.operator_key.expect("operator key");
        assert_eq!(
            (key.placement, operator.placement, operator.name.as_str()),
            (
                wit::ApiKeyPlacement::Query,
                wit::ApiKeyPlacement::Query,
                "key"
            )
        );

        let jira =
            dispatch::info(&Provider::new("jira", "Jira").auth(Auth::basic("E-mail", "API token")));
        let wit::AuthKind::Basic(basic) = jira.auth else {
            panic!("basic")
        };
        assert_eq!(
            (basic.username_label.as_str(), basic.password_label.as_str()),
            ("E-mail", "API token")
        );
    }

    #[test]
    fn definitions_carry_scopes_and_only_useful_output_schemas() {
        #[derive(Serialize, JsonSchema)]
        struct Out {
            id: u64,
        }
        let provider = Provider::new("demo", "Demo")
            .action(Action::new("DEMO_RAW", "Raw.", noop).scopes(&["a", "b"]))
            .action(Action::new(
                "DEMO_PASS",
                "Pass.",
                |_: Nothing, _: &Context| -> Result<Passthrough, Error> {
                    Ok(serde_json::value::RawValue::from_string("1".into())?)
                },
            ))
            .action(
                Action::new("DEMO_TYPED", "Typed.", |_: Nothing, _: &Context| {
                    Ok(Out { id: 1 })
                })
                .any_scope(&["repo", "public_repo"]),
            );
        let definitions = dispatch::list_actions(&provider);
        assert_eq!(
            definitions[0].scopes,
            [vec!["a".to_string()], vec!["b".to_string()]]
        );
        assert_eq!(definitions[0].output_schema, None);
        assert_eq!(definitions[1].output_schema, None);
        assert_eq!(
            definitions[2].scopes,
            [vec!["repo".to_string(), "public_repo".to_string()]]
        );
        let typed: Value =
            serde_json::from_str(definitions[2].output_schema.as_deref().unwrap()).unwrap();
        assert_eq!(
            typed,
            json!({"type": "object", "properties": {"id": {"type": "integer", "format": "uint64", "minimum": 0}}, "required": ["id"]})
        );
        let input: Value = serde_json::from_str(&definitions[0].input_schema).unwrap();
        assert_eq!(input, json!({"type": "object"}));
    }

    #[test]
    fn info_carries_the_alternative_auth() {
        let provider = Provider::new("jira", "Jira")
            .auth(Auth::bearer_oauth2(OAuth2::new(
                "https://auth.atlassian.com/authorize",
                "https://auth.atlassian.com/oauth/token",
            )))
            .alternative_auth(Auth::basic("E-mail", "API token"))
            .alternative_auth(Auth::ApiKey(ApiKey::header("X-Token").prefix("Token ")));
        let info = dispatch::info(&provider);
        assert!(matches!(info.auth, wit::AuthKind::Oauth2(_)));
        let [wit::AuthKind::Basic(basic), wit::AuthKind::ApiKey(key)] = &info.alternative_auth[..]
        else {
            panic!("{:?}", info.alternative_auth)
        };
        assert_eq!(basic.password_label, "API token");
        assert_eq!(
            (key.name.as_str(), key.prefix.as_deref()),
            ("X-Token", Some("Token "))
        );
        assert!(
            dispatch::info(&Provider::new("x", "X"))
                .alternative_auth
                .is_empty()
        );
    }

    #[test]
    fn the_call_context_fields_reach_the_action_and_after_connect() {
        let provider = Provider::new("demo", "Demo")
            .action(Action::new(
                "DEMO_SHOP",
                "Shop.",
                |_: Nothing, ctx: &Context| {
                    assert_eq!(ctx.credential, CredentialKind::Basic);
                    Ok(json!(ctx.field("shop")?))
                },
            ))
            .after_connect(|ctx| {
                Ok(ConnectedAccount::labelled(ctx.field("shop")?).field("plan", "basic"))
            });
        let ctx = || wit::CallContext {
            user_id: "u1".into(),
            scopes: vec![],
            fields: vec![("shop".into(), "acme".into())],
            credential: wit::CredentialKind::Basic,
        };
        assert_eq!(
            dispatch::execute(&provider, "DEMO_SHOP", "{}", ctx()).unwrap(),
            "\"acme\""
        );
        let account = dispatch::after_connect(&provider, ctx()).unwrap();
        assert_eq!(account.label.as_deref(), Some("acme"));
        assert_eq!(account.fields, [("plan".to_string(), "basic".to_string())]);
        let empty = dispatch::after_connect(&Provider::new("x", "X"), ctx()).unwrap();
        assert_eq!((empty.fields.len(), empty.label), (0, None));
    }
}
