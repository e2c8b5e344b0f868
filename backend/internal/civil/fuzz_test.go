package civil

import "testing"

// FuzzParse: any text either is refused or is a date that prints back as the same text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026-11-25", "2028-02-29", "2026-02-29", "0001-01-01", "", "2026-1-1", "２０２６-11-25"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("Parse(%q) = %v, which prints as %q", s, d, d.String())
		}
	})
}
