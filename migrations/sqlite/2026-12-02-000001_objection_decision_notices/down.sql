DROP TABLE delivery_allowances;
DROP TABLE notice_receipts;
DROP INDEX notices_objection;
ALTER TABLE notices DROP COLUMN objection_id;
