package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// Supervision (督办, §7): the district petition office lists every petition that is overdue or
// has a deadline within 3 days, across townships, with the exact days left as the district's
// calendar counts them; it issues instructions that the township's petition officers and the
// handler see on the petition and answer; instructions, answers and their timeliness count in
// the petition figures.
func TestSupervisionList(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		// Accepted on 25 September: reply_by 24 November, overdue on the 25th.
		env.Clock.Set(at(env, 2026, 9, 25, 10, 0))
		late := w.reach(t, "assigned")
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		received := func(on string, extra map[string]any) sent {
			body := map[string]any{"received_on": on}
			for k, v := range extra {
				body[k] = v
			}
			return w.letter(t, body)
		}
		c := received("2026-11-05", nil) // accept_by 20 November: 5 days overdue
		b := received("2026-11-10", nil) // accept_by today
		a := received("2026-11-12", nil) // 2 days left
		d := received("2026-11-13", nil) // 3 days left
		e := received("2026-11-14", nil) // 4 days left: not yet
		received("2026-11-20", nil)      // far off
		f := w.submit(t, w.tok(w.otherOfficer), map[string]any{"channel": "letter", "township_id": w.other.ID, "category": "housing",
			"subject": "漏雨", "text": "房屋漏雨。", "received_on": "2026-11-11", "petitioner": map[string]any{"name": "周八", "phone": "13300003333"}}) // 1 day left, in 乙镇
		g := received("2026-11-10", map[string]any{"about_official_ids": []string{w.district.ID}}) // names the district officer
		done := received("2026-11-05", nil)
		w.step(t, done, "reject", &w.officer, w.bodies()["reject"])

		type row struct {
			p       sent
			town    string
			step    string
			by      string
			days    float64
			overdue bool
		}
		list := func(as domain.User) []map[string]any {
			t.Helper()
			r := env.Get("/api/v1/petitions/supervision", w.tok(as))
			if r.Status != http.StatusOK {
				t.Fatalf("supervision list as %s: %d %s", as.Username, r.Status, r.Body)
			}
			var out []map[string]any
			for _, x := range r.Map(t)["items"].([]any) {
				out = append(out, x.(map[string]any))
			}
			return out
		}
		expect := func(when string, as domain.User, rows []row) {
			t.Helper()
			got := list(as)
			if len(got) != len(rows) {
				t.Errorf("%s: %d petitions to supervise, want %d: %v", when, len(got), len(rows), got)
				return
			}
			for i, r := range rows {
				x := got[i]
				if x["petition_id"] != r.p.ID || x["tracking_code"] != r.p.Code || x["township_id"] != r.town || x["step"] != r.step ||
					x["next_deadline"] != r.by || x["days_left"] != r.days || x["overdue"] != r.overdue {
					t.Errorf("%s, row %d: %v; want %s %s %s %s %v %v", when, i, x, r.p.Code, r.step, r.by, r.town, r.days, r.overdue)
				}
			}
		}
		A, B := w.town.ID, w.other.ID
		rows := []row{
			{c, A, "accept", "2026-11-20", -5, true},
			{late, A, "reply", "2026-11-24", -1, true},
			{b, A, "accept", "2026-11-25", 0, false},
			{f, B, "accept", "2026-11-26", 1, false},
			{a, A, "accept", "2026-11-27", 2, false},
			{d, A, "accept", "2026-11-28", 3, false},
		}
		expect("25 November as a district petition officer", w.district, rows)
		withG := append(append(append([]row{}, rows[:2]...), row{b, A, "accept", "2026-11-25", 0, false}, row{g, A, "accept", "2026-11-25", 0, false}), rows[3:]...)
		if b.ID > g.ID { // two with the same deadline: by id
			withG[2], withG[3] = withG[3], withG[2]
		}
		expect("25 November as an admin", w.admin, withG)
		// At the last second of the day nothing changes; at midnight e enters and b is late.
		env.Clock.Set(at(env, 2026, 11, 25, 23, 59).Add(59e9))
		expect("25 November at 23:59:59", w.district, rows)
		env.Clock.Set(at(env, 2026, 11, 26, 0, 0))
		expect("26 November at 00:00", w.district, []row{
			{c, A, "accept", "2026-11-20", -6, true}, {late, A, "reply", "2026-11-24", -2, true}, {b, A, "accept", "2026-11-25", -1, true},
			{f, B, "accept", "2026-11-26", 0, false}, {a, A, "accept", "2026-11-27", 1, false}, {d, A, "accept", "2026-11-28", 2, false},
			{e, A, "accept", "2026-11-29", 3, false},
		})
		for _, who := range []domain.User{w.officer, w.otherOfficer, w.official, w.lead, w.inspector, w.villager} {
			if r := env.Get("/api/v1/petitions/supervision", w.tok(who)); r.Status != http.StatusForbidden {
				t.Errorf("%s reads the supervision list: %d", who.Username, r.Status)
			}
		}
	})
}

func TestSupervisionInstructionsAndAnswers(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		ctx := context.Background()
		env.Clock.Set(at(env, 2026, 11, 5, 10, 0))
		p := w.reach(t, "assigned")
		q := w.letter(t, nil)
		done := w.reach(t, "not_accepted")
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		supervise := func(s sent, as domain.User, body map[string]any) apitest.Response {
			return env.Post("/api/v1/petitions/"+s.ID+"/supervise", w.tok(as), body)
		}
		answer := func(s sent, as domain.User, text string) apitest.Response {
			return env.Post("/api/v1/petitions/"+s.ID+"/supervision-answer", w.tok(as), map[string]any{"text": text})
		}
		// Refusals change nothing.
		logBefore := logCount(t, env)
		for _, c := range []struct {
			name   string
			s      sent
			as     domain.User
			body   map[string]any
			status int
			code   string
		}{
			{"act_by in the past", p, w.district, map[string]any{"note": "请加快", "act_by": "2026-11-24"}, 422, "invalid_field"},
			{"no note", p, w.district, map[string]any{"act_by": "2026-11-27"}, 422, "invalid_field"},
			{"no date", p, w.district, map[string]any{"note": "请加快"}, 422, "invalid_field"},
			{"a finished petition", done, w.admin, map[string]any{"note": "请加快", "act_by": "2026-11-27"}, 409, "invalid_state"},
			{"the township's officer", p, w.officer, map[string]any{"note": "请加快", "act_by": "2026-11-27"}, 403, "forbidden"},
			{"a petition that names the admin", w.letter(t, map[string]any{"about_official_ids": []string{w.admin.ID}}), w.admin, map[string]any{"note": "x", "act_by": "2026-11-27"}, 404, "not_found"},
			{"no open instruction to answer", p, w.officer, nil, 409, "no_open_instruction"},
		} {
			var r apitest.Response
			if c.body == nil {
				r = answer(c.s, c.as, "已办")
			} else {
				r = supervise(c.s, c.as, c.body)
			}
			if r.Status != c.status || r.Code() != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.Status, r.Body, c.status, c.code)
			}
		}
		if n := logCount(t, env); n != logBefore+1 { // the letter that names the admin
			t.Errorf("refusals wrote %d log entries", n-logBefore-1)
		}

		// Two instructions on p: one answered in time by the township's officer, a later one
		// answered late by the handler; one on q never answered, late now.
		r := supervise(p, w.district, map[string]any{"note": "请于27日前答复信访人", "act_by": "2026-11-27"})
		if r.Status != http.StatusCreated {
			t.Fatalf("supervise: %d %s", r.Status, r.Body)
		}
		first := r.Map(t)
		if first["note"] != "请于27日前答复信访人" || first["act_by"] != "2026-11-27" || first["issued_by"] != w.district.ID || first["answer"] != nil || first["late"] != false {
			t.Errorf("instruction: %v", first)
		}
		if r := supervise(q, w.admin, map[string]any{"note": "尽快决定是否受理", "act_by": "2026-11-25"}); r.Status != http.StatusCreated {
			t.Fatalf("supervise q: %d %s", r.Status, r.Body)
		}
		// Who sees it on the petition: the office, the handler, the district; not the others.
		for _, c := range []struct {
			who  domain.User
			sees bool
		}{{w.officer, true}, {w.handler, true}, {w.district, true}, {w.admin, true}, {w.official, false}, {w.lead, false}} {
			g := env.Get("/api/v1/petitions/"+p.ID, w.tok(c.who)).Map(t)
			if n := len(g["supervisions"].([]any)); (n == 1) != c.sees {
				t.Errorf("%s sees %d instructions", c.who.Username, n)
			}
		}
		if strings.Contains(string(env.Get("/api/v1/petitions/track?code="+p.Code+"&pin="+p.PIN, "").Body), "请于27日前") {
			t.Error("tracking shows the instruction")
		}
		if items := env.Get("/api/v1/petitions/supervision", w.tok(w.district)).Map(t)["items"].([]any); len(items) == 0 {
			t.Error("nothing to supervise")
		} else {
			for _, x := range items {
				if m := x.(map[string]any); m["petition_id"] == q.ID && m["open_instructions"] != float64(1) {
					t.Errorf("open instructions on q: %v", m)
				}
			}
		}
		// Who may answer: the township's officers and the handler.
		for _, c := range []struct {
			who    domain.User
			status int
			code   string
		}{
			{w.official, 409, "not_allowed"}, {w.lead, 409, "not_allowed"}, {w.district, 409, "not_allowed"},
			{w.otherOfficer, 404, "not_found"}, {w.otherOfficial, 404, "not_found"}, {w.villager, 403, "forbidden"}, {w.admin, 403, "forbidden"},
		} {
			if r := answer(p, c.who, "已督办"); r.Status != c.status || r.Code() != c.code {
				t.Errorf("%s answers: %d %s", c.who.Username, r.Status, r.Body)
			}
		}
		if r := answer(p, w.officer, "  "); r.Status != 422 {
			t.Errorf("an empty answer: %d", r.Status)
		}
		env.Clock.Set(at(env, 2026, 11, 27, 23, 59))
		r = answer(p, w.officer, "已督促承办人，明日答复")
		if r.Status != http.StatusOK {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
		if x := r.Map(t)["items"].([]any)[0].(map[string]any); x["answer"] != "已督促承办人，明日答复" || x["answered_by"] != w.officer.ID || x["answered_on_time"] != true {
			t.Errorf("answered: %v", x)
		}
		env.Clock.Set(at(env, 2026, 11, 28, 9, 0))
		if r := supervise(p, w.district, map[string]any{"note": "今日必须答复", "act_by": "2026-11-28"}); r.Status != http.StatusCreated {
			t.Fatal(r.Status)
		}
		env.Clock.Set(at(env, 2026, 11, 29, 0, 0))
		if g := env.Get("/api/v1/petitions/"+p.ID, w.tok(w.handler)).Map(t)["supervisions"].([]any); g[1].(map[string]any)["late"] != true {
			t.Errorf("an unanswered instruction past its date is not late: %v", g[1])
		}
		r = answer(p, w.handler, "已答复")
		items := r.Map(t)["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["answer"] != "已督促承办人，明日答复" || items[1].(map[string]any)["answered_on_time"] != false {
			t.Errorf("after the handler's answer: %v", items)
		}
		// The figures count them: 3 instructions, 2 answered, 1 on time.
		fig := env.Get("/api/v1/petitions/figures?from=2026-11-01&to=2026-11-30&township_id="+w.town.ID, w.tok(w.admin)).Map(t)["total"].(map[string]any)
		if fig["supervision_instructions"] != float64(3) || fig["supervision_answered"] != float64(2) || fig["supervision_answered_on_time"] != float64(1) {
			t.Errorf("supervision figures: %v", fig)
		}
		csv := string(env.Get("/api/v1/petitions/figures?format=csv&from=2026-11-01&to=2026-11-30", w.tok(w.admin)).Body)
		if !strings.Contains(strings.SplitN(csv, "\n", 2)[0], "督办件次,督办已回复,督办按期回复") || !strings.Contains(csv, ",3,2,1") {
			t.Errorf("figures CSV: %s", csv)
		}
		log, err := env.Store.ActivityFor(ctx, "supervision", first["id"].(string))
		if err != nil || len(log) != 2 || log[0].Action != "supervise" || log[1].Action != "answer" {
			t.Errorf("log of the instruction: %+v %v", log, err)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("activity log broken: %+v %v", broken, err)
		}
	})
}
