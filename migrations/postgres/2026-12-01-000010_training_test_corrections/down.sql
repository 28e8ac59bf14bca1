DROP TABLE test_revocations;
DROP TABLE pass_marks;
