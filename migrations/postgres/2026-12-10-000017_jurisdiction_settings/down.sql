DROP TABLE jurisdiction_settings;
