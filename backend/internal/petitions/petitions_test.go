package petitions_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/store"
)

func letterBody(township string, i int) map[string]any {
	return map[string]any{"channel": "letter", "township_id": township, "category": "land",
		"subject": fmt.Sprintf("第%d号来信", i), "text": fmt.Sprintf("关于第%d块承包地的问题。", i),
		"petitioner": map[string]any{"name": "张三", "phone": fmt.Sprintf("1380000%04d", i)}}
}

func created(t *testing.T, r apitest.Response) string {
	t.Helper()
	if r.Status != 201 {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["id"].(string)
}

// An anonymous report keeps no petitioner data at all: not in its row, its events or the
// activity log, not even the account of the villager who sent it.
func TestAnonymousReportRowKeepsNoPetitioner(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		villager := env.User(domain.RoleVillager, "")
		about := env.User(domain.RoleOfficial, town.ID)
		id := created(t, env.Post("/api/v1/petitions", env.Token(villager), map[string]any{"channel": "online", "township_id": town.ID,
			"category": "conduct", "subject": "干部吃拿卡要", "text": "办事要收好处费。", "anonymous": true, "about_official_ids": []string{about.ID}}))
		db := env.Store.Reader(context.Background()).DB
		var row map[string]any
		if err := db.Table("petitions").Where("id = ?", id).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"petitioner_name", "petitioner_phone", "petitioner_user_id", "household_id", "created_by"} {
			if row[col] != nil {
				t.Errorf("%s = %v, want NULL", col, row[col])
			}
		}
		var actors []string
		db.Table("petition_events").Where("petition_id = ?", id).Pluck("actor_id", &actors)
		if !slices.Equal(actors, []string{"anonymous"}) {
			t.Errorf("event actors %v", actors)
		}
		if _, err := env.Store.SealLog(t.Context()); err != nil {
			t.Fatal(err)
		}
		var inLog, inEvents int64
		// (The entry that created the villager's account names it, of course.)
		db.Table("activity_log").Where("entity <> 'user' AND (actor_id = ? OR after LIKE ?)", villager.ID, "%"+villager.ID+"%").Count(&inLog)
		db.Table("petition_events").Where("actor_id = ?", villager.ID).Count(&inEvents)
		if inLog+inEvents != 0 {
			t.Errorf("the villager's account is recorded %d times in the log, %d in the events", inLog, inEvents)
		}
	})
}

// The auto-close job run twice, and by several callers at once, closes each due petition
// once with one event and one log entry each.
func TestClosePetitionsDueClosesOnce(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		tok := env.Token(officer)
		const n = 12
		var ids []string
		for i := range n {
			id := created(t, env.Post("/api/v1/petitions", tok, letterBody(town.ID, i)))
			for action, body := range map[string]any{"accept": map[string]any{}} {
				env.Post("/api/v1/petitions/"+id+"/"+action, tok, body)
			}
			if r := env.Post("/api/v1/petitions/"+id+"/reply", tok, map[string]any{"text": "已处理。"}); r.Status != 200 {
				t.Fatalf("reply: %d %s", r.Status, r.Body)
			}
			ids = append(ids, id)
		}
		// One is still replied but asks for review, so it never closes by itself.
		created(t, env.Post("/api/v1/petitions", tok, letterBody(town.ID, 99)))
		if got, err := env.App.Petitions.CloseDue(ctx); err != nil || got != 0 {
			t.Fatalf("closed %d before the time, %v", got, err)
		}
		env.Clock.Advance(32 * 24 * time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 4)
		errs := make([]error, 4)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = env.App.Petitions.CloseDue(ctx)
			}()
		}
		wg.Wait()
		total := 0
		for i, c := range counts {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			total += c
		}
		if total != n {
			t.Errorf("concurrent runs closed %d in all (%v), want %d", total, counts, n)
		}
		if again, err := env.App.Petitions.CloseDue(ctx); err != nil || again != 0 {
			t.Errorf("a second run closed %d, %v", again, err)
		}
		db := env.Store.Reader(context.Background()).DB
		for _, id := range ids {
			var events int64
			db.Table("petition_events").Where("petition_id = ? AND action = ?", id, "close").Count(&events)
			var state string
			db.Table("petitions").Where("id = ?", id).Pluck("state", &state)
			log, _ := env.Store.ActivityFor(ctx, "petition", id)
			closes := 0
			for _, e := range log {
				if e.Action == "close" {
					closes++
				}
			}
			if events != 1 || closes != 1 || state != "closed" {
				t.Errorf("%s: %d close events, %d log entries, state %s", id, events, closes, state)
			}
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("log: %+v %v", broken, err)
		}
	})
}

// Listing 100,000 petitions filtered by township, state and overdue answers from an index:
// the first page takes about as long as with 1,000 petitions. PostgreSQL only.
func TestPetitionListAt100000(t *testing.T) {
	if testing.Short() || !slices.Contains(apitest.Engines(), "postgres") {
		t.Skip("loads 100,000 petitions into PostgreSQL")
	}
	env := apitest.New(t, "postgres")
	ctx := context.Background()
	var towns []domain.Township
	for i := range 5 {
		towns = append(towns, env.Township(fmt.Sprintf("第%d镇", i+1), 30, 120))
	}
	officer := env.User(domain.RolePetitionOfficer, towns[0].ID)
	about := env.User(domain.RoleOfficial, towns[0].ID)
	db := env.Store.Reader(context.Background()).DB
	now := env.Store.Now()
	load := func(from, to int) {
		t.Helper()
		townIDs := make([]string, len(towns))
		for i, x := range towns {
			townIDs[i] = "'" + x.ID + "'"
		}
		err := db.Exec(`INSERT INTO petitions (id, township_id, channel, category, subject, text, anonymous,
				petitioner_name, petitioner_phone, tracking_code, pin_hash, state, received_on, submitted_at,
				due_at, extension_days, possible_duplicate, created_at, updated_at)
			SELECT gen_random_uuid(), (ARRAY[`+strings.Join(townIDs, ",")+`]::uuid[])[1 + i % 5], 'letter', 'land',
				'来信 ' || i, '关于承包地的问题 ' || i, FALSE, '张三', '138' || lpad(i::text, 8, '0'),
				'XF20260101-' || lpad(i::text, 6, '0'), 'x',
				(ARRAY['submitted','accepted','assigned','replied','closed','review_requested','reviewed','rereviewed','withdrawn','not_accepted','rereview_requested'])[1 + (i / 5) % 11],
				DATE '2026-01-01' + (i % 300), ?::timestamptz - (i % 300) * INTERVAL '1 day',
				CASE WHEN (i / 5) % 11 IN (0, 1, 2, 5, 10) THEN ?::timestamptz + ((i % 40) - 20) * INTERVAL '1 day' END,
				0, FALSE, ?::timestamptz, ?::timestamptz
			FROM generate_series(?::int, ?::int) AS i`, now, now, now, now, from, to-1).Error
		if err != nil {
			t.Fatal(err)
		}
		err = db.Exec(`INSERT INTO petition_about (petition_id, official_id, township_id)
			SELECT id, ?, township_id FROM petitions WHERE township_id = ? AND tracking_code LIKE '%00' AND NOT EXISTS
				(SELECT 1 FROM petition_about pa WHERE pa.petition_id = petitions.id)`, about.ID, towns[0].ID).Error
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("ANALYZE petitions; ANALYZE petition_about").Error; err != nil {
			t.Fatal(err)
		}
	}
	a := officer.Actor()
	yes := true
	filter := petitions.Filter{TownshipID: towns[0].ID, State: "submitted", Overdue: &yes}
	// The ratio compares full pages of 5, which both sizes fill; the default page of 50 is
	// timed at 100,000.
	firstPage := func(limit int) time.Duration {
		t.Helper()
		var runs []time.Duration
		for range 7 {
			start := time.Now()
			page, err := env.App.Petitions.Petitions(ctx, a, filter, store.PageRequest{Limit: limit})
			runs = append(runs, time.Since(start))
			if err != nil || len(page.Items) != limit {
				t.Fatalf("list: %d items, %v", len(page.Items), err)
			}
		}
		slices.Sort(runs)
		return runs[len(runs)/2]
	}
	load(0, 1_000)
	baseline := firstPage(5)
	load(1_000, 100_000)
	var n int64
	db.Table("petitions").Count(&n)
	small := firstPage(5)
	at100k := firstPage(store.DefaultPageSize)
	plan, err := env.App.Petitions.ExplainPetitions(ctx, a, filter)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first page (50) of %d petitions filtered by township, state and overdue: %v (median of 7); pages of 5: %v at 100,000, %v at 1,000, ratio %.2f\n%s",
		n, at100k, small, baseline, float64(small)/float64(baseline), plan)
	overdueOnly, err := env.App.Petitions.ExplainPetitions(ctx, a, petitions.Filter{TownshipID: towns[0].ID, Overdue: &yes})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("overdue in a township, any state:\n%s", overdueOnly)
	if n != 100_000 {
		t.Errorf("loaded %d petitions", n)
	}
	if at100k > 100*time.Millisecond {
		t.Errorf("first page at 100,000 petitions took %v", at100k)
	}
	for _, p := range []string{plan, overdueOnly} {
		if strings.Contains(p, "Seq Scan on petitions") {
			t.Errorf("the list scans the whole table:\n%s", p)
		}
	}
}
