//! The value parsers (ID numbers, codes, categories, dates, scores, amounts, cells Excel
//! damaged) and the policy-pack TOML on random and near-valid text. Each parse is an error or
//! a value, and a value keeps what the parser promises (an ID number is 18 characters whose
//! birth date is in range, an amount parsed back from its decimal is itself …).

use jifen::domain::codes::{Category, CodeFormats, InstitutionKind};
use jifen::domain::id_number::{mask_id_number, mask_name, mask_name_public};
use jifen::domain::{dates, limits, Fen, IdNumber, Score};
use jifen::rules::calendar::Calendar;
use jifen::rules::pack::{PackSet, PolicyPack};
use jifen::sheets::cell::{excel_general, from_serial};
use jifen::sheets::damage::{check_char, check_text, is_scientific, ValueKind};
use jifen::sheets::{parse_sheet_date, Cell};
use proptest::prelude::*;

use super::harness::{bounded, config};
use super::sheets::mutate;

/// Text near what each parser takes, and anything at all.
fn near_valid() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{17}[0-9Xx]",
        "[ 0-9Xx０-９ｘＸ'=\"]{0,24}",
        "[0-9]{1,3}[.Ee+]?[0-9]{0,20}([Ee]\\+?[0-9]{1,3})?",
        "-?[0-9]{0,40}(\\.[0-9]{0,40})?(分|元)?",
        "[０-９．]{0,8}分?",
        "[0-9]{1,6}[-/.年][0-9]{1,3}[-/.月][0-9]{1,3}日?( [0-9:]{0,8})?",
        "[A-Z]{0,3}[0-9]{0,16}",
        "[DNYJHZP]{1,2}[0-9]{6}[0-9]{3,8}",
        "[0-9 .、．]{0,3}(医保)?(医师|护士|药师|技师|照护员|physician|nurse)",
        "[+ \\-0-9]{0,24}",
    ]
}

/// Every parser on one text; the properties of what each accepts.
fn parse_all(s: &str) {
    if let Ok(id) = IdNumber::parse("id_number", s) {
        assert_eq!(id.as_str().len(), 18, "{s:?}");
        let _ = id.birth_date();
        assert_eq!(IdNumber::parse("id_number", id.as_str()).ok().as_ref().map(IdNumber::as_str), Some(id.as_str()));
        let _ = id.masked();
    }
    static FORMATS: std::sync::OnceLock<CodeFormats> = std::sync::OnceLock::new();
    let formats = FORMATS.get_or_init(CodeFormats::embedded);
    for c in Category::ALL {
        if let Ok(code) = formats.personnel_code("personnel_code", s, c) {
            assert!(code.as_str().is_ascii(), "{s:?}");
        }
    }
    for k in [InstitutionKind::Medical, InstitutionKind::Pharmacy] {
        if let Ok(code) = formats.institution_code("institution_code", s, k) {
            let _ = code.region();
        }
    }
    let _ = (Category::parse("category", s), InstitutionKind::parse("kind", s));
    if let Some(score) = Score::parse(s) {
        assert!(score.to_decimal() >= 0.into() && score.to_decimal() <= 1000.into(), "{s:?}");
        assert_eq!(Score::parse(&score.to_decimal().to_string()), Some(score), "{s:?}");
        let _ = (score.passes(60), serde_json::to_string(&score));
    }
    if let Ok(fen) = Fen::parse_yuan("fund_loss", s) {
        assert!(fen.0 >= 0, "{s:?}");
        assert_eq!(Fen::parse_yuan("fund_loss", &fen.to_decimal().to_string()).ok(), Some(fen), "{s:?}");
    }
    if let Ok(d) = dates::parse_date("date", s) {
        assert!(limits::date_in_range(d), "{s:?}");
        let _ = (dates::add_months(d, 1200), dates::age_on(d, limits::DATE_MAX));
    }
    let _ = parse_sheet_date(s);
    let _ = (limits::check_phone("phone", s), limits::check_name("name", s), limits::check_note("note", s));
    let _ = (mask_id_number(s), mask_name(s), mask_name_public(s));
    let _ = (is_scientific(s), check_char(s));
    for kind in [
        ValueKind::IdNumber,
        ValueKind::PersonnelCode,
        ValueKind::InstitutionCode,
        ValueKind::CertificateNo,
        ValueKind::Phone,
        ValueKind::Name,
    ] {
        let checked = check_text(kind, s);
        let _ = (checked.value(), checked.message_zh(), checked.message_en());
    }
    let _ = Cell::text(s).as_date();
}

/// Numbers a cell of a workbook may hold, as cells: shown as Excel shows them, read as dates.
fn number_cell(v: f64) {
    let c = Cell::number(v);
    let _ = (c.as_date(), excel_general(v), jifen::sheets::damage::check_field("id_number", &c));
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn value_parsers_on_any_text(s in near_valid()) {
        let input = s.clone().into_bytes();
        bounded("value parsers", &input, move || parse_all(&s));
    }

    #[test]
    fn numbers_and_serials_in_cells(v in prop_oneof![any::<f64>(), (0u64..3_000_000).prop_map(|n| n as f64), (1e14f64..1e19)], serial in any::<u64>(), whole in any::<i32>()) {
        bounded("number cells", &v.to_le_bytes(), move || {
            number_cell(v);
            let _ = (from_serial(serial), Score::from_whole(whole));
            let _ = Score::from_json(&serde_json::json!(v));
        });
    }
}

/// The embedded pack, and where in it an edit lands.
fn pack_text() -> &'static str {
    include_str!("../../data/packs/jining-2024.toml")
}

/// Line edits of a pack: drop a line, repeat it, or change its value to an extreme one.
fn edit_pack(text: &str, edits: &[(usize, u8, usize)]) -> String {
    const VALUES: [&str; 12] = [
        "0",
        "4294967295",
        "-1",
        "99999999999999999999",
        "\"\"",
        "\"9999-12-31\"",
        "\"2024-02-30\"",
        "[]",
        "{}",
        "1.5",
        "\"1.1\"",
        "nan",
    ];
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for &(at, kind, v) in edits {
        if lines.is_empty() {
            break;
        }
        let i = at % lines.len();
        match kind % 4 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                if let Some((key, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{key}= {}", VALUES[v % VALUES.len()]);
                }
            }
            _ => {
                let bytes = mutate(lines[i].clone().into_bytes(), &[(kind / 4, v, (v / 7) as u8, v / 3)]);
                lines[i] = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
    }
    lines.join("\n")
}

/// A pack parsed and, when valid, used: the set it makes, its bands, points for its items.
fn use_pack(text: &str) {
    let Ok(pack) = PolicyPack::from_toml("fuzz.toml", text) else { return };
    let from = pack.effective_from;
    let codes: Vec<String> = pack.items.iter().map(|i| i.code.clone()).collect();
    for total in [0, 1, 12, u32::MAX] {
        let _ = pack.band_for(total);
    }
    if let Ok(set) = PackSet::new(vec![pack]) {
        let _ = set.points_for(from, &codes, Some(u32::MAX));
        let _ = set.points_for(from, &codes[..codes.len().min(1)], None);
        let _ = set.in_force_or_first(limits::DATE_MIN);
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn policy_pack_toml_edited(edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..6)) {
        let text = edit_pack(pack_text(), &edits);
        bounded("pack toml", &text.clone().into_bytes(), move || use_pack(&text));
    }

    #[test]
    fn policy_pack_toml_random(text in prop_oneof![any::<String>(), "(\\[\\[?[a-z_.]{0,12}\\]\\]?\n|[a-z_]{1,10} = [0-9\"\\[\\]{}a-z,.-]{0,12}\n){0,20}"]) {
        bounded("pack toml", &text.clone().into_bytes(), move || use_pack(&text));
    }
}

/// A year's calendar edited, loaded over the embedded ones, and asked for working days.
fn use_calendar(text: &str) {
    let Ok(mut cal) = Calendar::embedded() else { return };
    if cal.add_year("fuzz.toml", text).is_err() {
        return;
    }
    for (y, m, d) in [(2024, 12, 31), (2025, 1, 1), (2025, 10, 1), (2100, 1, 1)] {
        if let Some(day) = chrono::NaiveDate::from_ymd_opt(y, m, d) {
            let _ = (cal.is_working_day(day), cal.working_days_after(day, 10), cal.working_days_after(day, u32::MAX));
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn calendar_toml_edited(edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..6)) {
        let text = edit_pack(include_str!("../../data/calendar/2025.toml"), &edits);
        bounded("calendar toml", &text.clone().into_bytes(), move || use_calendar(&text));
    }
}

#[test]
fn the_pack_edits_start_from_a_valid_pack() {
    assert!(PolicyPack::from_toml("jining-2024.toml", pack_text()).is_ok());
    assert_eq!(edit_pack(pack_text(), &[]), pack_text().lines().collect::<Vec<_>>().join("\n"));
}
