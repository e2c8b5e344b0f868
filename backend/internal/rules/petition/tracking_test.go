package petition

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestTrackingCode(t *testing.T) {
	cases := []struct {
		seq  int
		want string
	}{
		{1, "XF20261125-0001"},
		{42, "XF20261125-0042"},
		{9999, "XF20261125-9999"},
		{10000, "XF20261125-10000"},
		{123456, "XF20261125-123456"},
	}
	for _, c := range cases {
		code := TrackingCode(date(2026, 11, 25), c.seq)
		if code != c.want {
			t.Errorf("TrackingCode(2026-11-25, %d) = %s, want %s", c.seq, code, c.want)
		}
		d, seq, err := ParseTrackingCode(code)
		if err != nil || d != date(2026, 11, 25) || seq != c.seq {
			t.Errorf("ParseTrackingCode(%s) = %v, %d, %v", code, d, seq, err)
		}
	}
	if got := TrackingCode(date(2027, 1, 3), 7); got != "XF20270103-0007" {
		t.Errorf("single-digit month and day: %s", got)
	}
}

func TestTrackingCodeRefusesNonPositiveSequences(t *testing.T) {
	for _, seq := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("TrackingCode with sequence %d did not panic", seq)
				}
			}()
			TrackingCode(date(2026, 11, 25), seq)
		}()
	}
}

func TestParseTrackingCodeAsTyped(t *testing.T) {
	for _, s := range []string{"xf20261125-0042", "  XF20261125-0042\n", "Xf20261125-0042"} {
		d, seq, err := ParseTrackingCode(s)
		if err != nil || d != date(2026, 11, 25) || seq != 42 {
			t.Errorf("ParseTrackingCode(%q) = %v, %d, %v", s, d, seq, err)
		}
	}
}

func TestParseTrackingCodeRefuses(t *testing.T) {
	for _, s := range []string{
		"",
		"XF20261125",
		"XF20261125-",
		"XF20261125-042",                  // fewer than four digits
		"XF20261125-00042",                // a leading zero beyond the padding
		"XF20261125-0000",                 // sequences start at 1
		"XF20260230-0042",                 // no 30 February
		"XF2026112-50042",                 // seven-digit date
		"XX20261125-0042",                 // wrong prefix
		"20261125-0042",                   // no prefix
		"XF20261125_0042",                 // wrong separator
		"XF20261125--0042",                // two separators
		"XF20261125-+042",                 // a sign
		"XF20261125-００４２",                 // full-width digits
		"XF20261125-0042X",                // trailing letter
		"XF 20261125-0042",                // inner space
		"XF20261125-99999999999999999999", // overflows an int
	} {
		if d, seq, err := ParseTrackingCode(s); err == nil {
			t.Errorf("ParseTrackingCode(%q) = %v, %d", s, d, seq)
		}
	}
}

// draws returns the big-endian bytes of 32-bit draws, as NewPIN reads them.
func draws(values ...uint32) io.Reader {
	var b []byte
	for _, v := range values {
		b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return bytes.NewReader(b)
}

func TestNewPINRejectsBiasedDraws(t *testing.T) {
	cases := []struct {
		name  string
		draws []uint32
		want  string
	}{
		{"zero keeps its leading zeros", []uint32{0}, "000000"},
		{"small value", []uint32{42}, "000042"},
		{"a million wraps to zero", []uint32{1_000_000}, "000000"},
		{"the last accepted draw", []uint32{4_293_999_999}, "999999"},
		{"the first biased draw is thrown away", []uint32{4_294_000_000, 7}, "000007"},
		{"the largest draw is thrown away", []uint32{0xFFFFFFFF, 0xFFFFFFFF, 123_456}, "123456"},
	}
	for _, c := range cases {
		pin, err := NewPIN(draws(c.draws...))
		if err != nil || pin != c.want {
			t.Errorf("%s: got %q, %v; want %s", c.name, pin, err, c.want)
		}
	}
}

func TestNewPINAcceptsEveryResidueEquallyOften(t *testing.T) {
	// Every accepted draw v maps to v mod 10^6, and the accepted draws are 0 … pinLimit-1, so
	// each PIN has exactly pinLimit/10^6 draws.
	if pinLimit%pinSpace != 0 || pinLimit > 1<<32 || 1<<32-pinLimit >= pinSpace {
		t.Fatalf("pinLimit %d is not the largest multiple of %d within 32 bits", pinLimit, pinSpace)
	}
}

func TestNewPINErrors(t *testing.T) {
	if _, err := NewPIN(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("a failing reader gave a PIN")
	}
	if _, err := NewPIN(bytes.NewReader([]byte{1, 2, 3})); err == nil {
		t.Error("a short read gave a PIN")
	}
	if _, err := NewPIN(bytes.NewReader(bytes.Repeat([]byte{0xFF}, 4*maxPINDraws+4))); err == nil {
		t.Error("a source of only biased draws gave a PIN")
	}
}

func TestNewPINFromCryptoRand(t *testing.T) {
	seen := make(map[string]bool)
	for range 200 {
		pin, err := NewPIN(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(pin) != 6 || !allDigits(pin) {
			t.Fatalf("PIN %q is not six digits", pin)
		}
		seen[pin] = true
	}
	if len(seen) < 190 {
		t.Errorf("only %d distinct PINs in 200", len(seen))
	}
}
