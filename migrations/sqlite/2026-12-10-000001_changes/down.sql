DROP INDEX proj_intervals_status;
DROP TABLE changes;
