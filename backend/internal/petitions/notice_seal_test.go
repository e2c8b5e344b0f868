package petitions_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// A notice's PDF is kept sealed, bound to its row; one an older version kept in clear is
// sealed at the next start and reads back the same; bytes that do not open are never served.
func TestNoticesSealedAtRest(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		town := env.Township("甲镇", 30, 120)
		tok := env.Token(env.User(domain.RolePetitionOfficer, town.ID))
		var notices []map[string]any
		for i := range 2 {
			id := created(t, env.Post("/api/v1/petitions", tok, letterBody(town.ID, i)))
			if r := env.Post("/api/v1/petitions/"+id+"/accept", tok, map[string]any{"note": "受理"}); r.Status != http.StatusOK {
				t.Fatalf("accept: %d %s", r.Status, r.Body)
			}
			items := env.Get("/api/v1/petitions/"+id+"/notices", tok).Map(t)["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("%d notices after accepting", len(items))
			}
			notices = append(notices, items[0].(map[string]any))
		}
		db := env.Store.Reader(ctx).DB
		stored := func(id string) []byte {
			var b []byte
			if err := db.Table("petition_notices").Where("id = ?", id).Select("pdf").Row().Scan(&b); err != nil {
				t.Fatal(err)
			}
			return b
		}
		read := func(n map[string]any) (int, []byte) {
			r := env.Get("/api/v1/notices/"+n["id"].(string), tok)
			sum := sha256.Sum256(r.Body)
			if r.Status == http.StatusOK && hex.EncodeToString(sum[:]) != n["sha256"] {
				t.Errorf("notice %v served bytes that are not those issued", n["number"])
			}
			return r.Status, r.Body
		}
		cur := env.Keys.Current()
		for _, n := range notices {
			if b := stored(n["id"].(string)); !bytes.HasPrefix(b, []byte(seal.Sealed(cur))) {
				t.Fatalf("notice %v stored as %.20q", n["number"], b)
			}
		}
		if c, err := env.App.SealedUnder(ctx, cur); err != nil || c < 2 {
			t.Errorf("%d rows counted under the key, %v", c, err)
		}

		// What an older version wrote: the first notice's PDF in clear.
		status, plain := read(notices[0])
		if status != http.StatusOK || !bytes.HasPrefix(plain, []byte("%PDF-")) {
			t.Fatalf("notice: %d %.20q", status, plain)
		}
		first := notices[0]["id"].(string)
		if err := db.Exec("UPDATE petition_notices SET pdf = ? WHERE id = ?", plain, first).Error; err != nil {
			t.Fatal(err)
		}
		if status, again := read(notices[0]); status != http.StatusOK || !bytes.Equal(again, plain) {
			t.Errorf("a notice kept in clear reads %d", status)
		}
		if _, err := env.App.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if b := stored(first); !bytes.HasPrefix(b, []byte(seal.Sealed(cur))) || bytes.Contains(b, []byte("%PDF-")) {
			t.Errorf("after the start the notice is stored as %.20q", b)
		}
		if status, again := read(notices[0]); status != http.StatusOK || !bytes.Equal(again, plain) {
			t.Errorf("the notice sealed at start reads %d", status)
		}
		if n, err := env.App.Petitions.SealNotices(ctx); n != 0 || err != nil {
			t.Errorf("a second run sealed %d, %v", n, err)
		}

		// Sealed bytes moved to another notice's row do not open there.
		if err := db.Exec("UPDATE petition_notices SET pdf = ? WHERE id = ?", stored(first), notices[1]["id"]).Error; err != nil {
			t.Fatal(err)
		}
		if status, _ := read(notices[1]); status != http.StatusInternalServerError {
			t.Errorf("another notice's sealed bytes served: %d", status)
		}
	})
}
