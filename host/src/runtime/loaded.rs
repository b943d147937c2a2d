//! A loaded plugin, and the conversion of what it declared from the generated WIT types into
//! the host's own manifest types ([`crate::manifest`]), done once at load.

use std::sync::Arc;

use super::CallLimits;
use super::bindings::types;
use super::guest::{Contract, GuestPre};
use super::spare::Spare;
use crate::account_fields::AccountFields;
use crate::capability::http::{EgressGrant, OriginGrant};
use crate::manifest::{
    AccountField, ActionDefinition, ActionHints, AuthKind, ClientAuth, CredentialPlacement,
    FieldSource, OAuth2Endpoints, OperatorCredential, OperatorKey, ProviderInfo, TokenHeader,
};
use crate::origin::Origin;

impl From<types::AuthKind> for AuthKind {
    fn from(auth: types::AuthKind) -> Self {
        match auth {
            types::AuthKind::None => AuthKind::None,
            types::AuthKind::ApiKey(key) => {
                let prefix = key.prefix.unwrap_or_default();
                AuthKind::ApiKey {
                    operator_key: key.operator_key.map(|k| OperatorKey {
                        query: k.placement == types::ApiKeyPlacement::Query,
                        name: k.name,
                    }),
                    placement: match key.placement {
                        types::ApiKeyPlacement::Header => CredentialPlacement::Header {
                            name: key.name,
                            prefix,
                        },
                        types::ApiKeyPlacement::Query => CredentialPlacement::Query {
                            name: key.name,
                            prefix,
                        },
                    },
                }
            }
            types::AuthKind::Basic(basic) => AuthKind::Basic {
                username_label: basic.username_label,
                password_label: basic.password_label,
            },
            types::AuthKind::Oauth2(o) => AuthKind::OAuth2(OAuth2Endpoints {
                client_auth: match o.client_auth {
                    types::ClientAuth::RequestBody => ClientAuth::RequestBody,
                    types::ClientAuth::Basic => ClientAuth::Basic,
                },
                authorize_url: o.authorize_url,
                token_url: o.token_url,
                revoke_url: o.revoke_url,
                default_scopes: o.default_scopes,
                scope_separator: o.scope_separator,
                pkce: o.pkce,
                extra_authorize_params: o.extra_authorize_params,
                token_header: o.token_header.map(token_header),
            }),
        }
    }
}

fn token_header(header: types::TokenHeader) -> TokenHeader {
    TokenHeader {
        name: header.name,
        prefix: header.prefix.unwrap_or_default(),
    }
}

impl From<types::ProviderInfo> for ProviderInfo {
    fn from(info: types::ProviderInfo) -> Self {
        ProviderInfo {
            id: info.id,
            name: info.name,
            version: info.version,
            description: info.description,
            categories: info.categories,
            auth: info.auth.into(),
            alternative_auth: info.alternative_auth.into_iter().map(Into::into).collect(),
            origins: info
                .origins
                .into_iter()
                .map(|o| (o.origin, o.credentials))
                .collect(),
            account_fields: info
                .account_fields
                .into_iter()
                .map(|f| AccountField {
                    name: f.name,
                    description: f.description,
                    pattern: f.pattern,
                    required: f.required,
                    source: match f.source {
                        types::FieldSource::User => FieldSource::User,
                        types::FieldSource::TokenResponse => FieldSource::TokenResponse,
                        types::FieldSource::AfterConnect => FieldSource::AfterConnect,
                    },
                    default_value: f.default_value,
                })
                .collect(),
            operator_credential: info.operator_credential.map(|c| OperatorCredential {
                label: c.label,
                header: token_header(c.header),
            }),
        }
    }
}

impl TryFrom<types::ActionDefinition> for ActionDefinition {
    type Error = String;

    fn try_from(action: types::ActionDefinition) -> Result<Self, String> {
        let input_schema = serde_json::from_str(&action.input_schema)
            .map_err(|e| format!("{}: input schema is not JSON: {e}", action.name))?;
        let output_schema = action
            .output_schema
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| format!("{}: output schema is not JSON: {e}", action.name))?;
        let h = action.hints;
        Ok(ActionDefinition {
            hints: ActionHints {
                read_only: h.contains(types::ActionHints::READ_ONLY),
                destructive: h.contains(types::ActionHints::DESTRUCTIVE),
                idempotent: h.contains(types::ActionHints::IDEMPOTENT),
                dynamic_schema: h.contains(types::ActionHints::DYNAMIC_SCHEMA),
            },
            name: action.name,
            description: action.description,
            input_schema,
            output_schema,
            scopes: action.scopes,
        })
    }
}

/// A compiled, linked and validated plugin, ready to instantiate per call.
pub struct LoadedPlugin {
    pub info: ProviderInfo,
    pub actions: Vec<ActionDefinition>,
    /// SHA-256 of the component bytes, hex.
    pub hash: String,
    pub limits: CallLimits,
    pub grant: Arc<EgressGrant>,
    /// Retries of an upstream 429/503 that says `Retry-After`, within the call's deadline.
    pub max_retries: u32,
    /// The contract version the component was built against.
    pub contract: Contract,
    /// Account fields' patterns and the origins that use them.
    pub fields: Arc<AccountFields>,
    pub(super) pre: GuestPre,
    /// The instance made ahead for the next call (none while loading).
    pub(super) spare: Option<Arc<Spare>>,
}

impl LoadedPlugin {
    pub(super) fn new(
        pre: GuestPre,
        hash: String,
        info: ProviderInfo,
        actions: Vec<ActionDefinition>,
        limits: CallLimits,
    ) -> Self {
        let origins = info
            .origins
            .iter()
            // Templates resolve per call (`call_grant`); `{`/`}` may parse as a host otherwise.
            .filter(|(origin, _)| !origin.contains(['{', '}']))
            .filter_map(|(origin, credentials)| {
                Some(OriginGrant {
                    origin: Origin::parse(origin).ok()?,
                    credentials: *credentials,
                    from_account: false,
                })
            })
            .collect();
        let grant = Arc::new(EgressGrant {
            plugin_id: info.id.clone(),
            origins,
            placement: info.placement(None),
            operator_key: None,
            unresolved: Vec::new(),
            operator_header: info
                .operator_credential
                .as_ref()
                .map(|c| c.header.name.to_ascii_lowercase()),
        });
        let contract = match &pre {
            GuestPre::V01(_) => Contract::V01,
            GuestPre::V02(_) => Contract::V02,
            GuestPre::V03(_) => Contract::V03,
            GuestPre::V04(_) => Contract::V04,
        };
        // Checked at load (`checks.rs`); a probe or a refused plugin has none that compile.
        let fields = Arc::new(AccountFields::new(&info).unwrap_or_default());
        LoadedPlugin {
            info,
            actions,
            hash,
            limits,
            grant,
            max_retries: 2,
            contract,
            fields,
            pre,
            spare: Some(Arc::default()),
        }
    }

    /// A stand-in used while loading, before the plugin has said who it is: no origins.
    pub(super) fn probe(pre: GuestPre, hash: String, limits: CallLimits) -> Self {
        let info = ProviderInfo {
            id: "(loading)".into(),
            name: String::new(),
            version: String::new(),
            description: String::new(),
            categories: Vec::new(),
            auth: AuthKind::None,
            alternative_auth: Vec::new(),
            origins: Vec::new(),
            account_fields: Vec::new(),
            operator_credential: None,
        };
        let mut probe = Self::new(pre, hash, info, Vec::new(), limits);
        probe.spare = None;
        probe
    }

    /// The network grant of one call: the plugin's, plus its templated origins resolved with
    /// the account's fields and the operator's key part, when it declares either.
    pub fn call_grant(&self, call: &super::CallContext) -> Arc<EgressGrant> {
        // The key part belongs to the API-key auth: an account of another kind sends none.
        let operator_key = match self.info.auth_for(call.credential_kind) {
            Some(AuthKind::ApiKey { operator_key, .. }) => operator_key.as_ref(),
            _ => None,
        };
        let primary = call
            .credential_kind
            .is_none_or(|kind| kind == self.info.auth.kind());
        if !self.fields.has_templates() && operator_key.is_none() && primary {
            return self.grant.clone();
        }
        let mut grant = (*self.grant).clone();
        grant.placement = self.info.placement(call.credential_kind);
        let (resolved, unresolved) = self.fields.resolve_origins(&call.fields);
        for (origin, credentials) in resolved {
            if !grant.origins.iter().any(|g| g.origin == origin) {
                grant.origins.push(OriginGrant {
                    origin,
                    credentials,
                    from_account: true,
                });
            }
        }
        grant.unresolved = unresolved;
        grant.operator_key = operator_key.map(|key| (key.clone(), call.operator_key.clone()));
        Arc::new(grant)
    }

    /// The grant of the requests a call makes as the operator (contract 0.4): the call's fixed
    /// origins that take credentials (never one resolved from an account's fields, never a
    /// wildcard), with the operator credential's header; `None` when the plugin declares none.
    pub fn operator_grant(&self, call_grant: &EgressGrant) -> Option<Arc<EgressGrant>> {
        let credential = self.info.operator_credential.as_ref()?;
        Some(Arc::new(EgressGrant {
            plugin_id: call_grant.plugin_id.clone(),
            origins: call_grant
                .origins
                .iter()
                .filter(|g| g.credentials && !g.from_account && !g.origin.host.contains('*'))
                .cloned()
                .collect(),
            placement: CredentialPlacement::Header {
                name: credential.header.name.clone(),
                prefix: credential.header.prefix.clone(),
            },
            operator_key: None,
            unresolved: vec![format!(
                "requests as the operator go only to {}'s fixed origins that take credentials",
                call_grant.plugin_id
            )],
            operator_header: call_grant.operator_header.clone(),
        }))
    }

    pub fn action(&self, name: &str) -> Option<&ActionDefinition> {
        self.actions.iter().find(|a| a.name == name)
    }
}
