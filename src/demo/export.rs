//! `jifen generate --practitioners N --out DIR`: the same world as CSV files (rosters per
//! institution, training tests, violations) for imports and load tests.

use std::io::Write;
use std::path::Path;

use super::world::World;

pub fn write_csv(world: &World, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir.join("rosters"))?;
    let mut written = Vec::new();
    let mut inst = std::io::BufWriter::new(std::fs::File::create(dir.join("institutions.csv"))?);
    writeln!(inst, "code,name,kind,region_code,agreement_start,agreement_end")?;
    for i in &world.institutions {
        writeln!(inst, "{},{},{},{},2023-01-01,2027-12-31", i.code, i.name, i.kind, i.region)?;
    }
    written.push("institutions.csv".to_string());
    let mut staff: Vec<Vec<usize>> = vec![Vec::new(); world.institutions.len()];
    for (k, p) in world.people.iter().enumerate() {
        for &s in &p.sites {
            staff[s].push(k);
        }
    }
    for (idx, i) in world.institutions.iter().enumerate() {
        let name = format!("rosters/{}.csv", i.code);
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join(&name))?);
        writeln!(f, "姓名,身份证号码,医保支付资格类别,医保对应代码,联系电话,注册时间,备案时间")?;
        for &k in &staff[idx] {
            let p = &world.people[k];
            writeln!(
                f,
                "{},{},{},{},{},{},{}",
                p.name, p.id_number, p.category, p.code, p.phone, p.registered_on, p.registered_on
            )?;
        }
        written.push(name);
    }
    let mut t = std::io::BufWriter::new(std::fs::File::create(dir.join("training_tests.csv"))?);
    writeln!(t, "医保对应代码,测试日期,测试形式,考试方式,成绩,是否合格")?;
    for x in &world.tests {
        let fmt = if x.open_book { "开卷" } else { "闭卷" };
        // 考试方式 as test centres write it: most sit it on a computer, some on paper.
        let delivery = if x.person % 4 == 0 { "笔试" } else { "机考" };
        let ok = if x.passed { "合格" } else { "不合格" };
        writeln!(t, "{},{},{fmt},{delivery},{},{ok}", world.people[x.person].code, x.tested_on, x.score)?;
    }
    written.push("training_tests.csv".to_string());
    let mut v = std::io::BufWriter::new(std::fs::File::create(dir.join("violations.csv"))?);
    writeln!(v, "检查编号,定点医药机构编码,医保对应代码,扣分情形,检查日期,处理决定日期,备注")?;
    for i in &world.inspections {
        for (p, items) in &i.violations {
            writeln!(
                v,
                "{},{},{},{},{},{},专项检查",
                i.reference,
                world.institutions[i.institution].code,
                world.people[*p].code,
                items.join(";"),
                i.inspected_on,
                i.decided_on
            )?;
        }
    }
    written.push("violations.csv".to_string());
    Ok(written)
}
