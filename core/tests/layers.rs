//! The core's layers, each using only those below it: the contract (model, policy, record,
//! vocabulary), the rules of a visit, sealing, the store, the use cases, the façade. A module
//! that names a higher layer (`crate::store` inside `rules`, say) fails here, so a cycle such
//! as store → seal → visit → store cannot come back.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of the core and the modules of this crate it may name. The
/// contract's, the crypto's and the media's re-exports (`crate::model`, `crate::crypto`,
/// `crate::media`...) are below every layer and always allowed.
const LAYERS: &[(&str, &[&str])] = &[
    ("transport", &[]),
    ("error", &["transport"]),
    ("rules", &[]),
    ("seal", &["rules"]),
    ("store", &["error", "rules", "seal", "testing"]),
    ("roster", &["error", "store", "testing"]),
    ("visit", &["error", "rules", "seal", "store", "testing"]),
    (
        "sync",
        &[
            "error",
            "roster",
            "rules",
            "store",
            "transport",
            "visit",
            "testing",
        ],
    ),
    (
        "facade",
        &[
            "error",
            "roster",
            "rules",
            "store",
            "sync",
            "transport",
            "visit",
        ],
    ),
    ("testing", &["store"]),
];

const BELOW_EVERY_LAYER: &[&str] = &[
    "model", "geo", "policy", "record", "text", "wire", "crypto", "media", "Error", "Result",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The names `crate::NAME` a source file uses (comments, which may mention a layer above,
/// left out).
fn named(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    code.match_indices("crate::")
        .map(|(i, _)| {
            code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn each_layer_names_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    for path in all {
        let rel = path.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|s| s.trim_end_matches(".rs"))
            .expect("a module");
        if top == "lib" {
            continue;
        }
        let allowed = LAYERS
            .iter()
            .find(|(m, _)| *m == top)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{top}: a module the layering does not know"));
        let source = std::fs::read_to_string(&path).expect("read");
        for n in named(&source) {
            assert!(
                n == top
                    || allowed.contains(&n.as_str())
                    || BELOW_EVERY_LAYER.contains(&n.as_str()),
                "{}: names crate::{n}, a layer above {top}",
                rel.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 30, "only {checked} files found");
}

#[test]
fn the_check_sees_a_reference_upwards() {
    let upwards = "use crate::store::visits;\nfn f() { crate::visit::start(); }";
    let found = named(upwards);
    assert!(found.contains("store") && found.contains("visit"));
    assert!(!LAYERS
        .iter()
        .find(|(m, _)| *m == "rules")
        .map(|(_, a)| a.contains(&"store"))
        .unwrap_or(true));
}
