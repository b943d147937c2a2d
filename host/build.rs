//! Builds the bundled provider plugins for wasm32-wasip2 and embeds them in the binary.

use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let root = Path::new(&manifest_dir)
        .parent()
        .expect("host/ sits in the workspace");
    // Every crate under plugins/ is a bundled plugin.
    let bundled = actionhost_wasm_build::crates_in(root, "plugins");
    let built = actionhost_wasm_build::build_components(root, &bundled);

    let mut code = String::from(
        "/// `(file name, component bytes)` of every bundled plugin.\n\
         pub const PLUGINS: &[(&str, &[u8])] = &[\n",
    );
    for component in &built {
        let file = component.package.trim_start_matches("actionhost-plugin-");
        code.push_str(&format!(
            "    ({:?}, include_bytes!({:?})),\n",
            format!("{file}.wasm"),
            component.path
        ));
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("bundled_plugins.rs");
    std::fs::write(out, code).expect("write bundled_plugins.rs");
}
