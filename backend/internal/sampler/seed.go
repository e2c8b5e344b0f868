package sampler

import (
	"encoding/hex"
	"fmt"
)

// SeedRandomBytes is how many random bytes the server adds to an audit seed.
const SeedRandomBytes = 32

// NewSeed builds an audit's seed string: the public digits (ASCII 0–9, rolled
// in public; possibly none), a hyphen, and the server's random bytes as 64
// lowercase hex characters. Without public digits the seed starts with the
// hyphen: "-3fa0…". The sampler hashes this exact string; it is stored and
// shown with the audit.
func NewSeed(publicDigits string, random [SeedRandomBytes]byte) (string, error) {
	for i := range len(publicDigits) {
		if c := publicDigits[i]; c < '0' || c > '9' {
			return "", fmt.Errorf("sampler: seed digits %q: character at byte %d is not an ASCII digit 0-9", publicDigits, i)
		}
	}
	return publicDigits + "-" + hex.EncodeToString(random[:]), nil
}
