-- 提醒: every user's inbox. Each (recipient, event key) is written once, whatever the number
-- of instances and runs of the jobs: the unique key, not memory, decides.

-- +goose Up
CREATE TABLE notifications (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    event_key  TEXT NOT NULL,
    title_zh   TEXT NOT NULL,
    body_zh    TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    body_en    TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ,
    UNIQUE (user_id, event_key)
);
CREATE INDEX notifications_inbox ON notifications (user_id, id);

-- +goose Down
DROP TABLE notifications;
