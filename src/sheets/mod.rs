//! Spreadsheets in and out (CSV): the encodings people have, headers in Chinese or English,
//! row numbers (the header is row 1), and exports Excel opens.

pub mod columns;
pub mod decode;
pub mod export;

pub use columns::{parse_sheet_date, Column, Header};
pub use decode::{decode, Detected};
