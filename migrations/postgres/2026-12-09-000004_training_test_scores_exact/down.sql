-- Back to whole scores: a half is rounded, as before.
ALTER TABLE training_tests ALTER COLUMN score TYPE INTEGER USING round(score::numeric)::integer;
