package auth

import (
	"regexp"
	"testing"
)

func TestTemporaryPassword(t *testing.T) {
	shape := regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		p := TemporaryPassword()
		if !shape.MatchString(p) {
			t.Fatalf("temporary password %q is not three groups of four from the alphabet", p)
		}
		if seen[p] {
			t.Fatalf("temporary password %q drawn twice", p)
		}
		seen[p] = true
		for _, r := range p {
			if r != '-' {
				counts[r]++
			}
		}
	}
	// 24,000 characters over 31: each appears about 774 times; far fewer means a bias.
	if len(counts) != len(temporaryAlphabet) {
		t.Errorf("%d characters of %d appear", len(counts), len(temporaryAlphabet))
	}
	for r, n := range counts {
		if n < 600 || n > 950 {
			t.Errorf("%q appears %d times in 24,000", r, n)
		}
	}
}
