DROP TABLE upload_reports;
