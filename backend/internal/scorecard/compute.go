package scorecard

import (
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/audits"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// computation is one scorecard request: the townships, the period and the queries' answers.
// Every figure is counted by the database in a fixed number of grouped queries, whatever the
// number of townships, members or weeks; the rules (rules/duty) then judge the counts, as they
// judge one official's progress.
type computation struct {
	tx       *store.Tx
	viewer   domain.Actor
	towns    []string
	from, to civil.Date
	mondays  []civil.Date // the Mondays of the weeks the period holds
	paramsOn func(civil.Date) duty.Params
}

// members are the team members of the townships computed (a subquery).
func (c *computation) members() *gorm.DB {
	return c.tx.Table("users").Select("id").
		Where("township_id IN ? AND role = ? AND team_member = ?", c.towns, domain.RoleOfficial, true)
}

// perOfficial runs a query grouped by official, selecting official_id and the counts into out.
func (c *computation) perOfficial(table, official, counts, where string, out any, args ...any) error {
	return c.tx.Table(table).Select(official+" AS official_id, "+counts).
		Where(official+" IN (?)", c.members()).Where(where, args...).Group(official).Scan(out).Error
}

// perTownship runs a query grouped by township, selecting township_id and the counts into out.
func (c *computation) perTownship(table, counts, where string, out any, args ...any) error {
	return c.tx.Table(table).Select("township_id, "+counts).
		Where("township_id IN ?", c.towns).Where(where, args...).Group("township_id").Scan(out).Error
}

// cards computes the scorecards of the townships, in their order.
func (s *Service) cards(tx *store.Tx, viewer domain.Actor, towns []domain.Township, from, to civil.Date) ([]Card, error) {
	paramsOn, err := duties.ParamsByDate(tx)
	if err != nil {
		return nil, err
	}
	c := &computation{tx: tx, viewer: viewer, from: from, to: to, paramsOn: paramsOn}
	for _, t := range towns {
		c.towns = append(c.towns, t.ID)
	}
	// A week belongs to the period that holds its Monday, so consecutive periods never count a
	// week twice.
	for monday := firstMonday(from); !monday.After(to); monday = monday.AddDays(7) {
		c.mondays = append(c.mondays, monday)
	}
	var members []domain.User
	if err := tx.Where("id IN (?)", c.members()).Order("id").Find(&members).Error; err != nil {
		return nil, err
	}
	rows, err := c.rows(members)
	if err != nil {
		return nil, err
	}
	cards := make([]Card, len(towns))
	index := map[string]*Card{}
	for i, t := range towns {
		cards[i] = Card{TownshipID: t.ID, Name: t.Name, From: from, To: to, Rows: []Row{}}
		index[t.ID] = &cards[i]
	}
	for _, r := range rows {
		card := index[r.TownshipID]
		card.Rows = append(card.Rows, r)
	}
	if err := c.townshipFigures(index); err != nil {
		return nil, err
	}
	for i := range cards {
		cards[i].Summary = summarise(cards[i])
	}
	return cards, nil
}

// rows computes one row per team member.
func (c *computation) rows(members []domain.User) ([]Row, error) {
	tx, paramsOn := c.tx, c.paramsOn
	p := paramsOn(c.to)
	ids := make([]string, len(members))
	index := map[string]int{}
	for i, m := range members {
		ids[i], index[m.ID] = m.ID, i
	}
	weeks := make([]string, len(c.mondays))
	for i, m := range c.mondays {
		weeks[i] = m.ISOWeek()
	}
	var (
		leaves map[string][]duty.DateRange
		err    error
	)
	if len(c.mondays) > 0 {
		if leaves, err = duties.LeaveRanges(tx.DB, ids, c.mondays[0], c.mondays[len(c.mondays)-1].AddDays(6)); err != nil {
			return nil, err
		}
	}
	counted := func(filter string) string {
		return filter + " AND counts = ? AND refuted_at IS NULL"
	}

	var nights []struct {
		OfficialID, IsoWeek string
		Nights              int
	}
	// Nights, not stays: two stays of one evening are one night.
	if err := tx.Table("overnight_stays").Select("official_id, iso_week, COUNT(DISTINCT night_date) AS nights").
		Where("official_id IN (?) AND iso_week IN ? AND counts = ? AND refuted_at IS NULL", c.members(), weeks, true).
		Group("official_id, iso_week").Scan(&nights).Error; err != nil {
		return nil, err
	}
	nightsOf := map[[2]string]int{}
	for _, n := range nights {
		nightsOf[[2]string{n.OfficialID, n.IsoWeek}] = n.Nights
	}

	type days struct {
		OfficialID string
		Days       int
	}
	var stationed, paced []days
	if err := c.perOfficial("stationings", "official_id", "COUNT(DISTINCT date) AS days",
		counted("date >= ? AND date <= ?"), &stationed, c.from, c.to, true); err != nil {
		return nil, err
	}
	// The year's days count from the appointment when it falls in the year
	// (duty.StationingRequirement).
	year := civil.New(c.to.Year, time.January, 1)
	if err := tx.Table("stationings s").Joins("JOIN users u ON u.id = s.official_id").
		Select("s.official_id AS official_id, COUNT(DISTINCT s.date) AS days").
		Where("s.official_id IN (?) AND s.counts = ? AND s.refuted_at IS NULL AND s.date >= ? AND s.date <= ?",
			c.members(), true, year, civil.New(c.to.Year, time.December, 31)).
		Where("u.appointed_on IS NULL OR s.date >= u.appointed_on").Group("s.official_id").Scan(&paced).Error; err != nil {
		return nil, err
	}

	var receptions []struct {
		OfficialID                 string
		Assigned, Attended, OnTime int
	}
	if err := c.perOfficial("reception_days", "official_id", "COUNT(*) AS assigned, "+
		"SUM(CASE WHEN attended AND refuted_at IS NULL THEN 1 ELSE 0 END) AS attended, "+
		"SUM(CASE WHEN on_time AND refuted_at IS NULL THEN 1 ELSE 0 END) AS on_time",
		"date >= ? AND date <= ?", &receptions, c.from, c.to); err != nil {
		return nil, err
	}

	// duty.TriggerStatus: closed before its due instant on time, after it late; open until due,
	// overdue from then on.
	var triggers []struct {
		OfficialID                  string
		OnTime, Late, Overdue, Open int
	}
	if err := tx.Table("visit_triggers").Select("responsible_id AS official_id, "+
		"SUM(CASE WHEN closed_at IS NOT NULL AND closed_at < due_at THEN 1 ELSE 0 END) AS on_time, "+
		"SUM(CASE WHEN closed_at IS NOT NULL AND closed_at >= due_at THEN 1 ELSE 0 END) AS late, "+
		"SUM(CASE WHEN closed_at IS NULL AND due_at <= ? THEN 1 ELSE 0 END) AS overdue, "+
		"SUM(CASE WHEN closed_at IS NULL AND due_at > ? THEN 1 ELSE 0 END) AS open", tx.Now, tx.Now).
		Where("responsible_id IN (?) AND due_at >= ? AND occurred_on <= ?", c.members(), c.from.Start(tx.Loc()).UTC(), c.to).
		Group("responsible_id").Scan(&triggers).Error; err != nil {
		return nil, err
	}

	var visits []struct {
		OfficialID         string
		Visits, Households int
	}
	if err := c.perOfficial("visits", "official_id", "COUNT(*) AS visits, COUNT(DISTINCT household_id) AS households",
		counted("date >= ? AND date <= ?"), &visits, c.from, c.to, true); err != nil {
		return nil, err
	}

	var linked []struct {
		OfficialID string
		Households int
	}
	if err := c.perOfficial("households", "contact_official_id", "COUNT(*) AS households", "1 = 1", &linked); err != nil {
		return nil, err
	}

	handled, err := petitions.HandledBy(tx, c.viewer, c.towns, c.from, c.to)
	if err != nil {
		return nil, err
	}
	checked, err := audits.FiguresBy(tx.DB, c.towns, c.from, c.to)
	if err != nil {
		return nil, err
	}

	byOfficial := func(id string) int { return index[id] }
	// The stationing pace and the links status are judged once, from the year's days and the
	// linked households counted above (none when an official has no row).
	pacedDays, linkedOf := map[string]int{}, map[string]int{}
	for _, d := range paced {
		pacedDays[d.OfficialID] = d.Days
	}
	for _, x := range linked {
		linkedOf[x.OfficialID] = x.Households
	}
	out := make([]Row, len(members))
	for i, m := range members {
		row := Row{OfficialID: m.ID, DisplayName: m.DisplayName, TownshipID: *m.TownshipID}
		for _, monday := range c.mondays {
			wp := paramsOn(monday)
			required := duty.WeeklyNightRequirement(duty.LeaveDaysInWeek(monday, leaves[m.ID]), wp.Night.NightsPerWeek)
			n := nightsOf[[2]string{m.ID, monday.ISOWeek()}]
			row.Weeks++
			row.NightsRequired += required
			row.NightsCounted += n
			if duty.WeekStatus(n, required) != duty.StatusShort {
				row.WeeksMet++
			}
		}
		required, start, end := duty.StationingRequirement(c.to.Year, m.AppointedOn, p.Stationing.DaysPerYear)
		row.StationingYear = required
		row.StationingStatus = duty.StationingStatus(pacedDays[m.ID], required, duty.ExpectedToDate(required, start, end, c.to))
		row.LinkedHouseholds = linkedOf[m.ID]
		row.LinksStatus = duty.LinksStatus(row.LinkedHouseholds, p.Links.MinHouseholds)
		out[i] = row
	}
	for _, d := range stationed {
		out[byOfficial(d.OfficialID)].StationingDays = d.Days
	}
	for _, x := range receptions {
		r := &out[byOfficial(x.OfficialID)]
		r.ReceptionAssigned, r.ReceptionAttended, r.ReceptionOnTime = x.Assigned, x.Attended, x.OnTime
	}
	for _, x := range triggers {
		r := &out[byOfficial(x.OfficialID)]
		r.TriggersOnTime, r.TriggersLate, r.TriggersOverdue, r.TriggersOpen = x.OnTime, x.Late, x.Overdue, x.Open
	}
	for _, x := range visits {
		r := &out[byOfficial(x.OfficialID)]
		r.Visits, r.HouseholdsVisited = x.Visits, x.Households
	}
	for i := range out {
		r := &out[i]
		r.PetitionsAssigned, r.PetitionsOnTime = handled[r.OfficialID].Assigned, handled[r.OfficialID].OnTime
		af := checked[r.OfficialID]
		r.AuditsSampled, r.AuditsConfirmed, r.AuditsDiscrepancies, r.AuditsViolations = af.Sampled, af.Confirmed, af.Discrepancies, af.Violations
	}
	return out, nil
}

// townshipFigures computes each township's own figures: the rota, the households visited and
// the villages' talk days.
func (c *computation) townshipFigures(cards map[string]*Card) error {
	tx := c.tx
	var rota []struct {
		TownshipID    string
		Days, Covered int
	}
	if err := c.perTownship("reception_days", "COUNT(*) AS days, COUNT(official_id) AS covered",
		"date >= ? AND date <= ?", &rota, c.from, c.to); err != nil {
		return err
	}
	for _, r := range rota {
		cards[r.TownshipID].RotaDays, cards[r.TownshipID].RotaCovered = r.Days, r.Covered
	}
	type count struct {
		TownshipID string
		N          int
	}
	var households, visited, villages, heldMonths []count
	if err := c.perTownship("households", "COUNT(*) AS n", "1 = 1", &households); err != nil {
		return err
	}
	if err := c.perTownship("visits", "COUNT(DISTINCT household_id) AS n", "counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
		&visited, true, c.from, c.to); err != nil {
		return err
	}
	if err := c.perTownship("villages", "COUNT(*) AS n", "1 = 1", &villages); err != nil {
		return err
	}
	// duty.TalkDayCoverage: each village owes its talk days every month of the period; a month
	// is held when the village held at least the setting's number of talk days on distinct days.
	month := "substr(held_on, 1, 7)"
	if tx.Postgres() {
		month = "to_char(held_on, 'YYYY-MM')"
	}
	held := tx.Table("talk_days").Select("township_id").
		Where("township_id IN ? AND held_on >= ? AND held_on <= ?", c.towns, c.from, c.to).
		Group("township_id, village_id, "+month).Having("COUNT(DISTINCT held_on) >= ?", c.paramsOn(c.to).TalkDays.PerMonth)
	if err := tx.Table("(?) AS held", held).Select("township_id, COUNT(*) AS n").Group("township_id").Scan(&heldMonths).Error; err != nil {
		return err
	}
	months := (c.to.Year*12 + int(c.to.Month)) - (c.from.Year*12 + int(c.from.Month)) + 1
	for _, h := range households {
		cards[h.TownshipID].Households = h.N
	}
	for _, v := range visited {
		cards[v.TownshipID].HouseholdsVisited = v.N
	}
	for _, v := range villages {
		cards[v.TownshipID].TalkDayMonths = v.N * months
	}
	for _, h := range heldMonths {
		cards[h.TownshipID].TalkDayMonthsHeld = h.N
	}
	return nil
}

// firstMonday is the first Monday on or after d.
func firstMonday(d civil.Date) civil.Date {
	if m := d.ISOWeekStart(); m == d {
		return m
	}
	return d.ISOWeekStart().AddDays(7)
}
