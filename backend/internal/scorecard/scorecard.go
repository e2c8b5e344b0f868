// Package scorecard computes the scorecards (考核, §3.8): for a township and a period, one
// row per team member with each rule's figures, the petitions they handled and the audits of
// their records, and the township's own figures. It reads what the feature packages keep.
package scorecard

import (
	"context"

	"minxin/backend/internal/access"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// Service computes scorecards over a store.
type Service struct{ st *store.Store }

// New returns the scorecard service over a store.
func New(st *store.Store) *Service { return &Service{st: st} }

// Row is one official's figures over a period (考核).
type Row struct {
	OfficialID          string `json:"official_id"`
	DisplayName         string `json:"display_name"`
	TownshipID          string `json:"township_id"`
	Weeks               int    `json:"weeks"`
	WeeksMet            int    `json:"weeks_met"`
	NightsRequired      int    `json:"nights_required"`
	NightsCounted       int    `json:"nights_counted"`
	StationingDays      int    `json:"stationing_days"`
	StationingYear      int    `json:"stationing_required_days"`
	StationingStatus    string `json:"stationing_status"`
	ReceptionAssigned   int    `json:"reception_assigned"`
	ReceptionAttended   int    `json:"reception_attended"`
	ReceptionOnTime     int    `json:"reception_on_time"`
	TriggersOnTime      int    `json:"triggers_on_time"`
	TriggersLate        int    `json:"triggers_late"`
	TriggersOverdue     int    `json:"triggers_overdue"`
	TriggersOpen        int    `json:"triggers_open"`
	Visits              int    `json:"visits"`
	HouseholdsVisited   int    `json:"households_visited"`
	LinkedHouseholds    int    `json:"linked_households"`
	LinksStatus         string `json:"links_status"`
	PetitionsAssigned   int    `json:"petitions_assigned"`
	PetitionsOnTime     int    `json:"petitions_replied_on_time"`
	AuditsSampled       int    `json:"audits_sampled"`
	AuditsConfirmed     int    `json:"audits_confirmed"`
	AuditsDiscrepancies int    `json:"audits_discrepancies"`
	AuditsViolations    int    `json:"audits_violations"`
}

// Card is a township's table of officials over a period, with township figures.
type Card struct {
	TownshipID        string     `json:"township_id"`
	From              civil.Date `json:"from"`
	To                civil.Date `json:"to"`
	Rows              []Row      `json:"rows"`
	RotaDays          int        `json:"rota_days"`
	RotaCovered       int        `json:"rota_covered"`
	Households        int        `json:"households"`
	HouseholdsVisited int        `json:"households_visited"`
	TalkDayMonths     int        `json:"talk_day_months"`
	TalkDayMonthsHeld int        `json:"talk_day_months_held"`
}

// Input names the township and period of a scorecard.
type Input struct {
	TownshipID string
	From, To   civil.Date
}

// Township computes the scorecard of a township in the actor's scope (access.Scorecards):
// one row per team member.
func (s *Service) Township(ctx context.Context, a domain.Actor, in Input) (Card, error) {
	var v domain.Invalid
	v.Check(domain.ValidID(in.TownshipID), "township_id", "must be the id of a township")
	v.Check(!in.From.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!in.To.IsZero(), "to", "is required (YYYY-MM-DD)")
	if !in.From.IsZero() && !in.To.IsZero() {
		v.Check(!in.To.Before(in.From), "to", "must not be before from")
		v.Check(in.From.DaysUntil(in.To) < 366*2, "to", "a scorecard covers at most two years")
	}
	if err := v.Err(); err != nil {
		return Card{}, err
	}
	tx := s.st.Reader(ctx)
	db := tx.DB
	if err := store.CheckTownship(db, access.Of(a, access.Scorecards), in.TownshipID); err != nil {
		return Card{}, domain.NotFound("township")
	}
	out := Card{TownshipID: in.TownshipID, From: in.From, To: in.To, Rows: []Row{}}
	members, err := duties.TeamMembers(db, in.TownshipID)
	if err != nil {
		return Card{}, err
	}
	p, err := duties.Params(tx, in.To)
	if err != nil {
		return Card{}, err
	}
	checked, err := audits.FiguresBy(db, in.TownshipID, in.From, in.To)
	if err != nil {
		return Card{}, err
	}
	handled, err := petitions.HandledBy(tx, a, in.TownshipID, in.From, in.To)
	if err != nil {
		return Card{}, err
	}
	for _, m := range members {
		row := Row{OfficialID: m.ID, DisplayName: m.DisplayName, TownshipID: in.TownshipID}
		// A week belongs to the period that holds its Monday, so consecutive periods never
		// count a week twice.
		for monday := firstMonday(in.From); !monday.After(in.To); monday = monday.AddDays(7) {
			wp, err := duties.Params(tx, monday)
			if err != nil {
				return Card{}, err
			}
			w, err := duties.WeekNights(db, m.ID, monday, wp)
			if err != nil {
				return Card{}, err
			}
			row.Weeks++
			row.NightsRequired += w.Required
			row.NightsCounted += w.Counted
			if w.Status != duty.StatusShort {
				row.WeeksMet++
			}
		}
		var days int64
		err := db.Table("stationings").Where("official_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
			m.ID, true, in.From, in.To).Distinct("date").Count(&days).Error
		if err != nil {
			return Card{}, err
		}
		row.StationingDays = int(days)
		st, err := duties.StationingPace(db, m, in.To, p)
		if err != nil {
			return Card{}, err
		}
		row.StationingYear, row.StationingStatus = st.RequiredDays, st.Status
		rec, err := duties.ReceptionFigures(db, m.ID, in.From, in.To)
		if err != nil {
			return Card{}, err
		}
		row.ReceptionAssigned, row.ReceptionAttended, row.ReceptionOnTime = rec.Assigned, rec.Attended, rec.OnTime
		vis, err := duties.VisitFigures(tx, m.ID, in.From, in.To)
		if err != nil {
			return Card{}, err
		}
		row.TriggersOnTime, row.TriggersLate, row.TriggersOverdue, row.TriggersOpen = vis.OnTime, vis.Late, vis.Overdue, vis.Open
		row.Visits, row.HouseholdsVisited = vis.Visits, vis.HouseholdsVisited
		links, err := duties.LinkFigures(db, m.ID, p)
		if err != nil {
			return Card{}, err
		}
		row.LinkedHouseholds, row.LinksStatus = links.LinkedHouseholds, links.Status
		row.PetitionsAssigned, row.PetitionsOnTime = handled[m.ID].Assigned, handled[m.ID].OnTime
		af := checked[m.ID]
		row.AuditsSampled, row.AuditsConfirmed, row.AuditsDiscrepancies, row.AuditsViolations = af.Sampled, af.Confirmed, af.Discrepancies, af.Violations
		out.Rows = append(out.Rows, row)
	}
	var rota struct{ Days, Covered int }
	if err := db.Table("reception_days").Select("COUNT(*) AS days, COUNT(official_id) AS covered").
		Where("township_id = ? AND date >= ? AND date <= ?", in.TownshipID, in.From, in.To).Scan(&rota).Error; err != nil {
		return Card{}, err
	}
	out.RotaDays, out.RotaCovered = rota.Days, rota.Covered
	var households, visited int64
	if err := db.Model(&domain.Household{}).Where("township_id = ?", in.TownshipID).Count(&households).Error; err != nil {
		return Card{}, err
	}
	if err := db.Table("visits").Where("township_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
		in.TownshipID, true, in.From, in.To).Distinct("household_id").Count(&visited).Error; err != nil {
		return Card{}, err
	}
	out.Households, out.HouseholdsVisited = int(households), int(visited)
	// Each village owes its talk days: the township's figure adds up its villages'.
	var villages []domain.Village
	if err := db.Where("township_id = ?", in.TownshipID).Find(&villages).Error; err != nil {
		return Card{}, err
	}
	var talks []struct {
		VillageID string
		HeldOn    civil.Date
	}
	if err := db.Table("talk_days").Select("village_id, held_on").
		Where("township_id = ? AND held_on >= ? AND held_on <= ?", in.TownshipID, in.From, in.To).Scan(&talks).Error; err != nil {
		return Card{}, err
	}
	held := map[string][]civil.Date{}
	for _, t := range talks {
		held[t.VillageID] = append(held[t.VillageID], t.HeldOn)
	}
	for _, v := range villages {
		cov := duty.TalkDayCoverage(held[v.ID], in.From, in.To, p.TalkDays.PerMonth)
		out.TalkDayMonthsHeld += cov.Num
		out.TalkDayMonths += cov.Den
	}
	return out, nil
}

// firstMonday is the first Monday on or after d.
func firstMonday(d civil.Date) civil.Date {
	if m := d.ISOWeekStart(); m == d {
		return m
	}
	return d.ISOWeekStart().AddDays(7)
}
