//! The demo city is drawn with 济宁's catalogue (its draws stay the same whatever the
//! jurisdiction). Under another jurisdiction each violation is re-cited: the item of that
//! catalogue whose range holds the 济宁 item's points, those points being the officer's choice.

use chrono::NaiveDate;

use crate::rules::{PackSet, PolicyPack};

/// The items and chosen points of a violation drawn as `items` (济宁 codes) under `packs`.
pub fn cite(
    jining: &PolicyPack,
    packs: &PackSet,
    decided_on: NaiveDate,
    items: &[String],
) -> (Vec<String>, Option<u32>) {
    let Ok(pack) = packs.in_force(decided_on) else {
        return (items.to_vec(), None);
    };
    if items.iter().all(|c| pack.item(c).is_some()) {
        return (items.to_vec(), None);
    }
    // One act costs its highest item once (四): cite only that one.
    let points = items.iter().filter_map(|c| jining.item(c)).map(|i| i.points).max().unwrap_or(1);
    let target = pack.items.iter().find(|i| (i.range().0..=i.range().1).contains(&points));
    match target {
        Some(item) => (vec![item.code.clone()], item.is_choice().then_some(points)),
        // No item holds those points: the pack's nearest item below them.
        None => {
            let below = pack.items.iter().filter(|i| i.range().0 <= points).max_by_key(|i| i.range().1);
            let item = below.unwrap_or(&pack.items[0]);
            (vec![item.code.clone()], item.is_choice().then_some(item.range().1.min(points)))
        }
    }
}
