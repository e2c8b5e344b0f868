-- Settings, townships and villages change rarely and every check-in reads them. Each change
-- gives config_token a new random value in the same transaction; an instance keeps what it
-- has read under the token it read it with, and reads again when the token differs. A token
-- is never used twice, so what was read inside a transaction that rolled back is never served.

-- +goose Up
CREATE TABLE config_token (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL
);
INSERT INTO config_token (id, token) VALUES (1, 'initial');

-- +goose Down
DROP TABLE config_token;
