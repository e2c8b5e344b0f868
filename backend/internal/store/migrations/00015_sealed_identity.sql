-- Petitioners' identities sealed at rest (个人信息保护, product §10). petitioner_name and
-- petitioner_phone now hold values sealed with AES-256-GCM under the data keys ("v1:<key
-- id>:…", see backend/internal/seal); duplicate detection finds the same phone through
-- petitioner_phone_index, a keyed HMAC of the normalised phone ("h1:<key id>:…"), so the index
-- on the phone itself goes. Rows kept in clear before are sealed by the service when it starts
-- (petitions.Service.SealIdentities), after these statements; seal_progress records how far
-- the activity log has been searched for copies kept in clear.

-- +goose Up
ALTER TABLE petitions ADD COLUMN petitioner_phone_index TEXT;
DROP INDEX petitions_phone;
CREATE INDEX petitions_phone_index ON petitions (petitioner_phone_index, category, received_on) WHERE petitioner_phone_index IS NOT NULL;
CREATE TABLE seal_progress (
    name     TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- +goose Down
DROP TABLE seal_progress;
DROP INDEX petitions_phone_index;
CREATE INDEX petitions_phone ON petitions (petitioner_phone, category, received_on) WHERE petitioner_phone IS NOT NULL;
ALTER TABLE petitions DROP COLUMN petitioner_phone_index;
