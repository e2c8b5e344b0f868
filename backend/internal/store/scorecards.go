package store

import (
	"context"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/rules/petition"
)

// ScorecardRow is one official's figures over a period (考核).
type ScorecardRow struct {
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

// Scorecard is a township's table of officials over a period, with township figures.
type Scorecard struct {
	TownshipID        string         `json:"township_id"`
	From              civil.Date     `json:"from"`
	To                civil.Date     `json:"to"`
	Rows              []ScorecardRow `json:"rows"`
	RotaDays          int            `json:"rota_days"`
	RotaCovered       int            `json:"rota_covered"`
	Households        int            `json:"households"`
	HouseholdsVisited int            `json:"households_visited"`
	TalkDayMonths     int            `json:"talk_day_months"`
	TalkDayMonthsHeld int            `json:"talk_day_months_held"`
}

// ScorecardInput names the township and period of a scorecard.
type ScorecardInput struct {
	TownshipID string
	From, To   civil.Date
}

// Scorecard computes the scorecard of a township in the actor's scope: one row per team member.
func (s *Store) Scorecard(ctx context.Context, a domain.Actor, in ScorecardInput) (Scorecard, error) {
	var v domain.Invalid
	v.Check(domain.ValidID(in.TownshipID), "township_id", "must be the id of a township")
	v.Check(!in.From.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!in.To.IsZero(), "to", "is required (YYYY-MM-DD)")
	if !in.From.IsZero() && !in.To.IsZero() {
		v.Check(!in.To.Before(in.From), "to", "must not be before from")
		v.Check(in.From.DaysUntil(in.To) < 366*2, "to", "a scorecard covers at most two years")
	}
	if err := v.Err(); err != nil {
		return Scorecard{}, err
	}
	db := s.conn(ctx)
	if err := s.checkTownship(db, a, in.TownshipID); err != nil {
		return Scorecard{}, domain.NotFound("township")
	}
	out := Scorecard{TownshipID: in.TownshipID, From: in.From, To: in.To, Rows: []ScorecardRow{}}
	members, err := teamMembers(db, in.TownshipID)
	if err != nil {
		return Scorecard{}, err
	}
	p, _, err := s.dutyParamsOn(db, in.To)
	if err != nil {
		return Scorecard{}, err
	}
	audits, err := auditFiguresBy(db, in.TownshipID, in.From, in.To)
	if err != nil {
		return Scorecard{}, err
	}
	handled, err := s.petitionsByHandler(db, a, in.TownshipID, in.From, in.To)
	if err != nil {
		return Scorecard{}, err
	}
	for _, m := range members {
		row := ScorecardRow{OfficialID: m.ID, DisplayName: m.DisplayName, TownshipID: in.TownshipID}
		// A week belongs to the period that holds its Monday, so consecutive periods never
		// count a week twice.
		for monday := firstMonday(in.From); !monday.After(in.To); monday = monday.AddDays(7) {
			wp, _, err := s.dutyParamsOn(db, monday)
			if err != nil {
				return Scorecard{}, err
			}
			w, err := s.weekNights(db, m.ID, monday, wp)
			if err != nil {
				return Scorecard{}, err
			}
			row.Weeks++
			row.NightsRequired += w.Required
			row.NightsCounted += w.Counted
			if w.Status != duty.StatusShort {
				row.WeeksMet++
			}
		}
		var days int64
		err := db.Model(&stationingRow{}).Where("official_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
			m.ID, true, in.From, in.To).Distinct("date").Count(&days).Error
		if err != nil {
			return Scorecard{}, err
		}
		row.StationingDays = int(days)
		st, err := s.stationingProgress(db, m, in.To, p)
		if err != nil {
			return Scorecard{}, err
		}
		row.StationingYear, row.StationingStatus = st.RequiredDays, st.Status
		rec, err := receptionFigures(db, m.ID, in.From, in.To)
		if err != nil {
			return Scorecard{}, err
		}
		row.ReceptionAssigned, row.ReceptionAttended, row.ReceptionOnTime = rec.Assigned, rec.Attended, rec.OnTime
		vis, err := s.visitFigures(db, m.ID, in.From, in.To)
		if err != nil {
			return Scorecard{}, err
		}
		row.TriggersOnTime, row.TriggersLate, row.TriggersOverdue, row.TriggersOpen = vis.OnTime, vis.Late, vis.Overdue, vis.Open
		row.Visits, row.HouseholdsVisited = vis.Visits, vis.HouseholdsVisited
		links, err := linkFigures(db, m.ID, p)
		if err != nil {
			return Scorecard{}, err
		}
		row.LinkedHouseholds, row.LinksStatus = links.LinkedHouseholds, links.Status
		row.PetitionsAssigned, row.PetitionsOnTime = handled[m.ID].assigned, handled[m.ID].onTime
		af := audits[m.ID]
		row.AuditsSampled, row.AuditsConfirmed, row.AuditsDiscrepancies, row.AuditsViolations = af.Sampled, af.Confirmed, af.Discrepancies, af.Violations
		out.Rows = append(out.Rows, row)
	}
	var rota struct{ Days, Covered int }
	if err := db.Model(&receptionRow{}).Select("COUNT(*) AS days, COUNT(official_id) AS covered").
		Where("township_id = ? AND date >= ? AND date <= ?", in.TownshipID, in.From, in.To).Scan(&rota).Error; err != nil {
		return Scorecard{}, err
	}
	out.RotaDays, out.RotaCovered = rota.Days, rota.Covered
	var households, visited int64
	if err := db.Model(&domain.Household{}).Where("township_id = ?", in.TownshipID).Count(&households).Error; err != nil {
		return Scorecard{}, err
	}
	if err := db.Model(&visitRow{}).Where("township_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
		in.TownshipID, true, in.From, in.To).Distinct("household_id").Count(&visited).Error; err != nil {
		return Scorecard{}, err
	}
	out.Households, out.HouseholdsVisited = int(households), int(visited)
	// Each village owes its talk days: the township's figure adds up its villages'.
	var villages []domain.Village
	if err := db.Where("township_id = ?", in.TownshipID).Find(&villages).Error; err != nil {
		return Scorecard{}, err
	}
	var talks []talkDayRow
	if err := db.Where("township_id = ? AND held_on >= ? AND held_on <= ?", in.TownshipID, in.From, in.To).Find(&talks).Error; err != nil {
		return Scorecard{}, err
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

type handledPetitions struct{ assigned, onTime int }

// petitionsByHandler counts, per handler, the petitions of a township received in a period
// and assigned to them, and those replied within their deadline. Petitions that name the
// viewer are left out, so that no count betrays a petition to the official it is about.
func (s *Store) petitionsByHandler(tx *gorm.DB, viewer domain.Actor, townshipID string, from, to civil.Date) (map[string]handledPetitions, error) {
	var rows []petitionRow
	err := tx.Where("township_id = ? AND handler_id IS NOT NULL AND received_on >= ? AND received_on <= ?", townshipID, from, to).
		Where("NOT EXISTS (SELECT 1 FROM petition_about pa WHERE pa.petition_id = petitions.id AND pa.official_id = ?)", viewer.UserID).
		Find(&rows).Error
	if err != nil {
		return nil, err
	}
	params, err := s.paramsByDate(tx)
	if err != nil {
		return nil, err
	}
	out := map[string]handledPetitions{}
	for _, r := range rows {
		h := out[*r.HandlerID]
		h.assigned++
		if petition.RepliedOnTime(r.facts(), s.loc, params(r.ReceivedOn)) {
			h.onTime++
		}
		out[*r.HandlerID] = h
	}
	return out, nil
}
