//! Built against `actionhost:provider@0.9.0`, which this host does not implement.

wit_bindgen::generate!({ path: "wit", world: "provider" });

struct Future;

impl exports::actionhost::provider::plugin::Guest for Future {
    fn hello() -> String {
        "from the future".into()
    }
}

export!(Future);
