//! The pages' CSS and the vendored htmx, embedded in the binary (an offline intranet has no
//! CDN) and served under `/static/` with a year-long cache: each URL carries a hash of the
//! file, so a new release is fetched anew.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

/// (name, content type, bytes). htmx 2.0.11 from npm (`htmx.org`), licence in `static/`.
const FILES: &[(&str, &str, &[u8])] = &[
    ("style.css", "text/css; charset=utf-8", include_bytes!("../../static/style.css")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../static/htmx-2.0.11.min.js")),
    ("htmx.LICENSE", "text/plain; charset=utf-8", include_bytes!("../../static/htmx.LICENSE")),
];

fn find(name: &str) -> Option<&'static (&'static str, &'static str, &'static [u8])> {
    FILES.iter().find(|(n, _, _)| *n == name)
}

/// `/static/NAME?v=HASH`: the URL templates use.
pub fn url(name: &str) -> String {
    static HASHES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        FILES
            .iter()
            .map(|(n, _, b)| (*n, Sha256::digest(b).iter().take(5).map(|x| format!("{x:02x}")).collect()))
            .collect()
    });
    let v = hashes.iter().find(|(n, _)| *n == name).map_or("", |(_, h)| h.as_str());
    format!("/static/{name}?v={v}")
}

/// `GET /static/{name}`.
pub async fn serve(path: web::Path<String>) -> HttpResponse {
    match find(&path.into_inner()) {
        Some((_, ctype, bytes)) => HttpResponse::Ok()
            .content_type(*ctype)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(*bytes),
        None => HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("not found"),
    }
}
