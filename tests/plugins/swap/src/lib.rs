//! A plugin whose answer names its build: the marker `swap-version-1` is patched by the hot-reload
//! tests to make distinguishable versions of one component.

use actionhost_sdk::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct Nothing {}

fn which(_: Nothing, _: &Context) -> Result<Value, Error> {
    // Some work, so a swap lands while calls are in flight.
    std::thread::sleep(std::time::Duration::from_millis(2));
    Ok(json!({ "marker": "swap-version-1" }))
}

pub fn provider() -> Provider {
    Provider::new("swap", "Swap")
        .version("1.0.0")
        .description("Says which version answered; for hot-reload tests.")
        .categories(&["testing"])
        .action(
            Action::new(
                "SWAP_GET_VERSION",
                "Returns the marker of the version that answered.",
                which,
            )
            .read_only(),
        )
}

actionhost_sdk::export_provider!(provider);
