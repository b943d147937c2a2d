//! A plugin whose start code spins: its module's `_initialize`, which the component runs when
//! it is instantiated, busy-waits for [`SPIN`] before any export is called. Every instance of it, the
//! ones made ahead of a call included, costs that much CPU to make; the tests check that making
//! them never holds back another plugin's instances.

use std::time::{Duration, Instant};

use actionhost_sdk::prelude::*;

/// How long each instantiation spins (under the tests' 1 s CPU limit, so the plugin loads).
const SPIN: Duration = Duration::from_millis(400);

/// The module's initialiser, which the component calls once when it is instantiated (before
/// any export).
#[unsafe(no_mangle)]
pub extern "C" fn _initialize() {
    let started = Instant::now();
    while started.elapsed() < SPIN {
        std::hint::spin_loop();
    }
}

#[derive(Deserialize, JsonSchema)]
struct Nothing {}

fn ping(_: Nothing, _: &Context) -> Result<Value, Error> {
    Ok(json!({ "pong": true }))
}

pub fn provider() -> Provider {
    Provider::new("slowstart", "Slow start")
        .version("1.0.0")
        .description("Spins in its start code; for the recycler's tests.")
        .categories(&["testing"])
        .action(Action::new("SLOWSTART_PING", "Answers at once.", ping).read_only())
}

actionhost_sdk::export_provider!(provider);
