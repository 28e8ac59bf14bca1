//! The inputs that found bugs, kept: each file of `tests/fixtures/fuzz/` (named after what it
//! does) read every way, within the harness's bounds, with the answer it now gets. Before the
//! guards of `sheets::workbook`, the first two aborted the whole process (calamine asked for 44
//! TB and 96 GB: `memory allocation … failed`, SIGABRT), the third made calamine read for
//! ever, growing its buffer. Cases built in code rather than kept as files are in `bombs.rs`;
//! the calendar upload that broke the hash chains is in `tests/fuzz_http.rs`.

use super::harness::fixtures;
use super::sheets::check_file;

const EXPECTED: [(&str, &str); 4] = [
    ("xls_dimensions_4e9_rows.xls", "unsupported_file"),
    ("xlsx_shared_strings_4e9.xlsx", "unreadable_file"),
    ("xls_directory_chain_loops.xls", "unreadable_file"),
    ("xls_cell_at_65536_65536.xls", "unsupported_file"),
];

#[test]
fn every_input_that_found_a_bug_is_refused_within_the_bounds() {
    let dir = format!("{}/tests/fixtures/fuzz", env!("CARGO_MANIFEST_DIR"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(names.len() >= EXPECTED.len(), "{names:?}");
    for (name, bytes) in fixtures().iter().filter(|(n, _)| names.contains(n)) {
        let got = check_file("regression", bytes.clone());
        if let Some((_, code)) = EXPECTED.iter().find(|(n, _)| n == name) {
            assert!(got.iter().all(|r| *r == Err(*code)), "{name}: {got:?}");
        }
    }
}
