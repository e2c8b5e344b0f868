-- Each rate-limit event gets an id, so that an attempt recorded before it is checked can be
-- taken back when it turns out to be allowed (a right password, a submission that failed).

-- +goose Up
ALTER TABLE rate_events ADD COLUMN id UUID;

-- +goose Down
ALTER TABLE rate_events DROP COLUMN id;
