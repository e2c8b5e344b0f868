-- Whether a petition was accepted and replied to within its deadlines, kept beside it so that
-- the figures and scorecards count them in SQL over sets. The rules decide (petition.
-- AcceptedOnTime, RepliedOnTime) when the petition changes; NULL means not yet derived, and
-- the service derives such rows once when it starts (petitions.Service.Rederive).

-- +goose Up
ALTER TABLE petitions ADD COLUMN accepted_on_time BOOLEAN;
ALTER TABLE petitions ADD COLUMN replied_on_time BOOLEAN;

-- +goose Down
ALTER TABLE petitions DROP COLUMN replied_on_time;
ALTER TABLE petitions DROP COLUMN accepted_on_time;
