//! Facts: inserted, never updated or deleted. Each function is one query; transactions and
//! locks belong to the service layer.

mod auth;
mod calendar;
mod cases;
mod engine_input;
mod inspections;
mod institutions;
mod intents;
mod practitioners;
mod training_tests;

pub use auth::*;
pub use calendar::*;
pub use cases::*;
pub use engine_input::*;
pub use inspections::*;
pub use institutions::*;
pub use intents::*;
pub use practitioners::*;
pub use training_tests::*;

type Q<T> = diesel::QueryResult<T>;
