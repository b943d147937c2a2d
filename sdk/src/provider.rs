//! Describing a provider and its actions, and dispatching the WIT exports to them.

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
}

/// How the host authenticates to the provider.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A public API.
    None,
    /// An API key in a header: `name: prefix + key`.
    ApiKeyHeader {
        name: String,
        prefix: Option<String>,
    },
    /// An API key in a query parameter.
    ApiKeyQuery { name: String },
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
}

/// Runs an action on its JSON input and writes its output as JSON text (never through a
/// `Value`, so an output of `Box<RawValue>` is passed on as it is).
type Handler = Box<dyn Fn(&str, &Context) -> Result<String, Error>>;
type Describer = Box<dyn Fn(Value, &Context) -> Result<Value, Error>>;

/// One typed action.
pub struct Action {
    name: String,
    description: String,
    /// Derived on demand: `execute` never pays for schema generation.
    input_schema: fn() -> Value,
    hints: wit::ActionHints,
    handler: Handler,
    describer: Option<Describer>,
}

impl Action {
    /// An action whose input is `I` (schema derived from it, doc comments included) and whose
    /// output is any serializable value — usually the provider's JSON as it came.
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
    /// ```
    pub fn new<I, O, F>(name: &str, description: &str, handler: F) -> Self
    where
        I: DeserializeOwned + JsonSchema,
        O: Serialize,
        F: Fn(I, &Context) -> Result<O, Error> + 'static,
    {
        let handler: Handler = Box::new(move |input, ctx| {
            let input: I =
                serde_json::from_str(input).map_err(|e| Error::invalid_input(e.to_string()))?;
            let output = handler(input, ctx)?;
            Ok(serde_json::to_string(&output)?)
        });
        Action {
            name: name.into(),
            description: description.into(),
            input_schema: schema_of::<I>,
            hints: wit::ActionHints::empty(),
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
        self.describer = Some(Box::new(describe));
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
            output_schema: None,
            hints: self.hints,
            scopes: Vec::new(),
        }
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema =
        serde_json::to_value(generator.into_root_schema_for::<T>()).expect("schemas serialize");
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
    origins: Vec<(String, bool)>,
    actions: Vec<Action>,
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
            origins: Vec::new(),
            actions: Vec::new(),
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
    /// use actionhost_sdk::{Auth, Provider};
    /// let provider = Provider::new("acme", "Acme").auth(Auth::ApiKeyHeader { name: "X-Api-Key".into(), prefix: None });
    /// ```
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// An origin the plugin may call with the user's credential, e.g. `https://api.github.com`.
    ///
    /// ```
    /// let provider = actionhost_sdk::Provider::new("acme", "Acme").origin("https://api.acme.example");
    /// ```
    pub fn origin(mut self, origin: &str) -> Self {
        self.origins.push((origin.into(), true));
        self
    }

    /// An origin the plugin may call without the credential (e.g. pre-signed downloads).
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

    /// ```
    /// use actionhost_sdk::prelude::*;
    /// #[derive(Deserialize, JsonSchema)]
    /// struct Input { id: String }
    /// let provider = Provider::new("demo", "Demo")
    ///     .action(Action::new("DEMO_GET_THING", "Get a thing.", |i: Input, _: &Context| Ok(json!(i.id))));
    /// assert_eq!(provider.actions().len(), 1);
    /// ```
    pub fn action(mut self, action: Action) -> Self {
        self.actions.push(action);
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

    pub fn info(provider: &Provider) -> wit::ProviderInfo {
        let auth = match &provider.auth {
            Auth::None => wit::AuthKind::None,
            Auth::ApiKeyHeader { name, prefix } => wit::AuthKind::ApiKey(wit::ApiKeyAuth {
                placement: wit::ApiKeyPlacement::Header,
                name: name.clone(),
                prefix: prefix.clone(),
                operator_key: None,
            }),
            Auth::ApiKeyQuery { name } => wit::AuthKind::ApiKey(wit::ApiKeyAuth {
                placement: wit::ApiKeyPlacement::Query,
                name: name.clone(),
                prefix: None,
                operator_key: None,
            }),
            Auth::OAuth2(o) => wit::AuthKind::Oauth2(wit::Oauth2Auth {
                authorize_url: o.authorize_url.clone(),
                token_url: o.token_url.clone(),
                revoke_url: o.revoke_url.clone(),
                default_scopes: o.scopes.clone(),
                scope_separator: o.scope_separator.clone(),
                pkce: o.pkce,
                extra_authorize_params: o.params.clone(),
                client_auth: wit::ClientAuth::RequestBody,
            }),
        };
        wit::ProviderInfo {
            id: provider.id.clone(),
            name: provider.name.clone(),
            version: provider.version.clone(),
            description: provider.description.clone(),
            categories: provider.categories.clone(),
            auth,
            origins: provider
                .origins
                .iter()
                .map(|(origin, credentials)| wit::OriginGrant {
                    origin: origin.clone(),
                    credentials: *credentials,
                })
                .collect(),
            account_fields: Vec::new(),
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
}
