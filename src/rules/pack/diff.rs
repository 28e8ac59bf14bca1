//! `jifen pack diff A B`: what changed between two packs, in the words an official reads
//! (Chinese first): items added, removed, re-pointed; thresholds and durations changed.

use super::{BanCause, PolicyPack, SanctionKind};

/// One difference, in Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub zh: String,
    pub en: String,
}

fn change(zh: String, en: String) -> Change {
    Change { zh, en }
}

/// The differences from `a` to `b`, catalogue first, then thresholds, durations and the rest.
pub fn diff(a: &PolicyPack, b: &PolicyPack) -> Vec<Change> {
    let mut out = Vec::new();
    catalogue(a, b, &mut out);
    thresholds(a, b, &mut out);
    durations(a, b, &mut out);
    others(a, b, &mut out);
    out
}

fn catalogue(a: &PolicyPack, b: &PolicyPack, out: &mut Vec<Change>) {
    for item in &b.items {
        match a.item(&item.code) {
            None => out.push(change(
                format!("新增条目 {}「{}」：{}分（{}）", item.code, item.text, item.range_text(), item.article),
                format!("item {} added: {} points ({})", item.code, item.range_text(), item.article),
            )),
            Some(old) if old.range() != item.range() => out.push(change(
                format!("分值调整 {}「{}」：{}分 → {}分", item.code, item.text, old.range_text(), item.range_text()),
                format!("item {} re-pointed: {} → {} points", item.code, old.range_text(), item.range_text()),
            )),
            Some(old) if old.tiers != item.tiers => out.push(change(
                format!("责任档次调整 {}「{}」：{} → {}", item.code, item.text, tiers(old), tiers(item)),
                format!("item {}: responsibility tiers changed", item.code),
            )),
            Some(_) => {}
        }
    }
    for item in a.items.iter().filter(|i| b.item(&i.code).is_none()) {
        out.push(change(
            format!("删除条目 {}「{}」（原{}分）", item.code, item.text, item.range_text()),
            format!("item {} removed (was {} points)", item.code, item.range_text()),
        ));
    }
}

fn tiers(item: &super::Item) -> String {
    if item.tiers.is_empty() {
        return "不分档".into();
    }
    let parts: Vec<String> =
        item.tiers.iter().map(|(r, [lo, hi])| format!("{}责任{}", r.zh(), span(*lo, *hi, "分"))).collect();
    parts.join("、")
}

fn span(lo: u32, hi: u32, unit: &str) -> String {
    if lo == hi {
        format!("{lo}{unit}")
    } else {
        format!("{lo}-{hi}{unit}")
    }
}

fn kind_zh(k: SanctionKind) -> &'static str {
    match k {
        SanctionKind::Interview => "约谈",
        SanctionKind::Suspension => "中止（暂停）",
        SanctionKind::Termination => "解除（终止）",
    }
}

fn thresholds(a: &PolicyPack, b: &PolicyPack, out: &mut Vec<Change>) {
    if a.cycle.initial_points != b.cycle.initial_points {
        out.push(change(
            format!("记分周期分值：{}分 → {}分", a.cycle.initial_points, b.cycle.initial_points),
            format!("points per cycle: {} → {}", a.cycle.initial_points, b.cycle.initial_points),
        ));
    }
    for kind in [SanctionKind::Interview, SanctionKind::Suspension, SanctionKind::Termination] {
        let first = |p: &PolicyPack| p.bands.iter().find(|x| x.sanction == kind).map(|x| x.min);
        let (fa, fb) = (first(a), first(b));
        let show = |m: Option<u32>| m.map_or("无".to_string(), |m| format!("{m}分"));
        if fa != fb {
            out.push(change(
                format!("{}起点：累计{} → {}", kind_zh(kind), show(fa), show(fb)),
                format!("{} threshold: {:?} → {:?}", kind.as_str(), fa, fb),
            ));
        }
    }
    let holder = |p: &PolicyPack| {
        p.bands.iter().find(|x| x.sanction == SanctionKind::Interview).map(|x| (x.held_by(), x.close_supervision))
    };
    if let (Some((ha, ca)), Some((hb, cb))) = (holder(a), holder(b)) {
        if (ha, ca) != (hb, cb) {
            let s =
                |h: super::HeldBy, c: bool| format!("由{}约谈{}", h.zh(), if c { "并列为重点监管对象" } else { "" });
            out.push(change(
                format!("约谈方式：{} → {}", s(ha, ca), s(hb, cb)),
                "who holds the interview changed".into(),
            ));
        }
    }
}

fn durations(a: &PolicyPack, b: &PolicyPack, out: &mut Vec<Change>) {
    let suspensions = |p: &PolicyPack| {
        let parts: Vec<String> = p
            .bands
            .iter()
            .filter(|x| x.sanction == SanctionKind::Suspension)
            .filter_map(|x| {
                let (lo, hi) = x.months_range()?;
                let pts = x.max.map_or(format!("{}分以上", x.min), |m| span(x.min, m, "分"));
                let chosen = if lo == hi { "" } else { "（由经办人员选定）" };
                Some(format!("{pts}中止{}{chosen}", span(lo, hi, "个月")))
            })
            .collect();
        if parts.is_empty() {
            "无".to_string()
        } else {
            parts.join("，")
        }
    };
    let (sa, sb) = (suspensions(a), suspensions(b));
    if sa != sb {
        out.push(change(format!("中止期限：{sa} → {sb}"), "suspension lengths changed".into()));
    }
    for cause in [BanCause::Accumulated, BanCause::SingleDeduction, BanCause::Fraud] {
        let (ba, bb) = (a.ban_for(cause), b.ban_for(cause));
        if (ba.months, ba.max_months) != (bb.months, bb.max_months) {
            out.push(change(
                format!(
                    "解除后禁止签约期限（{}）：{} → {}（{}）",
                    cause.zh(),
                    span(ba.months, ba.max_months, "个月"),
                    span(bb.months, bb.max_months, "个月"),
                    bb.article
                ),
                format!(
                    "ban after termination ({}): {}-{} → {}-{} months",
                    cause.as_str(),
                    ba.months,
                    ba.max_months,
                    bb.months,
                    bb.max_months
                ),
            ));
        }
    }
}

fn others(a: &PolicyPack, b: &PolicyPack, out: &mut Vec<Change>) {
    let has = |x: bool| if x { "有" } else { "无" };
    let flags: [(&str, &str, bool, bool); 5] = [
        ("连续三年扣分解除规则", "consecutive-cycles rule", a.consecutive.is_some(), b.consecutive.is_some()),
        ("机构30%连带处理", "30 % cascade", a.cascade.is_some(), b.cascade.is_some()),
        ("记分修复", "point repair", a.repair.is_some(), b.repair.is_some()),
        ("年度培训测试", "yearly training test", a.training_test.is_some(), b.training_test.is_some()),
        ("急诊、抢救费用除外", "emergency exception", a.payment.emergency_exception, b.payment.emergency_exception),
    ];
    for (zh, en, x, y) in flags {
        if x != y {
            out.push(change(format!("{zh}：{} → {}", has(x), has(y)), format!("{en}: {x} → {y}")));
        }
    }
    if let (Some(ra), Some(rb)) = (&a.repair, &b.repair) {
        if (ra.credit, ra.cap_per_cycle) != (rb.credit, rb.cap_per_cycle) {
            out.push(change(
                format!(
                    "记分修复：每项{}分、每周期至多{}分 → 每项{}分、每周期至多{}分",
                    ra.credit, ra.cap_per_cycle, rb.credit, rb.cap_per_cycle
                ),
                "repair credit or cap changed".into(),
            ));
        }
    }
    if a.objection.working_days != b.objection.working_days {
        out.push(change(
            format!("异议期限：{}个工作日 → {}个工作日", a.objection.working_days, b.objection.working_days),
            format!("objection window: {} → {} working days", a.objection.working_days, b.objection.working_days),
        ));
    }
    let dates = |p: &PolicyPack| {
        format!("{}起{}", p.effective_from, p.effective_until.map_or("长期有效".into(), |u| format!("至{u}前")))
    };
    if (a.effective_from, a.effective_until) != (b.effective_from, b.effective_until) {
        out.push(change(format!("施行期间：{} → {}", dates(a), dates(b)), "dates in force changed".into()));
    }
    if a.jurisdiction != b.jurisdiction {
        out.push(change(
            format!("适用地区：{} → {}", a.jurisdiction, b.jurisdiction),
            format!("jurisdiction: {} → {}", a.jurisdiction, b.jurisdiction),
        ));
    }
}
