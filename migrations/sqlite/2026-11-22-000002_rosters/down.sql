DROP TABLE roster_entries;
