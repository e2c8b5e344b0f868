-- Idempotency keys (contract: "Create requests that have no client-chosen id accept an
-- Idempotency-Key header"): the first answer to a key is kept for a day, sealed, and a retry
-- with the same key and body gets it again.

-- +goose Up
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,   -- the user id, or "anonymous"
    key          TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,         -- NULL while the first request is being answered
    content_type TEXT,
    response     BYTEA,           -- AES-GCM sealed answer body
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
