package notice

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// document is a notice's text in the order GB/T 9704 sets it: title (标题), number (文书编号),
// addressee (主送, none for an anonymous report), body paragraphs (正文), and the issuing
// office (发文机关署名) with the date (成文日期).
type document struct {
	title      string
	number     string
	addressee  string
	paragraphs []string
	office     string
	date       string
	meta       string // the PDF's document title
}

// compose writes out the notice's text for its kind.
func compose(f Facts) document {
	d := document{
		title:  Title(f.Kind),
		number: "编号：" + clean(f.Number),
		office: oneLine(f.Township),
		date:   oneLine(f.Date),
		meta:   Title(f.Kind) + " " + clean(f.Number),
	}
	if !f.Anonymous() {
		d.addressee = oneLine(f.Petitioner) + "："
	}
	matter := matterOf(f)
	var p []string
	switch f.Kind {
	case Acceptance:
		p = append(p, matter+"经审查，符合《信访工作条例》规定的受理条件，本机关决定予以受理。")
		p = append(p, paragraphs(f.Decision)...)
	case NonAcceptance:
		p = append(p, matter+"经审查，本机关决定不予受理。")
		p = append(p, labelled("不予受理的理由：", f.Reason)...)
		p = append(p, paragraphs(f.Decision)...)
		p = append(p, labelled("可通过以下途径反映或解决：", f.TurnTo)...)
	case Extension:
		p = append(p, matter+"因情况复杂，不能在规定期限内办结。根据《信访工作条例》的规定，经本机关负责人批准，办理期限延长至"+
			clause(oneLine(f.NewDeadline))+"。")
		p = append(p, labelled("延期理由：", f.Reason)...)
		p = append(p, paragraphs(f.Decision)...)
	case Reply:
		p = append(p, matter+"本机关已依法受理并调查核实，现提出处理意见如下：")
		p = append(p, paragraphs(f.Decision)...)
	case Review:
		p = append(p, matter+who(f)+"对处理意见不服，请求复查。本机关经复查，现提出复查意见如下：")
		p = append(p, paragraphs(f.Decision)...)
	case Rereview:
		p = append(p, matter+who(f)+"对复查意见不服，请求复核。本机关经复核，现提出复核意见如下：")
		p = append(p, paragraphs(f.Decision)...)
	case Transfer:
		dest := clause(oneLine(f.Destination))
		p = append(p, matter+"经审查，该事项不属于本机关职责范围，应由"+dest+"处理。根据《信访工作条例》的规定，本机关已将该事项转送"+
			dest+"办理。")
		p = append(p, paragraphs(f.Decision)...)
	}
	p = append(p, nextStep(f)...)
	switch f.Kind {
	case Acceptance, NonAcceptance, Extension, Transfer:
		p = append(p, "特此告知。")
	}
	d.paragraphs = p
	return d
}

// matterOf names the petition at the start of the body: whose, when, what, and its tracking
// code, e.g. 你于2026年11月20日提出的关于“……”的信访事项（查询码：XF20261120-0042），
func matterOf(f Facts) string {
	subject := "关于“" + clause(oneLine(f.Subject)) + "”的"
	code := "（查询码：" + clean(f.TrackingCode) + "），"
	received := oneLine(f.Received)
	if f.Anonymous() {
		if received != "" {
			return "本机关于" + received + "收到的" + subject + "匿名信访事项" + code
		}
		return subject + "匿名信访事项" + code
	}
	if received != "" {
		return "你于" + received + "提出的" + subject + "信访事项" + code
	}
	return "你提出的" + subject + "信访事项" + code
}

// who is the petitioner as the body speaks of them.
func who(f Facts) string {
	if f.Anonymous() {
		return "信访人"
	}
	return "你"
}

// nextStep is what the petitioner may do next, and by when.
func nextStep(f Facts) []string {
	p := paragraphs(f.NextStep)
	by := oneLine(f.NextBy)
	if len(p) == 0 || by == "" {
		for i := range p {
			p[i] = sentence(p[i])
		}
		return p
	}
	for i := range p[:len(p)-1] {
		p[i] = sentence(p[i])
	}
	p[len(p)-1] = clause(p[len(p)-1]) + "（截止日期：" + clause(by) + "）。"
	return p
}

// labelled prefixes the first paragraph of s with a label.
func labelled(label, s string) []string {
	p := paragraphs(s)
	if len(p) > 0 {
		p[0] = label + p[0]
	}
	for i := range p {
		p[i] = sentence(p[i])
	}
	return p
}

// clean drops control and format characters and variation selectors, other than line
// breaks (a direction override would reorder the printed text), turns tabs into spaces and
// the Unicode line and paragraph separators into line breaks, and trims.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t' || r == '\r' || r == '\u2028' || r == '\u2029':
			if r == '\t' {
				b.WriteRune(' ')
			} else {
				b.WriteRune('\n')
			}
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// oneLine is clean with line breaks turned into spaces, for fields that are one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(clean(s), "\n", " ")), " ")
}

// paragraphs splits s at line breaks into trimmed, non-empty paragraphs.
func paragraphs(s string) []string {
	var p []string
	for _, line := range strings.Split(clean(s), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			p = append(p, line)
		}
	}
	return p
}

// clause trims the punctuation that ends a sentence or clause, so that s can stand inside one.
func clause(s string) string {
	return strings.TrimRightFunc(strings.TrimSpace(s), func(r rune) bool {
		return strings.ContainsRune("。；，、：.;,:", r) || unicode.IsSpace(r)
	})
}

// sentence ends s with a full stop unless it ends a sentence already.
func sentence(s string) string {
	r, n := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune("”’」』）)", r) && n < len(s) {
		r, _ = utf8.DecodeLastRuneInString(s[:len(s)-n])
	}
	if strings.ContainsRune("。！？!?…", r) {
		return s
	}
	return clause(s) + "。"
}
