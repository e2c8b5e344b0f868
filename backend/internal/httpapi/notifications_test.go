package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// inbox is the kinds of a user's notifications, in order, newest first.
func inbox(t *testing.T, env *apitest.Env, u domain.User) []string {
	t.Helper()
	r := env.Get("/api/v1/notifications?limit=200", env.Token(u))
	if r.Status != http.StatusOK {
		t.Fatalf("inbox: %d %s", r.Status, r.Body)
	}
	var kinds []string
	for _, n := range r.Map(t)["items"].([]any) {
		kinds = append(kinds, n.(map[string]any)["kind"].(string))
	}
	return kinds
}

func count(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if k == kind {
			n++
		}
	}
	return n
}

// run runs every reminder job as of at.
func run(t *testing.T, env *apitest.Env, at time.Time) {
	t.Helper()
	if _, err := env.App.Reminders.Run(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

// Must-visits: told within 3 days of the deadline (not 4), again once overdue, each once.
func TestRemindersMustVisits(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		h := env.Household(env.Village(town, "甲村", 30.01, 120), "王五")
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		due := time.Date(2026, 12, 20, 16, 0, 0, 0, time.UTC)
		if err := env.Store.RawExec(context.Background(), `INSERT INTO visit_triggers (id, township_id, household_id, category, occurred_on, due_at, note,
			responsible_id, source, recorded_by, content_hash, created_at) VALUES (?, ?, ?, 'illness', '2026-12-10', ?, '', ?, 'manual', ?, 'h', ?)`,
			domain.NewID(), town.ID, h.ID, due, official.ID, official.ID, due.Add(-10*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		run(t, env, due.Add(-4*24*time.Hour))
		if got := inbox(t, env, official); count(got, "visit_due") != 0 {
			t.Fatalf("due in 4 days: %v", got)
		}
		run(t, env, due.Add(-3*24*time.Hour))
		run(t, env, due.Add(-2*24*time.Hour))
		if got := inbox(t, env, official); count(got, "visit_due") != 1 {
			t.Fatalf("due in 3 days, run twice: %v", got)
		}
		run(t, env, due)
		run(t, env, due.Add(time.Hour))
		if got := inbox(t, env, official); count(got, "visit_due") != 2 {
			t.Fatalf("overdue: %v", got)
		}
	})
}

// Nights: from Friday noon (not 11:59) each team member short of the week's nights is told
// once; a week on leave is exempt.
func TestRemindersNightsShort(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		short := env.User(domain.RoleOfficial, town.ID, "team_member")
		away := env.User(domain.RoleOfficial, town.ID, "team_member")
		notTeam := env.User(domain.RoleOfficial, town.ID)
		monday := civil.New(2026, time.November, 30)
		if err := env.Store.RawExec(context.Background(), `INSERT INTO leaves (id, township_id, user_id, start_date, end_date, reason, created_by, created_at)
			VALUES (?, ?, ?, '2026-11-30', '2026-12-06', '年假', ?, ?)`, domain.NewID(), town.ID, away.ID, away.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		friday := monday.AddDays(4).Start(env.Loc)
		run(t, env, friday.Add(12*time.Hour-time.Second))
		if got := inbox(t, env, short); count(got, "nights_short") != 0 {
			t.Fatalf("Friday 11:59:59: %v", got)
		}
		var wg sync.WaitGroup
		for range 4 { // four instances at the same moment
			wg.Add(1)
			go func() { defer wg.Done(); run(t, env, friday.Add(12*time.Hour)) }()
		}
		wg.Wait()
		run(t, env, friday.Add(30*time.Hour))
		if got := inbox(t, env, short); count(got, "nights_short") != 1 {
			t.Errorf("short of nights: %v", got)
		}
		if got := inbox(t, env, away); count(got, "nights_short") != 0 {
			t.Errorf("a week on leave: %v", got)
		}
		if got := inbox(t, env, notTeam); len(got) != 0 {
			t.Errorf("not on the team: %v", got)
		}
	})
}

// Petition deadlines: the township's petition officers and the handler within 3 days, the
// lead too once overdue; never the official the petition is about, in Chinese by default
// and in English when asked; marking read.
func TestRemindersPetitionDeadlines(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.letter(t, map[string]any{"about_official_ids": []string{w.about.ID}})
		b := w.bodies()
		for _, action := range []string{"accept", "assign"} {
			w.step(t, p, action, w.actorOf(action, ""), b[action])
		}
		var due struct{ DueAt time.Time }
		if err := env.Store.Reader(context.Background()).Table("petitions").Select("due_at").Where("id = ?", p.ID).Scan(&due).Error; err != nil {
			t.Fatal(err)
		}
		run(t, env, due.DueAt.Add(-3*24*time.Hour-time.Minute))
		if got := inbox(t, env, w.officer); count(got, "petition_deadline") != 0 {
			t.Fatalf("3 days and a minute ahead: %v", got)
		}
		run(t, env, due.DueAt.Add(-3*24*time.Hour))
		for name, c := range map[string]struct {
			u    domain.User
			want int
		}{"the officer": {w.officer, 1}, "the handler": {w.handler, 1}, "the lead": {w.lead, 0}, "the accused": {w.about, 0},
			"another township's officer": {w.otherOfficer, 0}} {
			if got := count(inbox(t, env, c.u), "petition_deadline"); got != c.want {
				t.Errorf("due soon, %s: %d, want %d", name, got, c.want)
			}
		}
		run(t, env, due.DueAt)
		for name, c := range map[string]struct {
			u    domain.User
			want int
		}{"the officer": {w.officer, 2}, "the handler": {w.handler, 2}, "the lead": {w.lead, 1}, "the accused lead": {w.about, 0}} {
			if got := count(inbox(t, env, c.u), "petition_deadline"); got != c.want {
				t.Errorf("overdue, %s: %d, want %d", name, got, c.want)
			}
		}
		r := env.Get("/api/v1/notifications", w.tok(w.lead))
		item := r.Map(t)["items"].([]any)[0].(map[string]any)
		if item["title"] != "信访件已超期" || item["read_at"] != nil {
			t.Errorf("the lead's notification: %v", item)
		}
		en := env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/notifications", Token: w.tok(w.lead),
			Header: map[string]string{"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}})
		if got := en.Map(t)["items"].([]any)[0].(map[string]any)["title"]; got != "Petition overdue" {
			t.Errorf("in English: %v", got)
		}
		id := item["id"].(string)
		if r := env.Post("/api/v1/notifications/"+id+"/read", w.tok(w.officer), nil); r.Status != http.StatusNotFound {
			t.Errorf("another user's notification: %d", r.Status)
		}
		if r := env.Post("/api/v1/notifications/"+id+"/read", w.tok(w.lead), nil); r.Status != http.StatusNoContent {
			t.Fatalf("read: %d %s", r.Status, r.Body)
		}
		if got := env.Get("/api/v1/notifications", w.tok(w.lead)).Map(t)["items"].([]any)[0].(map[string]any)["read_at"]; got == nil {
			t.Error("not marked read")
		}
	})
}

// A supervision instruction (督办) tells the township's petition officers and the handler
// once, never the official the petition is about, nor another township.
func TestRemindersSupervised(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.letter(t, map[string]any{"about_official_ids": []string{w.about.ID}})
		b := w.bodies()
		for _, action := range []string{"accept", "assign"} {
			w.step(t, p, action, w.actorOf(action, ""), b[action])
		}
		actBy := env.Store.Today().AddDays(2).String()
		if r := env.Post("/api/v1/petitions/"+p.ID+"/supervise", w.tok(w.district), map[string]any{"note": "请加快办理", "act_by": actBy}); r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("supervise: %d %s", r.Status, r.Body)
		}
		run(t, env, env.Clock.Now())
		run(t, env, env.Clock.Now())
		for name, c := range map[string]struct {
			u    domain.User
			want int
		}{"the officer": {w.officer, 1}, "the handler": {w.handler, 1}, "the accused": {w.about, 0}, "the lead": {w.lead, 0},
			"another township's officer": {w.otherOfficer, 0}} {
			if got := count(inbox(t, env, c.u), "supervised"); got != c.want {
				t.Errorf("%s: %d supervised, want %d", name, got, c.want)
			}
		}
	})
}
