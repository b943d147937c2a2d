//! A provider with 20 realistic actions for catalog benchmarks. Its id `benchqq` (and the
//! `BENCHQQ_` action prefix) is a placeholder: the benchmark patches those bytes to make 50
//! distinct plugins from one build.

use actionhost_sdk::prelude::*;

/// A typical create/update input: a few required strings, optional fields, a list and an enum.
// Only its schema matters: the bench measures validation and the catalog, not the fields.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
struct Input {
    /// Workspace or account the object belongs to.
    workspace: String,
    /// Title or name of the object.
    title: String,
    /// Longer description, in Markdown.
    body: Option<String>,
    /// Labels to attach.
    labels: Option<Vec<String>>,
    /// Priority of the object.
    priority: Option<Priority>,
    /// Due date (ISO 8601).
    due: Option<String>,
    /// Results per page, 1 to 100.
    #[schemars(range(min = 1, max = 100))]
    per_page: Option<u32>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    Medium,
    High,
}

fn run(input: Input, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "workspace": input.workspace, "title": input.title }))
}

macro_rules! actions {
    ($provider:expr, $($name:literal),*) => {
        $provider$(.action(Action::new($name, "Creates, reads or changes an object in the benchmark provider; used to measure catalog size and speed.", run)))*
    };
}

pub fn provider() -> Provider {
    let provider = Provider::new("benchqq", "Benchmark")
        .version("1.0.0")
        .description("Twenty actions for benchmarks.")
        .categories(&["testing"])
        .origin("https://api.bench.test");
    actions!(
        provider,
        "BENCHQQ_CREATE_OBJECT_01",
        "BENCHQQ_CREATE_OBJECT_02",
        "BENCHQQ_CREATE_OBJECT_03",
        "BENCHQQ_CREATE_OBJECT_04",
        "BENCHQQ_CREATE_OBJECT_05",
        "BENCHQQ_CREATE_OBJECT_06",
        "BENCHQQ_CREATE_OBJECT_07",
        "BENCHQQ_CREATE_OBJECT_08",
        "BENCHQQ_CREATE_OBJECT_09",
        "BENCHQQ_CREATE_OBJECT_10",
        "BENCHQQ_CREATE_OBJECT_11",
        "BENCHQQ_CREATE_OBJECT_12",
        "BENCHQQ_CREATE_OBJECT_13",
        "BENCHQQ_CREATE_OBJECT_14",
        "BENCHQQ_CREATE_OBJECT_15",
        "BENCHQQ_CREATE_OBJECT_16",
        "BENCHQQ_CREATE_OBJECT_17",
        "BENCHQQ_CREATE_OBJECT_18",
        "BENCHQQ_CREATE_OBJECT_19",
        "BENCHQQ_CREATE_OBJECT_20"
    )
}

actionhost_sdk::export_provider!(provider);
