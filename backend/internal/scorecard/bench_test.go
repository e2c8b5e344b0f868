package scorecard_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/scorecard"
)

// aggregate is the baseline: one hand-written SQL statement counting a township-year's main
// figures per official (nights per week, stationing days, reception days, must-visits,
// visits), without the rules' judgement.
const aggregate = `
WITH members AS (SELECT id FROM users WHERE township_id = ? AND role = 'official' AND team_member = ?),
nights AS (SELECT official_id, iso_week, COUNT(DISTINCT night_date) AS n FROM overnight_stays
	WHERE official_id IN (SELECT id FROM members) AND counts = ? AND refuted_at IS NULL AND night_date >= ? AND night_date <= ?
	GROUP BY official_id, iso_week),
weeks AS (SELECT official_id, SUM(n) AS nights, SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS met FROM nights GROUP BY official_id),
stationed AS (SELECT official_id, COUNT(DISTINCT date) AS days FROM stationings
	WHERE official_id IN (SELECT id FROM members) AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ? GROUP BY official_id),
received AS (SELECT official_id, COUNT(*) AS assigned, SUM(CASE WHEN attended THEN 1 ELSE 0 END) AS attended FROM reception_days
	WHERE official_id IN (SELECT id FROM members) AND date >= ? AND date <= ? GROUP BY official_id),
triggered AS (SELECT responsible_id AS official_id, SUM(CASE WHEN closed_at < due_at THEN 1 ELSE 0 END) AS on_time FROM visit_triggers
	WHERE responsible_id IN (SELECT id FROM members) GROUP BY responsible_id),
visited AS (SELECT official_id, COUNT(*) AS visits FROM visits
	WHERE official_id IN (SELECT id FROM members) AND counts = ? AND date >= ? AND date <= ? GROUP BY official_id)
SELECT m.id, w.nights, w.met, s.days, r.assigned, r.attended, t.on_time, v.visits FROM members m
	LEFT JOIN weeks w ON w.official_id = m.id LEFT JOIN stationed s ON s.official_id = m.id
	LEFT JOIN received r ON r.official_id = m.id LEFT JOIN triggered t ON t.official_id = m.id
	LEFT JOIN visited v ON v.official_id = m.id`

// BenchmarkScorecard: a township-year (15 team members, two stays and two stationing days a
// week for 48 weeks) against the hand-written aggregate of the same rows, measured in the same
// run (x_aggregate), and the district of 40 such townships, on each engine.
//
//	go test -run '^$' -bench BenchmarkScorecard -benchtime 30x ./backend/internal/scorecard/
func BenchmarkScorecard(b *testing.B) {
	for _, engine := range apitest.Engines() {
		env := apitest.New(b, engine)
		from := civil.New(2026, time.January, 5)
		d := generate(env, rand.New(rand.NewPCG(1, 2)), shape{townships: 40, members: 15, villages: 5, households: 60,
			from: from, weeks: 48, stays: 2, stationing: 2})
		inspector := env.User(domain.RoleInspector, "").Actor()
		ctx := context.Background()
		in := scorecard.Input{TownshipID: d.towns[0].ID, From: from, To: from.AddDays(48*7 - 1)}
		b.Run("township/"+engine, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				if _, err := env.App.Scorecards.Township(ctx, inspector, in); err != nil {
					b.Fatal(err)
				}
			}
			township := time.Since(start)
			start = time.Now()
			for range b.N {
				var rows []map[string]any
				if err := env.Store.Reader(ctx).Raw(aggregate, in.TownshipID, true, true, in.From, in.To, true, in.From, in.To,
					in.From, in.To, true, in.From, in.To).Scan(&rows).Error; err != nil || len(rows) != 15 {
					b.Fatalf("the aggregate: %d rows, %v", len(rows), err)
				}
			}
			b.ReportMetric(float64(township)/float64(time.Since(start)), "x_aggregate")
		})
		b.Run("district/"+engine, func(b *testing.B) {
			for b.Loop() {
				got, err := env.App.Scorecards.District(ctx, inspector, scorecard.Input{From: in.From, To: in.To})
				if err != nil || got.Total.Members != 600 {
					b.Fatalf("%d members, %v", got.Total.Members, err)
				}
			}
		})
	}
}
