package duties

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// StayInput creates an overnight stay (住夜) with its evening check-in.
type StayInput struct {
	ID      string               `json:"id"`
	Checkin domain.EvidenceInput `json:"checkin"`
}

type stayRow struct {
	ID          string
	TownshipID  string
	OfficialID  string
	NightDate   civil.Date
	IsoWeek     string
	CheckedOut  bool
	Counts      bool
	RefutedAt   *time.Time
	ContentHash string
	CreatedAt   time.Time
}

func (stayRow) TableName() string { return "overnight_stays" }

func (r stayRow) authorAndHash() (string, string) { return r.OfficialID, r.ContentHash }

func (r stayRow) domain(ev byKind) domain.OvernightStay {
	return domain.OvernightStay{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, NightDate: r.NightDate,
		Week: r.IsoWeek, Checkin: ev["checkin"].Evidence, Checkout: ev.evidence("checkout"), Counts: r.Counts && r.RefutedAt == nil, Refuted: r.RefutedAt != nil}
}

// ownRecord is the query of the actor's own record of a table by id.
func ownRecord[R any](tx *store.Tx, a domain.Actor, id string) *gorm.DB {
	return tx.Model(new(R)).Where("id = ? AND official_id = ?", id, a.UserID)
}

// CreateOvernightStay stores the evening check-in of a stay, judged against the township's
// area by the settings of the night's date.
func (s *Service) CreateOvernightStay(ctx context.Context, a domain.Actor, in StayInput) (domain.OvernightStay, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	checkEvidence(&v, "checkin", in.Checkin)
	if err := v.Err(); err != nil {
		return domain.OvernightStay{}, err
	}
	hash := contentHash(StayInput{ID: in.ID, Checkin: normaliseEvidence(in.Checkin)})
	return create(s, ctx, a, checkedIn[stayRow, domain.OvernightStay]{recordType: RecordOvernightStay, what: "overnight stay", render: stayRow.domain,
		prepare: func(tx *store.Tx) (*stayRow, civil.Date, []duty.Geofence, error) {
			date := duty.NightDate(*in.Checkin.OccurredAt, tx.Loc())
			fences, err := tx.TownshipFences(a.TownshipID)
			return &stayRow{ID: in.ID, TownshipID: a.TownshipID, OfficialID: a.UserID, NightDate: date, IsoWeek: date.ISOWeek(),
				ContentHash: hash, CreatedAt: tx.Now}, date, fences.Area, err
		}}, in.ID, hash, in.Checkin)
}

// CheckoutOvernightStay stores the morning check-out and decides whether the night counts.
func (s *Service) CheckoutOvernightStay(ctx context.Context, a domain.Actor, id string, in CheckoutInput) (domain.OvernightStay, error) {
	return addLater(s, ctx, a, later[stayRow, domain.OvernightStay]{recordType: RecordOvernightStay, kind: "checkout", what: "stay",
		find:    func(tx *store.Tx) *gorm.DB { return ownRecord[stayRow](tx, a, id) },
		missing: errStayNotFound("overnight stay"),
		date:    func(r stayRow) civil.Date { return r.NightDate },
		fences: func(tx *store.Tx, r stayRow) ([]duty.Geofence, error) {
			f, err := tx.TownshipFences(r.TownshipID)
			return f.Area, err
		},
		settle: func(r *stayRow, ev byKind, p duty.Params) map[string]any {
			in, out := ev["checkin"], ev["checkout"]
			r.CheckedOut = true
			r.Counts = in.Counts && out.Counts && duty.NightCounts(in.OccurredAt, out.OccurredAt, s.st.Location(), p.Night)
			return map[string]any{"checked_out": true, "counts": r.Counts}
		},
		render: stayRow.domain}, id, in)
}

// OvernightStays lists stays the actor may see, in the order they were made.
func (s *Service) OvernightStays(ctx context.Context, a domain.Actor, f FieldFilter, p store.PageRequest) (store.Page[domain.OvernightStay], error) {
	db := s.st.Reader(ctx).DB
	return evidencePage(db, f.apply(fieldScope(db, a, "overnight_stays"), "official_id", "night_date"), "overnight_stays", RecordOvernightStay, p,
		func(r stayRow) string { return r.ID }, stayRow.domain)
}

// StationingInput creates a stationing session (下村蹲点) with its check-in in a village.
type StationingInput struct {
	ID        string               `json:"id"`
	VillageID string               `json:"village_id"`
	Checkin   domain.EvidenceInput `json:"checkin"`
}

type stationingRow struct {
	ID          string
	TownshipID  string
	OfficialID  string
	VillageID   string
	Date        civil.Date
	CheckedOut  bool
	Counts      bool
	RefutedAt   *time.Time
	ContentHash string
	CreatedAt   time.Time
}

func (stationingRow) TableName() string { return "stationings" }

func (r stationingRow) authorAndHash() (string, string) { return r.OfficialID, r.ContentHash }

func (r stationingRow) domain(ev byKind) domain.Stationing {
	return domain.Stationing{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, VillageID: r.VillageID, Date: r.Date,
		Checkin: ev["checkin"].Evidence, Checkout: ev.evidence("checkout"), Counts: r.Counts && r.RefutedAt == nil, Refuted: r.RefutedAt != nil}
}

// villageFence returns the geofence of a village of a township; field names the request
// field that named the village.
//
// An optimistic Tx (store.Optimistic) finds the village among the township's fences in the
// cache, which every change to a village renews: exactly what the query below reads, and an
// error when the cache does not hold the village, so that the transaction decides.
func villageFence(tx *store.Tx, townshipID, villageID, field string) ([]duty.Geofence, error) {
	if tx.Optimistic() {
		f, err := tx.TownshipFences(townshipID)
		g, ok := f.Villages[villageID]
		if err == nil && !ok {
			err = domain.InvalidField(field, "must be a village of your township")
		}
		return []duty.Geofence{g}, err
	}
	var v domain.Village
	err := tx.First(&v, "id = ? AND township_id = ?", villageID, townshipID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.InvalidField(field, "must be a village of your township")
	}
	return []duty.Geofence{{Lat: v.Lat, Lng: v.Lng, RadiusM: v.RadiusM}}, err
}

// CreateStationing stores the check-in of a stationing session in a village of the township.
func (s *Service) CreateStationing(ctx context.Context, a domain.Actor, in StationingInput) (domain.Stationing, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.VillageID), "village_id", "must be the id of a village")
	checkEvidence(&v, "checkin", in.Checkin)
	if err := v.Err(); err != nil {
		return domain.Stationing{}, err
	}
	hash := contentHash(StationingInput{ID: in.ID, VillageID: in.VillageID, Checkin: normaliseEvidence(in.Checkin)})
	return create(s, ctx, a, checkedIn[stationingRow, domain.Stationing]{recordType: RecordStationing, what: "stationing session", render: stationingRow.domain,
		prepare: func(tx *store.Tx) (*stationingRow, civil.Date, []duty.Geofence, error) {
			fence, err := villageFence(tx, a.TownshipID, in.VillageID, "village_id")
			date := duty.StationingDate(*in.Checkin.OccurredAt, tx.Loc())
			return &stationingRow{ID: in.ID, TownshipID: a.TownshipID, OfficialID: a.UserID, VillageID: in.VillageID, Date: date,
				ContentHash: hash, CreatedAt: tx.Now}, date, fence, err
		}}, in.ID, hash, in.Checkin)
}

// CheckoutStationing stores the check-out of a session and decides whether its day counts.
func (s *Service) CheckoutStationing(ctx context.Context, a domain.Actor, id string, in CheckoutInput) (domain.Stationing, error) {
	return addLater(s, ctx, a, later[stationingRow, domain.Stationing]{recordType: RecordStationing, kind: "checkout", what: "session",
		find:    func(tx *store.Tx) *gorm.DB { return ownRecord[stationingRow](tx, a, id) },
		missing: errStayNotFound("stationing session"),
		date:    func(r stationingRow) civil.Date { return r.Date },
		fences: func(tx *store.Tx, r stationingRow) ([]duty.Geofence, error) {
			fence, err := villageFence(tx, r.TownshipID, r.VillageID, "village_id")
			return fence, err
		},
		settle: func(r *stationingRow, ev byKind, p duty.Params) map[string]any {
			in, out := ev["checkin"], ev["checkout"]
			r.CheckedOut = true
			r.Counts = in.Counts && out.Counts && duty.StationingSessionCounts(in.OccurredAt, out.OccurredAt, p.Stationing.MinSession)
			return map[string]any{"checked_out": true, "counts": r.Counts}
		},
		render: stationingRow.domain}, id, in)
}

// Stationings lists sessions the actor may see.
func (s *Service) Stationings(ctx context.Context, a domain.Actor, f FieldFilter, p store.PageRequest) (store.Page[domain.Stationing], error) {
	db := s.st.Reader(ctx).DB
	return evidencePage(db, f.apply(fieldScope(db, a, "stationings"), "official_id", "date"), "stationings", RecordStationing, p,
		func(r stationingRow) string { return r.ID }, stationingRow.domain)
}
