-- Issue 15, the dashboard on a province (10⁶ practitioners): two projections kept by the write
-- path in the same transaction as the facts (App::recompute, the roster commit's bulk path), so
-- the statistics aggregate narrow tables instead of every registration and every test. Derived
-- state: `jifen verify` rebuilds them from the facts and reports any difference.

-- One row per person and county where they were ever registered (the county: characters 2–7 of
-- the institution code, as store::workbench::in_county matches it) and one for the whole city
-- (county ''): the first day registered there, and the day the last registration there ended
-- (NULL while one is in force). The category (医保支付资格类别) is the person's, which never changes.
CREATE TABLE proj_people (
    personnel_code TEXT NOT NULL,
    county TEXT NOT NULL,
    category TEXT NOT NULL,
    first_on DATE NOT NULL,
    last_on DATE,
    PRIMARY KEY (personnel_code, county)
) WITHOUT ROWID;
CREATE INDEX proj_people_spans ON proj_people(county, category, first_on, last_on);
INSERT INTO proj_people (personnel_code, county, category, first_on, last_on)
SELECT r.personnel_code, substr(r.institution_code, 2, 6), p.category, MIN(r.registered_on),
       CASE WHEN COUNT(*) = COUNT(g.id) THEN MAX(g.deregistered_on) END
FROM registrations r JOIN practitioners p ON p.personnel_code = r.personnel_code
LEFT JOIN deregistrations g ON g.registration_id = r.id
GROUP BY r.personnel_code, substr(r.institution_code, 2, 6), p.category;
INSERT INTO proj_people (personnel_code, county, category, first_on, last_on)
SELECT r.personnel_code, '', p.category, MIN(r.registered_on),
       CASE WHEN COUNT(*) = COUNT(g.id) THEN MAX(g.deregistered_on) END
FROM registrations r JOIN practitioners p ON p.personnel_code = r.personnel_code
LEFT JOIN deregistrations g ON g.registration_id = r.id
GROUP BY r.personnel_code, p.category;

-- One row per training test not revoked (三(三)): the person's age at the test, format, result.
CREATE TABLE proj_tests (
    test_id INTEGER PRIMARY KEY NOT NULL,
    personnel_code TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    category TEXT NOT NULL,
    age INTEGER NOT NULL,
    format TEXT NOT NULL,
    passed BOOLEAN NOT NULL
);
CREATE INDEX proj_tests_year ON proj_tests(cycle_year, category, age, format, passed);
CREATE INDEX proj_tests_person ON proj_tests(personnel_code, cycle_year, age, format, passed);
INSERT INTO proj_tests (test_id, personnel_code, cycle_year, category, age, format, passed)
SELECT t.id, t.personnel_code, t.cycle_year, p.category, CAST(strftime('%Y', t.tested_on) AS INTEGER) - CAST(strftime('%Y', p.birth_date) AS INTEGER)
       - (CASE WHEN strftime('%m-%d', t.tested_on) < strftime('%m-%d', p.birth_date) THEN 1 ELSE 0 END), t.format, t.passed
FROM training_tests t JOIN practitioners p ON p.personnel_code = t.personnel_code
LEFT JOIN test_revocations v ON v.test_id = t.id
WHERE v.id IS NULL;
