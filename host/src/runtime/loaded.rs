//! A loaded plugin, and the conversion of what it declared from the generated WIT types into
//! the host's own manifest types ([`crate::manifest`]), done once at load.

use std::sync::Arc;

use super::CallLimits;
use super::bindings::{ProviderPre, types};
use super::host_impl::CallState;
use super::spare::Spare;
use crate::capability::http::{EgressGrant, OriginGrant};
use crate::manifest::{
    ActionDefinition, ActionHints, AuthKind, CredentialPlacement, OAuth2Endpoints, ProviderInfo,
};
use crate::origin::Origin;

impl From<types::ProviderInfo> for ProviderInfo {
    fn from(info: types::ProviderInfo) -> Self {
        let auth = match info.auth {
            types::AuthKind::None => AuthKind::None,
            types::AuthKind::ApiKey(key) => {
                let prefix = key.prefix.unwrap_or_default();
                AuthKind::ApiKey {
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
            types::AuthKind::Oauth2(o) => AuthKind::OAuth2(OAuth2Endpoints {
                authorize_url: o.authorize_url,
                token_url: o.token_url,
                revoke_url: o.revoke_url,
                default_scopes: o.default_scopes,
                scope_separator: o.scope_separator,
                pkce: o.pkce,
                extra_authorize_params: o.extra_authorize_params,
            }),
        };
        ProviderInfo {
            id: info.id,
            name: info.name,
            version: info.version,
            description: info.description,
            categories: info.categories,
            auth,
            origins: info
                .origins
                .into_iter()
                .map(|o| (o.origin, o.credentials))
                .collect(),
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
    pub(super) pre: ProviderPre<CallState>,
    /// The instance made ahead for the next call (none while loading).
    pub(super) spare: Option<Arc<Spare>>,
}

impl LoadedPlugin {
    pub(super) fn new(
        pre: ProviderPre<CallState>,
        hash: String,
        info: ProviderInfo,
        actions: Vec<ActionDefinition>,
        limits: CallLimits,
    ) -> Self {
        let origins = info
            .origins
            .iter()
            .filter_map(|(origin, credentials)| {
                Some(OriginGrant {
                    origin: Origin::parse(origin).ok()?,
                    credentials: *credentials,
                })
            })
            .collect();
        let grant = Arc::new(EgressGrant {
            plugin_id: info.id.clone(),
            origins,
            placement: info.placement(),
        });
        LoadedPlugin {
            info,
            actions,
            hash,
            limits,
            grant,
            max_retries: 2,
            pre,
            spare: Some(Arc::default()),
        }
    }

    /// A stand-in used while loading, before the plugin has said who it is: no origins.
    pub(super) fn probe(pre: ProviderPre<CallState>, hash: String, limits: CallLimits) -> Self {
        let info = ProviderInfo {
            id: "(loading)".into(),
            name: String::new(),
            version: String::new(),
            description: String::new(),
            categories: Vec::new(),
            auth: AuthKind::None,
            origins: Vec::new(),
        };
        let mut probe = Self::new(pre, hash, info, Vec::new(), limits);
        probe.spare = None;
        probe
    }

    pub fn action(&self, name: &str) -> Option<&ActionDefinition> {
        self.actions.iter().find(|a| a.name == name)
    }
}
