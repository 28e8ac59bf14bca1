DROP TABLE proj_tests;
DROP TABLE proj_people;
