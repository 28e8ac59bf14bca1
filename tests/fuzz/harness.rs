//! What every fuzz case is held to: it ends (an error or a result) within [`CASE_DEADLINE`],
//! without a panic, and allocates at most [`memory_bound`] at its peak. The peak is measured
//! by a counting global allocator; cases run one at a time (a lock) so that the count is the
//! case's own, worker threads included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The system allocator, counting the bytes live and their peak.
pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// A case that has not ended by then hangs (debug build, 2 shared cores: generous).
pub const CASE_DEADLINE: Duration = Duration::from_secs(20);

/// The most a case may allocate at its peak: 64 bytes per input byte plus 32 MiB.
pub fn memory_bound(input_len: usize) -> usize {
    64 * input_len + (32 << 20)
}

/// Cases per target: `JIFEN_FUZZ_CASES`, else `default` (the CI run).
pub fn cases(default: u32) -> u32 {
    std::env::var("JIFEN_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The proptest configuration of a target: `cases(default)` cases, no persisted failures
/// (a failing input is printed and kept under `tests/fixtures/fuzz/` by hand).
pub fn config(default: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: cases(default),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..proptest::test_runner::Config::default()
    }
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What one case used: its peak allocation, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Used {
    pub peak: usize,
}

/// Runs `case` on a thread of its own and holds it to the property of the module doc;
/// panics (failing the proptest case, which then shrinks it) when it does not hold.
pub fn bounded<T: Send + 'static>(target: &str, input: &[u8], case: impl FnOnce() -> T + Send + 'static) -> (T, Used) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .name(format!("fuzz-{target}"))
        .spawn(move || {
            let out = case();
            let _ = tx.send(());
            out
        })
        .expect("spawn a case thread");
    match rx.recv_timeout(CASE_DEADLINE) {
        Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{target}: no answer within {CASE_DEADLINE:?} (a hang) on {}", show(input))
        }
    }
    let out = match worker.join() {
        Ok(out) => out,
        Err(_) => panic!("{target}: panicked on {}", show(input)),
    };
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let bound = memory_bound(input.len());
    assert!(peak <= bound, "{target}: peak allocation {peak} B over the bound {bound} B on {}", show(input));
    (out, Used { peak })
}

/// An input as a byte-string literal (its first 256 bytes), the whole of it written to
/// `target/tmp/fuzz-failure-<hash>.bin` to keep under `tests/fixtures/fuzz/`.
pub fn show(input: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    input.hash(&mut h);
    let path = format!("{}/fuzz-failure-{:016x}.bin", env!("CARGO_TARGET_TMPDIR"), h.finish());
    let saved = std::fs::write(&path, input).map(|_| path).unwrap_or_else(|e| format!("(not saved: {e})"));
    let cut = &input[..input.len().min(256)];
    format!("b\"{}\" ({} bytes, saved as {saved})", cut.escape_ascii(), input.len())
}

/// The files the sheet targets start from: every spreadsheet fixture of the repository.
pub fn fixtures() -> &'static [(String, Vec<u8>)] {
    static ALL: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    ALL.get_or_init(read_fixtures)
}

fn read_fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["tests/fixtures/sheets", "tests/fixtures", "tests/fixtures/fuzz"] {
        let path = format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"));
        let Ok(entries) = std::fs::read_dir(&path) else { continue };
        let mut names: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        names.sort();
        for p in names {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if p.is_file() && matches!(ext, "csv" | "tsv" | "txt" | "xlsx" | "xls" | "bin") {
                out.push((
                    p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    assert!(out.len() >= 15, "the fixtures are there: {}", out.len());
    out
}
