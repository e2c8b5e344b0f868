package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// openUnmigrated opens a store on a fresh, empty database of the engine.
func openUnmigrated(t *testing.T, engine string) *store.Store {
	t.Helper()
	opts := store.Options{DataDir: t.TempDir()}
	if engine == "postgres" {
		admin, err := sql.Open("pgx", apitest.PostgresURL())
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		b := make([]byte, 6)
		rand.Read(b)
		name := "minxin_test_" + hex.EncodeToString(b)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if admin, err := sql.Open("pgx", apitest.PostgresURL()); err == nil {
				admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
				admin.Close()
			}
		})
		u, _ := url.Parse(apitest.PostgresURL())
		u.Path = "/" + name
		opts.DatabaseURL = u.String()
	}
	st, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Migration 00011 keeps the manifests of the rounds opened before it, byte for byte, as their
// first and only part; rolled back it gives them back whole, and it refuses to roll back a
// manifest of more than one part rather than lose it.
func TestMigrationKeepsManifestsInParts(t *testing.T) {
	for _, engine := range apitest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := openUnmigrated(t, engine)
			if err := st.MigrateUpTo(ctx, 10); err != nil { // the migration before 00011
				t.Fatal(err)
			}
			town, user, audit := domain.NewID(), domain.NewID(), domain.NewID()
			manifest := []byte("record_id,township_id\novernight_stay:" + domain.NewID() + "," + town + "\n")
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO townships (id, name, lat, lng, radius_m, created_at, updated_at) VALUES (?, '甲镇', 30, 120, 500, ?, ?)`, []any{town, st.Now(), st.Now()}},
				{`INSERT INTO users (id, username, password_hash, display_name, role, created_at, updated_at) VALUES (?, 'inspector', '', '督查', 'inspector', ?, ?)`, []any{user, st.Now(), st.Now()}},
				{`INSERT INTO audits (id, record_type, township_ids, period_start, period_end, sample_size, min_per_township, seed_digits, seed, algorithm,
					population_size, manifest_sha256, state, opened_by, opened_at) VALUES (?, 'overnight_stay', '[]', '2026-11-01', '2026-11-30', 1, 0, '', '-x', 'a', 1, 'h', 'open', ?, ?)`, []any{audit, user, st.Now()}},
				{`INSERT INTO audit_manifests (audit_id, content) VALUES (?, ?)`, []any{audit, manifest}},
			} {
				if err := st.RawExec(ctx, q.sql, q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var parts []struct {
				Seq     int
				Content []byte
			}
			if err := st.RawScan(ctx, &parts, `SELECT seq, content FROM audit_manifests WHERE audit_id = ?`, audit); err != nil ||
				len(parts) != 1 || parts[0].Seq != 1 || !bytes.Equal(parts[0].Content, manifest) {
				t.Fatalf("after 00011: %v %v", parts, err)
			}

			if err := st.MigrateDownTo(ctx, 10); err != nil {
				t.Fatal(err)
			}
			var whole [][]byte
			if err := st.RawScan(ctx, &whole, `SELECT content FROM audit_manifests WHERE audit_id = ?`, audit); err != nil || len(whole) != 1 || !bytes.Equal(whole[0], manifest) {
				t.Fatalf("rolled back: %q %v", whole, err)
			}

			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.RawExec(ctx, `INSERT INTO audit_manifests (audit_id, seq, content) VALUES (?, 2, ?)`, audit, []byte("more")); err != nil {
				t.Fatal(err)
			}
			if err := st.MigrateDownTo(ctx, 10); err == nil || !strings.Contains(strings.ToLower(err.Error()), "unique") {
				t.Fatalf("rolling back a manifest of two parts: %v, want the primary key to refuse it", err)
			}
			parts = nil
			if err := st.RawScan(ctx, &parts, `SELECT seq, content FROM audit_manifests WHERE audit_id = ? ORDER BY seq`, audit); err != nil || len(parts) != 2 {
				t.Errorf("after the refused roll-back: %v, %v", parts, err)
			}
		})
	}
}
