//! Prometheus metrics: HTTP requests, executions with latency and those running now, plugin
//! instantiation time and upstream calls. Labels carry names and codes only, never user data
//! or secrets.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ExecutionLabels {
    plugin: String,
    action: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    plugin: String,
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginLabels {
    plugin: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginLoadLabels {
    plugin: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginVersionLabels {
    plugin: String,
    version: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct UpstreamLabels {
    integration: String,
    status: String,
}

fn latency_histogram() -> Histogram {
    // 100 µs to ~6.5 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    executions: Family<ExecutionLabels, Counter>,
    execution_seconds: Family<ActionLabels, Histogram, fn() -> Histogram>,
    instantiation_seconds: Family<PluginLabels, Histogram, fn() -> Histogram>,
    upstream_calls: Family<UpstreamLabels, Counter>,
    plugin_loads: Family<PluginLoadLabels, Counter>,
    plugin_version: Family<PluginVersionLabels, Gauge>,
    in_flight: Family<PluginLabels, Gauge>,
}

/// Counts one execution as running until dropped.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("actionhost");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        let executions = Family::<ExecutionLabels, Counter>::default();
        registry.register(
            "executions",
            "Action executions by plugin, action and outcome (ok or the error code)",
            executions.clone(),
        );
        let execution_seconds =
            Family::<ActionLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "execution_duration_seconds",
            "Time from the execute request to its answer, by action",
            execution_seconds.clone(),
        );
        let instantiation_seconds =
            Family::<PluginLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "plugin_instantiation_seconds",
            "Time to instantiate a plugin for one call, by plugin",
            instantiation_seconds.clone(),
        );
        let upstream_calls = Family::<UpstreamLabels, Counter>::default();
        registry.register(
            "upstream_calls",
            "Requests plugins sent upstream, by integration and response status",
            upstream_calls.clone(),
        );
        let plugin_loads = Family::<PluginLoadLabels, Counter>::default();
        registry.register(
            "plugin_loads",
            "Plugin loads by plugin (or file) and result (loaded, swapped, refused, unloaded)",
            plugin_loads.clone(),
        );
        let plugin_version = Family::<PluginVersionLabels, Gauge>::default();
        registry.register(
            "plugin_version",
            "1 for the version of each plugin being served",
            plugin_version.clone(),
        );
        let in_flight = Family::<PluginLabels, Gauge>::default();
        registry.register(
            "executions_in_flight",
            "Executions admitted and not yet answered, by plugin",
            in_flight.clone(),
        );
        Metrics {
            registry,
            in_flight,
            plugin_loads,
            plugin_version,
            requests,
            executions,
            execution_seconds,
            instantiation_seconds,
            upstream_calls,
        }
    }

    pub fn request(&self, route: &str, method: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.into(),
                method: method.into(),
                status,
            })
            .inc();
    }

    /// One execute; `plugin` is empty when no plugin owns the action.
    pub fn execution(&self, plugin: &str, action: &str, outcome: &str, duration: Duration) {
        self.executions
            .get_or_create(&ExecutionLabels {
                plugin: plugin.into(),
                action: action.into(),
                outcome: outcome.into(),
            })
            .inc();
        self.execution_seconds
            .get_or_create(&ActionLabels {
                plugin: plugin.into(),
                action: action.into(),
            })
            .observe(duration.as_secs_f64());
    }

    /// Counts an admitted execution of `plugin` as running until the guard drops.
    pub fn in_flight(&self, plugin: &str) -> InFlight {
        let gauge = self
            .in_flight
            .get_or_create(&PluginLabels {
                plugin: plugin.into(),
            })
            .clone();
        gauge.inc();
        InFlight(gauge)
    }

    pub fn instantiation(&self, plugin: &str, duration: Duration) {
        self.instantiation_seconds
            .get_or_create(&PluginLabels {
                plugin: plugin.into(),
            })
            .observe(duration.as_secs_f64());
    }

    /// One upstream response (`status` 0 for a request that got none).
    pub fn upstream(&self, integration: &str, status: u16) {
        let status = if status == 0 {
            "error".to_string()
        } else {
            status.to_string()
        };
        self.upstream_calls
            .get_or_create(&UpstreamLabels {
                integration: integration.into(),
                status,
            })
            .inc();
    }

    /// A load, swap, refusal or unload of `plugin` (an id, or a file name when refused early).
    pub fn plugin_load(&self, plugin: &str, result: &str) {
        self.plugin_loads
            .get_or_create(&PluginLoadLabels {
                plugin: plugin.into(),
                result: result.into(),
            })
            .inc();
    }

    /// The version now served for `plugin` (the previous one, if any, is cleared).
    pub fn plugin_serving(&self, plugin: &str, previous: Option<&str>, version: Option<&str>) {
        if let Some(previous) = previous {
            self.plugin_version
                .get_or_create(&PluginVersionLabels {
                    plugin: plugin.into(),
                    version: previous.into(),
                })
                .set(0);
        }
        if let Some(version) = version {
            self.plugin_version
                .get_or_create(&PluginVersionLabels {
                    plugin: plugin.into(),
                    version: version.into(),
                })
                .set(1);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}
