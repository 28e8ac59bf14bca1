//! Every output of the engine carries why: the rule, its article, the deductions behind it,
//! in Chinese and English, so it can be shown to the person it affects.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// The article of the policy text, e.g. `五(一)`.
    pub article: String,
    /// The policy pack the rule was read from.
    pub policy: String,
    pub zh: String,
    pub en: String,
    /// The deductions that led here.
    pub deduction_ids: Vec<i64>,
}
