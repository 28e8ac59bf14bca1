//! Validated values: once parsed, valid everywhere (no re-validation deeper down).

pub mod codes;
pub mod dates;
pub mod id_number;
pub mod limits;
pub mod money;
pub mod regions;
pub mod score;

pub use codes::{region_of, Category, CodeFormats, InstitutionCode, InstitutionKind, PersonnelCode};
pub use id_number::IdNumber;
pub use money::Fen;
pub use score::Score;
