ALTER TABLE institutions DROP COLUMN legal_representative;
ALTER TABLE institutions DROP COLUMN organization_code;
