-- 聊城 第三十一条(一)、吉林 第四十七条(一) count an institution's own suspensions in a term:
-- a suspension or termination copied from a related institution (聊城 第三十三条, 第三十二条(十五))
-- names the institution it follows, and never counts as the copy's own.
ALTER TABLE institution_events ADD COLUMN copied_from TEXT;
