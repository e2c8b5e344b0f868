package petition

import "testing"

// FuzzParseTrackingCode: a code that parses is the code TrackingCode makes of its parts.
func FuzzParseTrackingCode(f *testing.F) {
	for _, s := range []string{"XF20261125-0042", "xf20261125-0042", "XF20261125-00042", "XF20260230-0001", "XF20261125-12345", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, seq, err := ParseTrackingCode(s)
		if err != nil {
			return
		}
		if seq < 1 {
			t.Fatalf("ParseTrackingCode(%q) gives sequence %d", s, seq)
		}
		if again, seq2, err := ParseTrackingCode(TrackingCode(d, seq)); err != nil || again != d || seq2 != seq {
			t.Fatalf("%q parses to %v/%d, which does not round-trip: %v", s, d, seq, err)
		}
	})
}
