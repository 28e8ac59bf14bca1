-- People who log in to the pages (systems keep bearer tokens). The password is an Argon2id
-- PHC string; the role and scope are those of a token (hr: one institution; officer: a county
-- or the whole city). 5 failures within 15 minutes lock the account for 15 minutes.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    institution_code TEXT,
    region_code TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    first_failed_at TIMESTAMP,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- Server-side sessions: the cookie holds a random id, the table only its SHA-256. Idle and
-- absolute timeouts are checked against last_seen_at and created_at; logout deletes the row.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);
