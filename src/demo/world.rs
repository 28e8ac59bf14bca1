//! A deterministic synthetic 济宁: the 11 counties, hospitals of several sizes, clinics and
//! retail pharmacies, practitioners of the five categories with valid ID numbers and codes,
//! multi-site physicians, and two years of inspections with a realistic skew (most people
//! 0 points, a long tail up to terminations).

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const COUNTIES: [(&str, &str); 11] = [
    ("370811", "任城区"),
    ("370812", "兖州区"),
    ("370826", "微山县"),
    ("370827", "鱼台县"),
    ("370828", "金乡县"),
    ("370829", "嘉祥县"),
    ("370830", "汶上县"),
    ("370831", "泗水县"),
    ("370832", "梁山县"),
    ("370881", "曲阜市"),
    ("370883", "邹城市"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "孔", "颜", "孟",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕", "晓东", "立新", "淑珍", "春梅", "国庆", "雪",
    "鹏", "宇", "欣", "浩",
];

#[derive(Debug, Clone)]
pub struct Institution {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub region: &'static str,
    pub staff: usize,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub code: String,
    pub name: String,
    pub id_number: String,
    pub category: &'static str,
    pub birth: NaiveDate,
    pub phone: String,
    /// Institution indexes; the first is the main site.
    pub sites: Vec<usize>,
    pub registered_on: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Inspection {
    pub reference: String,
    pub institution: usize,
    pub inspected_on: NaiveDate,
    pub decided_on: NaiveDate,
    /// (person index, items)
    pub violations: Vec<(usize, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct Test {
    pub person: usize,
    pub tested_on: NaiveDate,
    pub open_book: bool,
    pub score: i32,
    pub passed: bool,
}

#[derive(Debug, Clone)]
pub struct World {
    pub institutions: Vec<Institution>,
    pub people: Vec<Person>,
    pub inspections: Vec<Inspection>,
    pub tests: Vec<Test>,
    /// (institution index, from, until): agreements suspended by the agency.
    pub suspensions: Vec<(usize, NaiveDate, NaiveDate)>,
}

fn id_number(region: &str, birth: NaiveDate, seq: u32) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", C[(sum % 11) as usize])
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Builds the world for `practitioners` people (the institutions scale with it).
pub fn generate(seed: u64, practitioners: usize) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let n_inst = (practitioners / 40).clamp(12, 5_000);
    let mut institutions = Vec::with_capacity(n_inst);
    let mut serial = [0u32; 11];
    for k in 0..n_inst {
        let c = k % COUNTIES.len();
        let (region, county) = COUNTIES[c];
        serial[c] += 1;
        // A few big hospitals, many clinics, a third pharmacies.
        let (kind, staff, name) = match k % 30 {
            0 => ("medical", rng.gen_range(600..1200), format!("{county}人民医院")),
            1 | 2 => ("medical", rng.gen_range(150..400), format!("{county}中医院第{}分院", serial[c])),
            3..=19 => ("medical", rng.gen_range(3..30), format!("{county}第{}卫生院", serial[c])),
            _ => ("pharmacy", rng.gen_range(2..6), format!("{county}康泰大药房第{}店", serial[c])),
        };
        let prefix = if kind == "pharmacy" { 'P' } else { 'H' };
        institutions.push(Institution { code: format!("{prefix}{region}{:05}", serial[c]), name, kind, region, staff });
    }
    // Scale staff so the total is close to the target.
    let total: usize = institutions.iter().map(|i| i.staff).sum();
    for i in institutions.iter_mut() {
        i.staff = (i.staff * practitioners / total.max(1)).max(1);
    }

    let mut people = Vec::with_capacity(practitioners);
    let mut used_ids = std::collections::HashSet::new();
    let mut person_serial = [0u32; 11];
    for (idx, inst) in institutions.iter().enumerate() {
        let c = COUNTIES.iter().position(|(r, _)| *r == inst.region).unwrap_or(0);
        for _ in 0..inst.staff {
            person_serial[c] += 1;
            let category = if inst.kind == "pharmacy" {
                "pharmacist"
            } else {
                match rng.gen_range(0..100) {
                    0..=44 => "physician",
                    45..=84 => "nurse",
                    85..=91 => "pharmacist",
                    92..=97 => "technician",
                    _ => "carer",
                }
            };
            let prefix = match category {
                "physician" => "D",
                "nurse" => "N",
                "pharmacist" => "HY",
                "technician" => "HJ",
                _ => "ZH",
            };
            let mut birth = date(rng.gen_range(1958..2001), rng.gen_range(1..13), rng.gen_range(1..29));
            let seq = person_serial[c];
            // One ID number per person: move the birthday on until it is free.
            while !used_ids.insert(id_number(inst.region, birth, seq)) {
                birth = birth.succ_opt().unwrap_or(birth);
            }
            let name =
                format!("{}{}", SURNAMES[rng.gen_range(0..SURNAMES.len())], GIVEN[rng.gen_range(0..GIVEN.len())]);
            people.push(Person {
                code: format!("{prefix}{}{:06}", inst.region, seq),
                name,
                id_number: id_number(inst.region, birth, seq),
                category,
                birth,
                phone: format!("13{:09}", rng.gen_range(0..1_000_000_000u64)),
                sites: vec![idx],
                registered_on: date(rng.gen_range(2018..2024), rng.gen_range(1..13), 1),
            });
        }
    }
    // ~5 % of physicians also practise at a second medical institution of the county (多点执业).
    let medical: Vec<usize> = (0..institutions.len()).filter(|&i| institutions[i].kind == "medical").collect();
    for p in people.iter_mut().filter(|p| p.category == "physician") {
        if rng.gen_range(0..100) < 11 {
            let region = institutions[p.sites[0]].region;
            let same: Vec<usize> =
                medical.iter().copied().filter(|&i| institutions[i].region == region && i != p.sites[0]).collect();
            if !same.is_empty() {
                p.sites.push(same[rng.gen_range(0..same.len())]);
            }
        }
    }

    // Two years of inspections: each month some institutions are checked; most findings are
    // small, a few are serious.
    let items_by_size: [&[&str]; 4] = [
        &["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"],
        &["3.1", "3.2", "3.3", "3.4", "3.5"],
        &["6.1", "6.2", "6.3", "6.4"],
        &["12.1", "12.2", "12.3", "12.4", "12.5", "12.6"],
    ];
    let mut staff_of: Vec<Vec<usize>> = vec![Vec::new(); institutions.len()];
    for (k, p) in people.iter().enumerate() {
        for &s in &p.sites {
            staff_of[s].push(k);
        }
    }
    let mut inspections = Vec::new();
    let per_month = (institutions.len() / 12).max(2);
    // 七: the notice is in force from its issue (2024-03-29); what an inspection before it found
    // is not scored. Such draws are dropped after drawing, so the rest of the city stays the same.
    let in_force = crate::rules::PackSet::embedded().map_or(NaiveDate::MIN, |p| p.first_effective());
    for year in [2024, 2025] {
        for month in 1..=12u32 {
            for _ in 0..per_month {
                let inst = rng.gen_range(0..institutions.len());
                if staff_of[inst].is_empty() {
                    continue;
                }
                let inspected_on = date(year, month, rng.gen_range(1..25));
                let decided_on = inspected_on + chrono::Duration::days(rng.gen_range(0..4));
                let n = 1 + rng.gen_range(0..3) * usize::from(rng.gen_bool(0.4));
                let mut violations = Vec::new();
                for _ in 0..n {
                    let person = staff_of[inst][rng.gen_range(0..staff_of[inst].len())];
                    let size = match rng.gen_range(0..1000) {
                        0..=779 => 0,
                        780..=939 => 1,
                        940..=989 => 2,
                        _ => 3,
                    };
                    let list = items_by_size[size];
                    let mut items = vec![list[rng.gen_range(0..list.len())].to_string()];
                    if rng.gen_bool(0.15) {
                        items.push(items_by_size[0][rng.gen_range(0..8)].to_string());
                    }
                    // One act is one violation: a draw repeating another's person and items in
                    // the same inspection is dropped (the draws stay the same, so does the city).
                    let mut key = items.clone();
                    key.sort();
                    key.dedup();
                    let repeat = violations.iter().any(|(p, i): &(usize, Vec<String>)| {
                        let mut other = i.clone();
                        other.sort();
                        other.dedup();
                        *p == person && other == key
                    });
                    if !repeat {
                        violations.push((person, items));
                    }
                }
                if inspected_on < in_force {
                    continue;
                }
                let reference = format!("JN{}{:02}-{:05}", year, month, inspections.len() + 1);
                inspections.push(Inspection { reference, institution: inst, inspected_on, decided_on, violations });
            }
        }
    }
    inspections.sort_by_key(|i| (i.decided_on, i.reference.clone()));

    // The annual training test for everyone, in the autumn; about 2 % fail.
    let mut tests = Vec::new();
    for year in [2024, 2025] {
        for (k, p) in people.iter().enumerate() {
            let tested_on = date(year, 10, rng.gen_range(12..31));
            let age = tested_on.year()
                - p.birth.year()
                - i32::from((tested_on.month(), tested_on.day()) < (p.birth.month(), p.birth.day()));
            let score = rng.gen_range(40..101);
            tests.push(Test { person: k, tested_on, open_book: age >= 50, score, passed: score >= 42 });
        }
    }

    // A few agreements suspended by the agency for their own violations.
    let mut suspensions = Vec::new();
    for k in 0..(institutions.len() / 300).max(1) {
        let inst = (k * 97 + 13) % institutions.len();
        suspensions.push((inst, date(2025, 3 + k as u32 % 6, 1), date(2025, 6 + k as u32 % 6, 1)));
    }
    World { institutions, people, inspections, tests, suspensions }
}
