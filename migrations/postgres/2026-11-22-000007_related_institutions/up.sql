-- The same organisation in several pooling regions (统一社会信用代码): suspended or terminated in
-- one, suspended or terminated in all (聊城 第三十三条). The legal representative (法定代表人、
-- 企业负责人或实际控制人) links the branches of a chain pharmacy (聊城 第三十二条(十五)).
ALTER TABLE institutions ADD COLUMN organization_code TEXT;
ALTER TABLE institutions ADD COLUMN legal_representative TEXT;
