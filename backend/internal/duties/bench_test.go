package duties_test

import (
	"context"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
)

// checkinBench is a township with one team member on a fresh PostgreSQL database.
func checkinBench(b *testing.B) (*apitest.Env, domain.Township, domain.User) {
	env := apitest.New(b, "postgres")
	town := env.Township("甲镇", 30, 120)
	env.Village(town, "甲村", 30.05, 120)
	return env, town, env.User(domain.RoleOfficial, town.ID, "team_member")
}

// BenchmarkRawStayInsert is the baseline: one single-row INSERT of an overnight stay, the
// least a check-in must write.
func BenchmarkRawStayInsert(b *testing.B) {
	env, town, official := checkinBench(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := env.Store.RawExec(ctx, `INSERT INTO overnight_stays (id, township_id, official_id, night_date, iso_week, content_hash, created_at)
			VALUES (?, ?, ?, '2026-11-23', '2026-W48', '', now())`, domain.NewID(), town.ID, official.ID)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreateOvernightStay is a whole check-in through the duties service: settings, geofences,
// evidence and flags, the record, its evidence row and the hash-chained activity-log entry.
func BenchmarkCreateOvernightStay(b *testing.B) {
	env, _, official := checkinBench(b)
	ctx := context.Background()
	a := official.Actor()
	at := time.Date(2026, 11, 23, 20, 0, 0, 0, env.Loc)
	lat, lng, acc := 30.0, 120.0, 15.0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := env.App.Duties.CreateOvernightStay(ctx, a, duties.StayInput{ID: domain.NewID(),
			Checkin: domain.EvidenceInput{OccurredAt: &at, Lat: &lat, Lng: &lng, AccuracyM: &acc}})
		if err != nil {
			b.Fatal(err)
		}
	}
}
