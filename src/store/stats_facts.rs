//! The dashboard's figures the slow way: the SQL over the facts (every registration, every
//! test) that the statistics ran before the dashboard's projections (`store::dashboard`). Kept as
//! the reference the fast way is tested against (`tests/stats_projections.rs`), never served.

use chrono::NaiveDate;

use super::conn::DbConn;
use super::stats::{category_filter, county_filter, lit, load, CascadeRow, Filter, SpanRow, TestRow};

type Q<T> = diesel::QueryResult<T>;

pub(super) fn registration_spans(conn: &mut DbConn, f: Filter) -> Q<Vec<SpanRow>> {
    let sql = format!(
        "SELECT x.first AS first, x.last AS last, COUNT(*) AS people FROM ( \
           SELECT r.personnel_code, MIN(r.registered_on) AS first, \
                  CASE WHEN COUNT(*) = COUNT(g.id) THEN MAX(g.deregistered_on) END AS last \
           FROM registrations r LEFT JOIN deregistrations g ON g.registration_id = r.id \
           WHERE 1 = 1{}{} GROUP BY r.personnel_code) x \
         GROUP BY x.first, x.last",
        county_filter("r.institution_code", f.region),
        category_filter("r.personnel_code", f.category)
    );
    load(conn, &sql, &sql)
}

pub(super) fn cascade_by_institution(
    conn: &mut DbConn,
    from: NaiveDate,
    until: NaiveDate,
    region: Option<&str>,
) -> Q<Vec<CascadeRow>> {
    let sql = format!(
        "SELECT r.institution_code AS institution_code, i.name AS name, \
                COUNT(DISTINCT r.personnel_code) AS denominator, COUNT(DISTINCT s.personnel_code) AS numerator \
         FROM registrations r \
         JOIN institutions i ON i.code = r.institution_code \
         LEFT JOIN deregistrations g ON g.registration_id = r.id \
         LEFT JOIN (SELECT DISTINCT personnel_code FROM proj_sanctions \
                    WHERE kind IN ('suspension', 'termination') AND starts_on >= {from} AND starts_on < {until}) s \
           ON s.personnel_code = r.personnel_code \
         WHERE r.registered_on < {until} AND (g.deregistered_on IS NULL OR g.deregistered_on > {from}){} \
         GROUP BY r.institution_code, i.name",
        county_filter("r.institution_code", region),
        from = lit(from),
        until = lit(until),
    );
    load(conn, &sql, &sql)
}

pub(super) fn tests_by_age(conn: &mut DbConn, year: i32, f: Filter) -> Q<Vec<TestRow>> {
    let mut scope = match f.region {
        Some(_) => format!(
            " AND EXISTS (SELECT 1 FROM registrations r WHERE r.personnel_code = t.personnel_code{})",
            county_filter("r.institution_code", f.region)
        ),
        None => String::new(),
    };
    if let Some(c) = f.category {
        scope.push_str(&format!(" AND p.category = '{}'", c.as_str()));
    }
    let sql = |age: &str| {
        format!(
            "SELECT {age} AS age, t.format AS format, t.passed AS passed, COUNT(*) AS tests \
             FROM training_tests t JOIN practitioners p ON p.personnel_code = t.personnel_code \
             LEFT JOIN test_revocations v ON v.test_id = t.id \
             WHERE v.id IS NULL AND t.cycle_year = {year}{scope} GROUP BY 1, 2, 3"
        )
    };
    load(
        conn,
        &sql("(CAST(strftime('%Y', t.tested_on) AS INTEGER) - CAST(strftime('%Y', p.birth_date) AS INTEGER) \
              - (CASE WHEN strftime('%m-%d', t.tested_on) < strftime('%m-%d', p.birth_date) THEN 1 ELSE 0 END))"),
        &sql("CAST(date_part('year', age(t.tested_on, p.birth_date)) AS INTEGER)"),
    )
}
