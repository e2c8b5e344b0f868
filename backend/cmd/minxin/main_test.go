package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// useDatabase points the command line at the test's database.
func useDatabase(t *testing.T, env *apitest.Env) {
	t.Setenv("MINXIN_DATA_DIR", env.DataDir)
	t.Setenv("MINXIN_DATABASE_URL", env.DatabaseURL)
	t.Setenv("MINXIN_JWT_SECRET", string(env.Secret))
	t.Setenv("MINXIN_DATA_KEY_FILE", env.KeyFile)
	t.Setenv("MINXIN_VAPID_PRIVATE_KEY", env.VAPID.PrivateKey)
}

func runCLI(t *testing.T, stdin string, args ...string) (int, string, error) {
	t.Helper()
	var out bytes.Buffer
	code, err := run(args, strings.NewReader(stdin), &out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return code, out.String(), err
}

// A round drawn through the API is re-derived identically, offline, from its manifest and seed.
func TestAuditVerifyReDerivesTheAPISample(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		tok := env.Token(official)
		loc := env.Loc
		for day := 1; day <= 20; day++ {
			id := domain.NewID()
			in := time.Date(2026, 11, day, 20, 0, 0, 0, loc).Format(time.RFC3339)
			out := time.Date(2026, 11, day+1, 7, 0, 0, 0, loc).Format(time.RFC3339)
			ev := func(at string) map[string]any {
				return map[string]any{"occurred_at": at, "lat": 30, "lng": 120, "accuracy_m": 10}
			}
			env.Post("/api/v1/overnight-stays", tok, map[string]any{"id": id, "checkin": ev(in)})
			env.Post("/api/v1/overnight-stays/"+id+"/checkout", tok, map[string]any{"evidence": ev(out)})
		}
		inspector := env.Token(env.User(domain.RoleInspector, ""))
		r := env.Post("/api/v1/audits", inspector, map[string]any{"record_type": "overnight_stay", "period_start": "2026-11-01",
			"period_end": "2026-11-30", "sample_size": 7, "seed_digits": "2718"})
		if r.Status != http.StatusCreated {
			t.Fatalf("open: %d %s", r.Status, r.Body)
		}
		round := r.Map(t)
		manifest := env.Get("/api/v1/audits/"+round["id"].(string)+"/manifest", inspector).Body
		file := filepath.Join(t.TempDir(), "manifest.csv")
		if err := os.WriteFile(file, manifest, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, err := runCLI(t, "", "audit", "verify", "--seed", round["seed"].(string), "--manifest", file, "--size", "7")
		if err != nil || code != 0 {
			t.Fatalf("audit verify: %d %v\n%s", code, err, out)
		}
		if !strings.Contains(out, "manifest_sha256 "+round["manifest_sha256"].(string)) {
			t.Errorf("manifest hash differs:\n%s", out)
		}
		var want strings.Builder
		for i, x := range round["sample"].([]any) {
			d := x.(map[string]any)
			fmt.Fprintf(&want, "%d\t%s\t%s\t%s\n", i+1, d["record_id"], d["township_id"], d["ticket"])
		}
		if !strings.HasSuffix(out, want.String()) {
			t.Errorf("the command line draws another sample:\n%s\nAPI:\n%s", out, want.String())
		}
	})
}

func TestUserCreateAndLogVerify(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		useDatabase(t, env)
		code, out, err := runCLI(t, apitest.Password+"\n", "user", "create", "--role", "admin", "--username", "first-admin", "--password-stdin")
		if err != nil || code != 0 || !strings.HasPrefix(out, `{"id":"`) {
			t.Fatalf("user create: %d %v %s", code, err, out)
		}
		if _, _, err := runCLI(t, "short\n", "user", "create", "--role", "admin", "--username", "second", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("a short password is accepted: %v", err)
		}
		if _, _, err := runCLI(t, apitest.Password, "user", "create", "--role", "admin", "--username", "third"); err == nil {
			t.Error("a password from somewhere else than standard input is accepted")
		}
		if code, out, _ := runCLI(t, "", "log", "verify"); code != 0 || !strings.Contains(out, "intact") {
			t.Errorf("log verify on a whole log: %d %s", code, out)
		}
		if err := env.Store.RawExec(t.Context(), `UPDATE activity_log SET actor_id = 'someone-else' WHERE seq = 1`); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := runCLI(t, "", "log", "verify"); code != 1 || !strings.Contains(out, "BROKEN at entry 1") {
			t.Errorf("log verify on an edited log: %d %s", code, out)
		}
	})
}
