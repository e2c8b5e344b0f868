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
		if err := checkItem(it); err != nil {
			return err
		}
		if i > 0 && sorted[i-1].ID == it.ID {
			return fmt.Errorf("sampler: manifest: duplicate record id %q", it.ID)
		}
	}
	mw := NewManifestWriter(w)
	for _, it := range sorted {
		if err := mw.Write(it); err != nil {
			return err
		}
	}
	return mw.Flush()
}

// A ManifestWriter writes a manifest one record at a time, byte for byte as
// WriteManifest writes it, for a population that comes in the manifest's own
// order (from a database, row by row) and is never held.
type ManifestWriter struct {
	w      *bufio.Writer
	header bool // written
	last   string
	n      int
	err    error
}

// NewManifestWriter starts a manifest on w; its header line is written with
// the first record, or by Flush for an empty population.
func NewManifestWriter(w io.Writer) *ManifestWriter {
	return &ManifestWriter{w: bufio.NewWriter(w)}
}

// Write writes the next record's line. It fails, writing nothing of it, when
// a field is not a valid manifest field or the ID is not greater than the one
// before it (unsorted or repeated); a failed writer stays failed.
func (m *ManifestWriter) Write(it Item) error {
	if m.err != nil {
		return m.err
	}
	if err := checkItem(it); err != nil {
		return err
	}
	if m.n > 0 && it.ID <= m.last {
		if it.ID == m.last {
			return fmt.Errorf("sampler: manifest: duplicate record id %q", it.ID)
		}
		return fmt.Errorf("sampler: manifest: record id %q comes after %q; records must come in ascending byte-wise order", it.ID, m.last)
	}
	m.writeHeader()
	m.w.WriteString(it.ID)
	m.w.WriteByte(',')
	m.w.WriteString(it.Township)
	_, m.err = m.w.Write([]byte{'\n'})
	m.last, m.n = it.ID, m.n+1
	return m.err
}

// Len is the number of records written.
func (m *ManifestWriter) Len() int { return m.n }

// Flush writes what is buffered, and the header of an empty manifest; call it
// after the last record.
func (m *ManifestWriter) Flush() error {
	if m.err != nil {
		return m.err
	}
	m.writeHeader()
	m.err = m.w.Flush()
	return m.err
}

func (m *ManifestWriter) writeHeader() {
	if !m.header {
		m.w.WriteString(ManifestHeader + "\n")
		m.header = true
	}
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
	mr := NewManifestReader(r)
	items := []Item(nil)
	for {
		it, err := mr.Read()
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
}

// A ManifestReader reads a manifest one record at a time, accepting exactly
// what ReadManifest accepts, so that a large manifest is never held.
type ManifestReader struct {
	br   *bufio.Reader
	line int // lines read
	last string
	err  error
}

// NewManifestReader reads the manifest r.
func NewManifestReader(r io.Reader) *ManifestReader {
	return &ManifestReader{br: bufio.NewReader(r)}
}

// Read returns the next record, or io.EOF after the last one of a manifest
// read whole; any other error names the line, as ReadManifest's do, and
// stays.
func (m *ManifestReader) Read() (Item, error) {
	if m.err != nil {
		return Item{}, m.err
	}
	it, err := m.read()
	m.err = err
	return it, err
}

func (m *ManifestReader) read() (Item, error) {
	for {
		m.line++
		n := m.line
		line, err := m.br.ReadString('\n')
		if err == io.EOF {
			switch {
			case line != "":
				return Item{}, fmt.Errorf("sampler: manifest line %d: no LF at the end of the line", n)
			case n == 1:
				return Item{}, fmt.Errorf("sampler: manifest line 1: empty manifest, want header %q", ManifestHeader)
			}
			return Item{}, io.EOF
		}
		if err != nil {
			return Item{}, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		line = line[:len(line)-1]
		if strings.HasSuffix(line, "\r") {
			return Item{}, fmt.Errorf("sampler: manifest line %d: CR before LF; lines end in LF alone", n)
		}
		if n == 1 {
			if line != ManifestHeader {
				return Item{}, fmt.Errorf("sampler: manifest line 1: header %q, want %q", line, ManifestHeader)
			}
			continue
		}
		id, township, ok := strings.Cut(line, ",")
		if !ok || strings.Contains(township, ",") {
			return Item{}, fmt.Errorf("sampler: manifest line %d: want exactly two fields separated by one comma", n)
		}
		if err := checkField("record_id", id); err != nil {
			return Item{}, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		if err := checkField("township_id", township); err != nil {
			return Item{}, fmt.Errorf("sampler: manifest line %d: %w", n, err)
		}
		if n > 2 {
			switch {
			case id == m.last:
				return Item{}, fmt.Errorf("sampler: manifest line %d: duplicate record id %q", n, id)
			case id < m.last:
				return Item{}, fmt.Errorf("sampler: manifest line %d: record id %q sorts before %q on the line above; rows must be in ascending byte-wise order", n, id, m.last)
			}
		}
		m.last = id
		return Item{ID: id, Township: township}, nil
	}
}

// checkItem checks both fields of a manifest row.
func checkItem(it Item) error {
	if err := checkField("record_id", it.ID); err != nil {
		return fmt.Errorf("sampler: manifest: %w", err)
	}
	if err := checkField("township_id", it.Township); err != nil {
		return fmt.Errorf("sampler: manifest: record %q: %w", it.ID, err)
	}
	return nil
}

// forbidden marks the bytes no manifest field contains: ASCII controls,
// space, DEL, comma and double quote.
var forbidden = func() (f [256]bool) {
	for c := range 256 {
		f[c] = c <= ' ' || c == 0x7f || c == ',' || c == '"'
	}
	return f
}()

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
	// Every forbidden character is ASCII, and no byte of a multi-byte UTF-8
	// sequence is, so the bytes can be checked one by one.
	for i := 0; i < len(v); i++ {
		if forbidden[v[i]] {
			return fmt.Errorf("%s %q has a forbidden character at byte %d (control, space, DEL, comma or double quote)", name, v, i)
		}
	}
	return nil
}
