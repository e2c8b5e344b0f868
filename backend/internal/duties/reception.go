package duties

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

type receptionRow struct {
	ID         string
	TownshipID string
	Date       civil.Date
	OfficialID *string
	Attended   bool
	OnTime     bool
	RefutedAt  *time.Time
	CreatedAt  time.Time
}

func (receptionRow) TableName() string { return "reception_days" }

func (r receptionRow) domain(ev byKind) domain.ReceptionDay {
	return domain.ReceptionDay{ID: r.ID, TownshipID: r.TownshipID, Date: r.Date, OfficialID: r.OfficialID, Checkin: ev.evidence("checkin"),
		Attended: r.Attended && r.RefutedAt == nil, OnTime: r.OnTime && r.RefutedAt == nil, Refuted: r.RefutedAt != nil}
}

type receptionChangeRow struct {
	ID             string
	ReceptionDayID string
	TownshipID     string
	FromOfficialID *string
	ToOfficialID   string
	Reason         string
	ChangedBy      string
	ChangedAt      time.Time
}

func (receptionChangeRow) TableName() string { return "reception_day_changes" }

// RotaInput asks for the reception rota of a township over a date range.
type RotaInput struct {
	TownshipID string     `json:"township_id"`
	From       civil.Date `json:"from"`
	To         civil.Date `json:"to"`
}

// workingOverrides returns the calendar's overrides between two dates.
func workingOverrides(tx *gorm.DB, from, to civil.Date) (map[civil.Date]bool, error) {
	var hs []domain.Holiday
	if err := tx.Where("date >= ? AND date <= ?", from, to).Find(&hs).Error; err != nil {
		return nil, err
	}
	out := map[civil.Date]bool{}
	for _, h := range hs {
		out[h.Date] = h.Working
	}
	return out, nil
}

// LeaveRanges returns the leave of the given officials overlapping [from, to], by official.
func LeaveRanges(tx *gorm.DB, officials []string, from, to civil.Date) (map[string][]duty.DateRange, error) {
	out := map[string][]duty.DateRange{}
	if len(officials) == 0 {
		return out, nil
	}
	var ls []domain.Leave
	if err := tx.Where("user_id IN ? AND start_date <= ? AND end_date >= ?", officials, to, from).Find(&ls).Error; err != nil {
		return nil, err
	}
	for _, l := range ls {
		out[l.UserID] = append(out[l.UserID], duty.DateRange{Start: l.StartDate, End: l.EndDate})
	}
	return out, nil
}

// TeamMembers lists a township's team members in a stable order (by id, i.e. creation).
func TeamMembers(tx *gorm.DB, townshipID string) ([]domain.User, error) {
	var us []domain.User
	err := tx.Where("township_id = ? AND role = ? AND team_member = ?", townshipID, domain.RoleOfficial, true).Order("id").Find(&us).Error
	return us, err
}

// GenerateReceptionDays makes the rota for the working days of a range: round-robin over the
// township's team members, skipping non-working days and members on leave. Days that already
// have a receiver keep them; the cycle continues from the last receiver before the range.
func (s *Service) GenerateReceptionDays(ctx context.Context, a domain.Actor, in RotaInput) ([]domain.ReceptionDay, error) {
	var v domain.Invalid
	v.Check(domain.ValidID(in.TownshipID), "township_id", "must be the id of a township")
	v.Check(!in.From.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!in.To.IsZero(), "to", "is required (YYYY-MM-DD)")
	if !in.From.IsZero() && !in.To.IsZero() {
		v.Check(!in.To.Before(in.From), "to", "must not be before from")
		v.Check(in.From.DaysUntil(in.To) < 366, "to", "a rota covers at most one year at a time")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []domain.ReceptionDay
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := store.CheckTownship(tx.DB, access.Of(a, access.Organisation), in.TownshipID); err != nil {
			return err
		}
		members, err := TeamMembers(tx.DB, in.TownshipID)
		if err != nil {
			return err
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.ID
		}
		overrides, err := workingOverrides(tx.DB, in.From, in.To)
		if err != nil {
			return err
		}
		leaves, err := LeaveRanges(tx.DB, ids, in.From, in.To)
		if err != nil {
			return err
		}
		start := 0
		var last receptionRow
		err = tx.Where("township_id = ? AND date < ? AND official_id IS NOT NULL", in.TownshipID, in.From).Order("date DESC").First(&last).Error
		if err == nil {
			for i, id := range ids {
				if id == *last.OfficialID {
					start = i + 1
				}
			}
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		rota := duty.GenerateRota(in.From, in.To, ids, start,
			func(d civil.Date) bool { return duty.IsWorkingDay(d, overrides) },
			func(m string, d civil.Date) bool {
				for _, r := range leaves[m] {
					if r.Contains(d) {
						return true
					}
				}
				return false
			})
		created := 0
		for _, day := range rota {
			row := receptionRow{ID: domain.NewID(), TownshipID: in.TownshipID, Date: day.Date, CreatedAt: tx.Now}
			if day.Member != "" {
				m := day.Member
				row.OfficialID = &m
			}
			inserted, err := store.InsertOnce(tx.DB, &row, "township_id", "date")
			if err != nil {
				return err
			}
			if inserted {
				created++
			}
		}
		var rows []receptionRow
		if err := tx.Where("township_id = ? AND date >= ? AND date <= ?", in.TownshipID, in.From, in.To).Order("date").Find(&rows).Error; err != nil {
			return err
		}
		out = make([]domain.ReceptionDay, len(rows))
		for i, r := range rows {
			out[i] = r.domain(nil)
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "generate", Entity: "reception_rota", EntityID: in.TownshipID,
			TownshipID: &in.TownshipID, After: map[string]any{"from": in.From, "to": in.To, "created": created}})
	})
	return out, err
}

// ReceptionDays lists reception days of townships in the actor's scope, by date.
func (s *Service) ReceptionDays(ctx context.Context, a domain.Actor, f FieldFilter) ([]domain.ReceptionDay, error) {
	db := s.st.Reader(ctx).DB
	q := f.apply(organisationScope(db, a), "official_id", "date")
	var rows []receptionRow
	if err := q.Order("date, township_id").Limit(1000).Find(&rows).Error; err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	evs, err := evidenceOf(db, RecordReceptionDay, ids)
	if err != nil {
		return nil, err
	}
	out := make([]domain.ReceptionDay, len(rows))
	for i, r := range rows {
		out[i] = r.domain(evs[r.ID])
	}
	return out, nil
}

// ReceptionDayWithHistory is a reception day with its reassignments.
type ReceptionDayWithHistory struct {
	domain.ReceptionDay
	History []domain.ReceptionDayChange `json:"history"`
}

// ReceptionDay returns a reception day in the actor's scope, with its history.
func (s *Service) ReceptionDay(ctx context.Context, a domain.Actor, id string) (ReceptionDayWithHistory, error) {
	db := s.st.Reader(ctx).DB
	var row receptionRow
	if err := organisationScope(db, a).First(&row, "id = ?", id).Error; err != nil {
		return ReceptionDayWithHistory{}, store.NotFound(err, "reception day")
	}
	evs, err := evidenceOf(db, RecordReceptionDay, []string{id})
	if err != nil {
		return ReceptionDayWithHistory{}, err
	}
	var changes []receptionChangeRow
	if err := db.Where("reception_day_id = ?", id).Order("changed_at, id").Find(&changes).Error; err != nil {
		return ReceptionDayWithHistory{}, err
	}
	out := ReceptionDayWithHistory{ReceptionDay: row.domain(evs[id]), History: make([]domain.ReceptionDayChange, len(changes))}
	for i, c := range changes {
		out.History[i] = domain.ReceptionDayChange{ID: c.ID, FromOfficialID: c.FromOfficialID, ToOfficialID: c.ToOfficialID,
			Reason: c.Reason, ChangedBy: c.ChangedBy, ChangedAt: c.ChangedAt}
	}
	return out, nil
}

// ReassignInput gives a reception day to another team member.
type ReassignInput struct {
	OfficialID string `json:"official_id"`
	Reason     string `json:"reason"`
}

// ReassignReceptionDay gives a day to another team member of the township, keeping the change
// in the day's history. A day whose receiver has checked in cannot change hands.
func (s *Service) ReassignReceptionDay(ctx context.Context, a domain.Actor, id string, in ReassignInput) (ReceptionDayWithHistory, error) {
	var v domain.Invalid
	v.Check(domain.ValidID(in.OfficialID), "official_id", "must be the id of a team member")
	domain.ValidateName(&v, "reason", in.Reason, 200)
	if err := v.Err(); err != nil {
		return ReceptionDayWithHistory{}, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		var row receptionRow
		if err := organisationScope(tx.DB, a).First(&row, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "reception day")
		}
		var checkins int64
		if err := tx.Model(&evidenceRow{}).Where("record_type = ? AND record_id = ?", RecordReceptionDay, id).Count(&checkins).Error; err != nil {
			return err
		}
		if checkins > 0 {
			return domain.Conflict("already_checked_in", "the receiver has already checked in on this day")
		}
		err := tx.Select("id").First(&domain.User{}, "id = ? AND township_id = ? AND role = ? AND team_member = ?",
			in.OfficialID, row.TownshipID, domain.RoleOfficial, true).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.InvalidField("official_id", "must be a team member of the day's township")
		} else if err != nil {
			return err
		}
		c := receptionChangeRow{ID: domain.NewID(), ReceptionDayID: id, TownshipID: row.TownshipID, FromOfficialID: row.OfficialID,
			ToOfficialID: in.OfficialID, Reason: in.Reason, ChangedBy: a.UserID, ChangedAt: tx.Now}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := tx.Model(&receptionRow{}).Where("id = ?", id).Update("official_id", in.OfficialID).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "reassign", Entity: RecordReceptionDay, EntityID: id, TownshipID: &row.TownshipID,
			Before: map[string]any{"official_id": row.OfficialID}, After: map[string]any{"official_id": in.OfficialID, "reason": in.Reason}})
	})
	if err != nil {
		return ReceptionDayWithHistory{}, err
	}
	return s.ReceptionDay(ctx, a, id)
}

// CheckinReception records the receiver's check-in at the township seat: attended when it
// counts and falls on the day, on time before the setting's hour. Only the day's receiver
// checks in.
func (s *Service) CheckinReception(ctx context.Context, a domain.Actor, id string, in CheckoutInput) (domain.ReceptionDay, error) {
	return addLater(s, ctx, a, later[receptionRow, domain.ReceptionDay]{recordType: RecordReceptionDay, kind: "checkin", what: "day",
		find: func(tx *store.Tx) *gorm.DB {
			return organisationScope(tx.Model(&receptionRow{}), a).Where("id = ?", id)
		},
		missing: domain.NotFound("reception day"),
		check: func(row receptionRow) error {
			if row.OfficialID == nil || *row.OfficialID != a.UserID {
				return domain.Conflict("not_your_reception_day", "you are not the receiver of this day")
			}
			return nil
		},
		date: func(r receptionRow) civil.Date { return r.Date },
		fences: func(tx *store.Tx, r receptionRow) ([]duty.Geofence, error) {
			f, err := tx.TownshipFences(r.TownshipID)
			return f.Seat, err
		},
		settle: func(r *receptionRow, ev byKind, p duty.Params) map[string]any {
			in := ev["checkin"]
			attended, onTime := duty.ReceptionAttendance(in.OccurredAt, r.Date, s.st.Location(), p.Reception.OnTimeBefore)
			r.Attended, r.OnTime = attended && in.Counts, onTime && attended && in.Counts
			return map[string]any{"attended": r.Attended, "on_time": r.OnTime}
		},
		render: receptionRow.domain}, id, in)
}

// ReceptionDayOn finds a township's reception day of a date, as a petition registered at the
// reception links to it; found is false when the date has none.
func ReceptionDayOn(db *gorm.DB, townshipID string, d civil.Date) (day domain.ReceptionDay, found bool, err error) {
	var row receptionRow
	err = db.Where("township_id = ? AND date = ?", townshipID, d).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return day, false, nil
	}
	return row.domain(nil), err == nil, err
}
