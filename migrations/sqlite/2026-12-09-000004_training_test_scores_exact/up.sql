-- 三(三): a score is kept as the test centre gave it (85.5 is 85.5, not 86): the exact decimal as
-- text. Existing whole scores keep their value ("85").
ALTER TABLE training_tests ADD COLUMN score_exact TEXT;
UPDATE training_tests SET score_exact = CAST(score AS TEXT) WHERE score IS NOT NULL;
ALTER TABLE training_tests DROP COLUMN score;
ALTER TABLE training_tests RENAME COLUMN score_exact TO score;
