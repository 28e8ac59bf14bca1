//! The officer's workbench (officers and admins; a county officer sees the county only, as the
//! service decides): `/search`, `/inspections/new` with the engine's preview before anything is
//! recorded, `/inspections/upload` (the batch violations file), the recorded inspection, the points chart and the corrections on the person page,
//! `/watch-list`, and the officer's view of `/interview-orders`. The city's figures are
//! `web/dashboard.rs`. Charts are SVG drawn here in Rust from the service's figures (`svg.rs`):
//! no JavaScript, and every chart has its numbers beside it as a table.

pub mod inspections;
pub mod interview_orders;
pub mod person;
pub mod search;
pub mod svg;
pub mod upload;
pub mod watch_list;

use super::paths;
use crate::service::tokens::Role;

/// The workbench's entries in the navigation, after the pages every role has.
pub fn nav_links(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Officer => &[
            (paths::SEARCH, "查询"),
            (paths::INSPECTIONS_NEW, "录入检查"),
            (paths::INSPECTIONS_UPLOAD, "批量上传"),
            (paths::WATCH_LIST, "重点监控"),
            (paths::DASHBOARD, "统计"),
        ],
        // The admin's nav must stay on one line at 1366 px: the upload is linked from 录入检查.
        Role::Admin => &[
            (paths::SEARCH, "查询"),
            (paths::INSPECTIONS_NEW, "录入检查"),
            (paths::WATCH_LIST, "重点监控"),
            (paths::DASHBOARD, "统计"),
        ],
        _ => &[],
    }
}
