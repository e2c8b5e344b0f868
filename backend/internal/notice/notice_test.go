package notice

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func TestKindsAndTitles(t *testing.T) {
	want := map[Kind]string{ // product specification §7
		"acceptance":     "受理告知书",
		"non_acceptance": "不予受理告知书",
		"extension":      "延期办理告知书",
		"reply":          "信访事项处理意见书",
		"review":         "复查意见书",
		"rereview":       "复核意见书",
		"transfer":       "转送告知书",
	}
	if len(Kinds) != len(want) {
		t.Fatalf("Kinds = %v, want the %d kinds of §7", Kinds, len(want))
	}
	for _, k := range Kinds {
		if Title(k) != want[k] {
			t.Errorf("Title(%s) = %q, want %q", k, Title(k), want[k])
		}
		if !k.Valid() || EnglishTitle(k) == "" {
			t.Errorf("%s: valid %v, English title %q", k, k.Valid(), EnglishTitle(k))
		}
	}
	if Title("appeal") != "" || Kind("appeal").Valid() {
		t.Error("an unknown kind has a title")
	}
}

// The bold font holds only the titles' characters: every title must be in it.
func TestTitleFontHasEveryTitle(t *testing.T) {
	fs, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		for _, r := range Title(k) {
			if _, ok := fs.title.advance(r); !ok {
				t.Errorf("the title font lacks %q of %s", r, Title(k))
			}
		}
	}
}

func TestNumberAndDateText(t *testing.T) {
	if got := NumberOf("XF20261125-0042", 1); got != "XF20261125-0042-01" {
		t.Errorf("NumberOf = %q", got)
	}
	if got := NumberOf("XF20261125-0042", 12); got != "XF20261125-0042-12" {
		t.Errorf("NumberOf = %q", got)
	}
	if got := DateText(civil.New(2026, time.November, 25)); got != "2026年11月25日" {
		t.Errorf("DateText = %q", got)
	}
	if got := DateText(civil.New(2027, time.January, 5)); got != "2027年1月5日" {
		t.Errorf("DateText = %q (GB/T 9704: no leading zeros)", got)
	}
}

// Every kind, named and anonymous: the PDF is A4 with its fonts embedded, and its text, read
// back with pdftotext, says what the facts say.
func TestRenderEveryKind(t *testing.T) {
	for _, k := range Kinds {
		for _, anonymous := range []bool{false, true} {
			name := string(k)
			if anonymous {
				name += "/anonymous"
			}
			t.Run(name, func(t *testing.T) {
				f := sample(k, anonymous)
				pdf, err := Render(f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
					t.Fatalf("not a PDF: %q", pdf[:min(20, len(pdf))])
				}
				info := pdfInfo(t, pdf)
				if info["Page size"] != "595.28 x 841.89 pts (A4)" {
					t.Errorf("page size %q, want A4", info["Page size"])
				}
				if info["Pages"] != "1" {
					t.Errorf("pages %q, want 1", info["Pages"])
				}
				if info["Title"] != Title(k)+" "+f.Number {
					t.Errorf("document title %q", info["Title"])
				}
				if _, ok := info["CreationDate"]; ok {
					t.Errorf("the PDF carries a creation date %q: the same facts must give the same bytes", info["CreationDate"])
				}
				checkFonts(t, pdf)

				text := pdfText(t, pdf)
				flat := squeeze(text)
				for _, want := range expectedTexts(f) {
					if !strings.Contains(flat, squeeze(want)) {
						t.Errorf("the text lacks %q:\n%s", want, text)
					}
				}
				checkAddressee(t, f, text)
			})
		}
	}
}

// expectedTexts are the facts a notice of f must show.
func expectedTexts(f Facts) []string {
	want := []string{Title(f.Kind), "编号：" + f.Number, "查询码：" + f.TrackingCode, f.Township,
		f.Subject, f.Received, f.Date, "— 1 —"}
	for _, p := range paragraphs(f.Decision) {
		want = append(want, p)
	}
	if f.NextStep != "" {
		want = append(want, clause(f.NextStep))
	}
	if f.NextBy != "" {
		want = append(want, "截止日期："+f.NextBy)
	}
	switch f.Kind {
	case Acceptance:
		want = append(want, "决定予以受理", "特此告知。")
	case NonAcceptance:
		want = append(want, "决定不予受理", "不予受理的理由："+clause(f.Reason), "可通过以下途径反映或解决："+clause(f.TurnTo))
	case Extension:
		want = append(want, "办理期限延长至"+f.NewDeadline, "延期理由："+clause(f.Reason))
	case Reply:
		want = append(want, "处理意见如下：")
	case Review:
		want = append(want, "复查意见如下：")
	case Rereview:
		want = append(want, "复核意见如下：")
	case Transfer:
		want = append(want, "转送"+f.Destination+"办理")
	}
	return want
}

// checkAddressee: a named petitioner is addressed on the line after the number, flush left;
// an anonymous report has no addressee line and no name anywhere.
func checkAddressee(t *testing.T, f Facts, text string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	after := ""
	for i, l := range lines {
		if strings.Contains(l, "编号：") {
			for _, next := range lines[i+1:] {
				if strings.TrimSpace(next) != "" {
					after = next
					break
				}
			}
			break
		}
	}
	if f.Anonymous() {
		if strings.HasSuffix(strings.TrimSpace(after), "：") {
			t.Errorf("an anonymous notice has an addressee line %q", after)
		}
		if strings.Contains(squeeze(text), "张秀英") {
			t.Error("an anonymous notice names a petitioner")
		}
		return
	}
	if strings.TrimSpace(after) != f.Petitioner+"：" {
		t.Errorf("the line after the number is %q, want the addressee %q", after, f.Petitioner+"：")
	}
}

// checkFonts: both fonts are embedded subsets with a Unicode map (so text can be extracted),
// and no other font is used.
func checkFonts(t *testing.T, pdf []byte) {
	t.Helper()
	fonts := pdfFonts(t, pdf)
	if len(fonts) != 2 {
		t.Fatalf("fonts %+v, want the body and the title font", fonts)
	}
	for _, f := range fonts {
		if !f.embedded || !f.subset || !f.unicode || f.typ != "CID TrueType" || f.encoding != "Identity-H" {
			t.Errorf("font %+v: want an embedded CID TrueType subset with a ToUnicode map", f)
		}
		if !strings.Contains(f.name, "NotoSerifSC") {
			t.Errorf("font %q is not Noto Serif SC", f.name)
		}
	}
}

// The same facts give the same bytes: twice in a row, concurrently, and in a fresh process.
func TestDeterministic(t *testing.T) {
	first := map[string][]byte{}
	for _, k := range Kinds {
		for _, anonymous := range []bool{false, true} {
			f := sample(k, anonymous)
			a, err := Render(f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Render(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("%s (anonymous %v): two renderings differ", k, anonymous)
			}
			first[sampleKey(k, anonymous)] = a
		}
	}

	var wg sync.WaitGroup
	for _, k := range Kinds {
		for _, anonymous := range []bool{false, true} {
			want := first[sampleKey(k, anonymous)]
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := Render(sample(k, anonymous))
					if err != nil {
						t.Error(err)
						return
					}
					if !bytes.Equal(got, want) {
						t.Errorf("%s: a concurrent rendering differs", sampleKey(k, anonymous))
					}
				}()
			}
		}
	}
	wg.Wait()

	// A fresh process (new map seeds, new font parse) renders the same bytes.
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildRender$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MINXIN_NOTICE_CHILD=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if key, sum, ok := strings.Cut(l, "="); ok && strings.HasPrefix(key, "sha256:") {
			got[strings.TrimPrefix(key, "sha256:")] = sum
		}
	}
	if len(got) != len(first) {
		t.Fatalf("the child rendered %d notices, want %d:\n%s", len(got), len(first), out)
	}
	for key, pdf := range first {
		sum := sha256.Sum256(pdf)
		if got[key] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: a fresh process renders other bytes", key)
		}
	}
}

func sampleKey(k Kind, anonymous bool) string { return fmt.Sprintf("%s/%v", k, anonymous) }

// TestChildRender prints the SHA-256 of every sample when run as TestDeterministic's child.
func TestChildRender(t *testing.T) {
	if os.Getenv("MINXIN_NOTICE_CHILD") != "1" {
		return // only as TestDeterministic's child
	}
	for _, k := range Kinds {
		for _, anonymous := range []bool{false, true} {
			pdf, err := Render(sample(k, anonymous))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(pdf)
			fmt.Printf("sha256:%s=%s\n", sampleKey(k, anonymous), hex.EncodeToString(sum[:]))
		}
	}
}

// Different facts give different bytes: a notice's hash names its content.
func TestDifferentFactsDifferentBytes(t *testing.T) {
	base := sample(Reply, false)
	a, err := Render(base)
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(*Facts){
		"number":   func(f *Facts) { f.Number = NumberOf(f.TrackingCode, 9) },
		"date":     func(f *Facts) { f.Date = "2026年11月29日" },
		"decision": func(f *Facts) { f.Decision += "另行告知。" },
		"name":     func(f *Facts) { f.Petitioner = "张秀荚" },
	} {
		f := base
		change(&f)
		b, err := Render(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a, b) {
			t.Errorf("changing the %s leaves the bytes the same", name)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Facts)
		kind   Kind
	}{
		{"unknown kind", func(f *Facts) { f.Kind = "appeal" }, Reply},
		{"no tracking code", func(f *Facts) { f.TrackingCode = " " }, Reply},
		{"no number", func(f *Facts) { f.Number = "" }, Reply},
		{"number of another petition", func(f *Facts) { f.Number = "XF20261125-0043-01" }, Reply},
		{"number with one digit", func(f *Facts) { f.Number = f.TrackingCode + "-1" }, Reply},
		{"number with three digits", func(f *Facts) { f.Number = f.TrackingCode + "-001" }, Reply},
		{"number 00", func(f *Facts) { f.Number = f.TrackingCode + "-00" }, Reply},
		{"number with letters", func(f *Facts) { f.Number = f.TrackingCode + "-0a" }, Reply},
		{"no township", func(f *Facts) { f.Township = "" }, Reply},
		{"no subject", func(f *Facts) { f.Subject = "" }, Reply},
		{"no date", func(f *Facts) { f.Date = "" }, Reply},
		{"reply without decision", func(f *Facts) { f.Decision = "\n " }, Reply},
		{"review without decision", func(f *Facts) { f.Decision = "" }, Review},
		{"rereview without decision", func(f *Facts) { f.Decision = "" }, Rereview},
		{"non_acceptance without reason", func(f *Facts) { f.Reason = "" }, NonAcceptance},
		{"non_acceptance without where to turn", func(f *Facts) { f.TurnTo = "" }, NonAcceptance},
		{"extension without reason", func(f *Facts) { f.Reason = "" }, Extension},
		{"extension without new deadline", func(f *Facts) { f.NewDeadline = "" }, Extension},
		{"transfer without destination", func(f *Facts) { f.Destination = "" }, Transfer},
		{"next_by without next_step", func(f *Facts) { f.NextStep = "" }, Reply},
		{"not UTF-8", func(f *Facts) { f.Decision = "处理\xff意见" }, Reply},
		{"too long", func(f *Facts) { f.Decision = strings.Repeat("长", maxText+1) }, Reply},
	}
	for _, c := range cases {
		f := sample(c.kind, false)
		c.change(&f)
		if _, err := Render(f); err == nil {
			t.Errorf("%s: rendered", c.name)
		}
	}
	// What is optional: the decision of an acceptance, the next step, the received date.
	f := sample(Acceptance, false)
	f.Decision, f.NextStep, f.NextBy, f.Received = "", "", "", ""
	if _, err := Render(f); err != nil {
		t.Errorf("an acceptance with only the required facts: %v", err)
	}
}

// A long decision runs over pages: every page is numbered (odd right, even left), the text
// is all there, and the office and date share their page with body text.
func TestRenderManyPages(t *testing.T) {
	f := sample(Reply, false)
	var paras []string
	for i := 1; i <= 30; i++ {
		paras = append(paras, fmt.Sprintf("第%d项：经调查核实，东山村村道K2+300至K3+100段共有路灯24盏，其中9盏因线路老化损坏，现已全部修复。", i))
	}
	f.Decision = strings.Join(paras, "\n")
	pdf, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	info := pdfInfo(t, pdf)
	if info["Pages"] != "4" {
		t.Fatalf("pages %q, want 4", info["Pages"])
	}
	text := pdfText(t, pdf)
	pages := strings.Split(text, "\f")
	for i, p := range pages[:4] {
		if !strings.Contains(squeeze(p), fmt.Sprintf("—%d—", i+1)) {
			t.Errorf("page %d has no page number:\n%s", i+1, p)
		}
	}
	// The body as one text: without the page breaks and the page numbers between its lines.
	body := regexp.MustCompile(`(?m)^\s*—\s*\d+\s*—\s*$`).ReplaceAllString(strings.ReplaceAll(text, "\f", ""), "")
	for _, want := range expectedTexts(f) {
		if !strings.Contains(squeeze(body), squeeze(want)) && !strings.HasPrefix(want, "— 1") {
			t.Errorf("the text lacks %q", want)
		}
	}
	last := squeeze(pages[3])
	if !strings.Contains(last, f.Township+f.Date) || !strings.Contains(last, "截止日期") {
		t.Errorf("the last page has no body text with the office and date:\n%s", pages[3])
	}
	// Odd page numbers stand right, even ones left.
	for i, p := range pages[:4] {
		lines := strings.Split(strings.TrimRight(p, "\n "), "\n")
		folio := lines[len(lines)-1]
		indent := len(folio) - len(strings.TrimLeft(folio, " "))
		if (i%2 == 0) != (indent > 20) {
			t.Errorf("page %d's number %q stands on the wrong side", i+1, folio)
		}
	}
}

// Characters outside the font print as □ without failing; control and format characters
// (a right-to-left override, a zero-width joiner) do not reach the page.
func TestUnusualCharacters(t *testing.T) {
	if !Covers('张') || !Covers('䶮') || !Covers('，') || !Covers('A') {
		t.Error("the font lacks a common character")
	}
	if Covers('😀') || Covers('\U0001F600') {
		t.Error("the font has an emoji")
	}
	f := sample(Reply, false)
	f.Petitioner = "刘䶮"
	f.Decision = "已处理😀完毕\u202E反向\u202C，\u200D零宽\ufe0f。"
	pdf, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	flat := squeeze(pdfText(t, pdf))
	for _, want := range []string{"刘䶮：", "已处理□完毕反向，零宽。"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the text lacks %q:\n%s", want, flat)
		}
	}
}

// Hostile text is printed as text: nothing in it is taken as PDF syntax.
func TestTextIsNotSyntax(t *testing.T) {
	f := sample(Reply, false)
	f.Decision = ") Tj ET /JavaScript (app.alert(1)) endstream endobj %%EOF <script>alert(1)</script> '; DROP TABLE petitions; --"
	pdf, err := Render(f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(pdf, []byte("/JavaScript")) || bytes.Contains(pdf, []byte("<script>")) {
		t.Error("the text reached the PDF's syntax")
	}
	if info := pdfInfo(t, pdf); info["JavaScript"] != "no" || info["Pages"] != "1" {
		t.Errorf("pdfinfo: %v", info)
	}
	if !strings.Contains(squeeze(pdfText(t, pdf)), squeeze(f.Decision)) {
		t.Error("the hostile text is not printed as given")
	}
}

func TestStandardNextStep(t *testing.T) {
	for _, k := range Kinds {
		if (StandardNextStep(k) == "") != (k == NonAcceptance) {
			t.Errorf("%s: standard next step %q", k, StandardNextStep(k))
		}
		f := sample(k, true)
		f.NextStep = StandardNextStep(k)
		if f.NextStep == "" {
			f.NextBy = ""
		}
		pdf, err := Render(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(squeeze(pdfText(t, pdf)), squeeze(clause(f.NextStep))) {
			t.Errorf("%s: the standard next step is not printed", k)
		}
	}
}
