-- Field duties (§2, §3). Each field record keeps the raw evidence of each check-in in
-- `evidence` and, beside it, the local facts derived in Go when it was written (night date,
-- ISO week, stationing date, whether it counts), so that progress is set-based SQL over
-- plain columns on both engines.

-- +goose Up
-- One check-in or check-out of a field record, with the server's flags.
CREATE TABLE evidence (
    record_type  TEXT NOT NULL,   -- reception_day, overnight_stay, stationing, visit
    record_id    UUID NOT NULL,
    kind         TEXT NOT NULL,   -- checkin, checkout
    township_id  UUID NOT NULL REFERENCES townships (id),
    official_id  UUID NOT NULL REFERENCES users (id),
    occurred_at  TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    lat          DOUBLE PRECISION,
    lng          DOUBLE PRECISION,
    accuracy_m   DOUBLE PRECISION,
    distance_m   DOUBLE PRECISION,
    photo_ids    TEXT NOT NULL,   -- JSON array of attachment ids
    flags        TEXT NOT NULL,   -- JSON array of flag names
    counts       BOOLEAN NOT NULL,
    content_hash TEXT NOT NULL,   -- SHA-256 of the request, for idempotent re-sends
    PRIMARY KEY (record_type, record_id, kind)
);
CREATE INDEX evidence_township ON evidence (township_id, occurred_at);

-- 定点接访: the designated receiver of a township on a working day.
CREATE TABLE reception_days (
    id          UUID PRIMARY KEY,
    township_id UUID NOT NULL REFERENCES townships (id),
    date        DATE NOT NULL,
    official_id UUID REFERENCES users (id),  -- NULL: nobody available (uncovered)
    attended    BOOLEAN NOT NULL DEFAULT FALSE,
    on_time     BOOLEAN NOT NULL DEFAULT FALSE,
    refuted_at  TIMESTAMPTZ,                  -- an audit confirmed a violation
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (township_id, date)
);
CREATE INDEX reception_days_official ON reception_days (official_id, date);

CREATE TABLE reception_day_changes (
    id               UUID PRIMARY KEY,
    reception_day_id UUID NOT NULL REFERENCES reception_days (id),
    township_id      UUID NOT NULL REFERENCES townships (id),
    from_official_id UUID REFERENCES users (id),
    to_official_id   UUID NOT NULL REFERENCES users (id),
    reason           TEXT NOT NULL,
    changed_by       UUID NOT NULL REFERENCES users (id),
    changed_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX reception_day_changes_day ON reception_day_changes (reception_day_id, changed_at);

-- 住夜: an overnight stay; the night belongs to the evening's date and its ISO week.
CREATE TABLE overnight_stays (
    id           UUID PRIMARY KEY,
    township_id  UUID NOT NULL REFERENCES townships (id),
    official_id  UUID NOT NULL REFERENCES users (id),
    night_date   DATE NOT NULL,
    iso_week     TEXT NOT NULL,
    checked_out  BOOLEAN NOT NULL DEFAULT FALSE,
    counts       BOOLEAN NOT NULL DEFAULT FALSE,
    refuted_at   TIMESTAMPTZ,
    content_hash TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX overnight_stays_official ON overnight_stays (official_id, iso_week);
CREATE INDEX overnight_stays_township ON overnight_stays (township_id, night_date);

-- 下村蹲点: a stationing session in one village; the day is the check-in's date.
CREATE TABLE stationings (
    id           UUID PRIMARY KEY,
    township_id  UUID NOT NULL REFERENCES townships (id),
    official_id  UUID NOT NULL REFERENCES users (id),
    village_id   UUID NOT NULL REFERENCES villages (id),
    date         DATE NOT NULL,
    checked_out  BOOLEAN NOT NULL DEFAULT FALSE,
    counts       BOOLEAN NOT NULL DEFAULT FALSE,
    refuted_at   TIMESTAMPTZ,
    content_hash TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX stationings_official ON stationings (official_id, date);
CREATE INDEX stationings_township ON stationings (township_id, date);

-- 联系点: the village a team member is linked to.
CREATE TABLE contact_links (
    official_id UUID PRIMARY KEY REFERENCES users (id),
    township_id UUID NOT NULL REFERENCES townships (id),
    village_id  UUID NOT NULL REFERENCES villages (id)
);
CREATE INDEX contact_links_village ON contact_links (village_id);

-- 六必访: a household situation that obliges a visit by a due time.
CREATE TABLE visit_triggers (
    id                   UUID PRIMARY KEY,
    township_id          UUID NOT NULL REFERENCES townships (id),
    household_id         UUID NOT NULL REFERENCES households (id),
    category             TEXT NOT NULL,
    occurred_on          DATE NOT NULL,
    due_at               TIMESTAMPTZ NOT NULL,
    note                 TEXT NOT NULL,
    responsible_id       UUID REFERENCES users (id),
    source               TEXT NOT NULL,   -- manual, petition
    petition_id          UUID,
    closed_by_visit_id   UUID,
    closed_at            TIMESTAMPTZ,
    recorded_by          UUID NOT NULL REFERENCES users (id),
    content_hash         TEXT NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX visit_triggers_open ON visit_triggers (household_id, category, closed_at);
CREATE INDEX visit_triggers_township ON visit_triggers (township_id, due_at);
CREATE INDEX visit_triggers_responsible ON visit_triggers (responsible_id, due_at);

-- A household visit (入户走访), answering a trigger or not (串万家门).
CREATE TABLE visits (
    id           UUID PRIMARY KEY,
    township_id  UUID NOT NULL REFERENCES townships (id),
    official_id  UUID NOT NULL REFERENCES users (id),
    household_id UUID NOT NULL REFERENCES households (id),
    category     TEXT NOT NULL,
    trigger_id   UUID REFERENCES visit_triggers (id),
    timeliness   TEXT,            -- on_time, late; NULL without a trigger
    date         DATE NOT NULL,
    notes        TEXT NOT NULL,
    follow_up    TEXT NOT NULL,
    qr_verified  BOOLEAN NOT NULL,
    counts       BOOLEAN NOT NULL,
    refuted_at   TIMESTAMPTZ,
    content_hash TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX visits_official ON visits (official_id, date);
CREATE INDEX visits_township ON visits (township_id, date);

-- 民情恳谈日: a village talk day.
CREATE TABLE talk_days (
    id           UUID PRIMARY KEY,
    township_id  UUID NOT NULL REFERENCES townships (id),
    village_id   UUID NOT NULL REFERENCES villages (id),
    held_on      DATE NOT NULL,
    attendance   INTEGER NOT NULL,
    issues       TEXT NOT NULL,   -- JSON array of strings
    recorded_by  UUID NOT NULL REFERENCES users (id),
    content_hash TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX talk_days_village ON talk_days (village_id, held_on);
CREATE INDEX talk_days_township ON talk_days (township_id, held_on);

-- +goose Down
DROP TABLE talk_days;
DROP TABLE visits;
DROP TABLE visit_triggers;
DROP TABLE contact_links;
DROP TABLE stationings;
DROP TABLE overnight_stays;
DROP TABLE reception_day_changes;
DROP TABLE reception_days;
DROP TABLE evidence;
