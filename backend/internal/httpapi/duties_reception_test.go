package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

func TestReceptionRota(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		second := env.User(domain.RoleOfficial, d.town.ID, "team_member")
		third := env.User(domain.RoleOfficial, d.town.ID, "team_member")
		env.User(domain.RoleOfficial, d.town.ID) // not a team member: never on the rota
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		officer := env.Token(env.User(domain.RolePetitionOfficer, d.town.ID))
		lead := env.Token(env.User(domain.RoleOfficial, d.town.ID, "lead"))
		// 2026-10-01 (Thursday) is a holiday; Saturday 2026-10-10 a make-up working day.
		env.Put("/api/v1/holidays/2026-10-01", admin, map[string]any{"working": false, "name": "国庆节"})
		env.Put("/api/v1/holidays/2026-10-10", admin, map[string]any{"working": true, "name": "调休"})
		// The second member is on leave on Friday 2 October.
		env.Post("/api/v1/leaves", lead, map[string]any{"user_id": second.ID, "start_date": "2026-10-02", "end_date": "2026-10-02", "reason": "出差"})

		r := env.Post("/api/v1/reception-days/generate", officer, map[string]any{"township_id": d.town.ID, "from": "2026-09-30", "to": "2026-10-12"})
		if r.Status != http.StatusOK {
			t.Fatalf("generate: %d %s", r.Status, r.Body)
		}
		days := r.Map(t)["items"].([]any)
		got := map[string]string{}
		for _, x := range days {
			day := x.(map[string]any)
			got[day["date"].(string)] = day["official_id"].(string)
		}
		names := map[string]string{d.official.ID: "A", second.ID: "B", third.ID: "C"}
		var order []string
		for _, date := range []string{"2026-09-30", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"} {
			order = append(order, date+"="+names[got[date]])
		}
		want := "2026-09-30=A 2026-10-02=C 2026-10-05=A 2026-10-06=B 2026-10-07=C 2026-10-08=A 2026-10-09=B 2026-10-10=C 2026-10-12=A"
		if strings.Join(order, " ") != want || len(days) != 9 {
			t.Errorf("rota:\n got %s (%d days)\nwant %s", strings.Join(order, " "), len(days), want)
		}
		for _, off := range []string{"2026-10-01", "2026-10-03", "2026-10-04", "2026-10-11"} {
			if _, ok := got[off]; ok {
				t.Errorf("%s is not a working day but has a receiver", off)
			}
		}
		// Generating again keeps the days as they are.
		again := env.Post("/api/v1/reception-days/generate", officer, map[string]any{"township_id": d.town.ID, "from": "2026-09-30", "to": "2026-10-12"})
		if string(again.Body) != string(r.Body) {
			t.Errorf("regenerating changed the rota")
		}

		// Reassign 5 October from A to B, with the change in the history.
		var oct5 string
		for _, x := range days {
			if x.(map[string]any)["date"] == "2026-10-05" {
				oct5 = x.(map[string]any)["id"].(string)
			}
		}
		re := env.Post("/api/v1/reception-days/"+oct5+"/reassign", officer, map[string]any{"official_id": second.ID, "reason": "甲出差"})
		if re.Status != http.StatusOK {
			t.Fatalf("reassign: %d %s", re.Status, re.Body)
		}
		h := re.Map(t)["history"].([]any)
		if len(h) != 1 || h[0].(map[string]any)["from_official_id"] != d.official.ID || h[0].(map[string]any)["to_official_id"] != second.ID {
			t.Errorf("history: %v", h)
		}
		// Only the day's receiver checks in; on time before 09:00 at the seat.
		if r := env.Post("/api/v1/reception-days/"+oct5+"/checkin", d.token, map[string]any{"evidence": evidence(local("2026-10-05 08:30"), seatLat, seatLng)}); r.Status != http.StatusConflict || r.Code() != "not_your_reception_day" {
			t.Errorf("check-in by the former receiver: %d %s", r.Status, r.Body)
		}
		b := env.Token(second)
		ci := env.Post("/api/v1/reception-days/"+oct5+"/checkin", b, map[string]any{"evidence": evidence(local("2026-10-05 08:59"), seatLat, seatLng)})
		if m := ci.Map(t); ci.Status != http.StatusOK || m["attended"] != true || m["on_time"] != true {
			t.Errorf("on-time check-in: %d %s", ci.Status, ci.Body)
		}
		var oct6 string
		for _, x := range days {
			if x.(map[string]any)["date"] == "2026-10-06" {
				oct6 = x.(map[string]any)["id"].(string)
			}
		}
		late := env.Post("/api/v1/reception-days/"+oct6+"/checkin", b, map[string]any{"evidence": evidence(local("2026-10-06 09:00"), seatLat, seatLng)})
		if m := late.Map(t); m["attended"] != true || m["on_time"] != false {
			t.Errorf("check-in at 09:00 is late: %s", late.Body)
		}
		// A day already attended cannot change hands.
		if r := env.Post("/api/v1/reception-days/"+oct5+"/reassign", officer, map[string]any{"official_id": third.ID, "reason": "x"}); r.Status != http.StatusConflict {
			t.Errorf("reassign an attended day: %d", r.Status)
		}
		p := env.Get("/api/v1/progress/officials/"+second.ID+"?date=2026-10-31", b).Map(t)["reception"].(map[string]any)
		if p["assigned"] != 3.0 || p["attended"] != 2.0 || p["on_time"] != 1.0 {
			t.Errorf("reception progress: %v", p)
		}
	})
}

func TestMustVisits(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		h := env.Household(d.village, "张三")
		other := env.Household(d.village, "李四")
		if r := env.Patch("/api/v1/households/"+h.ID, admin, map[string]any{"contact_official_id": d.official.ID}); r.Status != http.StatusOK {
			t.Fatalf("contact official: %d %s", r.Status, r.Body)
		}
		trigger := func(household, category, on string) map[string]any {
			t.Helper()
			r := d.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": household, "category": category, "occurred_on": on, "note": "住院"})
			if r.Status != http.StatusCreated {
				t.Fatalf("trigger: %d %s", r.Status, r.Body)
			}
			return r.Map(t)
		}
		visit := func(household, category string, ev map[string]any) map[string]any {
			t.Helper()
			r := d.Post("/api/v1/visits", d.token, map[string]any{"id": domain.NewID(), "household_id": household, "category": category, "notes": "已走访", "evidence": ev})
			if r.Status != http.StatusCreated {
				t.Fatalf("visit: %d %s", r.Status, r.Body)
			}
			return r.Map(t)
		}
		onTime := trigger(h.ID, "illness", "2026-11-02")
		if onTime["responsible_id"] != d.official.ID || onTime["due_at"] != "2026-11-09T16:00:00Z" {
			t.Errorf("trigger: %v (due at the end of 9 November in Shanghai)", onTime)
		}
		v := visit(h.ID, "illness", evidence(local("2026-11-09 23:59"), villageLat, villageLng))
		if v["trigger_id"] != onTime["id"] || v["timeliness"] != "on_time" {
			t.Errorf("visit on the due day: %v", v)
		}
		late := trigger(h.ID, "illness", "2026-11-12")
		v = visit(h.ID, "illness", evidence(local("2026-11-20 00:00"), villageLat, villageLng))
		if v["trigger_id"] != late["id"] || v["timeliness"] != "late" {
			t.Errorf("visit a day after the due day: %v", v)
		}
		// A visit without location is stored, flagged, and closes nothing.
		open := trigger(h.ID, "hardship", "2026-12-20")
		weak := visit(h.ID, "hardship", map[string]any{"occurred_at": local("2026-12-21 10:00")})
		if weak["counts"] != false || weak["trigger_id"] != nil {
			t.Errorf("weak visit: %v", weak)
		}
		list := env.Get("/api/v1/visit-triggers?status=overdue", d.token).Map(t)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != open["id"] {
			t.Errorf("overdue triggers: %v", list)
		}
		// QR: the household's own token verifies the visit; another household's is refused.
		qr := env.Get("/api/v1/households/"+h.ID+"/qr", admin).Map(t)["token"].(string)
		withQR := evidence(local("2026-12-22 10:00"), villageLat, villageLng)
		withQR["qr_token"] = qr
		if v := visit(h.ID, "hardship", withQR); v["qr_verified"] != true || !strings.Contains(strings.Join(toStrings(v["evidence"].(map[string]any)["flags"]), ","), "qr_verified") {
			t.Errorf("QR visit: %v", v)
		}
		r := d.Post("/api/v1/visits", d.token, map[string]any{"id": domain.NewID(), "household_id": other.ID, "category": "hardship", "notes": "", "evidence": withQR})
		if r.Status != http.StatusUnprocessableEntity || r.Code() != "qr_wrong_household" {
			t.Errorf("another household's QR: %d %s", r.Status, r.Body)
		}
		vp := d.progress(t, "2026-12-31")["visits"].(map[string]any)
		if vp["on_time"] != 2.0 || vp["late"] != 1.0 || vp["visits"] != 3.0 || vp["households_visited"] != 1.0 {
			t.Errorf("visit progress: %v", vp)
		}
		if r := d.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "lottery", "occurred_on": "2026-11-02", "note": ""}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"category"`) {
			t.Errorf("unknown category: %d %s", r.Status, r.Body)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestProgressAndScorecardAccess(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		colleague := env.Token(env.User(domain.RoleOfficial, d.town.ID, "team_member"))
		lead := env.Token(env.User(domain.RoleOfficial, d.town.ID, "lead"))
		otherLead := env.Token(env.User(domain.RoleOfficial, env.Township("乙镇", 31, 121).ID, "lead"))
		inspector := env.Token(env.User(domain.RoleInspector, ""))
		path := "/api/v1/progress/officials/" + d.official.ID + "?date=2026-11-25"
		for name, c := range map[string]struct {
			token  string
			status int
		}{
			"self": {d.token, 200}, "colleague": {colleague, 404}, "lead": {lead, 200}, "another township's lead": {otherLead, 404}, "inspector": {inspector, 200},
		} {
			if r := env.Get(path, c.token); r.Status != c.status {
				t.Errorf("progress as %s: %d, want %d", name, r.Status, c.status)
			}
		}
		d.stay(t, local("2026-11-23 20:00"), local("2026-11-24 07:00"))
		sc := "/api/v1/scorecards?township_id=" + d.town.ID + "&from=2026-11-01&to=2026-11-30"
		r := env.Get(sc, lead)
		if r.Status != http.StatusOK {
			t.Fatalf("scorecard: %d %s", r.Status, r.Body)
		}
		card := r.Map(t)
		rows := card["rows"].([]any)
		if len(rows) != 2 {
			t.Fatalf("rows: %v", rows)
		}
		for _, x := range rows {
			row := x.(map[string]any)
			if row["official_id"] == d.official.ID && (row["nights_counted"] != 1.0 || row["weeks"] != 5.0 || row["nights_required"] != 10.0) {
				t.Errorf("row: %v", row)
			}
		}
		if r := env.Get(sc, otherLead); r.Status != http.StatusNotFound {
			t.Errorf("another township's scorecard: %d", r.Status)
		}
		csv := env.Get(sc+"&format=csv", inspector)
		if csv.Status != http.StatusOK || !strings.Contains(string(csv.Body), "姓名") || !strings.Contains(string(csv.Body), "实住夜晚数") {
			t.Errorf("csv: %d %s", csv.Status, csv.Body)
		}
		xlsx := env.Get(sc+"&format=xlsx", inspector)
		if xlsx.Status != http.StatusOK || !strings.HasPrefix(string(xlsx.Body), "PK") {
			t.Errorf("xlsx: %d", xlsx.Status)
		}
	})
}

func TestTalkDaysAndContactLinks(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		second := env.Village(d.town, "乙村", 30.06, 120.01)
		lead := env.Token(env.User(domain.RoleOfficial, d.town.ID, "team_member", "lead"))
		talk := func(village, on string) int {
			return d.Post("/api/v1/talk-days", d.token, map[string]any{"id": domain.NewID(), "village_id": village, "held_on": on, "attendance": 35, "issues": []string{"路灯不亮"}}).Status
		}
		// 甲村 holds talk days in October and November (two in November), 乙村 only in October.
		for _, c := range []struct{ village, on string }{{d.village.ID, "2026-10-12"}, {d.village.ID, "2026-11-03"}, {d.village.ID, "2026-11-20"}, {second.ID, "2026-10-20"}} {
			if s := talk(c.village, c.on); s != http.StatusCreated {
				t.Fatalf("talk day: %d", s)
			}
		}
		if s := talk(d.village.ID, "2030-01-01"); s != http.StatusUnprocessableEntity {
			t.Errorf("talk day in the future: %d", s)
		}
		card := env.Get("/api/v1/scorecards?township_id="+d.town.ID+"&from=2026-10-01&to=2026-11-30", lead).Map(t)
		if card["talk_day_months"] != 4.0 || card["talk_day_months_held"] != 3.0 {
			t.Errorf("talk-day coverage: %v of %v months", card["talk_day_months_held"], card["talk_day_months"])
		}
		// Linking a team member to a village; the households they are contact official of count.
		if r := env.Put("/api/v1/contact-links/"+d.official.ID, lead, map[string]any{"village_id": second.ID}); r.Status != http.StatusOK {
			t.Fatalf("contact link: %d %s", r.Status, r.Body)
		}
		if r := env.Put("/api/v1/contact-links/"+d.official.ID, lead, map[string]any{"village_id": d.village.ID}); r.Status != http.StatusOK || r.Map(t)["village_id"] != d.village.ID {
			t.Fatalf("contact link moved: %d %s", r.Status, r.Body)
		}
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		for i := 0; i < 10; i++ {
			h := env.Household(d.village, "户主")
			env.Patch("/api/v1/households/"+h.ID, admin, map[string]any{"contact_official_id": d.official.ID})
		}
		links := d.progress(t, "2026-11-30")["links"].(map[string]any)
		if links["village_id"] != d.village.ID || links["linked_households"] != 10.0 || links["minimum"] != 10.0 || links["status"] != "met" {
			t.Errorf("links: %v", links)
		}
		other := env.Village(env.Township("乙镇", 31, 121), "丙村", 31.01, 121.01)
		if r := env.Put("/api/v1/contact-links/"+d.official.ID, lead, map[string]any{"village_id": other.ID}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("link to another township's village: %d", r.Status)
		}
		// A trigger of a household without a contact official falls to the team member linked to its village.
		h := env.Household(d.village, "王五")
		r := d.Post("/api/v1/visit-triggers", d.token, map[string]any{"id": domain.NewID(), "household_id": h.ID, "category": "disaster", "occurred_on": "2026-11-10", "note": "房屋受损"})
		if r.Map(t)["responsible_id"] != d.official.ID {
			t.Errorf("responsible official: %s", r.Body)
		}
	})
}

// A day whose receiver checked in, even outside the seat, does not change hands: the new
// receiver could never check in.
func TestReassignAfterAWeakCheckin(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		d := newDutyEnv(t, env)
		env.User(domain.RoleOfficial, d.town.ID, "team_member")
		officer := env.Token(env.User(domain.RolePetitionOfficer, d.town.ID))
		days := env.Post("/api/v1/reception-days/generate", officer, map[string]any{"township_id": d.town.ID, "from": "2026-11-02", "to": "2026-11-02"}).Map(t)["items"].([]any)
		day := days[0].(map[string]any)
		if day["official_id"] != d.official.ID {
			t.Fatalf("rota: %v", day)
		}
		weak := env.Post("/api/v1/reception-days/"+day["id"].(string)+"/checkin", d.token, map[string]any{"evidence": evidence(local("2026-11-02 08:00"), 31, 121)})
		if weak.Status != http.StatusOK || weak.Map(t)["attended"] != false {
			t.Fatalf("weak check-in: %d %s", weak.Status, weak.Body)
		}
		var next string
		for _, u := range env.Get("/api/v1/users?role=official", officer).Map(t)["items"].([]any) {
			if id := u.(map[string]any)["id"].(string); id != d.official.ID {
				next = id
			}
		}
		if r := env.Post("/api/v1/reception-days/"+day["id"].(string)+"/reassign", officer, map[string]any{"official_id": next, "reason": "换人"}); r.Status != http.StatusConflict || r.Code() != "already_checked_in" {
			t.Errorf("reassign after a check-in: %d %s", r.Status, r.Body)
		}
	})
}
