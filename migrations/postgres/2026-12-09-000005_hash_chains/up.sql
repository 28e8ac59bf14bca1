-- Tamper evidence (issue 16): every fact and every audit row is a link of a SHA-256 hash chain.
-- A link's hash covers the previous link's hash and the canonical content of its row (see
-- src/store/chain.rs). A write appends its facts, then its audit row, to the chain of one lock
-- it already holds (its institution, else its first person, …): chains never serialise writes
-- that the locks let run side by side, and a chain is ordered by `seq`, never by row id
-- (concurrent transactions commit out of id order).
CREATE TABLE chain_links (
    id BIGSERIAL PRIMARY KEY,
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    fact_table TEXT NOT NULL,
    fact_id BIGINT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX chain_links_fact ON chain_links(fact_table, fact_id);
-- The canonical content is built in Rust (the same bytes on both databases), so the rows that
-- exist when this migration runs are chained by jifen right after migrating
-- (store::chain::chain_existing), once, while this is true.
CREATE TABLE chain_upgrade (
    id INTEGER PRIMARY KEY,
    pending BOOLEAN NOT NULL
);
INSERT INTO chain_upgrade (id, pending) VALUES (1, TRUE);
