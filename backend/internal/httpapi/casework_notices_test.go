package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// pdfText is the text of a PDF as poppler-utils' pdftotext reads it, with all white space
// dropped so that text broken over lines compares with the text given. Without pdftotext the
// test fails: a skipped check proves nothing (.ci/run installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is not installed (apt-get install poppler-utils; .ci/run installs it)")
	}
	file := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// notices lists a petition's notices as a user.
func (w *petitionWorld) notices(t *testing.T, p sent, as domain.User) []map[string]any {
	t.Helper()
	r := w.env.Get("/api/v1/petitions/"+p.ID+"/notices", w.tok(as))
	if r.Status != http.StatusOK {
		t.Fatalf("notices of %s: %d %s", p.Code, r.Status, r.Body)
	}
	var out []map[string]any
	for _, x := range r.Map(t)["items"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// noticePDF downloads a notice as a user and checks what every download carries.
func (w *petitionWorld) noticePDF(t *testing.T, n map[string]any, as domain.User) []byte {
	t.Helper()
	r := w.env.Get("/api/v1/notices/"+n["id"].(string), w.tok(as))
	if r.Status != http.StatusOK {
		t.Fatalf("notice %s: %d %s", n["number"], r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Errorf("notice %s: %s, %q…", n["number"], ct, r.Body[:min(len(r.Body), 8)])
	}
	if got := sha(r.Body); got != n["sha256"] || r.Header.Get("ETag") != `"`+got+`"` || len(r.Body) != int(n["size"].(float64)) {
		t.Errorf("notice %s: SHA-256 %s, ETag %s, %d bytes; listed %v, %v bytes", n["number"], got, r.Header.Get("ETag"), len(r.Body), n["sha256"], n["size"])
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+n["number"].(string)+`.pdf"` {
		t.Errorf("notice %s: Content-Disposition %q", n["number"], cd)
	}
	return r.Body
}

// Every kind of notice (§7), issued by the step that answers the petitioner, read back from
// the stored PDF with pdftotext: title, number, tracking code, issuing office, addressee,
// subject, dates, the decision in full and the date by which the petitioner may act next.
// The same notice fetched twice is the same bytes, which are those issued (a notice is never
// rendered again, even when the township is renamed), and the activity log holds their hash.
func TestNoticeOfEveryKind(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		w := newPetitionWorld(t, env)
		ctx := context.Background()
		b := w.bodies()
		step := func(p sent, action string, as *domain.User, body map[string]any, y int, m, d int) {
			t.Helper()
			env.Clock.Set(at(env, y, time.Month(m), d, 9, 30))
			w.step(t, p, action, as, body)
		}
		// One petition through its whole life: five notices.
		p := w.letter(t, nil)
		step(p, "accept", &w.officer, b["accept"], 2026, 11, 26)
		step(p, "assign", &w.officer, b["assign"], 2026, 11, 27)
		step(p, "extend", &w.officer, b["extend"], 2026, 11, 28)
		step(p, "reply", &w.handler, map[string]any{"text": "经核查，补偿款已于本月拨付。\n请到镇财政所领取。"}, 2026, 12, 1)
		step(p, "request-review", nil, b["request-review"], 2026, 12, 5)
		step(p, "review", &w.officer, map[string]any{"opinion": "经复查，维持原答复意见。"}, 2026, 12, 10)
		step(p, "request-rereview", nil, b["request-rereview"], 2026, 12, 15)
		step(p, "rereview", &w.district, map[string]any{"opinion": "经复核，维持复查意见。"}, 2026, 12, 20)
		// A rejected one, one transferred to an outside body and one to another township,
		// which that township then accepts, and an anonymous report, accepted.
		env.Clock.Set(at(env, 2026, 11, 25, 10, 0))
		q, r, s := w.letter(t, nil), w.letter(t, nil), w.letter(t, nil)
		anon := w.submit(t, "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "conduct",
			"subject": "村干部吃拿卡要", "text": "办事要收好处费。", "anonymous": true})
		step(q, "reject", &w.officer, map[string]any{"reason": "属于民事纠纷", "guidance": "请向县人民法院起诉"}, 2026, 11, 26)
		step(r, "transfer", &w.officer, map[string]any{"to_agency": "县自然资源局", "reason": "涉及土地确权登记"}, 2026, 11, 27)
		step(s, "transfer", &w.officer, map[string]any{"to_township_id": w.other.ID, "reason": "宅基地位于乙镇"}, 2026, 11, 27)
		step(s, "accept", &w.otherOfficer, map[string]any{"note": ""}, 2026, 12, 5)
		step(anon, "accept", &w.admin, map[string]any{"note": "内部备注"}, 2026, 11, 26)

		type want struct {
			kind, title string
			texts       []string // each must appear in the PDF's text
			absent      []string // none may
		}
		common := []string{"查询码：" + p.Code, "张三：", "宅基地补偿款未到位", "你于2026年11月25日提出的"}
		check := func(p sent, as domain.User, wants []want) {
			t.Helper()
			list := w.notices(t, p, as)
			if len(list) != len(wants) {
				t.Fatalf("%s has %d notices, want %d: %v", p.Code, len(list), len(wants), list)
			}
			for i, n := range list {
				wn := wants[i]
				number := p.Code + "-0" + string(rune('1'+i))
				if n["kind"] != wn.kind || n["title"] != wn.title || n["number"] != number {
					t.Errorf("notice %d of %s: %v, want %s %s %s", i+1, p.Code, n, wn.kind, wn.title, number)
				}
				pdf := w.noticePDF(t, n, as)
				text := pdfText(t, pdf)
				for _, s := range append([]string{wn.title, "编号：" + number, "查询码：" + p.Code}, wn.texts...) {
					if !strings.Contains(text, strings.Join(strings.Fields(s), "")) {
						t.Errorf("%s %s lacks %q:\n%s", number, wn.kind, s, text)
					}
				}
				for _, s := range wn.absent {
					if strings.Contains(text, s) {
						t.Errorf("%s %s shows %q", number, wn.kind, s)
					}
				}
				if again := w.noticePDF(t, n, as); !bytes.Equal(again, pdf) {
					t.Errorf("%s: fetched twice, different bytes", number)
				}
				log, err := env.Store.ActivityFor(ctx, "notice", n["id"].(string))
				if err != nil || len(log) != 1 || log[0].Action != "issue" || !strings.Contains(log[0].After, `"sha256":"`+n["sha256"].(string)+`"`) ||
					!strings.Contains(log[0].After, `"number":"`+number+`"`) || !strings.Contains(log[0].After, `"kind":"`+wn.kind+`"`) {
					t.Errorf("%s: activity log %+v, %v", number, log, err)
				}
			}
		}
		check(p, w.officer, []want{
			{"acceptance", "受理告知书", append([]string{"甲镇", "2026年11月26日", "予以受理", "截止日期：2027年1月25日"}, common...), []string{"材料齐全"}},
			{"extension", "延期办理告知书", append([]string{"甲镇", "2026年11月28日", "办理期限延长至2027年2月24日", "延期理由：需要实地测量", "截止日期：2027年2月24日"}, common...), nil},
			{"reply", "信访事项处理意见书", append([]string{"甲镇", "2026年12月1日", "经核查，补偿款已于本月拨付。", "请到镇财政所领取。", "30日内请求复查", "截止日期：2026年12月31日"}, common...), nil},
			{"review", "复查意见书", append([]string{"甲镇", "2026年12月10日", "经复查，维持原答复意见。", "截止日期：2027年1月9日"}, common...), nil},
			{"rereview", "复核意见书", append([]string{"甲镇", "2026年12月20日", "经复核，维持复查意见。", "最终意见"}, common...), []string{"截止日期"}},
		})
		check(q, w.officer, []want{{"non_acceptance", "不予受理告知书", []string{"甲镇", "张三：", "2026年11月26日", "不予受理的理由：属于民事纠纷", "请向县人民法院起诉"}, nil}})
		check(r, w.officer, []want{{"transfer", "转送告知书", []string{"甲镇", "张三：", "2026年11月27日", "转送县自然资源局办理", "涉及土地确权登记"}, []string{"截止日期"}}})
		check(s, w.otherOfficer, []want{
			{"transfer", "转送告知书", []string{"甲镇", "张三：", "2026年11月27日", "转送乙镇办理", "宅基地位于乙镇", "乙镇将自收到之日起15日内决定是否受理", "截止日期：2026年12月12日"}, nil},
			{"acceptance", "受理告知书", []string{"乙镇", "张三：", "2026年12月5日", "截止日期：2027年2月3日"}, []string{"甲镇"}},
		})
		check(anon, w.official, []want{{"acceptance", "受理告知书", []string{"甲镇", "本机关于2026年11月25日收到的关于“村干部吃拿卡要”的匿名信访事项", "2026年11月26日"}, []string{"：本机关", "内部备注"}}})

		// The bytes kept are served: renaming the township changes no notice issued.
		first := w.notices(t, p, w.officer)[0]
		before := w.noticePDF(t, first, w.officer)
		if r := env.Patch("/api/v1/townships/"+w.town.ID, w.tok(w.admin), map[string]any{"name": "新甲镇"}); r.Status != 200 {
			t.Fatalf("rename: %d %s", r.Status, r.Body)
		}
		if after := w.noticePDF(t, first, w.officer); !bytes.Equal(after, before) || strings.Contains(pdfText(t, after), "新甲镇") {
			t.Error("a notice changed when its township was renamed")
		}
		// Bytes that no longer match the SHA-256 issued are never served.
		if err := env.Store.RawExec(ctx, "UPDATE petition_notices SET pdf = ? WHERE id = ?", append(before[:len(before):len(before)], ' '), first["id"]); err != nil {
			t.Fatal(err)
		}
		if r := env.Get("/api/v1/notices/"+first["id"].(string), w.tok(w.officer)); r.Status != http.StatusInternalServerError {
			t.Errorf("tampered notice: %d", r.Status)
		}
		if err := env.Store.RawExec(ctx, "UPDATE petition_notices SET pdf = ? WHERE id = ?", before, first["id"]); err != nil {
			t.Fatal(err)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Errorf("activity log broken: %+v %v", broken, err)
		}
	})
}
