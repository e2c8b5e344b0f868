package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// databaseBytes is everything the database keeps: pg_dump of the test's PostgreSQL database,
// or the embedded database's files (the SQLite file and its write-ahead log).
func databaseBytes(t *testing.T, env *apitest.Env) []byte {
	t.Helper()
	if env.DatabaseURL != "" {
		out, err := exec.Command("pg_dump", "--no-owner", env.DatabaseURL).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if !bytes.Contains(out, []byte("COPY public.petitions")) {
			t.Fatalf("pg_dump wrote no petitions:\n%.500s", out)
		}
		return out
	}
	files, _ := filepath.Glob(filepath.Join(env.DataDir, "minxin.db*"))
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if len(files) == 0 || len(all) == 0 {
		t.Fatalf("no database files in %s", env.DataDir)
	}
	return all
}

// The Done-means test of issue 15: after petitions with identities through every kind of
// petitioner, the office's and the petitioner's steps up to the re-review, duplicates, kept
// answers of Idempotency-Keys and every export, a dump of the PostgreSQL database (pg_dump),
// and the bytes of the SQLite file, hold no petitioner's name or phone; everything reads back
// through the API, in full for the office and masked for the township's officials.
func TestDumpHoldsNoPetitioner(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		w := newPetitionWorld(t, env)
		type who struct{ name, phone string }
		a := who{"欧阳明远", "13911112222"}
		b := who{"司马青云", "13733334444"}
		c := who{"诸葛文华", "15055556666"}
		d := who{"上官婉儿", "18877778888"}
		body := func(channel string, p who, subject string) map[string]any {
			return map[string]any{"channel": channel, "township_id": w.town.ID, "category": "land", "subject": subject,
				"text": "我家承包地被村里占用修路，三年没有补偿，请求核查处理。", "petitioner": map[string]any{"name": p.name, "phone": p.phone}}
		}

		// A letter the office registers, taken through every step to the re-review.
		letter := w.submit(t, w.tok(w.officer), body("letter", a, "承包地被占用"))
		bb := w.bodies()
		kept := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions/" + letter.ID + "/accept", Token: w.tok(w.officer),
			Header: map[string]string{"Idempotency-Key": "accept-" + letter.ID}, Body: bb["accept"]})
		if kept.Status != http.StatusOK || !strings.Contains(string(kept.Body), a.phone) {
			t.Fatalf("accept with a key: %d %s", kept.Status, kept.Body)
		}
		for _, action := range []string{"assign", "reply", "request-review", "review", "request-rereview", "rereview", "feedback"} {
			w.step(t, letter, action, w.actorOf(action, ""), bb[action])
		}
		// A villager without an account, twice: the second is found a duplicate.
		online := w.submit(t, "", body("online", b, "承包地被占用"))
		again := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions", Header: map[string]string{"Idempotency-Key": domain.NewID()},
			Body: body("online", b, "承包地被占用，再次反映")})
		if again.Status != http.StatusCreated {
			t.Fatalf("again: %d %s", again.Status, again.Body)
		}
		againID := again.Map(t)["id"].(string)
		w.step(t, online, "withdraw", nil, bb["withdraw"])
		// A villager with an account; a call the office registers for a household.
		mine := w.submit(t, w.tok(w.villager), body("online", c, "宅基地纠纷"))
		call := body("phone", d, "低保申请")
		call["household_id"] = w.household.ID
		phoned := w.submit(t, w.tok(w.officer), call)
		anonymous := w.submit(t, "", map[string]any{"channel": "online", "township_id": w.town.ID, "category": "conduct", "subject": "干部作风",
			"text": "有干部办事收好处费。", "anonymous": true, "about_official_ids": []string{w.about.ID}})
		// The exports.
		period := "from=" + env.Store.Today().AddDays(-30).String() + "&to=" + env.Store.Today().String()
		for _, path := range []string{"/api/v1/petitions/figures?" + period, "/api/v1/scorecards?township_id=" + w.town.ID + "&" + period, "/api/v1/scorecards?" + period} {
			for _, format := range []string{"csv", "xlsx"} {
				if r := env.Get(path+"&format="+format, w.tok(w.inspector)); r.Status != http.StatusOK {
					t.Fatalf("%s %s: %d", path, format, r.Status)
				}
			}
		}
		if _, err := env.Store.SealLog(context.Background()); err != nil {
			t.Fatal(err)
		}

		// Everything reads back.
		full := map[string]who{letter.ID: a, online.ID: b, againID: b, mine.ID: c, phoned.ID: d}
		for id, p := range full {
			got := env.Get("/api/v1/petitions/"+id, w.tok(w.officer)).Map(t)
			pet, _ := got["petitioner"].(map[string]any)
			if pet["name"] != p.name || pet["phone"] != p.phone || got["petitioner_masked"] != false {
				t.Errorf("%s reads back %v, want %v", id, got["petitioner"], p)
			}
			masked := env.Get("/api/v1/petitions/"+id, w.tok(w.official)).Map(t)
			mp, _ := masked["petitioner"].(map[string]any)
			if mp["name"] != string([]rune(p.name)[:1])+"**" || mp["phone"] != p.phone[:3]+"****"+p.phone[7:] || masked["household_id"] != nil {
				t.Errorf("%s reads masked %v (household %v)", id, masked["petitioner"], masked["household_id"])
			}
		}
		if dup := env.Get("/api/v1/petitions/"+againID, w.tok(w.officer)).Map(t); dup["duplicate_of"] != online.ID {
			t.Errorf("the second petition of %s is linked to %v", b.phone, dup["duplicate_of"])
		}
		if got := env.Get("/api/v1/petitions/"+letter.ID, w.tok(w.officer)).Map(t); got["state"] != "rereviewed" || len(got["events"].([]any)) != 9 {
			t.Errorf("the letter: %v with %d events", got["state"], len(got["events"].([]any)))
		}
		if got := env.Get("/api/v1/petitions/"+anonymous.ID, w.tok(w.officer)).Map(t); got["petitioner"] != nil {
			t.Errorf("the anonymous report names %v", got["petitioner"])
		}
		tracked := env.Get("/api/v1/petitions/track?code="+mine.Code+"&pin="+mine.PIN, "").Map(t)
		if tracked["state"] != "submitted" {
			t.Errorf("tracking: %v", tracked)
		}
		mineList := env.Get("/api/v1/petitions", w.tok(w.villager)).Map(t)["items"].([]any)
		if len(mineList) != 1 || mineList[0].(map[string]any)["petitioner"].(map[string]any)["phone"] != c.phone {
			t.Errorf("the villager's own list: %v", mineList)
		}
		replay := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions/" + letter.ID + "/accept", Token: w.tok(w.officer),
			Header: map[string]string{"Idempotency-Key": "accept-" + letter.ID}, Body: bb["accept"]})
		if replay.Header.Get("Idempotent-Replayed") != "true" || string(replay.Body) != string(kept.Body) {
			t.Errorf("the kept answer: %d %s", replay.Status, replay.Body)
		}
		if broken, _, err := env.Store.VerifyLog(context.Background()); broken != nil || err != nil {
			t.Errorf("log: %+v %v", broken, err)
		}
		// The letter's notices name its petitioner; they read back as issued.
		notices := env.Get("/api/v1/petitions/"+letter.ID+"/notices", w.tok(w.officer)).Map(t)["items"].([]any)
		if len(notices) < 3 {
			t.Fatalf("the letter has %d notices", len(notices))
		}
		for _, it := range notices {
			n := it.(map[string]any)
			pdf := env.Get("/api/v1/notices/"+n["id"].(string), w.tok(w.officer))
			sum := sha256.Sum256(pdf.Body)
			if pdf.Status != http.StatusOK || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || hex.EncodeToString(sum[:]) != n["sha256"] {
				t.Errorf("notice %v: %d, %d bytes, not the PDF issued", n["number"], pdf.Status, len(pdf.Body))
			}
		}

		// And the database holds none of them.
		dump := databaseBytes(t, env)
		for _, p := range []who{a, b, c, d} {
			for _, secret := range []string{p.name, p.phone, p.phone[3:]} {
				if n := bytes.Count(dump, []byte(secret)); n > 0 {
					i := bytes.Index(dump, []byte(secret))
					t.Errorf("the database holds %q %d times, e.g. …%q…", secret, n, dump[max(0, i-120):min(len(dump), i+60)])
				}
			}
		}
		// Nor any notice's PDF in clear (pg_dump writes bytea in hex).
		for _, pdf := range [][]byte{[]byte("%PDF-"), []byte(`\\x255044462d`)} {
			if bytes.Contains(dump, pdf) {
				t.Errorf("the database holds a notice's PDF in clear (%q)", pdf)
			}
		}
		// The test can see what it looks for: the subjects are there, in clear.
		if !bytes.Contains(dump, []byte("承包地被占用")) {
			t.Error("the dump holds no petition's subject: the search is blind")
		}
		t.Logf("%s: %d bytes searched", env.Engine, len(dump))
	})
}
