package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// prefOf is one kind's preference in an answer of /notifications/preferences.
func prefOf(t *testing.T, r apitest.Response, kind string) map[string]any {
	t.Helper()
	for _, it := range r.Map(t)["items"].([]any) {
		if m := it.(map[string]any); m["kind"] == kind {
			return m
		}
	}
	t.Fatalf("no %s in %s", kind, r.Body)
	return nil
}

// Preferences per kind and channel: defaults, a change kept, the phone checked, a lead
// refused switching off overdue petitions (naming the field), the inbox always on.
func TestNotificationPreferences(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		lead := env.User(domain.RoleOfficial, town.ID, "team_member", "lead")
		tok := env.Token(official)
		r := env.Get("/api/v1/notifications/preferences", tok)
		if r.Status != http.StatusOK || r.Map(t)["phone"] != "" {
			t.Fatalf("get: %d %s", r.Status, r.Body)
		}
		if p := prefOf(t, r, "visit_due"); p["inbox"] != true || p["push"] != true || p["sms"] != false || p["locked"] != false {
			t.Errorf("default: %v", p)
		}
		r = env.Put("/api/v1/notifications/preferences", tok, map[string]any{"phone": "13800138000",
			"items": []any{map[string]any{"kind": "visit_due", "sms": true, "push": false}}})
		if r.Status != http.StatusOK {
			t.Fatalf("put: %d %s", r.Status, r.Body)
		}
		r = env.Get("/api/v1/notifications/preferences", tok)
		if p := prefOf(t, r, "visit_due"); p["push"] != false || p["sms"] != true || r.Map(t)["phone"] != "13800138000" {
			t.Errorf("kept: %s", r.Body)
		}
		if p := prefOf(t, r, "nights_short"); p["push"] != true || p["sms"] != false {
			t.Errorf("a kind not named changed: %v", p)
		}
		for name, body := range map[string]map[string]any{
			"phone":         {"phone": "12345"},
			"items[0].kind": {"items": []any{map[string]any{"kind": "gossip"}}},
		} {
			if r := env.Put("/api/v1/notifications/preferences", tok, body); r.Status != http.StatusUnprocessableEntity || !hasField(r.Body, name) {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		ltok := env.Token(lead)
		r = env.Get("/api/v1/notifications/preferences", ltok)
		if p := prefOf(t, r, "petition_deadline"); p["locked"] != true || p["push"] != true || p["sms"] != true {
			t.Errorf("the lead's overdue petitions: %v", p)
		}
		r = env.Put("/api/v1/notifications/preferences", ltok, map[string]any{"items": []any{
			map[string]any{"kind": "visit_due", "push": false},
			map[string]any{"kind": "petition_deadline", "sms": false}}})
		if r.Status != http.StatusUnprocessableEntity || !hasField(r.Body, "items[1].sms") || hasField(r.Body, "items[1].push") {
			t.Fatalf("a lead switching off overdue petitions: %d %s", r.Status, r.Body)
		}
		if p := prefOf(t, env.Get("/api/v1/notifications/preferences", ltok), "visit_due"); p["push"] != true {
			t.Errorf("a refused change was half kept: %v", p)
		}
		if p := prefOf(t, env.Get("/api/v1/notifications/preferences", tok), "petition_deadline"); p["locked"] != false {
			t.Errorf("not a lead: %v", p)
		}
	})
}

// hasField reports whether a problem body names field among its errors.
func hasField(body []byte, field string) bool {
	var p struct {
		Errors []struct{ Field string } `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil {
		return false
	}
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}
