package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/webpush/webpushtest"
)

// Web Push subscriptions: the key browsers subscribe with, a browser's toJSON() kept (201),
// the same endpoint again the same subscription (200), moved to whoever subscribes it next;
// malformed subscriptions refused naming the field; a subscription forgotten by its user only.
func TestPushSubscriptions(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		villager := env.User(domain.RoleVillager, "")
		tok, vtok := env.Token(official), env.Token(villager)
		count := func(tok string) any {
			t.Helper()
			r := env.Get("/api/v1/notifications/push", tok)
			if r.Status != http.StatusOK {
				t.Fatalf("status: %d %s", r.Status, r.Body)
			}
			return r.Map(t)["subscriptions"]
		}
		r := env.Get("/api/v1/notifications/push", tok)
		if r.Status != http.StatusOK || r.Map(t)["public_key"] != env.VAPID.PublicKey || r.Map(t)["subscriptions"] != float64(0) {
			t.Fatalf("status: %d %s, want the key %s", r.Status, r.Body, env.VAPID.PublicKey)
		}
		if key, err := base64.RawURLEncoding.DecodeString(env.VAPID.PublicKey); err != nil || len(key) != 65 || key[0] != 4 {
			t.Fatalf("the public key is not an uncompressed point: %v %d", err, len(key))
		}

		push := webpushtest.New(env.VAPID.PublicKey)
		t.Cleanup(push.Close)
		browser := push.Browser()
		r = env.Post("/api/v1/notifications/push/subscriptions", tok, browser.JSON())
		if r.Status != http.StatusCreated {
			t.Fatalf("subscribe: %d %s", r.Status, r.Body)
		}
		first := r.Map(t)
		if !domain.ValidID(first["id"].(string)) || count(tok) != float64(1) {
			t.Fatalf("subscribed: %s, count %v", r.Body, count(tok))
		}
		r = env.Post("/api/v1/notifications/push/subscriptions", tok, browser.JSON())
		if r.Status != http.StatusOK || r.Map(t)["id"] != first["id"] || r.Map(t)["created_at"] != first["created_at"] || count(tok) != float64(1) {
			t.Fatalf("the same browser again: %d %s (first %v)", r.Status, r.Body, first)
		}
		// Another login on the same browser, which renewed its keys: the endpoint moves.
		renewed := push.Browser().JSON()
		renewed["endpoint"] = browser.Endpoint
		renewed["expirationTime"] = 1.7e12
		r = env.Post("/api/v1/notifications/push/subscriptions", vtok, renewed)
		if r.Status != http.StatusOK || r.Map(t)["id"] != first["id"] || count(tok) != float64(0) || count(vtok) != float64(1) {
			t.Fatalf("moved to the villager: %d %s, counts %v %v", r.Status, r.Body, count(tok), count(vtok))
		}
		subs, err := env.App.Reminders.PushSubscriptions(t.Context(), villager.ID)
		if err != nil || len(subs) != 1 || subs[0].P256dh != renewed["keys"].(map[string]any)["p256dh"] {
			t.Fatalf("the keys were not renewed: %+v %v", subs, err)
		}

		// Refusals name the field.
		valid := push.Browser()
		with := func(change func(m map[string]any)) map[string]any {
			m := valid.JSON()
			m["keys"] = map[string]any{"p256dh": valid.P256dh(), "auth": valid.Auth()}
			change(m)
			return m
		}
		keys := func(m map[string]any) map[string]any { return m["keys"].(map[string]any) }
		b64 := base64.RawURLEncoding.EncodeToString
		offCurve := append([]byte{4}, make([]byte, 64)...)
		compressed, _ := base64.RawURLEncoding.DecodeString(valid.P256dh())
		compressed = append([]byte{2 + compressed[64]&1}, compressed[1:33]...)
		for field, body := range map[string]any{
			"endpoint":       with(func(m map[string]any) { m["endpoint"] = strings.Replace(valid.Endpoint, "https:", "http:", 1) }),
			"endpoint ":      with(func(m map[string]any) { delete(m, "endpoint") }),
			"endpoint  ":     with(func(m map[string]any) { m["endpoint"] = "push.example.cn/x" }),
			"keys":           with(func(m map[string]any) { delete(m, "keys") }),
			"keys.p256dh":    with(func(m map[string]any) { keys(m)["p256dh"] = b64(offCurve) }),
			"keys.p256dh ":   with(func(m map[string]any) { keys(m)["p256dh"] = b64(compressed) }),
			"keys.p256dh  ":  with(func(m map[string]any) { keys(m)["p256dh"] = "not base64!" }),
			"keys.auth":      with(func(m map[string]any) { keys(m)["auth"] = b64(make([]byte, 15)) }),
			"keys.auth ":     with(func(m map[string]any) { delete(keys(m), "auth") }),
			"subscribed":     with(func(m map[string]any) { m["subscribed"] = true }),
			"expirationTime": with(func(m map[string]any) { m["expirationTime"] = "tomorrow" }),
		} {
			field = strings.TrimSpace(field)
			r := env.Post("/api/v1/notifications/push/subscriptions", tok, body)
			if r.Status != http.StatusUnprocessableEntity || !hasField(r.Body, field) {
				t.Errorf("%s: %d %s", field, r.Status, r.Body)
			}
		}
		if r := env.Post("/api/v1/notifications/push/subscriptions", tok, map[string]any{"endpoint": valid.Endpoint,
			"keys": map[string]any{"p256dh": valid.P256dh(), "auth": valid.Auth(), "extra": 1}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown key inside keys: %d %s", r.Status, r.Body)
		}
		if count(tok) != float64(0) {
			t.Fatalf("a refused subscription was kept")
		}

		// Forgotten by its user only.
		id := first["id"].(string)
		for _, path := range []string{id, domain.NewID(), "not-an-id"} {
			if r := env.Delete("/api/v1/notifications/push/subscriptions/"+path, tok); r.Status != http.StatusNotFound {
				t.Errorf("DELETE %s by another user: %d %s", path, r.Status, r.Body)
			}
		}
		if r := env.Delete("/api/v1/notifications/push/subscriptions/"+id, vtok); r.Status != http.StatusNoContent || count(vtok) != float64(0) {
			t.Fatalf("DELETE by its user: %d %s", r.Status, r.Body)
		}
		if r := env.Delete("/api/v1/notifications/push/subscriptions/"+id, vtok); r.Status != http.StatusNotFound {
			t.Fatalf("DELETE again: %d %s", r.Status, r.Body)
		}
	})
}
