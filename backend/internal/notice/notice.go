// Package notice renders the written notices of casework (书面告知, product specification §7)
// as A4 PDF documents laid out after GB/T 9704 (党政机关公文格式). It is pure: facts in, bytes
// out, no I/O, no database and no clock; the same facts always give the same bytes, so the
// SHA-256 of a notice, kept in the activity log, identifies the document a petitioner holds.
package notice

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"minxin/backend/internal/civil"
)

// Kind names a notice; each petition action that answers the petitioner issues one.
type Kind string

// The kinds of notice and the actions that issue them (§7).
const (
	Acceptance    Kind = "acceptance"     // accept → 受理告知书
	NonAcceptance Kind = "non_acceptance" // reject → 不予受理告知书
	Extension     Kind = "extension"      // extend → 延期办理告知书
	Reply         Kind = "reply"          // reply → 信访事项处理意见书
	Review        Kind = "review"         // review → 复查意见书
	Rereview      Kind = "rereview"       // rereview → 复核意见书
	Transfer      Kind = "transfer"       // transfer → 转送告知书
)

// Kinds lists every kind of notice, in the order of a petition's life.
var Kinds = []Kind{Acceptance, NonAcceptance, Extension, Reply, Review, Rereview, Transfer}

var titles = map[Kind]string{
	Acceptance:    "受理告知书",
	NonAcceptance: "不予受理告知书",
	Extension:     "延期办理告知书",
	Reply:         "信访事项处理意见书",
	Review:        "复查意见书",
	Rereview:      "复核意见书",
	Transfer:      "转送告知书",
}

var englishTitles = map[Kind]string{
	Acceptance:    "Notice of acceptance",
	NonAcceptance: "Notice of non-acceptance",
	Extension:     "Notice of extension",
	Reply:         "Handling opinion",
	Review:        "Review opinion",
	Rereview:      "Re-review opinion",
	Transfer:      "Notice of transfer",
}

// Title is the Chinese title of a kind of notice (受理告知书, …), or "" for an unknown kind.
func Title(k Kind) string { return titles[k] }

// EnglishTitle is the English name of a kind of notice, or "" for an unknown kind.
func EnglishTitle(k Kind) string { return englishTitles[k] }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { _, ok := titles[k]; return ok }

// Facts are everything a notice says. Texts are printed as given (trimmed); a text may hold
// several paragraphs separated by line breaks. Dates are civil dates already written out
// (DateText), so that the package needs no clock and no time zone.
type Facts struct {
	Kind         Kind
	Number       string // 文书编号: the tracking code, a hyphen and two digits (NumberOf)
	TrackingCode string // 查询码, e.g. XF20261125-0042
	Township     string // the issuing office: the township's name
	Petitioner   string // the addressee; empty for an anonymous report (no addressee line)
	Subject      string // the petition's subject
	Received     string // optional: the date the petition was received (DateText)
	Date         string // the date of the notice (DateText), e.g. 2026年11月25日
	Decision     string // the decision in full; required for reply, review and rereview
	NextStep     string // what the petitioner may do next
	NextBy       string // optional: by which date (DateText); needs NextStep

	Reason      string // non_acceptance: why it is not accepted; extension: why it takes longer
	TurnTo      string // non_acceptance: where to turn instead
	NewDeadline string // extension: the new date by which the reply is due (DateText)
	Destination string // transfer: the township or outside body the petition went to
}

var nextSteps = map[Kind]string{
	Acceptance: "本机关将在规定期限内作出处理意见并书面答复，办理进展可凭查询码和密码查询",
	Extension:  "本机关将在延长后的期限内作出处理意见并书面答复",
	Reply:      "如对本处理意见不服，可以自收到本意见书之日起30日内请求复查",
	Review:     "如对本复查意见不服，可以自收到本意见书之日起30日内请求复核",
	Rereview:   "本复核意见为最终意见。对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理",
	Transfer:   "接收机关将自收到之日起15日内决定是否受理，请就该事项与其联系",
}

// StandardNextStep is the usual NextStep of a kind after the 信访工作条例, for a caller that has
// nothing more particular to say; NextBy then is the date it runs to (the reply deadline for
// acceptance, the last day to ask for review after a reply or for re-review after a review,
// the receiving township's acceptance deadline after a transfer within the district). A
// non_acceptance says where to turn in TurnTo and has none ("").
func StandardNextStep(k Kind) string { return nextSteps[k] }

// Anonymous reports whether the notice has no addressee (匿名检举).
func (f Facts) Anonymous() bool { return strings.TrimSpace(f.Petitioner) == "" }

// NumberOf is the number of the seq-th notice of the petition with the tracking code:
// XF20261125-0042-01 for the first. seq runs from 1 to 99.
func NumberOf(trackingCode string, seq int) string {
	return fmt.Sprintf("%s-%02d", trackingCode, seq)
}

// DateText writes a civil date as a notice prints it: 2026年11月25日 (GB/T 9704 7.3.5: the
// year in full, month and day without leading zeros).
func DateText(d civil.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// maxText bounds each text field, in characters: a notice is a letter, not an archive, and a
// bound keeps a mistaken caller from rendering thousands of pages.
const maxText = 20000

// field is a named text of the facts, for validation.
type field struct{ name, value string }

// Validate reports the first fact a notice cannot be issued without.
func (f Facts) Validate() error {
	if !f.Kind.Valid() {
		return fmt.Errorf("notice: unknown kind %q", f.Kind)
	}
	required := []field{
		{"tracking_code", f.TrackingCode},
		{"number", f.Number},
		{"township", f.Township},
		{"subject", f.Subject},
		{"date", f.Date},
	}
	switch f.Kind {
	case NonAcceptance:
		required = append(required, field{"reason", f.Reason}, field{"turn_to", f.TurnTo})
	case Extension:
		required = append(required, field{"reason", f.Reason}, field{"new_deadline", f.NewDeadline})
	case Reply, Review, Rereview:
		required = append(required, field{"decision", f.Decision})
	case Transfer:
		required = append(required, field{"destination", f.Destination})
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return fmt.Errorf("notice: %s of a %s notice is empty", r.name, f.Kind)
		}
	}
	if strings.TrimSpace(f.NextBy) != "" && strings.TrimSpace(f.NextStep) == "" {
		return fmt.Errorf("notice: next_by without next_step")
	}
	if !numberOf(f.TrackingCode, f.Number) {
		return fmt.Errorf("notice: number %q is not the tracking code %q, a hyphen and two digits", f.Number, f.TrackingCode)
	}
	for _, t := range []field{
		{"tracking_code", f.TrackingCode}, {"number", f.Number}, {"township", f.Township},
		{"petitioner", f.Petitioner}, {"subject", f.Subject}, {"received", f.Received},
		{"date", f.Date}, {"decision", f.Decision}, {"next_step", f.NextStep},
		{"next_by", f.NextBy}, {"reason", f.Reason}, {"turn_to", f.TurnTo},
		{"new_deadline", f.NewDeadline}, {"destination", f.Destination},
	} {
		if !utf8.ValidString(t.value) {
			return fmt.Errorf("notice: %s is not UTF-8", t.name)
		}
		if utf8.RuneCountInString(t.value) > maxText {
			return fmt.Errorf("notice: %s is longer than %d characters", t.name, maxText)
		}
	}
	return nil
}

// numberOf reports whether number is code + "-" + two digits other than 00.
func numberOf(code, number string) bool {
	rest, ok := strings.CutPrefix(number, code+"-")
	if !ok || len(rest) != 2 || rest == "00" {
		return false
	}
	return rest[0] >= '0' && rest[0] <= '9' && rest[1] >= '0' && rest[1] <= '9'
}

// Render typesets the notice and returns its PDF. The same facts give the same bytes.
func Render(f Facts) ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return typeset(compose(f))
}
