//! One guest interface over every contract version the host speaks. A component built against
//! an older contract is linked with that version's imports and its exports are adapted here:
//! a 0.3.0 component declares no OAuth token header, field defaults or operator credential (and
//! never sends as the operator); a 0.2.0 one also declares no alternative auth and is not told its credential kind (it has
//! only one); a 0.1.0 one also has no account fields, scopes or operator keys, and its
//! `after-connect` finds nothing.

use wasmtime::component::{ComponentExportIndex, Instance, InstancePre};

use super::bindings::{ProviderIndices, http, log, types, v01, v02, v03};
use super::host_impl::CallState;

/// A contract version the host loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    V01,
    V02,
    V03,
    V04,
}

impl Contract {
    /// `major.minor.patch` of the WIT package.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V01 => "0.1.0",
            Contract::V02 => "0.2.0",
            Contract::V03 => "0.3.0",
            Contract::V04 => "0.4.0",
        }
    }
}

/// A linked component, ready to instantiate.
#[derive(Clone)]
pub enum GuestPre {
    V01(v01::ProviderPre<CallState>),
    V02(v02::ProviderPre<CallState>),
    V03(v03::ProviderPre<CallState>),
    V04(V04Pre),
}

/// A linked component of the current contract: what instantiates it, the generated loader of
/// its exports, and the index of `execute`, looked up once.
///
/// An instance's exports are type-checked when they are first called, not when it is made: the
/// generated loader checks all five on every instantiation (2.2 µs of CPU per instance, most of
/// it in the large `action-definition` types), and a call of `execute`, which is nearly every
/// call, needs only its own.
#[derive(Clone)]
pub struct V04Pre {
    pre: InstancePre<CallState>,
    indices: ProviderIndices,
    execute: ComponentExportIndex,
}

impl V04Pre {
    /// Fails when the component does not export the provider interface with its five functions.
    pub fn new(pre: InstancePre<CallState>) -> wasmtime::Result<Self> {
        let indices = ProviderIndices::new(&pre)?;
        let interface = format!("actionhost:provider/plugin@{}", Contract::V04.version());
        let component = pre.component();
        let exported = component
            .get_export_index(None, &interface)
            .ok_or_else(|| wasmtime::format_err!("no export `{interface}`"))?;
        let execute = component
            .get_export_index(Some(&exported), "execute")
            .ok_or_else(|| wasmtime::format_err!("no export `execute` in `{interface}`"))?;
        Ok(V04Pre {
            pre,
            indices,
            execute,
        })
    }
}

/// An instance of a current-contract component; see [`V04Pre`].
pub struct V04Guest {
    instance: Instance,
    indices: ProviderIndices,
    execute: ComponentExportIndex,
}

impl V04Guest {
    /// Every export, type-checked: for the calls other than `execute`.
    fn exports(
        &self,
        store: &mut wasmtime::Store<CallState>,
    ) -> wasmtime::Result<super::bindings::Provider> {
        self.indices.load(&mut *store, &self.instance)
    }
}

/// An instantiated plugin.
pub enum Guest {
    V01(v01::Provider),
    V02(v02::Provider),
    V03(v03::Provider),
    V04(V04Guest),
}

type Call<T> = wasmtime::Result<Result<T, types::ActionError>>;

impl GuestPre {
    pub async fn instantiate_async(
        &self,
        store: &mut wasmtime::Store<CallState>,
    ) -> wasmtime::Result<Guest> {
        Ok(match self {
            GuestPre::V01(pre) => Guest::V01(pre.instantiate_async(store).await?),
            GuestPre::V02(pre) => Guest::V02(pre.instantiate_async(store).await?),
            GuestPre::V03(pre) => Guest::V03(pre.instantiate_async(store).await?),
            GuestPre::V04(pre) => Guest::V04(V04Guest {
                instance: pre.pre.instantiate_async(&mut *store).await?,
                indices: pre.indices.clone(),
                execute: pre.execute,
            }),
        })
    }
}

impl Guest {
    pub async fn info(
        &self,
        store: &mut wasmtime::Store<CallState>,
    ) -> wasmtime::Result<types::ProviderInfo> {
        match self {
            Guest::V04(g) => {
                g.exports(store)?
                    .actionhost_provider_plugin()
                    .call_info(store)
                    .await
            }
            Guest::V03(p) => Ok(v03_up::info(
                p.actionhost_provider_plugin().call_info(store).await?,
            )),
            Guest::V02(p) => Ok(v02_up::info(
                p.actionhost_provider_plugin().call_info(store).await?,
            )),
            Guest::V01(p) => Ok(up_info(
                p.actionhost_provider_plugin().call_info(store).await?,
            )),
        }
    }

    pub async fn list_actions(
        &self,
        store: &mut wasmtime::Store<CallState>,
    ) -> wasmtime::Result<Vec<types::ActionDefinition>> {
        match self {
            Guest::V04(g) => {
                g.exports(store)?
                    .actionhost_provider_plugin()
                    .call_list_actions(store)
                    .await
            }
            Guest::V03(p) => Ok(p
                .actionhost_provider_plugin()
                .call_list_actions(store)
                .await?
                .into_iter()
                .map(v03_up::action)
                .collect()),
            Guest::V02(p) => Ok(p
                .actionhost_provider_plugin()
                .call_list_actions(store)
                .await?
                .into_iter()
                .map(v02_up::action)
                .collect()),
            Guest::V01(p) => Ok(p
                .actionhost_provider_plugin()
                .call_list_actions(store)
                .await?
                .into_iter()
                .map(up_action)
                .collect()),
        }
    }

    pub async fn describe(
        &self,
        store: &mut wasmtime::Store<CallState>,
        action: &str,
        context: &types::CallContext,
    ) -> Call<types::ActionDefinition> {
        match self {
            Guest::V04(g) => {
                g.exports(store)?
                    .actionhost_provider_plugin()
                    .call_describe(store, action, context)
                    .await
            }
            Guest::V03(p) => Ok(p
                .actionhost_provider_plugin()
                .call_describe(store, action, &v03_up::context(context))
                .await?
                .map(v03_up::action)
                .map_err(v03_up::error)),
            Guest::V02(p) => Ok(p
                .actionhost_provider_plugin()
                .call_describe(store, action, &v02_up::context(context))
                .await?
                .map(v02_up::action)
                .map_err(v02_up::error)),
            Guest::V01(p) => Ok(p
                .actionhost_provider_plugin()
                .call_describe(store, action, &down_context(context))
                .await?
                .map(up_action)
                .map_err(up_error)),
        }
    }

    pub async fn execute(
        &self,
        store: &mut wasmtime::Store<CallState>,
        action: &str,
        input: &str,
        context: &types::CallContext,
    ) -> Call<String> {
        match self {
            Guest::V04(g) => {
                // Checked against the contract's types here, once per instance.
                let execute = g.instance.get_typed_func::<
                    (&str, &str, &types::CallContext),
                    (Result<String, types::ActionError>,),
                >(&mut *store, &g.execute)?;
                let (output,) = execute
                    .call_async(&mut *store, (action, input, context))
                    .await?;
                Ok(output)
            }
            Guest::V03(p) => Ok(p
                .actionhost_provider_plugin()
                .call_execute(store, action, input, &v03_up::context(context))
                .await?
                .map_err(v03_up::error)),
            Guest::V02(p) => Ok(p
                .actionhost_provider_plugin()
                .call_execute(store, action, input, &v02_up::context(context))
                .await?
                .map_err(v02_up::error)),
            Guest::V01(p) => Ok(p
                .actionhost_provider_plugin()
                .call_execute(store, action, input, &down_context(context))
                .await?
                .map_err(up_error)),
        }
    }

    pub async fn after_connect(
        &self,
        store: &mut wasmtime::Store<CallState>,
        context: &types::CallContext,
    ) -> Call<types::ConnectedAccount> {
        match self {
            Guest::V04(g) => {
                g.exports(store)?
                    .actionhost_provider_plugin()
                    .call_after_connect(store, context)
                    .await
            }
            Guest::V03(p) => Ok(p
                .actionhost_provider_plugin()
                .call_after_connect(store, &v03_up::context(context))
                .await?
                .map(v03_up::connected)
                .map_err(v03_up::error)),
            Guest::V02(p) => Ok(p
                .actionhost_provider_plugin()
                .call_after_connect(store, &v02_up::context(context))
                .await?
                .map(v02_up::connected)
                .map_err(v02_up::error)),
            Guest::V01(_) => Ok(Ok(types::ConnectedAccount {
                fields: Vec::new(),
                label: None,
            })),
        }
    }
}

fn down_context(context: &types::CallContext) -> v01::types::CallContext {
    v01::types::CallContext {
        user_id: context.user_id.clone(),
        scopes: context.scopes.clone(),
    }
}

fn up_placement(placement: v01::types::ApiKeyPlacement) -> types::ApiKeyPlacement {
    match placement {
        v01::types::ApiKeyPlacement::Header => types::ApiKeyPlacement::Header,
        v01::types::ApiKeyPlacement::Query => types::ApiKeyPlacement::Query,
    }
}

fn up_info(info: v01::types::ProviderInfo) -> types::ProviderInfo {
    let auth = match info.auth {
        v01::types::AuthKind::None => types::AuthKind::None,
        v01::types::AuthKind::ApiKey(key) => types::AuthKind::ApiKey(types::ApiKeyAuth {
            placement: up_placement(key.placement),
            name: key.name,
            prefix: key.prefix,
            operator_key: None,
        }),
        v01::types::AuthKind::Oauth2(o) => types::AuthKind::Oauth2(types::Oauth2Auth {
            authorize_url: o.authorize_url,
            token_url: o.token_url,
            revoke_url: o.revoke_url,
            default_scopes: o.default_scopes,
            scope_separator: o.scope_separator,
            pkce: o.pkce,
            extra_authorize_params: o.extra_authorize_params,
            // What the host did for every 0.1.0 plugin: the oauth2 crate's default.
            client_auth: types::ClientAuth::Basic,
            token_header: None,
        }),
    };
    types::ProviderInfo {
        id: info.id,
        name: info.name,
        version: info.version,
        description: info.description,
        categories: info.categories,
        auth,
        origins: info
            .origins
            .into_iter()
            .map(|o| types::OriginGrant {
                origin: o.origin,
                credentials: o.credentials,
            })
            .collect(),
        alternative_auth: Vec::new(),
        account_fields: Vec::new(),
        operator_credential: None,
    }
}

fn up_action(action: v01::types::ActionDefinition) -> types::ActionDefinition {
    let mut hints = types::ActionHints::empty();
    for (old, new) in [
        (
            v01::types::ActionHints::READ_ONLY,
            types::ActionHints::READ_ONLY,
        ),
        (
            v01::types::ActionHints::DESTRUCTIVE,
            types::ActionHints::DESTRUCTIVE,
        ),
        (
            v01::types::ActionHints::IDEMPOTENT,
            types::ActionHints::IDEMPOTENT,
        ),
        (
            v01::types::ActionHints::DYNAMIC_SCHEMA,
            types::ActionHints::DYNAMIC_SCHEMA,
        ),
    ] {
        if action.hints.contains(old) {
            hints |= new;
        }
    }
    types::ActionDefinition {
        name: action.name,
        description: action.description,
        input_schema: action.input_schema,
        output_schema: action.output_schema,
        hints,
        scopes: Vec::new(),
    }
}

fn up_error(error: v01::types::ActionError) -> types::ActionError {
    use v01::types::ActionError as Old;
    match error {
        Old::InvalidInput(m) => types::ActionError::InvalidInput(m),
        Old::NotFound(m) => types::ActionError::NotFound(m),
        Old::Unauthorized(m) => types::ActionError::Unauthorized(m),
        Old::RateLimited(r) => types::ActionError::RateLimited(types::RateLimitedError {
            message: r.message,
            retry_after_seconds: r.retry_after_seconds,
        }),
        Old::Upstream(u) => types::ActionError::Upstream(types::UpstreamError {
            status: u.status,
            message: u.message,
            body: u.body,
        }),
        Old::Internal(m) => types::ActionError::Internal(m),
    }
}

// The older contracts' imports: the same capabilities, in their own (identically shaped) types.
macro_rules! older_imports {
    ($v:ident) => {
        impl $v::types::Host for CallState {}

        impl $v::http::Host for CallState {
            async fn send(
                &mut self,
                request: $v::http::Request,
            ) -> wasmtime::Result<Result<$v::http::Response, $v::http::HttpError>> {
                use $v::http::{HttpError as Old, Method as M};
                let method = match request.method {
                    M::Get => http::Method::Get,
                    M::Head => http::Method::Head,
                    M::Post => http::Method::Post,
                    M::Put => http::Method::Put,
                    M::Patch => http::Method::Patch,
                    M::Delete => http::Method::Delete,
                    M::Options => http::Method::Options,
                };
                let request = http::Request {
                    method,
                    url: request.url,
                    headers: request.headers,
                    body: request.body,
                };
                let result = <Self as http::Host>::send(self, request).await?;
                Ok(result
                    .map(|r| $v::http::Response {
                        status: r.status,
                        headers: r.headers,
                        body: r.body,
                    })
                    .map_err(|e| match e {
                        http::HttpError::Denied(m) => Old::Denied(m),
                        http::HttpError::ForbiddenHeader(m) => Old::ForbiddenHeader(m),
                        http::HttpError::InvalidRequest(m) => Old::InvalidRequest(m),
                        http::HttpError::NotConnected(m) => Old::NotConnected(m),
                        http::HttpError::Timeout => Old::Timeout,
                        http::HttpError::TooLarge(n) => Old::TooLarge(n),
                        http::HttpError::Transport(m) => Old::Transport(m),
                    }))
            }
        }

        impl $v::log::Host for CallState {
            async fn log(
                &mut self,
                level: $v::log::Level,
                message: String,
            ) -> wasmtime::Result<()> {
                use $v::log::Level as L;
                let level = match level {
                    L::Trace => log::Level::Trace,
                    L::Debug => log::Level::Debug,
                    L::Info => log::Level::Info,
                    L::Warn => log::Level::Warn,
                    L::Error => log::Level::Error,
                };
                <Self as log::Host>::log(self, level, message).await
            }
        }
    };
}

older_imports!(v01);
older_imports!(v02);
older_imports!(v03);

/// The conversions every older contract with account fields shares (0.2.0, 0.3.0): the same
/// shapes as the current types, less what later versions added (an OAuth token header, field
/// defaults).
macro_rules! shared_up {
    ($old:ident) => {
        use super::types;
        use $old::types as old;

        fn placement(placement: old::ApiKeyPlacement) -> types::ApiKeyPlacement {
            match placement {
                old::ApiKeyPlacement::Header => types::ApiKeyPlacement::Header,
                old::ApiKeyPlacement::Query => types::ApiKeyPlacement::Query,
            }
        }

        pub(super) fn auth(auth: old::AuthKind) -> types::AuthKind {
            match auth {
                old::AuthKind::None => types::AuthKind::None,
                old::AuthKind::ApiKey(key) => types::AuthKind::ApiKey(types::ApiKeyAuth {
                    placement: placement(key.placement),
                    name: key.name,
                    prefix: key.prefix,
                    operator_key: key.operator_key.map(|k| types::OperatorKey {
                        placement: placement(k.placement),
                        name: k.name,
                    }),
                }),
                old::AuthKind::Basic(b) => types::AuthKind::Basic(types::BasicAuth {
                    username_label: b.username_label,
                    password_label: b.password_label,
                }),
                old::AuthKind::Oauth2(o) => types::AuthKind::Oauth2(types::Oauth2Auth {
                    authorize_url: o.authorize_url,
                    token_url: o.token_url,
                    revoke_url: o.revoke_url,
                    default_scopes: o.default_scopes,
                    scope_separator: o.scope_separator,
                    pkce: o.pkce,
                    extra_authorize_params: o.extra_authorize_params,
                    client_auth: match o.client_auth {
                        old::ClientAuth::RequestBody => types::ClientAuth::RequestBody,
                        old::ClientAuth::Basic => types::ClientAuth::Basic,
                    },
                    token_header: None,
                }),
            }
        }

        pub(super) fn origins(origins: Vec<old::OriginGrant>) -> Vec<types::OriginGrant> {
            origins
                .into_iter()
                .map(|o| types::OriginGrant {
                    origin: o.origin,
                    credentials: o.credentials,
                })
                .collect()
        }

        pub(super) fn fields(fields: Vec<old::AccountField>) -> Vec<types::AccountField> {
            fields
                .into_iter()
                .map(|f| types::AccountField {
                    name: f.name,
                    description: f.description,
                    pattern: f.pattern,
                    required: f.required,
                    source: match f.source {
                        old::FieldSource::User => types::FieldSource::User,
                        old::FieldSource::TokenResponse => types::FieldSource::TokenResponse,
                        old::FieldSource::AfterConnect => types::FieldSource::AfterConnect,
                    },
                    default_value: None,
                })
                .collect()
        }

        pub fn action(action: old::ActionDefinition) -> types::ActionDefinition {
            types::ActionDefinition {
                name: action.name,
                description: action.description,
                input_schema: action.input_schema,
                output_schema: action.output_schema,
                hints: [
                    (old::ActionHints::READ_ONLY, types::ActionHints::READ_ONLY),
                    (
                        old::ActionHints::DESTRUCTIVE,
                        types::ActionHints::DESTRUCTIVE,
                    ),
                    (old::ActionHints::IDEMPOTENT, types::ActionHints::IDEMPOTENT),
                    (
                        old::ActionHints::DYNAMIC_SCHEMA,
                        types::ActionHints::DYNAMIC_SCHEMA,
                    ),
                ]
                .into_iter()
                .filter(|(old, _)| action.hints.contains(*old))
                .fold(types::ActionHints::empty(), |hints, (_, new)| hints | new),
                scopes: action.scopes,
            }
        }

        pub fn error(error: old::ActionError) -> types::ActionError {
            match error {
                old::ActionError::InvalidInput(m) => types::ActionError::InvalidInput(m),
                old::ActionError::NotFound(m) => types::ActionError::NotFound(m),
                old::ActionError::Unauthorized(m) => types::ActionError::Unauthorized(m),
                old::ActionError::RateLimited(r) => {
                    types::ActionError::RateLimited(types::RateLimitedError {
                        message: r.message,
                        retry_after_seconds: r.retry_after_seconds,
                    })
                }
                old::ActionError::Upstream(u) => {
                    types::ActionError::Upstream(types::UpstreamError {
                        status: u.status,
                        message: u.message,
                        body: u.body,
                    })
                }
                old::ActionError::Internal(m) => types::ActionError::Internal(m),
            }
        }

        pub fn connected(found: old::ConnectedAccount) -> types::ConnectedAccount {
            types::ConnectedAccount {
                fields: found.fields,
                label: found.label,
            }
        }
    };
}

/// 0.3.0's exports in the current types: no OAuth token header, field defaults or operator
/// credential.
mod v03_up {
    use super::v03;
    shared_up!(v03);

    pub fn context(context: &types::CallContext) -> old::CallContext {
        old::CallContext {
            user_id: context.user_id.clone(),
            scopes: context.scopes.clone(),
            fields: context.fields.clone(),
            credential: match context.credential {
                types::CredentialKind::None => old::CredentialKind::None,
                types::CredentialKind::ApiKey => old::CredentialKind::ApiKey,
                types::CredentialKind::Basic => old::CredentialKind::Basic,
                types::CredentialKind::Oauth2 => old::CredentialKind::Oauth2,
            },
        }
    }

    pub fn info(info: old::ProviderInfo) -> types::ProviderInfo {
        types::ProviderInfo {
            id: info.id,
            name: info.name,
            version: info.version,
            description: info.description,
            categories: info.categories,
            auth: auth(info.auth),
            alternative_auth: info.alternative_auth.into_iter().map(auth).collect(),
            origins: origins(info.origins),
            account_fields: fields(info.account_fields),
            operator_credential: None,
        }
    }
}

/// 0.2.0's exports in the current types: as 0.3.0's, less alternative auth and the credential
/// kind.
mod v02_up {
    use super::v02;
    shared_up!(v02);

    pub fn context(context: &types::CallContext) -> old::CallContext {
        old::CallContext {
            user_id: context.user_id.clone(),
            scopes: context.scopes.clone(),
            fields: context.fields.clone(),
        }
    }

    pub fn info(info: old::ProviderInfo) -> types::ProviderInfo {
        types::ProviderInfo {
            id: info.id,
            name: info.name,
            version: info.version,
            description: info.description,
            categories: info.categories,
            auth: auth(info.auth),
            alternative_auth: Vec::new(),
            origins: origins(info.origins),
            account_fields: fields(info.account_fields),
            operator_credential: None,
        }
    }
}
