//! The dashboard's figures, aggregated in SQL: a few rows per query whatever the size of the
//! city (months × counties, item combinations, institutions, age × format), never a row per
//! person. The SQL that must differ between the backends (the month of a date, an age in years)
//! is chosen here, once, by the connection's variant; every value put into the SQL text is a
//! typed date, year or six-digit county code, never text from a request.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text};

use super::conn::DbConn;
use super::schema::*;
use super::workbench::in_county;
use crate::domain::codes::Category;

type Q<T> = QueryResult<T>;

/// Whose figures: the city or one county (`region`, six digits), everyone or one category of
/// people (医保支付资格类别). The category narrows every figure about people or deductions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub region: Option<&'a str>,
    pub category: Option<Category>,
    /// Compute the slow way, from the facts (`stats_facts`), as before the dashboard's
    /// projections: the test that the two agree sets it.
    pub reference: bool,
}

/// A category filter on a personnel code column (`None`: everyone). The value put into the SQL
/// is the category's fixed name, never text from a request.
pub(super) fn category_filter(column: &str, category: Option<Category>) -> String {
    match category {
        Some(c) => format!(
            " AND EXISTS (SELECT 1 FROM practitioners pc WHERE pc.personnel_code = {column} AND pc.category = '{}')",
            c.as_str()
        ),
        None => String::new(),
    }
}

/// A county filter on an institution code column (`None`: the whole city).
pub(super) fn county_filter(column: &str, region: Option<&str>) -> String {
    match region {
        // Six digits, checked by the service; the pattern is the one access decides with.
        Some(r) if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) => {
            format!(" AND {column} LIKE '{}'", in_county(r))
        }
        Some(_) => " AND 1 = 0".to_string(),
        None => String::new(),
    }
}

pub(super) fn lit(d: NaiveDate) -> String {
    format!("'{}'", d.format("%Y-%m-%d"))
}

/// Runs `sqlite` or `postgres`, whichever the connection is.
pub(super) fn load<T>(conn: &mut DbConn, sqlite: &str, postgres: &str) -> Q<Vec<T>>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sqlite).load(c),
        DbConn::Postgresql(c) => diesel::sql_query(postgres).load(c),
    }
}

/// Deductions and points of one county in one month (revoked ones count nowhere).
#[derive(Debug, Clone, QueryableByName)]
pub struct MonthCountyRow {
    #[diesel(sql_type = Text)]
    pub county: String,
    #[diesel(sql_type = Integer)]
    pub month: i32,
    #[diesel(sql_type = BigInt)]
    pub deductions: i64,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
}

pub fn deductions_by_month(conn: &mut DbConn, from: NaiveDate, until: NaiveDate, f: Filter) -> Q<Vec<MonthCountyRow>> {
    let sql = |month: &str| {
        format!(
            "SELECT substr(d.institution_code, 2, 6) AS county, {month} AS month, \
             COUNT(*) AS deductions, CAST(SUM(d.points) AS BIGINT) AS points \
             FROM deductions d LEFT JOIN revocations r ON r.deduction_id = d.id \
             WHERE r.id IS NULL AND d.decided_on >= {} AND d.decided_on < {}{}{} \
             GROUP BY 1, 2 ORDER BY 1, 2",
            lit(from),
            lit(until),
            county_filter("d.institution_code", f.region),
            category_filter("d.personnel_code", f.category)
        )
    };
    load(
        conn,
        &sql("CAST(strftime('%m', d.decided_on) AS INTEGER)"),
        &sql("CAST(EXTRACT(MONTH FROM d.decided_on) AS INTEGER)"),
    )
}

/// The items a set of deductions cited (`1.1;3.2`), how many deductions, their points.
#[derive(Debug, Clone, QueryableByName)]
pub struct ItemsRow {
    #[diesel(sql_type = Text)]
    pub items: String,
    #[diesel(sql_type = BigInt)]
    pub deductions: i64,
    #[diesel(sql_type = BigInt)]
    pub points: i64,
}

pub fn deductions_by_items(conn: &mut DbConn, from: NaiveDate, until: NaiveDate, f: Filter) -> Q<Vec<ItemsRow>> {
    let sql = format!(
        "SELECT d.items AS items, COUNT(*) AS deductions, CAST(SUM(d.points) AS BIGINT) AS points \
         FROM deductions d LEFT JOIN revocations r ON r.deduction_id = d.id \
         WHERE r.id IS NULL AND d.decided_on >= {} AND d.decided_on < {}{}{} GROUP BY d.items",
        lit(from),
        lit(until),
        county_filter("d.institution_code", f.region),
        category_filter("d.personnel_code", f.category)
    );
    load(conn, &sql, &sql)
}

/// How many people were first registered on `first` and, when all their registrations ended,
/// left on `last` (`None`: still registered somewhere).
#[derive(Debug, Clone, QueryableByName)]
pub struct SpanRow {
    #[diesel(sql_type = Date)]
    pub first: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub last: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    pub people: i64,
}

pub fn registration_spans(conn: &mut DbConn, f: Filter) -> Q<Vec<SpanRow>> {
    if f.reference {
        return super::stats_facts::registration_spans(conn, f);
    }
    // Grouped by category too, so that SQLite streams the index (a category's rows are
    // contiguous in it); the caller sums the rows whatever their order.
    let sql = format!(
        "SELECT first_on AS first, last_on AS last, COUNT(*) AS people FROM proj_people \
         WHERE {}{} GROUP BY category, first_on, last_on",
        people_county(f.region),
        category_eq("category", f.category)
    );
    load(conn, &sql, &sql)
}

/// `proj_people`'s rows of a county (six digits, checked by the service) or of the city.
fn people_county(region: Option<&str>) -> String {
    match region {
        Some(r) if r.len() == 6 && r.bytes().all(|b| b.is_ascii_digit()) => format!("county = '{r}'"),
        Some(_) => "1 = 0".to_string(),
        None => format!("county = '{}'", super::dashboard::CITY),
    }
}

/// A category filter on a projection's own category column.
fn category_eq(column: &str, category: Option<Category>) -> String {
    category.map_or_else(String::new, |c| format!(" AND {column} = '{}'", c.as_str()))
}

/// A personal suspension or termination (the projection of the engine's sanctions).
#[derive(Debug, Clone, Queryable)]
pub struct SanctionDates {
    pub personnel_code: String,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub ban_until: Option<NaiveDate>,
}

/// Suspensions and terminations started by `until` of the people registered in the county.
pub fn sanctions_until(conn: &mut DbConn, until: NaiveDate, f: Filter) -> Q<Vec<SanctionDates>> {
    let mut q = proj_sanctions::table
        .filter(proj_sanctions::kind.eq_any(["suspension", "termination"]))
        .filter(proj_sanctions::starts_on.le(until))
        .select((
            proj_sanctions::personnel_code,
            proj_sanctions::kind,
            proj_sanctions::starts_on,
            proj_sanctions::ends_on,
            proj_sanctions::ban_until,
        ))
        .into_boxed();
    if f.reference {
        if let Some(c) = f.category {
            let of_category =
                practitioners::table.filter(practitioners::category.eq(c)).select(practitioners::personnel_code);
            q = q.filter(proj_sanctions::personnel_code.eq_any(of_category));
        }
        if let Some(r) = f.region {
            let there = registrations::table
                .filter(registrations::institution_code.like(in_county(r)))
                .select(registrations::personnel_code);
            q = q.filter(proj_sanctions::personnel_code.eq_any(there));
        }
    } else {
        // The sanctioned are few: a primary-key probe each, not a set built from every person
        // of the category or every registration of the county.
        if let Some(c) = f.category {
            q = q.filter(diesel::dsl::exists(
                practitioners::table
                    .filter(practitioners::personnel_code.eq(proj_sanctions::personnel_code))
                    .filter(practitioners::category.eq(c)),
            ));
        }
        if let Some(r) = f.region {
            q = q.filter(diesel::dsl::exists(
                proj_people::table
                    .filter(proj_people::personnel_code.eq(proj_sanctions::personnel_code))
                    .filter(proj_people::county.eq(r)),
            ));
        }
    }
    q.order((proj_sanctions::personnel_code, proj_sanctions::seq)).load(conn)
}

/// (personnel code, registered on, deregistered on) of the given people, in the county.
pub fn registrations_of(
    conn: &mut DbConn,
    codes: &[String],
    region: Option<&str>,
) -> Q<Vec<(String, NaiveDate, Option<NaiveDate>)>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let mut q = registrations::table
            .left_join(deregistrations::table.on(deregistrations::registration_id.eq(registrations::id)))
            .filter(registrations::personnel_code.eq_any(chunk))
            .select((
                registrations::personnel_code,
                registrations::registered_on,
                deregistrations::deregistered_on.nullable(),
            ))
            .into_boxed();
        if let Some(r) = region {
            q = q.filter(registrations::institution_code.like(in_county(r)));
        }
        out.extend(q.load::<(String, NaiveDate, Option<NaiveDate>)>(conn)?);
    }
    Ok(out)
}

/// Interview orders in force (not withdrawn) ordered by `until`: (person, ordered on, held on).
pub fn interview_orders_until(
    conn: &mut DbConn,
    until: NaiveDate,
    f: Filter,
) -> Q<Vec<(String, NaiveDate, Option<NaiveDate>)>> {
    let mut q = interview_orders::table
        .left_join(interview_records::table.on(interview_records::order_id.eq(interview_orders::id)))
        .filter(interview_orders::withdrawn.eq(false))
        .filter(interview_orders::ordered_on.le(until))
        .select((interview_orders::personnel_code, interview_orders::ordered_on, interview_records::held_on.nullable()))
        .into_boxed();
    match f.category {
        Some(c) if f.reference => {
            let of_category =
                practitioners::table.filter(practitioners::category.eq(c)).select(practitioners::personnel_code);
            q = q.filter(interview_orders::personnel_code.eq_any(of_category));
        }
        // A primary-key probe per order (they are few).
        Some(c) => {
            q = q.filter(diesel::dsl::exists(
                practitioners::table
                    .filter(practitioners::personnel_code.eq(interview_orders::personnel_code))
                    .filter(practitioners::category.eq(c)),
            ));
        }
        None => {}
    }
    if let Some(r) = f.region {
        q = q.filter(interview_orders::institution_code.like(in_county(r)));
    }
    q.load(conn)
}

/// 五(三) for every institution of the county in a cycle: practitioners who held an agreement
/// there at any time in the year, and those of them personally suspended or terminated in it.
#[derive(Debug, Clone, QueryableByName)]
pub struct CascadeRow {
    #[diesel(sql_type = Text)]
    pub institution_code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = BigInt)]
    pub denominator: i64,
    #[diesel(sql_type = BigInt)]
    pub numerator: i64,
}

pub fn cascade_by_institution(conn: &mut DbConn, from: NaiveDate, until: NaiveDate, f: Filter) -> Q<Vec<CascadeRow>> {
    if f.reference {
        return super::stats_facts::cascade_by_institution(conn, from, until, f.region);
    }
    // Only the institutions the dashboard shows: those where someone sanctioned in the year
    // was registered (numerator > 0) and those on the watch list. Their staff are read through
    // the index on registrations(institution_code), never every registration.
    let sql = format!(
        "WITH cand(code) AS ( \
           SELECT r.institution_code FROM proj_sanctions x JOIN registrations r ON r.personnel_code = x.personnel_code \
           WHERE x.kind IN ('suspension', 'termination') AND x.starts_on >= {from} AND x.starts_on < {until}{county} \
           UNION SELECT institution_code FROM proj_watch WHERE cycle_year = {year}{watch_county}) \
         SELECT r.institution_code AS institution_code, i.name AS name, \
                COUNT(DISTINCT r.personnel_code) AS denominator, COUNT(DISTINCT s.personnel_code) AS numerator \
         FROM cand CROSS JOIN registrations r \
         JOIN institutions i ON i.code = r.institution_code \
         LEFT JOIN deregistrations g ON g.registration_id = r.id \
         LEFT JOIN (SELECT DISTINCT personnel_code FROM proj_sanctions \
                    WHERE kind IN ('suspension', 'termination') AND starts_on >= {from} AND starts_on < {until}) s \
           ON s.personnel_code = r.personnel_code \
         WHERE r.institution_code = cand.code AND r.registered_on < {until} \
           AND (g.deregistered_on IS NULL OR g.deregistered_on > {from}) \
         GROUP BY r.institution_code, i.name",
        county = county_filter("r.institution_code", f.region),
        watch_county = county_filter("institution_code", f.region),
        year = from.year(),
        from = lit(from),
        until = lit(until),
    );
    load(conn, &sql, &sql)
}

/// Institutions on the watch list of a cycle (六(三)) and how many of their people put them there.
#[derive(Debug, Clone, QueryableByName)]
pub struct WatchCountRow {
    #[diesel(sql_type = Text)]
    pub institution_code: String,
    #[diesel(sql_type = BigInt)]
    pub people: i64,
}

pub fn watch_counts(conn: &mut DbConn, year: i32, region: Option<&str>) -> Q<Vec<WatchCountRow>> {
    let sql = format!(
        "SELECT institution_code, COUNT(DISTINCT personnel_code) AS people FROM proj_watch \
         WHERE cycle_year = {year}{} GROUP BY institution_code",
        county_filter("institution_code", region)
    );
    load(conn, &sql, &sql)
}

/// Training tests of a cycle by the age at the test, format and result (revoked ones aside).
#[derive(Debug, Clone, QueryableByName)]
pub struct TestRow {
    #[diesel(sql_type = Integer)]
    pub age: i32,
    #[diesel(sql_type = Text)]
    pub format: String,
    #[diesel(sql_type = Bool)]
    pub passed: bool,
    #[diesel(sql_type = BigInt)]
    pub tests: i64,
}

pub fn tests_by_age(conn: &mut DbConn, year: i32, f: Filter) -> Q<Vec<TestRow>> {
    if f.reference {
        return super::stats_facts::tests_by_age(conn, year, f);
    }
    // The caller sums the rows whatever their order (grouped by category so SQLite streams).
    let sql = match f.region {
        None => format!(
            "SELECT age, format, passed, COUNT(*) AS tests FROM proj_tests \
             WHERE cycle_year = {year}{} GROUP BY category, age, format, passed",
            category_eq("category", f.category)
        ),
        // Someone ever registered in the county: their county row, then their tests.
        Some(_) => format!(
            "SELECT t.age AS age, t.format AS format, t.passed AS passed, COUNT(*) AS tests \
             FROM proj_people p CROSS JOIN proj_tests t \
             WHERE p.{}{} AND t.personnel_code = p.personnel_code AND t.cycle_year = {year} \
             GROUP BY t.age, t.format, t.passed",
            people_county(f.region),
            category_eq("p.category", f.category)
        ),
    };
    load(conn, &sql, &sql)
}

/// One objection filed in the period, with the agency's decision and whether it went further.
#[derive(Debug, Clone, QueryableByName)]
pub struct ObjectionRow {
    #[diesel(sql_type = Date)]
    pub filed_on: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    pub decision: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub decided_on: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    pub escalated: bool,
}

/// The objections filed in `[from, until)`: few (one per contested deduction), read one row each.
pub fn objections_filed(conn: &mut DbConn, from: NaiveDate, until: NaiveDate, f: Filter) -> Q<Vec<ObjectionRow>> {
    let sql = format!(
        "SELECT o.filed_on AS filed_on, a.decision AS decision, a.decided_on AS decided_on, \
                EXISTS (SELECT 1 FROM objection_escalations e WHERE e.objection_id = o.id) AS escalated \
         FROM objections o JOIN deductions d ON d.id = o.deduction_id \
         LEFT JOIN objection_decisions a ON a.objection_id = o.id AND a.level = 'agency' \
         WHERE o.filed_on >= {} AND o.filed_on < {}{}{}",
        lit(from),
        lit(until),
        county_filter("o.institution_code", f.region),
        category_filter("d.personnel_code", f.category)
    );
    load(conn, &sql, &sql)
}

/// The latest decision date of any deduction (the demo city's last year, say).
pub fn last_decision(conn: &mut DbConn) -> Q<Option<NaiveDate>> {
    deductions::table.select(diesel::dsl::max(deductions::decided_on)).first(conn)
}
