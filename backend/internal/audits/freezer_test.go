package audits

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
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

// feed sends lines to a freezer in batches of streamBatch, stopping at the first failure.
func feed(f *freezer, all []string) error {
	for i := 0; i < len(all); i += streamBatch {
		if err := f.send(all[i:min(i+streamBatch, len(all))]); err != nil {
			return err
		}
	}
	return nil
}

// The freezer's parts, in order, are the manifest WriteManifest writes, each at most
// manifestPart bytes, and its hash is theirs; whether the parts are stored apart or not.
func TestFreezerPartsAreTheManifest(t *testing.T) {
	defer SetBatches(7, 50)()
	all := lines(100)
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
	for _, apart := range []bool{false, true} {
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
			f := startFreezer(drawer, store, apart, false)
			defer f.end()
			if err := feed(f, all); err != nil {
				t.Error(err)
			}
			var err error
			if sum, err = f.finish(); err != nil {
				t.Error(err)
			}
		})
		if !bytes.Equal(stored.Bytes(), want.Bytes()) || sum != hex.EncodeToString(h[:]) || parts != (want.Len()+49)/50 {
			t.Errorf("apart %v: %d parts, %d bytes, hash %s; want %d bytes, hash %x", apart, parts, stored.Len(), sum, want.Len(), h)
		}
		if drawer.Len() != len(all) || len(drawer.Draws()) != 5 {
			t.Errorf("apart %v: drawer took %d records, drew %d", apart, drawer.Len(), len(drawer.Draws()))
		}
	}
}

// A line out of order stops the freezer: a send or the finish fails with the reason, and
// nothing waits forever; a failing store stops it too, and no part is stored after it.
func TestFreezerStops(t *testing.T) {
	defer SetBatches(5, 20)()
	for _, apart := range []bool{false, true} {
		bad := lines(40)
		bad[12], bad[13] = bad[13], bad[12]
		drawer, _ := sampler.NewDrawer("seed", 3, 0)
		withTimeout(t, func() {
			f := startFreezer(drawer, func([]byte) error { return nil }, apart, false)
			defer f.end()
			err := feed(f, bad)
			if err == nil {
				_, err = f.finish()
			}
			if err == nil || !strings.Contains(err.Error(), "ascending") {
				t.Errorf("apart %v, out of order: %v", apart, err)
			}
		})

		broken := errors.New("disk full")
		var calls atomic.Int32
		drawer, _ = sampler.NewDrawer("seed", 3, 0)
		withTimeout(t, func() {
			f := startFreezer(drawer, func([]byte) error { calls.Add(1); return broken }, apart, false)
			defer f.end()
			err := feed(f, lines(200))
			if err == nil {
				_, err = f.finish()
			}
			if !errors.Is(err, broken) {
				t.Errorf("apart %v, failing store: %v", apart, err)
			}
		})
		if calls.Load() != 1 {
			t.Errorf("apart %v: %d stores tried, want none after the first failed", apart, calls.Load())
		}
	}
}
