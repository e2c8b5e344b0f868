package store_test

import (
	"context"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/store"
)

// exec runs raw SQL against the store's database, as an attacker with database access would.
func exec(t *testing.T, env *apitest.Env, sql string, args ...any) {
	t.Helper()
	if err := env.Store.RawExec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func TestActivityLogDetectsEditsAndDeletions(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		v := env.Village(town, "甲村", 30.01, 120.01)
		env.Household(v, "张三")
		admin := domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin}
		name := "甲镇新名"
		if _, err := env.App.Organisation.UpdateTownship(ctx, admin, town.ID, organisation.TownshipInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		broken, n, err := env.Store.VerifyLog(ctx)
		if err != nil || broken != nil || n != 4 {
			t.Fatalf("intact log: broken=%v n=%d err=%v", broken, n, err)
		}
		entries, err := env.Store.ActivityFor(ctx, "township", town.ID)
		if err != nil || len(entries) != 2 || !strings.Contains(entries[1].Before, "甲镇") || !strings.Contains(entries[1].After, name) {
			t.Fatalf("township history: %+v %v", entries, err)
		}

		// Editing an entry's content is caught at that entry.
		exec(t, env, `UPDATE activity_log SET after = REPLACE(after, '张三', '李四') WHERE seq = 3`)
		broken, _, _ = env.Store.VerifyLog(ctx)
		if broken == nil || broken.Seq != 3 {
			t.Fatalf("edit not detected: %+v", broken)
		}
		exec(t, env, `UPDATE activity_log SET after = REPLACE(after, '李四', '张三') WHERE seq = 3`)
		if broken, _, _ = env.Store.VerifyLog(ctx); broken != nil {
			t.Fatalf("restored log still broken: %+v", broken)
		}

		// Deleting an entry in the middle is caught where it was.
		exec(t, env, `DELETE FROM activity_log WHERE seq = 2`)
		broken, _, _ = env.Store.VerifyLog(ctx)
		if broken == nil || broken.Seq != 2 {
			t.Fatalf("deletion not detected: %+v", broken)
		}
	})
}

func TestActivityLogDetectsTruncation(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Township("甲镇", 30, 120)
		env.Township("乙镇", 31, 121)
		if n, err := env.Store.SealLog(context.Background()); err != nil || n != 2 {
			t.Fatalf("sealed %d entries: %v", n, err)
		}
		exec(t, env, `DELETE FROM activity_log WHERE seq = 2`)
		broken, _, _ := env.Store.VerifyLog(context.Background())
		if broken == nil || broken.Seq != 2 {
			t.Fatalf("deleting the newest entry not detected: %+v", broken)
		}
	})
}

// Writers and sealers (one per instance) running at once chain every change exactly once.
func TestConcurrentChangesChainInOrder(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		errs := make(chan error, 20)
		sealed := make(chan int, 3)
		for range cap(sealed) {
			go func() {
				total := 0
				for range 10 {
					n, err := env.Store.SealLog(context.Background())
					if err != nil {
						t.Error(err)
					}
					total += n
				}
				sealed <- total
			}()
		}
		for i := 0; i < 20; i++ {
			go func(i int) {
				name, lat, lng := "镇", 30.0+float64(i)/100, 120.0
				_, err := env.App.Organisation.CreateTownship(context.Background(), domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin},
					organisation.TownshipInput{Name: &name, Lat: &lat, Lng: &lng})
				errs <- err
			}(i)
		}
		for i := 0; i < 20; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		bySealers := 0
		for range cap(sealed) {
			bySealers += <-sealed
		}
		broken, n, err := env.Store.VerifyLog(context.Background())
		if err != nil || broken != nil || n != 20 {
			t.Fatalf("after 20 concurrent changes: broken=%+v n=%d err=%v", broken, n, err)
		}
		var pending int64
		if err := env.Store.RawCount(context.Background(), "activity_pending", &pending); err != nil || pending != 0 || bySealers > 20 {
			t.Fatalf("pending after verify: %d %v; the sealers chained %d", pending, err, bySealers)
		}
	})
}
