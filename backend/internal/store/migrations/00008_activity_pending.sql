-- A change is first written to activity_pending, unchained: a plain INSERT that waits on no
-- lock, so writes in different townships no longer queue behind one head row. The sealer
-- (store.SealLog, every second on each instance, and before the log is read) moves pending
-- entries into activity_log in order, chaining each to the one before.

-- +goose Up
CREATE TABLE activity_pending (
    id          UUID PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    township_id UUID,
    before      TEXT NOT NULL,
    after       TEXT NOT NULL
);

-- +goose Down
DROP TABLE activity_pending;
