//! `jifen demo` and `jifen generate`: a realistic synthetic city to run and to load-test.

mod catalogue;
pub mod export;
pub mod load;
pub mod world;

pub use load::{load, Loaded};
pub use world::{generate, World};
