-- Back to whole scores: a half is rounded, as before.
ALTER TABLE training_tests ADD COLUMN score_whole INTEGER;
UPDATE training_tests SET score_whole = CAST(ROUND(CAST(score AS REAL)) AS INTEGER) WHERE score IS NOT NULL;
ALTER TABLE training_tests DROP COLUMN score;
ALTER TABLE training_tests RENAME COLUMN score_whole TO score;
