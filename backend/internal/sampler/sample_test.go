package sampler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// auditItems is a Minxin-shaped population of 12 overnight stays in three
// townships: t0 has 2 records, t1 has 3 and t2 has 7.
func auditItems() []Item {
	var items []Item
	for i := 1; i <= 12; i++ {
		township := fmt.Sprintf("t%d", i%3)
		if i >= 9 {
			township = "t2"
		}
		items = append(items, Item{
			ID:       fmt.Sprintf("overnight_stay:%08x-0000-4000-8000-%012x", i, i*7919),
			Township: township,
		})
	}
	return items
}

// auditSeed is a seed in Minxin's format with public digits "0815".
const auditSeed = "0815-" + minxinHex

// auditStream is the reference's full ticket stream of auditItems under
// auditSeed, computed with the Python transcription: ticket, id suffix.
var auditStream = []struct{ ticket, id string }{
	{"0.04286605428385174004265741787021376666817203282497424816508851926438073963871", "00000008-0000-4000-8000-00000000f778"},
	{"0.08142515655040757137630812681608897961936813789017748241944289639413573969178", "00000003-0000-4000-8000-000000005ccd"},
	{"0.22904912680181594344638046423112701618127467846568706938909792907864661194295", "00000002-0000-4000-8000-000000003dde"},
	{"0.24097025513506524900125208586091776584838857400675211869614477353645558609418", "0000000c-0000-4000-8000-000000017334"},
	{"0.48584224908205791731079015588623330958362802865281611231909345960980320942485", "00000004-0000-4000-8000-000000007bbc"},
	{"0.55374279500911847413205550638879294710504254725591820413378208852537292131163", "00000005-0000-4000-8000-000000009aab"},
	{"0.57113570253782197263005173528578588671837184927481436437832017564679550673931", "0000000a-0000-4000-8000-000000013556"},
	{"0.60099853349315401411069027499537438820394547802014929696159473155881334814536", "00000001-0000-4000-8000-000000001eef"},
	{"0.64854582785460681622297514060304077847162759070672842889812396371757285658389", "0000000b-0000-4000-8000-000000015445"},
	{"0.66665775802667881409514556728716302445356586650295112891013644762393441275015", "00000009-0000-4000-8000-000000011667"},
	{"0.6827818938757007487044428085333362908139075562986179720181482941280813848869", "00000006-0000-4000-8000-00000000b99a"},
	{"0.8125024624795203569019532874916036864437374548306202996941913398412313042772", "00000007-0000-4000-8000-00000000d889"},
}

func TestSampleReferenceVector(t *testing.T) {
	items := []Item{{"ab-1", "x"}, {"ab-2", "x"}, {"cd-1", "y"}, {"ef-3", "y"}}
	got, err := Sample("314159", items, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Draw{{"cd-1", "y", "0.317685817"}, {"ef-3", "y", "0.832984519"}}
	for i := range got {
		got[i].Ticket = Trim(got[i].Ticket)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Sample = %v, want %v", got, want)
	}
}

func TestSampleAuditVectors(t *testing.T) {
	// Each case lists the positions in auditStream of the expected draws;
	// the draws come back in ticket order.
	tests := []struct {
		name           string
		size, minimum  int
		streamPosition []int
	}{
		{"size only", 3, 0, []int{0, 1, 2}},
		{"minimums beyond size win", 3, 2, []int{0, 1, 2, 4, 7, 10}},
		{"one per township then fill", 5, 1, []int{0, 1, 2, 3, 4}},
		{"size zero keeps the minimums", 0, 2, []int{0, 1, 2, 4, 7, 10}},
		{"size beyond population", 20, 0, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
		{"minimum beyond a township's records", 4, 3, []int{0, 1, 2, 3, 4, 7, 10, 11}},
		{"size zero", 0, 0, nil},
	}
	items := auditItems()
	township := make(map[string]string)
	for _, it := range items {
		township[it.ID] = it.Township
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sample(auditSeed, items, tt.size, tt.minimum)
			if err != nil {
				t.Fatal(err)
			}
			want := []Draw{}
			for _, p := range tt.streamPosition {
				id := "overnight_stay:" + auditStream[p].id
				want = append(want, Draw{ID: id, Township: township[id], Ticket: auditStream[p].ticket})
			}
			if !slices.Equal(got, want) {
				t.Errorf("Sample(size %d, minimum %d) =\n%v\nwant\n%v", tt.size, tt.minimum, got, want)
			}
		})
	}
}

func TestSampleNonASCIISeed(t *testing.T) {
	items := []Item{
		{"overnight_stay:6f1c2a9e-3b7d-4e8a-9c0f-1a2b3c4d5e6f", "镇一"},
		{"住夜:一", "镇二"},
	}
	got, err := Sample("民心-"+minxinHex, items, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Draw{
		{"住夜:一", "镇二", "0.19201878447392322037191823907702738692682457140655304858963245009801398586872"},
		{"overnight_stay:6f1c2a9e-3b7d-4e8a-9c0f-1a2b3c4d5e6f", "镇一", "0.972551432520608818726882646710684983154894390727925370460563577445655779376701"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Sample = %v, want %v", got, want)
	}
}

func TestSampleOneItem(t *testing.T) {
	item := Item{"visit:00000000-0000-4000-8000-000000000001", "t"}
	want := []Draw{{item.ID, item.Township, "0.407029020463204436916212117865901907404153993553086553058796865428998015372701"}}
	for _, tt := range []struct{ size, minimum int }{{1, 0}, {5, 0}, {0, 1}, {1, 9}} {
		got, err := Sample("-"+minxinHex, []Item{item}, tt.size, tt.minimum)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Sample(size %d, minimum %d) = %v, want %v", tt.size, tt.minimum, got, want)
		}
	}
	got, err := Sample("-"+minxinHex, []Item{item}, 0, 0)
	if err != nil || len(got) != 0 {
		t.Errorf("Sample(size 0) = %v, %v, want no draws", got, err)
	}
}

func TestSampleEmptyPopulation(t *testing.T) {
	for _, items := range [][]Item{nil, {}} {
		got, err := Sample(auditSeed, items, 10, 2)
		if err != nil {
			t.Fatalf("Sample(empty): %v", err)
		}
		if got == nil || len(got) != 0 {
			t.Errorf("Sample(empty) = %#v, want an empty non-nil slice", got)
		}
	}
}

func TestSampleRejects(t *testing.T) {
	items := auditItems()
	tests := []struct {
		name          string
		items         []Item
		size, minimum int
		wantErr       string
	}{
		{"negative size", items, -1, 0, "negative"},
		{"negative minimum", items, 1, -1, "negative"},
		{"duplicate id", append(slices.Clone(items), Item{items[3].ID, "t9"}), 1, 0, "duplicate record id"},
		{"duplicate id in sorted order", []Item{{"a", "t"}, {"a", "u"}}, 1, 0, "duplicate record id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Sample(auditSeed, tt.items, tt.size, tt.minimum); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// bySpecification computes a sample the slow way, straight from the
// definition, on the reference's full ticket stream: walk the stream taking
// each township's first minimum records, walk it again filling up to size,
// and report the drawn records in stream order.
func bySpecification(t *testing.T, seed string, items []Item, size, minimum int) []Draw {
	t.Helper()
	idList := make([]string, len(items))
	township := make(map[string]string)
	for i, it := range items {
		idList[i] = it.ID
		township[it.ID] = it.Township
	}
	stream, err := Stream(seed, idList, false, len(idList))
	if err != nil {
		t.Fatal(err)
	}
	drawn := make(map[string]bool)
	perTownship := make(map[string]int)
	for _, tk := range stream {
		if perTownship[township[tk.ID]] < minimum {
			perTownship[township[tk.ID]]++
			drawn[tk.ID] = true
		}
	}
	for _, tk := range stream {
		if len(drawn) >= size {
			break
		}
		drawn[tk.ID] = true
	}
	out := []Draw{}
	for _, tk := range stream {
		if drawn[tk.ID] {
			out = append(out, Draw{ID: tk.ID, Township: township[tk.ID], Ticket: tk.Number})
		}
	}
	return out
}

func TestSampleMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		n := rng.IntN(300)
		townships := 1 + rng.IntN(8)
		items := make([]Item, n)
		for i := range items {
			items[i] = Item{
				ID:       fmt.Sprintf("visit:%08x-%04x-4000-8000-%012x", rng.Uint32(), i, rng.Uint64()>>16),
				Township: fmt.Sprintf("township-%d", rng.IntN(townships)),
			}
		}
		seed := fmt.Sprintf("%d-%064x", round, rng.Uint64())
		size, minimum := rng.IntN(n+10), rng.IntN(6)
		got, err := Sample(seed, items, size, minimum)
		if err != nil {
			t.Fatal(err)
		}
		if want := bySpecification(t, seed, items, size, minimum); !slices.Equal(got, want) {
			t.Fatalf("round %d (n %d, size %d, minimum %d): Sample differs from the definition\ngot  %v\nwant %v", round, n, size, minimum, got, want)
		}
		// The input order does not matter.
		rng.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		again, err := Sample(seed, items, size, minimum)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, again) {
			t.Fatalf("round %d: shuffled input gives another sample", round)
		}
	}
}

// TestCandidateKeyIsTicketPrefix checks the fast 19-digit key against the
// first 19 digits of the full ticket string computed with math/big.
func TestCandidateKeyIsTicketPrefix(t *testing.T) {
	items := make([]Item, 5000)
	for i := range items {
		items[i] = Item{ID: fmt.Sprintf("stationing_day:%d", i)}
	}
	r := newRanker(auditSeed)
	for i := range items {
		ticket := FirstFraction(items[i].ID, auditSeed)
		if got, want := fmt.Sprintf("%019d", r.candidate(items[i]).key), ticket[2:21]; got != want {
			t.Fatalf("item %d: key %s, want the ticket's first digits %s (ticket %s)", i, got, want, ticket)
		}
	}
}

// TestCompareFallsBackOnEqualKeys forces equal keys, which real tickets
// share with probability about 10^-19, and checks that the order is then
// decided by the full ticket strings and by id.
func TestCompareFallsBackOnEqualKeys(t *testing.T) {
	items := []Item{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	r := newRanker(auditSeed)
	tickets := make([]string, len(items))
	for i := range items {
		tickets[i] = FirstFraction(items[i].ID, auditSeed)
	}
	for i := range items {
		for j := range items {
			got := r.compare(candidate{key: 7, item: items[i]}, candidate{key: 7, item: items[j]})
			if want := strings.Compare(tickets[i], tickets[j]); got != want {
				t.Errorf("compare(%s, %s) with equal keys = %d, want %d", items[i].ID, items[j].ID, got, want)
			}
		}
	}
}
