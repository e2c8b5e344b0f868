package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// auditEnv has two townships with counting overnight stays in November 2026.
type auditEnv struct {
	dutyEnv
	other     dutyEnv
	inspector string
}

func newAuditEnv(t *testing.T, env *apitest.Env) auditEnv {
	d := newDutyEnv(t, env)
	town := env.Township("乙镇", seatLat, seatLng+0.5)
	official := env.User(domain.RoleOfficial, town.ID, "team_member")
	o := dutyEnv{Env: env, town: town, official: official, token: env.Token(official)}
	for day := 2; day <= 13; day++ {
		d.stay(t, local(fmtDate(2026, 11, day)+" 20:00"), local(fmtDate(2026, 11, day+1)+" 07:00"))
	}
	for day := 2; day <= 7; day++ {
		id := domain.NewID()
		env.Post("/api/v1/overnight-stays", o.token, map[string]any{"id": id, "checkin": evidence(local(fmtDate(2026, 11, day)+" 20:00"), seatLat, seatLng+0.5)})
		env.Post("/api/v1/overnight-stays/"+id+"/checkout", o.token, map[string]any{"evidence": evidence(local(fmtDate(2026, 11, day+1)+" 07:00"), seatLat, seatLng+0.5)})
	}
	return auditEnv{dutyEnv: d, other: o, inspector: env.Token(env.User(domain.RoleInspector, ""))}
}

func fmtDate(y, m, d int) string {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

func (e auditEnv) open(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	r := e.Post("/api/v1/audits", e.inspector, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("open audit: %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func TestAuditRoundIsFrozenAndVerifiable(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		e := newAuditEnv(t, env)
		round := e.open(t, map[string]any{"record_type": "overnight_stay", "township_ids": []string{}, "period_start": "2026-11-01",
			"period_end": "2026-11-30", "sample_size": 5, "min_per_township": 2, "seed_digits": "31415926"})
		if round["population_size"] != 18.0 || len(round["sample"].([]any)) != 5 || round["state"] != "open" {
			t.Fatalf("round: %v", round)
		}
		seed := round["seed"].(string)
		if !strings.HasPrefix(seed, "31415926-") || len(seed) != len("31415926-")+64 {
			t.Errorf("seed %q is not the public digits, a hyphen and 64 hex characters", seed)
		}
		perTownship := map[any]int{}
		for _, x := range round["sample"].([]any) {
			perTownship[x.(map[string]any)["township_id"]]++
		}
		if perTownship[e.other.town.ID] < 2 {
			t.Errorf("minimum per township not met: %v", perTownship)
		}
		id := round["id"].(string)
		manifest := env.Get("/api/v1/audits/"+id+"/manifest", e.inspector)
		if manifest.Status != 200 || !strings.HasPrefix(string(manifest.Body), "record_id,township_id\n") || strings.Count(string(manifest.Body), "\n") != 19 {
			t.Fatalf("manifest: %d %s", manifest.Status, manifest.Body)
		}
		if got := sha256Hex(manifest.Body); got != round["manifest_sha256"] {
			t.Errorf("manifest hash %s, round says %s", got, round["manifest_sha256"])
		}

		// Records added, changed or deleted after the opening change nothing of the round.
		e.stay(t, local("2026-11-20 20:00"), local("2026-11-21 07:00"))
		var sampled string // a sampled stay of the first township: it stops counting
		for _, x := range round["sample"].([]any) {
			if d := x.(map[string]any); d["township_id"] == e.town.ID {
				sampled = strings.TrimPrefix(d["record_id"].(string), "overnight_stay:")
			}
		}
		if err := env.Store.RawExec(t.Context(), `UPDATE overnight_stays SET counts = FALSE WHERE id = ?`, sampled); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.RawExec(t.Context(), `DELETE FROM evidence WHERE record_type = 'overnight_stay' AND record_id IN
			(SELECT id FROM overnight_stays WHERE official_id = ? AND night_date = '2026-11-05')`, e.other.official.ID); err != nil {
			t.Fatal(err)
		}
		if err := env.Store.RawExec(t.Context(), `DELETE FROM overnight_stays WHERE official_id = ? AND night_date = '2026-11-05'`, e.other.official.ID); err != nil {
			t.Fatal(err)
		}
		before := env.Get("/api/v1/audits/"+id, e.inspector).Body
		v := env.Get("/api/v1/audits/"+id+"/verify", e.inspector).Map(t)
		if v["manifest_sha256_matches"] != true || v["sample_matches"] != true {
			t.Errorf("verify: %v", v)
		}
		if after := env.Get("/api/v1/audits/"+id+"/manifest", e.inspector).Body; string(after) != string(manifest.Body) {
			t.Errorf("the manifest changed after a record was added")
		}
		if again := env.Get("/api/v1/audits/"+id, e.inspector).Body; string(again) != string(before) {
			t.Errorf("the round changed")
		}
		// The same scope and period opened again gets a new seed and so, in general, another sample: no redraw of a round.
		// 18 + 1 added − 1 that no longer counts − 1 deleted.
		second := e.open(t, map[string]any{"record_type": "overnight_stay", "period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 5})
		if second["id"] == id || second["seed"] == seed || second["population_size"] != 17.0 {
			t.Errorf("second round: %v", second)
		}
		// Cancelled, the round stays readable and takes no findings.
		if r := env.Post("/api/v1/audits/"+id+"/cancel", e.inspector, map[string]any{"reason": "范围有误"}); r.Status != 200 || r.Map(t)["state"] != "cancelled" {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		if r := env.Get("/api/v1/audits/"+id, e.inspector); r.Status != 200 || r.Map(t)["cancel_reason"] != "范围有误" {
			t.Errorf("cancelled round: %d %s", r.Status, r.Body)
		}
		rec := round["sample"].([]any)[0].(map[string]any)["record_id"]
		if r := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": rec, "result": "confirmed", "notes": ""}); r.Status != http.StatusConflict {
			t.Errorf("finding on a cancelled round: %d", r.Status)
		}
		// No route deletes a round (the router refuses it, outside the documented operations).
		del, _ := http.NewRequest(http.MethodDelete, env.HTTP.URL+"/api/v1/audits/"+id, nil)
		del.Header.Set("Authorization", "Bearer "+e.inspector)
		if resp, err := http.DefaultClient.Do(del); err != nil || resp.StatusCode/100 != 4 {
			t.Errorf("delete a round: %v %v", resp.StatusCode, err)
		}
		// An empty population is an error, not an empty round.
		if r := env.Post("/api/v1/audits", e.inspector, map[string]any{"record_type": "visit", "period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 5}); r.Status != http.StatusUnprocessableEntity || r.Code() != "empty_population" {
			t.Errorf("empty population: %d %s", r.Status, r.Body)
		}
		// A sample larger than the population takes it whole.
		whole := e.open(t, map[string]any{"record_type": "overnight_stay", "township_ids": []string{e.other.town.ID}, "period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 50})
		if whole["population_size"] != 5.0 || len(whole["sample"].([]any)) != 5 {
			t.Errorf("whole population: %v", whole)
		}
	})
}

func TestAuditFindingsWorkflow(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		e := newAuditEnv(t, env)
		round := e.open(t, map[string]any{"record_type": "overnight_stay", "township_ids": []string{e.town.ID}, "period_start": "2026-11-01",
			"period_end": "2026-11-30", "sample_size": 3})
		id := round["id"].(string)
		sample := round["sample"].([]any)
		// No early warning: officials cannot read rounds and see no finding before one is recorded.
		for _, path := range []string{"/api/v1/audits", "/api/v1/audits/" + id, "/api/v1/audits/" + id + "/manifest"} {
			if r := env.Get(path, e.token); r.Status != http.StatusForbidden {
				t.Errorf("official reads %s: %d", path, r.Status)
			}
		}
		if items := env.Get("/api/v1/findings", e.token).Map(t)["items"].([]any); len(items) != 0 {
			t.Errorf("findings before any: %v", items)
		}
		stays := env.Get("/api/v1/overnight-stays", e.token).Body
		if strings.Contains(string(stays), "audit") {
			t.Errorf("stays mention the audit: %s", stays)
		}
		first := sample[0].(map[string]any)["record_id"].(string)
		second := sample[1].(map[string]any)["record_id"].(string)
		ok := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": first, "result": "confirmed", "notes": "属实"})
		if ok.Status != http.StatusCreated {
			t.Fatalf("confirmed: %d %s", ok.Status, ok.Body)
		}
		if r := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": first, "result": "discrepancy", "notes": "x"}); r.Status != http.StatusConflict {
			t.Errorf("second finding on a record: %d", r.Status)
		}
		notSampled := "overnight_stay:" + domain.NewID()
		if r := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": notSampled, "result": "confirmed", "notes": ""}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("finding on a record not sampled: %d", r.Status)
		}
		d := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": second, "result": "discrepancy", "notes": "当晚不在镇上"})
		finding := d.Map(t)
		if d.Status != http.StatusCreated || finding["explanation_due_on"] == nil {
			t.Fatalf("discrepancy: %d %s", d.Status, d.Body)
		}
		fid := finding["id"].(string)
		mine := env.Get("/api/v1/findings", e.token).Map(t)["items"].([]any)
		if len(mine) != 2 {
			t.Errorf("official's findings after two were recorded: %v", mine)
		}
		if r := env.Post("/api/v1/findings/"+fid+"/resolve", e.inspector, map[string]any{"resolution": "violation_confirmed", "notes": ""}); r.Status != http.StatusConflict || r.Code() != "awaiting_explanation" {
			t.Errorf("resolve before the official could explain: %d %s", r.Status, r.Body)
		}
		if r := env.Post("/api/v1/findings/"+fid+"/explain", e.other.token, map[string]any{"text": "不是我的"}); r.Status != http.StatusNotFound {
			t.Errorf("explain another's finding: %d", r.Status)
		}
		if r := env.Post("/api/v1/findings/"+fid+"/explain", e.token, map[string]any{"text": "当晚在村里处理纠纷"}); r.Status != http.StatusOK {
			t.Fatalf("explain: %d %s", r.Status, r.Body)
		}
		before := e.progress(t, "2026-11-10")["overnight"].(map[string]any)["counted"].(float64)
		res := env.Post("/api/v1/findings/"+fid+"/resolve", e.inspector, map[string]any{"resolution": "violation_confirmed", "notes": "无旁证"})
		if res.Status != http.StatusOK || len(res.Map(t)["events"].([]any)) != 3 {
			t.Fatalf("resolve: %d %s", res.Status, res.Body)
		}
		if r := env.Post("/api/v1/findings/"+fid+"/resolve", e.inspector, map[string]any{"resolution": "no_issue", "notes": ""}); r.Status != http.StatusConflict {
			t.Errorf("resolve twice: %d", r.Status)
		}
		// Without an explanation, the inspector may resolve once the due date has passed.
		third := sample[2].(map[string]any)["record_id"].(string)
		silent := env.Post("/api/v1/audits/"+id+"/findings", e.inspector, map[string]any{"record_id": third, "result": "discrepancy", "notes": "照片模糊"}).Map(t)
		env.Clock.Advance(8 * 24 * time.Hour)
		e.inspector = env.Token(env.User(domain.RoleInspector, "")) // a new day, a new login
		e.token = env.Token(e.official)
		if r := env.Post("/api/v1/findings/"+silent["id"].(string)+"/resolve", e.inspector, map[string]any{"resolution": "no_issue", "notes": "复核无误"}); r.Status != http.StatusOK {
			t.Errorf("resolve after the due date: %d %s", r.Status, r.Body)
		}
		// The refuted stay stops counting, and the scorecard shows the violation.
		refuted := strings.TrimPrefix(second, "overnight_stay:")
		var stay map[string]any
		for _, x := range env.Get("/api/v1/overnight-stays?limit=200", e.token).Map(t)["items"].([]any) {
			if x.(map[string]any)["id"] == refuted {
				stay = x.(map[string]any)
			}
		}
		if stay["counts"] != false || stay["refuted"] != true {
			t.Errorf("refuted stay: %v", stay)
		}
		total := 0.0
		for _, week := range []string{"2026-11-02", "2026-11-09"} {
			total += e.progress(t, week)["overnight"].(map[string]any)["counted"].(float64)
		}
		if total != 11 {
			t.Errorf("counted nights after a violation: %v, want 11 (before: %v in one week)", total, before)
		}
		lead := env.Token(env.User(domain.RoleOfficial, e.town.ID, "lead"))
		card := env.Get("/api/v1/scorecards?township_id="+e.town.ID+"&from=2026-11-01&to=2026-12-31", lead).Map(t)
		for _, x := range card["rows"].([]any) {
			row := x.(map[string]any)
			if row["official_id"] == e.official.ID && (row["audits_sampled"] != 3.0 || row["audits_violations"] != 1.0 || row["audits_discrepancies"] != 2.0) {
				t.Errorf("scorecard audit figures: %v", row)
			}
		}
	})
}
