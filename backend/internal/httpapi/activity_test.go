package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// readLog walks every page of GET /api/v1/activity with the query, as the token's user, and
// answers the entries and every page's body.
func readLog(t *testing.T, env *apitest.Env, tok, query string, limit int) ([]map[string]any, string) {
	t.Helper()
	var items []map[string]any
	var bodies strings.Builder
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 500 {
			t.Fatal("the log's pages do not end")
		}
		q := fmt.Sprintf("%s&limit=%d", query, limit)
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		r := env.Get("/api/v1/activity?"+strings.TrimPrefix(q, "&"), tok)
		if r.Status != http.StatusOK {
			t.Fatalf("activity?%s: %d %s", q, r.Status, r.Body)
		}
		bodies.Write(r.Body)
		var page struct {
			Items      []map[string]any
			NextCursor *string `json:"next_cursor"`
		}
		r.JSON(t, &page)
		items = append(items, page.Items...)
		if page.NextCursor == nil {
			return items, bodies.String()
		}
		cursor = *page.NextCursor
	}
}

// TestActivityLog: admins and inspectors read the whole log, newest first, page by page,
// filtered by who, what, where and when — and never who a petitioner is (names, phones,
// villagers' accounts, what a petition says, identity notes, PINs), never a petition that
// names the reader. The chain's check says whether the log is whole and, after an edit made
// straight in the database, which entry broke.
func TestActivityLog(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(time.Date(2027, 3, 10, 12, 0, 0, 0, env.Loc)) // far from midnight: every entry is of one day
		w := newPetitionWorld(t, env)
		admin, inspector := w.tok(w.admin), w.tok(w.inspector)
		namedAdmin, namedInspector := env.User(domain.RoleAdmin, ""), env.User(domain.RoleInspector, "")

		// Petitions with identities to keep: a letter, one from a villager's account, one
		// naming an admin and an inspector; the petitioner acts by code and PIN; the office
		// re-issues a PIN at the counter; a villager uploads a photo.
		letter := w.letter(t, map[string]any{"subject": "秘密主题甲", "text": "秘密正文甲", "petitioner": map[string]any{"name": "王秘密", "phone": "13611112222"}})
		online := w.submit(t, w.tok(w.villager), map[string]any{"channel": "online", "township_id": w.town.ID, "category": "environment",
			"subject": "秘密主题乙", "text": "秘密正文乙", "petitioner": map[string]any{"name": "李村民", "phone": "13733334444"}})
		named := w.letter(t, map[string]any{"subject": "检举材料", "about_official_ids": []string{namedAdmin.ID, namedInspector.ID, w.about.ID}})
		w.step(t, letter, "withdraw", nil, map[string]any{"reason": "撤回理由秘密"})
		if r := env.Post("/api/v1/petitions/"+online.ID+"/pin", w.tok(w.officer), map[string]any{"phone": "13733334444", "identity_note": "身份证尾号9999"}); r.Status != http.StatusOK {
			t.Fatalf("re-issue: %d %s", r.Status, r.Body)
		}
		upload(t, env, w.tok(w.villager), "v.png", "image/png", tinyPNG(t, 77))
		total := logCount(t, env)
		secrets := []string{"王秘密", "13611112222", "李村民", "13733334444", "秘密主题", "秘密正文", "检举材料", "撤回理由", "身份证尾号9999",
			w.villager.ID, w.villager.Username, letter.Code, online.Code, named.Code, "argon2"}

		for who, tok := range map[string]string{"admin": admin, "inspector": inspector} {
			items, bodies := readLog(t, env, tok, "", 7)
			if int64(len(items)) != total {
				t.Errorf("%s reads %d entries of %d", who, len(items), total)
			}
			for i := 1; i < len(items); i++ {
				if items[i]["seq"].(float64) >= items[i-1]["seq"].(float64) {
					t.Fatalf("%s: entry %v after %v: not newest first, or repeated", who, items[i]["seq"], items[i-1]["seq"])
				}
			}
			for _, s := range secrets {
				if i := strings.Index(bodies, s); i >= 0 {
					t.Errorf("%s reads %q in the activity log: …%s…", who, s, bodies[max(0, i-600):min(len(bodies), i+200)])
				}
			}
			// A petition's entries are there, with its state and nothing else of it.
			kinds := map[string]bool{}
			for _, e := range items {
				if e["entity"] != "petition" {
					continue
				}
				kinds[e["action"].(string)] = true
				if e["masked"] != true {
					t.Errorf("%s: a petition's entry not marked masked: %v", who, e)
				}
				after, _ := e["after"].(map[string]any)
				for k := range after {
					if !map[string]bool{"state": true, "channel": true, "category": true, "received_on": true, "extension_days": true, "township_id": true, "anonymous": true, "possible_duplicate": true}[k] {
						t.Errorf("%s reads %s of a petition", who, k)
					}
				}
				if e["entity_id"] == online.ID && e["action"] == "submit" {
					if actor := e["actor"].(map[string]any); actor["kind"] != "petitioner" || actor["id"] != nil || actor["name"] != nil {
						t.Errorf("%s reads the villager who submitted: %v", who, actor)
					}
				}
				if e["entity_id"] == letter.ID && e["action"] == "withdraw" {
					if actor := e["actor"].(map[string]any); actor["kind"] != "petitioner" {
						t.Errorf("%s: the petitioner by code and PIN: %v", who, actor)
					}
				}
			}
			for _, a := range []string{"submit", "withdraw", "reissue_pin"} {
				if !kinds[a] {
					t.Errorf("%s finds no %s of a petition", who, a)
				}
			}
		}

		// Filters.
		count := func(tok, q string) int {
			items, _ := readLog(t, env, tok, q, 200)
			return len(items)
		}
		byOfficer, _ := readLog(t, env, admin, "actor="+w.officer.ID, 200)
		if len(byOfficer) != 3 { // two letters registered, a PIN re-issued
			t.Errorf("the officer's changes: %d", len(byOfficer))
		}
		for _, e := range byOfficer {
			if a := e["actor"].(map[string]any); a["id"] != w.officer.ID || a["kind"] != "user" || a["role"] != "petition_officer" || a["name"] != w.officer.DisplayName {
				t.Errorf("actor filter: %v", a)
			}
		}
		today := env.Clock.Now().In(env.Loc).Format("2006-01-02")
		yesterday := env.Clock.Now().In(env.Loc).AddDate(0, 0, -1).Format("2006-01-02")
		tomorrow := env.Clock.Now().In(env.Loc).AddDate(0, 0, 1).Format("2006-01-02")
		for q, want := range map[string]int{
			"actor=" + w.villager.ID:                     0, // a villager is not picked out
			"action=reissue_pin":                         1,
			"entity=petition&entity_id=" + letter.ID:     2, // submit, withdraw
			"entity=user&action=create":                  14,
			"township_id=" + w.other.ID:                  3, // the other township, its official and officer
			"from=" + tomorrow:                           0,
			"to=" + yesterday:                            0,
			"from=" + today + "&to=" + today:             int(total),
			"action=submit&entity=petition&to=" + today:  3,
			"actor=system&entity=township":               2,
			"entity_id=" + url.QueryEscape("no such id"): 0,
		} {
			if got := count(admin, q); got != want {
				t.Errorf("activity?%s: %d entries, want %d", q, got, want)
			}
		}

		// A petition that names the reader is not in their log, by any filter.
		for _, u := range []domain.User{namedAdmin, namedInspector} {
			tok := w.tok(u)
			if n := count(tok, "entity_id="+named.ID); n != 0 {
				t.Errorf("%s named in a petition reads its %d entries", u.Role, n)
			}
			if _, bodies := readLog(t, env, tok, "", 200); strings.Contains(bodies, named.ID) {
				t.Errorf("%s named in a petition finds its id in the log", u.Role)
			}
		}
		if n := count(admin, "entity_id="+named.ID); n != 1 {
			t.Errorf("another admin reads %d entries of the petition, want 1", n)
		}

		// Bad filters are 422 naming the parameter.
		for q, field := range map[string]string{
			"actor=abc": "actor", "action=" + url.QueryEscape("DROP TABLE"): "action", "entity=%25": "entity", "township_id=x": "township_id",
			"from=2026-13-01": "from", "to=tomorrow": "to", "from=2026-11-02&to=2026-11-01": "to", "limit=0": "limit", "limit=201": "limit",
			"cursor=abc": "cursor", "cursor=-5": "cursor", "cursor=007": "cursor", "entity_id=" + url.QueryEscape("a\x00b"): "entity_id",
		} {
			r := env.Get("/api/v1/activity?"+q, admin)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"`+field+`"`) {
				t.Errorf("activity?%s: %d %s, want 422 naming %s", q, r.Status, r.Body, field)
			}
		}

		// The chain: whole, then broken by an edit made straight in the database.
		v := env.Get("/api/v1/activity/verify", inspector).Map(t)
		if v["intact"] != true || v["entries"].(float64) != float64(total) || v["head_seq"].(float64) != float64(total) || v["broken"] != nil || len(v["head_hash"].(string)) != 64 {
			t.Errorf("verify: %v", v)
		}
		if err := env.Store.RawExec(context.Background(), `UPDATE activity_log SET after = '{"state":"closed"}' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		v = env.Get("/api/v1/activity/verify", admin).Map(t)
		broken, _ := v["broken"].(map[string]any)
		if v["intact"] != false || broken == nil || broken["seq"].(float64) != 3 || !strings.Contains(broken["reason"].(string), "edited") {
			t.Errorf("verify after an edit: %v", v)
		}
	})
}
