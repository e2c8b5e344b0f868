package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// Transfer (转送, §7) to another township of the district: the petition moves there with its
// whole history, is received there anew for 15 days from the transfer, and the sending
// township no longer sees or handles it; to an outside body of petition.agencies it is
// transferred, final. Tracking shows where it went.
func TestPetitionTransferPaths(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		w := newPetitionWorld(t, env)
		ctx := context.Background()
		// A petition from a villager without an account, with a photo, about an official.
		photo := upload(t, env, "", "photo.png", "image/png", tinyPNG(t, 21)).Map(t)["id"].(string)
		p := w.submit(t, "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "land",
			"subject": "宅基地被占", "text": "邻居占用我家宅基地。", "petitioner": map[string]any{"name": "李四", "phone": "13700002222"},
			"attachment_ids": []string{photo}, "about_official_ids": []string{w.about.ID}})
		env.Clock.Set(at(env, 2026, 11, 27, 15, 0))
		got := w.step(t, p, "transfer", &w.officer, map[string]any{"to_township_id": w.other.ID, "reason": "宅基地位于乙镇"})
		if got["state"] != "submitted" || got["township_id"] != w.other.ID || got["transferred_on"] != "2026-11-27" ||
			got["transferred_from"] != w.town.ID || got["transfer_agency"] != nil {
			t.Errorf("after the transfer: %v", got)
		}
		// The sending township sees it no more, anywhere.
		for _, who := range []domain.User{w.officer, w.official, w.lead, w.handler} {
			if r := env.Get("/api/v1/petitions/"+p.ID, w.tok(who)); r.Status != http.StatusNotFound {
				t.Errorf("%s reads the transferred petition: %d", who.Username, r.Status)
			}
			if r := env.Get("/api/v1/petitions?limit=200", w.tok(who)); strings.Contains(string(r.Body), p.ID) {
				t.Errorf("%s lists the transferred petition", who.Username)
			}
			if r := env.Get("/api/v1/attachments/"+photo, w.tok(who)); r.Status != http.StatusNotFound {
				t.Errorf("%s downloads the transferred petition's photo: %d", who.Username, r.Status)
			}
		}
		if r := w.act(p, "accept", &w.officer, map[string]any{"note": ""}); r.Status != http.StatusNotFound {
			t.Errorf("the sending township accepts it: %d %s", r.Status, r.Body)
		}
		// The receiving township has it with its history, received anew on the 27th.
		g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.otherOfficer)).Map(t)
		events := g["events"].([]any)
		if g["deadlines"].(map[string]any)["accept_by"] != "2026-12-12" || len(events) != 2 || g["overdue"] != false ||
			len(g["about_official_ids"].([]any)) != 1 || len(g["attachment_ids"].([]any)) != 1 {
			t.Errorf("in the receiving township: %v", g)
		}
		if ev := events[1].(map[string]any); ev["action"] != "transfer" || ev["reason"] != "宅基地位于乙镇" || ev["text"] != "乙镇" || ev["to_state"] != "submitted" {
			t.Errorf("transfer event: %v", ev)
		}
		if r := env.Get("/api/v1/attachments/"+photo, w.tok(w.otherOfficer)); r.Status != http.StatusOK {
			t.Errorf("the receiving township downloads the photo: %d", r.Status)
		}
		if n := w.notices(t, p, w.otherOfficer); len(n) != 1 || n[0]["kind"] != "transfer" {
			t.Errorf("notices in the receiving township: %v", n)
		}
		// Every row of its history carries the new township.
		for _, table := range []string{"petition_events", "petition_about", "petition_attachments", "petition_notices"} {
			var n int64
			if err := env.Store.RawCount(ctx, table+" WHERE petition_id = '"+p.ID+"' AND township_id <> '"+w.other.ID+"'", &n); err != nil || n != 0 {
				t.Errorf("%s: %d rows of another township, %v", table, n, err)
			}
		}
		var atts int64
		if err := env.Store.RawCount(ctx, "attachments WHERE id = '"+photo+"' AND township_id = '"+w.other.ID+"'", &atts); err != nil || atts != 1 {
			t.Errorf("the photo's township: %d, %v", atts, err)
		}
		// 15 days from the transfer: overdue from 13 December.
		env.Clock.Set(at(env, 2026, 12, 12, 23, 59))
		if g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.otherOfficer)).Map(t); g["overdue"] != false {
			t.Error("overdue on the receiving township's 15th day")
		}
		env.Clock.Set(at(env, 2026, 12, 13, 0, 0))
		if g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.otherOfficer)).Map(t); g["overdue"] != true {
			t.Error("not overdue on the 16th day after the transfer")
		}
		tr := env.Get("/api/v1/petitions/track?code="+p.Code+"&pin="+p.PIN, "").Map(t)
		if x, _ := tr["transfer"].(map[string]any); x == nil || x["kind"] != "township" || x["to"] != "乙镇" || x["on"] != "2026-11-27" {
			t.Errorf("tracking shows %v", tr["transfer"])
		}
		// Accepted there late, it counts in the receiving township's figures.
		w.step(t, p, "accept", &w.otherOfficer, map[string]any{"note": ""})
		fig := env.Get("/api/v1/petitions/figures?from=2026-11-01&to=2026-11-30", w.tok(w.admin)).Map(t)
		for _, row := range fig["townships"].([]any) {
			r := row.(map[string]any)
			if want := r["township_id"] == w.other.ID; (r["received"] == float64(1)) != want || (r["accepted"] == float64(1)) != want || r["accepted_on_time"] != float64(0) {
				t.Errorf("figures of %v: %v", r["township_name"], r)
			}
		}

		// To an outside body: transferred, final; nothing more can be done with it.
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		q := w.letter(t, nil)
		got = w.step(t, q, "transfer", &w.district, map[string]any{"to_agency": "县自然资源局", "reason": "涉及土地确权"})
		if got["state"] != "transferred" || got["township_id"] != w.town.ID || got["transfer_agency"] != "县自然资源局" ||
			got["transferred_on"] != "2026-11-25" || got["finished_at"] == nil || got["overdue"] != false {
			t.Errorf("transferred to an outside body: %v", got)
		}
		env.Clock.Set(at(env, 2026, 12, 30, 10, 0))
		if strings.Contains(string(env.Get("/api/v1/petitions?overdue=true", w.tok(w.officer)).Body), q.ID) {
			t.Error("a transferred petition is listed overdue")
		}
		for action, as := range map[string]*domain.User{"accept": &w.officer, "reject": &w.officer, "withdraw": nil} {
			if r := w.act(q, action, as, w.bodies()[action]); r.Status != 409 || r.Code() != "invalid_state" {
				t.Errorf("%s on a transferred petition: %d %s", action, r.Status, r.Body)
			}
		}
		tr = env.Get("/api/v1/petitions/track?code="+q.Code+"&pin="+q.PIN, "").Map(t)
		if x, _ := tr["transfer"].(map[string]any); x == nil || x["kind"] != "agency" || x["to"] != "县自然资源局" || x["on"] != "2026-11-25" || len(tr["options"].([]any)) != 0 {
			t.Errorf("tracking shows %v, options %v", tr["transfer"], tr["options"])
		}
		if r := env.Get("/api/v1/petitions?state=transferred", w.tok(w.officer)); r.Status != 200 || !strings.Contains(string(r.Body), q.ID) {
			t.Errorf("list by state transferred: %d", r.Status)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("activity log broken: %+v %v", broken, err)
		}
		log, _ := env.Store.ActivityFor(ctx, "petition", p.ID)
		if last := log[len(log)-2]; last.Action != "transfer" || !strings.Contains(last.After, photo) || !strings.Contains(last.Before, w.town.ID) {
			t.Errorf("the transfer's log entry: %+v", last)
		}
	})
}

// What may not be transferred, or not there, is refused with a clear 409 or 422 that changes
// nothing: a body not in the list (the list in force today), the same township, one that does
// not exist, neither or both, no reason, after acceptance, after the acceptance window, a
// second transfer; and those who may not transfer at all.
func TestPetitionTransferRefusals(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		w := newPetitionWorld(t, env)
		sub := w.letter(t, nil)
		acc := w.reach(t, "accepted")
		moved := w.letter(t, nil)
		w.step(t, moved, "transfer", &w.officer, map[string]any{"to_township_id": w.other.ID, "reason": "属乙镇"})
		out := w.letter(t, nil)
		w.step(t, out, "transfer", &w.officer, map[string]any{"to_agency": "县公安局", "reason": "涉嫌违法"})
		env.Clock.Set(at(env, 2026, 11, 10, 10, 0))
		late := w.letter(t, nil) // accept_by 25 November
		env.Clock.Set(at(env, 2026, 11, 26, 0, 0))

		cases := []struct {
			name   string
			p      sent
			as     domain.User
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{"a body not in the list", sub, w.officer, map[string]any{"to_agency": "县教育局", "reason": "x"}, 422, "invalid_field", "to_agency"},
			{"the same township", sub, w.officer, map[string]any{"to_township_id": w.town.ID, "reason": "x"}, 422, "invalid_field", "to_township_id"},
			{"a township that does not exist", sub, w.officer, map[string]any{"to_township_id": domain.NewID(), "reason": "x"}, 422, "invalid_field", "to_township_id"},
			{"a township id that is no id", sub, w.officer, map[string]any{"to_township_id": "乙镇", "reason": "x"}, 422, "invalid_field", "to_township_id"},
			{"nowhere", sub, w.officer, map[string]any{"reason": "x"}, 422, "invalid_field", "to_township_id"},
			{"both", sub, w.officer, map[string]any{"to_township_id": w.other.ID, "to_agency": "县公安局", "reason": "x"}, 422, "invalid_field", "to_township_id"},
			{"no reason", sub, w.officer, map[string]any{"to_agency": "县公安局"}, 422, "invalid_field", "reason"},
			{"after acceptance", acc, w.officer, map[string]any{"to_agency": "县公安局", "reason": "x"}, 409, "invalid_state", ""},
			{"after the acceptance window", late, w.officer, map[string]any{"to_agency": "县公安局", "reason": "x"}, 409, "accept_window_closed", ""},
			{"a second transfer, back", moved, w.otherOfficer, map[string]any{"to_township_id": w.town.ID, "reason": "退回"}, 409, "already_transferred", ""},
			{"a second transfer, out", moved, w.admin, map[string]any{"to_agency": "县公安局", "reason": "x"}, 409, "already_transferred", ""},
			{"a petition transferred out", out, w.admin, map[string]any{"to_township_id": w.other.ID, "reason": "x"}, 409, "already_transferred", ""},
			{"an official", sub, w.official, map[string]any{"to_agency": "县公安局", "reason": "x"}, 403, "forbidden", ""},
			{"the township's lead", sub, w.lead, map[string]any{"to_agency": "县公安局", "reason": "x"}, 403, "forbidden", ""},
			{"a villager", sub, w.villager, map[string]any{"to_agency": "县公安局", "reason": "x"}, 403, "forbidden", ""},
			{"an inspector", sub, w.inspector, map[string]any{"to_agency": "县公安局", "reason": "x"}, 403, "forbidden", ""},
			{"another township's officer", sub, w.otherOfficer, map[string]any{"to_agency": "县公安局", "reason": "x"}, 404, "not_found", ""},
			{"the sending township, afterwards", moved, w.officer, map[string]any{"to_agency": "县公安局", "reason": "x"}, 404, "not_found", ""},
		}
		for _, c := range cases {
			before := env.Get("/api/v1/petitions/"+c.p.ID, w.tok(w.admin)).Body
			logBefore := logCount(t, env)
			r := w.act(c.p, "transfer", &c.as, c.body)
			if r.Status != c.status || r.Code() != c.code || (c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %s, want %d %s naming %q", c.name, r.Status, r.Body, c.status, c.code, c.field)
			}
			if after := env.Get("/api/v1/petitions/"+c.p.ID, w.tok(w.admin)).Body; string(after) != string(before) || logCount(t, env) != logBefore {
				t.Errorf("%s changed the petition or wrote to the log", c.name)
			}
		}
		// The outside bodies are those in force on the day of the transfer.
		if r := env.Post("/api/v1/settings", w.tok(w.admin), map[string]any{"key": "petition.agencies", "value": []string{"县信访局"}, "effective_from": "2026-11-26"}); r.Status != 201 && r.Status != 200 {
			t.Fatalf("setting: %d %s", r.Status, r.Body)
		}
		if r := w.act(sub, "transfer", &w.officer, map[string]any{"to_agency": "县公安局", "reason": "x"}); r.Status != 422 {
			t.Errorf("a body no longer in the list: %d %s", r.Status, r.Body)
		}
		if r := w.act(sub, "transfer", &w.officer, map[string]any{"to_agency": "县信访局", "reason": "x"}); r.Status != 200 || r.Map(t)["state"] != "transferred" {
			t.Errorf("a body of today's list: %d %s", r.Status, r.Body)
		}
	})
}
