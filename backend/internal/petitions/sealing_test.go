package petitions_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// stored reads a petition's identity columns as they are in the database.
type stored struct {
	Name, Phone, Index *string
}

func storedIdentity(t *testing.T, env *apitest.Env, id string) stored {
	t.Helper()
	var s stored
	err := env.Store.Reader(context.Background()).DB.Raw(`SELECT petitioner_name AS name, petitioner_phone AS phone,
		petitioner_phone_index AS "index" FROM petitions WHERE id = ?`, id).Scan(&s).Error
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countWith counts the rows of a table whose text columns hold s.
func countWith(t *testing.T, env *apitest.Env, table string, columns []string, s string) int64 {
	t.Helper()
	q := env.Store.Reader(context.Background()).DB.Table(table)
	cond := q.Session(&gorm.Session{NewDB: true})
	for i, c := range columns {
		if i == 0 {
			cond = cond.Where(c+" LIKE ?", "%"+s+"%")
		} else {
			cond = cond.Or(c+" LIKE ?", "%"+s+"%")
		}
	}
	var n int64
	if err := q.Where(cond).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A petitioner's name and phone are sealed in the petition's row, in the activity log's copies
// and in the limit of submissions per phone; the API reads them back in full for the office,
// masked for the township's officials, exactly as before; the same phone is still found a
// duplicate.
func TestIdentitySealedAtRest(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		official := env.User(domain.RoleOfficial, town.ID)
		body := func(subject string) map[string]any {
			return map[string]any{"channel": "online", "township_id": town.ID, "category": "land",
				"subject": subject, "text": "我家承包地被占用三年，至今没有补偿，请求核查处理。",
				"petitioner": map[string]any{"name": "欧阳明远", "phone": "13912345678"}}
		}
		first := created(t, env.Post("/api/v1/petitions", "", body("承包地被占用")))
		second := created(t, env.Post("/api/v1/petitions", "", body("承包地被占用未补偿")))
		tok := env.Token(officer)
		if r := env.Post("/api/v1/petitions/"+first+"/accept", tok, map[string]any{"note": "受理"}); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		for _, id := range []string{first, second} {
			s := storedIdentity(t, env, id)
			if s.Name == nil || s.Phone == nil || s.Index == nil || !seal.IsSealed(*s.Name) || !seal.IsSealed(*s.Phone) ||
				!strings.HasPrefix(*s.Index, seal.IndexedWith(env.Keys.Current())) {
				t.Fatalf("stored identity of %s: %+v", id, s)
			}
		}
		if _, err := env.Store.SealLog(ctx); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"欧阳明远", "13912345678", "2345678"} {
			for table, cols := range map[string][]string{"petitions": {"petitioner_name", "petitioner_phone", "petitioner_phone_index", "subject", "text"},
				"activity_log": {"before", "after"}, "activity_pending": {"before", "after"}, "rate_events": {"key"}, "petition_events": {"note", "text", "reason"}} {
				if n := countWith(t, env, table, cols, secret); n != 0 {
					t.Errorf("%d rows of %s hold %q", n, table, secret)
				}
			}
		}
		var limited int64
		env.Store.Reader(ctx).DB.Table("rate_events").Where("bucket = ? AND key LIKE ?", "petition_submit_phone", "h1:%").Count(&limited)
		if limited != 2 {
			t.Errorf("%d submissions counted against the phone's index, want 2", limited)
		}
		// The log's copies are sealed, and the chain holds.
		entries, err := env.Store.ActivityFor(ctx, "petition", first)
		if err != nil || len(entries) != 2 || len(seal.FindAll(entries[0].After)) != 2 || len(seal.FindAll(entries[1].Before)) != 2 {
			t.Fatalf("log of the petition: %d entries, %v", len(entries), err)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Fatalf("log: %+v %v", broken, err)
		}

		full := env.Get("/api/v1/petitions/"+second, tok).Map(t)
		who := full["petitioner"].(map[string]any)
		if who["name"] != "欧阳明远" || who["phone"] != "13912345678" || full["petitioner_masked"] != false {
			t.Errorf("the office reads %v", full["petitioner"])
		}
		if full["possible_duplicate"] != true || full["duplicate_of"] != first {
			t.Errorf("the same phone is not found a duplicate: %v %v", full["possible_duplicate"], full["duplicate_of"])
		}
		masked := env.Get("/api/v1/petitions/"+second, env.Token(official)).Map(t)
		if w := masked["petitioner"].(map[string]any); w["name"] != "欧**" || w["phone"] != "139****5678" || masked["petitioner_masked"] != true {
			t.Errorf("an official reads %v", masked["petitioner"])
		}
		list := env.Get("/api/v1/petitions?township_id="+town.ID, tok).Map(t)
		for _, x := range list["items"].([]any) {
			if p := x.(map[string]any)["petitioner"].(map[string]any); p["phone"] != "13912345678" {
				t.Errorf("the list reads %v", p)
			}
		}
	})
}

// Rows kept in clear by a version before sealing — petitions, the activity log's entries
// already chained and those pending, the limit per phone — are sealed when the service starts;
// the chain is hashed again from the first one it changed and verifies; a second start changes
// nothing; everything reads back.
func TestPlaintextSealedAtStart(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		tok := env.Token(officer)
		var ids []string
		for i := range 3 {
			ids = append(ids, created(t, env.Post("/api/v1/petitions", tok, letterBody(town.ID, i))))
		}
		if _, err := env.Store.SealLog(ctx); err != nil {
			t.Fatal(err)
		}
		// What an older version wrote: identities in clear in the rows and in the log, whose
		// chain hashed them in clear, and the phone itself as the rate limit's key.
		db := env.Store.Reader(ctx).DB
		for i, id := range ids {
			if err := db.Exec(`UPDATE petitions SET petitioner_name = '张三', petitioner_phone = ?, petitioner_phone_index = NULL WHERE id = ?`,
				"1380000000"+string(rune('0'+i)), id).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(`DELETE FROM activity_log`).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(`UPDATE activity_head SET seq = 0, hash = ''`).Error; err != nil {
			t.Fatal(err)
		}
		writeOld := func(id, after string) {
			if err := db.Exec(`INSERT INTO activity_pending (id, at, actor_id, action, entity, entity_id, before, after)
				VALUES (?, ?, 'system', 'submit', 'petition', ?, 'null', ?)`, domain.NewID(), env.Store.Now(), id, after).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i, id := range ids {
			writeOld(id, `{"petition":{"id":"`+id+`","petitioner_name":"张三","petitioner_phone":"1380000000`+string(rune('0'+i))+`","subject":"x"}}`)
		}
		if _, err := env.Store.SealLog(ctx); err != nil { // chained in clear, as before
			t.Fatal(err)
		}
		env.Post("/api/v1/townships", env.Token(env.User(domain.RoleAdmin, "")), map[string]any{"name": "乙镇", "lat": 31, "lng": 121, "radius_m": 3000})
		writeOld(ids[0], `{"petition":{"id":"`+ids[0]+`","petitioner_name":"张三","petitioner_phone":"13800000000"}}`) // still pending
		if err := db.Exec(`INSERT INTO rate_events (id, bucket, key, at) VALUES (?, 'petition_submit_phone', '13800000000', ?)`, domain.NewID(), env.Store.Now()).Error; err != nil {
			t.Fatal(err)
		}
		if broken, _, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Fatalf("the old log does not verify before the start: %+v %v", broken, err)
		}

		if _, err := env.App.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for table, cols := range map[string][]string{"petitions": {"petitioner_name", "petitioner_phone"},
			"activity_log": {"before", "after"}, "activity_pending": {"before", "after"}, "rate_events": {"key"}} {
			for _, secret := range []string{"张三", "138000000"} {
				if n := countWith(t, env, table, cols, secret); n != 0 {
					t.Errorf("%d rows of %s still hold %q", n, table, secret)
				}
			}
		}
		if broken, n, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Fatalf("the log after sealing: %+v %v (%d entries)", broken, err, n)
		}
		var notes int64
		db.Table("activity_log").Where("action = 'seal_in_clear' AND entity = 'activity_log'").Count(&notes)
		if notes != 1 {
			t.Errorf("%d log entries record the sealing, want 1", notes)
		}
		for i, id := range ids {
			p := env.Get("/api/v1/petitions/"+id, tok).Map(t)["petitioner"].(map[string]any)
			if p["name"] != "张三" || p["phone"] != "1380000000"+string(rune('0'+i)) {
				t.Errorf("%s reads back %v", id, p)
			}
		}
		entries, _ := env.Store.ActivityFor(ctx, "petition", ids[1])
		if len(entries) != 1 {
			t.Fatalf("log of %s: %d entries", ids[1], len(entries))
		}
		for _, v := range seal.FindAll(entries[0].After) {
			if plain, err := env.Keys.Open(v, seal.Portable); err != nil || (plain != "张三" && plain != "13800000001") {
				t.Errorf("a sealed copy in the log opens as %q, %v", plain, err)
			}
		}
		// A second start changes nothing.
		if n, err := env.App.Petitions.SealIdentities(ctx); n != 0 || err != nil {
			t.Errorf("a second run changed %d rows, %v", n, err)
		}
		if _, err := env.App.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		db.Table("activity_log").Where("action = 'seal_in_clear'").Count(&notes)
		if broken, _, _ := env.Store.VerifyLog(ctx); notes != 1 || broken != nil {
			t.Errorf("after a second start: %d notes, %+v", notes, broken)
		}
		// The duplicate rule finds the phone sealed at start.
		dup := created(t, env.Post("/api/v1/petitions", tok, letterBody(town.ID, 0)))
		if p := env.Get("/api/v1/petitions/"+dup, tok).Map(t); p["duplicate_of"] != ids[0] {
			t.Errorf("a petition of a phone sealed at start is linked to %v, want %s", p["duplicate_of"], ids[0])
		}
	})
}
