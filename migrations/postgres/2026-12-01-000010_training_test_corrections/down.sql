DROP TABLE test_revocations;
DROP TABLE pass_marks;
DROP INDEX training_tests_person_year;
