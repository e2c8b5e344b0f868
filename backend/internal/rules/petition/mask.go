package petition

import (
	"strings"
	"unicode/utf8"
)

// MaskName hides a petitioner's name from those who may not see it: the first character and
// "**" whatever the name's length, so that the length is not revealed ("张三" and "欧阳娜娜"
// give "张**" and "欧**"). Surrounding spaces are ignored; an empty name gives "".
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(name)
	return string(first) + "**"
}

// MaskPhone hides a phone number: numbers of eleven characters or more (a mainland mobile
// number, a landline with its area code) keep their first three and last four characters with
// every other one starred ("13812341234" gives "138****1234"); shorter or odd numbers, which
// would be nearly given away by their ends, are shown as "****". Spaces and hyphens are dropped
// first; an empty number gives "".
func MaskPhone(phone string) string {
	digits := []rune(normalizePhone(phone))
	switch {
	case len(digits) == 0:
		return ""
	case len(digits) < 11:
		return "****"
	}
	n := len(digits)
	return string(digits[:3]) + strings.Repeat("*", n-7) + string(digits[n-4:])
}

// MaskPetitioner shows a petitioner to those who may not see who it is: "张** · 138****1234".
// Without a phone it is the masked name alone, without a name the masked phone alone, and ""
// when there is neither (an anonymous report).
func MaskPetitioner(name, phone string) string {
	parts := make([]string, 0, 2)
	for _, s := range []string{MaskName(name), MaskPhone(phone)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// normalizePhone drops surrounding and inner spaces and hyphens, the usual separators.
func normalizePhone(phone string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\u3000':
			return -1
		}
		return r
	}, phone)
}
