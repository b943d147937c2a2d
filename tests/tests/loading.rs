//! Loading plugins: what the host refuses, with every reason at once, and the compiled-component
//! cache that spares a restart from recompiling.

use actionhost::runtime::CallLimits;
use actionhost_e2e::{bundled, components, runtime};

#[tokio::test]
async fn a_plugin_that_breaks_the_rules_is_refused_with_every_reason() {
    let error = runtime("")
        .load(
            &std::fs::read(components::INVALID).unwrap(),
            CallLimits::default(),
        )
        .await
        .err()
        .expect("the invalid plugin must be refused");
    assert_eq!(error.plugin_id.as_deref(), Some("Bad-Id"));
    let expected = [
        "provider id \"Bad-Id\" must match ^[a-z][a-z0-9_]{0,31}$",
        "provider version \"one\" is not a semantic version (e.g. 1.0.0)",
        "declared origin \"ftp://files.example.com\" is invalid: scheme \"ftp\" is not allowed (only http and https)",
        "declared origin https://*.files.example.com is a wildcard, so it may only be declared without credentials (origin_without_credentials): the user's credential goes only to hosts the plugin names",
        "declared origin https://*.com: a wildcard origin needs a fixed domain of two labels or more after `*.`",
        "declared origin https://cdn-*.example.com: a wildcard may only be the whole first label (`https://*.example.com`)",
        "action name \"lower_case_name\" must match ^[A-Z][A-Z0-9_]{0,63}$",
        "action name \"OTHER_PREFIX_ACTION\" must start with \"BAD-ID_\"",
        "BAD_ID_STRING_ROOT: input schema must have \"type\": \"object\" at its root",
        "BAD_ID_NOT_JSON: input schema is not JSON: EOF while parsing a value at line 1 column 8",
        "action \"BAD_ID_TWICE\" is declared twice",
    ];
    for reason in expected {
        assert!(
            error.reasons.iter().any(|r| r == reason),
            "missing {reason:?} in {:#?}",
            error.reasons
        );
    }
    assert!(
        error
            .reasons
            .iter()
            .any(|r| r.starts_with("BAD_ID_NOT_A_SCHEMA: input schema is not valid JSON Schema 2020-12 at /properties/a/type")),
        "{:#?}",
        error.reasons
    );
    // BAD_ID_* names also fail the prefix rule because the id itself is invalid.
    assert_eq!(
        error.reasons.len(),
        expected.len() + 1 + 5,
        "{:#?}",
        error.reasons
    );
}

#[tokio::test]
async fn a_plugin_built_against_another_contract_version_names_both_versions() {
    let error = runtime("")
        .load(
            &std::fs::read(components::FUTURE_CONTRACT).unwrap(),
            CallLimits::default(),
        )
        .await
        .err()
        .expect("refused");
    assert_eq!(
        error.reasons,
        vec![
            "the component was built against actionhost:provider@0.9.0; this host implements \
             actionhost:provider@0.4.0 and still loads 0.3.x, 0.2.x and 0.1.x (rebuild it with \
             a matching actionhost-sdk)"
                .to_string()
        ]
    );
}

#[tokio::test]
async fn bytes_that_are_not_a_component_are_refused() {
    let runtime = runtime("");
    for bytes in [
        b"not wasm at all".to_vec(),
        bundled("github.wasm")[..1000].to_vec(),
    ] {
        let error = runtime
            .load(&bytes, CallLimits::default())
            .await
            .err()
            .expect("refused");
        assert_eq!(error.reasons.len(), 1);
        assert!(
            error.reasons[0].starts_with("not a valid component: "),
            "{:?}",
            error.reasons
        );
    }
}

#[tokio::test]
async fn compiled_components_are_cached_by_hash_and_a_damaged_cache_entry_is_recompiled() {
    use actionhost::capability::http::{Egress, EgressLimits, UpstreamOverrides};
    let cache = tempfile::tempdir().unwrap();
    let make = || {
        let egress = Egress::new(UpstreamOverrides::default(), EgressLimits::default()).unwrap();
        actionhost::runtime::Runtime::new(
            std::sync::Arc::new(egress),
            Some(cache.path().to_path_buf()),
        )
        .unwrap()
    };
    let github = bundled("github.wasm");
    let first = make().load(github, CallLimits::default()).await.unwrap();
    let entries: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1);
    let name = entries[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with(&first.hash) && name.ends_with(".cwasm"),
        "{name}"
    );

    // A restart loads from the cache: same catalog.
    let second = make().load(github, CallLimits::default()).await.unwrap();
    assert_eq!(second.actions, first.actions);

    // A damaged entry is discarded and rebuilt.
    std::fs::write(&entries[0], b"garbage").unwrap();
    let third = make().load(github, CallLimits::default()).await.unwrap();
    assert_eq!(third.actions, first.actions);
    assert!(std::fs::read(&entries[0]).unwrap().len() > 1000);
}
