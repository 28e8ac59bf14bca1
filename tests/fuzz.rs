//! Fuzzing the parsers (issue 16, "Hostile and broken input"): every spreadsheet format and
//! encoding jifen reads, the value parsers and the policy-pack TOML, on random, mutated and
//! hand-made hostile input. The property, checked by `fuzz/harness.rs` for every case: an
//! error or a result — never a panic, never a hang (each case runs on its own thread with a
//! deadline), never more than 64 bytes per input byte plus 32 MiB at its peak (a counting
//! global allocator). `JIFEN_FUZZ_CASES` sets the cases per target (CI runs the default);
//! README "Reliability" gives the long run, `docs/reliability.md` its figures.

#[path = "fuzz/bombs.rs"]
mod bombs;
#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/regressions.rs"]
mod regressions;
#[path = "fuzz/sheets.rs"]
mod sheets;
#[path = "fuzz/values.rs"]
mod values;

#[global_allocator]
static ALLOCATOR: harness::Counting = harness::Counting;
