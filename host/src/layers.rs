//! The host's layering, as a test: each top-level module may import only from modules in lower
//! layers, so there are no import cycles and no arrow runs back up (docs/architecture.md draws
//! the same picture).

/// Layers from the bottom; a module may use `crate::x` only for `x` in a lower layer.
const LAYERS: &[&[&str]] = &[
    &["quote", "deadline", "store", "schema", "bundled", "changes"],
    &["origin", "manifest"],
    &["account_fields"],
    &["credentials", "observability", "scaffold"],
    &["capability", "connect"],
    &["runtime"],
    &["policy"],
    &["catalog"],
    &["config", "execute"],
    &["identity", "plugin_sources"],
    &["app", "migrate"],
    &["api"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let module = relative.split('/').next().unwrap().trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "layers") {
            continue;
        }
        let Some(own) = layer_of(module) else {
            violations.push(format!("{relative}: module {module} is in no layer"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices("crate::") {
                let rest = &line[at + 7..];
                // `crate::{a::X, b::Y}` names several modules.
                let group = rest
                    .strip_prefix('{')
                    .map(|g| g.split('}').next().unwrap_or(g));
                let names: Vec<&str> = match group {
                    Some(group) => group.split(',').map(str::trim).collect(),
                    None => vec![rest],
                };
                for name in names {
                    let used: String = name
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if used.is_empty() || used == module {
                        continue;
                    }
                    match layer_of(&used) {
                        Some(layer) if layer < own => {}
                        _ => violations.push(format!(
                            "{relative}:{}: {module} uses crate::{used}",
                            number + 1
                        )),
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
