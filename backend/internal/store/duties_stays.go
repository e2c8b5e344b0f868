package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
)

// StayInput creates an overnight stay (住夜) with its evening check-in.
type StayInput struct {
	ID      string               `json:"id"`
	Checkin domain.EvidenceInput `json:"checkin"`
}

// CheckoutInput closes an overnight stay or a stationing session.
type CheckoutInput struct {
	Evidence domain.EvidenceInput `json:"evidence"`
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

func (r stayRow) domain(ev map[string]evidenceRow) domain.OvernightStay {
	out := domain.OvernightStay{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, NightDate: r.NightDate,
		Week: r.IsoWeek, Checkin: ev["checkin"].domain(), Counts: r.Counts && r.RefutedAt == nil, Refuted: r.RefutedAt != nil}
	if co, ok := ev["checkout"]; ok {
		d := co.domain()
		out.Checkout = &d
	}
	return out
}

func validRecordID(v *domain.Invalid, id string) {
	v.Check(domain.ValidID(id), "id", "must be a UUID chosen by the phone, in lowercase")
}

// CreateOvernightStay stores the evening check-in of a stay. Re-sending the same stay answers
// the stored one; the same id with other content is a conflict.
func (s *Store) CreateOvernightStay(ctx context.Context, a domain.Actor, in StayInput) (domain.OvernightStay, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	checkEvidence(&v, "checkin", in.Checkin)
	if err := v.Err(); err != nil {
		return domain.OvernightStay{}, err
	}
	hash := contentHash(StayInput{ID: in.ID, Checkin: normaliseEvidence(in.Checkin)})
	var out domain.OvernightStay
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if stored, err := storedRecord[stayRow](tx, in.ID, a.UserID, hash, "overnight stay"); err != nil || stored != nil {
			if stored != nil {
				evs, lerr := evidenceOf(tx, RecordOvernightStay, []string{in.ID})
				out, err = stored.domain(evs[in.ID]), lerr
			}
			return err
		}
		date := duty.NightDate(*in.Checkin.OccurredAt, s.loc)
		cfg, err := s.config(tx)
		if err != nil {
			return err
		}
		p, err := cfg.dutyParamsOn(tx, date)
		if err != nil {
			return err
		}
		_, area, err := cfg.townshipFences(tx, a.TownshipID)
		if err != nil {
			return err
		}
		ev, err := s.evaluate(tx, p, a, "checkin", in.Checkin, area, false)
		if err != nil {
			return err
		}
		row := stayRow{ID: in.ID, TownshipID: a.TownshipID, OfficialID: a.UserID, NightDate: date, IsoWeek: date.ISOWeek(),
			ContentHash: hash, CreatedAt: s.now()}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "overnight stay")
		if err != nil {
			return err
		}
		if !inserted {
			evs, err := evidenceOf(tx, RecordOvernightStay, []string{in.ID})
			out = stored.domain(evs[in.ID])
			return err
		}
		ev.RecordType, ev.RecordID, ev.Kind, ev.ContentHash = RecordOvernightStay, in.ID, "checkin", hash
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		out = row.domain(map[string]evidenceRow{"checkin": ev})
		return s.appendLog(tx, change{actor: a.UserID, action: "checkin", entity: RecordOvernightStay, entityID: row.ID, townshipID: &row.TownshipID, after: out})
	})
	return out, err
}

// errStayNotFound lets the phone tell "the check-in has not arrived yet, retry" from other 404s.
func errStayNotFound(what string) error {
	return &domain.Error{Kind: domain.KindNotFound, Code: "stay_not_found", Message: "no " + what + " with this id has reached the server yet; send its check-in first"}
}

// CheckoutOvernightStay stores the morning check-out and decides whether the night counts.
func (s *Store) CheckoutOvernightStay(ctx context.Context, a domain.Actor, id string, in CheckoutInput) (domain.OvernightStay, error) {
	var v domain.Invalid
	checkEvidence(&v, "evidence", in.Evidence)
	if err := v.Err(); err != nil {
		return domain.OvernightStay{}, err
	}
	var out domain.OvernightStay
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row stayRow
		if err := tx.First(&row, "id = ? AND official_id = ?", id, a.UserID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errStayNotFound("overnight stay")
			}
			return err
		}
		evs, checkout, p, err := s.addEvidence(tx, a, laterEvidence{recordType: RecordOvernightStay, id: id, kind: "checkout", what: "stay",
			date: row.NightDate, fences: func() ([]duty.Geofence, error) {
				_, area, err := s.townshipFences(tx, row.TownshipID)
				return area, err
			}}, in.Evidence)
		if err != nil {
			return err
		}
		if checkout == nil { // the same evidence again: answer the record as it is
			out = row.domain(evs)
			return nil
		}
		before := row.domain(evs)
		checkin := evs["checkin"]
		row.CheckedOut = true
		row.Counts = checkin.Counts && checkout.Counts && duty.NightCounts(checkin.OccurredAt, checkout.OccurredAt, s.loc, p.Night)
		if err := tx.Model(&stayRow{}).Where("id = ?", id).Updates(map[string]any{"checked_out": true, "counts": row.Counts}).Error; err != nil {
			return err
		}
		out = row.domain(map[string]evidenceRow{"checkin": checkin, "checkout": *checkout})
		return s.appendLog(tx, change{actor: a.UserID, action: "checkout", entity: RecordOvernightStay, entityID: id, townshipID: &row.TownshipID, before: before, after: out})
	})
	return out, err
}

// OvernightStays lists stays the actor may see, in the order they were made.
func (s *Store) OvernightStays(ctx context.Context, a domain.Actor, f FieldFilter, p PageRequest) (Page[domain.OvernightStay], error) {
	db := s.conn(ctx)
	return evidencePage(db, f.apply(fieldScope(db, a, "overnight_stays"), "night_date"), "overnight_stays", RecordOvernightStay, p,
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

func (r stationingRow) domain(ev map[string]evidenceRow) domain.Stationing {
	out := domain.Stationing{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, VillageID: r.VillageID, Date: r.Date,
		Checkin: ev["checkin"].domain(), Counts: r.Counts && r.RefutedAt == nil, Refuted: r.RefutedAt != nil}
	if co, ok := ev["checkout"]; ok {
		d := co.domain()
		out.Checkout = &d
	}
	return out
}

// villageFence returns a village of the actor's township and its geofence.
func villageFence(tx *gorm.DB, townshipID, villageID, field string) (domain.Village, []duty.Geofence, error) {
	var v domain.Village
	err := tx.First(&v, "id = ? AND township_id = ?", villageID, townshipID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return v, nil, domain.InvalidField(field, "must be a village of your township")
	}
	return v, []duty.Geofence{{Lat: v.Lat, Lng: v.Lng, RadiusM: v.RadiusM}}, err
}

// CreateStationing stores the check-in of a stationing session in a village of the township.
func (s *Store) CreateStationing(ctx context.Context, a domain.Actor, in StationingInput) (domain.Stationing, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.VillageID), "village_id", "must be the id of a village")
	checkEvidence(&v, "checkin", in.Checkin)
	if err := v.Err(); err != nil {
		return domain.Stationing{}, err
	}
	hash := contentHash(StationingInput{ID: in.ID, VillageID: in.VillageID, Checkin: normaliseEvidence(in.Checkin)})
	var out domain.Stationing
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if stored, err := storedRecord[stationingRow](tx, in.ID, a.UserID, hash, "stationing session"); err != nil || stored != nil {
			if stored != nil {
				evs, lerr := evidenceOf(tx, RecordStationing, []string{in.ID})
				out, err = stored.domain(evs[in.ID]), lerr
			}
			return err
		}
		_, fence, err := villageFence(tx, a.TownshipID, in.VillageID, "village_id")
		if err != nil {
			return err
		}
		date := duty.StationingDate(*in.Checkin.OccurredAt, s.loc)
		p, _, err := s.dutyParamsOn(tx, date)
		if err != nil {
			return err
		}
		ev, err := s.evaluate(tx, p, a, "checkin", in.Checkin, fence, false)
		if err != nil {
			return err
		}
		row := stationingRow{ID: in.ID, TownshipID: a.TownshipID, OfficialID: a.UserID, VillageID: in.VillageID, Date: date,
			ContentHash: hash, CreatedAt: s.now()}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "stationing session")
		if err != nil {
			return err
		}
		if !inserted {
			evs, err := evidenceOf(tx, RecordStationing, []string{in.ID})
			out = stored.domain(evs[in.ID])
			return err
		}
		ev.RecordType, ev.RecordID, ev.Kind, ev.ContentHash = RecordStationing, in.ID, "checkin", hash
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		out = row.domain(map[string]evidenceRow{"checkin": ev})
		return s.appendLog(tx, change{actor: a.UserID, action: "checkin", entity: RecordStationing, entityID: row.ID, townshipID: &row.TownshipID, after: out})
	})
	return out, err
}

// CheckoutStationing stores the check-out of a session and decides whether its day counts.
func (s *Store) CheckoutStationing(ctx context.Context, a domain.Actor, id string, in CheckoutInput) (domain.Stationing, error) {
	var v domain.Invalid
	checkEvidence(&v, "evidence", in.Evidence)
	if err := v.Err(); err != nil {
		return domain.Stationing{}, err
	}
	var out domain.Stationing
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row stationingRow
		if err := tx.First(&row, "id = ? AND official_id = ?", id, a.UserID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errStayNotFound("stationing session")
			}
			return err
		}
		evs, checkout, p, err := s.addEvidence(tx, a, laterEvidence{recordType: RecordStationing, id: id, kind: "checkout", what: "session",
			date: row.Date, fences: func() ([]duty.Geofence, error) {
				_, fence, err := villageFence(tx, row.TownshipID, row.VillageID, "village_id")
				return fence, err
			}}, in.Evidence)
		if err != nil {
			return err
		}
		if checkout == nil { // the same evidence again: answer the record as it is
			out = row.domain(evs)
			return nil
		}
		before := row.domain(evs)
		checkin := evs["checkin"]
		row.CheckedOut = true
		row.Counts = checkin.Counts && checkout.Counts && duty.StationingSessionCounts(checkin.OccurredAt, checkout.OccurredAt, p.Stationing.MinSession)
		if err := tx.Model(&stationingRow{}).Where("id = ?", id).Updates(map[string]any{"checked_out": true, "counts": row.Counts}).Error; err != nil {
			return err
		}
		out = row.domain(map[string]evidenceRow{"checkin": checkin, "checkout": *checkout})
		return s.appendLog(tx, change{actor: a.UserID, action: "checkout", entity: RecordStationing, entityID: id, townshipID: &row.TownshipID, before: before, after: out})
	})
	return out, err
}

// Stationings lists sessions the actor may see.
func (s *Store) Stationings(ctx context.Context, a domain.Actor, f FieldFilter, p PageRequest) (Page[domain.Stationing], error) {
	db := s.conn(ctx)
	return evidencePage(db, f.apply(fieldScope(db, a, "stationings"), "date"), "stationings", RecordStationing, p,
		func(r stationingRow) string { return r.ID }, stationingRow.domain)
}
