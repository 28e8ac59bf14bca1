-- Issue 12: a token has a label and an optional expiry chosen at creation, can be revoked, and
-- records (at most once a minute) when it was last used. All nullable: the tokens created
-- before this migration keep working as they did (no label, no expiry).
-- The version 001201 (issue 12, item 1) keeps it apart from migrations written on other
-- branches at the same time, which take the next 0000NN.
ALTER TABLE api_tokens ADD COLUMN label TEXT;
-- The last day (China time) on which the token is accepted.
ALTER TABLE api_tokens ADD COLUMN expires_on DATE;
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMP;
