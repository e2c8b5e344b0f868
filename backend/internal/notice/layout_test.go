package notice

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func testTypesetter(t testing.TB) typesetter {
	t.Helper()
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	return typesetter{fs: fs}
}

// Body text sits on the grid of GB/T 9704: 28 characters a line, the first line of a
// paragraph indented two.
func TestGrid(t *testing.T) {
	ty := testTypesetter(t)
	rows := ty.paragraph(strings.Repeat("信", 80), 2*cell)
	var counts []int
	for _, r := range rows {
		counts = append(counts, utf8.RuneCountInString(r.text))
	}
	if len(counts) != 3 || counts[0] != 26 || counts[1] != 28 || counts[2] != 26 {
		t.Fatalf("characters per line %v, want [26 28 26]", counts)
	}
	if math.Abs(rows[0].x-(marginLeft+2*cell)) > 0.01 || math.Abs(rows[1].x-marginLeft) > 0.01 {
		t.Errorf("x %v %v: the first line is indented two characters, the others flush left", rows[0].x, rows[1].x)
	}
	if math.Abs(28*cell-areaWidth) > 1e-9 || math.Abs(22*pitch-areaHeight) > 1e-9 {
		t.Error("the grid does not fill the type area")
	}
}

// Full lines of mixed text are justified to the width of the type area; the last line of a
// paragraph is not.
func TestJustified(t *testing.T) {
	ty := testTypesetter(t)
	text := "经调查核实，东山村村道K2+300至K3+100段共有路灯24盏，其中9盏因线路老化损坏。本机关已协调供电公司于2027年1月10日更换线路，并于2027年1月15日前修复全部损坏路灯。"
	rows := ty.paragraph(text, 2*cell)
	if len(rows) < 3 {
		t.Fatalf("%d lines", len(rows))
	}
	for i, r := range rows {
		n := utf8.RuneCountInString(r.text)
		right := r.x + ty.width(r.text, ty.fs.body, bodySize, r.spacing)
		if i < len(rows)-1 && math.Abs(right-(marginLeft+areaWidth)) > 0.05 {
			t.Errorf("line %d (%d characters) ends at %.2f, want %.2f", i, n, right, marginLeft+areaWidth)
		}
		if right > marginLeft+areaWidth+0.05 {
			t.Errorf("line %d runs past the type area", i)
		}
	}
	if last := rows[len(rows)-1]; last.spacing != bodyTc {
		t.Errorf("the last line is justified (spacing %v)", last.spacing)
	}
}

// No line starts with closing punctuation or ends with opening punctuation, and breaking
// loses no character.
func TestLineBreakRules(t *testing.T) {
	ty := testTypesetter(t)
	// 26 characters fill the indented first line; the comma must not start the second.
	lines := ty.breakLines(strings.Repeat("信", 26)+"，访", ty.fs.body, bodySize, bodyTc, 2*cell)
	if len(lines) != 2 || lines[1].text != "信，访" {
		t.Fatalf("lines %q: the comma takes the last character along", texts(lines))
	}
	// An opening bracket at the end of a line goes to the next.
	lines = ty.breakLines(strings.Repeat("信", 25)+"（访）", ty.fs.body, bodySize, bodyTc, 2*cell)
	if len(lines) != 2 || lines[1].text != "（访）" {
		t.Fatalf("lines %q: the bracket goes with what it opens", texts(lines))
	}
	// A code is not split.
	lines = ty.breakLines(strings.Repeat("信", 20)+"XF20261125-0042-01", ty.fs.body, bodySize, bodyTc, 2*cell)
	if len(lines) != 2 || lines[1].text != "XF20261125-0042-01" {
		t.Fatalf("lines %q: the code stays whole", texts(lines))
	}

	alphabet := []rune("信访事项处理意见，。、；：？！（）《》“”‘’…—ABCxyz0123 ")
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(200) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		lines := ty.breakLines(s, ty.fs.body, bodySize, bodyTc, 2*cell)
		checkLines(t, n, s, lines)
	}
}

func FuzzBreakLines(f *testing.F) {
	for _, s := range []string{"", " ", "，，，，", "（（（（", strings.Repeat("长", 100), strings.Repeat("W", 300),
		"经调查核实，“已修复”。（见附件）", "a b  c\u3000d"} {
		f.Add(s)
	}
	ty := testTypesetter(f)
	f.Fuzz(func(t *testing.T, s string) {
		s = oneLine(s)
		checkLines(t, 0, s, ty.breakLines(s, ty.fs.body, bodySize, bodyTc, 2*cell))
	})
}

func checkLines(t *testing.T, n int, s string, lines []line) {
	t.Helper()
	var joined strings.Builder
	for i, l := range lines {
		joined.WriteString(l.text)
		r := []rune(l.text)
		if len(r) == 0 {
			if len(lines) > 1 {
				t.Fatalf("case %d %q: empty line %d", n, s, i)
			}
			continue
		}
		limit := areaWidth
		if i == 0 {
			limit -= 2 * cell
		}
		if l.width > limit+0.01 && len(r) > 1 && !allNoStart(r[1:]) {
			t.Errorf("case %d %q: line %d %q is %.1f pt wide, more than %.1f", n, s, i, l.text, l.width, limit)
		}
		if i > 0 && strings.ContainsRune(noStart, r[0]) && !strings.ContainsRune(noStart, []rune(lines[i-1].text)[0]) && len([]rune(lines[i-1].text)) > 1 {
			t.Errorf("case %d %q: line %d starts with %q", n, s, i, r[0])
		}
		if i < len(lines)-1 && strings.ContainsRune(noEnd, r[len(r)-1]) && len(r) > 1 {
			t.Errorf("case %d %q: line %d ends with %q", n, s, i, r[len(r)-1])
		}
	}
	if squeeze(joined.String()) != squeeze(s) {
		t.Errorf("case %d: lines %q lose text of %q", n, texts(lines), s)
	}
}

func allNoStart(r []rune) bool {
	for _, c := range r {
		if !strings.ContainsRune(noStart, c) {
			return false
		}
	}
	return true
}

func texts(lines []line) []string {
	var s []string
	for _, l := range lines {
		s = append(s, l.text)
	}
	return s
}

// The office and the date never stand on a page of their own: the last line of the body goes
// with them. No page starts with an empty line.
func TestPaginateKeepsSignatureWithBody(t *testing.T) {
	body := func(n int) []row {
		var rows []row
		for range n {
			rows = append(rows, row{text: "正文"})
		}
		return rows
	}
	signature := []row{{keepPrev: true}, {text: "青山镇人民政府", keepPrev: true}, {text: "2026年11月28日", keepPrev: true}}
	for n := 1; n <= 60; n++ {
		pages := paginate(append(body(n), signature...))
		total := 0
		for p, page := range pages {
			if len(page) == 0 || len(page) > linesPerPage {
				t.Fatalf("%d body lines: page %d has %d lines", n, p+1, len(page))
			}
			if page[0].text == "" {
				t.Errorf("%d body lines: page %d starts with an empty line", n, p+1)
			}
			total += len(page)
		}
		if total != n+3 {
			t.Errorf("%d body lines: %d lines set, want %d", n, total, n+3)
		}
		last := pages[len(pages)-1]
		if len(last) < 4 || last[len(last)-4].text != "正文" {
			t.Errorf("%d body lines: the last page %v has no body line before the office", n, last)
		}
	}
}

// Fuzzing the free texts: Render never fails on valid UTF-8 and gives the same bytes twice.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "处理意见", "\x00\x01\u202e\u2028\u2029\ufeff", "😀‍👩‍👩‍👧", strings.Repeat("，", 50),
		"') OR 1=1 --", "=CMD|' /C calc'!A0", "<script>alert(1)</script>", "𠀀𪜀", strings.Repeat("W", 200)} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, decision, name string) {
		if !utf8.ValidString(decision) || !utf8.ValidString(name) || len(decision) > 2000 || len(name) > 200 {
			return
		}
		facts := sample(Reply, false)
		facts.Decision = "意见：" + decision
		facts.Petitioner = name
		a, err := Render(facts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(facts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(a, []byte("%PDF-1.")) || !bytes.HasSuffix(a, []byte("%%EOF\n")) || !bytes.Equal(a, b) {
			t.Fatal("not one and the same PDF")
		}
	})
}
