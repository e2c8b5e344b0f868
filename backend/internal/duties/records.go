package duties

import (
	"context"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// CheckoutInput is the one evidence added to a stored record: the check-out of a stay or a
// stationing session, the receiver's check-in on a reception day.
type CheckoutInput struct {
	Evidence domain.EvidenceInput `json:"evidence"`
}

// checkedIn is a kind of field record that the phone creates with its check-in: overnight
// stays and stationing sessions.
type checkedIn[R fieldRecord, O any] struct {
	recordType string
	what       string // for messages: "overnight stay"
	render     func(R, byKind) O
	// prepare builds the new row and says by which date's settings and against which
	// geofences its check-in is judged.
	prepare func(tx *store.Tx) (row *R, date civil.Date, fences []duty.Geofence, err error)
}

// create stores a record with its check-in. Re-sending the same record answers the stored
// one; the same id with other content is a conflict.
func create[R fieldRecord, O any](s *Service, ctx context.Context, a domain.Actor, k checkedIn[R, O], id, hash string, checkin domain.EvidenceInput) (O, error) {
	var out O
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		answer := func(r R) error {
			evs, err := evidenceOf(tx.DB, k.recordType, []string{id})
			out = k.render(r, evs[id])
			return err
		}
		if stored, err := storedRecord[R](tx, id, a.UserID, hash, k.what); err != nil || stored != nil {
			if err != nil {
				return err
			}
			return answer(*stored)
		}
		row, date, fences, err := k.prepare(tx)
		if err != nil {
			return err
		}
		p, err := Params(tx, date)
		if err != nil {
			return err
		}
		ev, err := evaluate(tx, p, a, "checkin", checkin, fences, false)
		if err != nil {
			return err
		}
		inserted, stored, err := insertRecord(tx, row, id, k.what)
		if err != nil {
			return err
		}
		if !inserted {
			return answer(stored)
		}
		er := evidenceRow{RecordType: k.recordType, RecordID: id, Kind: "checkin", TownshipID: a.TownshipID, OfficialID: a.UserID, ContentHash: hash, Evidence: ev}
		if err := tx.Create(&er).Error; err != nil {
			return err
		}
		out = k.render(*row, byKind{"checkin": er})
		return tx.Log(store.Change{Actor: a.UserID, Action: "checkin", Entity: k.recordType, EntityID: id, TownshipID: &a.TownshipID, After: out})
	})
	return out, err
}

// later is the one evidence added to a stored record of some kind.
type later[R any, O any] struct {
	recordType string
	kind       string // "checkout", or "checkin" for a reception day
	what       string // the record, for messages: "stay", "session", "day"
	// load finds the stored record for the actor (a not-found the phone retries when the
	// record has not arrived yet).
	load func(tx *store.Tx) (R, error)
	// date is the record's date: the settings in force then judge the evidence.
	date   func(R) civil.Date
	fences func(tx *store.Tx, r R) ([]duty.Geofence, error)
	// settle decides what the record becomes with all its evidence, and answers the columns
	// to update.
	settle func(r *R, evs byKind, p duty.Params) map[string]any
	render func(R, byKind) O
}

// addLater adds the later evidence to a stored record and settles it. A re-send of the stored
// evidence answers the record as it is; another one is a conflict; a check-out may not come
// before its check-in.
func addLater[R, O any](s *Service, ctx context.Context, a domain.Actor, l later[R, O], id string, in CheckoutInput) (O, error) {
	var out O
	var v domain.Invalid
	checkEvidence(&v, "evidence", in.Evidence)
	if err := v.Err(); err != nil {
		return out, err
	}
	hash := contentHash(CheckoutInput{Evidence: normaliseEvidence(in.Evidence)})
	conflict := domain.Conflict(l.kind+"_conflict", "this %s already has a different %s", l.what, l.kind)
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := l.load(tx)
		if err != nil {
			return err
		}
		evs, err := evidenceOf(tx.DB, l.recordType, []string{id})
		if err != nil {
			return err
		}
		before := evs[id]
		if prev, done := before[l.kind]; done {
			if prev.ContentHash != hash {
				return conflict
			}
			out = l.render(row, before)
			return nil
		}
		if checkin, ok := before["checkin"]; ok && in.Evidence.OccurredAt.Before(checkin.OccurredAt) {
			return domain.InvalidField("evidence.occurred_at", "must not be before the check-in")
		}
		p, err := Params(tx, l.date(row))
		if err != nil {
			return err
		}
		fences, err := l.fences(tx, row)
		if err != nil {
			return err
		}
		ev, err := evaluate(tx, p, a, "evidence", in.Evidence, fences, false)
		if err != nil {
			return err
		}
		er := evidenceRow{RecordType: l.recordType, RecordID: id, Kind: l.kind, TownshipID: a.TownshipID, OfficialID: a.UserID, ContentHash: hash, Evidence: ev}
		if inserted, err := store.InsertOnce(tx.DB, &er); err != nil || !inserted {
			if err == nil {
				err = conflict // another request added it at the same moment
			}
			return err
		}
		all := byKind{l.kind: er}
		for k, r := range before {
			all[k] = r
		}
		was := l.render(row, before)
		if err := tx.Model(new(R)).Where("id = ?", id).Updates(l.settle(&row, all, p)).Error; err != nil {
			return err
		}
		out = l.render(row, all)
		return tx.Log(store.Change{Actor: a.UserID, Action: l.kind, Entity: l.recordType, EntityID: id, TownshipID: &a.TownshipID, Before: was, After: out})
	})
	return out, err
}

// errStayNotFound lets the phone tell "the check-in has not arrived yet, retry" from other 404s.
func errStayNotFound(what string) error {
	return &domain.Error{Kind: domain.KindNotFound, Code: "stay_not_found", Message: "no " + what + " with this id has reached the server yet; send its check-in first"}
}
