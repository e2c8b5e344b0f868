package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// Migration 00013 widens the CHECK on a petition's state by transferred, on SQLite by
// rewriting the table's schema: afterwards the database accepts transferred and still refuses
// any other state, in this connection and in a new one; rolled back, it refuses transferred
// again, and migrated once more it accepts it.
func TestPetitionStateCheckWidened(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		insert := func(st *store.Store, state string) error {
			now := time.Now().UTC()
			return st.RawExec(ctx, `INSERT INTO petitions (id, township_id, channel, category, subject, text, anonymous,
				tracking_code, pin_hash, state, received_on, submitted_at, created_at, updated_at)
				VALUES (?, ?, 'letter', 'land', 's', 't', TRUE, ?, 'x', ?, '2026-11-01', ?, ?, ?)`,
				domain.NewID(), town.ID, "XF20261101-"+domain.NewID()[28:], state, now, now, now)
		}
		check := func(st *store.Store, when string, transferred bool) {
			t.Helper()
			if err := insert(st, "transferred"); (err == nil) != transferred {
				t.Errorf("%s: a transferred petition: %v", when, err)
			}
			if err := insert(st, "lost"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "check") {
				t.Errorf("%s: a petition in state lost: %v", when, err)
			}
			if err := insert(st, "submitted"); err != nil {
				t.Errorf("%s: a submitted petition: %v", when, err)
			}
		}
		check(env.Store, "migrated", true)
		other, err := store.Open(store.Options{DatabaseURL: env.DatabaseURL, DataDir: env.DataDir, Location: env.Loc})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		if err := other.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		check(other, "another connection", true)
		if err := other.RawExec(ctx, "DELETE FROM petitions WHERE state = 'transferred'"); err != nil {
			t.Fatal(err)
		}
		if err := other.MigrateDownTo(ctx, 12); err != nil {
			t.Fatalf("down to 12: %v", err)
		}
		check(other, "rolled back", false)
		if _, err := other.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		check(other, "migrated again", true)
		// With a transferred petition 00013 refuses to narrow the state, and leaves it as it was.
		if err := other.MigrateDownTo(ctx, 12); err == nil || !strings.Contains(err.Error(), "transferred") {
			t.Errorf("down with a transferred petition: %v", err)
		}
		check(other, "after the refused roll-back", true)
	})
}
