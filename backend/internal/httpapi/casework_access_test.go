package httpapi_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// Who reads a notice (§7): exactly who may read its petition — never an official it is about,
// never another township, never an inspector (404 as for a missing one, or 403 for the role) —
// and the PDF, which names the petitioner, as the petitioner is shown: in full to the
// petitioner, the petition officers, the handler and admins; an official of the township who
// reads the petition masked is refused it (403), except for an anonymous report's notice,
// which names nobody. The petitioner without an account reads them with code and PIN; a wrong
// PIN, an unknown code and another petition's notice answer alike.
func TestNoticeAccessByRole(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		w := newPetitionWorld(t, env)
		// A report about w.about, accepted and assigned; the villager's own petition, accepted.
		secret := w.letter(t, map[string]any{"about_official_ids": []string{w.about.ID}})
		w.step(t, secret, "accept", &w.officer, map[string]any{"note": ""})
		w.step(t, secret, "assign", &w.officer, map[string]any{"handler_id": w.handler.ID})
		w.step(t, secret, "extend", &w.officer, map[string]any{"days": 10, "reason": "需要测量"})
		mine := w.submit(t, w.tok(w.villager), map[string]any{"channel": "online", "township_id": w.town.ID, "category": "housing",
			"subject": "危房改造", "text": "房屋漏雨。", "petitioner": map[string]any{"name": "王五", "phone": "13900001111"}})
		w.step(t, mine, "accept", &w.officer, map[string]any{"note": ""})
		anon := w.submit(t, "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "conduct",
			"subject": "干部收礼", "text": "有人收礼。", "anonymous": true})
		w.step(t, anon, "accept", &w.officer, map[string]any{"note": ""})
		notice := w.notices(t, secret, w.admin)[0]
		noticeID := notice["id"].(string)
		anonNotice := w.notices(t, anon, w.admin)[0]["id"].(string)
		mineNotice := w.notices(t, mine, w.admin)[0]["id"].(string)
		missing := domain.NewID()

		// list: GET /petitions/{id}/notices of the secret report; pdf: GET /notices/{id}.
		cases := []struct {
			name      string
			who       domain.User
			list, pdf int
			anonPDF   int
		}{
			{"admin", w.admin, 200, 200, 200},
			{"the township's petition officer", w.officer, 200, 200, 200},
			{"a district petition officer", w.district, 200, 200, 200},
			{"the handler", w.handler, 200, 200, 200},
			{"another official of the township", w.official, 200, 403, 200},
			{"the township's lead", w.lead, 200, 403, 200},
			{"the official the report is about", w.about, 404, 404, 200},
			{"an official of another township", w.otherOfficial, 404, 404, 404},
			{"a petition officer of another township", w.otherOfficer, 404, 404, 404},
			{"an inspector", w.inspector, 403, 403, 403},
			{"a villager who is not the petitioner", w.otherVillager, 404, 404, 404},
		}
		for _, c := range cases {
			tok := w.tok(c.who)
			list := env.Get("/api/v1/petitions/"+secret.ID+"/notices", tok)
			pdf := env.Get("/api/v1/notices/"+noticeID, tok)
			anonPDF := env.Get("/api/v1/notices/"+anonNotice, tok)
			if list.Status != c.list || pdf.Status != c.pdf || anonPDF.Status != c.anonPDF {
				t.Errorf("%s: list %d, PDF %d, anonymous report's PDF %d; want %d, %d, %d (%s %s)", c.name, list.Status, pdf.Status, anonPDF.Status,
					c.list, c.pdf, c.anonPDF, list.Body, pdf.Body)
			}
			// Not found is not told apart from a notice or petition that does not exist.
			if pdf.Status == http.StatusNotFound {
				if none := env.Get("/api/v1/notices/"+missing, tok); !bytes.Equal(none.Body, pdf.Body) {
					t.Errorf("%s: a hidden notice answers %s, a missing one %s", c.name, pdf.Body, none.Body)
				}
				if none := env.Get("/api/v1/petitions/"+missing+"/notices", tok); !bytes.Equal(none.Body, list.Body) {
					t.Errorf("%s: a hidden petition's notices answer %s, a missing one's %s", c.name, list.Body, none.Body)
				}
			}
			if pdf.Status == http.StatusForbidden && c.who.Role == domain.RoleOfficial && pdf.Code() != "petitioner_masked" {
				t.Errorf("%s: %s", c.name, pdf.Body)
			}
		}
		// The villager with an account reads their own notice, not another's.
		if r := env.Get("/api/v1/notices/"+mineNotice, w.tok(w.villager)); r.Status != 200 {
			t.Errorf("the petitioner's own notice: %d %s", r.Status, r.Body)
		}
		if r := env.Get("/api/v1/notices/"+mineNotice, w.tok(w.otherVillager)); r.Status != 404 {
			t.Errorf("another villager's notice: %d", r.Status)
		}
		if r := env.Get("/api/v1/notices/"+mineNotice, ""); r.Status != 401 {
			t.Errorf("a notice without a token: %d", r.Status)
		}

		// The petitioner with code and PIN: the list and each PDF, the same bytes as the office's.
		track := func(p sent, pin, suffix string) apitest.Response {
			return env.Get("/api/v1/petitions/track/notices"+suffix+"?code="+url.QueryEscape(p.Code)+"&pin="+pin, "")
		}
		list := track(secret, secret.PIN, "")
		if list.Status != 200 {
			t.Fatalf("tracked notices: %d %s", list.Status, list.Body)
		}
		items := list.Map(t)["items"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["id"] != noticeID || items[1].(map[string]any)["kind"] != "extension" {
			t.Errorf("tracked notices: %s", list.Body)
		}
		got := track(secret, secret.PIN, "/"+noticeID)
		office := env.Get("/api/v1/notices/"+noticeID, w.tok(w.officer))
		if got.Status != 200 || !bytes.Equal(got.Body, office.Body) || got.Header.Get("ETag") != office.Header.Get("ETag") {
			t.Errorf("tracked notice: %d, %d bytes; the office's %d bytes", got.Status, len(got.Body), len(office.Body))
		}
		if text := pdfText(t, got.Body); !bytes.Contains([]byte(text), []byte("张三：")) {
			t.Errorf("the petitioner does not see their name: %s", text)
		}
		// Another petition's notice with these credentials, a missing notice, a wrong PIN, an
		// unknown code: the same 404.
		wrong := track(secret, "000000", "/"+noticeID)
		for name, r := range map[string]apitest.Response{
			"another petition's notice": track(secret, secret.PIN, "/"+mineNotice),
			"a missing notice":          track(secret, secret.PIN, "/"+missing),
			"an id that is no id":       track(secret, secret.PIN, "/x"),
			"an unknown code":           track(sent{Code: "XF20200101-9999"}, secret.PIN, "/"+noticeID),
		} {
			if r.Status != 404 || !bytes.Equal(r.Body, wrong.Body) {
				t.Errorf("%s: %d %s; a wrong PIN answers %d %s", name, r.Status, r.Body, wrong.Status, wrong.Body)
			}
		}
		// The list answers a wrong PIN as tracking does.
		if r, tr := track(secret, "000001", ""), env.Get("/api/v1/petitions/track?code="+secret.Code+"&pin=000001", ""); r.Status != 404 || !bytes.Equal(r.Body, tr.Body) {
			t.Errorf("a wrong PIN for the list: %d %s; for tracking %s", r.Status, r.Body, tr.Body)
		}
		if r := track(sent{Code: mine.Code}, mine.PIN, "/"+noticeID); r.Status != 404 {
			t.Errorf("another petitioner's code and PIN read the notice: %d", r.Status)
		}
		if r := env.Get("/api/v1/petitions/track/notices?code="+secret.Code, ""); r.Status != 422 {
			t.Errorf("no PIN: %d", r.Status)
		}
		// Wrong PINs are limited as for tracking: 5 an hour per code (3 were wrong above).
		track(secret, "111111", "")
		track(secret, "222222", "/"+noticeID)
		if r := track(secret, secret.PIN, "/"+noticeID); r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Errorf("after 5 wrong PINs: %d", r.Status)
		}
		if r := env.Get("/api/v1/petitions/track?code="+secret.Code+"&pin="+secret.PIN, ""); r.Status != 429 {
			t.Errorf("tracking after 5 wrong PINs for notices: %d", r.Status)
		}
		env.Clock.Advance(time.Hour + time.Second)
		if r := track(secret, secret.PIN, "/"+noticeID); r.Status != 200 {
			t.Errorf("an hour later: %d", r.Status)
		}
		// The anonymous report's notice names nobody, for its petitioner too.
		if r := track(anon, anon.PIN, "/"+anonNotice); r.Status != 200 || bytes.Contains([]byte(pdfText(t, r.Body)), []byte("你于")) {
			t.Errorf("anonymous report's notice by code: %d", r.Status)
		}
	})
}
