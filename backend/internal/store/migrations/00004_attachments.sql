-- Attachments: photos of check-ins, scans and photos of petitions, evidence of findings. The
-- bytes live in the data directory under their SHA-256 (attachments/ab/cd/<sha256>), stored
-- once however often they are uploaded; each upload is its own row, with its own uploader and
-- township, so who may download it is decided per upload.
--
-- uploaded_by is NULL for a villager without an account. township_id is the uploader's
-- township at upload (NULL for district-wide users and villagers) and is set by the record
-- that links the attachment; linked_at is when it was first linked to a record.

-- +goose Up
CREATE TABLE attachments (
    id           UUID PRIMARY KEY,
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 10485760),
    uploaded_by  UUID REFERENCES users (id),
    township_id  UUID REFERENCES townships (id),
    linked_at    TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX attachments_uploaded_by ON attachments (uploaded_by, id);
CREATE INDEX attachments_township ON attachments (township_id, id);

-- +goose Down
DROP TABLE attachments;
