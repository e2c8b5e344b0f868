package petitions_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/demo"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

func ptrTo[T any](v T) *T { return &v }

// The figures counted in SQL over sets agree with the rules' judgement of each petition, at
// several instants (so that petitions become overdue and close), for every township and the
// total, and after the derived columns are derived again at start (migration 00010).
func TestFiguresInSQLMatchTheRules(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		var towns []string
		var office, handler []domain.User
		for _, name := range []string{"甲镇", "乙镇"} {
			town := env.Township(name, 30, 120)
			v := env.Village(town, name+"村", 30.01, 120.01)
			env.Household(v, "张三")
			env.User(domain.RoleOfficial, town.ID, "team_member", "lead")
			handler = append(handler, env.User(domain.RoleOfficial, town.ID, "team_member"))
			office = append(office, env.User(domain.RolePetitionOfficer, town.ID))
			towns = append(towns, town.ID)
		}
		start := env.Clock.Now()
		if err := demo.LoadPetitions(ctx, env.App, start); err != nil {
			t.Fatal(err)
		}
		// The demo's office is prompt; these petitions are accepted or replied to late, or
		// both, by the days given (received, accepted, replied; 0: not taken).
		for i, days := range [][3]int{{60, 40, 0}, {110, 100, 10}, {100, 95, 60}, {50, 20, 5}} {
			at := func(daysAgo int) { env.Store.SetClock(func() time.Time { return start.AddDate(0, 0, -daysAgo) }) }
			at(days[0])
			sub, err := env.App.Petitions.Submit(ctx, ptrTo(office[i%2].Actor()), petitions.Input{Channel: "letter", TownshipID: towns[i%2],
				Category: "land", Subject: "迟办件", Text: "迟办的信访件", Petitioner: &petitions.PetitionerInput{Name: "钱一", Phone: "1390571009" + string(rune('0'+i))}}, "late")
			if err != nil {
				t.Fatal(err)
			}
			at(days[1])
			if _, err := env.App.Petitions.Act(ctx, office[i%2].Actor(), sub.ID, petition.Accept, petitions.ActionInput{Note: "受理"}); err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Petitions.Act(ctx, office[i%2].Actor(), sub.ID, petition.Assign, petitions.ActionInput{HandlerID: handler[i%2].ID}); err != nil {
				t.Fatal(err)
			}
			if days[2] > 0 {
				at(days[2])
				if _, err := env.App.Petitions.Act(ctx, handler[i%2].Actor(), sub.ID, petition.Reply, petitions.ActionInput{Text: "答复"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Supervision (督办): three instructions on the late ones, answered in time, late, and not.
		env.Store.SetClock(func() time.Time { return start })
		district := env.User(domain.RolePetitionOfficer, "").Actor()
		page, err := env.App.Petitions.Petitions(ctx, district, petitions.Filter{State: "assigned"}, store.PageRequest{Limit: 3})
		if err != nil || len(page.Items) != 3 {
			t.Fatalf("assigned petitions to supervise: %d, %v", len(page.Items), err)
		}
		actBy := civil.Of(start, env.Loc).AddDays(2)
		for i, p := range page.Items {
			if _, err := env.App.Petitions.Supervise(ctx, district, p.ID, petitions.SuperviseInput{Note: "请加快办理", ActBy: &actBy}); err != nil {
				t.Fatal(err)
			}
			officer := office[slices.Index(towns, p.TownshipID)].Actor()
			switch i {
			case 0:
				env.Store.SetClock(func() time.Time { return start.Add(time.Hour) })
			case 1:
				env.Store.SetClock(func() time.Time { return start.AddDate(0, 0, 5) })
			default:
				continue
			}
			if _, err := env.App.Petitions.AnswerSupervision(ctx, officer, p.ID, petitions.AnswerInput{Text: "已督促承办人"}); err != nil {
				t.Fatal(err)
			}
			env.Store.SetClock(func() time.Time { return start })
		}
		inspector := env.User(domain.RoleInspector, "").Actor()
		today := civil.Of(start, env.Loc)
		f := petitions.FigureFilter{From: today.AddDays(-120), To: today}
		compare := func(when string) {
			t.Helper()
			got, err := env.App.Petitions.Figures(ctx, inspector, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := env.App.Petitions.ReferenceFigures(ctx, inspector, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n got %+v\nwant %+v", when, got, want)
			}
			if tot := got.Total; tot.SupervisionInstructions != 3 || tot.SupervisionAnswered != 2 || tot.SupervisionAnsweredOnTime != 1 {
				t.Errorf("%s: supervision figures %d, %d, %d; want 3, 2, 1", when, tot.SupervisionInstructions, tot.SupervisionAnswered, tot.SupervisionAnsweredOnTime)
			}
			if tot := got.Total; tot.Received < 20 || tot.Overdue == 0 || tot.RepliedOnTime == 0 || tot.AcceptedOnTime == tot.Accepted || tot.RepliedOnTime == tot.Replied {
				t.Errorf("%s: too little to compare: %+v", when, got.Total)
			}
			gotH, err := env.App.Petitions.HandledByNow(ctx, inspector, towns, f.From, f.To)
			if err != nil {
				t.Fatal(err)
			}
			wantH, err := env.App.Petitions.ReferenceHandledBy(ctx, inspector, towns, f.From, f.To)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotH, wantH) || len(gotH) == 0 {
				t.Errorf("%s: handled %v, want %v", when, gotH, wantH)
			}
		}
		for _, later := range []time.Duration{0, 3 * 24 * time.Hour, 20 * 24 * time.Hour} {
			at := start.Add(later)
			env.Store.SetClock(func() time.Time { return at })
			compare("at +" + later.String())
		}
		// At the very instant a deadline passes, the petition is overdue.
		var due struct{ At time.Time }
		env.Store.SetClock(func() time.Time { return start })
		if err := env.Store.Reader(ctx).Table("petitions").Select("due_at AS at").Where("due_at > ?", start).Order("due_at").Limit(1).Scan(&due).Error; err != nil || due.At.IsZero() {
			t.Fatalf("no deadline ahead: %v", err)
		}
		env.Store.SetClock(func() time.Time { return due.At })
		compare("on a deadline")
		if err := env.Store.RawExec(ctx, "UPDATE petitions SET accepted_on_time = NULL, replied_on_time = NULL"); err != nil {
			t.Fatal(err)
		}
		if n, err := env.App.Petitions.Rederive(ctx); err != nil || n < 20 {
			t.Fatalf("rederived %d: %v", n, err)
		}
		compare("after deriving again")
	})
}
