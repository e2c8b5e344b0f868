package audits

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/sampler"
)

// lines are n manifest lines in ascending order of record id.
func lines(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("visit:%08x-0000-4000-8000-000000000000,t%d", i, i%3)
	}
	return out
}

// withTimeout fails the test when fn does not return in time: a freezer that deadlocks.
func withTimeout(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the freezer did not finish")
	}
}

// The freezer's parts, in order, are the manifest WriteManifest writes, and its hash is theirs.
func TestFreezerPartsAreTheManifest(t *testing.T) {
	defer SetBatches(7, 50)()
	all := lines(100)
	drawer, _ := sampler.NewDrawer("seed", 5, 1)
	var stored bytes.Buffer
	parts := 0
	store := func(p []byte) error {
		if len(p) > manifestPart {
			return fmt.Errorf("part of %d bytes", len(p))
		}
		stored.Write(p)
		parts++
		return nil
	}
	var sum string
	withTimeout(t, func() {
		f := startFreezer(drawer, false)
		defer f.stop()
		for i := 0; i < len(all); i += streamBatch {
			if err := f.send(all[i:min(i+streamBatch, len(all))], store); err != nil {
				t.Error(err)
				return
			}
		}
		var err error
		if sum, err = f.finish(store); err != nil {
			t.Error(err)
		}
	})
	var items []sampler.Item
	for _, l := range all {
		id, township, _ := strings.Cut(l, ",")
		items = append(items, sampler.Item{ID: id, Township: township})
	}
	var want bytes.Buffer
	if err := sampler.WriteManifest(&want, items); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(want.Bytes())
	if !bytes.Equal(stored.Bytes(), want.Bytes()) || sum != hex.EncodeToString(h[:]) || parts != (want.Len()+49)/50 {
		t.Errorf("%d parts, %d bytes, hash %s; want %d bytes, hash %x", parts, stored.Len(), sum, want.Len(), h)
	}
	if drawer.Len() != len(all) || len(drawer.Draws()) != 5 {
		t.Errorf("drawer took %d records, drew %d", drawer.Len(), len(drawer.Draws()))
	}
}

// A line out of order stops the freezer: the next send or the finish fails with the reason,
// and nothing waits forever; a failing store stops it too.
func TestFreezerStops(t *testing.T) {
	defer SetBatches(5, 20)()
	bad := lines(40)
	bad[12], bad[13] = bad[13], bad[12]
	drawer, _ := sampler.NewDrawer("seed", 3, 0)
	withTimeout(t, func() {
		f := startFreezer(drawer, false)
		defer f.stop()
		var err error
		for i := 0; i < len(bad) && err == nil; i += streamBatch {
			err = f.send(bad[i:i+streamBatch], func([]byte) error { return nil })
		}
		if err == nil {
			_, err = f.finish(func([]byte) error { return nil })
		}
		if err == nil || !strings.Contains(err.Error(), "ascending") {
			t.Errorf("out of order: %v", err)
		}
	})

	broken := errors.New("disk full")
	drawer, _ = sampler.NewDrawer("seed", 3, 0)
	withTimeout(t, func() {
		f := startFreezer(drawer, false)
		defer f.stop()
		all := lines(200)
		var err error
		for i := 0; i < len(all) && err == nil; i += streamBatch {
			err = f.send(all[i:i+streamBatch], func([]byte) error { return broken })
		}
		if !errors.Is(err, broken) {
			t.Errorf("failing store: %v", err)
		}
	})
}
