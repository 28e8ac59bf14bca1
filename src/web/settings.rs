//! The pages' settings for this process: whether the session cookie is `Secure` (behind a TLS
//! reverse proxy, `--cookie-secure`) and the session policy. Set once by `serve` or `demo`
//! before the server starts; tests keep the defaults (and move a session's clock instead).

use std::sync::RwLock;

use crate::service::sessions::SessionPolicy;

#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub cookie_secure: bool,
    pub policy: SessionPolicy,
}

static SETTINGS: RwLock<Settings> = RwLock::new(Settings { cookie_secure: false, policy: SessionPolicy::DEFAULT });

/// Replaces the settings (the command line, before serving).
pub fn install(s: Settings) {
    if let Ok(mut w) = SETTINGS.write() {
        *w = s;
    }
}

pub fn current() -> Settings {
    SETTINGS.read().map(|s| *s).unwrap_or_default()
}
