-- Migrations are written for PostgreSQL; for SQLite a few type names are rewritten when the
-- file is read (see dialectFS in migrate.go). Every table holding township data carries
-- township_id: it becomes the distribution key when a district outgrows one database.

-- +goose Up
CREATE TABLE townships (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    radius_m    DOUBLE PRECISION NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE villages (
    id          UUID PRIMARY KEY,
    township_id UUID NOT NULL REFERENCES townships (id),
    name        TEXT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    radius_m    DOUBLE PRECISION NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX villages_township ON villages (township_id, id);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'inspector', 'official', 'petition_officer', 'villager')),
    township_id   UUID REFERENCES townships (id),
    team_member   BOOLEAN NOT NULL DEFAULT FALSE,
    lead          BOOLEAN NOT NULL DEFAULT FALSE,
    appointed_on  DATE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_township ON users (township_id, id);

CREATE TABLE households (
    id                  UUID PRIMARY KEY,
    township_id         UUID NOT NULL REFERENCES townships (id),
    village_id          UUID NOT NULL REFERENCES villages (id),
    head_name           TEXT NOT NULL,
    address             TEXT NOT NULL,
    phone               TEXT NOT NULL DEFAULT '',
    lat                 DOUBLE PRECISION,
    lng                 DOUBLE PRECISION,
    contact_official_id UUID REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX households_township ON households (township_id, id);
CREATE INDEX households_village ON households (village_id, id);

CREATE TABLE leaves (
    id          UUID PRIMARY KEY,
    township_id UUID NOT NULL REFERENCES townships (id),
    user_id     UUID NOT NULL REFERENCES users (id),
    start_date  DATE NOT NULL,
    end_date    DATE NOT NULL,
    reason      TEXT NOT NULL,
    created_by  UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX leaves_user ON leaves (user_id, start_date);
CREATE INDEX leaves_township ON leaves (township_id, id);

CREATE TABLE holidays (
    date    DATE PRIMARY KEY,
    working BOOLEAN NOT NULL,
    name    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE settings (
    key            TEXT NOT NULL,
    effective_from DATE NOT NULL,
    value          TEXT NOT NULL,
    created_by     UUID REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (key, effective_from)
);

-- Refresh tokens rotate on every use; a token used twice revokes its whole family.
CREATE TABLE refresh_tokens (
    id          UUID PRIMARY KEY,
    family_id   UUID NOT NULL,
    user_id     UUID NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Rate-limit events live in the database so that every instance sees the same counts.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    key    TEXT NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_events_lookup ON rate_events (bucket, key, at);

-- The activity log is append-only and hash-chained: hash = SHA-256 over the previous hash and
-- the entry's fields. activity_head holds the newest entry so that deleting the tail shows.
CREATE TABLE activity_log (
    seq         BIGINT PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    township_id UUID,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX activity_log_entity ON activity_log (entity, entity_id);

CREATE TABLE activity_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO activity_head (id, seq, hash) VALUES (1, 0, '');

-- +goose Down
DROP TABLE activity_head;
DROP TABLE activity_log;
DROP TABLE rate_events;
DROP TABLE refresh_tokens;
DROP TABLE settings;
DROP TABLE holidays;
DROP TABLE leaves;
DROP TABLE households;
DROP TABLE users;
DROP TABLE villages;
DROP TABLE townships;
