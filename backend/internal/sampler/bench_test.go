package sampler

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// benchItems is a population of n overnight stays spread over 20 townships.
func benchItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{
			ID:       fmt.Sprintf("overnight_stay:%08x-0000-4000-8000-%012x", i, uint64(i)*2654435761),
			Township: fmt.Sprintf("township-%02d", i%20),
		}
	}
	return items
}

// BenchmarkSHA256Baseline1M hashes the 1,000,000 hash inputs of a sample,
// SHA256Hex(seed) + ID, and nothing else: the least any implementation of
// the algorithm must do. Sample's cost divided by this one is its overhead.
func BenchmarkSHA256Baseline1M(b *testing.B) {
	items := benchItems(1_000_000)
	prefix := SHA256Hex(auditSeed)
	b.ReportAllocs()
	for b.Loop() {
		var acc byte
		buf := []byte(prefix)
		for _, it := range items {
			buf = append(buf[:len(prefix)], it.ID...)
			sum := sha256.Sum256(buf)
			acc ^= sum[0]
		}
		if acc == 42 && len(buf) == 0 {
			b.Log(acc)
		}
	}
}

// BenchmarkSample1M draws an audit of 1,000 records with at least 5 per
// township from 1,000,000 records in 20 townships.
func BenchmarkSample1M(b *testing.B) {
	items := benchItems(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		draws, err := Sample(auditSeed, items, 1000, 5)
		if err != nil || len(draws) != 1000 {
			b.Fatalf("Sample: %d draws, %v", len(draws), err)
		}
	}
}

// BenchmarkSample1MWhole orders the whole population of 1,000,000 records,
// the worst case (sample size at least the population).
func BenchmarkSample1MWhole(b *testing.B) {
	items := benchItems(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		draws, err := Sample(auditSeed, items, len(items), 0)
		if err != nil || len(draws) != len(items) {
			b.Fatalf("Sample: %d draws, %v", len(draws), err)
		}
	}
}

// BenchmarkDrawer1M draws BenchmarkSample1M's sample from the same population
// given one item at a time, in the manifest's order, as an audit round reads
// it from the database.
func BenchmarkDrawer1M(b *testing.B) {
	items := benchItems(1_000_000) // ids ascending: the index is their first field
	b.ReportAllocs()
	for b.Loop() {
		d, err := NewDrawer(auditSeed, 1000, 5)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range items {
			if err := d.Add(it); err != nil {
				b.Fatal(err)
			}
		}
		if draws := d.Draws(); len(draws) != 1000 {
			b.Fatalf("Drawer: %d draws", len(draws))
		}
	}
}
