// Package export writes tables as the spreadsheet files Minxin answers with: CSV, in UTF-8
// with a byte-order mark so that Excel reads the Chinese, and XLSX, one sheet per table with
// its header row bold and frozen. Every export goes through here.
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

// CSV writes rows as CSV.
func CSV(rows [][]any) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = fmt.Sprint(v)
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

func writeSheet(f *excelize.File, sh Sheet, bold int) error {
	for i, row := range sh.Rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sh.Name, cell, &row); err != nil {
			return err
		}
	}
	for i, note := range sh.Notes {
		if err := f.SetCellValue(sh.Name, fmt.Sprintf("A%d", len(sh.Rows)+2+i), note); err != nil {
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
