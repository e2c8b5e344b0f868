-- Opening an audit round over a large population (issue 12): the population is read from the
-- database row by row in record-id order, filtered by township and period in SQL, and its
-- manifest is hashed and stored in parts as it is written, never held whole.

-- +goose Up
-- Partial indexes over the records that count, led by the id: an overnight stay's or a visit's
-- population comes out in the manifest's order from an index-only scan, without a sort, the
-- period and the townships checked on the index entries. A stationing day is the first id of
-- an official's counting sessions of a date: its index serves that grouping. Reception days
-- (one per township and working day) are few enough without one.
CREATE INDEX overnight_stays_audit ON overnight_stays (id, night_date, township_id) WHERE counts AND refuted_at IS NULL;
CREATE INDEX visits_audit ON visits (id, date, township_id) WHERE counts AND refuted_at IS NULL;
CREATE INDEX stationings_audit ON stationings (township_id, official_id, date, id) WHERE counts AND refuted_at IS NULL;

-- A manifest is kept in parts of at most 1 MiB, numbered from 1; its bytes are the parts in
-- order. The parts are written while the population is read, before the round's own row,
-- which is why their reference to it is checked at the commit. PostgreSQL keeps them
-- uncompressed: compressing a part took longer than storing it. A round opened before this
-- migration keeps its manifest, byte for byte, as its one part.
ALTER TABLE audit_manifests RENAME TO audit_manifests_whole;
CREATE TABLE audit_manifests (
    audit_id UUID NOT NULL REFERENCES audits (id) DEFERRABLE INITIALLY DEFERRED,
    seq      INTEGER NOT NULL,
    content  BYTEA NOT NULL,
    CONSTRAINT audit_manifest_parts_pkey PRIMARY KEY (audit_id, seq)
);
ALTER TABLE audit_manifests ALTER COLUMN content SET STORAGE EXTERNAL; -- PostgreSQL only
INSERT INTO audit_manifests (audit_id, seq, content) SELECT audit_id, 1, content FROM audit_manifests_whole;
DROP TABLE audit_manifests_whole;

-- +goose Down
-- A manifest of more than one part does not fit one row: its second part breaks the primary
-- key, and the migration stops rather than lose it.
ALTER TABLE audit_manifests RENAME TO audit_manifest_parts;
CREATE TABLE audit_manifests (
    audit_id UUID PRIMARY KEY REFERENCES audits (id),
    content  BYTEA NOT NULL
);
INSERT INTO audit_manifests (audit_id, content) SELECT audit_id, content FROM audit_manifest_parts;
DROP TABLE audit_manifest_parts;
DROP INDEX stationings_audit;
DROP INDEX visits_audit;
DROP INDEX overnight_stays_audit;
