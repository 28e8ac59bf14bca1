-- 三(三): how the test centre delivered the test (考试方式: online, offline, paper, computer), as
-- its file says. Not the format (闭卷/开卷), which jifen derives by age. NULL: not given (every
-- test recorded before this column existed).
ALTER TABLE training_tests ADD COLUMN delivery TEXT;
