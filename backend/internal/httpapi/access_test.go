package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// The role × endpoint table, written from the specification (§1, §6): who may call each
// endpoint at all. "-" is refused (403, or 401 without a token); "+" passes the role check.
// Columns: anonymous, admin, inspector, official, lead, petition officer, villager.
var accessTable = []struct {
	method, path string
	allowed      string
}{
	{"POST", "/api/v1/auth/logout", "-++++++"},
	{"GET", "/api/v1/me", "-++++++"},
	{"GET", "/api/v1/notifications", "-++++++"},
	{"POST", "/api/v1/notifications/{id}/read", "-++++++"},
	{"GET", "/api/v1/notifications/unread", "-++++++"},
	{"GET", "/api/v1/notifications/preferences", "-++++++"},
	{"PUT", "/api/v1/notifications/preferences", "-++++++"},
	{"GET", "/api/v1/notifications/push", "-++++++"},
	{"POST", "/api/v1/notifications/push/subscriptions", "-++++++"},
	{"DELETE", "/api/v1/notifications/push/subscriptions/{id}", "-++++++"},
	{"GET", "/api/v1/townships", "-+++++-"},
	{"POST", "/api/v1/townships", "-+-----"},
	{"GET", "/api/v1/townships/{id}", "-+++++-"},
	{"PATCH", "/api/v1/townships/{id}", "-+-----"},
	{"GET", "/api/v1/villages", "-+++++-"},
	{"POST", "/api/v1/villages", "-+-----"},
	{"GET", "/api/v1/villages/{id}", "-+++++-"},
	{"PATCH", "/api/v1/villages/{id}", "-+-----"},
	{"GET", "/api/v1/households", "-+++++-"},
	{"POST", "/api/v1/households", "-+-++--"},
	{"GET", "/api/v1/households/{id}", "-+++++-"},
	{"PATCH", "/api/v1/households/{id}", "-+-++--"},
	{"GET", "/api/v1/users", "-+++++-"},
	{"POST", "/api/v1/users", "-+-----"},
	{"GET", "/api/v1/users/{id}", "-+++++-"},
	{"PATCH", "/api/v1/users/{id}", "-+-----"},
	{"GET", "/api/v1/leaves", "-++-+--"},
	{"POST", "/api/v1/leaves", "-+--+--"},
	{"DELETE", "/api/v1/leaves/{id}", "-+--+--"},
	{"GET", "/api/v1/holidays", "-+++++-"},
	{"PUT", "/api/v1/holidays/2026-10-01", "-+-----"},
	{"DELETE", "/api/v1/holidays/2026-10-01", "-+-----"},
	{"GET", "/api/v1/settings", "-+++++-"},
	{"POST", "/api/v1/settings", "-+-----"},
	// Petitions (§4): submission, tracking and the petitioner's own actions are public;
	// inspectors read figures, not petitions; the office decides, the handler replies.
	{"GET", "/api/v1/petitions", "-+-++++"},
	{"GET", "/api/v1/petitions/figures", "-++-++-"},
	{"GET", "/api/v1/petitions/{id}", "-+-++++"},
	{"POST", "/api/v1/petitions/{id}/accept", "-+---+-"},
	{"POST", "/api/v1/petitions/{id}/reject", "-+---+-"},
	{"POST", "/api/v1/petitions/{id}/assign", "-+---+-"},
	{"POST", "/api/v1/petitions/{id}/extend", "-+---+-"},
	{"POST", "/api/v1/petitions/{id}/reply", "-+-+++-"},
	{"POST", "/api/v1/petitions/{id}/review", "-+---+-"},
	{"POST", "/api/v1/petitions/{id}/rereview", "-+---+-"},
	// Casework (§7): notices for whoever reads the petition (the PDF then as the petitioner is
	// masked or not); transfer by the office; supervision by the district petition office
	// (admins and petition officers without a township), answered by the township's petition
	// officers and the handler. The tracking routes for notices are public.
	{"GET", "/api/v1/petitions/{id}/notices", "-+-++++"},
	{"GET", "/api/v1/notices/{id}", "-+-++++"},
	{"POST", "/api/v1/petitions/{id}/transfer", "-+---+-"},
	{"GET", "/api/v1/petitions/supervision", "-+-----"},
	{"POST", "/api/v1/petitions/{id}/supervise", "-+-----"},
	{"POST", "/api/v1/petitions/{id}/supervision-answer", "---+++-"},
	{"POST", "/api/v1/reception-days/generate", "-+---+-"},
	{"GET", "/api/v1/reception-days", "-+++++-"},
	{"GET", "/api/v1/reception-days/{id}", "-+++++-"},
	{"POST", "/api/v1/reception-days/{id}/reassign", "-+---+-"},
	{"POST", "/api/v1/reception-days/{id}/checkin", "---++--"},
	{"POST", "/api/v1/overnight-stays", "---++--"},
	{"POST", "/api/v1/overnight-stays/{id}/checkout", "---++--"},
	{"GET", "/api/v1/overnight-stays", "-++++--"},
	{"POST", "/api/v1/stationings", "---++--"},
	{"POST", "/api/v1/stationings/{id}/checkout", "---++--"},
	{"GET", "/api/v1/stationings", "-++++--"},
	{"POST", "/api/v1/visit-triggers", "---+++-"},
	{"GET", "/api/v1/visit-triggers", "-+++++-"},
	{"POST", "/api/v1/visits", "---++--"},
	{"GET", "/api/v1/visits", "-++++--"},
	{"POST", "/api/v1/talk-days", "---++--"},
	{"GET", "/api/v1/talk-days", "-+++++-"},
	{"PUT", "/api/v1/contact-links/{id}", "-+--+--"},
	{"GET", "/api/v1/progress/officials/{id}", "-++++--"},
	{"GET", "/api/v1/scorecards", "-++-+--"},
	{"POST", "/api/v1/audits", "--+----"},
	{"GET", "/api/v1/audits", "-++----"},
	{"GET", "/api/v1/audits/{id}", "-++----"},
	{"GET", "/api/v1/audits/{id}/manifest", "-++----"},
	{"GET", "/api/v1/audits/{id}/verify", "-++----"},
	{"POST", "/api/v1/audits/{id}/cancel", "--+----"},
	{"POST", "/api/v1/audits/{id}/findings", "--+----"},
	{"GET", "/api/v1/findings", "---++--"},
	{"POST", "/api/v1/findings/{id}/explain", "---++--"},
	{"POST", "/api/v1/findings/{id}/resolve", "--+----"},
	// Evidence (§2). Uploading is public (villagers without an account attach photos to
	// petitions), so it has no row here. Downloading is for anyone logged in who may see the
	// record; a household's QR code is for admins and the township's officials and officers.
	{"GET", "/api/v1/attachments/{id}", "-++++++"},
	{"GET", "/api/v1/households/{id}/qr", "-+---+-"},
	// Accounts (issue 17): anyone logged in changes their own password; only admins reset
	// another's; the petition office re-issues a petitioner's PIN at the counter.
	{"POST", "/api/v1/auth/password", "-++++++"},
	{"POST", "/api/v1/users/{id}/password-reset", "-+-----"},
	{"POST", "/api/v1/petitions/{id}/pin", "-+---+-"},
	// The activity log and its chain: admins and inspectors only — never an official (so
	// never the officials a petition is about), a petition officer or a villager.
	{"GET", "/api/v1/activity", "-++----"},
	{"GET", "/api/v1/activity/verify", "-++----"},
}

func TestRoleByEndpoint(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		tokens := []string{
			"",
			env.Token(env.User(domain.RoleAdmin, "")),
			env.Token(env.User(domain.RoleInspector, "")),
			env.Token(env.User(domain.RoleOfficial, town.ID, "team_member")),
			env.Token(env.User(domain.RoleOfficial, town.ID, "team_member", "lead")),
			env.Token(env.User(domain.RolePetitionOfficer, town.ID)),
			env.Token(env.User(domain.RoleVillager, "")),
		}
		names := []string{"anonymous", "admin", "inspector", "official", "lead", "petition_officer", "villager"}
		covered := map[string]bool{}
		for _, row := range accessTable {
			covered[row.method+" "+strings.Replace(row.path, "2026-10-01", "{date}", 1)] = true
			for i, tok := range tokens {
				path := strings.Replace(row.path, "{id}", domain.NewID(), 1)
				r := env.Do(apitest.Request{Method: row.method, Path: path, Token: tok, Body: "{}"})
				refused := r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized
				if want := row.allowed[i] == '+'; want == refused {
					t.Errorf("%s %s as %s: %d %s (allowed: %v)", row.method, row.path, names[i], r.Status, r.Body, want)
				}
				if i == 0 && r.Status != http.StatusUnauthorized {
					t.Errorf("%s %s without a token: %d, want 401", row.method, row.path, r.Status)
				}
			}
		}
		for _, r := range env.Server.Routes() {
			key := r.Method + " /api/v1" + echoToOpenAPI(r.Path)
			if r.Allow != nil && !covered[key] {
				t.Errorf("%s is not in the role × endpoint table", key)
			}
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		town := env.Township("甲镇", 30, 120)
		ctx := context.Background()
		_, before, _ := env.Store.VerifyLog(ctx)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"malformed JSON", "POST", "/api/v1/townships", `{"name": "x",`, 400, ""},
			{"not an object", "POST", "/api/v1/townships", `[1,2]`, 400, ""},
			{"empty body", "POST", "/api/v1/townships", ``, 400, ""},
			{"trailing data", "POST", "/api/v1/townships", `{"name":"x","lat":1,"lng":2} {}`, 400, ""},
			{"wrong type", "POST", "/api/v1/townships", map[string]any{"name": "乙镇", "lat": "thirty", "lng": 120}, 422, "lat"},
			{"unknown field", "POST", "/api/v1/townships", map[string]any{"name": "乙镇", "lat": 30, "lng": 120, "mayor": "x"}, 422, "mayor"},
			{"missing field", "POST", "/api/v1/townships", map[string]any{"lat": 30, "lng": 120}, 422, "name"},
			{"latitude out of range", "POST", "/api/v1/townships", map[string]any{"name": "乙镇", "lat": 91, "lng": 120}, 422, "lat"},
			{"negative radius", "PATCH", "/api/v1/townships/" + town.ID, map[string]any{"radius_m": -5}, 422, "radius_m"},
			{"bad date", "POST", "/api/v1/leaves", map[string]any{"user_id": domain.NewID(), "start_date": "2026-13-01", "end_date": "2026-12-01", "reason": "培训"}, 422, "start_date"},
			{"bad role", "POST", "/api/v1/users", map[string]any{"username": "someone", "password": apitest.Password, "display_name": "某人", "role": "mayor"}, 422, "role"},
			{"short password", "POST", "/api/v1/users", map[string]any{"username": "someone", "password": "short", "display_name": "某人", "role": "admin"}, 422, "password"},
			{"official without township", "POST", "/api/v1/users", map[string]any{"username": "someone", "password": apitest.Password, "display_name": "某人", "role": "official"}, 422, "township_id"},
			{"setting in the past", "POST", "/api/v1/settings", map[string]any{"key": "overnight.nights_per_week", "value": 3, "effective_from": "2020-01-01"}, 422, "effective_from"},
			{"setting out of range", "POST", "/api/v1/settings", map[string]any{"key": "overnight.nights_per_week", "value": 9, "effective_from": "2099-01-01"}, 422, "value"},
			{"unknown setting", "POST", "/api/v1/settings", map[string]any{"key": "no.such", "value": 1, "effective_from": "2099-01-01"}, 422, "key"},
			{"bad limit", "GET", "/api/v1/townships?limit=0", nil, 422, "limit"},
			{"bad filter", "GET", "/api/v1/villages?township_id=abc", nil, 422, "township_id"},
			{"too large", "POST", "/api/v1/townships", `{"name":"` + strings.Repeat("长", 1<<19) + `","lat":1,"lng":1}`, 413, ""},
		}
		for _, c := range cases {
			r := env.Do(apitest.Request{Method: c.method, Path: c.path, Token: admin, Body: c.body})
			if r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
				continue
			}
			if r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: content type %q", c.name, r.Header.Get("Content-Type"))
			}
			if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: the error does not name %s: %s", c.name, c.field, r.Body)
			}
		}
		_, after, _ := env.Store.VerifyLog(ctx)
		if after != before {
			t.Errorf("bad input wrote %d activity-log entries", after-before)
		}
		list := env.Get("/api/v1/townships", admin).Map(t)
		if n := len(list["items"].([]any)); n != 1 {
			t.Errorf("townships after bad input: %d, want 1", n)
		}
	})
}

func TestOperations(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		if r := env.Get("/healthz", ""); r.Status != 200 {
			t.Errorf("healthz: %d", r.Status)
		}
		if r := env.Get("/readyz", ""); r.Status != 200 {
			t.Errorf("readyz: %d %s", r.Status, r.Body)
		}
		if r := env.Get("/api/openapi.yaml", ""); r.Status != 200 || !strings.Contains(string(r.Body), "openapi: 3.1") {
			t.Errorf("openapi.yaml: %d", r.Status)
		}
		env.Get("/api/v1/townships", "")
		r := env.Get("/metrics", "")
		if !strings.Contains(string(r.Body), `minxin_http_requests_total{method="GET",route="/api/v1/townships",status="401"}`) {
			t.Errorf("metrics do not count requests by route: %s", r.Body[:min(len(r.Body), 400)])
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Error("no request id")
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	env := apitest.New(t, "sqlite")
	r := env.Get("/healthz", "")
	for header, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy: %q", csp)
	}
	// HSTS only when the request came over TLS, here through a proxy that terminated it.
	if hsts := r.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("Strict-Transport-Security over plain HTTP: %q", hsts)
	}
	tls := env.Do(apitest.Request{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Forwarded-Proto": "https"}})
	if hsts := tls.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=31536000") {
		t.Errorf("Strict-Transport-Security behind TLS: %q", hsts)
	}
}
