package sampler

import (
	"bytes"
	"testing"
)

// FuzzReadManifest: any bytes are either refused or a manifest that writes back byte for byte.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte("record_id,township_id\n"))
	f.Add([]byte("record_id,township_id\novernight_stay:a,t1\nvisit:b,t2\n"))
	f.Add([]byte("record_id,township_id\nb,t\na,t\n"))
	f.Add([]byte("record_id,township_id\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := ReadManifest(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteManifest(&out, items); err != nil {
			t.Fatalf("a manifest that reads does not write: %v", err)
		}
		if !bytes.Equal(out.Bytes(), b) {
			t.Fatalf("manifest does not round-trip:\n%q\n%q", b, out.Bytes())
		}
	})
}
