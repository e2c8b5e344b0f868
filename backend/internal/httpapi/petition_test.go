package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
)

// The transitions of §4, written from the specification: which action moves a petition from
// which state, taken by whom it is naturally taken, and the state it reaches. Every other
// (action, state) pair is refused with 409: final_state after re-review, invalid_state before.
var petitionTransitions = []struct{ action, from, to string }{
	{"accept", "submitted", "accepted"},
	{"reject", "submitted", "not_accepted"},
	{"assign", "accepted", "assigned"},
	{"assign", "assigned", "assigned"},
	{"extend", "accepted", "accepted"},
	{"extend", "assigned", "assigned"},
	{"reply", "accepted", "replied"},
	{"reply", "assigned", "replied"},
	{"feedback", "replied", "replied"},
	{"feedback", "reviewed", "reviewed"},
	{"feedback", "rereviewed", "rereviewed"},
	{"request-review", "replied", "review_requested"},
	{"review", "review_requested", "reviewed"},
	{"request-rereview", "reviewed", "rereview_requested"},
	{"rereview", "rereview_requested", "rereviewed"},
	{"withdraw", "submitted", "withdrawn"},
	{"withdraw", "accepted", "withdrawn"},
	{"withdraw", "assigned", "withdrawn"},
	{"withdraw", "replied", "withdrawn"},
	{"withdraw", "review_requested", "withdrawn"},
	{"withdraw", "reviewed", "withdrawn"},
	{"withdraw", "rereview_requested", "withdrawn"},
}

var petitionStates = []string{"submitted", "accepted", "not_accepted", "assigned", "replied", "closed",
	"review_requested", "reviewed", "rereview_requested", "rereviewed", "withdrawn"}

var petitionActions = []string{"accept", "reject", "assign", "extend", "reply", "feedback", "request-review",
	"review", "request-rereview", "rereview", "withdraw"}

func TestPetitionEveryTransitionAllowedAndRefused(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		bodies := w.bodies()
		ctx := context.Background()

		// A closed petition: replied, then closed by the job once the review window passed.
		start := env.Clock.Now()
		closed := w.reach(t, "replied")
		env.Clock.Set(start.Add(40 * 24 * time.Hour))
		if n, err := env.App.Petitions.CloseDue(ctx); err != nil || n != 1 {
			t.Fatalf("close job: %d, %v", n, err)
		}
		env.Clock.Set(start.Add(time.Minute))

		// One petition in each state takes every refused action and must not change.
		in := map[string]sent{"closed": closed}
		for _, s := range petitionStates {
			if s != "closed" {
				in[s] = w.reach(t, s)
			}
		}
		for _, s := range petitionStates {
			for _, action := range petitionActions {
				allowed := ""
				for _, tr := range petitionTransitions {
					if tr.action == action && tr.from == s {
						allowed = tr.to
					}
				}
				if allowed != "" {
					p := in[s]
					if s != "closed" {
						p = w.reach(t, s) // a fresh one, since the action changes it
					}
					r := w.act(p, action, w.actorOf(action, s), bodies[action])
					if r.Status != http.StatusOK || r.Map(t)["state"] != allowed {
						t.Errorf("%s on %s: %d %s, want %s", action, s, r.Status, r.Body, allowed)
					}
					continue
				}
				want := "invalid_state"
				if s == "rereviewed" {
					want = "final_state"
				}
				r := w.act(in[s], action, w.actorOf(action, s), bodies[action])
				if r.Status != http.StatusConflict || r.Code() != want {
					t.Errorf("%s on %s: %d %s, want 409 %s", action, s, r.Status, r.Body, want)
				}
				if got := env.Get("/api/v1/petitions/"+in[s].ID, w.tok(w.admin)).Map(t)["state"]; got != s {
					t.Errorf("%s on %s changed the state to %v", action, s, got)
				}
			}
		}

		// Who may act, beyond the natural actor.
		assigned := w.reach(t, "assigned")
		accepted := w.reach(t, "accepted")
		replied := w.reach(t, "replied")
		cases := []struct {
			name   string
			p      sent
			action string
			as     *domain.User
			status int
			code   string
		}{
			{"an official may not accept", in["submitted"], "accept", &w.official, 403, "forbidden"},
			{"a villager may not accept", in["submitted"], "accept", &w.villager, 403, "forbidden"},
			{"an inspector may not accept", in["submitted"], "accept", &w.inspector, 403, "forbidden"},
			{"the office may not reply to an assigned petition", assigned, "reply", &w.officer, 409, "not_allowed"},
			{"another official may not reply", assigned, "reply", &w.official, 409, "not_allowed"},
			{"the office may reply to an accepted petition", accepted, "reply", &w.officer, 200, ""},
			{"a district petition officer may accept", w.reach(t, "submitted"), "accept", &w.district, 200, ""},
			{"an admin may review", w.reach(t, "review_requested"), "review", &w.admin, 200, ""},
			{"the office may not ask for review", replied, "request-review", &w.officer, 409, "not_allowed"},
			{"the handler may not withdraw", assigned, "withdraw", &w.handler, 409, "not_allowed"},
			{"another township's officer: not found", in["submitted"], "accept", &w.otherOfficer, 404, "not_found"},
			{"a villager who is not the petitioner: not found", replied, "feedback", &w.otherVillager, 404, "not_found"},
			{"an inspector may not act as petitioner", replied, "feedback", &w.inspector, 403, "forbidden"},
			{"no extension beyond the setting", w.reach(t, "accepted"), "extend", &w.officer, 422, "invalid_field"},
			{"reject needs guidance", in["submitted"], "reject", &w.officer, 422, "invalid_field"},
		}
		for _, c := range cases {
			body := bodies[c.action]
			switch c.name {
			case "no extension beyond the setting":
				body = map[string]any{"days": 31, "reason": "太复杂"}
			case "reject needs guidance":
				body = map[string]any{"reason": "不属于受理范围"}
			}
			r := w.act(c.p, c.action, c.as, body)
			if r.Status != c.status || (c.code != "" && r.Code() != c.code) {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
			}
		}
		// One extension only; a second is a conflict.
		accepted = w.reach(t, "accepted")
		w.step(t, accepted, "extend", &w.officer, bodies["extend"])
		if r := w.act(accepted, "extend", &w.officer, map[string]any{"days": 1, "reason": "再延"}); r.Status != 409 || r.Code() != "already_extended" {
			t.Errorf("second extension: %d %s", r.Status, r.Body)
		}
		// A villager with an account acts on their own petition with their token.
		mine := w.submit(t, w.tok(w.villager), map[string]any{"channel": "online", "township_id": w.town.ID, "category": "housing",
			"subject": "危房改造", "text": "房屋漏雨，申请危房改造。", "petitioner": map[string]any{"name": "王五", "phone": "13900001111"}})
		if r := w.act(mine, "withdraw", &w.villager, bodies["withdraw"]); r.Status != 200 || r.Map(t)["state"] != "withdrawn" {
			t.Errorf("villager withdraws own petition: %d %s", r.Status, r.Body)
		}
		// Without a token or credentials a petitioner's action is 401.
		if r := env.Post("/api/v1/petitions/"+replied.ID+"/feedback", "", map[string]any{"rating": "satisfied"}); r.Status != 401 {
			t.Errorf("feedback with nothing: %d %s", r.Status, r.Body)
		}

		// Every transition is an event and an activity-log entry, and the chain holds.
		full := env.Get("/api/v1/petitions/"+in["rereviewed"].ID, w.tok(w.admin)).Map(t)
		events := full["events"].([]any)
		if len(events) != 8 {
			t.Errorf("re-reviewed petition has %d events, want 8 (submit and 7 actions)", len(events))
		}
		for _, e := range events[1:] {
			ev := e.(map[string]any)
			if ev["from_state"] == nil || ev["actor_id"] == nil || ev["at"] == nil {
				t.Errorf("event lacks who, when or before: %v", ev)
			}
		}
		log, err := env.Store.ActivityFor(ctx, "petition", in["rereviewed"].ID)
		if err != nil || len(log) != 8 {
			t.Errorf("activity log of the petition: %d entries, %v", len(log), err)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("activity log broken: %+v %v", broken, err)
		}
	})
}

func TestPetitionSubmissionChannels(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(at(env, 2026, 11, 26, 10, 0)) // a Thursday, a working day
		w := newPetitionWorld(t, env)
		// w.official is today's receiver (定点接访).
		ctx := context.Background()
		rotaActor := domain.Actor{UserID: w.admin.ID, Role: domain.RoleAdmin}
		today := civil.Of(env.Clock.Now(), env.Loc)
		days, err := env.App.Duties.GenerateReceptionDays(ctx, rotaActor, duties.RotaInput{TownshipID: w.town.ID, From: today, To: today})
		if err != nil || len(days) != 1 {
			t.Fatalf("rota: %v %v", days, err)
		}
		if days[0].OfficialID == nil || *days[0].OfficialID != w.official.ID {
			if _, err := env.App.Duties.ReassignReceptionDay(ctx, rotaActor, days[0].ID, duties.ReassignInput{OfficialID: w.official.ID, Reason: "调班"}); err != nil {
				t.Fatal(err)
			}
		}
		base := func(channel string) map[string]any {
			return map[string]any{"channel": channel, "township_id": w.town.ID, "category": "environment",
				"subject": "养殖场污水", "text": "村东养殖场污水直排河道。", "petitioner": map[string]any{"name": "李四", "phone": "13700002222"}}
		}
		code := regexp.MustCompile(`^XF\d{8}-\d{4}$`)
		pin := regexp.MustCompile(`^\d{6}$`)
		for _, c := range []struct {
			name    string
			token   string
			channel string
			status  int
		}{
			{"online without an account", "", "online", 201},
			{"online with a villager account", w.tok(w.villager), "online", 201},
			{"reception by the day's receiver", w.tok(w.official), "reception", 201},
			{"reception by an official who is not the receiver", w.tok(w.handler), "reception", 403},
			{"reception by the office", w.tok(w.officer), "reception", 201},
			{"letter by a petition officer", w.tok(w.officer), "letter", 201},
			{"phone by a district petition officer", w.tok(w.district), "phone", 201},
			{"talk day by an admin", w.tok(w.admin), "talk_day", 201},
			{"letter without a token", "", "letter", 401},
			{"letter by a villager", w.tok(w.villager), "letter", 403},
			{"online by an official", w.tok(w.official), "online", 403},
			{"letter by an official", w.tok(w.official), "letter", 403},
			{"anything by an inspector", w.tok(w.inspector), "letter", 403},
			{"another township's officer", w.tok(w.otherOfficer), "letter", 422},
			{"unknown channel", w.tok(w.officer), "fax", 422},
		} {
			r := env.Post("/api/v1/petitions", c.token, base(c.channel))
			if r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
				continue
			}
			if r.Status == 201 {
				m := r.Map(t)
				if !code.MatchString(m["tracking_code"].(string)) || !pin.MatchString(m["pin"].(string)) {
					t.Errorf("%s: code %v, pin %v", c.name, m["tracking_code"], m["pin"])
				}
				g := env.Get("/api/v1/petitions/"+m["id"].(string), w.tok(w.admin)).Map(t)
				if linked := g["reception_day_id"] == days[0].ID; linked != (c.channel == "reception") {
					t.Errorf("%s: reception_day_id %v", c.name, g["reception_day_id"])
				}
			}
		}

		// Field checks.
		bad := []struct {
			name, field string
			change      map[string]any
		}{
			{"unknown category", "category", map[string]any{"category": "weather"}},
			{"no subject", "subject", map[string]any{"subject": ""}},
			{"bad phone", "petitioner.phone", map[string]any{"petitioner": map[string]any{"name": "李四", "phone": "12ab"}}},
			{"no petitioner", "petitioner", map[string]any{"petitioner": nil}},
			{"anonymous with a petitioner", "petitioner", map[string]any{"anonymous": true}},
			{"future receipt", "received_on", map[string]any{"received_on": "2099-01-01"}},
			{"village of another township", "village_id", map[string]any{"village_id": env.Village(w.other, "乙村", 31.01, 121.01).ID}},
			{"about a villager", "about_official_ids", map[string]any{"about_official_ids": []string{w.villager.ID}}},
			{"bad attachment id", "attachment_ids", map[string]any{"attachment_ids": []string{"x"}}},
		}
		villagerHousehold := base("online")
		villagerHousehold["household_id"] = w.household.ID
		if r := env.Post("/api/v1/petitions", w.tok(w.villager), villagerHousehold); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"household_id"`) {
			t.Errorf("a villager names a household: %d %s", r.Status, r.Body)
		}
		for _, c := range bad {
			body := base("letter")
			for k, v := range c.change {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			r := env.Post("/api/v1/petitions", w.tok(w.officer), body)
			if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
			}
		}

		// received_on sets the deadlines; the household gives the village.
		p := w.letter(t, map[string]any{"received_on": env.Clock.Now().In(env.Loc).AddDate(0, 0, -3).Format(time.DateOnly), "household_id": w.household.ID})
		got := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.officer)).Map(t)
		wantAccept := env.Clock.Now().In(env.Loc).AddDate(0, 0, 12).Format(time.DateOnly)
		if got["deadlines"].(map[string]any)["accept_by"] != wantAccept || got["village_id"] != w.village.ID {
			t.Errorf("deadlines %v, village %v; want accept_by %s", got["deadlines"], got["village_id"], wantAccept)
		}

		// The petition from a household recorded its must-visit trigger (信访诉求必访).
		triggers := env.Get("/api/v1/visit-triggers?household_id="+w.household.ID, w.tok(w.officer)).Map(t)["items"].([]any)
		if len(triggers) != 1 {
			t.Fatalf("triggers of the household: %v", triggers)
		}
		if tr := triggers[0].(map[string]any); tr["category"] != "petition" || tr["petition_id"] != p.ID || tr["occurred_on"] != got["received_on"] {
			t.Errorf("petition trigger: %v", tr)
		}
		// A report about officials records none: the trigger would tell the contact official.
		w.letter(t, map[string]any{"household_id": w.household.ID, "about_official_ids": []string{w.about.ID}})
		if n := len(env.Get("/api/v1/visit-triggers?household_id="+w.household.ID, w.tok(w.officer)).Map(t)["items"].([]any)); n != 1 {
			t.Errorf("a report about an official recorded a trigger (%d triggers)", n)
		}

		// A possible duplicate is linked and flagged, not refused.
		first := w.letter(t, nil)
		again := w.letter(t, map[string]any{"subject": "宅基地补偿款还没到", "text": "宅基地去年被征用，补偿款至今没有发放，再次请求核查。"})
		other := w.letter(t, map[string]any{"subject": "道路坑洼", "text": "村口道路坑洼不平，雨天积水。"})
		g := env.Get("/api/v1/petitions/"+again.ID, w.tok(w.officer)).Map(t)
		if g["possible_duplicate"] != true || g["duplicate_of"] == nil {
			t.Errorf("re-submission not flagged: %v %v", g["possible_duplicate"], g["duplicate_of"])
		}
		if g := env.Get("/api/v1/petitions/"+other.ID, w.tok(w.officer)).Map(t); g["possible_duplicate"] != false {
			t.Errorf("different complaint flagged as duplicate of %v", g["duplicate_of"])
		}
		_ = first
	})
}

func TestPetitionDeadlineBoundaries(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		ctx := context.Background()
		b := w.bodies()
		overdue := func(p sent) (bool, bool) {
			t.Helper()
			g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.officer)).Map(t)
			listed := strings.Contains(string(env.Get("/api/v1/petitions?overdue=true", w.tok(w.officer)).Body), p.ID)
			return g["overdue"].(bool), listed
		}
		check := func(name string, p sent, clock time.Time, want bool) {
			t.Helper()
			env.Clock.Set(clock)
			got, listed := overdue(p)
			if got != want || listed != want {
				t.Errorf("%s at %s: overdue %v, listed as overdue %v; want %v", name, clock, got, listed, want)
			}
		}

		// Acceptance: received on 1 December, accept_by 16 December.
		env.Clock.Set(at(env, 2026, 12, 1, 10, 0))
		sub := w.letter(t, nil)
		check("day 15 at 23:59", sub, at(env, 2026, 12, 16, 23, 59), false)
		check("day 16 at 00:00", sub, at(env, 2026, 12, 17, 0, 0), true)

		// Reply: accepted 2 December, reply_by 31 January; an extension of 30 days moves it.
		env.Clock.Set(at(env, 2026, 12, 1, 10, 0))
		acc := w.letter(t, nil)
		env.Clock.Set(at(env, 2026, 12, 2, 9, 0))
		w.step(t, acc, "accept", &w.officer, b["accept"])
		if d := env.Get("/api/v1/petitions/"+acc.ID, w.tok(w.officer)).Map(t)["deadlines"].(map[string]any); d["reply_by"] != "2027-01-31" {
			t.Errorf("reply_by %v", d["reply_by"])
		}
		check("reply day 60 at 23:59", acc, at(env, 2027, 1, 31, 23, 59), false)
		check("reply day 61 at 00:00", acc, at(env, 2027, 2, 1, 0, 0), true)
		env.Clock.Set(at(env, 2026, 12, 20, 9, 0))
		w.step(t, acc, "assign", &w.officer, b["assign"])
		w.step(t, acc, "extend", &w.officer, b["extend"])
		check("extended: old deadline passed", acc, at(env, 2027, 2, 1, 0, 0), false)
		check("extended: day 90 at 23:59", acc, at(env, 2027, 3, 2, 23, 59), false)
		check("extended: day 91 at 00:00", acc, at(env, 2027, 3, 3, 0, 0), true)
		if r := w.act(acc, "extend", &w.officer, b["extend"]); r.Status != 409 {
			t.Errorf("extension after the deadline: %d", r.Status)
		}

		// Review: replied 10 December; review may be requested until 9 January 23:59.
		env.Clock.Set(at(env, 2026, 12, 1, 10, 0))
		rep := w.reach(t, "replied")
		env.Clock.Set(at(env, 2026, 12, 10, 15, 0))
		late := w.reach(t, "replied")
		env.Clock.Set(at(env, 2027, 1, 9, 23, 59))
		if r := w.act(late, "request-review", nil, b["request-review"]); r.Status != 200 {
			t.Errorf("review asked on day 30 at 23:59: %d %s", r.Status, r.Body)
		}
		check("review day 30 at 23:59 after request", late, at(env, 2027, 2, 8, 23, 59), false)
		check("review day 31 at 00:00", late, at(env, 2027, 2, 9, 0, 0), true)
		env.Clock.Set(at(env, 2027, 1, 1, 0, 0))
		if r := w.act(rep, "request-review", nil, b["request-review"]); r.Status != 409 || r.Code() != "review_window_closed" {
			t.Errorf("review asked on day 31: %d %s", r.Status, r.Body)
		}

		// Auto close: the job closes nothing on day 30 at 23:59 and the petition on day 31.
		env.Clock.Set(at(env, 2026, 12, 10, 15, 0))
		toClose := w.reach(t, "replied")
		env.Clock.Set(at(env, 2027, 1, 9, 23, 59))
		closedBefore := env.Get("/api/v1/petitions?state=closed", w.tok(w.officer)).Map(t)["items"].([]any)
		if _, err := env.App.Petitions.CloseDue(ctx); err != nil {
			t.Fatal(err)
		}
		if s := env.Get("/api/v1/petitions/"+toClose.ID, w.tok(w.officer)).Map(t)["state"]; s != "replied" {
			t.Errorf("closed on day 30 at 23:59: %v", s)
		}
		env.Clock.Set(at(env, 2027, 1, 10, 0, 0))
		if _, err := env.App.Petitions.CloseDue(ctx); err != nil {
			t.Fatal(err)
		}
		if s := env.Get("/api/v1/petitions/"+toClose.ID, w.tok(w.officer)).Map(t)["state"]; s != "closed" {
			t.Errorf("not closed on day 31: %v", s)
		}
		_ = closedBefore

		// Re-review chain: nothing after re-review.
		env.Clock.Set(at(env, 2027, 1, 10, 9, 0))
		rr := w.reach(t, "rereview_requested")
		check("re-review day 30 at 23:59", rr, at(env, 2027, 2, 9, 23, 59), false)
		check("re-review day 31 at 00:00", rr, at(env, 2027, 2, 10, 0, 0), true)
		w.step(t, rr, "rereview", &w.officer, b["rereview"])
		if r := w.act(rr, "request-rereview", nil, b["request-rereview"]); r.Status != 409 || r.Code() != "final_state" {
			t.Errorf("after re-review: %d %s", r.Status, r.Body)
		}
	})
}

func TestPetitionTrackingAndPINLimits(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.reach(t, "replied")
		r := env.Get("/api/v1/petitions/track?code="+strings.ToLower(p.Code)+"&pin="+p.PIN, "")
		if r.Status != 200 {
			t.Fatalf("track: %d %s", r.Status, r.Body)
		}
		tr := r.Map(t)
		body := string(r.Body)
		if tr["state"] != "replied" || !strings.Contains(body, "补偿款已于本月拨付") {
			t.Errorf("track does not show the reply: %s", body)
		}
		for _, leak := range []string{"材料齐全", w.handler.ID, w.officer.ID, "handler_id", "note"} {
			if strings.Contains(body, leak) {
				t.Errorf("tracking shows %q: %s", leak, body)
			}
		}
		if opts := tr["options"].([]any); len(opts) != 3 {
			t.Errorf("options of a replied petition: %v (want feedback, request-review, withdraw)", opts)
		}

		wrongPIN := env.Get("/api/v1/petitions/track?code="+p.Code+"&pin=000000", "")
		unknown := env.Get("/api/v1/petitions/track?code=XF20200101-9999&pin="+p.PIN, "")
		if wrongPIN.Status != 404 || wrongPIN.Status != unknown.Status || string(wrongPIN.Body) != string(unknown.Body) {
			t.Errorf("wrong PIN %d %s vs unknown code %d %s", wrongPIN.Status, wrongPIN.Body, unknown.Status, unknown.Body)
		}
		// Wrong PINs for one code: 5 an hour, then even the right PIN waits.
		for range 4 {
			env.Get("/api/v1/petitions/track?code="+p.Code+"&pin=111111", "")
		}
		if r := env.Get("/api/v1/petitions/track?code="+p.Code+"&pin="+p.PIN, ""); r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Errorf("after 5 wrong PINs: %d", r.Status)
		}
		if r := w.act(p, "feedback", nil, map[string]any{"rating": "satisfied"}); r.Status != 429 {
			t.Errorf("action with a locked code: %d", r.Status)
		}
		env.Clock.Advance(time.Hour + time.Second)
		if r := env.Get("/api/v1/petitions/track?code="+p.Code+"&pin="+p.PIN, ""); r.Status != 200 {
			t.Errorf("an hour later: %d", r.Status)
		}
		// Per address: 20 wrong PINs over different codes lock the address.
		q := w.letter(t, nil)
		for i := range 20 {
			env.Get("/api/v1/petitions/track?code=XF20200101-"+strings.Repeat("0", 3)+string(rune('1'+i%9))+"&pin=123456", "")
		}
		if r := env.Get("/api/v1/petitions/track?code="+q.Code+"&pin="+q.PIN, ""); r.Status != 429 {
			t.Errorf("address not limited: %d", r.Status)
		}
	})
}

func TestPetitionSubmissionRateLimits(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		online := func(phone string) apitest.Response {
			return env.Post("/api/v1/petitions", "", map[string]any{"channel": "online", "township_id": w.town.ID,
				"category": "other", "subject": "路灯不亮", "text": "村口路灯坏了一个月。", "petitioner": map[string]any{"name": "赵六", "phone": phone}})
		}
		for i := range 5 {
			if r := online("13500000000"); r.Status != 201 {
				t.Fatalf("submission %d: %d %s", i+1, r.Status, r.Body)
			}
		}
		if r := online("13500000000"); r.Status != 429 {
			t.Errorf("sixth from one phone in a day: %d", r.Status)
		}
		for i := range 5 {
			if r := online("1350000000" + string(rune('1'+i))); r.Status != 201 {
				t.Fatalf("submission from another phone %d: %d %s", i, r.Status, r.Body)
			}
		}
		if r := online("13600000000"); r.Status != 429 {
			t.Errorf("eleventh from one address in an hour: %d", r.Status)
		}
		// Staff channels are not limited.
		w.letter(t, nil)
	})
}

// Confidentiality (§4): an official named in a petition's about list, and an official of
// another township, get from every petition endpoint exactly what a petition that does not
// exist would give, and find it in no list, count, figure or export.
func TestPetitionConfidentialityNothingLeaks(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		b := w.bodies()
		// The secret report about w.about, at every stage of its life in turn; a harmless
		// petition of the same township beside it.
		secret := w.letter(t, map[string]any{"category": "conduct", "subject": "村干部优亲厚友", "text": "低保名额分给了亲戚。",
			"about_official_ids": []string{w.about.ID}, "household_id": w.household.ID})
		harmless := w.letter(t, map[string]any{"subject": "路灯不亮", "text": "村口路灯坏了一个月。", "petitioner": map[string]any{"name": "孙七", "phone": "13600006666"}})
		if r := w.act(secret, "accept", &w.officer, b["accept"]); r.Status != 200 {
			t.Fatal(r.Status)
		}
		if r := w.act(secret, "assign", &w.officer, map[string]any{"handler_id": w.about.ID}); r.Status != 422 || !strings.Contains(string(r.Body), `"field":"handler_id"`) {
			t.Errorf("assigning to the official the petition is about: %d %s", r.Status, r.Body)
		}
		w.step(t, secret, "assign", &w.officer, b["assign"])
		// A re-submission about the same matter, not naming them, links to the secret one.
		dup := w.letter(t, map[string]any{"category": "conduct", "subject": "村干部优亲厚友问题", "text": "低保名额分给了亲戚，再次反映。"})

		missing := domain.NewID()
		probe := func(who domain.User, label string, received, conduct float64) {
			tok := w.tok(who)
			for _, action := range petitionActions {
				got := w.act(secret, action, &who, b[action])
				none := w.act(sent{ID: missing}, action, &who, b[action])
				if got.Status != none.Status || got.Code() != none.Code() {
					t.Errorf("%s %s: %d %s; a missing petition answers %d %s", label, action, got.Status, got.Body, none.Status, none.Body)
				}
			}
			got, none := env.Get("/api/v1/petitions/"+secret.ID, tok), env.Get("/api/v1/petitions/"+missing, tok)
			if got.Status != 404 || got.Status != none.Status || got.Code() != none.Code() {
				t.Errorf("%s get: %d %s; missing %d", label, got.Status, got.Body, none.Status)
			}
			for _, q := range []string{"", "?state=assigned", "?overdue=false", "?township_id=" + w.town.ID, "?limit=200"} {
				list := env.Get("/api/v1/petitions"+q, tok)
				for _, leak := range []string{secret.ID, secret.Code} {
					if strings.Contains(string(list.Body), leak) {
						t.Errorf("%s list %s shows %q", label, q, leak)
					}
				}
			}
			if r := env.Get("/api/v1/petitions/"+dup.ID, tok); r.Status == 200 && strings.Contains(string(r.Body), secret.ID) {
				t.Errorf("%s sees the secret petition through the duplicate link", label)
			}
			from, to := env.Clock.Now().In(env.Loc).AddDate(0, 0, -1).Format(time.DateOnly), env.Clock.Now().In(env.Loc).AddDate(0, 0, 1).Format(time.DateOnly)
			figures := env.Get("/api/v1/petitions/figures?from="+from+"&to="+to, tok)
			if figures.Status == 200 {
				total := figures.Map(t)["total"].(map[string]any)
				if total["received"] != received || total["by_category"].(map[string]any)["conduct"] != conduct {
					t.Errorf("%s figures count the secret petition: %s", label, figures.Body)
				}
				csv := env.Get("/api/v1/petitions/figures?format=csv&from="+from+"&to="+to, tok)
				if !strings.Contains(string(csv.Body), fmt.Sprintf("合计,%d,", int(received))) {
					t.Errorf("%s CSV counts the secret petition: %s", label, csv.Body)
				}
			}
		}
		probe(w.about, "official named in the petition", 2, 1) // the harmless one and the re-submission
		probe(w.otherOfficial, "official of another township", 0, 0)
		probe(w.otherOfficer, "petition officer of another township", 0, 0)

		// The township's officer counts all three.
		period := "from=" + env.Clock.Now().In(env.Loc).AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + env.Clock.Now().In(env.Loc).AddDate(0, 0, 1).Format(time.DateOnly)
		officerFig := env.Get("/api/v1/petitions/figures?"+period, w.tok(w.officer)).Map(t)
		if officerFig["total"].(map[string]any)["received"] != float64(3) {
			t.Errorf("officer figures: %v", officerFig["total"])
		}
		// Inspectors get figures, not petitions.
		for _, path := range []string{"/api/v1/petitions", "/api/v1/petitions/" + secret.ID} {
			if r := env.Get(path, w.tok(w.inspector)); r.Status != 403 {
				t.Errorf("inspector %s: %d", path, r.Status)
			}
		}
		if r := env.Get("/api/v1/petitions/figures?"+period, w.tok(w.inspector)); r.Status != 200 || r.Map(t)["total"].(map[string]any)["received"] != float64(3) {
			t.Errorf("inspector figures: %d %s", r.Status, r.Body)
		}

		// Masking: the township's other officials and lead see 张** · 138****1234; the office,
		// the handler, admins and the petitioner see the petitioner.
		for _, c := range []struct {
			who    domain.User
			masked bool
		}{{w.official, true}, {w.lead, true}, {w.officer, false}, {w.district, false}, {w.handler, false}, {w.admin, false}} {
			g := env.Get("/api/v1/petitions/"+secret.ID, w.tok(c.who)).Map(t)
			pet := g["petitioner"].(map[string]any)
			if c.masked {
				if pet["name"] != "张**" || pet["phone"] != "138****1234" || g["household_id"] != nil || g["petitioner_masked"] != true || len(g["about_official_ids"].([]any)) != 0 {
					t.Errorf("%s sees %v, household %v, about %v", c.who.Username, pet, g["household_id"], g["about_official_ids"])
				}
				if strings.Contains(string(env.Get("/api/v1/petitions", w.tok(c.who)).Body), "13812341234") {
					t.Errorf("%s's list shows the phone", c.who.Username)
				}
			} else if pet["name"] != "张三" || pet["phone"] != "13812341234" || g["household_id"] != w.household.ID {
				t.Errorf("%s sees %v", c.who.Username, pet)
			}
		}
		_ = harmless
	})
}

func TestPetitionAnonymousReportKeepsNoPetitioner(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.submit(t, w.tok(w.villager), map[string]any{"channel": "online", "township_id": w.town.ID, "category": "conduct",
			"subject": "干部吃拿卡要", "text": "办事要收好处费。", "anonymous": true, "about_official_ids": []string{w.about.ID}})
		g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.officer)).Map(t)
		if g["petitioner"] != nil || g["household_id"] != nil || g["anonymous"] != true {
			t.Errorf("anonymous petition shows a petitioner: %v", g)
		}
		// Nothing links it to the villager's account: it is not in their list.
		if strings.Contains(string(env.Get("/api/v1/petitions", w.tok(w.villager)).Body), p.ID) {
			t.Error("the anonymous report is listed under the villager's account")
		}
		log, _ := env.Store.ActivityFor(context.Background(), "petition", p.ID)
		if len(log) != 1 || log[0].ActorID != "anonymous" || strings.Contains(log[0].After, w.villager.ID) {
			t.Errorf("activity log of an anonymous report: %+v", log)
		}
		// The code and PIN still follow it.
		if r := env.Get("/api/v1/petitions/track?code="+p.Code+"&pin="+p.PIN, ""); r.Status != 200 {
			t.Errorf("track anonymous: %d", r.Status)
		}
	})
}

func TestPetitionFiguresAndExports(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		b := w.bodies()
		env.Clock.Set(at(env, 2026, 11, 2, 10, 0))
		w.reach(t, "submitted")
		w.reach(t, "not_accepted")
		rep := w.reach(t, "replied")
		w.step(t, rep, "feedback", nil, map[string]any{"rating": "basically_satisfied"})
		w.reach(t, "reviewed")
		w.submit(t, w.tok(w.otherOfficer), map[string]any{"channel": "phone", "township_id": w.other.ID, "category": "housing",
			"subject": "漏雨", "text": "房屋漏雨。", "petitioner": map[string]any{"name": "周八", "phone": "13300003333"}})
		env.Clock.Set(at(env, 2026, 11, 30, 10, 0)) // the submitted one is overdue by now
		_ = b

		r := env.Get("/api/v1/petitions/figures?from=2026-11-01&to=2026-11-30", w.tok(w.admin))
		if r.Status != 200 {
			t.Fatalf("figures: %d %s", r.Status, r.Body)
		}
		f := r.Map(t)
		rows := f["townships"].([]any)
		if len(rows) != 2 {
			t.Fatalf("township rows: %d", len(rows))
		}
		var mine map[string]any
		for _, x := range rows {
			if x.(map[string]any)["township_id"] == w.town.ID {
				mine = x.(map[string]any)
			}
		}
		want := map[string]float64{"received": 4, "accepted": 2, "accepted_on_time": 2, "not_accepted": 1, "replied": 2,
			"replied_on_time": 2, "overdue": 1, "basically_satisfied": 1, "reviews_requested": 1, "reviewed": 1}
		for k, v := range want {
			if mine[k] != v {
				t.Errorf("%s = %v, want %v", k, mine[k], v)
			}
		}
		if mine["by_channel"].(map[string]any)["letter"] != float64(4) || f["total"].(map[string]any)["received"] != float64(5) {
			t.Errorf("by channel %v, total %v", mine["by_channel"], f["total"])
		}
		// The lead of the township reads their own township only.
		if rows := env.Get("/api/v1/petitions/figures?from=2026-11-01&to=2026-11-30", w.tok(w.lead)).Map(t)["townships"].([]any); len(rows) != 1 {
			t.Errorf("lead figures: %d townships", len(rows))
		}
		if r := env.Get("/api/v1/petitions/figures?from=2026-11-01&to=2026-11-30", w.tok(w.official)); r.Status != 403 {
			t.Errorf("an official reads figures: %d", r.Status)
		}
		if r := env.Get("/api/v1/petitions/figures?from=2026-11-30&to=2026-11-01", w.tok(w.admin)); r.Status != 422 {
			t.Errorf("reversed period: %d", r.Status)
		}

		csv := env.Get("/api/v1/petitions/figures?format=csv&from=2026-11-01&to=2026-11-30", w.tok(w.admin))
		if csv.Status != 200 || !strings.HasPrefix(string(csv.Body), "\uFEFF乡镇（街道）,收件数,网上信访") || !strings.Contains(string(csv.Body), "甲镇,4,") {
			t.Errorf("csv: %d %s", csv.Status, csv.Body)
		}
		x := env.Get("/api/v1/petitions/figures?format=xlsx&from=2026-11-01&to=2026-11-30", w.tok(w.admin))
		book, err := excelize.OpenReader(bytes.NewReader(x.Body))
		if err != nil {
			t.Fatalf("xlsx: %v", err)
		}
		head, _ := book.GetCellValue("信访统计", "A1")
		total, _ := book.GetCellValue("信访统计", "B4")
		if head != "乡镇（街道）" || total != "5" {
			t.Errorf("xlsx A1 %q, B4 %q", head, total)
		}
		if !strings.Contains(x.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("xlsx disposition %q", x.Header.Get("Content-Disposition"))
		}
	})
}

func TestPetitionAttachments(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		// A villager without an account uploads, then submits with the upload.
		mine := upload(t, env, "", "photo.png", "image/png", tinyPNG(t, 7)).Map(t)["id"].(string)
		p := w.submit(t, "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "environment",
			"subject": "污水", "text": "河里有污水。", "petitioner": map[string]any{"name": "李四", "phone": "13700002222"},
			"attachment_ids": []string{mine}})
		g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.officer)).Map(t)
		if ids := g["attachment_ids"].([]any); len(ids) != 1 || ids[0] != mine {
			t.Errorf("attachment_ids %v", ids)
		}
		// The township's officer may now download it.
		if r := env.Get("/api/v1/attachments/"+mine, w.tok(w.officer)); r.Status != 200 {
			t.Errorf("officer downloads the petition's photo: %d", r.Status)
		}
		// An upload already attached cannot be claimed again, nor someone else's, nor an unknown id.
		staffUpload := upload(t, env, w.tok(w.official), "scan.png", "image/png", tinyPNG(t, 8)).Map(t)["id"].(string)
		for name, id := range map[string]string{"claimed": mine, "someone else's": staffUpload, "unknown": domain.NewID()} {
			r := env.Post("/api/v1/petitions", "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "other",
				"subject": "再次反映", "text": "同上。", "petitioner": map[string]any{"name": "王五", "phone": "13700003333"},
				"attachment_ids": []string{id}})
			if r.Status != 422 || !strings.Contains(string(r.Body), `"field":"attachment_ids"`) {
				t.Errorf("%s upload: %d %s", name, r.Status, r.Body)
			}
		}
		// An anonymous report through a villager's account takes only uploads made without one.
		own := upload(t, env, w.tok(w.villager), "p.png", "image/png", tinyPNG(t, 9)).Map(t)["id"].(string)
		r := env.Post("/api/v1/petitions", w.tok(w.villager), map[string]any{"channel": "online", "township_id": w.town.ID, "category": "conduct",
			"subject": "检举", "text": "有人收礼。", "anonymous": true, "attachment_ids": []string{own}})
		if r.Status != 422 {
			t.Errorf("anonymous report with the account's upload: %d %s", r.Status, r.Body)
		}
	})
}
