//! Read-only queries the pages need and the API does not answer (an institution's staff list
//! with status, its deductions and objections): batch reads over the ledger and projections.
