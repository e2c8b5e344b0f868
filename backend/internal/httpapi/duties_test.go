package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// The township seat of the duty tests is at (30, 120); its village 甲村 at (30.05, 120).
const (
	seatLat, seatLng       = 30.0, 120.0
	villageLat, villageLng = 30.05, 120.0
)

type dutyEnv struct {
	*apitest.Env
	town     domain.Township
	village  domain.Village
	official domain.User
	token    string
}

func newDutyEnv(t *testing.T, env *apitest.Env) dutyEnv {
	town := env.Township("甲镇", seatLat, seatLng)
	village := env.Village(town, "甲村", villageLat, villageLng)
	official := env.User(domain.RoleOfficial, town.ID, "team_member")
	// The clock stands well after every record of these tests, as a phone syncing later.
	env.Clock.Set(time.Date(2029, 1, 10, 12, 0, 0, 0, time.UTC))
	return dutyEnv{Env: env, town: town, village: village, official: official, token: env.Token(official)}
}

// local is a wall-clock time in Asia/Shanghai, written with its offset.
func local(s string) string {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t.Format(time.RFC3339)
}

func evidence(occurredAt string, lat, lng float64) map[string]any {
	return map[string]any{"occurred_at": occurredAt, "lat": lat, "lng": lng, "accuracy_m": 20}
}

// stay records a full overnight stay and answers the checked-out stay.
func (d dutyEnv) stay(t *testing.T, checkin, checkout string) map[string]any {
	t.Helper()
	id := domain.NewID()
	r := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": id, "checkin": evidence(checkin, seatLat, seatLng)})
	if r.Status != http.StatusCreated {
		t.Fatalf("stay check-in: %d %s", r.Status, r.Body)
	}
	r = d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, map[string]any{"evidence": evidence(checkout, seatLat, seatLng)})
	if r.Status != http.StatusOK {
		t.Fatalf("stay check-out: %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func (d dutyEnv) progress(t *testing.T, date string) map[string]any {
	t.Helper()
	r := d.Get("/api/v1/progress/officials/"+d.official.ID+"?date="+date, d.token)
	if r.Status != http.StatusOK {
		t.Fatalf("progress: %d %s", r.Status, r.Body)
	}
	return r.Map(t)
}

func TestOvernightStayBoundaries(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		cases := []struct {
			name              string
			checkin, checkout string
			counts            bool
			night, week       string
		}{
			{"Sunday 23:59 to Monday 05:00 belongs to Sunday's week", local("2026-11-22 23:59"), local("2026-11-23 05:00"), true, "2026-11-22", "2026-W47"},
			{"check-in at 17:59 does not count", local("2026-11-17 17:59"), local("2026-11-18 07:00"), false, "2026-11-17", "2026-W47"},
			{"check-in at 18:00 counts", local("2026-11-18 18:00"), local("2026-11-19 07:00"), true, "2026-11-18", "2026-W47"},
			{"check-out at 10:00 counts", local("2026-11-24 20:00"), local("2026-11-25 10:00"), true, "2026-11-24", "2026-W48"},
			{"check-out at 10:01 does not count", local("2026-11-25 20:00"), local("2026-11-26 10:01"), false, "2026-11-25", "2026-W48"},
			{"check-out two days later does not count", local("2026-11-26 20:00"), local("2026-11-28 07:00"), false, "2026-11-26", "2026-W48"},
			// 10:30Z is 18:30 in Shanghai; 16:30Z is 00:30 the next day there.
			{"UTC evening is a Shanghai evening", "2026-12-01T10:30:00Z", "2026-12-01T23:30:00Z", true, "2026-12-01", "2026-W49"},
			{"UTC afternoon is past midnight in Shanghai", "2026-12-02T16:30:00Z", "2026-12-02T23:30:00Z", false, "2026-12-03", "2026-W49"},
		}
		for _, c := range cases {
			s := d.stay(t, c.checkin, c.checkout)
			if s["counts"] != c.counts || s["night_date"] != c.night || s["week"] != c.week {
				t.Errorf("%s: counts=%v night=%v week=%v, want %v %s %s", c.name, s["counts"], s["night_date"], s["week"], c.counts, c.night, c.week)
			}
		}
		// The Sunday night counts in week 47 when asked on the Sunday and after the Monday check-out alike.
		for _, date := range []string{"2026-11-22", "2026-11-16"} {
			o := d.progress(t, date)["overnight"].(map[string]any)
			if o["week"] != "2026-W47" || o["counted"] != 2.0 || o["required"] != 2.0 || o["status"] != "met" {
				t.Errorf("progress on %s: %v", date, o)
			}
		}
		o := d.progress(t, "2026-11-23")["overnight"].(map[string]any)
		if o["week"] != "2026-W48" || o["counted"] != 1.0 || o["status"] != "short" {
			t.Errorf("week 48: %v", o)
		}
		// A stay checked in outside the township's area never counts, inside its window or not.
		id := domain.NewID()
		r := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": id, "checkin": evidence(local("2026-12-07 19:00"), 31, 121)})
		if r.Status != http.StatusCreated || !strings.Contains(string(r.Body), "outside_geofence") {
			t.Fatalf("outside check-in: %d %s", r.Status, r.Body)
		}
		r = d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, map[string]any{"evidence": evidence(local("2026-12-08 07:00"), seatLat, seatLng)})
		if r.Map(t)["counts"] != false {
			t.Errorf("a night with an outside check-in counts: %s", r.Body)
		}
		// A stay in the village, inside the township's area, counts.
		id = domain.NewID()
		d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": id, "checkin": evidence(local("2026-12-08 19:00"), villageLat, villageLng)})
		if r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, map[string]any{"evidence": evidence(local("2026-12-09 07:00"), villageLat, villageLng)}); r.Map(t)["counts"] != true {
			t.Errorf("a night in the township's village does not count: %s", r.Body)
		}
	})
}

func TestNightRequirementWithLeave(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		lead := env.User(domain.RoleOfficial, d.town.ID, "team_member", "lead")
		// Weeks 2027-W02..W05 start on Mondays 11, 18, 25 January and 1 February 2027.
		for _, c := range []struct {
			monday     string
			leaveDays  int
			required   float64
			wantStatus string
		}{
			{"2027-01-11", 2, 1, "short"},
			{"2027-01-18", 3, 1, "short"},
			{"2027-01-25", 5, 1, "short"},
			{"2027-02-01", 7, 0, "exempt"},
		} {
			start, _ := time.Parse("2006-01-02", c.monday)
			end := start.AddDate(0, 0, c.leaveDays-1).Format("2006-01-02")
			r := env.Post("/api/v1/leaves", env.Token(lead), map[string]any{"user_id": d.official.ID, "start_date": c.monday, "end_date": end, "reason": "培训"})
			if r.Status != http.StatusCreated {
				t.Fatalf("leave: %d %s", r.Status, r.Body)
			}
			o := d.progress(t, c.monday)["overnight"].(map[string]any)
			if o["leave_days"] != float64(c.leaveDays) || o["required"] != c.required || o["status"] != c.wantStatus {
				t.Errorf("week of %s with %d leave days: %v", c.monday, c.leaveDays, o)
			}
		}
	})
}

func TestStationingBoundaries(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		session := func(checkin, checkout string) map[string]any {
			t.Helper()
			id := domain.NewID()
			r := d.Post("/api/v1/stationings", d.token, map[string]any{"id": id, "village_id": d.village.ID, "checkin": evidence(checkin, villageLat, villageLng)})
			if r.Status != http.StatusCreated {
				t.Fatalf("stationing check-in: %d %s", r.Status, r.Body)
			}
			r = d.Post("/api/v1/stationings/"+id+"/checkout", d.token, map[string]any{"evidence": evidence(checkout, villageLat, villageLng)})
			if r.Status != http.StatusOK {
				t.Fatalf("stationing check-out: %d %s", r.Status, r.Body)
			}
			return r.Map(t)
		}
		if s := session(local("2028-02-28 08:00"), local("2028-02-28 11:59")); s["counts"] != false {
			t.Errorf("3 h 59 min counts: %v", s)
		}
		if s := session(local("2028-02-29 08:00"), local("2028-02-29 12:00")); s["counts"] != true || s["date"] != "2028-02-29" {
			t.Errorf("4 h on 29 February: %v", s)
		}
		if s := session(local("2028-02-29 13:00"), local("2028-02-29 18:00")); s["counts"] != true {
			t.Errorf("second session of 29 February: %v", s)
		}
		// A session that starts late in the evening counts for its start date.
		if s := session(local("2028-03-01 21:00"), local("2028-03-02 02:00")); s["counts"] != true || s["date"] != "2028-03-01" {
			t.Errorf("session across midnight: %v", s)
		}
		st := d.progress(t, "2028-03-02")["stationing"].(map[string]any)
		if st["counted_days"] != 2.0 || st["required_days"] != 90.0 || st["year"] != 2028.0 {
			t.Errorf("two sessions on one date make one day: %v", st)
		}
		// expected_to_date on 2 March 2028: ceil(90 × 62 ÷ 366) = 16, so 2 days is behind.
		if st["expected_to_date"] != 16.0 || st["status"] != "behind" {
			t.Errorf("expected to date: %v", st)
		}
		// An official appointed on 1 July 2026 owes ceil(90 × 184 ÷ 365) = 46 days from then.
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		if r := env.Patch("/api/v1/users/"+d.official.ID, admin, map[string]any{"appointed_on": "2026-07-01"}); r.Status != http.StatusOK {
			t.Fatalf("appoint: %d %s", r.Status, r.Body)
		}
		st = d.progress(t, "2026-07-01")["stationing"].(map[string]any)
		if st["required_days"] != 46.0 || st["period_start"] != "2026-07-01" || st["expected_to_date"] != 1.0 {
			t.Errorf("appointed 1 July: %v", st)
		}
		// A stationing check-in in another township's village is refused.
		other := env.Village(env.Township("乙镇", 31, 121), "乙村", 31.01, 121.01)
		r := d.Post("/api/v1/stationings", d.token, map[string]any{"id": domain.NewID(), "village_id": other.ID, "checkin": evidence(local("2028-03-03 08:00"), 31.01, 121.01)})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "village_id") {
			t.Errorf("another township's village: %d %s", r.Status, r.Body)
		}
	})
}

func TestEvidenceFlags(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		now := d.Clock.Now()
		cases := []struct {
			name     string
			evidence map[string]any
			flags    string
			counts   bool
		}{
			{"inside, recent", map[string]any{"occurred_at": now.Add(-time.Hour).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 15}, `[]`, true},
			{"outside", map[string]any{"occurred_at": now.Add(-time.Hour).Format(time.RFC3339), "lat": 30.2, "lng": seatLng, "accuracy_m": 15}, `["outside_geofence"]`, false},
			{"accuracy 200 m is enough", map[string]any{"occurred_at": now.Add(-time.Hour).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 200}, `[]`, true},
			{"accuracy 201 m is low", map[string]any{"occurred_at": now.Add(-time.Hour).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 201}, `["low_accuracy"]`, false},
			{"no location", map[string]any{"occurred_at": now.Add(-time.Hour).Format(time.RFC3339)}, `["no_location"]`, false},
			{"synced 73 h later", map[string]any{"occurred_at": now.Add(-73 * time.Hour).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 15}, `["late_sync"]`, true},
			{"4 minutes ahead of the server", map[string]any{"occurred_at": now.Add(4 * time.Minute).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 15}, `[]`, true},
		}
		for _, c := range cases {
			r := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": domain.NewID(), "checkin": c.evidence})
			if r.Status != http.StatusCreated {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
				continue
			}
			ci := r.Map(t)["checkin"].(map[string]any)
			if got := fmt.Sprint(ci["flags"]); got != strings.NewReplacer(`"`, "", ",", " ").Replace(c.flags) || ci["counts"] != c.counts {
				t.Errorf("%s: flags %v counts %v, want %s %v", c.name, ci["flags"], ci["counts"], c.flags, c.counts)
			}
			if c.evidence["lat"] != nil && ci["distance_m"] == nil {
				t.Errorf("%s: no distance", c.name)
			}
		}
		future := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": domain.NewID(),
			"checkin": map[string]any{"occurred_at": now.Add(6 * time.Minute).Format(time.RFC3339), "lat": seatLat, "lng": seatLng, "accuracy_m": 15}})
		if future.Status != http.StatusUnprocessableEntity || !strings.Contains(string(future.Body), "checkin.occurred_at") {
			t.Errorf("6 minutes in the future: %d %s", future.Status, future.Body)
		}
		half := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": domain.NewID(),
			"checkin": map[string]any{"occurred_at": now.Format(time.RFC3339), "lat": seatLat}})
		if half.Status != http.StatusUnprocessableEntity {
			t.Errorf("latitude without longitude: %d %s", half.Status, half.Body)
		}
		if r := d.Get("/api/v1/overnight-stays", d.token); len(r.Map(t)["items"].([]any)) != len(cases) {
			t.Errorf("refused check-ins were stored: %s", r.Body)
		}
	})
}

func TestCheckoutBeforeItsStayIsRetryable(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		id := domain.NewID()
		body := map[string]any{"evidence": evidence(local("2026-11-24 07:00"), seatLat, seatLng)}
		r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, body)
		if r.Status != http.StatusNotFound || r.Code() != "stay_not_found" {
			t.Fatalf("checkout first: %d %s", r.Status, r.Body)
		}
		d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": id, "checkin": evidence(local("2026-11-23 20:00"), seatLat, seatLng)})
		if r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, body); r.Status != http.StatusOK || r.Map(t)["counts"] != true {
			t.Fatalf("checkout after the stay: %d %s", r.Status, r.Body)
		}
		// The same check-out again answers the same; another check-out is a conflict.
		if r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, body); r.Status != http.StatusOK {
			t.Errorf("re-sent checkout: %d %s", r.Status, r.Body)
		}
		other := map[string]any{"evidence": evidence(local("2026-11-24 08:00"), seatLat, seatLng)}
		if r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", d.token, other); r.Status != http.StatusConflict || r.Code() != "checkout_conflict" {
			t.Errorf("different checkout: %d %s", r.Status, r.Body)
		}
		// Another official cannot check out this stay: it does not exist for them.
		colleague := env.Token(env.User(domain.RoleOfficial, d.town.ID, "team_member"))
		if r := d.Post("/api/v1/overnight-stays/"+id+"/checkout", colleague, body); r.Status != http.StatusNotFound {
			t.Errorf("colleague's checkout: %d", r.Status)
		}
	})
}

// Replaying the same 1,000 check-ins twice, shuffled, from 8 concurrent senders leaves exactly
// 1,000 records; the same id with other content is refused and changes nothing.
func TestReplayedCheckinsAreStoredOnce(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		type req struct {
			id   string
			body map[string]any
		}
		base := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
		var reqs []req
		for i := 0; i < 1000; i++ {
			id := domain.NewID()
			occurred := base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
			reqs = append(reqs, req{id, map[string]any{"id": id, "checkin": evidence(occurred, seatLat, seatLng)}})
		}
		all := append(append([]req{}, reqs...), reqs...)
		rand.New(rand.NewSource(1)).Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		work := make(chan req)
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range work {
					res := d.Post("/api/v1/overnight-stays", d.token, r.body)
					mu.Lock()
					statuses[res.Status]++
					mu.Unlock()
				}
			}()
		}
		for _, r := range all {
			work <- r
		}
		close(work)
		wg.Wait()
		if statuses[http.StatusCreated] != 2000 {
			t.Errorf("answers: %v, want 2000 × 201", statuses)
		}
		var n int64
		count := func() int64 {
			if err := env.Store.RawCount(t.Context(), "overnight_stays", &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got := count(); got != 1000 {
			t.Fatalf("records after the replay: %d, want 1000", got)
		}
		changed := map[string]any{"id": reqs[0].id, "checkin": evidence(base.Add(-time.Hour).Format(time.RFC3339), seatLat, seatLng)}
		if r := d.Post("/api/v1/overnight-stays", d.token, changed); r.Status != http.StatusConflict || r.Code() != "id_conflict" {
			t.Errorf("same id, other content: %d %s", r.Status, r.Body)
		}
		if got := count(); got != 1000 {
			t.Errorf("records after a conflict: %d", got)
		}
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Review findings, each a boundary of the rules through the API.
func TestDutyEdgeCases(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		// Two stays of one evening are one night.
		d.stay(t, local("2026-11-16 19:00"), local("2026-11-17 06:00"))
		d.stay(t, local("2026-11-16 20:00"), local("2026-11-17 07:00"))
		if o := d.progress(t, "2026-11-16")["overnight"].(map[string]any); o["counted"] != 1.0 || o["status"] != "short" {
			t.Errorf("two stays of one evening: %v", o)
		}
		// Dates long past are judged by the default settings, not refused with a 500.
		if r := env.Get("/api/v1/progress/officials/"+d.official.ID+"?date=1999-12-31", d.token); r.Status != http.StatusOK {
			t.Errorf("progress in 1999: %d %s", r.Status, r.Body)
		}
		if r := d.Post("/api/v1/overnight-stays", d.token, map[string]any{"id": domain.NewID(), "checkin": evidence("1999-06-01T20:00:00+08:00", seatLat, seatLng)}); r.Status != http.StatusCreated {
			t.Errorf("a check-in of 1999: %d %s", r.Status, r.Body)
		}
		// A visit made before a trigger existed does not answer it.
		h := env.Household(d.village, "赵六")
		trig := d.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "illness", "occurred_on": "2026-12-10", "note": ""}).Map(t)
		v := d.Post("/api/v1/visits", d.token, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "illness", "notes": "",
			"evidence": evidence(local("2026-12-01 10:00"), villageLat, villageLng)}).Map(t)
		if v["trigger_id"] != nil {
			t.Errorf("a visit of 1 December answers a trigger of 10 December: %v", v)
		}
		// The identical visit re-sent after it closed its trigger answers as the first time.
		body := map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "illness", "trigger_id": trig["id"], "notes": "",
			"evidence": evidence(local("2026-12-11 10:00"), villageLat, villageLng)}
		first := d.Post("/api/v1/visits", d.token, body)
		again := d.Post("/api/v1/visits", d.token, body)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || string(first.Body) != string(again.Body) {
			t.Errorf("re-sent visit: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		// Two officials visiting for the same trigger at once: both visits are kept, one answers it.
		colleague := env.Token(env.User(domain.RoleOfficial, d.town.ID, "team_member"))
		for round := 0; round < 3; round++ {
			env.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "hardship", "occurred_on": "2026-12-12", "note": ""})
			answers := make(chan apitest.Response, 2)
			for _, tok := range []string{d.token, colleague} {
				go func(tok string) {
					answers <- d.Post("/api/v1/visits", tok, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "hardship", "notes": "",
						"evidence": evidence(local("2026-12-13 10:00"), villageLat, villageLng)})
				}(tok)
			}
			linked := 0
			for i := 0; i < 2; i++ {
				r := <-answers
				if r.Status != http.StatusCreated {
					t.Fatalf("concurrent visit: %d %s", r.Status, r.Body)
				}
				if r.Map(t)["trigger_id"] != nil {
					linked++
				}
			}
			if linked != 1 {
				t.Errorf("round %d: %d visits answer the trigger, want 1", round, linked)
			}
		}
	})
}
