-- 聊城 第三十四条、新疆 第十七条、吉林 第五十一条: an agreement may be suspended for one
-- department (科室) only. The roster keeps each person's 科室 (optional column); a change of
-- the agreement names the department it is limited to.
ALTER TABLE roster_entries ADD COLUMN department TEXT;
ALTER TABLE institution_events ADD COLUMN department TEXT;
