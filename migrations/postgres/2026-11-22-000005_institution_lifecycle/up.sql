-- 聊城 第三十三条: a public medical institution may not request suspension or termination itself.
ALTER TABLE institutions ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
-- A suspension the institution requested (voluntary), and the day it lapses into termination
-- when not resumed (聊城 第二十九条, 吉林 第四十六条: 180 days).
ALTER TABLE institution_events ADD COLUMN requested BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE institution_events ADD COLUMN lapses_on DATE;
