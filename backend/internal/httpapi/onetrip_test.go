package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// On PostgreSQL the hot write paths send the record, its evidence and its pending log entry
// in one statement: a check-in is one round trip on the wire, counted by a proxy between the
// server and PostgreSQL; a check-out, a visit and a reception check-in read what the rules
// need and then write in one. A re-send and a conflict are answered through the transaction,
// as before, and write nothing; the log holds one entry per change and verifies.
func TestCheckinsInOneRoundTrip(t *testing.T) {
	wire := apitest.NewWire(t)
	env := apitest.NewThrough(t, wire)
	d := newDutyEnv(t, env)
	officer := env.Token(env.User(domain.RolePetitionOfficer, d.town.ID))
	household := env.Household(d.village, "张三")
	rota := env.Post("/api/v1/reception-days/generate", officer, map[string]any{"township_id": d.town.ID, "from": "2026-12-01", "to": "2026-12-31"})
	if rota.Status != http.StatusOK {
		t.Fatalf("rota: %d %s", rota.Status, rota.Body)
	}
	receptionDay := map[string]string{} // by date; all of them d.official's, the township's one team member
	for _, x := range rota.Map(t)["items"].([]any) {
		receptionDay[x.(map[string]any)["date"].(string)] = x.(map[string]any)["id"].(string)
	}

	// send posts body and answers the answer and the round trips the server made for it.
	send := func(path string, body any, status int) (apitest.Response, []apitest.Trip) {
		t.Helper()
		wire.Take()
		r := d.Post(path, d.token, body)
		trips, _ := wire.Take()
		if r.Status != status {
			t.Fatalf("POST %s: %d %s, want %d", path, r.Status, r.Body, status)
		}
		return r, trips
	}
	// oneStatement checks that the last of the trips is the one write, alone.
	oneStatement := func(what string, trips []apitest.Trip, want int) {
		t.Helper()
		t.Logf("%s: %d round trips\n%s", what, len(trips), describe(trips))
		last := trips[len(trips)-1].Statements
		if len(trips) != want || len(last) != 1 || !strings.HasPrefix(last[0], "WITH config_current AS") {
			t.Errorf("%s: %d round trips, want %d ending in the one statement:\n%s", what, len(trips), want, describe(trips))
		}
	}

	type round struct{ stay, stationing, checkout, visit, reception apitest.Response }
	// day runs the hot paths once, on the n-th day of December, and counts their round trips
	// when measure is set. The first day fills the config cache and prepares the statements.
	day := func(n int, measure bool) round {
		at := func(clock string) string { return local("2026-12-" + two(n) + " " + clock) }
		next := func(clock string) string { return local("2026-12-" + two(n+1) + " " + clock) }
		var out round
		stay := domain.NewID()
		r, trips := send("/api/v1/overnight-stays", map[string]any{"id": stay, "checkin": evidence(at("20:00"), seatLat, seatLng)}, http.StatusCreated)
		out.stay = r
		if measure {
			oneStatement("stay check-in", trips, 1)
		}
		r, trips = send("/api/v1/overnight-stays/"+stay+"/checkout", map[string]any{"evidence": evidence(next("07:00"), seatLat, seatLng)}, http.StatusOK)
		out.checkout = r
		if measure {
			oneStatement("stay check-out (reads the stay with its evidence)", trips, 2)
		}
		session := domain.NewID()
		r, trips = send("/api/v1/stationings", map[string]any{"id": session, "village_id": d.village.ID, "checkin": evidence(at("09:00"), villageLat, villageLng)}, http.StatusCreated)
		out.stationing = r
		if measure {
			oneStatement("stationing check-in", trips, 1)
		}
		_, trips = send("/api/v1/stationings/"+session+"/checkout", map[string]any{"evidence": evidence(at("15:00"), villageLat, villageLng)}, http.StatusOK)
		if measure {
			oneStatement("stationing check-out (reads the session with its evidence)", trips, 2)
		}
		if r := d.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": household.ID, "category": "illness", "occurred_on": "2026-12-" + two(n), "note": ""}); r.Status != http.StatusCreated {
			t.Fatalf("trigger: %d %s", r.Status, r.Body)
		}
		r, trips = send("/api/v1/visits", map[string]any{"id": domain.NewID(), "household_id": household.ID, "category": "illness", "notes": "",
			"evidence": evidence(at("10:00"), villageLat, villageLng)}, http.StatusCreated)
		out.visit = r
		if r.Map(t)["trigger_id"] == nil || r.Map(t)["timeliness"] != "on_time" {
			t.Errorf("the visit does not close its trigger: %s", r.Body)
		}
		if measure {
			oneStatement("visit closing its trigger (reads the household with its open trigger)", trips, 2)
		}
		r, trips = send("/api/v1/reception-days/"+receptionDay["2026-12-"+two(n)]+"/checkin", map[string]any{"evidence": evidence(at("08:30"), seatLat, seatLng)}, http.StatusOK)
		out.reception = r
		if measure {
			oneStatement("reception check-in (reads the day with its evidence)", trips, 2)
		}
		return out
	}
	day(1, false)
	day(2, false)
	// The settings of a date are read once per instance, by its first record; here before
	// the days measured.
	for _, date := range []string{"2026-12-03", "2026-12-04"} {
		on, _ := civil.Parse(date)
		if _, err := env.Store.SettingsOn(t.Context(), on); err != nil {
			t.Fatal(err)
		}
	}
	third := day(3, true)
	day(4, true)

	// A re-sent check-in answers as the first time; the same id with other content is a
	// conflict. Both go through the transaction, after the insert found the id taken.
	stay := third.stay.Map(t)
	body := map[string]any{"id": stay["id"], "checkin": evidence(local("2026-12-03 20:00"), seatLat, seatLng)}
	again, trips := send("/api/v1/overnight-stays", body, http.StatusCreated)
	if string(again.Body) != string(third.checkout.Body) {
		t.Errorf("re-sent check-in:\n%s\nthe stay as stored:\n%s", again.Body, third.checkout.Body)
	}
	if len(trips) < 3 || !strings.HasPrefix(trips[0].Statements[0], "WITH config_current AS") || !strings.EqualFold(trips[1].Statements[0], "begin") {
		t.Errorf("a re-send is answered by the transaction after the one statement conflicted:\n%s", describe(trips))
	}
	body["checkin"] = evidence(local("2026-12-03 20:05"), seatLat, seatLng)
	if r, _ := send("/api/v1/overnight-stays", body, http.StatusConflict); r.Code() != "id_conflict" {
		t.Errorf("other content: %s", r.Body)
	}
	checkout := map[string]any{"evidence": evidence(local("2026-12-04 07:00"), seatLat, seatLng)}
	if r, _ := send("/api/v1/overnight-stays/"+stay["id"].(string)+"/checkout", checkout, http.StatusOK); string(r.Body) != string(third.checkout.Body) {
		t.Errorf("re-sent check-out:\n%s\nfirst:\n%s", r.Body, third.checkout.Body)
	}
	checkout["evidence"] = evidence(local("2026-12-04 07:30"), seatLat, seatLng)
	if r, _ := send("/api/v1/overnight-stays/"+stay["id"].(string)+"/checkout", checkout, http.StatusConflict); r.Code() != "checkout_conflict" {
		t.Errorf("other check-out: %s", r.Body)
	}
	// A check-in that fails a check is refused as before, and leaves nothing.
	if r, _ := send("/api/v1/stationings", map[string]any{"id": domain.NewID(), "village_id": domain.NewID(), "checkin": evidence(local("2026-12-05 09:00"), villageLat, villageLng)}, http.StatusUnprocessableEntity); !strings.Contains(string(r.Body), "village_id") {
		t.Errorf("unknown village: %s", r.Body)
	}

	// Each day made 6 check-ins and check-outs, each logged once, and the chain is whole.
	counts := map[string]int64{}
	for _, table := range []string{"overnight_stays", "stationings", "visits", "evidence"} {
		var n int64
		if err := env.Store.RawCount(t.Context(), table, &n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	if counts["overnight_stays"] != 4 || counts["stationings"] != 4 || counts["visits"] != 4 || counts["evidence"] != 4*6 {
		t.Errorf("stored: %v", counts)
	}
	broken, entries, err := env.Store.VerifyLog(t.Context())
	if err != nil || broken != nil {
		t.Fatalf("log: %v %v", broken, err)
	}
	var dutyEntries int64
	if err := env.Store.RawScan(t.Context(), &dutyEntries, "SELECT count(*) FROM activity_log WHERE entity IN ('overnight_stay', 'stationing', 'visit', 'reception_day') AND action IN ('checkin', 'checkout', 'create')"); err != nil {
		t.Fatal(err)
	}
	if dutyEntries != 4*6 {
		t.Errorf("log entries of check-ins and check-outs: %d of %d, want 24", dutyEntries, entries)
	}
	history, err := env.Store.ActivityFor(t.Context(), "overnight_stay", stay["id"].(string))
	if err != nil || len(history) != 2 || history[0].After != compact(third.stay.Body) || history[1].After != compact(third.checkout.Body) {
		t.Errorf("the stay's history is not its check-in and check-out as answered: %v %+v", err, history)
	}
}

func two(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

// compact is a JSON answer as the log keeps it (without the trailing newline).
func compact(b []byte) string { return strings.TrimSpace(string(b)) }

func describe(trips []apitest.Trip) string {
	var b strings.Builder
	for i, tr := range trips {
		fmt.Fprintf(&b, "  trip %d:", i+1)
		for _, s := range tr.Statements {
			if len(s) > 120 {
				s = s[:120] + "…"
			}
			b.WriteString(" [" + strings.Join(strings.Fields(s), " ") + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}
