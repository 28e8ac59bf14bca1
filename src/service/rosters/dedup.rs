//! Duplicates within one file, found in a single pass with compact memory: every code and ID
//! number seen is kept once in a string arena and found again through a 64-bit hash, so a
//! 5 × 10⁵-row file costs some 40 bytes a row here instead of two `HashMap<String, …>`.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Strings seen, each kept once, found by hash (collisions compared in full).
#[derive(Default)]
pub(super) struct Interned {
    text: String,
    /// The end of each string in `text` (its start is the previous end).
    ends: Vec<u32>,
    /// Hash → the first string with that hash.
    by_hash: HashMap<u64, u32>,
    /// The rare second string of a hash already taken.
    collided: HashMap<String, u32>,
}

impl Interned {
    fn get(&self, i: u32) -> &str {
        let end = self.ends[i as usize] as usize;
        let start = if i == 0 { 0 } else { self.ends[i as usize - 1] as usize };
        &self.text[start..end]
    }

    /// The index of `s`, if it was seen.
    pub fn find(&self, s: &str) -> Option<u32> {
        match self.by_hash.get(&hash(s)) {
            Some(&i) if self.get(i) == s => Some(i),
            Some(_) => self.collided.get(s).copied(),
            None => None,
        }
    }

    /// The index of `s`, added when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.find(s) {
            return i;
        }
        let i = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        let h = hash(s);
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(s.to_string(), i);
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        i
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Why a row repeats an earlier one.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Duplicate {
    /// The same 医保对应代码 as this earlier row.
    Code(u64),
    /// The same ID number as this earlier row, with another code.
    IdNumber(u64),
}

/// One row per code, one code per ID number, in the order the rows come.
#[derive(Default)]
pub(super) struct InFile {
    codes: Interned,
    /// By code index: the first row with that code.
    code_row: Vec<u64>,
    ids: Interned,
    /// By ID index: (code index, row) of the first row with that ID number.
    id_first: Vec<(u32, u64)>,
}

impl InFile {
    /// Checks a row against the rows before it and remembers it: the code's first row stays the
    /// one every later row is compared with, and an ID number is held by the first code given.
    pub fn check(&mut self, row: u64, code: &str, id: &str) -> Vec<Duplicate> {
        let mut out = Vec::new();
        let before = self.codes.ends.len() as u32;
        let c = self.codes.intern(code);
        if c < before {
            out.push(Duplicate::Code(self.code_row[c as usize]));
        } else {
            self.code_row.push(row);
        }
        let before = self.ids.ends.len() as u32;
        let i = self.ids.intern(id);
        if i < before {
            let (first_code, first_row) = self.id_first[i as usize];
            if first_code != c {
                out.push(Duplicate::IdNumber(first_row));
            }
        } else {
            self.id_first.push((c, row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_of_a_code_or_an_id_number_is_the_one_repeated() {
        let mut f = InFile::default();
        assert!(f.check(2, "D1", "A").is_empty());
        assert_eq!(f.check(3, "D1", "A"), [Duplicate::Code(2)]);
        assert_eq!(f.check(4, "D2", "A"), [Duplicate::IdNumber(2)]);
        assert_eq!(f.check(5, "D1", "B"), [Duplicate::Code(2)]);
        assert!(f.check(6, "D3", "C").is_empty());
        assert_eq!(f.check(7, "D3", "C"), [Duplicate::Code(6)]);
    }

    #[test]
    fn interned_strings_are_found_again() {
        let mut s = Interned::default();
        let words: Vec<String> = (0..10_000).map(|k| format!("D{k:06}")).collect();
        for w in &words {
            s.intern(w);
        }
        for (k, w) in words.iter().enumerate() {
            assert_eq!(s.find(w), Some(k as u32));
        }
        assert_eq!(s.find("nope"), None);
    }
}
