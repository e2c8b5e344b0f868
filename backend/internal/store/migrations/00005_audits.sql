-- Random audits (抽查, §5). A round freezes its population as a manifest (stored byte for byte,
-- with its SHA-256), its seed and its draws; nothing of a round is ever updated but its state
-- and cancellation. Findings and their steps are append-only events.

-- +goose Up
CREATE TABLE audits (
    id               UUID PRIMARY KEY,
    record_type      TEXT NOT NULL,
    township_ids     TEXT NOT NULL,   -- JSON array, sorted
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    sample_size      INTEGER NOT NULL,
    min_per_township INTEGER NOT NULL,
    seed_digits      TEXT NOT NULL,
    seed             TEXT NOT NULL,
    algorithm        TEXT NOT NULL,
    population_size  INTEGER NOT NULL,
    manifest_sha256  TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('open', 'cancelled')),
    cancel_reason    TEXT,
    cancelled_at     TIMESTAMPTZ,
    opened_by        UUID NOT NULL REFERENCES users (id),
    opened_at        TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_manifests (
    audit_id UUID PRIMARY KEY REFERENCES audits (id),
    content  BYTEA NOT NULL
);

CREATE TABLE audit_draws (
    audit_id    UUID NOT NULL REFERENCES audits (id),
    seq         INTEGER NOT NULL,
    record_id   TEXT NOT NULL,    -- canonical "<type>:<uuid>"
    record_uuid UUID NOT NULL,
    township_id UUID NOT NULL REFERENCES townships (id),
    official_id UUID NOT NULL REFERENCES users (id),
    ticket      TEXT NOT NULL,
    PRIMARY KEY (audit_id, seq),
    UNIQUE (audit_id, record_id)
);
CREATE INDEX audit_draws_official ON audit_draws (official_id);

CREATE TABLE audit_findings (
    id                 UUID PRIMARY KEY,
    audit_id           UUID NOT NULL REFERENCES audits (id),
    record_id          TEXT NOT NULL,
    township_id        UUID NOT NULL REFERENCES townships (id),
    official_id        UUID NOT NULL REFERENCES users (id),
    result             TEXT NOT NULL CHECK (result IN ('confirmed', 'discrepancy', 'unreachable')),
    notes              TEXT NOT NULL,
    explanation_due_on DATE,
    explanation        TEXT,
    explained_at       TIMESTAMPTZ,
    resolution         TEXT CHECK (resolution IN ('no_issue', 'violation_confirmed')),
    resolved_at        TIMESTAMPTZ,
    created_by         UUID NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (audit_id, record_id)
);
CREATE INDEX audit_findings_official ON audit_findings (official_id, created_at);
CREATE INDEX audit_findings_township ON audit_findings (township_id, created_at);

CREATE TABLE audit_events (
    id             UUID PRIMARY KEY,
    audit_id       UUID NOT NULL REFERENCES audits (id),
    finding_id     UUID REFERENCES audit_findings (id),
    action         TEXT NOT NULL,   -- open, cancel, finding, explain, resolve
    actor_id       UUID NOT NULL REFERENCES users (id),
    at             TIMESTAMPTZ NOT NULL,
    notes          TEXT NOT NULL,
    attachment_ids TEXT NOT NULL    -- JSON array
);
CREATE INDEX audit_events_audit ON audit_events (audit_id, at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE audit_findings;
DROP TABLE audit_draws;
DROP TABLE audit_manifests;
DROP TABLE audits;
