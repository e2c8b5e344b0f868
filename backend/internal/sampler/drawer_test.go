package sampler

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// drawAll feeds items, sorted by ID, to a Drawer.
func drawAll(t *testing.T, seed string, items []Item, size, minimum int) []Draw {
	t.Helper()
	d, err := NewDrawer(seed, size, minimum)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	for _, it := range sorted {
		if err := d.Add(it); err != nil {
			t.Fatal(err)
		}
	}
	if d.Len() != len(items) {
		t.Fatalf("Drawer.Len = %d, want %d", d.Len(), len(items))
	}
	return d.Draws()
}

func TestDrawerAuditVectors(t *testing.T) {
	items := auditItems()
	for _, tt := range []struct{ size, minimum int }{{3, 0}, {3, 2}, {5, 1}, {0, 2}, {20, 0}, {4, 3}, {0, 0}} {
		want, err := Sample(auditSeed, items, tt.size, tt.minimum)
		if err != nil {
			t.Fatal(err)
		}
		if got := drawAll(t, auditSeed, items, tt.size, tt.minimum); !slices.Equal(got, want) {
			t.Errorf("Drawer(size %d, minimum %d) =\n%v\nwant\n%v", tt.size, tt.minimum, got, want)
		}
	}
}

// The Drawer draws what the definition draws, on the reference's full ticket stream.
func TestDrawerMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		n := rng.IntN(300)
		townships := 1 + rng.IntN(8)
		items := make([]Item, n)
		for i := range items {
			items[i] = Item{
				ID:       fmt.Sprintf("overnight_stay:%08x-%04x-4000-8000-%012x", rng.Uint32(), i, rng.Uint64()>>16),
				Township: fmt.Sprintf("township-%d", rng.IntN(townships)),
			}
		}
		seed := fmt.Sprintf("%d-%064x", round, rng.Uint64())
		size, minimum := rng.IntN(n+10), rng.IntN(6)
		got := drawAll(t, seed, items, size, minimum)
		if want := bySpecification(t, seed, items, size, minimum); !slices.Equal(got, want) {
			t.Fatalf("round %d (n %d, size %d, minimum %d): Drawer differs from the definition\ngot  %v\nwant %v", round, n, size, minimum, got, want)
		}
	}
}

func TestDrawerEmptyPopulationAndRepeatedDraws(t *testing.T) {
	d, err := NewDrawer(auditSeed, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Draws(); got == nil || len(got) != 0 {
		t.Errorf("Draws of an empty population = %#v, want an empty non-nil slice", got)
	}
	items := auditItems()
	slices.SortFunc(items, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	for _, it := range items {
		if err := d.Add(it); err != nil {
			t.Fatal(err)
		}
	}
	first, second := d.Draws(), d.Draws()
	if !slices.Equal(first, second) || len(first) != 10 {
		t.Errorf("Draws twice: %v then %v", first, second)
	}
}

func TestDrawerRejects(t *testing.T) {
	for _, tt := range []struct{ size, minimum int }{{-1, 0}, {1, -1}} {
		if _, err := NewDrawer(auditSeed, tt.size, tt.minimum); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Errorf("NewDrawer(%d, %d): %v", tt.size, tt.minimum, err)
		}
	}
	d, _ := NewDrawer(auditSeed, 3, 1)
	if err := d.Add(Item{"b", "t"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ id, wantErr string }{{"b", "duplicate record id \"b\""}, {"a", "record id \"a\" comes after \"b\""}} {
		if err := d.Add(Item{tt.id, "t"}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Add(%q) after \"b\": %v, want %q", tt.id, err, tt.wantErr)
		}
	}
	if d.Len() != 1 || len(d.Draws()) != 1 {
		t.Errorf("a refused item was taken: Len %d, draws %v", d.Len(), d.Draws())
	}
}

// ManifestWriter writes, record by record, the bytes WriteManifest writes; ManifestReader reads
// them back record by record.
func TestManifestWriterAndReader(t *testing.T) {
	for _, items := range [][]Item{nil, auditItems()} {
		var whole, streamed bytes.Buffer
		if err := WriteManifest(&whole, items); err != nil {
			t.Fatal(err)
		}
		sorted := slices.Clone(items)
		slices.SortFunc(sorted, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
		mw := NewManifestWriter(&streamed)
		for _, it := range sorted {
			if err := mw.Write(it); err != nil {
				t.Fatal(err)
			}
		}
		if err := mw.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := mw.Flush(); err != nil || streamed.String() != whole.String() || mw.Len() != len(items) {
			t.Fatalf("ManifestWriter wrote\n%q\nwant\n%q (%v)", streamed.String(), whole.String(), err)
		}
		mr := NewManifestReader(&streamed)
		var read []Item
		for {
			it, err := mr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			read = append(read, it)
		}
		if !slices.Equal(read, sorted) {
			t.Errorf("ManifestReader read %v, want %v", read, sorted)
		}
		if _, err := mr.Read(); err != io.EOF {
			t.Errorf("Read after the end: %v", err)
		}
	}
}

func TestManifestWriterRejects(t *testing.T) {
	var buf bytes.Buffer
	mw := NewManifestWriter(&buf)
	if err := mw.Write(Item{"b", "t"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		item    Item
		wantErr string
	}{
		{Item{"b", "u"}, "duplicate record id \"b\""},
		{Item{"a", "t"}, "record id \"a\" comes after \"b\""},
		{Item{"c,d", "t"}, "forbidden character"},
		{Item{"c", ""}, "township_id is empty"},
	} {
		if err := mw.Write(tt.item); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Write(%v): %v, want %q", tt.item, err, tt.wantErr)
		}
	}
	if err := mw.Flush(); err != nil || buf.String() != ManifestHeader+"\nb,t\n" {
		t.Errorf("after refusals the manifest is %q (%v)", buf.String(), err)
	}
}
