package sampler

import (
	"strings"
	"testing"
)

func TestNewSeed(t *testing.T) {
	var random [SeedRandomBytes]byte
	for i := range random {
		random[i] = byte(i % 16 * 17)
	}
	const hexPart = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	tests := []struct {
		name, digits, want, wantErr string
	}{
		{"public digits", "0815", "0815-" + hexPart, ""},
		{"no public digits", "", "-" + hexPart, ""},
		{"letter", "08a5", "", "byte 2 is not an ASCII digit"},
		{"full-width digit", "０8", "", "byte 0 is not an ASCII digit"},
		{"hyphen", "1-2", "", "byte 1 is not an ASCII digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewSeed(tt.digits, random)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("NewSeed(%q) = %q, %v; want an error containing %q", tt.digits, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NewSeed(%q) = %q, %v; want %q", tt.digits, got, err, tt.want)
			}
		})
	}
}
