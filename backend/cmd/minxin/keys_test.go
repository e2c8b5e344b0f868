package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/config"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// `minxin keys rotate` while petitions are submitted and acted on: every petition reads back
// its petitioner, nothing is left under the old key, which leaves the key file, the log
// verifies, duplicates are still found and a kept answer still replays.
func TestKeysRotateUnderLoad(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		useDatabase(t, env)
		ctx := context.Background()
		cfg, err := config.Load(os.LookupEnv)
		if err != nil {
			t.Fatal(err)
		}
		// The server reads the key file again, as `serve` does every keyReload.
		reloadCtx, stopReload := context.WithCancel(ctx)
		defer stopReload()
		go func() {
			for reloadCtx.Err() == nil {
				if _, err := cfg.ReloadKeys(env.Keys); err != nil {
					t.Errorf("reload: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		oldKey := env.Keys.Current()
		town := env.Township("甲镇", 30, 120)
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		tok := env.Token(officer)
		type filed struct{ id, name, phone string }
		var (
			mu  sync.Mutex
			all []filed
		)
		submit := func(i int) (filed, bool) {
			f := filed{name: fmt.Sprintf("司马%d", i), phone: fmt.Sprintf("1390000%04d", i)}
			r := env.Post("/api/v1/petitions", tok, map[string]any{"channel": "letter", "township_id": town.ID, "category": "land",
				"subject": fmt.Sprintf("第%d号来信", i), "text": fmt.Sprintf("关于第%d块承包地的问题。", i),
				"petitioner": map[string]any{"name": f.name, "phone": f.phone}})
			if r.Status != 201 {
				t.Errorf("submit %d: %d %s", i, r.Status, r.Body)
				return f, false
			}
			f.id = r.Map(t)["id"].(string)
			if r := env.Post("/api/v1/petitions/"+f.id+"/accept", tok, map[string]any{"note": "受理"}); r.Status != 200 {
				t.Errorf("accept %d: %d %s", i, r.Status, r.Body)
			}
			mu.Lock()
			all = append(all, f)
			mu.Unlock()
			return f, true
		}
		for i := range 30 {
			submit(i)
		}
		idem := apitest.Request{Method: "POST", Path: "/api/v1/petitions", Token: tok, Header: map[string]string{"Idempotency-Key": "rotate-1"},
			Body: map[string]any{"channel": "letter", "township_id": town.ID, "category": "land", "subject": "保留的答复", "text": "一封信。",
				"petitioner": map[string]any{"name": "诸葛亮", "phone": "13700000001"}}}
		kept := env.Do(idem)
		if kept.Status != 201 {
			t.Fatalf("idempotent submit: %d %s", kept.Status, kept.Body)
		}

		var wg sync.WaitGroup
		done := make(chan struct{})
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 1000 * (w + 1); ; i++ {
					select {
					case <-done:
						return
					default:
					}
					submit(i)
				}
			}()
		}
		code, out, err := runCLI(t, "", "keys", "rotate", "--wait", "1s")
		close(done)
		wg.Wait()
		if err != nil || code != 0 {
			t.Fatalf("keys rotate: %d %v\n%s", code, err, out)
		}
		t.Logf("%d petitions; keys rotate:\n%s", len(all), out)
		newKey := env.Keys.Current()
		if newKey == oldKey || !strings.Contains(out, "retired ["+oldKey+"]") {
			t.Fatalf("the key did not change: %s → %s", oldKey, newKey)
		}
		keys, err := cfg.ReadKeys()
		if err != nil || len(keys) != 1 || keys[0].ID() != newKey {
			t.Fatalf("key file after the rotation: %v %v", keys, err)
		}
		// The server holds the new key only (reloaded), and everything opens under it.
		time.Sleep(100 * time.Millisecond)
		if env.Keys.Has(oldKey) {
			t.Fatalf("the server still holds the old key: %v", env.Keys.IDs())
		}
		if n, err := env.App.SealedUnder(ctx, oldKey); n != 0 || err != nil {
			t.Fatalf("%d rows still under the old key, %v", n, err)
		}
		for _, f := range all {
			p := env.Get("/api/v1/petitions/"+f.id, tok).Map(t)
			if who, _ := p["petitioner"].(map[string]any); who["name"] != f.name || who["phone"] != f.phone || p["state"] != "accepted" {
				t.Errorf("%s reads back %v in state %v, want %s %s", f.id, p["petitioner"], p["state"], f.name, f.phone)
			}
		}
		for _, f := range all[:5] { // the acceptance notices, which name the petitioners, open too
			items := env.Get("/api/v1/petitions/"+f.id+"/notices", tok).Map(t)["items"].([]any)
			for _, it := range items {
				if r := env.Get("/api/v1/notices/"+it.(map[string]any)["id"].(string), tok); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
					t.Errorf("a notice of %s after the rotation: %d", f.id, r.Status)
				}
			}
			if len(items) != 1 {
				t.Errorf("%s has %d notices", f.id, len(items))
			}
		}
		if broken, n, err := env.Store.VerifyLog(ctx); broken != nil || err != nil {
			t.Fatalf("log after the rotation: %+v %v (%d entries)", broken, err, n)
		}
		if code, out, _ := runCLI(t, "", "keys", "status"); code != 0 || !strings.Contains(out, newKey+"  current") || strings.Contains(out, oldKey) {
			t.Errorf("keys status: %d\n%s", code, out)
		}
		// A petition of a phone filed before the rotation is found its duplicate.
		dup := env.Post("/api/v1/petitions", tok, map[string]any{"channel": "letter", "township_id": town.ID, "category": "land",
			"subject": "第3号来信", "text": "关于第3块承包地的问题。", "petitioner": map[string]any{"name": "司马3", "phone": "13900000003"}})
		if p := env.Get("/api/v1/petitions/"+dup.Map(t)["id"].(string), tok).Map(t); p["duplicate_of"] != all[3].id {
			t.Errorf("duplicate after the rotation: %v, want %s", p["duplicate_of"], all[3].id)
		}
		again := env.Do(idem)
		if again.Status != 201 || string(again.Body) != string(kept.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the kept answer after the rotation: %d %s", again.Status, again.Body)
		}
		// Every value in the database is sealed under the new key.
		var names []string
		env.Store.Reader(ctx).DB.Table("petitions").Pluck("petitioner_name", &names)
		for _, n := range names {
			if k, _ := seal.KeyOf(n); k != newKey {
				t.Errorf("a name under %q", k)
			}
		}
	})
}

// `keys vapid` prints a new VAPID private key each time, one the configuration accepts.
func TestKeysVAPID(t *testing.T) {
	_, a, err := runCLI(t, "", "keys", "vapid")
	if err != nil {
		t.Fatal(err)
	}
	_, b, _ := runCLI(t, "", "keys", "vapid")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == b || len(a) != 43 {
		t.Fatalf("keys: %q %q", a, b)
	}
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"MINXIN_VAPID_PRIVATE_KEY": a}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := cfg.VAPID(); err != nil || v.PrivateKey != a || len(v.PublicKey) != 87 {
		t.Fatalf("the printed key: %+v %v", v, err)
	}
}
