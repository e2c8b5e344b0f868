-- Delivery of reminders beyond the inbox (提醒, §8): each user's preferences per kind and
-- channel, the number SMS goes to, the browsers' Web Push subscriptions, and the outbox from
-- which the sender sends each notification once per channel.

-- +goose Up
-- The mobile number a user's SMS reminders go to ('' for none); the user sets it.
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';

-- A user's choice for one kind; a kind without a row has the defaults (push on, SMS off).
-- The inbox is always on and has no column.
CREATE TABLE notification_preferences (
    user_id    UUID NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    push       BOOLEAN NOT NULL,
    sms        BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE push_subscriptions (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id),
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- The outbox: one row per (notification, channel), written in the notification's
-- transaction. The sender claims a row with a lease (lease_owner, lease_until), so two
-- instances never send one row at once; maybe_sent is set when a send starts and cleared by
-- a definite refusal, so that the next attempt asks the provider first (QuerySendDetails by
-- out_id) instead of sending a second SMS.
CREATE TABLE deliveries (
    id              UUID PRIMARY KEY,
    notification_id UUID NOT NULL REFERENCES notifications (id),
    user_id         UUID NOT NULL REFERENCES users (id),
    channel         TEXT NOT NULL CHECK (channel IN ('sms', 'push')),
    recipient       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    maybe_sent      BOOLEAN NOT NULL DEFAULT FALSE,
    first_sent_at   TIMESTAMPTZ,
    out_id          TEXT NOT NULL UNIQUE,
    provider_id     TEXT,
    last_error      TEXT,
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (status, next_at);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE push_subscriptions;
DROP TABLE notification_preferences;
ALTER TABLE users DROP COLUMN phone;
