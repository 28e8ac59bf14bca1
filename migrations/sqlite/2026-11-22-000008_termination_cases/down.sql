DROP TABLE termination_case_decisions;
DROP TABLE termination_cases;
