package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// The accounts of issue 17, through the real router on both engines: a user changes their own
// password; an admin resets one, which must be changed before anything else; the petition
// office re-issues a petitioner's PIN at the counter.

// logEntries answers the activity log's entries of an action, as the store keeps them.
func logEntries(t *testing.T, env *apitest.Env, action string) []map[string]any {
	t.Helper()
	if _, err := env.Store.SealLog(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		ActorID, Entity, EntityID, Before, After string
	}
	if err := env.Store.RawScan(context.Background(), &rows, "SELECT actor_id, entity, entity_id, before, after FROM activity_log WHERE action = ? ORDER BY seq", action); err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = map[string]any{"actor_id": r.ActorID, "entity": r.Entity, "entity_id": r.EntityID, "before": r.Before, "after": r.After}
	}
	return out
}

func TestChangeOwnPassword(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		u := env.User(domain.RoleOfficial, town.ID, "team_member")
		first, second := login(t, env, u.Username), login(t, env, u.Username)
		tok := first["access_token"].(string)
		if first["must_change_password"] != false {
			t.Errorf("a login without a reset: must_change_password %v", first["must_change_password"])
		}
		const fresh = "a-new-password-2027"

		// Bad input is 422 naming the field, and changes nothing: the old password still logs
		// in, both logins still refresh, the log does not grow.
		logBefore := logCount(t, env)
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"no old password", map[string]any{"new_password": fresh}, "old_password"},
			{"wrong old password", map[string]any{"old_password": "not-my-password", "new_password": fresh}, "old_password"},
			{"short new password", map[string]any{"old_password": apitest.Password, "new_password": "short"}, "new_password"},
			{"the same again", map[string]any{"old_password": apitest.Password, "new_password": apitest.Password}, "new_password"},
			{"unknown field", map[string]any{"old_password": apitest.Password, "new_password": fresh, "confirm": fresh}, "confirm"},
			{"wrong type", map[string]any{"old_password": apitest.Password, "new_password": 12345678901}, "new_password"},
		} {
			r := env.Post("/api/v1/auth/password", tok, c.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", c.name, r.Status, r.Body, c.field)
			}
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused changes wrote %d activity-log entries", n-logBefore)
		}
		login(t, env, u.Username)

		// The change: a new login for this device; every refresh token before it is revoked.
		r := env.Post("/api/v1/auth/password", tok, map[string]any{"old_password": apitest.Password, "new_password": fresh})
		if r.Status != http.StatusOK {
			t.Fatalf("change: %d %s", r.Status, r.Body)
		}
		answer := r.Map(t)
		if answer["must_change_password"] != false || answer["user"].(map[string]any)["id"] != u.ID {
			t.Errorf("change answered %s", r.Body)
		}
		for i, old := range []map[string]any{first, second} {
			if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": old["refresh_token"]}); r.Status != http.StatusUnauthorized {
				t.Errorf("login %d before the change still refreshes: %d %s", i+1, r.Status, r.Body)
			}
		}
		if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": answer["refresh_token"]}); r.Status != http.StatusOK {
			t.Errorf("the change's own login does not refresh: %d %s", r.Status, r.Body)
		}
		if r := env.Get("/api/v1/me", answer["access_token"].(string)); r.Status != http.StatusOK {
			t.Errorf("the change's access token: %d %s", r.Status, r.Body)
		}
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": apitest.Password}); r.Status != http.StatusUnauthorized {
			t.Errorf("the old password still logs in: %d", r.Status)
		}
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": fresh}); r.Status != http.StatusOK {
			t.Errorf("the new password does not log in: %d %s", r.Status, r.Body)
		}
		entries := logEntries(t, env, "change_password")
		if len(entries) != 1 || entries[0]["entity_id"] != u.ID || entries[0]["actor_id"] != u.ID {
			t.Errorf("the change in the log: %v", entries)
		}
		for _, e := range entries {
			if strings.Contains(fmt.Sprint(e), fresh) || strings.Contains(fmt.Sprint(e), "argon2") {
				t.Errorf("the log keeps the password: %v", e)
			}
		}

		// Guessing the old password with a stolen token counts as failed logins: after five the
		// account is locked, for the change and the login alike, even with the right password.
		for i := 0; i < 5; i++ {
			if r := env.Post("/api/v1/auth/password", tok, map[string]any{"old_password": fmt.Sprintf("guess-%d-xxxxx", i), "new_password": "whatever-1234"}); r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := env.Post("/api/v1/auth/password", tok, map[string]any{"old_password": fresh, "new_password": "another-password-99"}); r.Status != http.StatusTooManyRequests {
			t.Errorf("a sixth try: %d %s, want 429", r.Status, r.Body)
		}
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": fresh}); r.Status != http.StatusTooManyRequests {
			t.Errorf("the login after five wrong old passwords: %d, want 429", r.Status)
		}
		env.Clock.Advance(16 * time.Minute)
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": fresh}); r.Status != http.StatusOK {
			t.Errorf("the login after the window: %d %s", r.Status, r.Body)
		}
	})
}

func TestAdminResetsPassword(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		u := env.User(domain.RoleOfficial, town.ID, "team_member")
		before := login(t, env, u.Username)

		// Bad input changes nothing.
		logBefore := logCount(t, env)
		for _, c := range []struct {
			path   string
			body   any
			status int
			field  string
		}{
			{"/api/v1/users/" + domain.NewID() + "/password-reset", map[string]any{}, 404, ""},
			{"/api/v1/users/not-an-id/password-reset", map[string]any{}, 404, ""},
			{"/api/v1/users/" + u.ID + "/password-reset", map[string]any{"temporary_password": "chosen-by-me-1"}, 422, "temporary_password"},
			{"/api/v1/users/" + u.ID + "/password-reset", `[]`, 400, ""},
		} {
			r := env.Post(c.path, admin, c.body)
			if r.Status != c.status || (c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`)) {
				t.Errorf("%s %v: %d %s, want %d %s", c.path, c.body, r.Status, r.Body, c.status, c.field)
			}
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused resets wrote %d activity-log entries", n-logBefore)
		}
		login(t, env, u.Username)

		r := env.Post("/api/v1/users/"+u.ID+"/password-reset", admin, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("reset: %d %s", r.Status, r.Body)
		}
		reset := r.Map(t)
		temporary := reset["temporary_password"].(string)
		if !regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`).MatchString(temporary) || reset["must_change_password"] != true {
			t.Errorf("reset answered %s", r.Body)
		}
		// Every login of the user ends; the old password no longer logs in.
		if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": before["refresh_token"]}); r.Status != http.StatusUnauthorized {
			t.Errorf("a login before the reset still refreshes: %d", r.Status)
		}
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": apitest.Password}); r.Status != http.StatusUnauthorized {
			t.Errorf("the old password still logs in: %d", r.Status)
		}
		// The admin reads that the user must change it.
		if got := env.Get("/api/v1/users/"+u.ID, admin).Map(t); got["must_change_password"] != true {
			t.Errorf("the user after the reset: %v", got)
		}

		// The temporary password logs in and says so; the login opens only the change.
		r = env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": temporary})
		if r.Status != http.StatusOK {
			t.Fatalf("login with the temporary password: %d %s", r.Status, r.Body)
		}
		pending := r.Map(t)
		if pending["must_change_password"] != true || pending["user"].(map[string]any)["must_change_password"] != true {
			t.Errorf("the login does not say the password must be changed: %s", r.Body)
		}
		tok := pending["access_token"].(string)
		open := map[string]bool{"POST /auth/password": true, "POST /auth/logout": true, "GET /me": true, "POST /auth/login": true, "POST /auth/refresh": true}
		logBefore = logCount(t, env)
		refused := 0
		for _, route := range env.Server.Routes() {
			if open[routeKey(route)] {
				continue
			}
			var body any
			if route.Method != http.MethodGet && route.Method != http.MethodDelete {
				body = "{}"
			}
			r := env.Do(apitest.Request{Method: route.Method, Path: concrete(route.Path), Token: tok, Body: body})
			if r.Status != http.StatusForbidden || r.Code() != "password_change_required" {
				t.Errorf("%s before the change: %d %s, want 403 password_change_required", routeKey(route), r.Status, r.Body)
			}
			refused++
		}
		if refused < 70 {
			t.Errorf("only %d routes were tried", refused)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused requests wrote %d activity-log entries", n-logBefore)
		}
		if me := env.Get("/api/v1/me", tok); me.Status != http.StatusOK || me.Map(t)["must_change_password"] != true {
			t.Errorf("me before the change: %d %s", me.Status, me.Body)
		}
		// A refreshed token still carries the obligation.
		refreshed := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": pending["refresh_token"]}).Map(t)
		if refreshed["must_change_password"] != true {
			t.Errorf("refresh lost the obligation: %v", refreshed)
		}
		if r := env.Get("/api/v1/townships", refreshed["access_token"].(string)); r.Code() != "password_change_required" {
			t.Errorf("a refreshed token opens other routes: %d %s", r.Status, r.Body)
		}

		// The change with the temporary password as the old one lifts it.
		r = env.Post("/api/v1/auth/password", tok, map[string]any{"old_password": temporary, "new_password": "my-own-password-1"})
		if r.Status != http.StatusOK || r.Map(t)["must_change_password"] != false {
			t.Fatalf("change after the reset: %d %s", r.Status, r.Body)
		}
		changed := r.Map(t)
		if r := env.Get("/api/v1/townships", changed["access_token"].(string)); r.Status != http.StatusOK {
			t.Errorf("after the change: %d %s", r.Status, r.Body)
		}
		if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": refreshed["refresh_token"]}); r.Status != http.StatusUnauthorized {
			t.Errorf("the temporary login still refreshes after the change: %d", r.Status)
		}
		if got := env.Get("/api/v1/users/"+u.ID, admin).Map(t); got["must_change_password"] != false {
			t.Errorf("the user after the change: %v", got)
		}
		resets := logEntries(t, env, "reset_password")
		if len(resets) != 1 || resets[0]["entity_id"] != u.ID || strings.Contains(fmt.Sprint(resets), temporary) {
			t.Errorf("the reset in the log: %v", resets)
		}
	})
}

func TestReissuePIN(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.letter(t, map[string]any{"petitioner": map[string]any{"name": "张三", "phone": "13812341234"}})
		officer := func() string { return w.tok(w.officer) } // after the clock moves, a fresh token
		path := "/api/v1/petitions/" + p.ID + "/pin"
		track := func(pin string) apitest.Response {
			return env.Get("/api/v1/petitions/track?code="+url.QueryEscape(p.Code)+"&pin="+pin, "")
		}
		good := map[string]any{"phone": "138-1234-1234", "identity_note": "身份证（尾号0012）核验一致"}

		logBefore := logCount(t, env)
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"another phone", map[string]any{"phone": "13900000000", "identity_note": "身份证"}, "phone"},
			{"no phone", map[string]any{"identity_note": "身份证"}, "phone"},
			{"no note", map[string]any{"phone": "13812341234"}, "identity_note"},
			{"blank note", map[string]any{"phone": "13812341234", "identity_note": "   "}, "identity_note"},
			{"unknown field", map[string]any{"phone": "13812341234", "identity_note": "身份证", "pin": "123456"}, "pin"},
		} {
			r := env.Post(path, officer(), c.body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s, want 422 naming %s", c.name, r.Status, r.Body, c.field)
			}
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused re-issues wrote %d activity-log entries", n-logBefore)
		}
		if r := track(p.PIN); r.Status != http.StatusOK {
			t.Fatalf("the PIN after refused re-issues: %d %s", r.Status, r.Body)
		}

		// Who may not: the petition officer of another township, an official, a named
		// officer (as for a petition that does not exist).
		named := w.letter(t, map[string]any{"about_official_ids": []string{w.district.ID}})
		for _, c := range []struct {
			name, tok, id string
			status        int
		}{
			{"another township's officer", w.tok(w.otherOfficer), p.ID, 404},
			{"an officer named in it", w.tok(w.district), named.ID, 404},
			{"a missing petition", officer(), domain.NewID(), 404},
			{"the handler", w.tok(w.handler), p.ID, 403},
			{"an inspector", w.tok(w.inspector), p.ID, 403},
		} {
			if r := env.Post("/api/v1/petitions/"+c.id+"/pin", c.tok, good); r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
			}
		}

		// The re-issue: the old PIN stops at once, the new one opens tracking.
		r := env.Post(path, officer(), good)
		if r.Status != http.StatusOK {
			t.Fatalf("re-issue: %d %s", r.Status, r.Body)
		}
		got := r.Map(t)
		pin := got["pin"].(string)
		if got["id"] != p.ID || got["tracking_code"] != p.Code || !regexp.MustCompile(`^\d{6}$`).MatchString(pin) {
			t.Errorf("re-issue answered %s", r.Body)
		}
		if r := track(p.PIN); r.Status != http.StatusNotFound {
			t.Errorf("the old PIN after the re-issue: %d", r.Status)
		}
		if r := track(pin); r.Status != http.StatusOK {
			t.Errorf("the new PIN: %d %s", r.Status, r.Body)
		}
		entries := logEntries(t, env, "reissue_pin")
		if len(entries) != 1 || entries[0]["entity_id"] != p.ID || entries[0]["actor_id"] != w.officer.ID ||
			!strings.Contains(entries[0]["after"].(string), "尾号0012") || strings.Contains(fmt.Sprint(entries), pin) {
			t.Errorf("the re-issue in the log: %v", entries)
		}

		// The limits hold: after five wrong PINs the code is locked, and a re-issue clears
		// nothing — the new PIN waits out the hour too.
		for i := 0; i < 5; i++ {
			track(fmt.Sprintf("%06d", i))
		}
		if r := track(pin); r.Status != http.StatusTooManyRequests {
			t.Errorf("the right PIN after five wrong ones: %d", r.Status)
		}
		r = env.Post(path, officer(), good)
		if r.Status != http.StatusOK {
			t.Fatalf("second re-issue: %d %s", r.Status, r.Body)
		}
		pin = r.Map(t)["pin"].(string)
		if r := track(pin); r.Status != http.StatusTooManyRequests {
			t.Errorf("a re-issued PIN while the code is locked: %d, want 429", r.Status)
		}
		env.Clock.Advance(61 * time.Minute)
		if r := track(pin); r.Status != http.StatusOK {
			t.Errorf("the re-issued PIN after the hour: %d %s", r.Status, r.Body)
		}
		// At most three re-issues a day.
		if r := env.Post(path, officer(), good); r.Status != http.StatusOK {
			t.Errorf("third re-issue: %d %s", r.Status, r.Body)
		}
		if r := env.Post(path, officer(), good); r.Status != http.StatusTooManyRequests {
			t.Errorf("fourth re-issue in a day: %d %s, want 429", r.Status, r.Body)
		}
		env.Clock.Advance(24 * time.Hour)
		if r := env.Post(path, officer(), good); r.Status != http.StatusOK {
			t.Errorf("a re-issue the next day: %d %s", r.Status, r.Body)
		}

		// An anonymous report has no petitioner to check.
		anon := w.letter(t, map[string]any{"anonymous": true, "petitioner": nil})
		if r := env.Post("/api/v1/petitions/"+anon.ID+"/pin", officer(), good); r.Status != http.StatusConflict || r.Code() != "anonymous_petition" {
			t.Errorf("anonymous report: %d %s", r.Status, r.Body)
		}
	})
}
