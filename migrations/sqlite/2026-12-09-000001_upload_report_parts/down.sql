DROP TABLE upload_report_parts;
