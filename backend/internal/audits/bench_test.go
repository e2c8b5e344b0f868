package audits_test

import (
	"context"
	"fmt"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// benchPopulation is the size of the audit benchmark's population.
const benchPopulation = 1_000_000

// auditBench loads benchPopulation counting overnight stays into a fresh PostgreSQL database.
func auditBench(b *testing.B) (*apitest.Env, domain.Township) {
	env := apitest.New(b, "postgres")
	town := env.Township("甲镇", 30, 120)
	official := env.User(domain.RoleOfficial, town.ID, "team_member")
	err := env.Store.RawExec(context.Background(), fmt.Sprintf(`INSERT INTO overnight_stays
		(id, township_id, official_id, night_date, iso_week, checked_out, counts, content_hash, created_at)
		SELECT gen_random_uuid(), ?, ?, DATE '2026-01-01' + (g %% 365), '2026-W01', TRUE, TRUE, '', now()
		FROM generate_series(1, %d) AS g`, benchPopulation), town.ID, official.ID)
	if err != nil {
		b.Fatal(err)
	}
	return env, town
}

// BenchmarkAuditPopulationRead1M is the baseline: reading the 1,000,000 ids of the population.
func BenchmarkAuditPopulationRead1M(b *testing.B) {
	env, _ := auditBench(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int64
		if err := env.Store.RawCount(context.Background(), "(SELECT CAST(id AS TEXT) FROM overnight_stays WHERE counts) AS p", &n); err != nil || n != benchPopulation {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkOpenAudit1M opens a round over 1,000,000 records: population query, manifest,
// its storage, the seed and a sample of 1,000 with a minimum per township.
func BenchmarkOpenAudit1M(b *testing.B) {
	env, town := auditBench(b)
	inspector := env.User(domain.RoleInspector, "").Actor()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a, err := env.App.Audits.Open(context.Background(), inspector, audits.Input{RecordType: domain.AuditOvernightStay,
			TownshipIDs: []string{town.ID}, PeriodStart: civil.New(2026, 1, 1), PeriodEnd: civil.New(2026, 12, 31), SampleSize: 1000, MinPerTownship: 5})
		if err != nil || a.PopulationSize != benchPopulation || len(a.Sample) != 1000 {
			b.Fatal(a.PopulationSize, err)
		}
	}
}
