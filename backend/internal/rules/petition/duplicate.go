package petition

import (
	"unicode"

	"minxin/backend/internal/civil"
)

// DuplicateThreshold is the text similarity at and above which two petitions of the same phone
// and category may be duplicates. On realistic petitions (see the tests), a re-submission of
// one complaint scores about 0.6 on SimilarText when it is reworded or cut short, and 1 when it
// is copied with a line added; a different complaint of the same person, who repeats their
// village, group and family, scores under 0.3. A false link only flags the pair for the
// petition officer; nothing is ever rejected by it.
const DuplicateThreshold = 0.5

// DuplicateCandidate is what the duplicate check reads of a petition.
type DuplicateCandidate struct {
	Phone      string // the petitioner's phone; empty for an anonymous report
	Category   string
	ReceivedOn civil.Date
	Subject    string
	Text       string
}

// PossibleDuplicate reports whether a and b may be the same petition submitted twice: the same
// non-empty phone (spaces and hyphens ignored), the same category, received at most
// DuplicateWindowDays apart, and subject and text together at least DuplicateThreshold similar.
func PossibleDuplicate(a, b DuplicateCandidate, p Params) bool {
	phone := normalizePhone(a.Phone)
	if phone == "" || phone != normalizePhone(b.Phone) || a.Category != b.Category {
		return false
	}
	apart := a.ReceivedOn.DaysUntil(b.ReceivedOn)
	if apart < 0 {
		apart = -apart
	}
	if apart > p.DuplicateWindowDays {
		return false
	}
	return SimilarText(a.Subject+a.Text, b.Subject+b.Text) >= DuplicateThreshold
}

// SimilarText returns how alike two texts are, from 0 (nothing shared) to 1 (one contains the
// other): the overlap coefficient of their sets of character bigrams, shared bigrams ÷ the
// bigrams of the smaller set, after dropping everything but letters and digits and folding
// full-width forms and case. Bigrams of characters suit Chinese, which has no spaces between
// words. The overlap coefficient is used rather than the Jaccard index because a petitioner who
// submits again often writes a shorter version of the same complaint, which the Jaccard index,
// dividing by the union, scores as low as an unrelated text. A text of one character counts as
// that character; a text with nothing left after the cleaning is 0 alike to anything.
func SimilarText(a, b string) float64 {
	x, y := bigrams(a), bigrams(b)
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	shared := 0
	for g := range x {
		if _, ok := y[g]; ok {
			shared++
		}
	}
	return float64(shared) / float64(min(len(x), len(y)))
}

func bigrams(s string) map[[2]rune]struct{} {
	var runes []rune
	for _, r := range s {
		if r >= '！' && r <= '～' { // full-width ASCII forms, such as １ and Ａ
			r -= '！' - '!'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			runes = append(runes, unicode.ToLower(r))
		}
	}
	set := make(map[[2]rune]struct{})
	if len(runes) == 1 {
		set[[2]rune{runes[0]}] = struct{}{}
	}
	for i := 1; i < len(runes); i++ {
		set[[2]rune{runes[i-1], runes[i]}] = struct{}{}
	}
	return set
}
