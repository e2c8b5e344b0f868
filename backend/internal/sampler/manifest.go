package sampler

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// ManifestHeader is the first line of every manifest, without its LF.
const ManifestHeader = "record_id,township_id"

// WriteManifest writes the population manifest of items: the line
// "record_id,township_id", then one line "<ID>,<Township>" per item in
// ascending byte-wise order of ID, every line ending in a single LF. Items may
// come in any order; they are not modified. It fails, writing nothing, when
// an ID occurs twice or a field is not a valid manifest field (see
// checkField).
func WriteManifest(w io.Writer, items []Item) error {
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b Item) int { return strings.Compare(a.ID, b.ID) })
	for i, it := range sorted {
		if err := checkField("record_id", it.ID); err != nil {
			return fmt.Errorf("sampler: manifest: %w", err)
		}
		if err := checkField("township_id", it.Township); err != nil {
			return fmt.Errorf("sampler: manifest: record %q: %w", it.ID, err)
		}
		if i > 0 && sorted[i-1].ID == it.ID {
			return fmt.Errorf("sampler: manifest: duplicate record id %q", it.ID)
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(ManifestHeader + "\n")
	for _, it := range sorted {
		bw.WriteString(it.ID)
		bw.WriteByte(',')
		bw.WriteString(it.Township)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ManifestSHA256 is the SHA-256, in lowercase hex, of the manifest that
// WriteManifest writes for items.
func ManifestSHA256(items []Item) (string, error) {
	h := sha256.New()
	if err := WriteManifest(h, items); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ReadManifest reads a manifest in exactly the form WriteManifest writes, so
// that writing what it read gives back the same bytes (and hash). It rejects,
// with an error naming the line, a wrong or missing header, a line without
// its final LF, a CR, a line without exactly one comma, an invalid field, and
// a record id that is not strictly greater than the one before it (unsorted
// or duplicated). A manifest of the header alone is an empty population.
func ReadManifest(r io.Reader) ([]Item, error) {
	br := bufio.NewReader(r)
	var items []Item
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			switch {
			case line != "":
				return nil, fmt.Errorf("sampler: manifest line %d: no LF at the end of the line", n)
			case n == 1:
				return nil, fmt.Errorf("sampler: manifest line 1: empty manifest, want header %q", ManifestHeader)
			}
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		line = line[:len(line)-1]
		if strings.HasSuffix(line, "\r") {
			return nil, fmt.Errorf("sampler: manifest line %d: CR before LF; lines end in LF alone", n)
		}
		if n == 1 {
			if line != ManifestHeader {
				return nil, fmt.Errorf("sampler: manifest line 1: header %q, want %q", line, ManifestHeader)
			}
			continue
		}
		id, township, ok := strings.Cut(line, ",")
		if !ok || strings.Contains(township, ",") {
			return nil, fmt.Errorf("sampler: manifest line %d: want exactly two fields separated by one comma", n)
		}
		if err := checkField("record_id", id); err != nil {
			return nil, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		if err := checkField("township_id", township); err != nil {
			return nil, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		if len(items) > 0 {
			prev := items[len(items)-1].ID
			switch {
			case id == prev:
				return nil, fmt.Errorf("sampler: manifest line %d: duplicate record id %q", n, id)
			case id < prev:
				return nil, fmt.Errorf("sampler: manifest line %d: record id %q sorts before %q on the line above; rows must be in ascending byte-wise order", n, id, prev)
			}
		}
		items = append(items, Item{ID: id, Township: township})
	}
}

// checkField accepts a manifest field: non-empty valid UTF-8 without ASCII
// control characters, spaces, DEL, commas or double quotes, so that no field
// ever needs CSV quoting.
func checkField(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s is empty", name)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s %q is not valid UTF-8", name, v)
	}
	if i := strings.IndexFunc(v, func(c rune) bool {
		return c <= ' ' || c == 0x7f || c == ',' || c == '"'
	}); i >= 0 {
		return fmt.Errorf("%s %q has a forbidden character at byte %d (control, space, DEL, comma or double quote)", name, v, i)
	}
	return nil
}
