package scorecard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// district is a generated district: townships, their villages, households and team members,
// and a year of field records, written straight into the tables.
type district struct {
	env     *apitest.Env
	towns   []domain.Township
	members map[string][]string // township id → team members' ids
}

// shape says how much a generated district holds.
type shape struct {
	townships, members, villages, households int
	from                                     civil.Date
	weeks                                    int
	// stays and stationing days per member and week; random: each a random 0–4 instead.
	stays, stationing int
	random            bool
}

// bulk inserts rows into a table, many per statement.
type bulk struct {
	env   *apitest.Env
	table string
	cols  []string
	rows  [][]any
}

func (b *bulk) add(values ...any) {
	b.rows = append(b.rows, values)
	if len(b.rows)*len(b.cols) >= 30000 {
		b.flush()
	}
}

func (b *bulk) flush() {
	if len(b.rows) == 0 {
		return
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	var args []any
	for _, r := range b.rows {
		args = append(args, r...)
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", b.table, strings.Join(b.cols, ", "),
		strings.TrimSuffix(strings.Repeat(one+", ", len(b.rows)), ", "))
	if err := b.env.Store.RawExec(context.Background(), sql, args...); err != nil {
		b.env.T.Fatal(err)
	}
	b.rows = nil
}

func newBulk(env *apitest.Env, table string, cols ...string) *bulk {
	return &bulk{env: env, table: table, cols: cols}
}

// generate writes a district of the shape, drawing from rng.
func generate(env *apitest.Env, rng *rand.Rand, s shape) *district {
	d := &district{env: env, members: map[string][]string{}}
	now := env.Clock.Now().UTC().Truncate(time.Microsecond) // the store's now, to stand on boundaries
	inserts := map[string]*bulk{
		"users":           newBulk(env, "users", "id", "username", "password_hash", "display_name", "role", "township_id", "team_member", "lead", "appointed_on", "created_at", "updated_at"),
		"households":      newBulk(env, "households", "id", "township_id", "village_id", "head_name", "address", "contact_official_id", "created_at", "updated_at"),
		"overnight_stays": newBulk(env, "overnight_stays", "id", "township_id", "official_id", "night_date", "iso_week", "checked_out", "counts", "refuted_at", "content_hash", "created_at"),
		"stationings":     newBulk(env, "stationings", "id", "township_id", "official_id", "village_id", "date", "checked_out", "counts", "refuted_at", "content_hash", "created_at"),
		"reception_days":  newBulk(env, "reception_days", "id", "township_id", "date", "official_id", "attended", "on_time", "refuted_at", "created_at"),
		"visit_triggers":  newBulk(env, "visit_triggers", "id", "township_id", "household_id", "category", "occurred_on", "due_at", "note", "responsible_id", "source", "closed_at", "recorded_by", "content_hash", "created_at"),
		"visits":          newBulk(env, "visits", "id", "township_id", "official_id", "household_id", "category", "date", "notes", "follow_up", "qr_verified", "counts", "refuted_at", "content_hash", "created_at"),
		"leaves":          newBulk(env, "leaves", "id", "township_id", "user_id", "start_date", "end_date", "reason", "created_by", "created_at"),
		"talk_days":       newBulk(env, "talk_days", "id", "township_id", "village_id", "held_on", "attendance", "issues", "recorded_by", "content_hash", "created_at"),
	}
	order := []string{"users", "households", "overnight_stays", "stationings", "reception_days", "visit_triggers", "visits", "leaves", "talk_days"}
	count := func(n int) int {
		if s.random {
			return rng.IntN(5)
		}
		return n
	}
	maybe := func(p float64) bool { return s.random && rng.Float64() < p }
	refuted := func() any {
		if maybe(0.1) {
			return now
		}
		return nil
	}
	days := s.weeks * 7
	for t := range s.townships {
		town := env.Township(fmt.Sprintf("%c镇%02d", '甲'+rune(t%10), t), 30, 120)
		d.towns = append(d.towns, town)
		var villages []string
		for v := range s.villages {
			villages = append(villages, env.Village(town, fmt.Sprintf("村%d", v), 30.05, 120).ID)
		}
		var members []string
		for m := range s.members {
			id := domain.NewID()
			var appointed any
			if maybe(0.3) {
				appointed = s.from.AddDays(rng.IntN(days) - days/2).String()
			}
			inserts["users"].add(id, "u"+id, "x", fmt.Sprintf("队员%d", m), "official", town.ID, true, m == 0, appointed, now, now)
			members = append(members, id)
		}
		// A member who is not on the team: none of their records count in the scorecard.
		if s.random {
			inserts["users"].add(domain.NewID(), "o"+domain.NewID(), "x", "非队员", "official", town.ID, false, false, nil, now, now)
		}
		d.members[town.ID] = members
		inserts["users"].flush()
		var households []string
		for h := range s.households {
			id := domain.NewID()
			var contact any
			if h%3 != 0 {
				contact = members[rng.IntN(len(members))]
			}
			inserts["households"].add(id, town.ID, villages[h%len(villages)], "户主", "地址", contact, now, now)
			households = append(households, id)
		}
		inserts["households"].flush()
		for _, m := range members {
			for w := range s.weeks {
				monday := s.from.AddDays(7 * w).ISOWeekStart()
				for range count(s.stays) {
					night := monday.AddDays(rng.IntN(7))
					inserts["overnight_stays"].add(domain.NewID(), town.ID, m, night.String(), night.ISOWeek(), true, !maybe(0.15), refuted(), "h", now)
				}
				for range count(s.stationing) {
					day := monday.AddDays(rng.IntN(7))
					inserts["stationings"].add(domain.NewID(), town.ID, m, villages[rng.IntN(len(villages))], day.String(), true, !maybe(0.15), refuted(), "h", now)
				}
			}
			if s.random {
				for range rng.IntN(3) {
					start := s.from.AddDays(rng.IntN(days))
					inserts["leaves"].add(domain.NewID(), town.ID, m, start.String(), start.AddDays(rng.IntN(10)).String(), "病假", m, now)
				}
			}
			for range count(2) * 3 {
				h := households[rng.IntN(len(households))]
				occurred := s.from.AddDays(rng.IntN(days))
				due := occurred.AddDays(7).Start(env.Loc).UTC()
				switch {
				case maybe(0.1):
					due = now // overdue from this very instant
				case maybe(0.3):
					due = now.Add(time.Duration(rng.IntN(96)-48) * time.Hour).Truncate(time.Second)
				}
				var closed any
				if maybe(0.6) {
					closed = due.Add(time.Duration(rng.IntN(240)-120) * time.Hour)
				}
				inserts["visit_triggers"].add(domain.NewID(), town.ID, h, "illness", occurred.String(), due, "", m, "manual", closed, m, "h", now)
				date := s.from.AddDays(rng.IntN(days))
				inserts["visits"].add(domain.NewID(), town.ID, m, h, "illness", date.String(), "", "", false, !maybe(0.2), refuted(), "h", now)
			}
		}
		for day := range days {
			date := s.from.AddDays(day)
			if date.Weekday() != time.Monday && date.Weekday() != time.Thursday {
				continue
			}
			var official any = members[rng.IntN(len(members))]
			if maybe(0.1) {
				official = nil
			}
			inserts["reception_days"].add(domain.NewID(), town.ID, date.String(), official, official != nil && !maybe(0.2), official != nil && !maybe(0.3), refuted(), now)
		}
		for _, v := range villages {
			for range count(1) * s.weeks / 3 {
				inserts["talk_days"].add(domain.NewID(), town.ID, v, s.from.AddDays(rng.IntN(days)).String(), 20, "[]", members[0], "h", now)
			}
		}
	}
	for _, table := range order {
		inserts[table].flush()
	}
	return d
}
