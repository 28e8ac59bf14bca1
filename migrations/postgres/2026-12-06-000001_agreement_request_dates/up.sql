-- 聊城 第三十三条、新疆 第十六条、吉林 第四十八条: a suspension, termination or non-renewal the
-- institution asked for needs 3 months' notice: the day it asked is recorded with the change.
ALTER TABLE institution_events ADD COLUMN requested_on DATE;
