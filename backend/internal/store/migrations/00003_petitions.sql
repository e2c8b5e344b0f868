-- Petitions (信访件, §4). Deadlines are never stored as editable fields: they are computed by the
-- rules (rules/petition) from the event instants kept here. due_at and closes_at are derived
-- from the same events on every transition, so that "overdue" and "due to close" are answered
-- from an index: due_at is the instant the pending office step becomes overdue (NULL when no
-- office step is pending), closes_at the instant a replied petition closes by itself.

-- +goose Up
CREATE TABLE petitions (
    id                    UUID PRIMARY KEY,
    township_id           UUID NOT NULL REFERENCES townships (id),
    village_id            UUID REFERENCES villages (id),
    household_id          UUID REFERENCES households (id),
    channel               TEXT NOT NULL CHECK (channel IN ('online', 'reception', 'letter', 'phone', 'talk_day')),
    category              TEXT NOT NULL,
    subject               TEXT NOT NULL,
    text                  TEXT NOT NULL,
    anonymous             BOOLEAN NOT NULL,
    -- The petitioner; all NULL for an anonymous report (匿名检举), which keeps no petitioner data.
    petitioner_name       TEXT,
    petitioner_phone      TEXT,
    petitioner_user_id    UUID REFERENCES users (id),
    lat                   DOUBLE PRECISION,
    lng                   DOUBLE PRECISION,
    location              TEXT,
    tracking_code         TEXT NOT NULL UNIQUE,
    pin_hash              TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('submitted', 'accepted', 'not_accepted', 'assigned', 'replied',
                              'closed', 'review_requested', 'reviewed', 'rereview_requested', 'rereviewed', 'withdrawn')),
    received_on           DATE NOT NULL,
    submitted_at          TIMESTAMPTZ NOT NULL,
    accepted_at           TIMESTAMPTZ,
    replied_at            TIMESTAMPTZ,
    review_requested_at   TIMESTAMPTZ,
    reviewed_at           TIMESTAMPTZ,
    rereview_requested_at TIMESTAMPTZ,
    rereviewed_at         TIMESTAMPTZ,
    finished_at           TIMESTAMPTZ,
    extension_days        INTEGER NOT NULL DEFAULT 0,
    handler_id            UUID REFERENCES users (id),
    rating                TEXT CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    -- The reception day (定点接访) a `reception` petition was registered on; reception days come
    -- with the duties, so there is no foreign key here.
    reception_day_id      UUID,
    duplicate_of          UUID REFERENCES petitions (id),
    possible_duplicate    BOOLEAN NOT NULL DEFAULT FALSE,
    due_at                TIMESTAMPTZ,
    closes_at             TIMESTAMPTZ,
    created_by            TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CHECK (NOT anonymous OR (petitioner_name IS NULL AND petitioner_phone IS NULL
                             AND petitioner_user_id IS NULL AND household_id IS NULL))
);
-- Lists page by id within a township and state; overdue lists range over due_at.
CREATE INDEX petitions_township_state ON petitions (township_id, state, id);
CREATE INDEX petitions_township_due ON petitions (township_id, due_at) WHERE due_at IS NOT NULL;
CREATE INDEX petitions_state ON petitions (state, id);
CREATE INDEX petitions_due ON petitions (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX petitions_closes ON petitions (closes_at) WHERE closes_at IS NOT NULL;
CREATE INDEX petitions_township_received ON petitions (township_id, received_on);
CREATE INDEX petitions_phone ON petitions (petitioner_phone, category, received_on) WHERE petitioner_phone IS NOT NULL;
CREATE INDEX petitions_petitioner ON petitions (petitioner_user_id, id) WHERE petitioner_user_id IS NOT NULL;
CREATE INDEX petitions_handler ON petitions (handler_id, id) WHERE handler_id IS NOT NULL;

-- The officials a petition is about (被检举、揭发的人员): they never learn it exists.
CREATE TABLE petition_about (
    petition_id UUID NOT NULL REFERENCES petitions (id),
    official_id UUID NOT NULL REFERENCES users (id),
    township_id UUID NOT NULL REFERENCES townships (id),
    PRIMARY KEY (petition_id, official_id)
);
CREATE INDEX petition_about_official ON petition_about (official_id, petition_id);

-- Attachment ids of a petition, from POST /api/v1/attachments.
CREATE TABLE petition_attachments (
    petition_id   UUID NOT NULL REFERENCES petitions (id),
    attachment_id UUID NOT NULL,
    township_id   UUID NOT NULL REFERENCES townships (id),
    PRIMARY KEY (petition_id, attachment_id)
);

-- Every change of a petition, append-only: who (a user id, `petitioner` or `system`), when,
-- what, why, and the state before and after.
CREATE TABLE petition_events (
    id          UUID PRIMARY KEY,
    petition_id UUID NOT NULL REFERENCES petitions (id),
    township_id UUID NOT NULL REFERENCES townships (id),
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    guidance    TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    days        INTEGER,
    rating      TEXT,
    handler_id  UUID
);
CREATE INDEX petition_events_petition ON petition_events (petition_id, at, id);

-- The last sequence number of the tracking codes of each day (XF20261125-0042).
CREATE TABLE petition_sequences (
    day  DATE PRIMARY KEY,
    last INTEGER NOT NULL
);

-- +goose Down
DROP TABLE petition_sequences;
DROP TABLE petition_events;
DROP TABLE petition_attachments;
DROP TABLE petition_about;
DROP TABLE petitions;
