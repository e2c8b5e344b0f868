package demo_test

import (
	"context"
	"slices"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/demo"
	"minxin/backend/internal/domain"
)

// The demo creates petitions in every state, some overdue, through the services' own steps.
func TestDemoPetitionsCoverEveryState(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		v := env.Village(town, "甲村", 30.01, 120.01)
		env.Household(v, "张三")
		env.User(domain.RoleOfficial, town.ID, "team_member", "lead")
		env.User(domain.RoleOfficial, town.ID, "team_member")
		env.User(domain.RolePetitionOfficer, town.ID)
		if err := demo.LoadPetitions(ctx, env.App, env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		env.Store.SetClock(env.Clock.Now) // the demo moved the store's clock step by step
		var states []string
		env.Store.Reader(ctx).DB.Table("petitions").Distinct("state").Order("state").Pluck("state", &states)
		want := []string{"accepted", "assigned", "closed", "not_accepted", "replied", "review_requested", "reviewed",
			"rereview_requested", "rereviewed", "submitted", "withdrawn"}
		slices.Sort(want)
		if !slices.Equal(states, want) {
			t.Errorf("demo states %v, want %v", states, want)
		}
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		overdue := env.Get("/api/v1/petitions?overdue=true", admin).Map(t)["items"].([]any)
		dups := 0
		for _, p := range env.Get("/api/v1/petitions?limit=200", admin).Map(t)["items"].([]any) {
			if p.(map[string]any)["possible_duplicate"] == true {
				dups++
			}
		}
		if len(overdue) < 3 || dups != 1 {
			t.Errorf("demo: %d overdue, %d possible duplicates", len(overdue), dups)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("log: %+v %v", broken, err)
		}
	})
}
