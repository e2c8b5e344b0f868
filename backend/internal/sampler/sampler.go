// Package sampler draws the verifiable samples of random audits (抽查) with
// Ronald L. Rivest's consistent sampler: every record id gets a SHA-256
// ticket number derived from the public seed and the id alone, and records
// are drawn without replacement, smallest ticket first. Anyone holding the
// seed and the population manifest can re-derive the sample; docs/sampler.md
// describes the algorithm and the manifest byte by byte.
//
// The package is pure: no I/O besides the io.Reader and io.Writer it is
// given, no clock, no randomness of its own.
package sampler

import (
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"strings"
)

// Algorithm names the sampling method and its parameters; an audit stores it
// beside its seed and manifest hash.
const Algorithm = "rivest-consistent-sampler-sha256/v1"

// Item is one member of an audit's population.
type Item struct {
	// ID is the canonical record id, "<type>:<uuid>" with the UUID in
	// lowercase, e.g. "overnight_stay:0b6f…".
	ID string
	// Township is the id of the township the record belongs to, used for
	// the per-township minimum.
	Township string
}

// Draw is one drawn record with its full ticket number ("0.ddd…d", 64 to 78
// decimal digits after the point).
type Draw struct {
	ID       string
	Township string
	Ticket   string
}

// Sample draws a sample without replacement from items, using the ticket
// FirstFraction(item.ID, seed) of each item:
//
//  1. If minPerTownship > 0, each township's items with the minPerTownship
//     smallest tickets are drawn (all of them when it has fewer): the
//     township's first records in the ticket stream filtered to it.
//  2. Then the items with the smallest tickets not drawn yet are drawn until
//     the sample holds size items or the population is exhausted.
//
// So the sample has max(size, number of minimum draws) items, and never more
// than len(items): the minimums win when together they exceed size. The
// result is sorted by ticket ascending (equal tickets, which only a SHA-256
// collision could produce, by ID byte-wise) and does not depend on the order
// of items. With minPerTownship = 0 it is the first size tickets of the
// reference's sampler(ids, seed) without replacement.
//
// Sample fails when size or minPerTownship is negative or an ID occurs twice;
// an empty population gives an empty, non-nil sample.
func Sample(seed string, items []Item, size, minPerTownship int) ([]Draw, error) {
	if size < 0 {
		return nil, fmt.Errorf("sampler: sample size %d is negative", size)
	}
	if minPerTownship < 0 {
		return nil, fmt.Errorf("sampler: minimum per township %d is negative", minPerTownship)
	}
	if dup, ok := firstDuplicate(items, func(it Item) string { return it.ID }); ok {
		return nil, fmt.Errorf("sampler: duplicate record id %q", dup)
	}

	sel := newSelection(seed, size, minPerTownship, min(size, len(items)))
	for _, it := range items {
		sel.offer(it)
	}
	return sel.draws(), nil
}

// A Drawer draws the sample Sample draws, from a population given one item at
// a time in strictly ascending byte-wise order of ID — the manifest's order —
// so that a population read row by row (from a database, or a manifest file)
// is never held: it keeps only the candidates, the size smallest tickets
// overall and the minPerTownship smallest of each township, so its memory is
// in proportion to the sample, not to the population.
type Drawer struct {
	sel  *selection
	last string
	n    int
}

// NewDrawer starts a draw of size items with at least minPerTownship per
// township, as Sample(seed, items, size, minPerTownship) draws it. It fails
// when size or minPerTownship is negative.
func NewDrawer(seed string, size, minPerTownship int) (*Drawer, error) {
	if size < 0 {
		return nil, fmt.Errorf("sampler: sample size %d is negative", size)
	}
	if minPerTownship < 0 {
		return nil, fmt.Errorf("sampler: minimum per township %d is negative", minPerTownship)
	}
	return &Drawer{sel: newSelection(seed, size, minPerTownship, min(size, 1024))}, nil
}

// Add offers the next item of the population. It fails, taking nothing, when
// the item's ID is not greater than the one before it (unsorted or repeated):
// the order is what proves the ids distinct without remembering them.
func (d *Drawer) Add(it Item) error {
	if d.n > 0 && it.ID <= d.last {
		if it.ID == d.last {
			return fmt.Errorf("sampler: duplicate record id %q", it.ID)
		}
		return fmt.Errorf("sampler: record id %q comes after %q; the population must come in ascending byte-wise order", it.ID, d.last)
	}
	d.sel.offer(it)
	d.last, d.n = it.ID, d.n+1
	return nil
}

// Len is the number of items added: the population's size.
func (d *Drawer) Len() int { return d.n }

// Draws is the sample of the items added so far, as Sample returns it.
func (d *Drawer) Draws() []Draw { return d.sel.draws() }

// selection keeps, of the items offered to it, the candidates of a sample:
// the size smallest tickets overall and the minimum smallest of each
// township. That is enough: any item outside the size smallest has size
// smaller tickets before it, at most the number of minimum draws of them
// drawn, so the fill never reaches it.
type selection struct {
	r         *ranker
	size      int
	minimum   int
	global    *boundedHeap
	townships map[string]*boundedHeap
}

func newSelection(seed string, size, minimum, capacity int) *selection {
	r := newRanker(seed)
	s := &selection{r: r, size: size, minimum: minimum, global: &boundedHeap{r: r, limit: size, cands: make([]candidate, 0, capacity)}}
	if minimum > 0 {
		s.townships = make(map[string]*boundedHeap)
	}
	return s
}

func (s *selection) offer(it Item) {
	c := s.r.candidate(it)
	s.global.offer(c)
	if s.townships == nil {
		return
	}
	t := s.townships[it.Township]
	if t == nil {
		t = &boundedHeap{r: s.r, limit: s.minimum}
		s.townships[it.Township] = t
	}
	t.offer(c)
}

// draws is the sample: every township's minimum draws, then the fill from the
// smallest tickets overall, all in ticket order.
func (s *selection) draws() []Draw {
	// Every township's minimum is drawn whatever the order of townships, so
	// the map's order does not matter here: the result is sorted below.
	minimumDraws := 0
	for _, t := range s.townships {
		minimumDraws += len(t.cands)
	}
	fill := slices.Clone(s.global.cands)
	chosen := make([]candidate, 0, max(minimumDraws, len(fill)))
	drawn := make(map[string]bool, minimumDraws)
	for _, t := range s.townships {
		for _, c := range t.cands {
			chosen = append(chosen, c)
			drawn[c.item.ID] = true
		}
	}
	slices.SortFunc(fill, s.r.compare)
	for _, c := range fill {
		if len(chosen) >= s.size {
			break
		}
		if !drawn[c.item.ID] {
			chosen = append(chosen, c)
		}
	}
	slices.SortFunc(chosen, s.r.compare)

	draws := make([]Draw, len(chosen))
	for i, c := range chosen {
		draws[i] = Draw{ID: c.item.ID, Township: c.item.Township, Ticket: s.r.ticket(c.item)}
	}
	return draws
}

// candidate is an item's place in the ticket order: key holds the first 19
// digits of its ticket number after the point, as an integer, which decides
// the order unless two keys are equal.
type candidate struct {
	key  uint64
	item Item
}

// ranker computes tickets under one seed.
type ranker struct {
	seedHash string // SHA256Hex(seed): every hash input starts with it
	buf      []byte
}

func newRanker(seed string) *ranker {
	h := SHA256Hex(seed)
	return &ranker{seedHash: h, buf: []byte(h)}
}

// sum is the SHA-256 of an item's hash input, SHA256Hex(seed) + ID.
func (r *ranker) sum(it Item) [sha256.Size]byte {
	r.buf = append(r.buf[:len(r.seedHash)], it.ID...)
	return sha256.Sum256(r.buf)
}

// candidate computes an item's key without building its ticket string. The
// ticket's digits are those of the hash integer N, padded to at least 64
// digits and reversed, so its first 19 digits are the 19 lowest digits of N,
// N mod 10^19, in reverse order.
func (r *ranker) candidate(it Item) candidate {
	sum := r.sum(it)
	var low uint64 // N mod 10^19, by long division over four 64-bit limbs
	for j := 0; j < sha256.Size; j += 8 {
		_, low = bits.Div64(low, binary.BigEndian.Uint64(sum[j:]), 1e19)
	}
	var key uint64
	for range 19 {
		key = key*10 + low%10
		low /= 10
	}
	return candidate{key: key, item: it}
}

// ticket is an item's full ticket number, FirstFraction(ID, seed).
func (r *ranker) ticket(it Item) string {
	return uniformFromSum(r.sum(it))
}

// compare orders candidates by ticket number, as strings, then by ID.
func (r *ranker) compare(a, b candidate) int {
	switch {
	case a.item.ID == b.item.ID:
		return 0
	case a.key < b.key:
		return -1
	case a.key > b.key:
		return 1
	}
	ta, tb := r.ticket(a.item), r.ticket(b.item)
	switch {
	case ta < tb:
		return -1
	case ta > tb:
		return 1
	}
	return strings.Compare(a.item.ID, b.item.ID)
}

// boundedHeap keeps the limit smallest candidates offered to it. It only
// becomes a heap, largest at the root so that it is the one replaced, once it
// is full and a further candidate arrives; a heap that never overflows (a
// sample of the whole population) is never heapified.
type boundedHeap struct {
	r      *ranker
	limit  int
	cands  []candidate
	isHeap bool
}

func (h *boundedHeap) Len() int           { return len(h.cands) }
func (h *boundedHeap) Less(i, j int) bool { return h.r.compare(h.cands[i], h.cands[j]) > 0 }
func (h *boundedHeap) Swap(i, j int)      { h.cands[i], h.cands[j] = h.cands[j], h.cands[i] }

// Push and Pop complete heap.Interface; offer never calls them.
func (h *boundedHeap) Push(x any) { h.cands = append(h.cands, x.(candidate)) }
func (h *boundedHeap) Pop() any {
	c := h.cands[len(h.cands)-1]
	h.cands = h.cands[:len(h.cands)-1]
	return c
}

func (h *boundedHeap) offer(c candidate) {
	if len(h.cands) < h.limit {
		h.cands = append(h.cands, c)
		return
	}
	if h.limit == 0 {
		return
	}
	if !h.isHeap {
		heap.Init(h)
		h.isHeap = true
	}
	if h.r.compare(c, h.cands[0]) < 0 {
		h.cands[0] = c
		heap.Fix(h, 0)
	}
}
