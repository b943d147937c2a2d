//! Build-script helper that compiles workspace crates to `wasm32-wasip2` components.
//!
//! The host embeds the bundled provider plugins and the end-to-end tests use purpose-built
//! test plugins; both are real crates of this workspace, built here from a build script the way
//! wasmtime builds its test programs, so nobody has to build wasm by hand or name a `.wasm` path.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// One built component: the crate it came from and the path of its `.wasm`.
pub struct BuiltComponent {
    pub package: String,
    pub path: PathBuf,
}

/// Every crate directly under `dir` (relative to the workspace root), as paths relative to the
/// root, sorted: a new plugin crate is picked up by being there, not by being listed. The build
/// script reruns when a crate is added or removed.
pub fn crates_in(workspace_root: &Path, dir: &str) -> Vec<String> {
    let parent = workspace_root.join(dir);
    println!("cargo:rerun-if-changed={}", parent.display());
    let entries = std::fs::read_dir(&parent)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", parent.display()));
    let mut crates: Vec<String> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("Cargo.toml").is_file())
        .filter_map(|path| Some(format!("{dir}/{}", path.file_name()?.to_str()?)))
        .collect();
    crates.sort();
    crates
}

/// Builds `packages` (paths relative to the workspace root) for `wasm32-wasip2` in release mode
/// and returns their components. Panics with an actionable message on failure, which is what a
/// build script should do.
pub fn build_components(workspace_root: &Path, packages: &[String]) -> Vec<BuiltComponent> {
    ensure_wasm_target();
    let target_dir = components_target_dir();
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    let mut names = Vec::new();
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--target")
        .arg(TARGET)
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--manifest-path")
        .arg(workspace_root.join("Cargo.toml"));
    for package in packages {
        let dir = workspace_root.join(package);
        let name = package_name(&dir);
        cmd.arg("-p").arg(&name);
        names.push(name);
        println!("cargo:rerun-if-changed={}", dir.join("src").display());
        println!(
            "cargo:rerun-if-changed={}",
            dir.join("Cargo.toml").display()
        );
    }
    for shared in ["wit", "sdk/src", "sdk/Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace_root.join(shared).display()
        );
    }
    // Flags meant for the host build must not leak into the guest build (wasmtime's artifacts
    // build does the same).
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        cmd.env_remove(var);
    }
    // Small, fast-loading components.
    cmd.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");

    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("could not run cargo to build the wasm plugins: {e}"));
    if !status.success() {
        panic!(
            "building the wasm plugins {names:?} for {TARGET} failed (see the cargo output above)"
        );
    }
    names
        .into_iter()
        .map(|name| {
            let path = target_dir
                .join(TARGET)
                .join("release")
                .join(format!("{}.wasm", name.replace('-', "_")));
            assert!(
                path.exists(),
                "cargo built {name} but {} is missing",
                path.display()
            );
            BuiltComponent {
                package: name,
                path,
            }
        })
        .collect()
}

/// The guest target dir is shared by every profile of the outer build (debug tests and the
/// release binary reuse one guest build) and lives next to the outer build's own folders.
fn components_target_dir() -> PathBuf {
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set for build scripts"));
    // OUT_DIR is <target>/<profile>/build/<package-hash>/out.
    out_dir
        .ancestors()
        .nth(4)
        .map(|target| target.join("wasm-components"))
        .unwrap_or_else(|| out_dir.join("wasm-components"))
}

/// Installs the wasm target with rustup when it is missing, or stops with the command to run.
fn ensure_wasm_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let installed = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .is_some_and(|dir| dir.exists());
    if installed {
        return;
    }
    println!("cargo:warning=the {TARGET} target is missing; running `rustup target add {TARGET}`");
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|s| s.success());
    if !added {
        panic!(
            "the Rust target {TARGET} is not installed and could not be installed automatically; \
             run `rustup target add {TARGET}` and build again"
        );
    }
}

/// Reads `name = "..."` from a crate's manifest; enough for our own crates, which all set it on
/// one line in `[package]`.
fn package_name(crate_dir: &Path) -> String {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    text.lines()
        .find_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("name")?
                .trim_start()
                .strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("{} has no package name", manifest.display()))
}
