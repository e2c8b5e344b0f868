package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// A Statement writes a row exactly as gorm's Create does, and its log entry with it; it
// writes nothing when the config token changed after the cache was read, nothing after an
// insert that conflicts, and nothing at all when an OnlyWith condition fails.
func TestStatementWritesAsGormDoesOrNothing(t *testing.T) {
	env := apitest.New(t, "postgres")
	ctx := context.Background()
	if _, ok := env.Store.Optimistic(ctx); ok {
		t.Fatal("an optimistic Tx before the config cache holds a token")
	}
	town := env.Township("甲镇", 30, 120)
	official := env.User(domain.RoleOfficial, town.ID, "team_member").Actor()
	admin := env.User(domain.RoleAdmin, "").Actor()
	if _, err := env.Store.SettingsOn(ctx, env.Store.Today()); err != nil {
		t.Fatal(err)
	}
	// The same attachment, through gorm and through a Statement.
	viaGorm, err := env.Store.CreateAttachment(ctx, official, store.Blob{SHA256: strings.Repeat("ab", 32), ContentType: "image/jpeg", Size: 7})
	if err != nil {
		t.Fatal(err)
	}
	row := viaGorm
	row.ID = domain.NewID()
	tx, ok := env.Store.Optimistic(ctx)
	if !ok {
		t.Fatal("no optimistic Tx on PostgreSQL with a cached token")
	}
	write := func(tx *store.Tx, row store.Attachment, extra func(*store.Statement)) (store.Wrote, error) {
		st := tx.NewStatement()
		if err := st.Insert("attachment", store.ConfigCurrent, &row, true); err != nil {
			t.Fatal(err)
		}
		if err := st.Log("attachment", store.Change{Actor: official.UserID, Action: "create", Entity: "attachment", EntityID: row.ID, TownshipID: row.TownshipID, After: row}); err != nil {
			t.Fatal(err)
		}
		if extra != nil {
			extra(st)
		}
		return st.Run()
	}
	if wrote, err := write(tx, row, nil); err != nil || !wrote[store.ConfigCurrent] || !wrote["attachment"] || !wrote["log_attachment"] {
		t.Fatalf("statement: %v %v", wrote, err)
	}
	stored := func(id string) string {
		var rows []map[string]any
		if err := env.Store.RawScan(ctx, &rows, "SELECT sha256, content_type, size, uploaded_by, township_id, linked_at, created_at FROM attachments WHERE id = ?", id); err != nil || len(rows) != 1 {
			t.Fatalf("attachment %s: %v %v", id, rows, err)
		}
		b, _ := json.Marshal(rows[0])
		return string(b)
	}
	if a, b := stored(viaGorm.ID), stored(row.ID); a != b {
		t.Errorf("through gorm %s\nthrough a statement %s", a, b)
	}
	entries := func() int64 {
		if _, err := env.Store.SealLog(ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := env.Store.RawCount(ctx, "activity_log", &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := entries()
	history, err := env.Store.ActivityFor(ctx, "attachment", row.ID)
	if err != nil || len(history) != 1 || history[0].After != store.JSONText(row) || !history[0].At.Equal(tx.Now) {
		t.Errorf("log entry: %+v %v", history, err)
	}

	// The same id again: the insert conflicts, and nothing is written.
	if wrote, err := write(tx, row, nil); err != nil || !wrote[store.ConfigCurrent] || wrote["attachment"] || wrote["log_attachment"] {
		t.Errorf("conflicting statement: %v %v", wrote, err)
	}
	// A trigger closed only with its visit: here an update that must not stand without the
	// insert, which conflicts; the statement fails and the update is undone.
	_, err = write(tx, row, func(st *store.Statement) {
		if err := st.Update("touch", store.ConfigCurrent, &store.Attachment{}, map[string]any{"size": 99}, "id = ?", viaGorm.ID); err != nil {
			t.Fatal(err)
		}
		st.OnlyWith("touch", "attachment")
	})
	if !store.Aborted(err) {
		t.Errorf("OnlyWith: %v", err)
	}
	if a := stored(viaGorm.ID); a != stored(row.ID) {
		t.Errorf("an aborted statement changed a row: %s", a)
	}

	// A config change after the cache was read: the statement writes nothing.
	stale, _ := env.Store.Optimistic(ctx)
	if _, err := env.Store.PutSetting(ctx, admin, store.SettingInput{Key: "overnight.nights_per_week", Value: json.RawMessage(`3`), EffectiveFrom: env.Store.Today()}); err != nil {
		t.Fatal(err)
	}
	fresh := row
	fresh.ID = domain.NewID()
	if wrote, err := write(stale, fresh, nil); err != nil || wrote[store.ConfigCurrent] || wrote["attachment"] || wrote["log_attachment"] {
		t.Errorf("statement under a stale token: %v %v", wrote, err)
	}
	var n int64
	if err := env.Store.RawScan(ctx, &n, "SELECT count(*) FROM attachments WHERE id = ?", fresh.ID); err != nil || n != 0 {
		t.Errorf("written under a stale token: %d %v", n, err)
	}
	if after := entries(); after != before+1 { // the setting's entry, nothing else
		t.Errorf("log entries: %d, then %d", before, after)
	}
	if broken, _, err := env.Store.VerifyLog(ctx); err != nil || broken != nil {
		t.Errorf("log: %v %v", broken, err)
	}
}
