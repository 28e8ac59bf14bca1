-- 三(三): a score is kept as the test centre gave it (85.5 is 85.5, not 86): the exact decimal as
-- text (the same column type on both databases). Existing whole scores keep their value ("85").
ALTER TABLE training_tests ALTER COLUMN score TYPE TEXT USING score::text;
