package duties

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// evidenceRow is one check-in or check-out as stored: the record it belongs to and its
// evidence, which is answered as it is.
type evidenceRow struct {
	RecordType      string `gorm:"primaryKey"`
	RecordID        string `gorm:"primaryKey"`
	Kind            string `gorm:"primaryKey"` // "checkin" or "checkout"
	TownshipID      string
	OfficialID      string
	ContentHash     string
	domain.Evidence `gorm:"embedded"`
}

func (evidenceRow) TableName() string { return "evidence" }

// byKind is a record's evidence by kind.
type byKind map[string]evidenceRow

// evidence returns the evidence of a kind, or nil.
func (e byKind) evidence(kind string) *domain.Evidence {
	if r, ok := e[kind]; ok {
		return &r.Evidence
	}
	return nil
}

// contentHash fingerprints a request so that a re-sent record can be told from a different
// record with the same id. Times are normalised to UTC first.
func contentHash(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("content hash of %T: %v", v, err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// normaliseEvidence returns the input with its time in UTC, for hashing.
func normaliseEvidence(in domain.EvidenceInput) domain.EvidenceInput {
	if in.OccurredAt != nil {
		t := in.OccurredAt.UTC()
		in.OccurredAt = &t
	}
	if in.PhotoIDs == nil {
		in.PhotoIDs = []string{}
	}
	return in
}

// checkEvidence validates the shape of an evidence input; field names are prefixed with the
// name of the evidence object in the request ("evidence", "checkin").
func checkEvidence(v *domain.Invalid, field string, in domain.EvidenceInput) {
	if in.OccurredAt == nil {
		v.Add(field+".occurred_at", "is required (RFC 3339 time with offset)")
		return
	}
	err := duty.EvidenceInput{OccurredAt: *in.OccurredAt, Lat: in.Lat, Lng: in.Lng, AccuracyM: in.AccuracyM}.Validate()
	var ve *duty.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			v.Add(field+"."+f.Field, "%s", f.Message)
		}
	}
	v.Check(len(in.PhotoIDs) <= 10, field+".photo_ids", "at most 10 photos")
}

// evaluate scores the evidence a phone sent against the geofences with the rules of its own
// date, and links its photos to the actor's township: the request's evidence becomes the one
// stored and answered.
func evaluate(tx *store.Tx, p duty.Params, a domain.Actor, field string, in domain.EvidenceInput, fences []duty.Geofence, qrVerified bool) (domain.Evidence, error) {
	if err := duty.CheckNotFuture(*in.OccurredAt, tx.Now, p.Evidence.MaxFutureSkew); err != nil {
		return domain.Evidence{}, domain.InvalidField(field+".occurred_at", "is more than %d minutes in the future: check the phone's clock", int(p.Evidence.MaxFutureSkew.Minutes()))
	}
	if err := tx.LinkAttachments(a, field+".photo_ids", in.PhotoIDs, a.TownshipID); err != nil {
		return domain.Evidence{}, err
	}
	res := duty.EvaluateEvidence(duty.EvidenceInput{OccurredAt: *in.OccurredAt, ReceivedAt: tx.Now, Lat: in.Lat, Lng: in.Lng,
		AccuracyM: in.AccuracyM, QRVerified: qrVerified}, fences, p.Evidence)
	photos := in.PhotoIDs
	if photos == nil {
		photos = []string{}
	}
	return domain.Evidence{
		OccurredAt: in.OccurredAt.UTC().Truncate(time.Microsecond), ReceivedAt: tx.Now,
		Lat: in.Lat, Lng: in.Lng, AccuracyM: in.AccuracyM, DistanceM: res.DistanceM,
		PhotoIDs: photos, Flags: res.Flags, Counts: res.Counts,
	}, nil
}

// errIDConflict answers a record id already used for other content.
func errIDConflict(what string) error {
	return domain.Conflict("id_conflict", "a different %s with this id already exists; a re-sent record must be identical", what)
}

// fieldRecord is a row of a field record created with a client-chosen id.
type fieldRecord interface {
	authorAndHash() (author, hash string)
}

// storedRecord finds a field record by its client-chosen id, before anything of the request
// is checked against the current state: a re-send answers the record as stored (same author,
// same content) whatever happened since; another record with the id is a conflict. It
// answers nil when no record has the id.
func storedRecord[T fieldRecord](tx *store.Tx, id, author, hash, what string) (*T, error) {
	var stored T
	err := tx.First(&stored, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if a, h := stored.authorAndHash(); a != author || h != hash {
		return nil, errIDConflict(what)
	}
	return &stored, nil
}

// insertRecord inserts a field record unless a record with its id was inserted meanwhile (two
// identical requests at once: the database keeps one), which it answers as storedRecord does.
func insertRecord[T fieldRecord](tx *store.Tx, row *T, id, what string) (inserted bool, stored T, err error) {
	if inserted, err = store.InsertOnce(tx.DB, row); err != nil || inserted {
		return inserted, *row, err
	}
	author, hash := (*row).authorAndHash()
	found, err := storedRecord[T](tx, id, author, hash, what)
	if err != nil {
		return false, stored, err
	}
	return false, *found, nil
}

// evidenceOf loads the evidence rows of records, by record id and kind.
func evidenceOf(db *gorm.DB, recordType string, ids []string) (map[string]byKind, error) {
	out := map[string]byKind{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []evidenceRow
	if err := db.Where("record_type = ? AND record_id IN ?", recordType, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.RecordID] == nil {
			out[r.RecordID] = byKind{}
		}
		out[r.RecordID][r.Kind] = r
	}
	return out, nil
}

// evidencePage reads one page of field records and their evidence, and renders each.
func evidencePage[R, O any](db, q *gorm.DB, table, recordType string, p store.PageRequest, idOf func(R) string, render func(R, byKind) O) (store.Page[O], error) {
	page, err := store.ListPage(q, table, p, idOf)
	if err != nil {
		return store.Page[O]{}, err
	}
	ids := make([]string, len(page.Items))
	for i, r := range page.Items {
		ids[i] = idOf(r)
	}
	evs, err := evidenceOf(db, recordType, ids)
	if err != nil {
		return store.Page[O]{}, err
	}
	out := store.Page[O]{Items: make([]O, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = render(r, evs[idOf(r)])
	}
	return out, nil
}
