package scorecard_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/scorecard"
	"minxin/backend/internal/store"
)

// reference computes a township's scorecard one official and one week at a time, with the
// same functions that compute one official's progress (duties.WeekNights, StationingPace,
// ReceptionFigures, VisitFigures, LinkFigures) and the rules' own talk-day coverage: what
// the set-based queries must agree with. Petition and audit figures are left out (they are
// compared in their packages).
func reference(t *testing.T, tx *store.Tx, townshipID string, from, to civil.Date) scorecard.Card {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	db := tx.DB
	out := scorecard.Card{TownshipID: townshipID, From: from, To: to, Rows: []scorecard.Row{}}
	members, err := duties.TeamMembers(db, townshipID)
	must(err)
	p, err := duties.Params(tx, to)
	must(err)
	for _, m := range members {
		row := scorecard.Row{OfficialID: m.ID, DisplayName: m.DisplayName, TownshipID: townshipID}
		monday := from.ISOWeekStart()
		if monday != from {
			monday = monday.AddDays(7)
		}
		for ; !monday.After(to); monday = monday.AddDays(7) {
			wp, err := duties.Params(tx, monday)
			must(err)
			w, err := duties.WeekNights(db, m.ID, monday, wp)
			must(err)
			row.Weeks++
			row.NightsRequired += w.Required
			row.NightsCounted += w.Counted
			if w.Status != duty.StatusShort {
				row.WeeksMet++
			}
		}
		var days int64
		must(db.Table("stationings").Where("official_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
			m.ID, true, from, to).Distinct("date").Count(&days).Error)
		row.StationingDays = int(days)
		st, err := duties.StationingPace(db, m, to, p)
		must(err)
		row.StationingYear, row.StationingStatus = st.RequiredDays, st.Status
		rec, err := duties.ReceptionFigures(db, m.ID, from, to)
		must(err)
		row.ReceptionAssigned, row.ReceptionAttended, row.ReceptionOnTime = rec.Assigned, rec.Attended, rec.OnTime
		vis, err := duties.VisitFigures(tx, m.ID, from, to)
		must(err)
		row.TriggersOnTime, row.TriggersLate, row.TriggersOverdue, row.TriggersOpen = vis.OnTime, vis.Late, vis.Overdue, vis.Open
		row.Visits, row.HouseholdsVisited = vis.Visits, vis.HouseholdsVisited
		links, err := duties.LinkFigures(db, m.ID, p)
		must(err)
		row.LinkedHouseholds, row.LinksStatus = links.LinkedHouseholds, links.Status
		out.Rows = append(out.Rows, row)
	}
	var rota struct{ Days, Covered int }
	must(db.Table("reception_days").Select("COUNT(*) AS days, COUNT(official_id) AS covered").
		Where("township_id = ? AND date >= ? AND date <= ?", townshipID, from, to).Scan(&rota).Error)
	out.RotaDays, out.RotaCovered = rota.Days, rota.Covered
	var households, visited int64
	must(db.Model(&domain.Household{}).Where("township_id = ?", townshipID).Count(&households).Error)
	must(db.Table("visits").Where("township_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
		townshipID, true, from, to).Distinct("household_id").Count(&visited).Error)
	out.Households, out.HouseholdsVisited = int(households), int(visited)
	var villages []domain.Village
	must(db.Where("township_id = ?", townshipID).Find(&villages).Error)
	var talks []struct {
		VillageID string
		HeldOn    civil.Date
	}
	must(db.Table("talk_days").Select("village_id, held_on").
		Where("township_id = ? AND held_on >= ? AND held_on <= ?", townshipID, from, to).Scan(&talks).Error)
	held := map[string][]civil.Date{}
	for _, t := range talks {
		held[t.VillageID] = append(held[t.VillageID], t.HeldOn)
	}
	for _, v := range villages {
		cov := duty.TalkDayCoverage(held[v.ID], from, to, p.TalkDays.PerMonth)
		out.TalkDayMonthsHeld += cov.Num
		out.TalkDayMonths += cov.Den
	}
	return out
}

// TestSetBasedFiguresMatchTheRules compares the district view, computed over sets, with the
// per-official reference on randomised districts and periods, on both databases.
func TestSetBasedFiguresMatchTheRules(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		rng := rand.New(rand.NewPCG(12, uint64(len(env.Engine))))
		from := civil.Of(env.Clock.Now(), env.Loc).AddDays(-200)
		d := generate(env, rng, shape{townships: 3, members: 4, villages: 3, households: 12, from: from, weeks: 30, random: true})
		inspector := env.User(domain.RoleInspector, "").Actor()
		ctx := context.Background()
		compared := 0
		for range 6 {
			start := from.AddDays(rng.IntN(150) - 20)
			end := start.AddDays(rng.IntN(180))
			got, err := env.App.Scorecards.District(ctx, inspector, scorecard.Input{From: start, To: end})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Townships) != len(d.towns) {
				t.Fatalf("%d townships, want %d", len(got.Townships), len(d.towns))
			}
			var total scorecard.Summary
			for _, card := range got.Townships {
				want := reference(t, env.Store.Reader(ctx), card.TownshipID, start, end)
				if len(card.Rows) != len(d.members[card.TownshipID]) {
					t.Fatalf("%s: %d rows, want %d", card.Name, len(card.Rows), len(d.members[card.TownshipID]))
				}
				if !reflect.DeepEqual(card.Rows, want.Rows) {
					for i := range card.Rows {
						if card.Rows[i] != want.Rows[i] {
							t.Errorf("%s to %s, %s:\n got %+v\nwant %+v", start, end, card.Rows[i].OfficialID, card.Rows[i], want.Rows[i])
						}
					}
				}
				townFigures := func(c scorecard.Card) [6]int {
					return [6]int{c.RotaDays, c.RotaCovered, c.Households, c.HouseholdsVisited, c.TalkDayMonths, c.TalkDayMonthsHeld}
				}
				if townFigures(card) != townFigures(want) {
					t.Errorf("%s to %s, %s's figures: got %v, want %v", start, end, card.Name, townFigures(card), townFigures(want))
				}
				if card.Summary.Members != len(card.Rows) || card.Summary.RotaDays != card.RotaDays {
					t.Errorf("%s's summary: %+v", card.Name, card.Summary)
				}
				total.Members += card.Summary.Members
				total.NightsCounted += card.Summary.NightsCounted
				total.TriggersOverdue += card.Summary.TriggersOverdue
				compared += len(card.Rows)
			}
			if total.Members != got.Total.Members || total.NightsCounted != got.Total.NightsCounted || total.TriggersOverdue != got.Total.TriggersOverdue {
				t.Errorf("the total %+v is not the sum of the townships' %+v", got.Total, total)
			}
		}
		if compared < 60 {
			t.Fatalf("compared only %d rows", compared)
		}
	})
}

// TestDistrictScope: a lead reads their own township in the district view; an inspector all.
func TestDistrictScope(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		rng := rand.New(rand.NewPCG(3, 4))
		from := civil.Of(env.Clock.Now(), env.Loc).AddDays(-30)
		d := generate(env, rng, shape{townships: 2, members: 2, villages: 1, households: 3, from: from, weeks: 4, stays: 2, stationing: 1})
		lead := env.User(domain.RoleOfficial, d.towns[1].ID, "lead").Actor()
		got, err := env.App.Scorecards.District(context.Background(), lead, scorecard.Input{From: from, To: from.AddDays(27)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Townships) != 1 || got.Townships[0].TownshipID != d.towns[1].ID || got.Total.Members != 2 {
			t.Fatalf("the lead's district view: %+v", got)
		}
		if got.Townships[0].Summary.NightsCounted == 0 {
			t.Fatalf("no nights counted: %+v", got.Townships[0].Summary)
		}
	})
}
