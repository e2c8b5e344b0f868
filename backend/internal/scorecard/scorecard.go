// Package scorecard computes the scorecards (考核, §3.8): for a township and a period, one
// row per team member with each rule's figures, the petitions they handled and the audits of
// their records, and the township's own figures. It reads what the feature packages keep.
package scorecard

import (
	"context"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
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
	Name              string     `json:"name"`
	From              civil.Date `json:"from"`
	To                civil.Date `json:"to"`
	Rows              []Row      `json:"rows"`
	RotaDays          int        `json:"rota_days"`
	RotaCovered       int        `json:"rota_covered"`
	Households        int        `json:"households"`
	HouseholdsVisited int        `json:"households_visited"`
	TalkDayMonths     int        `json:"talk_day_months"`
	TalkDayMonthsHeld int        `json:"talk_day_months_held"`
	Summary           Summary    `json:"summary"`
}

// Summary adds up a township's rows with its own figures: the summary row of the district
// view (全区一张表), and the district's total over its townships.
type Summary struct {
	Members             int `json:"members"`
	Weeks               int `json:"weeks"`
	WeeksMet            int `json:"weeks_met"`
	NightsRequired      int `json:"nights_required"`
	NightsCounted       int `json:"nights_counted"`
	StationingDays      int `json:"stationing_days"`
	StationingYear      int `json:"stationing_required_days"`
	StationingBehind    int `json:"stationing_behind"`
	ReceptionAssigned   int `json:"reception_assigned"`
	ReceptionAttended   int `json:"reception_attended"`
	ReceptionOnTime     int `json:"reception_on_time"`
	TriggersOnTime      int `json:"triggers_on_time"`
	TriggersLate        int `json:"triggers_late"`
	TriggersOverdue     int `json:"triggers_overdue"`
	TriggersOpen        int `json:"triggers_open"`
	Visits              int `json:"visits"`
	PetitionsAssigned   int `json:"petitions_assigned"`
	PetitionsOnTime     int `json:"petitions_replied_on_time"`
	AuditsSampled       int `json:"audits_sampled"`
	AuditsConfirmed     int `json:"audits_confirmed"`
	AuditsDiscrepancies int `json:"audits_discrepancies"`
	AuditsViolations    int `json:"audits_violations"`
	RotaDays            int `json:"rota_days"`
	RotaCovered         int `json:"rota_covered"`
	Households          int `json:"households"`
	HouseholdsVisited   int `json:"households_visited"`
	TalkDayMonths       int `json:"talk_day_months"`
	TalkDayMonthsHeld   int `json:"talk_day_months_held"`
}

// District is the scorecard of every township in the reader's scope, with the district's
// total.
type District struct {
	From      civil.Date `json:"from"`
	To        civil.Date `json:"to"`
	Townships []Card     `json:"townships"`
	Total     Summary    `json:"total"`
}

// Input names the township (none: the district) and period of a scorecard.
type Input struct {
	TownshipID string
	From, To   civil.Date
}

func (in Input) check(district bool) error {
	var v domain.Invalid
	if !district {
		v.Check(domain.ValidID(in.TownshipID), "township_id", "must be the id of a township")
	}
	v.Check(!in.From.IsZero(), "from", "is required (YYYY-MM-DD)")
	v.Check(!in.To.IsZero(), "to", "is required (YYYY-MM-DD)")
	if !in.From.IsZero() && !in.To.IsZero() {
		v.Check(!in.To.Before(in.From), "to", "must not be before from")
		v.Check(in.From.DaysUntil(in.To) < 366*2, "to", "a scorecard covers at most two years")
	}
	return v.Err()
}

// Township computes the scorecard of a township in the actor's scope (access.Scorecards):
// one row per team member.
func (s *Service) Township(ctx context.Context, a domain.Actor, in Input) (Card, error) {
	if err := in.check(false); err != nil {
		return Card{}, err
	}
	tx := s.st.Reader(ctx)
	if err := store.CheckTownship(tx.DB, access.Of(a, access.Scorecards), in.TownshipID); err != nil {
		return Card{}, domain.NotFound("township")
	}
	var town domain.Township
	if err := tx.Select("id, name").First(&town, "id = ?", in.TownshipID).Error; err != nil {
		return Card{}, err
	}
	cards, err := s.cards(tx, a, []domain.Township{town}, in.From, in.To)
	if err != nil {
		return Card{}, err
	}
	return cards[0], nil
}

// District computes the scorecard of every township in the actor's scope, in the order of
// their names: a lead reads their own township, admins and inspectors the district.
func (s *Service) District(ctx context.Context, a domain.Actor, in Input) (District, error) {
	if err := in.check(true); err != nil {
		return District{}, err
	}
	tx := s.st.Reader(ctx)
	var towns []domain.Township
	q := store.Scoped(tx.Select("id, name"), a, access.Scorecards, store.Columns{Township: "id"})
	if err := q.Order("name, id").Find(&towns).Error; err != nil {
		return District{}, err
	}
	out := District{From: in.From, To: in.To, Townships: []Card{}}
	if len(towns) == 0 {
		return out, nil
	}
	cards, err := s.cards(tx, a, towns, in.From, in.To)
	if err != nil {
		return District{}, err
	}
	out.Townships = cards
	for _, c := range cards {
		out.Total.add(c.Summary)
	}
	return out, nil
}

// summarise adds up a card's rows with its township figures.
func summarise(c Card) Summary {
	sum := Summary{Members: len(c.Rows), RotaDays: c.RotaDays, RotaCovered: c.RotaCovered, Households: c.Households,
		HouseholdsVisited: c.HouseholdsVisited, TalkDayMonths: c.TalkDayMonths, TalkDayMonthsHeld: c.TalkDayMonthsHeld}
	for _, r := range c.Rows {
		sum.Weeks += r.Weeks
		sum.WeeksMet += r.WeeksMet
		sum.NightsRequired += r.NightsRequired
		sum.NightsCounted += r.NightsCounted
		sum.StationingDays += r.StationingDays
		sum.StationingYear += r.StationingYear
		if r.StationingStatus == duty.StatusBehind {
			sum.StationingBehind++
		}
		sum.ReceptionAssigned += r.ReceptionAssigned
		sum.ReceptionAttended += r.ReceptionAttended
		sum.ReceptionOnTime += r.ReceptionOnTime
		sum.TriggersOnTime += r.TriggersOnTime
		sum.TriggersLate += r.TriggersLate
		sum.TriggersOverdue += r.TriggersOverdue
		sum.TriggersOpen += r.TriggersOpen
		sum.Visits += r.Visits
		sum.PetitionsAssigned += r.PetitionsAssigned
		sum.PetitionsOnTime += r.PetitionsOnTime
		sum.AuditsSampled += r.AuditsSampled
		sum.AuditsConfirmed += r.AuditsConfirmed
		sum.AuditsDiscrepancies += r.AuditsDiscrepancies
		sum.AuditsViolations += r.AuditsViolations
	}
	return sum
}

// add adds a township's summary to the district's total.
func (t *Summary) add(s Summary) {
	t.Members += s.Members
	t.Weeks += s.Weeks
	t.WeeksMet += s.WeeksMet
	t.NightsRequired += s.NightsRequired
	t.NightsCounted += s.NightsCounted
	t.StationingDays += s.StationingDays
	t.StationingYear += s.StationingYear
	t.StationingBehind += s.StationingBehind
	t.ReceptionAssigned += s.ReceptionAssigned
	t.ReceptionAttended += s.ReceptionAttended
	t.ReceptionOnTime += s.ReceptionOnTime
	t.TriggersOnTime += s.TriggersOnTime
	t.TriggersLate += s.TriggersLate
	t.TriggersOverdue += s.TriggersOverdue
	t.TriggersOpen += s.TriggersOpen
	t.Visits += s.Visits
	t.PetitionsAssigned += s.PetitionsAssigned
	t.PetitionsOnTime += s.PetitionsOnTime
	t.AuditsSampled += s.AuditsSampled
	t.AuditsConfirmed += s.AuditsConfirmed
	t.AuditsDiscrepancies += s.AuditsDiscrepancies
	t.AuditsViolations += s.AuditsViolations
	t.RotaDays += s.RotaDays
	t.RotaCovered += s.RotaCovered
	t.Households += s.Households
	t.HouseholdsVisited += s.HouseholdsVisited
	t.TalkDayMonths += s.TalkDayMonths
	t.TalkDayMonthsHeld += s.TalkDayMonthsHeld
}
