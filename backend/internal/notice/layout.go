package notice

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
)

// The page after GB/T 9704-2012 §5: A4, top margin 37 mm, left 28 mm, a type area (版心) of
// 156 mm × 225 mm (so right 26 mm, bottom 35 mm), 22 lines of 28 characters of 3号 (16 pt).
const (
	mm         = 72 / 25.4
	pageWidth  = 595.28 // A4 in points, as pdfinfo reports it
	pageHeight = 841.89
	marginTop  = 37 * mm
	marginLeft = 28 * mm
	areaWidth  = 156 * mm
	areaHeight = 225 * mm

	linesPerPage = 22
	charsPerLine = 28
	pitch        = areaHeight / linesPerPage // line pitch, ≈ 28.99 pt
	cell         = areaWidth / charsPerLine  // one character of the grid, ≈ 15.79 pt

	bodySize   = 16 // 3号: body, addressee, number, office and date
	titleSize  = 22 // 2号: the title (小标宋 in the standard; here Noto Serif SC Bold)
	folioSize  = 14 // 4号: the page number
	emAscent   = 0.88
	bodyTc     = cell - bodySize // character spacing that sets 3号 characters on the grid
	maxJustify = 0.5 * cell      // a line that would need more spacing than this per gap stays ragged
)

// row is one line of the grid: text at x, in a font, with character spacing.
type row struct {
	text     string
	x        float64
	font     string
	size     float64
	spacing  float64
	keepPrev bool // must stay on the page of the row before it
}

// typeset lays the document out on pages and writes the PDF.
func typeset(d document) ([]byte, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	ty := typesetter{fs: fs}
	rows := ty.rows(d)
	pages := paginate(rows)

	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageWidth, H: pageHeight}, Unit: gopdf.UnitPT})
	pdf.SetInfo(gopdf.PdfInfo{
		Title:    d.meta,
		Subject:  d.office,
		Creator:  "民心 Minxin",
		Producer: "Minxin notice 1 (gopdf)",
	})
	for _, name := range []string{bodyFont, titleFont} {
		if err := pdf.AddTTFFontFromFontContainer(name, fs.container); err != nil {
			return nil, fmt.Errorf("notice: %w", err)
		}
	}
	for i, page := range pages {
		pdf.AddPage()
		for j, r := range page {
			if r.text == "" {
				continue
			}
			baseline := marginTop + float64(j)*pitch + (pitch-r.size)/2 + emAscent*r.size
			if err := ty.draw(pdf, r, baseline); err != nil {
				return nil, err
			}
		}
		if err := ty.folio(pdf, i+1); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("notice: %w", err)
	}
	return buf.Bytes(), nil
}

type typesetter struct{ fs *fontSet }

func (t typesetter) draw(pdf *gopdf.GoPdf, r row, baseline float64) error {
	if err := pdf.SetFont(r.font, "", r.size); err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	if err := pdf.SetCharSpacing(r.spacing); err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	pdf.SetXY(r.x, baseline)
	if err := pdf.Text(r.text); err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	return nil
}

// folio writes the page number after GB/T 9704 §7.5: 4号, between one-character dashes, its
// top 7 mm below the type area, odd pages right and even pages left, one character in.
func (t typesetter) folio(pdf *gopdf.GoPdf, n int) error {
	text := fmt.Sprintf("— %d —", n)
	w := t.width(text, t.fs.body, folioSize, 0)
	x := marginLeft + areaWidth - folioSize - w
	if n%2 == 0 {
		x = marginLeft + folioSize
	}
	baseline := marginTop + areaHeight + 7*mm + emAscent*folioSize
	return t.draw(pdf, row{text: text, x: x, font: bodyFont, size: folioSize}, baseline)
}

// rows sets the document's lines on the grid.
func (t typesetter) rows(d document) []row {
	var rows []row
	// The title, centred; a title longer than a line breaks like body text, centred.
	for _, l := range t.breakLines(d.title, t.fs.title, titleSize, 0, 0) {
		rows = append(rows, row{text: l.text, x: marginLeft + (areaWidth-l.width)/2, font: titleFont, size: titleSize})
	}
	// The number, flush right under the title, then one empty line.
	for _, l := range t.breakLines(d.number, t.fs.body, bodySize, bodyTc, 0) {
		rows = append(rows, row{text: l.text, x: marginLeft + areaWidth - l.width, font: bodyFont, size: bodySize, spacing: bodyTc})
	}
	rows = append(rows, row{})
	// The addressee, flush left (顶格).
	if d.addressee != "" {
		rows = append(rows, t.paragraph(d.addressee, 0)...)
	}
	// The body, each paragraph indented two characters.
	for _, p := range d.paragraphs {
		rows = append(rows, t.paragraph(p, 2*cell)...)
	}
	// One empty line, then the office two characters from the right and the date under it,
	// starting two characters right of the office; a date longer than that ends two
	// characters from the right and the office moves left with it (GB/T 9704 §7.3.5.2).
	// These lines stay on the page of the last line of the body (no page without body text).
	wOffice := t.width(d.office, t.fs.body, bodySize, bodyTc)
	wDate := t.width(d.date, t.fs.body, bodySize, bodyTc)
	right := marginLeft + areaWidth - 2*cell
	xOffice := right - wOffice
	xDate := xOffice + 2*cell
	if xDate+wDate > right {
		xDate = right - wDate
		xOffice = xDate - 2*cell
	}
	rows = append(rows, row{keepPrev: true})
	for _, l := range t.breakLines(d.office, t.fs.body, bodySize, bodyTc, 0) {
		x := xOffice
		if x < marginLeft {
			x = marginLeft
		}
		rows = append(rows, row{text: l.text, x: x, font: bodyFont, size: bodySize, spacing: bodyTc, keepPrev: true})
	}
	rows = append(rows, row{text: d.date, x: max(xDate, marginLeft), font: bodyFont, size: bodySize, spacing: bodyTc, keepPrev: true})
	return rows
}

// paragraph sets a body paragraph: justified lines, the last one ragged.
func (t typesetter) paragraph(s string, indent float64) []row {
	lines := t.breakLines(s, t.fs.body, bodySize, bodyTc, indent)
	rows := make([]row, 0, len(lines))
	for i, l := range lines {
		x := marginLeft
		avail := areaWidth
		if i == 0 {
			x += indent
			avail -= indent
		}
		spacing := float64(bodyTc)
		if n := len([]rune(l.text)); i < len(lines)-1 && n > 1 {
			extra := (avail - l.width) / float64(n)
			if extra > 0 && extra <= maxJustify {
				spacing += extra
			}
		}
		rows = append(rows, row{text: l.text, x: x, font: bodyFont, size: bodySize, spacing: spacing})
	}
	return rows
}

// paginate puts rows on pages of linesPerPage. A row that must stay with the one before it
// takes the rows it hangs on along to the next page; no page starts with an empty line.
func paginate(rows []row) [][]row {
	var pages [][]row
	var page []row
	for i, r := range rows {
		if len(page) == linesPerPage {
			carry := 0
			if r.keepPrev {
				head := i
				for head > 0 && rows[head].keepPrev {
					head--
				}
				if carry = i - head; carry >= len(page) {
					carry = 0 // a chain longer than a page breaks where it must
				}
			}
			pages = append(pages, page[:len(page)-carry])
			page = append([]row(nil), page[len(page)-carry:]...)
		}
		if len(page) == 0 && r.text == "" {
			continue
		}
		page = append(page, r)
	}
	return append(pages, page)
}

// line is one line of broken text.
type line struct {
	text  string
	width float64 // on the grid: every character's advance with its spacing
}

// token is what a line break may not split: one CJK character, a word of Latin letters and
// digits, a run of dashes or ellipses, or a space.
type token struct {
	text  string
	width float64 // with each character's spacing
	space bool
}

// No line starts with closing punctuation and none ends with opening punctuation (禁则).
const (
	noStart = "，。、；：？！）》」』】〕〉”’…—·%‰℃,.;:?!)]}>"
	noEnd   = "（《「『【〔〈“‘([{<"
)

// breakLines breaks s into lines of the type area's width, the first indented.
func (t typesetter) breakLines(s string, m *metrics, size, spacing, indent float64) []line {
	toks := t.tokens(s, m, size, spacing)
	var lines []line
	var cur []token
	curW := indent
	const eps = 0.01
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1].space {
			curW -= cur[len(cur)-1].width
			cur = cur[:len(cur)-1]
		}
		var b strings.Builder
		for _, tk := range cur {
			b.WriteString(tk.text)
		}
		w := curW
		if len(lines) == 0 {
			w -= indent
		}
		lines = append(lines, line{text: b.String(), width: w})
		cur, curW = nil, 0
	}
	for _, tk := range toks {
		if len(cur) == 0 && tk.space {
			continue
		}
		if curW+tk.width <= areaWidth+eps || len(cur) == 0 || tk.space { // a space may hang past the end
			cur = append(cur, tk)
			curW += tk.width
			continue
		}
		// tk does not fit. Carry to the next line with it what may not end a line, and, when
		// tk may not start one, the tokens before it up to one that may (spaces go along).
		var carry []token
		if startsClosing(tk) {
			found := false
			for len(cur)-len(carry) > 1 && !found {
				moved := cur[len(cur)-1-len(carry)]
				carry = cur[len(cur)-1-len(carry):]
				found = !moved.space && !startsClosing(moved)
			}
			if !found {
				carry = nil // a line of nothing but closing punctuation: break before tk after all
			}
			for _, c := range carry {
				curW -= c.width
			}
			cur = cur[:len(cur)-len(carry)]
			carry = append([]token(nil), carry...)
		}
		for len(cur) > 1 && (cur[len(cur)-1].space || endsOpening(cur[len(cur)-1])) {
			moved := cur[len(cur)-1]
			cur = cur[:len(cur)-1]
			curW -= moved.width
			carry = append([]token{moved}, carry...)
		}
		for len(carry) > 0 && carry[0].space {
			carry = carry[1:]
		}
		flush()
		for _, c := range carry {
			cur = append(cur, c)
			curW += c.width
		}
		if len(cur) == 0 && tk.space {
			continue
		}
		cur = append(cur, tk)
		curW += tk.width
	}
	if len(cur) > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits s into tokens, a word too long for a line into characters.
func (t typesetter) tokens(s string, m *metrics, size, spacing float64) []token {
	var toks []token
	runes := []rune(s)
	for i := 0; i < len(runes); {
		r := runes[i]
		j := i + 1
		switch {
		case unicode.IsSpace(r):
			for j < len(runes) && unicode.IsSpace(runes[j]) {
				j++
			}
			toks = append(toks, token{text: " ", width: t.width(" ", m, size, spacing), space: true})
			i = j
			continue
		case r == '—' || r == '…':
			for j < len(runes) && runes[j] == r {
				j++
			}
		case isWordRune(r):
			for j < len(runes) && isWordRune(runes[j]) {
				j++
			}
		}
		text := string(runes[i:j])
		w := t.width(text, m, size, spacing)
		if w > areaWidth && j-i > 1 {
			for _, c := range runes[i:j] {
				toks = append(toks, token{text: string(c), width: t.width(string(c), m, size, spacing)})
			}
		} else {
			toks = append(toks, token{text: text, width: w})
		}
		i = j
	}
	return toks
}

// isWordRune reports whether r belongs to a word that lines do not break inside: letters,
// digits and the marks inside codes, numbers and addresses (XF20261125-0042-01, 3.5, a@b).
func isWordRune(r rune) bool {
	if r >= 0x2E80 || unicode.IsSpace(r) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || strings.ContainsRune("-_./@#&+*'%", r)
}

// width is the width of s in points, each character followed by its spacing.
func (t typesetter) width(s string, m *metrics, size, spacing float64) float64 {
	var w float64
	for _, r := range s {
		adv, ok := m.advance(r)
		if !ok {
			adv, _ = m.advance(missingGlyph)
			if adv == 0 {
				adv = 1
			}
		}
		w += adv*size + spacing
	}
	return w
}

func startsClosing(t token) bool {
	r, ok := firstRune(t.text)
	return ok && strings.ContainsRune(noStart, r)
}

func endsOpening(t token) bool {
	r, ok := lastRune(t.text)
	return ok && strings.ContainsRune(noEnd, r)
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}
