//! Builds the test plugins for wasm32-wasip2 and exports their paths as constants, so a test
//! names a component by a constant, never by a hand-written path.

use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let root = Path::new(&manifest_dir)
        .parent()
        .expect("tests/ sits in the workspace");
    // Every crate under tests/plugins/ is a test plugin.
    let test_plugins = actionhost_wasm_build::crates_in(root, "tests/plugins");
    let built = actionhost_wasm_build::build_components(root, &test_plugins);
    let mut code = String::new();
    for component in built {
        let name = component
            .package
            .trim_start_matches("test-plugin-")
            .replace('-', "_")
            .to_ascii_uppercase();
        code.push_str(&format!(
            "/// Path of the `{}` component.\npub const {name}: &str = {:?};\n",
            component.package, component.path
        ));
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("components.rs");
    std::fs::write(out, code).expect("write components.rs");
}
