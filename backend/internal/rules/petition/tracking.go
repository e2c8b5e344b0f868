package petition

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"minxin/backend/internal/civil"
)

// TrackingCode returns the readable tracking code (查询码) of the seq-th petition received on
// date: "XF", the date as YYYYMMDD, a hyphen and seq with at least four digits, such as
// XF20261125-0042 or XF20261125-12345. seq counts from 1; a smaller seq is a programming error
// and panics.
func TrackingCode(date civil.Date, seq int) string {
	if seq < 1 {
		panic(fmt.Sprintf("petition.TrackingCode: sequence %d is not positive", seq))
	}
	return fmt.Sprintf("XF%04d%02d%02d-%04d", date.Year, int(date.Month), date.Day, seq)
}

// ParseTrackingCode reads a tracking code back into its date and sequence. Surrounding spaces
// and lower-case letters are accepted, since people type codes by hand; anything that is not
// the canonical form of some TrackingCode(date, seq) otherwise is refused.
func ParseTrackingCode(s string) (civil.Date, int, error) {
	code := strings.ToUpper(strings.TrimSpace(s))
	bad := fmt.Errorf("not a tracking code of the form XF20261125-0042: %q", s)
	datePart, seqPart, found := strings.Cut(strings.TrimPrefix(code, "XF"), "-")
	if !strings.HasPrefix(code, "XF") || !found || len(datePart) != 8 || len(seqPart) < 4 || !allDigits(datePart) || !allDigits(seqPart) {
		return civil.Date{}, 0, bad
	}
	t, err := time.Parse("20060102", datePart)
	if err != nil {
		return civil.Date{}, 0, bad
	}
	seq, err := strconv.Atoi(seqPart)
	if err != nil || seq < 1 {
		return civil.Date{}, 0, bad
	}
	date := civil.Of(t, time.UTC)
	if TrackingCode(date, seq) != code {
		return civil.Date{}, 0, bad
	}
	return date, seq, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

const (
	pinSpace = 1_000_000 // six decimal digits
	// pinLimit is the largest multiple of pinSpace that fits in 32 bits: draws at or above it are
	// thrown away so that every PIN is equally likely (no modulo bias).
	pinLimit    = (1 << 32) / pinSpace * pinSpace
	maxPINDraws = 64 // a true random source needs more than a few draws with probability ~2e-4 per draw
)

// NewPIN returns a six-digit PIN (leading zeros kept), drawn uniformly from r, which should be
// crypto/rand.Reader. It reads four bytes at a time and rejects draws that would bias the
// result; a source that keeps producing rejected draws is reported as an error.
func NewPIN(r io.Reader) (string, error) {
	var b [4]byte
	for range maxPINDraws {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("reading randomness for a PIN: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < pinLimit {
			return fmt.Sprintf("%06d", v%pinSpace), nil
		}
	}
	return "", errors.New("the random source keeps returning out-of-range values; it is not random")
}
