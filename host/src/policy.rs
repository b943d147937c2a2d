//! Operator policy per plugin, from `[plugins.<id>]` in `actionhost.toml` or `<id>.policy.toml`
//! beside a plugin file in the plugins dir (which wins). A policy can only narrow: origins are
//! kept only if the plugin declared them, limits only go down from the host's defaults — except
//! two an operator may also raise for a plugin that needs it: upstream requests per call (long
//! paginations) and concurrent calls.

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::capability::http::OriginGrant;
use crate::origin::Origin;
use crate::runtime::{CallLimits, LoadedPlugin};

/// A policy file that is not a valid policy.
#[derive(Debug, thiserror::Error)]
#[error("{} is not a valid policy: {message}", path.display())]
pub struct PolicyFileError {
    path: std::path::PathBuf,
    message: String,
}

/// What an operator allows one plugin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PluginPolicy {
    /// Origins the plugin may still reach (a subset of what it declared).
    pub origins: Option<Vec<String>>,
    pub memory_mib: Option<u64>,
    pub cpu_seconds: Option<f64>,
    pub wall_seconds: Option<f64>,
    /// Calls running at once; more are refused with `rate_limited` (default
    /// `[limits] max_concurrent_calls`, 64).
    pub max_concurrent_calls: Option<u32>,
    /// Upstream requests one call may make (default `[limits] upstream_requests_per_call`, 200).
    pub max_upstream_requests: Option<u32>,
    /// Token bucket per connected account (user).
    pub calls_per_minute_per_account: Option<u32>,
    /// Token bucket for the whole plugin.
    pub calls_per_minute: Option<u32>,
    /// Retries of an upstream 429/503 that says `Retry-After` (default 2).
    pub max_retries: Option<u32>,
}

impl PluginPolicy {
    /// `<id>.policy.toml` in `dir`, if present.
    pub fn from_file(dir: &Path, id: &str) -> Result<Option<Self>, PolicyFileError> {
        let path = dir.join(format!("{id}.policy.toml"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(None);
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| PolicyFileError {
                path,
                message: e.message().to_string(),
            })
    }

    /// Narrows `plugin`'s origins and limits; names the origins the policy lists but the plugin
    /// never declared (ignored: a policy cannot widen).
    pub fn apply(&self, plugin: &mut LoadedPlugin, defaults: CallLimits) -> Vec<String> {
        let mut ignored = Vec::new();
        if let Some(allowed) = &self.origins {
            // A templated origin is listed as the plugin declares it (`https://{shop}.myshopify.com`).
            let templates: Vec<String> = allowed
                .iter()
                .filter(|o| o.contains(['{', '}']))
                .cloned()
                .collect();
            for template in &templates {
                if !plugin.fields.templates().any(|t| t == template) {
                    ignored.push(format!("{template} is not declared by the plugin"));
                }
            }
            let mut fields = (*plugin.fields).clone();
            fields.retain_templates(&templates);
            plugin.fields = Arc::new(fields);
            let allowed: Vec<Origin> = allowed
                .iter()
                .filter(|o| !o.contains(['{', '}']))
                .filter_map(|o| match Origin::parse(o) {
                    Ok(origin) => Some(origin),
                    Err(e) => {
                        ignored.push(format!("{o}: {e}"));
                        None
                    }
                })
                .collect();
            for origin in &allowed {
                if !plugin.grant.origins.iter().any(|g| g.origin.covers(origin)) {
                    ignored.push(format!("{origin} is not declared by the plugin"));
                }
            }
            let mut grant = (*plugin.grant).clone();
            // A host under a declared wildcard narrows the wildcard to that host (still without
            // credentials); the wildcard itself stays only if listed as declared.
            let narrowed: Vec<OriginGrant> = allowed
                .iter()
                .filter(|o| !grant.origins.iter().any(|g| &g.origin == *o))
                .filter_map(|o| {
                    let wildcard = grant.origins.iter().find(|g| g.origin.covers(o))?;
                    Some(OriginGrant {
                        origin: o.clone(),
                        credentials: wildcard.credentials,
                        from_account: false,
                    })
                })
                .collect();
            grant.origins.retain(|g| allowed.contains(&g.origin));
            grant.origins.extend(narrowed);
            plugin.grant = Arc::new(grant);
        }
        let limits = &mut plugin.limits;
        let seconds = |v: Option<f64>| {
            v.filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64)
        };
        if let Some(mib) = self.memory_mib {
            limits.memory_bytes = defaults
                .memory_bytes
                .min((mib as usize).saturating_mul(1024 * 1024));
        }
        if let Some(cpu) = seconds(self.cpu_seconds) {
            limits.cpu_time = defaults.cpu_time.min(cpu);
        }
        if let Some(wall) = seconds(self.wall_seconds) {
            limits.wall_time = defaults.wall_time.min(wall);
        }
        if let Some(requests) = self.max_upstream_requests {
            limits.upstream_requests = requests;
        }
        plugin.max_retries = self.max_retries.unwrap_or(plugin.max_retries);
        ignored
    }
}

/// Why a call was not admitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub message: String,
    pub retry_after: Duration,
}

/// How long a call waits for one of the default number of running slots before it is refused.
pub const DEFAULT_SLOT_WAIT: Duration = Duration::from_secs(10);

/// The admission gates of one plugin: concurrency and rate limits.
pub struct Gates {
    concurrency: Option<Arc<tokio::sync::Semaphore>>,
    /// With the default concurrency, calls over it wait (up to [`DEFAULT_SLOT_WAIT`]) for a slot;
    /// with an operator's `max_concurrent_calls` they are refused at once.
    wait_for_slot: bool,
    per_account: Option<DefaultKeyedRateLimiter<String>>,
    per_plugin: Option<DefaultDirectRateLimiter>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).expect("at least 1"))
}

impl Gates {
    /// Gates from `policy`, with `default_concurrency` calls at once where it sets none.
    pub fn new(policy: Option<&PluginPolicy>, default_concurrency: u32) -> Self {
        let policy = policy.cloned().unwrap_or_default();
        let concurrency = policy.max_concurrent_calls.unwrap_or(default_concurrency);
        Gates {
            wait_for_slot: policy.max_concurrent_calls.is_none(),
            concurrency: Some(Arc::new(tokio::sync::Semaphore::new(
                concurrency.max(1) as usize
            ))),
            per_account: policy
                .calls_per_minute_per_account
                .map(|n| RateLimiter::keyed(per_minute(n))),
            per_plugin: policy
                .calls_per_minute
                .map(|n| RateLimiter::direct(per_minute(n))),
        }
    }

    /// Admits one call for `user`, or says when to try again. The permit is held for the call.
    pub async fn admit(
        &self,
        plugin: &str,
        user: &str,
    ) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, Refused> {
        // The limiter's own clock: creating a clock calibrates it (CPUID), too slow per call.
        if let Some(limiter) = &self.per_account
            && let Err(not_until) = limiter.check_key(&user.to_string())
        {
            return Err(Refused {
                message: format!("too many calls to {plugin} for this account"),
                retry_after: not_until.wait_time_from(limiter.clock().now()),
            });
        }
        if let Some(limiter) = &self.per_plugin
            && let Err(not_until) = limiter.check()
        {
            return Err(Refused {
                message: format!("too many calls to {plugin}"),
                retry_after: not_until.wait_time_from(limiter.clock().now()),
            });
        }
        let Some(semaphore) = &self.concurrency else {
            return Ok(None);
        };
        let busy = || Refused {
            message: format!("{plugin} is already running as many calls as its policy allows"),
            retry_after: Duration::from_secs(1),
        };
        if let Ok(permit) = semaphore.clone().try_acquire_owned() {
            return Ok(Some(permit));
        }
        if !self.wait_for_slot {
            return Err(busy());
        }
        match tokio::time::timeout(DEFAULT_SLOT_WAIT, semaphore.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            _ => Err(busy()),
        }
    }
}
