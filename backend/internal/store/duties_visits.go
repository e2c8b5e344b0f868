package store

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
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
func (s *Store) CreateTrigger(ctx context.Context, a domain.Actor, in TriggerInput) (domain.VisitTrigger, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.HouseholdID), "household_id", "must be the id of a household")
	v.Check(!in.OccurredOn.IsZero(), "occurred_on", "is required (YYYY-MM-DD)")
	v.Check(!in.OccurredOn.After(s.today()), "occurred_on", "must not be in the future")
	v.Check(utf8.RuneCountInString(in.Note) <= 1000, "note", "must be at most 1000 characters")
	if err := v.Err(); err != nil {
		return domain.VisitTrigger{}, err
	}
	hash := contentHash(in)
	var out domain.VisitTrigger
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if stored, err := storedRecord[triggerRow](tx, in.ID, a.UserID, hash, "trigger"); err != nil || stored != nil {
			if stored != nil {
				out = stored.domain(s.now())
			}
			return err
		}
		h, err := householdIn(tx, a.TownshipID, in.HouseholdID)
		if err != nil {
			return err
		}
		row, err := s.newTrigger(tx, a.UserID, h, in.Category, in.OccurredOn, in.Note, "manual", nil)
		if err != nil {
			return err
		}
		row.ID, row.ContentHash = in.ID, hash
		inserted, stored, err := insertRecord(tx, &row, in.ID, "trigger")
		if err != nil {
			return err
		}
		if !inserted {
			out = stored.domain(s.now())
			return nil
		}
		out = row.domain(s.now())
		return s.appendLog(tx, change{actor: a.UserID, action: "create", entity: "visit_trigger", entityID: row.ID, townshipID: &row.TownshipID, after: out})
	})
	return out, err
}

// newTrigger builds a trigger row with its due time and responsible official.
func (s *Store) newTrigger(tx *gorm.DB, actor string, h domain.Household, category string, on civil.Date, note, source string, petitionID *string) (triggerRow, error) {
	p, _, err := s.dutyParamsOn(tx, on)
	if err != nil {
		return triggerRow{}, err
	}
	dueDays, err := categoryDue(p, category)
	if err != nil {
		return triggerRow{}, err
	}
	responsible, err := responsibleFor(tx, h)
	if err != nil {
		return triggerRow{}, err
	}
	return triggerRow{ID: domain.NewID(), TownshipID: h.TownshipID, HouseholdID: h.ID, Category: category, OccurredOn: on,
		DueAt: duty.TriggerDueAt(on, dueDays, s.loc).UTC(), Note: note, ResponsibleID: responsible, Source: source,
		PetitionID: petitionID, RecordedBy: actor, CreatedAt: s.now()}, nil
}

// recordPetitionTrigger records the `petition` must-visit trigger of a household when a
// petition from it is registered; one trigger per petition, in the petition's transaction.
func (s *Store) recordPetitionTrigger(tx *gorm.DB, actor string, householdID string, occurredOn civil.Date, petitionID string) error {
	var h domain.Household
	if err := tx.First(&h, "id = ?", householdID).Error; err != nil {
		return notFound(err, "household")
	}
	row, err := s.newTrigger(tx, actor, h, "petition", occurredOn, "", "petition", &petitionID)
	if err != nil {
		return err
	}
	row.ContentHash = contentHash(map[string]string{"petition_id": petitionID})
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	return s.appendLog(tx, change{actor: actor, action: "create", entity: "visit_trigger", entityID: row.ID, townshipID: &row.TownshipID, after: row.domain(s.now())})
}

// TriggerFilter narrows the list of triggers.
type TriggerFilter struct {
	TownshipID, HouseholdID, ResponsibleID string
	Status                                 string // open, overdue, closed
}

// Triggers lists triggers of townships in the actor's scope, due soonest first.
func (s *Store) Triggers(ctx context.Context, a domain.Actor, f TriggerFilter, p PageRequest) (Page[domain.VisitTrigger], error) {
	q := scoped(s.conn(ctx), a, "township_id")
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.HouseholdID != "" {
		q = q.Where("household_id = ?", f.HouseholdID)
	}
	if f.ResponsibleID != "" {
		q = q.Where("responsible_id = ?", f.ResponsibleID)
	}
	now := s.now()
	switch f.Status {
	case "open":
		q = q.Where("closed_at IS NULL")
	case "overdue":
		q = q.Where("closed_at IS NULL AND due_at <= ?", now)
	case "closed":
		q = q.Where("closed_at IS NOT NULL")
	}
	page, err := listPage(q, "visit_triggers", p, func(r triggerRow) string { return r.ID })
	if err != nil {
		return Page[domain.VisitTrigger]{}, err
	}
	out := Page[domain.VisitTrigger]{Items: make([]domain.VisitTrigger, len(page.Items)), NextCursor: page.NextCursor}
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

func (r visitRow) domain(ev evidenceRow) domain.Visit {
	return domain.Visit{ID: r.ID, TownshipID: r.TownshipID, OfficialID: r.OfficialID, HouseholdID: r.HouseholdID,
		Category: r.Category, TriggerID: r.TriggerID, Timeliness: r.Timeliness, Date: r.Date, Notes: r.Notes,
		FollowUp: r.FollowUp, Evidence: ev.domain(), QRVerified: r.QRVerified, Counts: r.Counts && r.RefutedAt == nil,
		Refuted: r.RefutedAt != nil}
}

// CreateVisit records a visit to a household of the actor's township. A visit that counts
// closes the open trigger it answers (the one named, else the household's oldest open
// trigger of that category from before the visit), on time or late. A QR token in the evidence must be the visited
// household's (qr_verified).
func (s *Store) CreateVisit(ctx context.Context, a domain.Actor, in VisitInput) (domain.Visit, error) {
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
	var out domain.Visit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if stored, err := storedRecord[visitRow](tx, in.ID, a.UserID, hash, "visit"); err != nil || stored != nil {
			if stored != nil {
				evs, lerr := evidenceOf(tx, RecordVisit, []string{in.ID})
				out, err = stored.domain(evs[in.ID]["checkin"]), lerr
			}
			return err
		}
		h, err := householdIn(tx, a.TownshipID, in.HouseholdID)
		if err != nil {
			return err
		}
		qrVerified, err := s.checkVisitQR(in.Evidence.QRToken, h.ID)
		if err != nil {
			return err
		}
		date := civil.Of(*in.Evidence.OccurredAt, s.loc)
		p, _, err := s.dutyParamsOn(tx, date)
		if err != nil {
			return err
		}
		if _, err := categoryDue(p, in.Category); err != nil {
			return err
		}
		_, fence, err := villageFence(tx, h.TownshipID, h.VillageID, "household_id")
		if err != nil {
			return err
		}
		ev, err := s.evaluate(tx, p, a, "evidence", in.Evidence, fence, qrVerified)
		if err != nil {
			return err
		}
		row := visitRow{ID: in.ID, TownshipID: h.TownshipID, OfficialID: a.UserID, HouseholdID: h.ID, Category: in.Category,
			Date: date, Notes: in.Notes, FollowUp: in.FollowUp, QRVerified: qrVerified, Counts: ev.Counts, ContentHash: hash, CreatedAt: s.now()}
		trigger, err := openTrigger(tx, h.ID, in.Category, in.TriggerID, date)
		if err != nil {
			return err
		}
		if trigger != nil && ev.Counts {
			// Close the trigger first; when another visit closed it at the same moment, this
			// visit is stored all the same, answering no trigger.
			res := tx.Model(&triggerRow{}).Where("id = ? AND closed_at IS NULL", trigger.ID).
				Updates(map[string]any{"closed_at": ev.OccurredAt, "closed_by_visit_id": row.ID})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				t := duty.VisitTimeliness(ev.OccurredAt, trigger.DueAt)
				row.TriggerID, row.Timeliness = &trigger.ID, &t
			}
		}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "visit")
		if err != nil {
			return err
		}
		if !inserted {
			evs, err := evidenceOf(tx, RecordVisit, []string{in.ID})
			out = stored.domain(evs[in.ID]["checkin"])
			return err
		}
		ev.RecordType, ev.RecordID, ev.Kind, ev.ContentHash = RecordVisit, in.ID, "checkin", hash
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		out = row.domain(ev)
		return s.appendLog(tx, change{actor: a.UserID, action: "create", entity: RecordVisit, entityID: row.ID, townshipID: &row.TownshipID, after: out})
	})
	return out, err
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
func (s *Store) Visits(ctx context.Context, a domain.Actor, f FieldFilter, p PageRequest) (Page[domain.Visit], error) {
	db := s.conn(ctx)
	return evidencePage(db, f.apply(fieldScope(db, a, "visits"), "date"), "visits", RecordVisit, p,
		func(r visitRow) string { return r.ID }, func(r visitRow, ev map[string]evidenceRow) domain.Visit { return r.domain(ev["checkin"]) })
}

// TalkDayInput records a village talk day (民情恳谈日).
type TalkDayInput struct {
	ID         string     `json:"id"`
	VillageID  string     `json:"village_id"`
	HeldOn     civil.Date `json:"held_on"`
	Attendance int        `json:"attendance"`
	Issues     []string   `json:"issues"`
}

type talkDayRow struct {
	ID          string
	TownshipID  string
	VillageID   string
	HeldOn      civil.Date
	Attendance  int
	Issues      string
	RecordedBy  string
	ContentHash string
	CreatedAt   time.Time
}

func (talkDayRow) TableName() string { return "talk_days" }

func (r talkDayRow) authorAndHash() (string, string) { return r.RecordedBy, r.ContentHash }

func (r talkDayRow) domain() domain.TalkDay {
	out := domain.TalkDay{ID: r.ID, TownshipID: r.TownshipID, VillageID: r.VillageID, HeldOn: r.HeldOn, Attendance: r.Attendance,
		RecordedBy: r.RecordedBy, Issues: []string{}}
	if err := jsonUnmarshal(r.Issues, &out.Issues); err != nil {
		panic(err)
	}
	return out
}

// CreateTalkDay records a talk day of a village of the actor's township.
func (s *Store) CreateTalkDay(ctx context.Context, a domain.Actor, in TalkDayInput) (domain.TalkDay, error) {
	var v domain.Invalid
	validRecordID(&v, in.ID)
	v.Check(domain.ValidID(in.VillageID), "village_id", "must be the id of a village")
	v.Check(!in.HeldOn.IsZero(), "held_on", "is required (YYYY-MM-DD)")
	v.Check(!in.HeldOn.After(s.today()), "held_on", "must not be in the future")
	v.Check(in.Attendance >= 0 && in.Attendance <= 100_000, "attendance", "must be a number of people from 0 to 100000")
	v.Check(len(in.Issues) <= 100, "issues", "at most 100 issues")
	for _, issue := range in.Issues {
		if n := utf8.RuneCountInString(issue); n == 0 || n > 1000 {
			v.Add("issues", "each issue must be 1 to 1000 characters")
			break
		}
	}
	if err := v.Err(); err != nil {
		return domain.TalkDay{}, err
	}
	if in.Issues == nil {
		in.Issues = []string{}
	}
	hash := contentHash(in)
	var out domain.TalkDay
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if stored, err := storedRecord[talkDayRow](tx, in.ID, a.UserID, hash, "talk day"); err != nil || stored != nil {
			if stored != nil {
				out = stored.domain()
			}
			return err
		}
		if _, _, err := villageFence(tx, a.TownshipID, in.VillageID, "village_id"); err != nil {
			return err
		}
		row := talkDayRow{ID: in.ID, TownshipID: a.TownshipID, VillageID: in.VillageID, HeldOn: in.HeldOn, Attendance: in.Attendance,
			Issues: jsonText(in.Issues), RecordedBy: a.UserID, ContentHash: hash, CreatedAt: s.now()}
		inserted, stored, err := insertRecord(tx, &row, in.ID, "talk day")
		if err != nil {
			return err
		}
		if !inserted {
			out = stored.domain()
			return nil
		}
		out = row.domain()
		return s.appendLog(tx, change{actor: a.UserID, action: "create", entity: "talk_day", entityID: row.ID, townshipID: &row.TownshipID, after: out})
	})
	return out, err
}

// TalkDays lists talk days of townships in the actor's scope.
func (s *Store) TalkDays(ctx context.Context, a domain.Actor, f FieldFilter, p PageRequest) (Page[domain.TalkDay], error) {
	q := scoped(s.conn(ctx), a, "township_id")
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.OfficialID != "" {
		q = q.Where("recorded_by = ?", f.OfficialID)
	}
	if f.From != nil {
		q = q.Where("held_on >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("held_on <= ?", *f.To)
	}
	page, err := listPage(q, "talk_days", p, func(r talkDayRow) string { return r.ID })
	if err != nil {
		return Page[domain.TalkDay]{}, err
	}
	out := Page[domain.TalkDay]{Items: make([]domain.TalkDay, len(page.Items)), NextCursor: page.NextCursor}
	for i, r := range page.Items {
		out.Items[i] = r.domain()
	}
	return out, nil
}

// ContactLinkInput links a team member to a village of their township (联系点).
type ContactLinkInput struct {
	VillageID string `json:"village_id"`
}

// PutContactLink links a team member of a township in the actor's scope to one of its villages.
func (s *Store) PutContactLink(ctx context.Context, a domain.Actor, officialID string, in ContactLinkInput) (domain.ContactLink, error) {
	if !domain.ValidID(in.VillageID) {
		return domain.ContactLink{}, domain.InvalidField("village_id", "must be the id of a village")
	}
	var out domain.ContactLink
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u domain.User
		if err := scoped(tx, a, "township_id").First(&u, "id = ? AND role = ? AND team_member = ?", officialID, domain.RoleOfficial, true).Error; err != nil {
			return notFound(err, "team member")
		}
		if _, _, err := villageFence(tx, *u.TownshipID, in.VillageID, "village_id"); err != nil {
			return err
		}
		var before *domain.ContactLink
		var old domain.ContactLink
		switch err := tx.Table("contact_links").First(&old, "official_id = ?", officialID).Error; {
		case err == nil:
			before = &old
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		out = domain.ContactLink{OfficialID: officialID, TownshipID: *u.TownshipID, VillageID: in.VillageID}
		err := tx.Table("contact_links").Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "official_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"township_id", "village_id"}),
		}).Create(&out).Error
		if err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "put", entity: "contact_link", entityID: officialID, townshipID: u.TownshipID, before: before, after: out})
	})
	return out, err
}
