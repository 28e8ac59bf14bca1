//! `/search?q=`: one box for a personnel code, an institution code, a name (namesakes told
//! apart by their institutions) or the last 6 digits of an ID number. Results are limited to the
//! caller's scope (a county officer sees the county's people and institutions, hr its own
//! institution) and masked as the role requires: ID numbers in full only for officers, the
//! agency, admins and the holder's institution (DESIGN.md "Identifiers and personal data", the
//! README's table of roles), each such answer written to the audit trail as a read.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::tokens::Role;
use super::{Action, App, Caller};
use crate::domain::id_number::mask_id_number;
use crate::domain::Category;
use crate::error::Result;
use crate::store::workbench::{self, PersonQuery};

/// At most this many registrations are read for one search (a common name in a city).
const PEOPLE_MAX: i64 = 200;
const INSTITUTIONS_MAX: i64 = 50;

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub q: String,
    /// How the box was read: `code`, `id_number`, `name`, or `none` (too short to search).
    pub read_as: &'static str,
    pub people: Vec<PersonFound>,
    pub institutions: Vec<InstitutionFound>,
    /// More matched than are listed: a longer query narrows them.
    pub truncated: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonFound {
    pub personnel_code: String,
    pub name: String,
    /// In full for officers, the agency, admins and the holder's institution; masked otherwise.
    pub id_number: String,
    pub category: String,
    pub category_zh: &'static str,
    /// The person's registrations in the caller's scope: how namesakes are told apart.
    pub sites: Vec<SiteFound>,
    /// Registrations outside the caller's scope (counted, not named).
    pub other_sites: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteFound {
    pub institution_code: String,
    pub institution_name: String,
    pub registered_on: NaiveDate,
    pub deregistered_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionFound {
    pub code: String,
    pub name: String,
}

/// How a query is read (see the module's doc).
fn read_query(q: &str) -> Option<(PersonQuery, &'static str)> {
    let upper = q.to_ascii_uppercase();
    let digits = upper.trim_end_matches('X');
    if !upper.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // The last six digits (the sequence and check digit), or a whole number.
        return (upper.len() >= 6).then(|| (PersonQuery::IdTail(upper.clone()), "id_number"));
    }
    let first = upper.chars().next()?;
    if first.is_ascii_alphabetic() && upper.chars().all(|c| c.is_ascii_alphanumeric()) {
        return (upper.len() >= 3).then(|| (PersonQuery::Code(upper.clone()), "code"));
    }
    Some((PersonQuery::Name(q.to_string()), "name"))
}

impl App {
    /// The search box of the workbench (officer, admin, agency, hr), in the caller's scope.
    pub fn search(&self, caller: &Caller, q: &str) -> Result<SearchResults> {
        caller.permit(Action::ReadPractitioner)?;
        let q = q.trim();
        crate::domain::limits::check_name("q", q)?;
        let Some((query, read_as)) = read_query(q) else {
            return Ok(SearchResults {
                q: q.to_string(),
                read_as: "none",
                people: Vec::new(),
                institutions: Vec::new(),
                truncated: false,
            });
        };
        // hr: its institution's county narrows the query; the institution itself filters below.
        let region = match caller.role {
            Role::Hr => caller.institution_code.as_deref().and_then(crate::domain::codes::region_of),
            _ => caller.region(),
        };
        let mut c = self.conn()?;
        let hits = workbench::people_matching(&mut c, &query, region, PEOPLE_MAX + 1)?;
        let mut truncated = hits.len() as i64 > PEOPLE_MAX;
        let mut codes: Vec<String> = hits.iter().map(|h| h.personnel_code.clone()).collect();
        codes.dedup();
        codes.truncate(50);
        truncated |= codes.len() == 50;
        let all = workbench::registrations_of_people(&mut c, &codes)?;
        let mut people: BTreeMap<String, PersonFound> = BTreeMap::new();
        for h in all {
            let full_id = match caller.role {
                Role::Admin | Role::Officer | Role::Agency => true,
                Role::Hr => caller.institution_code.as_deref() == Some(h.institution_code.as_str()),
                Role::Settlement => false,
            };
            let in_scope = caller.covers_institution(&h.institution_code);
            let p = people.entry(h.personnel_code.clone()).or_insert_with(|| PersonFound {
                personnel_code: h.personnel_code.clone(),
                name: h.name.clone(),
                id_number: mask_id_number(&h.id_number),
                category_zh: Category::parse("category", &h.category).map_or("", |c| c.name_zh()),
                category: h.category.clone(),
                sites: Vec::new(),
                other_sites: 0,
            });
            if full_id && in_scope {
                p.id_number = h.id_number.clone();
            }
            if in_scope {
                p.sites.push(SiteFound {
                    institution_code: h.institution_code,
                    institution_name: h.institution_name,
                    registered_on: h.registered_on,
                    deregistered_on: h.deregistered_on,
                });
            } else {
                p.other_sites += 1;
            }
        }
        let people: Vec<PersonFound> = people.into_values().filter(|p| !p.sites.is_empty()).collect();
        let institutions = match &query {
            PersonQuery::Code(code) => workbench::institutions_by_code(&mut c, code, region, INSTITUTIONS_MAX)?
                .into_iter()
                .filter(|(code, _)| caller.covers_institution(code))
                .map(|(code, name)| InstitutionFound { code, name })
                .collect(),
            _ => Vec::new(),
        };
        let unmasked: Vec<String> =
            people.iter().filter(|p| !p.id_number.contains('*')).map(|p| p.personnel_code.clone()).collect();
        if !unmasked.is_empty() && !self.read_only {
            // Who looked at whose ID number: the trail answers it, as for roster exports.
            super::audit::record_read(&mut c, caller, &unmasked)?;
        }
        Ok(SearchResults { q: q.to_string(), read_as, people, institutions, truncated })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_is_read_as_a_code_an_id_tail_or_a_name() {
        assert_eq!(read_query("d370811000001").map(|x| x.1), Some("code"));
        assert_eq!(read_query("H37081100001").map(|x| x.1), Some("code"));
        assert_eq!(read_query("12345X").map(|x| x.1), Some("id_number"));
        assert_eq!(read_query("123456").map(|x| x.0), Some(PersonQuery::IdTail("123456".into())));
        assert_eq!(read_query("12345"), None, "too few digits to search");
        assert_eq!(read_query("张三").map(|x| x.1), Some("name"));
        assert_eq!(read_query("D3"), None);
    }
}
