package sampler

import (
	"crypto/sha256"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// minxinHex is SHA-256("minxin test vector"), the random part of the seeds in
// this package's own vectors. Those vectors were computed once with a Python
// transcription of the reference implementation and pasted here.
const minxinHex = "dbb2f9586dd344a0563295d2e5805817d331387f1096589cfedb885345fbf810"

func TestSHA256Hex(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}, // reference docstring
		{"民心-" + minxinHex, "1b3bc2acd972f34f8289b0bbb1abf7ce9e85b2afca9275ac550b535d7b366460"},
	}
	for _, tt := range tests {
		if got := SHA256Hex(tt.in); got != tt.want {
			t.Errorf("SHA256Hex(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSHA256Uniform(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"}, // specification §5
		{"", "0.945680566511100793973399430891846009997987223185223212535920790455942633789201"},
	}
	for _, tt := range tests {
		if got := SHA256Uniform(tt.in); got != tt.want {
			t.Errorf("SHA256Uniform(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestUniformFromSumEdges covers hash integers with trailing zeros (leading
// zeros of the fraction), fewer than 64 digits (zero padding at the end of
// the fraction) and the largest, 78 digits.
func TestUniformFromSumEdges(t *testing.T) {
	tests := []struct {
		n    *big.Int
		want string
	}{
		{big.NewInt(0), "0." + strings.Repeat("0", 64)},
		{big.NewInt(1), "0.1" + strings.Repeat("0", 63)},
		{big.NewInt(10), "0.01" + strings.Repeat("0", 62)},
		{new(big.Int).Exp(big.NewInt(10), big.NewInt(63), nil), "0." + strings.Repeat("0", 63) + "1"},
		{new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(63), nil), big.NewInt(1)), "0." + strings.Repeat("9", 63) + "0"},
		{new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)), "0.539936921319700485754930465046566489962358709786800589075324591613732980297511"},
	}
	for _, tt := range tests {
		var sum [sha256.Size]byte
		tt.n.FillBytes(sum[:])
		if got := uniformFromSum(sum); got != tt.want {
			t.Errorf("uniformFromSum(%v) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

// uniformByBig is a second, independent computation of sha256_uniform's
// digits from a sum: math/big's decimal text, padded and reversed.
func uniformByBig(sum [sha256.Size]byte) string {
	digits := []byte(fmt.Sprintf("%064s", new(big.Int).SetBytes(sum[:]).Text(10)))
	slices.Reverse(digits)
	return "0." + string(digits)
}

func TestUniformFromSumMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		var sum [sha256.Size]byte
		for j := range sum {
			sum[j] = byte(rng.Uint32())
		}
		// Zero some leading bytes now and then, for short integers.
		clear(sum[:i%33])
		if got, want := uniformFromSum(sum), uniformByBig(sum); got != want {
			t.Fatalf("uniformFromSum(%x) = %s, want %s", sum, got, want)
		}
	}
}

func TestFirstFraction(t *testing.T) {
	tests := []struct{ id, seed, want string }{
		// specification §5 and the reference's first_fraction docstring
		{"AB-130", "01382438112797316654", "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"},
		// the reference's make_ticket_heap docstring
		{"cat", "xy()134!g2n", "0.24866413894129579898796850445568128508290132707747976039848637531569373309555"},
		{"dog", "xy()134!g2n", "0.33886035615681875183111698317327684455682722683976874746986356932751818935066"},
		{"fish", "xy()134!g2n", "0.74685932088827950509145941729789143204056041958068799542050396198792954500593"},
		{"goat", "xy()134!g2n", "0.49599842072022713663423753308080171636735689997237236247068925068573448764387"},
		// own vectors: a seed and an id with Chinese characters, hashed as UTF-8
		{"overnight_stay:6f1c2a9e-3b7d-4e8a-9c0f-1a2b3c4d5e6f", "民心-" + minxinHex, "0.972551432520608818726882646710684983154894390727925370460563577445655779376701"},
		{"住夜:一", "民心-" + minxinHex, "0.19201878447392322037191823907702738692682457140655304858963245009801398586872"},
	}
	for _, tt := range tests {
		if got := FirstFraction(tt.id, tt.seed); got != tt.want {
			t.Errorf("FirstFraction(%q, %q) = %s, want %s", tt.id, tt.seed, got, tt.want)
		}
	}
}

func TestNextFraction(t *testing.T) {
	tests := []struct{ x, want string }{
		// specification §5 and the reference's next_fraction docstring
		{"0.25471", "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"},
		// the reference's next_ticket and draw_with_replacement docstrings
		{"0.26299714122838008416507544297546663599715395525154425586041245287750224561854", "0.8232357229934205790595761924514048157652891124687533667363938813600770093316"},
		{"0.234", "0.547830802749402616364646686795722512609112766306951592422621788875312684400211"},
	}
	for _, tt := range tests {
		got, err := NextFraction(tt.x)
		if err != nil || got != tt.want {
			t.Errorf("NextFraction(%q) = %s, %v, want %s", tt.x, got, err, tt.want)
		}
	}
}

func TestNextFractionKeepsLeadingNines(t *testing.T) {
	for _, x := range []string{"0.9", "0.999", "0.9990", "0.", "0.0"} {
		got, err := NextFraction(x)
		if err != nil {
			t.Fatalf("NextFraction(%q): %v", x, err)
		}
		if got <= x || !strings.HasPrefix(got, strings.TrimRight(x, "012345678")) {
			t.Errorf("NextFraction(%q) = %s, want a larger string keeping the leading 9s", x, got)
		}
	}
}

func TestNextFractionRejectsMalformed(t *testing.T) {
	for _, x := range []string{"", "0", "1.5", ".5", "0.5a", "0,5", " 0.5"} {
		if got, err := NextFraction(x); err == nil {
			t.Errorf("NextFraction(%q) = %s, want an error", x, got)
		}
	}
}

func TestTrim(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0.31768581712345", "0.317685817"},
		{"0.90980392691234", "0.9098039269"},
		{"0.99999999999912345678999", "0.999999999999123456789"},
		{"0.04286605428385174", "0.042866054"},
		{"0.999", "0.999"},
		{"0.9", "0.9"},
		{"0.12", "0.12"},
		{"0.", "0."},
		{"0", "0"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Trim(tt.in); got != tt.want {
			t.Errorf("Trim(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func trimmed(ts []Ticket) []Ticket {
	out := make([]Ticket, len(ts))
	for i, tk := range ts {
		out[i] = Ticket{Number: Trim(tk.Number), ID: tk.ID, Generation: tk.Generation}
	}
	return out
}

func ids(ts []Ticket) []string {
	out := make([]string, len(ts))
	for i, tk := range ts {
		out[i] = tk.ID
	}
	return out
}

func TestStreamReferenceVectors(t *testing.T) {
	// sampler(['ab-1','ab-2','cd-1','ef-3'], seed=314159) in the specification
	// and the reference's sampler docstring; Python's str(314159) is "314159".
	got, err := Stream("314159", []string{"ab-1", "ab-2", "cd-1", "ef-3"}, false, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ticket{
		{"0.317685817", "cd-1", 1},
		{"0.832984519", "ef-3", 1},
		{"0.9098039269", "ab-1", 1},
		{"0.9231549043", "ab-2", 1},
	}
	if !slices.Equal(trimmed(got), want) {
		t.Errorf("Stream without replacement = %v, want %v", trimmed(got), want)
	}

	// list(sampler(['A#2','B#7','C#1','D#4'], with_replacement=True, take=8,
	// seed=314159, output='id')) in the reference's sampler docstring.
	got, err = Stream("314159", []string{"A#2", "B#7", "C#1", "D#4"}, true, 8)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"D#4", "C#1", "C#1", "B#7", "A#2", "C#1", "D#4", "B#7"}
	if !slices.Equal(ids(got), wantIDs) {
		t.Errorf("Stream with replacement ids = %v, want %v", ids(got), wantIDs)
	}
	if g := got[2]; g.ID != "C#1" || g.Generation != 2 || g.Number <= got[1].Number {
		t.Errorf("third draw with replacement = %+v, want C#1's generation-2 ticket above %s", g, got[1].Number)
	}
}

func TestStreamTake(t *testing.T) {
	all, err := Stream("314159", []string{"ab-1", "ab-2", "cd-1", "ef-3"}, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	for take := range 6 {
		got, err := Stream("314159", []string{"ef-3", "cd-1", "ab-2", "ab-1"}, false, take)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, all[:min(take, len(all))]) {
			t.Errorf("take %d = %v, want the prefix %v", take, got, all[:min(take, len(all))])
		}
	}
}

func TestStreamRejects(t *testing.T) {
	if _, err := Stream("s", []string{"a", "b", "a"}, false, 3); err == nil {
		t.Error("duplicate ids: want an error")
	}
	if _, err := Stream("s", []string{"a"}, false, -1); err == nil {
		t.Error("negative take: want an error")
	}
}
