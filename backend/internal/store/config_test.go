package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/app"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/store"
)

// Two instances on one database: what one changes in settings and geofences, the other's
// next request sees, although both keep them cached; a change that rolled back is never served.
func TestConfigCacheIsExactAcrossInstances(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		other, err := store.Open(store.Options{DatabaseURL: env.DatabaseURL, DataDir: env.DataDir, Location: env.Loc})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		other.SetClock(env.Clock.Now)
		otherApp := app.New(other, app.Options{})
		admin := env.User(domain.RoleAdmin, "").Actor()
		today := env.Store.Today()
		nights := func() int {
			st, err := env.Store.SettingsOn(ctx, today)
			if err != nil {
				t.Fatal(err)
			}
			return st.Int("overnight.nights_per_week")
		}
		if n := nights(); n != 2 {
			t.Fatalf("default nights per week: %d", n)
		}
		if _, err := other.PutSetting(ctx, admin, store.SettingInput{Key: "overnight.nights_per_week", Value: json.RawMessage(`3`), EffectiveFrom: today}); err != nil {
			t.Fatal(err)
		}
		if n := nights(); n != 3 {
			t.Errorf("after the other instance's change: %d nights, want 3", n)
		}

		// A change read inside its own transaction, which then dies, is never served.
		func() {
			defer func() { recover() }()
			env.Store.Idempotent(ctx, store.IdempotentRequest{Scope: "s", Key: "k", Path: "/p", RequestHash: "h"}, func(ctx context.Context) (*store.StoredAnswer, error) {
				if _, err := env.Store.PutSetting(ctx, admin, store.SettingInput{Key: "overnight.nights_per_week", Value: json.RawMessage(`5`), EffectiveFrom: today}); err != nil {
					t.Fatal(err)
				}
				if st, _ := env.Store.SettingsOn(ctx, today); st.Int("overnight.nights_per_week") != 5 {
					t.Fatal("the transaction does not see its own change")
				}
				panic("killed")
			})
		}()
		if n := nights(); n != 3 {
			t.Errorf("after a rolled-back change: %d nights, want 3", n)
		}

		// The geofence a check-in is judged by follows the other instance's move of the seat.
		town := env.Township("甲镇", 30, 120)
		official := env.User(domain.RoleOfficial, town.ID, "team_member").Actor()
		distance := func() float64 {
			at := time.Date(2026, 11, 23, 20, 0, 0, 0, env.Loc)
			lat, lng, acc := 30.0, 120.0, 10.0
			stay, err := env.App.Duties.CreateOvernightStay(ctx, official, duties.StayInput{ID: domain.NewID(),
				Checkin: domain.EvidenceInput{OccurredAt: &at, Lat: &lat, Lng: &lng, AccuracyM: &acc}})
			if err != nil || stay.Checkin.DistanceM == nil {
				t.Fatalf("check-in: %+v %v", stay, err)
			}
			return *stay.Checkin.DistanceM
		}
		if d := distance(); d != 0 {
			t.Fatalf("at the seat: %v m", d)
		}
		lat := 30.1
		if _, err := otherApp.Organisation.UpdateTownship(ctx, admin, town.ID, organisation.TownshipInput{Lat: &lat}); err != nil {
			t.Fatal(err)
		}
		if d := distance(); d < 11000 {
			t.Errorf("after the other instance moved the seat 11 km: %v m", d)
		}
	})
}
