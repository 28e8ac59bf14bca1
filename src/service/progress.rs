//! How far a long upload has gone: reading the file, checking its rows against the ledger, then
//! writing. The use-cases report it through a `&mut dyn FnMut(Progress)`; the command line draws
//! it as a bar, and an upload run as a job (`service::jobs`) keeps the latest for the page's
//! `<progress>` bar and `GET /api/v1/jobs/{id}`.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not started yet (a job waiting for its thread).
    Queued,
    /// Reading and parsing the file; the total is not known until the end.
    Reading,
    /// Each row against the ledger (the person, the name, the pass mark, registrations).
    Checking,
    /// The accepted rows, in one write.
    Writing,
    /// Finished (or refused).
    Done,
}

impl Phase {
    pub fn zh(self) -> &'static str {
        match self {
            Phase::Queued => "排队中",
            Phase::Reading => "读取文件",
            Phase::Checking => "逐行检查",
            Phase::Writing => "写入",
            Phase::Done => "完成",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Queued => "queued",
            Phase::Reading => "reading",
            Phase::Checking => "checking",
            Phase::Writing => "writing",
            Phase::Done => "done",
        }
    }
}

/// One report: the phase, the rows done in it and, once known, how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub phase: Phase,
    pub rows_done: u64,
    /// `None` while reading (the file's length in rows is not known before its end).
    pub rows_total: Option<u64>,
}

impl Progress {
    pub fn reading(rows_done: u64) -> Progress {
        Progress { phase: Phase::Reading, rows_done, rows_total: None }
    }

    pub fn checking(rows_done: u64, rows_total: usize) -> Progress {
        Progress { phase: Phase::Checking, rows_done, rows_total: Some(rows_total as u64) }
    }

    pub fn writing(rows_done: u64, rows_total: usize) -> Progress {
        Progress { phase: Phase::Writing, rows_done, rows_total: Some(rows_total as u64) }
    }

    /// Whole percent of the phase, when its total is known.
    pub fn percent(&self) -> Option<u64> {
        self.rows_total.map(|t| (self.rows_done.min(t) * 100).checked_div(t).unwrap_or(100))
    }

    /// `读取文件：已读取1200行` / `逐行检查：300/1200行`, for the command line and the page.
    pub fn label_zh(&self) -> String {
        match self.rows_total {
            Some(t) => format!("{}：{}/{}行", self.phase.zh(), self.rows_done, t),
            None => format!("{}：已读取{}行", self.phase.zh(), self.rows_done),
        }
    }
}
