//! Read-only use-cases for the pages (an institution's staff with status, its home figures,
//! its objections): each takes the caller and checks it, like every use-case.
