//! The inputs that found bugs, kept: each file of `tests/fixtures/fuzz/` (named after what it
//! broke) read every way, and the literals below through their parsers.

use super::harness::fixtures;
use super::sheets::check_file;

#[test]
fn every_input_that_found_a_bug_is_an_error_or_a_result() {
    let dir = format!("{}/tests/fixtures/fuzz", env!("CARGO_MANIFEST_DIR"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    for (name, bytes) in fixtures().iter().filter(|(n, _)| names.contains(n)) {
        eprintln!("regression {name}");
        check_file("regression", bytes.clone());
    }
}
