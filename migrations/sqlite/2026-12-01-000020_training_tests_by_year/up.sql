-- The agency's /training-tests page reads a year's tests (pass rates, the list): by cycle_year.
CREATE INDEX training_tests_year ON training_tests(cycle_year);
