package notice

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests read the PDFs back with poppler-utils (pdftotext, pdfinfo, pdffonts), as a
// reader's software would. Without them the tests fail: a skipped check proves nothing.

func poppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is not installed: the notice tests read the PDFs with poppler-utils "+
			"(apt-get install poppler-utils; .ci/run installs it)", tool)
	}
	file := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, file)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return string(out)
}

// pdfText is the text of the PDF laid out as on the page (pdftotext -layout).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	return poppler(t, "pdftotext", pdf, "-layout", "-enc", "UTF-8")
}

// pdfInfo is pdfinfo's answer as key → value.
func pdfInfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	info := map[string]string{}
	for _, l := range strings.Split(poppler(t, "pdfinfo", pdf), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// fontRow is one font as pdffonts lists it.
type fontRow struct {
	name, typ, encoding string
	embedded, subset    bool
	unicode             bool
}

func pdfFonts(t *testing.T, pdf []byte) []fontRow {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(poppler(t, "pdffonts", pdf)), "\n")
	var rows []fontRow
	for _, l := range lines[2:] { // after the header and the dashes
		f := strings.Fields(l)
		// name, type (two words: CID TrueType), encoding, emb, sub, uni, object, ID
		if len(f) < 8 {
			t.Fatalf("pdffonts line %q", l)
		}
		n := len(f)
		rows = append(rows, fontRow{
			name: f[0], typ: strings.Join(f[1:n-6], " "), encoding: f[n-6],
			embedded: f[n-5] == "yes", subset: f[n-4] == "yes", unicode: f[n-3] == "yes",
		})
	}
	return rows
}

// squeeze drops all white space, so that text broken over lines and justified compares with
// the text that was given.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}
