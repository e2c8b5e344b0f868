package duties

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// TriggerInput records a household situation that obliges a visit (六必访).
type TriggerInput struct {
	ID          string     `json:"id"`
	HouseholdID string     `json:"household_id"`
	Category    string     `json:"category"`
	OccurredOn  civil.Date `json:"occurred_on"`
	Note        string     `json:"note"`
}

type triggerRow struct {
	ID              string
	TownshipID      string
	HouseholdID     string
	Category        string
	OccurredOn      civil.Date
	DueAt           time.Time
	Note            string
	ResponsibleID   *string
	Source          string
	PetitionID      *string
	ClosedByVisitID *string
	ClosedAt        *time.Time
	RecordedBy      string
	ContentHash     string
	CreatedAt       time.Time
}

func (triggerRow) TableName() string { return "visit_triggers" }

func (r triggerRow) authorAndHash() (string, string) { return r.RecordedBy, r.ContentHash }

func (r triggerRow) domain(now time.Time) domain.VisitTrigger {
	return domain.VisitTrigger{ID: r.ID, TownshipID: r.TownshipID, HouseholdID: r.HouseholdID, Category: r.Category,
		OccurredOn: r.OccurredOn, DueAt: r.DueAt, Note: r.Note, ResponsibleID: r.ResponsibleID, Source: r.Source,
		PetitionID: r.PetitionID, ClosedByVisit: r.ClosedByVisitID, ClosedAt: r.ClosedAt,
		Status: duty.TriggerStatus(r.ClosedAt, r.DueAt, now)}
}

// categoryDue returns the due days of a must-visit category in force on d, or a field error.
func categoryDue(p duty.Params, category string) (int, error) {
	days, ok := p.Visits.DueDays[category]
	if !ok {
		return 0, domain.InvalidField("category", "is not a must-visit category")
	}
	return days, nil
}

// householdIn returns a household of the actor's township, or a field error.
func householdIn(tx *gorm.DB, townshipID, householdID string) (domain.Household, error) {
	var h domain.Household
	err := tx.First(&h, "id = ? AND township_id = ?", householdID, townshipID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return h, domain.InvalidField("household_id", "must be a household of your township")
	}
	return h, err
}

// responsibleFor is the household's contact official (联户干部), else the team member linked
// to its village (联系点).
func responsibleFor(tx *gorm.DB, h domain.Household) (*string, error) {
	if h.ContactOfficialID != nil {
		return h.ContactOfficialID, nil
	}
	var link domain.ContactLink
	err := tx.Table("contact_links").Where("village_id = ?", h.VillageID).Order("official_id").First(&link).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &link.OfficialID, nil
}

// CreateTrigger records a must-visit situation of a household in the actor's township.
func (s *Service) CreateTrigger(ctx context.Context, a domain.Actor, in TriggerInput) (domain.VisitTrigger, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.HouseholdID), "household_id", "must be the id of a household")
	v.Check(!in.OccurredOn.IsZero(), "occurred_on", "is required (YYYY-MM-DD)")
	v.Check(!in.OccurredOn.After(s.st.Today()), "occurred_on", "must not be in the future")
	v.Check(utf8.RuneCountInString(in.Note) <= 1000, "note", "must be at most 1000 characters")
	if err := v.Err(); err != nil {
		return domain.VisitTrigger{}, err
	}
	hash := contentHash(in)
	var out domain.VisitTrigger
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if stored, err := storedRecord[triggerRow](tx, in.ID, a.UserID, hash, "trigger"); err != nil || stored != nil {
			if stored != nil {
				out = stored.domain(tx.Now)
			}
			return err
		}
		h, err := householdIn(tx.DB, a.TownshipID, in.HouseholdID)
		if err != nil {
			return err
		}
		row, err := newTrigger(tx, a.UserID, h, in.Category, in.OccurredOn, in.Note, "manual", nil)
		if err != nil {
			return err
		}
		row.ID, row.ContentHash = in.ID, hash
		inserted, stored, err := insertRecord(tx, &row, in.ID, "trigger")
		if err != nil {
			return err
		}
		if !inserted {
			out = stored.domain(tx.Now)
			return nil
		}
		out = row.domain(tx.Now)
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "visit_trigger", EntityID: row.ID, TownshipID: &row.TownshipID, After: out})
	})
	return out, err
}

// newTrigger builds a trigger row with its due time and responsible official.
func newTrigger(tx *store.Tx, actor string, h domain.Household, category string, on civil.Date, note, source string, petitionID *string) (triggerRow, error) {
	p, err := Params(tx, on)
	if err != nil {
		return triggerRow{}, err
	}
	dueDays, err := categoryDue(p, category)
	if err != nil {
		return triggerRow{}, err
	}
	responsible, err := responsibleFor(tx.DB, h)
	if err != nil {
		return triggerRow{}, err
	}
	return triggerRow{ID: domain.NewID(), TownshipID: h.TownshipID, HouseholdID: h.ID, Category: category, OccurredOn: on,
		DueAt: duty.TriggerDueAt(on, dueDays, tx.Loc()).UTC(), Note: note, ResponsibleID: responsible, Source: source,
		PetitionID: petitionID, RecordedBy: actor, CreatedAt: tx.Now}, nil
}

// RecordPetitionTrigger records the `petition` must-visit trigger of a household when a
// petition from it is registered; one trigger per petition, in the petition's transaction.
func RecordPetitionTrigger(tx *store.Tx, actor string, householdID string, occurredOn civil.Date, petitionID string) error {
	var h domain.Household
	if err := tx.First(&h, "id = ?", householdID).Error; err != nil {
		return store.NotFound(err, "household")
	}
	row, err := newTrigger(tx, actor, h, "petition", occurredOn, "", "petition", &petitionID)
	if err != nil {
		return err
	}
	row.ContentHash = contentHash(map[string]string{"petition_id": petitionID})
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	return tx.Log(store.Change{Actor: actor, Action: "create", Entity: "visit_trigger", EntityID: row.ID, TownshipID: &row.TownshipID, After: row.domain(tx.Now)})
}

// TriggerFilter narrows the list of triggers.
type TriggerFilter struct {
	TownshipID, HouseholdID, ResponsibleID string
	Status                                 string // open, overdue, closed
}

// Triggers lists triggers of townships in the actor's scope, due soonest first.
func (s *Service) Triggers(ctx context.Context, a domain.Actor, f TriggerFilter, p store.PageRequest) (store.Page[domain.VisitTrigger], error) {
	tx := s.st.Reader(ctx)
	q := organisationScope(tx.DB, a)
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.HouseholdID != "" {
		q = q.Where("household_id = ?", f.HouseholdID)
	}
	if f.ResponsibleID != "" {
		q = q.Where("responsible_id = ?", f.ResponsibleID)
	}
	now := tx.Now
	switch f.Status {
	case "open":
		q = q.Where("closed_at IS NULL")
	case "overdue":
		q = q.Where("closed_at IS NULL AND due_at <= ?", now)
	case "closed":
		q = q.Where("closed_at IS NOT NULL")
	}
	page, err := store.ListPage(q, "visit_triggers", p, func(r triggerRow) string { return r.ID })
	if err != nil {
		return store.Page[domain.VisitTrigger]{}, err
	}
	out := store.Page[domain.VisitTrigger]{Items: make([]domain.VisitTrigger, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.domain(now)
	}
	return out, nil
}

// VisitInput records a household visit.
type VisitInput struct {
	ID          string               `json:"id"`
	HouseholdID string               `json:"household_id"`
	Category    string               `json:"category"`
	TriggerID   *string              `json:"trigger_id"`
	Notes       string               `json:"notes"`
	FollowUp    string               `json:"follow_up"`
	Evidence    domain.EvidenceInput `json:"evidence"`
}

type visitRow struct {
	ID          string
	TownshipID  string
	OfficialID  string
	HouseholdID string
	Category    string
	TriggerID   *string
	Timeliness  *string
	Date        civil.Date
	Notes       string
	FollowUp    string
	QRVerified  bool `gorm:"column:qr_verified"`
	Counts      bool
	RefutedAt   *time.Time
	ContentHash string
	CreatedAt   time.Time
}

func (visitRow) TableName() string { return "visits" }

func (r visitRow) authorAndHash() (string, string) { return r.OfficialID, r.ContentHash }

func (r visitRow) domain(ev byKind) domain.Visit {
	return domain.Visit{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, HouseholdID: r.HouseholdID,
		Category: r.Category, TriggerID: r.TriggerID, Timeliness: r.Timeliness, Date: r.Date, Notes: r.Notes,
		FollowUp: r.FollowUp, Evidence: ev["checkin"].Evidence, QRVerified: r.QRVerified, Counts: r.Counts && r.RefutedAt == nil,
		Refuted: r.RefutedAt != nil}
}

// CreateVisit records a visit to a household of the actor's township. A visit that counts
// closes the open trigger it answers (the one named, else the household's oldest open
// trigger of that category from before the visit), on time or late. A QR token in the evidence must be the visited
// household's (qr_verified).
func (s *Service) CreateVisit(ctx context.Context, a domain.Actor, in VisitInput) (domain.Visit, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.HouseholdID), "household_id", "must be the id of a household")
	v.Check(in.TriggerID == nil || domain.ValidID(*in.TriggerID), "trigger_id", "must be the id of a trigger")
	v.Check(utf8.RuneCountInString(in.Notes) <= 2000, "notes", "must be at most 2000 characters")
	v.Check(utf8.RuneCountInString(in.FollowUp) <= 2000, "follow_up", "must be at most 2000 characters")
	checkEvidence(&v, "evidence", in.Evidence)
	if err := v.Err(); err != nil {
		return domain.Visit{}, err
	}
	norm := in
	norm.Evidence = normaliseEvidence(in.Evidence)
	hash := contentHash(norm)
	if out, ok := s.visitInOneTrip(ctx, a, in, hash); ok {
		return out, nil
	}
	var out domain.Visit
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if stored, err := storedRecord[visitRow](tx, in.ID, a.UserID, hash, "visit"); err != nil || stored != nil {
			if stored != nil {
				evs, lerr := evidenceOf(tx.DB, RecordVisit, []string{in.ID})
				out, err = stored.domain(evs[in.ID]), lerr
			}
			return err
		}
		row, er, trigger, err := s.planVisit(tx, a, in, hash)
		if err != nil {
			return err
		}
		if trigger != nil && er.Counts {
			// Close the trigger first; when another visit closed it at the same moment, this
			// visit is stored all the same, answering no trigger.
			res := tx.Model(&triggerRow{}).Where("id = ? AND closed_at IS NULL", trigger.ID).
				Updates(map[string]any{"closed_at": er.OccurredAt, "closed_by_visit_id": row.ID})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				t := duty.VisitTimeliness(er.OccurredAt, trigger.DueAt)
				row.TriggerID, row.Timeliness = &trigger.ID, &t
			}
		}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "visit")
		if err != nil {
			return err
		}
		if !inserted {
			evs, err := evidenceOf(tx.DB, RecordVisit, []string{in.ID})
			out = stored.domain(evs[in.ID])
			return err
		}
		if err := tx.Create(&er).Error; err != nil {
			return err
		}
		out = row.domain(byKind{"checkin": er})
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: RecordVisit, EntityID: row.ID, TownshipID: &row.TownshipID, After: out})
	})
	return out, err
}

// planVisit judges a new visit: its row, its evidence, and the open trigger it answers, which
// it closes when it counts.
func (s *Service) planVisit(tx *store.Tx, a domain.Actor, in VisitInput, hash string) (visitRow, evidenceRow, *triggerRow, error) {
	date := civil.Of(*in.Evidence.OccurredAt, tx.Loc())
	var (
		h       domain.Household
		trigger *triggerRow
		err     error
	)
	if tx.Optimistic() {
		h, trigger, err = householdAndTrigger(tx, a.TownshipID, in, date)
	} else {
		h, err = householdIn(tx.DB, a.TownshipID, in.HouseholdID)
	}
	if err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	qrVerified, err := s.checkVisitQR(in.Evidence.QRToken, h.ID)
	if err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	p, err := Params(tx, date)
	if err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	if _, err := categoryDue(p, in.Category); err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	fence, err := villageFence(tx, h.TownshipID, h.VillageID, "household_id")
	if err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	ev, err := evaluate(tx, p, a, "evidence", in.Evidence, fence, qrVerified)
	if err != nil {
		return visitRow{}, evidenceRow{}, nil, err
	}
	row := visitRow{ID: in.ID, TownshipID: h.TownshipID, OfficialID: a.UserID, HouseholdID: h.ID, Category: in.Category,
		Date: date, Notes: in.Notes, FollowUp: in.FollowUp, QRVerified: qrVerified, Counts: ev.Counts, ContentHash: hash, CreatedAt: tx.Now}
	er := evidenceRow{RecordType: RecordVisit, RecordID: in.ID, Kind: "checkin", TownshipID: a.TownshipID, OfficialID: a.UserID, ContentHash: hash, Evidence: ev}
	if !tx.Optimistic() {
		trigger, err = openTrigger(tx.DB, h.ID, in.Category, in.TriggerID, date)
	}
	return row, er, trigger, err
}

// withTrigger is a household with the open trigger a visit answers, or none (NULL columns).
type withTrigger struct {
	Household domain.Household `gorm:"embedded"`
	Trigger   triggerRow       `gorm:"embedded;embeddedPrefix:t_"`
}

// householdAndTrigger reads in one query what householdIn and openTrigger read, for an
// optimistic Tx (PostgreSQL): the household of the township, and the open trigger of its
// category from before the visit that the visit answers — the one named, else the oldest.
func householdAndTrigger(tx *store.Tx, townshipID string, in VisitInput, date civil.Date) (domain.Household, *triggerRow, error) {
	trigger, err := columnsAs(tx, &triggerRow{}, "t", "t_")
	if err != nil {
		return domain.Household{}, nil, err
	}
	open := tx.Model(&triggerRow{}).Where("household_id = h.id AND category = ? AND closed_at IS NULL AND occurred_on <= ?", in.Category, date)
	if in.TriggerID != nil {
		open = open.Where("id = ?", *in.TriggerID)
	}
	var rows []withTrigger
	err = tx.Table("households AS h").Select("h.*, "+trigger).
		Joins("LEFT JOIN LATERAL (?) AS t ON true", open.Order("occurred_on, id").Limit(1)).
		Where("h.id = ? AND h.township_id = ?", in.HouseholdID, townshipID).Scan(&rows).Error
	switch {
	case err != nil:
		return domain.Household{}, nil, err
	case len(rows) == 0:
		return domain.Household{}, nil, domain.InvalidField("household_id", "must be a household of your township")
	case rows[0].Trigger.ID == "" && in.TriggerID != nil:
		return rows[0].Household, nil, domain.InvalidField("trigger_id", "must be an open trigger of this household and category")
	case rows[0].Trigger.ID == "":
		return rows[0].Household, nil, nil
	}
	return rows[0].Household, &rows[0].Trigger, nil
}

// visitInOneTrip reads the household and the open trigger, then writes the visit, its
// evidence, the trigger's closing and the log entry as one statement in one round trip to
// PostgreSQL (see createInOneTrip). It answers ok only when it stored the visit. When the
// trigger was closed meanwhile the statement writes nothing, and when the visit's id turned
// out taken it fails (the trigger is closed only with its visit); both, and everything else
// createInOneTrip leaves to the transaction, are left to CreateVisit's.
func (s *Service) visitInOneTrip(ctx context.Context, a domain.Actor, in VisitInput, hash string) (out domain.Visit, ok bool) {
	if len(in.Evidence.PhotoIDs) > 0 {
		return out, false
	}
	tx, ok := s.st.Optimistic(ctx)
	if !ok {
		return out, false
	}
	row, er, trigger, err := s.planVisit(tx, a, in, hash)
	if err != nil {
		return out, false
	}
	st := tx.NewStatement()
	after := store.ConfigCurrent
	if trigger != nil && er.Counts {
		if st.Update("trigger", store.ConfigCurrent, &triggerRow{}, map[string]any{"closed_at": er.OccurredAt, "closed_by_visit_id": row.ID},
			"id = ? AND closed_at IS NULL", trigger.ID) != nil {
			return out, false
		}
		t := duty.VisitTimeliness(er.OccurredAt, trigger.DueAt)
		row.TriggerID, row.Timeliness = &trigger.ID, &t
		after = "trigger"
		st.OnlyWith("trigger", "record")
	}
	out = row.domain(byKind{"checkin": er})
	if st.Insert("record", after, &row, true) != nil ||
		st.Insert("evidence", "record", &er, false) != nil ||
		st.Log("record", store.Change{Actor: a.UserID, Action: "create", Entity: RecordVisit, EntityID: row.ID, TownshipID: &row.TownshipID, After: out}) != nil {
		return out, false
	}
	wrote, err := st.Run()
	return out, err == nil && wrote["record"]
}

// openTrigger finds the open trigger a visit answers: the one named, which must be an open
// trigger of that household and category from before the visit, else the oldest such one,
// else none.
func openTrigger(tx *gorm.DB, householdID, category string, id *string, visitDate civil.Date) (*triggerRow, error) {
	var t triggerRow
	q := tx.Where("household_id = ? AND category = ? AND closed_at IS NULL AND occurred_on <= ?", householdID, category, visitDate)
	if id != nil {
		err := q.First(&t, "id = ?", *id).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, domain.InvalidField("trigger_id", "must be an open trigger of this household and category")
		}
		return &t, err
	}
	err := q.Order("occurred_on, id").First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	return &t, err
}

// Visits lists visits the actor may see.
func (s *Service) Visits(ctx context.Context, a domain.Actor, f FieldFilter, p store.PageRequest) (store.Page[domain.Visit], error) {
	db := s.st.Reader(ctx).DB
	return evidencePage(db, f.apply(fieldScope(db, a, "visits"), "official_id", "date"), "visits", RecordVisit, p,
		func(r visitRow) string { return r.ID }, visitRow.domain)
}

// checkVisitQR checks the QR token a visit carries for the visited household: no token (nil
// or empty) is not verified; a genuine token of that household is verified (qr_verified);
// a token of another household is 422 qr_wrong_household and anything else 422 qr_invalid,
// both on evidence.qr_token.
func (s *Service) checkVisitQR(token *string, householdID string) (bool, error) {
	if token == nil || *token == "" {
		return false, nil
	}
	if s.qr == nil {
		return false, errNoQRKey
	}
	if err := s.qr.Verify(*token, householdID); err != nil {
		return false, err
	}
	return true, nil
}
