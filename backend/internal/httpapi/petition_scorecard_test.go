package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
)

// The scorecard counts the petitions each official handles and replies on time, and leaves
// out of the viewer's counts every petition that names the viewer.
func TestScorecardPetitionFigures(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		w.reach(t, "replied")
		p := w.letter(t, map[string]any{"about_official_ids": []string{w.about.ID}})
		b := w.bodies()
		for _, action := range []string{"accept", "assign", "reply"} {
			w.step(t, p, action, w.actorOf(action, ""), b[action])
		}
		w.reach(t, "assigned")
		w.letter(t, nil) // not assigned to anyone
		mine := env.Get("/api/v1/petitions?handler_id="+w.handler.ID, w.tok(w.handler)).Map(t)["items"].([]any)
		if len(mine) != 3 {
			t.Errorf("petitions assigned to the handler: %d, want 3", len(mine))
		}
		today := env.Store.Today().String()
		path := "/api/v1/scorecards?township_id=" + w.town.ID + "&from=" + today + "&to=" + today
		for name, c := range map[string]struct {
			token            string
			assigned, onTime float64
		}{
			"inspector": {w.tok(w.inspector), 3, 2}, "the lead": {w.tok(w.lead), 3, 2}, "the lead the petition is about": {w.tok(w.about), 2, 1},
		} {
			r := env.Get(path, c.token)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
			for _, x := range r.Map(t)["rows"].([]any) {
				row := x.(map[string]any)
				if row["official_id"] == w.handler.ID && (row["petitions_assigned"] != c.assigned || row["petitions_replied_on_time"] != c.onTime) {
					t.Errorf("%s sees the handler's petitions as %v assigned, %v on time; want %v, %v", name, row["petitions_assigned"], row["petitions_replied_on_time"], c.assigned, c.onTime)
				}
			}
		}
	})
}

// A petitioner acting with code and PIN reads the tracked view, never the office's.
func TestPetitionerActionAnswersTheTrackedView(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		p := w.reach(t, "replied")
		r := w.act(p, "feedback", nil, map[string]any{"rating": "satisfied"})
		if r.Status != http.StatusOK {
			t.Fatalf("feedback: %d %s", r.Status, r.Body)
		}
		for _, hidden := range []string{"handler_id", w.handler.ID, "possible_duplicate", "petitioner_masked"} {
			if strings.Contains(string(r.Body), hidden) {
				t.Errorf("the petitioner's answer shows %s: %s", hidden, r.Body)
			}
		}
	})
}
