-- Casework (§7): the written notices a petition's steps issue, and the district petition
-- office's supervision instructions (督办). Both belong to the petition and carry its township,
-- so that a transfer to another township moves them with the rest of its history.

-- +goose Up
-- A notice (书面告知) as it was issued: its PDF bytes, kept and served as they are (a notice
-- once issued never changes), with their SHA-256, which the activity log also holds. number
-- is the tracking code, a hyphen and seq in two digits (XF20261125-0042-01).
CREATE TABLE petition_notices (
    id          UUID PRIMARY KEY,
    petition_id UUID NOT NULL REFERENCES petitions (id),
    township_id UUID NOT NULL REFERENCES townships (id),
    kind        TEXT NOT NULL CHECK (kind IN ('acceptance', 'non_acceptance', 'extension', 'reply', 'review',
                    'rereview', 'transfer')),
    seq         INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 99),
    number      TEXT NOT NULL UNIQUE,
    -- The petition event of the step that issued it.
    event_id    UUID NOT NULL REFERENCES petition_events (id),
    issued_by   TEXT NOT NULL,
    issued_at   TIMESTAMPTZ NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size > 0),
    pdf         BYTEA NOT NULL,
    UNIQUE (petition_id, seq)
);
CREATE INDEX petition_notices_township ON petition_notices (township_id, petition_id);

-- A supervision instruction (督办): the district petition office asks the township to act by
-- a date; the township's petition officers or the handler answer it. answered_on_time is the
-- rules' judgement (an answer before the end of act_by in the district's time zone), kept so
-- that the figures count it in SQL.
CREATE TABLE petition_supervisions (
    id               UUID PRIMARY KEY,
    petition_id      UUID NOT NULL REFERENCES petitions (id),
    township_id      UUID NOT NULL REFERENCES townships (id),
    note             TEXT NOT NULL,
    act_by           DATE NOT NULL,
    issued_by        UUID NOT NULL REFERENCES users (id),
    issued_at        TIMESTAMPTZ NOT NULL,
    answer           TEXT,
    answered_by      UUID REFERENCES users (id),
    answered_at      TIMESTAMPTZ,
    answered_on_time BOOLEAN,
    CHECK ((answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (answered_by IS NULL)
           AND (answer IS NULL) = (answered_on_time IS NULL))
);
CREATE INDEX petition_supervisions_petition ON petition_supervisions (petition_id, issued_at, id);
CREATE INDEX petition_supervisions_township ON petition_supervisions (township_id, petition_id);

-- +goose Down
DROP TABLE petition_supervisions;
DROP TABLE petition_notices;
