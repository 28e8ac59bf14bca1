DROP INDEX training_tests_year;
