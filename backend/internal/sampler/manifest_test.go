package sampler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

func TestWriteManifestBytes(t *testing.T) {
	items := []Item{
		{"visit:b", "t2"},
		{"overnight_stay:ä", "镇一"},
		{"overnight_stay:a", "t1"},
	}
	var buf bytes.Buffer
	if err := WriteManifest(&buf, items); err != nil {
		t.Fatal(err)
	}
	want := "record_id,township_id\n" +
		"overnight_stay:a,t1\n" +
		"overnight_stay:ä,镇一\n" +
		"visit:b,t2\n"
	if buf.String() != want {
		t.Errorf("manifest =\n%q\nwant\n%q", buf.String(), want)
	}
	if items[0].ID != "visit:b" {
		t.Error("WriteManifest reordered the caller's slice")
	}
}

func TestManifestSHA256(t *testing.T) {
	tests := []struct {
		name  string
		items []Item
		want  string
	}{
		// computed with Python: the 682 bytes of the auditItems manifest
		{"audit items", auditItems(), "31a2fc7f87630fe990e5b31699e3e65ad18025221e416992ac979ce1b4ea49dc"},
		{"empty population", nil, "edd234c784af4ddc64febd49779159966ef45562aaf4daea8c98664471c79704"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ManifestSHA256(tt.items)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ManifestSHA256 = %s, want %s", got, tt.want)
			}
			var buf bytes.Buffer
			if err := WriteManifest(&buf, tt.items); err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(buf.Bytes()); hex.EncodeToString(sum[:]) != got {
				t.Error("ManifestSHA256 is not the hash of WriteManifest's bytes")
			}
		})
	}
}

func TestManifestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteManifest(&buf, auditItems()); err != nil {
		t.Fatal(err)
	}
	written := buf.String()
	items, err := ReadManifest(strings.NewReader(written))
	if err != nil {
		t.Fatal(err)
	}
	want := auditItems()
	slices.SortFunc(want, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	if !slices.Equal(items, want) {
		t.Errorf("ReadManifest = %v, want %v", items, want)
	}
	buf.Reset()
	if err := WriteManifest(&buf, items); err != nil {
		t.Fatal(err)
	}
	if buf.String() != written {
		t.Error("writing what was read does not give back the same bytes")
	}
}

func TestReadManifestEmptyPopulation(t *testing.T) {
	items, err := ReadManifest(strings.NewReader("record_id,township_id\n"))
	if err != nil || len(items) != 0 {
		t.Errorf("ReadManifest(header only) = %v, %v, want no items", items, err)
	}
}

func TestReadManifestRejects(t *testing.T) {
	const h = "record_id,township_id\n"
	tests := []struct {
		name, in, wantErr string
	}{
		{"empty file", "", "line 1: empty manifest"},
		{"wrong header", "id,township\na,t\n", "line 1: header"},
		{"header with BOM", "\ufeff" + h, "line 1: header"},
		{"header without LF", "record_id,township_id", "line 1: no LF"},
		{"CRLF", "record_id,township_id\r\na,t\r\n", "line 1: CR"},
		{"CR in a row", h + "a,t\r\n", "line 2: CR"},
		{"last row without LF", h + "a,t\nb,t", "line 3: no LF"},
		{"unsorted", h + "b,t\na,t\n", "line 3: record id \"a\" sorts before \"b\""},
		{"duplicate", h + "a,t\nb,t\nb,u\n", "line 4: duplicate record id \"b\""},
		{"one field", h + "a\n", "line 2: want exactly two fields"},
		{"three fields", h + "a,t,x\n", "line 2: want exactly two fields"},
		{"blank line", h + "a,t\n\n", "line 3: want exactly two fields"},
		{"empty record id", h + ",t\n", "line 2: record_id is empty"},
		{"empty township", h + "a,\n", "line 2: township_id is empty"},
		{"trailing space", h + "a ,t\n", "line 2: record_id \"a \" has a forbidden character"},
		{"quoted field", h + "\"a\",t\n", "line 2: record_id"},
		{"tab", h + "a,t\t\n", "line 2: township_id"},
		{"invalid UTF-8", h + "a\xff,t\n", "line 2: record_id \"a\\xff\" is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ReadManifest(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadManifest = %v, %v; want an error containing %q", items, err, tt.wantErr)
			}
		})
	}
}

func TestWriteManifestRejects(t *testing.T) {
	tests := []struct {
		name    string
		items   []Item
		wantErr string
	}{
		{"duplicate id", []Item{{"a", "t"}, {"b", "t"}, {"a", "u"}}, "duplicate record id \"a\""},
		{"comma in id", []Item{{"a,b", "t"}}, "record_id \"a,b\" has a forbidden character"},
		{"newline in township", []Item{{"a", "t\n"}}, "township_id"},
		{"empty township", []Item{{"a", ""}}, "township_id is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := WriteManifest(&buf, tt.items)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("WriteManifest err = %v, want one containing %q", err, tt.wantErr)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteManifest wrote %q before failing", buf.String())
			}
		})
	}
}
