package sampler

import (
	"cmp"
	"container/heap"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// This file follows Ronald L. Rivest's reference implementation
// (github.com/ron-rivest/consistent_sampler, consistent_sampler.py) function
// by function; the names in the comments are the reference's names.
// Ticket numbers are decimal strings "0.ddd…d" and are compared as strings,
// byte by byte, exactly as the reference's Python compares them.

// SHA256Hex is sha256_hex: the SHA-256 of the UTF-8 bytes of s, as 64
// lowercase hexadecimal characters.
func SHA256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// SHA256Uniform is sha256_uniform: the SHA-256 of the UTF-8 bytes of s, read
// as a big-endian unsigned integer, written in decimal padded with leading
// zeros to at least 64 digits, then reversed, behind "0.".
func SHA256Uniform(s string) string {
	return uniformFromSum(sha256.Sum256([]byte(s)))
}

// uniformFromSum turns a SHA-256 sum into the reference's decimal fraction.
// The fraction's digits are the decimal digits of the hash integer N from the
// lowest up, so they come out of repeated division by 10^19 in order: 19
// digits from each remainder, lowest first, and from the last (highest) one
// only until it is used up; then '0's up to 64 digits in all, the reference's
// zero padding of N to 64 digits, reversed.
func uniformFromSum(sum [sha256.Size]byte) string {
	var limbs [4]uint64 // N, most significant limb first
	for i := range limbs {
		limbs[i] = binary.BigEndian.Uint64(sum[8*i:])
	}
	var buf [2 + 80]byte // 2^256 has 78 decimal digits
	buf[0], buf[1] = '0', '.'
	n := 2
	for limbs != [4]uint64{} {
		var rem uint64
		for i := range limbs {
			limbs[i], rem = bits.Div64(rem, limbs[i], 1e19)
		}
		last := limbs == [4]uint64{}
		for j := 0; j < 19 && (!last || rem != 0); j++ {
			buf[n] = byte('0' + rem%10)
			rem /= 10
			n++
		}
	}
	for n < 2+64 {
		buf[n] = '0'
		n++
	}
	return string(buf[:n])
}

// FirstFraction is first_fraction: the generation-1 ticket number of id,
// SHA256Uniform(SHA256Hex(seed) + id).
func FirstFraction(id, seed string) string {
	return SHA256Uniform(SHA256Hex(seed) + id)
}

// NextFraction is next_fraction: a pseudorandom ticket number larger than x,
// used for the next generation when sampling with replacement. x must be "0."
// followed by decimal digits. Let p be the position of the first character of
// x+"0", from the third on, that is less than '9'; for i = 1, 2, …, the
// candidate is (x+"0")[:p] followed by the digits of SHA256Uniform(x + ":" + i)
// after its "0.", and the first candidate greater than x+"0" (as a string) is
// the answer.
func NextFraction(x string) (string, error) {
	if err := checkFraction(x); err != nil {
		return "", err
	}
	x0 := x + "0"
	p := firstNonNine(x0)
	for i := 1; ; i++ {
		y := x0[:p] + SHA256Uniform(x + ":" + strconv.Itoa(i))[2:]
		if y > x0 {
			return y, nil
		}
	}
}

// checkFraction accepts "0." followed by decimal digits only.
func checkFraction(x string) error {
	if !strings.HasPrefix(x, "0.") {
		return fmt.Errorf("sampler: ticket number %q does not start with \"0.\"", x)
	}
	for i := 2; i < len(x); i++ {
		if x[i] < '0' || x[i] > '9' {
			return fmt.Errorf("sampler: ticket number %q has a non-digit at position %d", x, i)
		}
	}
	return nil
}

// firstNonNine is the index, from 2 on, of the first byte of x0 below '9';
// callers append "0" to x0 so that such a byte exists.
func firstNonNine(x0 string) int {
	for i := 2; i < len(x0); i++ {
		if x0[i] < '9' {
			return i
		}
	}
	return len(x0)
}

// DisplayDigits is how many digits Trim keeps after the leading 9s.
const DisplayDigits = 9

// Trim is the reference's trim with its default of nine digits: it keeps
// "0.", any run of 9s right after the point, and the next nine digits, and
// drops the rest (truncation, not rounding): "0.317685817…" becomes
// "0.317685817" and "0.9098039269…" becomes "0.9098039269". A string shorter
// than that, or shorter than "0.", is returned as it is.
func Trim(ticket string) string {
	if len(ticket) < 2 {
		return ticket
	}
	p := firstNonNine(ticket + "0")
	return ticket[:min(p+DisplayDigits, len(ticket))]
}

// Ticket is the reference's Ticket: a ticket number, the id it belongs to and
// its generation (1 for an id's first ticket, one more for each time the id
// was drawn with replacement before).
type Ticket struct {
	Number     string
	ID         string
	Generation int
}

// FirstTicket is first_ticket: the generation-1 ticket of id.
func FirstTicket(id, seed string) Ticket {
	return Ticket{Number: FirstFraction(id, seed), ID: id, Generation: 1}
}

// NextTicket is next_ticket: the same id's ticket of the next generation.
func NextTicket(t Ticket) (Ticket, error) {
	n, err := NextFraction(t.Number)
	if err != nil {
		return Ticket{}, err
	}
	return Ticket{Number: n, ID: t.ID, Generation: t.Generation + 1}, nil
}

// compareTickets orders tickets as the reference's heap orders its tuples:
// by ticket number, then id, then generation, each compared as Python
// compares them (strings byte-wise on their UTF-8, integers numerically).
func compareTickets(a, b Ticket) int {
	if c := strings.Compare(a.Number, b.Number); c != 0 {
		return c
	}
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Generation, b.Generation)
}

// ticketHeap is the reference's heapq of tickets.
type ticketHeap []Ticket

func (h ticketHeap) Len() int           { return len(h) }
func (h ticketHeap) Less(i, j int) bool { return compareTickets(h[i], h[j]) < 0 }
func (h ticketHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *ticketHeap) Push(x any)        { *h = append(*h, x.(Ticket)) }
func (h *ticketHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// Stream is the reference's sampler(ids, seed, with_replacement, take=take)
// with full, untrimmed ticket numbers: the first take tickets drawn, smallest
// first. Without replacement every id is drawn at most once, each with its
// generation-1 ticket; with replacement a drawn id goes back with its next
// ticket. The ids must be distinct and take must not be negative.
//
// Stream keeps every ticket as a string; Sample computes the same order far
// faster for large populations.
func Stream(seed string, ids []string, withReplacement bool, take int) ([]Ticket, error) {
	if take < 0 {
		return nil, fmt.Errorf("sampler: take %d is negative", take)
	}
	if dup, ok := firstDuplicate(ids, func(id string) string { return id }); ok {
		return nil, fmt.Errorf("sampler: duplicate id %q", dup)
	}
	h := make(ticketHeap, 0, len(ids))
	for _, id := range ids {
		h = append(h, FirstTicket(id, seed))
	}
	heap.Init(&h)
	out := make([]Ticket, 0, min(take, len(ids)))
	for len(out) < take && h.Len() > 0 {
		t := heap.Pop(&h).(Ticket)
		if withReplacement {
			next, err := NextTicket(t)
			if err != nil {
				return nil, err
			}
			heap.Push(&h, next)
		}
		out = append(out, t)
	}
	return out, nil
}

// firstDuplicate reports an id that occurs more than once in xs, if any. A
// list already in strictly ascending byte-wise order of id, as a manifest is,
// is checked in one pass without copying.
func firstDuplicate[T any](xs []T, id func(T) string) (string, bool) {
	sorted := true
	for i := 1; i < len(xs); i++ {
		if id(xs[i-1]) >= id(xs[i]) {
			sorted = false
			break
		}
	}
	if sorted {
		return "", false
	}
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = id(x)
	}
	slices.Sort(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i-1] == ids[i] {
			return ids[i], true
		}
	}
	return "", false
}
