//! Compiles every policy pack in `data/packs/` and every calendar in `data/calendar/` into
//! the binary, so that a new city's notice or a new year's holidays is a new file, not new code.

use std::{env, fs, path::Path};

fn main() {
    let packs = embed("packs", "EMBEDDED_PACKS", "The policy packs of `data/packs/`");
    let calendars = embed("calendar", "EMBEDDED_CALENDARS", "The working-day calendars of `data/calendar/`");
    let out = Path::new(&env::var("OUT_DIR").expect("out dir")).join("data.rs");
    fs::write(out, packs + &calendars).expect("write data.rs");
}

/// `pub static NAME: &[(&str, &str)]` of every `data/{folder}/*.toml`, as (file name, text).
fn embed(folder: &str, name: &str, doc: &str) -> String {
    println!("cargo:rerun-if-changed=data/{folder}");
    let mut names: Vec<String> = fs::read_dir(Path::new("data").join(folder))
        .unwrap_or_else(|e| panic!("data/{folder}: {e}"))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let root = env::var("CARGO_MANIFEST_DIR").expect("manifest dir");
    let mut out = format!("/// {doc}, as (file name, text).\npub static {name}: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed=data/{folder}/{n}");
        out.push_str(&format!("    ({n:?}, include_str!(\"{root}/data/{folder}/{n}\")),\n"));
    }
    out.push_str("];\n");
    out
}
