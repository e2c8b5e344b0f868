// Package export writes tables as the spreadsheet files Minxin answers with: CSV, in UTF-8
// with a byte-order mark so that Excel reads the Chinese, and XLSX, one sheet per table with
// its header row bold and frozen. Every export goes through here, and every one is safe to
// open (product §10, OWASP's CSV injection): a text that a spreadsheet would take for a
// formula — beginning with =, +, -, @, a tab or a carriage return — is written as text: in
// CSV with a single quote before it, in XLSX as a string cell (no cell is ever a formula).
// Numbers stay numbers.
package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Sheet is one table: the first row is the header; Notes are lines written under it.
type Sheet struct {
	Name  string
	Rows  [][]any
	Notes []string
}

// SheetNames hands out workbook sheet names: at most 31 characters, none of []:*?/\, and
// each once (a repeat gets a number).
type SheetNames map[string]bool

// Take returns a sheet name made from name, not handed out before.
func (n SheetNames) Take(name string) string {
	clean := []rune(strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, name))
	if len(clean) > 28 {
		clean = clean[:28]
	}
	out := string(clean)
	for i := 2; n[out]; i++ {
		out = fmt.Sprintf("%s(%d)", string(clean), i)
	}
	n[out] = true
	return out
}

// formulaStart reports whether a spreadsheet would read text as a formula (or as the start
// of one, as a tab or a carriage return lets it).
func formulaStart(text string) bool {
	return text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0]))
}

// isNumber reports whether v is a number, which is written as a number.
func isNumber(v any) bool {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// CSVCell is how CSV writes v: a number as it is, a text that a spreadsheet would run as a
// formula after a single quote, which shows it as text.
func CSVCell(v any) string {
	if v == nil {
		return ""
	}
	text := fmt.Sprint(v)
	if !isNumber(v) && formulaStart(text) {
		return "'" + text
	}
	return text
}

// CSV writes rows as CSV.
func CSV(rows [][]any) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = CSVCell(v)
		}
		w.Write(rec) // writes to memory: it cannot fail
	}
	w.Flush()
	return b.Bytes()
}

// XLSX writes the sheets as a workbook, in order.
func XLSX(sheets ...Sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err != nil {
			return nil, err
		}
		if err := writeSheet(f, sh, bold); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// setCell writes v into a cell: a number as a number, anything else as a string cell
// (SetCellStr), which no spreadsheet runs, whatever the text begins with.
func setCell(f *excelize.File, sheet, cell string, v any) error {
	switch v.(type) {
	case nil:
		return nil
	case bool:
		return f.SetCellValue(sheet, cell, v)
	}
	if isNumber(v) {
		return f.SetCellValue(sheet, cell, v)
	}
	return f.SetCellStr(sheet, cell, fmt.Sprint(v))
}

func writeSheet(f *excelize.File, sh Sheet, bold int) error {
	for i, row := range sh.Rows {
		for j, v := range row {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				return err
			}
			if err := setCell(f, sh.Name, cell, v); err != nil {
				return err
			}
		}
	}
	for i, note := range sh.Notes {
		if err := f.SetCellStr(sh.Name, fmt.Sprintf("A%d", len(sh.Rows)+2+i), note); err != nil {
			return err
		}
	}
	if err := f.SetRowStyle(sh.Name, 1, 1, bold); err != nil {
		return err
	}
	if err := f.SetColWidth(sh.Name, "A", "A", 18); err != nil {
		return err
	}
	return f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
