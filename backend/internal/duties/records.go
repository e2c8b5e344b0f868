package duties

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"

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
// one; the same id with other content is a conflict. On PostgreSQL a new record is written in
// one round trip (createInOneTrip); everything else takes the transaction below.
func create[R fieldRecord, O any](s *Service, ctx context.Context, a domain.Actor, k checkedIn[R, O], id, hash string, checkin domain.EvidenceInput) (O, error) {
	if out, ok := createInOneTrip(s, ctx, a, k, id, hash, checkin); ok {
		return out, nil
	}
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
		row, er, err := k.build(tx, a, id, hash, checkin)
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
		if err := tx.Create(&er).Error; err != nil {
			return err
		}
		out = k.render(*row, byKind{"checkin": er})
		return tx.Log(store.Change{Actor: a.UserID, Action: "checkin", Entity: k.recordType, EntityID: id, TownshipID: &a.TownshipID, After: out})
	})
	return out, err
}

// build makes the new record and its check-in's evidence row, judged by the settings of the
// record's date against its geofences.
func (k checkedIn[R, O]) build(tx *store.Tx, a domain.Actor, id, hash string, checkin domain.EvidenceInput) (*R, evidenceRow, error) {
	row, date, fences, err := k.prepare(tx)
	if err != nil {
		return nil, evidenceRow{}, err
	}
	p, err := Params(tx, date)
	if err != nil {
		return nil, evidenceRow{}, err
	}
	ev, err := evaluate(tx, p, a, "checkin", checkin, fences, false)
	if err != nil {
		return nil, evidenceRow{}, err
	}
	return row, evidenceRow{RecordType: k.recordType, RecordID: id, Kind: "checkin", TownshipID: a.TownshipID, OfficialID: a.UserID, ContentHash: hash, Evidence: ev}, nil
}

// createInOneTrip writes a new record, its check-in's evidence and its log entry as one
// statement, in one round trip to PostgreSQL and no transaction, judged by the settings and
// geofences in the store's cache (store.Optimistic). It answers ok only when it stored the
// record. Anything else — the id is taken (a re-send, or a conflict), a check fails, the cache
// does not hold what the check-in needs or was changed meanwhile, photos to link, SQLite —
// writes nothing and is left to create's transaction, which answers exactly as before: so
// the stored record is looked up only when the insert conflicts.
func createInOneTrip[R fieldRecord, O any](s *Service, ctx context.Context, a domain.Actor, k checkedIn[R, O], id, hash string, checkin domain.EvidenceInput) (out O, ok bool) {
	if len(checkin.PhotoIDs) > 0 {
		return out, false // linking photos reads and writes the attachments: a transaction
	}
	tx, ok := s.st.Optimistic(ctx)
	if !ok {
		return out, false
	}
	row, er, err := k.build(tx, a, id, hash, checkin)
	if err != nil {
		return out, false
	}
	out = k.render(*row, byKind{"checkin": er})
	st := tx.NewStatement()
	if st.Insert("record", store.ConfigCurrent, row, true) != nil ||
		st.Insert("evidence", "record", &er, false) != nil ||
		st.Log("record", store.Change{Actor: a.UserID, Action: "checkin", Entity: k.recordType, EntityID: id, TownshipID: &a.TownshipID, After: out}) != nil {
		return out, false
	}
	wrote, err := st.Run()
	return out, err == nil && wrote["record"]
}

// later is the one evidence added to a stored record of some kind.
type later[R any, O any] struct {
	recordType string
	kind       string // "checkout", or "checkin" for a reception day
	what       string // the record, for messages: "stay", "session", "day"
	// find is the query of the stored record, as the actor reaches it; missing answers when it
	// finds none (a not-found the phone retries when the record has not arrived yet), and
	// check, when set, refuses a record found that the actor may not add the evidence to.
	find    func(tx *store.Tx) *gorm.DB
	missing error
	check   func(R) error
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
// before its check-in. On PostgreSQL new evidence is written in one round trip after the
// record is read (addInOneTrip); everything else takes the transaction below.
func addLater[R, O any](s *Service, ctx context.Context, a domain.Actor, l later[R, O], id string, in CheckoutInput) (O, error) {
	var out O
	var v domain.Invalid
	checkEvidence(&v, "evidence", in.Evidence)
	if err := v.Err(); err != nil {
		return out, err
	}
	hash := contentHash(CheckoutInput{Evidence: normaliseEvidence(in.Evidence)})
	if out, ok := addInOneTrip(s, ctx, a, l, id, hash, in); ok {
		return out, nil
	}
	conflict := domain.Conflict(l.kind+"_conflict", "this %s already has a different %s", l.what, l.kind)
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, before, err := l.read(tx, id)
		if err != nil {
			return err
		}
		if prev, done := before[l.kind]; done {
			if prev.ContentHash != hash {
				return conflict
			}
			out = l.render(row, before)
			return nil
		}
		set, err := l.build(tx, a, row, before, id, hash, in)
		if err != nil {
			return err
		}
		if inserted, err := store.InsertOnce(tx.DB, &set.evidence); err != nil || !inserted {
			if err == nil {
				err = conflict // another request added it at the same moment
			}
			return err
		}
		if err := tx.Model(new(R)).Where("id = ?", id).Updates(set.columns).Error; err != nil {
			return err
		}
		out = set.after
		return tx.Log(l.change(a, id, set))
	})
	return out, err
}

// read loads the record and the evidence it has; an optimistic Tx reads both in one query.
func (l later[R, O]) read(tx *store.Tx, id string) (R, byKind, error) {
	if tx.Optimistic() {
		return l.readJoined(tx)
	}
	var row R
	if err := l.find(tx).First(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			err = l.missing
		}
		return row, nil, err
	}
	if l.check != nil {
		if err := l.check(row); err != nil {
			return row, nil, err
		}
	}
	evs, err := evidenceOf(tx.DB, l.recordType, []string{id})
	return row, evs[id], err
}

// withEvidence is a record with one of its evidence rows, or none (NULL columns).
type withEvidence[R any] struct {
	Record   R           `gorm:"embedded"`
	Evidence evidenceRow `gorm:"embedded;embeddedPrefix:ev_"`
}

// columnsAs lists the columns of a gorm model as alias.column AS prefixcolumn, for a struct
// that embeds the model with that prefix (gorm:"embedded;embeddedPrefix:…").
func columnsAs(tx *store.Tx, model any, alias, prefix string) (string, error) {
	s := &gorm.Statement{DB: tx.DB}
	if err := s.Parse(model); err != nil {
		return "", err
	}
	cols := make([]string, len(s.Schema.DBNames))
	for i, c := range s.Schema.DBNames {
		cols[i] = alias + "." + c + " AS " + prefix + c
	}
	return strings.Join(cols, ", "), nil
}

// readJoined is read in one query: the record found, joined with its evidence rows.
func (l later[R, O]) readJoined(tx *store.Tx) (R, byKind, error) {
	var (
		rows []withEvidence[R]
		row  R
	)
	evidence, err := columnsAs(tx, &evidenceRow{}, "e", "ev_")
	if err == nil {
		err = tx.Table("(?) AS r", l.find(tx)).Select("r.*, "+evidence).
			Joins("LEFT JOIN evidence e ON e.record_type = ? AND e.record_id = r.id", l.recordType).Scan(&rows).Error
	}
	switch {
	case err != nil:
		return row, nil, err
	case len(rows) == 0:
		return row, nil, l.missing
	}
	row = rows[0].Record
	if l.check != nil {
		if err := l.check(row); err != nil {
			return row, nil, err
		}
	}
	var evs byKind
	for _, r := range rows {
		if r.Evidence.Kind != "" {
			if evs == nil {
				evs = byKind{}
			}
			evs[r.Evidence.Kind] = r.Evidence
		}
	}
	return row, evs, nil
}

// settled is a record with its new evidence: the evidence row, the record's columns that
// change, and the record as answered before and after.
type settled[O any] struct {
	evidence      evidenceRow
	columns       map[string]any
	before, after O
}

// build judges the new evidence of a record that does not have it yet, and settles the record.
func (l later[R, O]) build(tx *store.Tx, a domain.Actor, row R, before byKind, id, hash string, in CheckoutInput) (settled[O], error) {
	if checkin, ok := before["checkin"]; ok && in.Evidence.OccurredAt.Before(checkin.OccurredAt) {
		return settled[O]{}, domain.InvalidField("evidence.occurred_at", "must not be before the check-in")
	}
	p, err := Params(tx, l.date(row))
	if err != nil {
		return settled[O]{}, err
	}
	fences, err := l.fences(tx, row)
	if err != nil {
		return settled[O]{}, err
	}
	ev, err := evaluate(tx, p, a, "evidence", in.Evidence, fences, false)
	if err != nil {
		return settled[O]{}, err
	}
	er := evidenceRow{RecordType: l.recordType, RecordID: id, Kind: l.kind, TownshipID: a.TownshipID, OfficialID: a.UserID, ContentHash: hash, Evidence: ev}
	all := byKind{l.kind: er}
	for k, r := range before {
		all[k] = r
	}
	was := l.render(row, before)
	cols := l.settle(&row, all, p)
	return settled[O]{evidence: er, columns: cols, before: was, after: l.render(row, all)}, nil
}

// change is the log entry of new evidence.
func (l later[R, O]) change(a domain.Actor, id string, s settled[O]) store.Change {
	return store.Change{Actor: a.UserID, Action: l.kind, Entity: l.recordType, EntityID: id, TownshipID: &a.TownshipID, Before: s.before, After: s.after}
}

// addInOneTrip reads the record and its evidence, then writes the new evidence, the record's
// settled columns and the log entry as one statement in one round trip to PostgreSQL, judged
// by the settings and geofences in the store's cache (store.Optimistic). It answers ok only
// when it stored the evidence. Anything else — the evidence is there already (a re-send, or
// a conflict), a check fails, the cache misses or changed, photos to link, SQLite — writes
// nothing and is left to addLater's transaction, which answers exactly as before.
func addInOneTrip[R, O any](s *Service, ctx context.Context, a domain.Actor, l later[R, O], id, hash string, in CheckoutInput) (out O, ok bool) {
	if len(in.Evidence.PhotoIDs) > 0 {
		return out, false
	}
	tx, ok := s.st.Optimistic(ctx)
	if !ok {
		return out, false
	}
	row, before, err := l.read(tx, id)
	if err != nil {
		return out, false
	}
	if _, done := before[l.kind]; done {
		return out, false
	}
	set, err := l.build(tx, a, row, before, id, hash, in)
	if err != nil {
		return out, false
	}
	st := tx.NewStatement()
	if st.Insert("evidence", store.ConfigCurrent, &set.evidence, true) != nil ||
		st.Update("record", "evidence", new(R), set.columns, "id = ?", id) != nil ||
		st.Log("evidence", l.change(a, id, set)) != nil {
		return out, false
	}
	wrote, err := st.Run()
	return set.after, err == nil && wrote["evidence"]
}

// errStayNotFound lets the phone tell "the check-in has not arrived yet, retry" from other 404s.
func errStayNotFound(what string) error {
	return &domain.Error{Kind: domain.KindNotFound, Code: "stay_not_found", Message: "no " + what + " with this id has reached the server yet; send its check-in first"}
}
