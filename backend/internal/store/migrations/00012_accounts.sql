-- Accounts (issue 17): an admin may reset a user's password to a temporary one, which the user
-- must change at the next login. Until then every route but changing the password, logging
-- out and reading oneself answers 403 password_change_required.

-- +goose Up
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE users DROP COLUMN must_change_password;
