//! Compiles every policy pack in `data/packs/` into the binary, so that a new city's notice
//! is a new file, not new code.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("data/packs");
    println!("cargo:rerun-if-changed=data/packs");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("data/packs")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let root = env::var("CARGO_MANIFEST_DIR").expect("manifest dir");
    let mut out = String::from("/// The policy packs of `data/packs/`, as (file name, text).\npub static EMBEDDED_PACKS: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=data/packs/{n}");
        out.push_str(&format!(
            "    ({n:?}, include_str!(\"{root}/data/packs/{n}\")),\n"
        ));
    }
    out.push_str("];\n");
    fs::write(
        Path::new(&env::var("OUT_DIR").expect("out dir")).join("packs.rs"),
        out,
    )
    .expect("write packs.rs");
}
