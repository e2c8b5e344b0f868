package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
)

// Record types of field records, as they appear in evidence rows and audit ids.
const (
	RecordReceptionDay  = "reception_day"
	RecordOvernightStay = "overnight_stay"
	RecordStationing    = "stationing"
	RecordVisit         = "visit"
)

// dutyParams reads the numbers of the duty rules from the settings in force.
func dutyParams(st domain.Settings) duty.Params {
	due := map[string]int{}
	for _, c := range st.Categories("visits.categories") {
		if c.DueDays != nil {
			due[c.Code] = *c.DueDays
		} else {
			due[c.Code] = 0
		}
	}
	return duty.Params{
		Evidence: duty.EvidenceParams{
			LowAccuracyM:  float64(st.Int("evidence.low_accuracy_m")),
			LateSyncAfter: time.Duration(st.Int("evidence.late_sync_hours")) * time.Hour,
			MaxFutureSkew: time.Duration(st.Int("evidence.max_future_minutes")) * time.Minute,
		},
		Reception: duty.ReceptionParams{OnTimeBefore: st.Clock("reception.on_time_before")},
		Night: duty.NightParams{
			NightsPerWeek: st.Int("overnight.nights_per_week"),
			CheckinFrom:   st.Clock("overnight.checkin_from"), CheckinUntil: st.Clock("overnight.checkin_until"),
			CheckoutFrom: st.Clock("overnight.checkout_from"), CheckoutUntil: st.Clock("overnight.checkout_until"),
		},
		Stationing: duty.StationingParams{
			DaysPerYear: st.Int("stationing.days_per_year"),
			MinSession:  time.Duration(st.Int("stationing.min_session_minutes")) * time.Minute,
		},
		Visits:   duty.VisitParams{DueDays: due},
		Links:    duty.LinkParams{MinHouseholds: st.Int("links.min_households")},
		TalkDays: duty.TalkDayParams{PerMonth: st.Int("talk_days.per_month")},
	}
}

// dutyParamsOn returns the duty rules' numbers in force on date d: a record is judged by the
// settings of its own date, so a later change never rewrites it.
func (s *Store) dutyParamsOn(tx *gorm.DB, d civil.Date) (duty.Params, domain.Settings, error) {
	st, err := s.settingsOn(tx, d)
	if err != nil {
		return duty.Params{}, nil, err
	}
	return dutyParams(st), st, nil
}

// evidenceRow is one check-in or check-out as stored.
type evidenceRow struct {
	RecordType  string `gorm:"primaryKey"`
	RecordID    string `gorm:"primaryKey"`
	Kind        string `gorm:"primaryKey"`
	TownshipID  string
	OfficialID  string
	OccurredAt  time.Time
	ReceivedAt  time.Time
	Lat         *float64
	Lng         *float64
	AccuracyM   *float64
	DistanceM   *float64
	PhotoIDs    string
	Flags       string
	Counts      bool
	ContentHash string
}

func (evidenceRow) TableName() string { return "evidence" }

func (r evidenceRow) domain() domain.Evidence {
	e := domain.Evidence{OccurredAt: r.OccurredAt, ReceivedAt: r.ReceivedAt, Lat: r.Lat, Lng: r.Lng,
		AccuracyM: r.AccuracyM, DistanceM: r.DistanceM, Counts: r.Counts, PhotoIDs: []string{}, Flags: []string{}}
	json.Unmarshal([]byte(r.PhotoIDs), &e.PhotoIDs)
	json.Unmarshal([]byte(r.Flags), &e.Flags)
	return e
}

func (r evidenceRow) hasFlag(flag string) bool {
	for _, f := range r.domain().Flags {
		if f == flag {
			return true
		}
	}
	return false
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

// evaluate scores one evidence against the geofences with the rules of its own date, and
// links its photos to the record's township.
func (s *Store) evaluate(tx *gorm.DB, p duty.Params, a domain.Actor, field string, in domain.EvidenceInput, fences []duty.Geofence, qrVerified bool) (evidenceRow, error) {
	now := s.now()
	if err := duty.CheckNotFuture(*in.OccurredAt, now, p.Evidence.MaxFutureSkew); err != nil {
		return evidenceRow{}, domain.InvalidField(field+".occurred_at", "is more than %d minutes in the future: check the phone's clock", int(p.Evidence.MaxFutureSkew.Minutes()))
	}
	if err := s.linkAttachments(tx, a, field+".photo_ids", in.PhotoIDs, a.TownshipID); err != nil {
		return evidenceRow{}, err
	}
	res := duty.EvaluateEvidence(duty.EvidenceInput{OccurredAt: *in.OccurredAt, ReceivedAt: now, Lat: in.Lat, Lng: in.Lng,
		AccuracyM: in.AccuracyM, QRVerified: qrVerified}, fences, p.Evidence)
	photos := in.PhotoIDs
	if photos == nil {
		photos = []string{}
	}
	return evidenceRow{
		TownshipID: a.TownshipID, OfficialID: a.UserID,
		OccurredAt: in.OccurredAt.UTC().Truncate(time.Microsecond), ReceivedAt: now,
		Lat: in.Lat, Lng: in.Lng, AccuracyM: in.AccuracyM, DistanceM: res.DistanceM,
		PhotoIDs: jsonText(photos), Flags: jsonText(res.Flags), Counts: res.Counts,
	}, nil
}

// insertOnce inserts row unless a row with its key exists (the database decides, so two
// identical requests at once still create one record); it reports whether it inserted.
func insertOnce(tx *gorm.DB, row any) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(row)
	return res.RowsAffected == 1, res.Error
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
func storedRecord[T fieldRecord](tx *gorm.DB, id, author, hash, what string) (*T, error) {
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
func insertRecord[T fieldRecord](tx *gorm.DB, row *T, id, what string) (inserted bool, stored T, err error) {
	if inserted, err = insertOnce(tx, row); err != nil || inserted {
		return inserted, *row, err
	}
	author, hash := (*row).authorAndHash()
	found, err := storedRecord[T](tx, id, author, hash, what)
	if err != nil {
		return false, stored, err
	}
	return false, *found, nil
}

// laterEvidence is a check-out (or a reception day's check-in) added to a stored record.
type laterEvidence struct {
	recordType, id string
	kind           string     // "checkout", or "checkin" for a reception day
	what           string     // the record, for messages: "stay", "session", "day"
	date           civil.Date // the record's date: the settings in force then judge the evidence
	fences         func() ([]duty.Geofence, error)
}

// addEvidence adds a later evidence to a record and answers the record's evidence before it
// and the new row. A re-send of the stored evidence answers a nil row; another one is a
// conflict; a check-out may not come before its check-in.
func (s *Store) addEvidence(tx *gorm.DB, a domain.Actor, l laterEvidence, in domain.EvidenceInput) (map[string]evidenceRow, *evidenceRow, duty.Params, error) {
	hash := contentHash(CheckoutInput{Evidence: normaliseEvidence(in)})
	conflict := domain.Conflict(l.kind+"_conflict", "this %s already has a different %s", l.what, l.kind)
	evs, err := evidenceOf(tx, l.recordType, []string{l.id})
	if err != nil {
		return nil, nil, duty.Params{}, err
	}
	before := evs[l.id]
	if prev, done := before[l.kind]; done {
		if prev.ContentHash != hash {
			return before, nil, duty.Params{}, conflict
		}
		return before, nil, duty.Params{}, nil
	}
	if checkin, ok := before["checkin"]; ok && in.OccurredAt.Before(checkin.OccurredAt) {
		return nil, nil, duty.Params{}, domain.InvalidField("evidence.occurred_at", "must not be before the check-in")
	}
	p, _, err := s.dutyParamsOn(tx, l.date)
	if err != nil {
		return nil, nil, p, err
	}
	fences, err := l.fences()
	if err != nil {
		return nil, nil, p, err
	}
	ev, err := s.evaluate(tx, p, a, "evidence", in, fences, false)
	if err != nil {
		return nil, nil, p, err
	}
	ev.RecordType, ev.RecordID, ev.Kind, ev.ContentHash = l.recordType, l.id, l.kind, hash
	if inserted, err := insertOnce(tx, &ev); err != nil || !inserted {
		if err == nil {
			err = conflict // another request added it at the same moment
		}
		return nil, nil, p, err
	}
	return before, &ev, p, nil
}

// township and fences of the actor's township: its seat, and its area (seat and villages).
func (s *Store) townshipFences(tx *gorm.DB, townshipID string) (seat []duty.Geofence, area []duty.Geofence, err error) {
	c, err := s.config(tx)
	if err != nil {
		return nil, nil, err
	}
	return c.townshipFences(tx, townshipID)
}

// evidenceOf loads the evidence rows of records, by record id and kind.
func evidenceOf(tx *gorm.DB, recordType string, ids []string) (map[string]map[string]evidenceRow, error) {
	out := map[string]map[string]evidenceRow{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []evidenceRow
	if err := tx.Where("record_type = ? AND record_id IN ?", recordType, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if out[r.RecordID] == nil {
			out[r.RecordID] = map[string]evidenceRow{}
		}
		out[r.RecordID][r.Kind] = r
	}
	return out, nil
}

// fieldScope limits field records to what the actor may see: an official their own, the
// township's lead the township's, inspectors and admins everything.
func fieldScope(q *gorm.DB, a domain.Actor, table string) *gorm.DB {
	switch {
	case a.Role == domain.RoleAdmin || a.Role == domain.RoleInspector:
		return q
	case a.Role == domain.RoleOfficial && a.Lead:
		return q.Where(table+".township_id = ?", a.TownshipID)
	case a.Role == domain.RoleOfficial:
		return q.Where(table+".official_id = ?", a.UserID)
	}
	return q.Where("1 = 0")
}

// FieldFilter narrows lists of field records.
type FieldFilter struct {
	TownshipID, OfficialID string
	From, To               *civil.Date
}

func (f FieldFilter) apply(q *gorm.DB, dateColumn string) *gorm.DB {
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.OfficialID != "" {
		q = q.Where("official_id = ?", f.OfficialID)
	}
	if f.From != nil {
		q = q.Where(dateColumn+" >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where(dateColumn+" <= ?", *f.To)
	}
	return q
}

// insertOnceOn inserts row unless a row with the same values in the given unique columns exists.
func insertOnceOn(tx *gorm.DB, row any, columns ...string) (bool, error) {
	cols := make([]clause.Column, len(columns))
	for i, c := range columns {
		cols[i] = clause.Column{Name: c}
	}
	res := tx.Clauses(clause.OnConflict{Columns: cols, DoNothing: true}).Create(row)
	return res.RowsAffected == 1, res.Error
}

// evidencePage reads one page of field records and their evidence, and renders each.
func evidencePage[R, O any](db, q *gorm.DB, table, recordType string, p PageRequest, idOf func(R) string, render func(R, map[string]evidenceRow) O) (Page[O], error) {
	page, err := listPage(q, table, p, idOf)
	if err != nil {
		return Page[O]{}, err
	}
	ids := make([]string, len(page.Items))
	for i, r := range page.Items {
		ids[i] = idOf(r)
	}
	evs, err := evidenceOf(db, recordType, ids)
	if err != nil {
		return Page[O]{}, err
	}
	out := Page[O]{Items: make([]O, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = render(r, evs[idOf(r)])
	}
	return out, nil
}
