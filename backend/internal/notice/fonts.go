package notice

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"
)

// The fonts are subsets of Noto Serif SC (思源宋体, SIL Open Font License 1.1), made as
// fonts/README.md says: the regular weight with the characters of Chinese text, the bold one
// with only the characters of the seven titles. Each PDF embeds the glyphs it uses.
var (
	//go:embed fonts/NotoSerifSC-Regular-subset.ttf
	bodyTTF []byte
	//go:embed fonts/NotoSerifSC-Bold-titles.ttf
	titleTTF []byte
)

// The fonts' names in the PDF: a subset's name starts with a tag of six capitals and a plus
// (ISO 32000-1 §9.6.4); the tags are fixed, so that the bytes stay the same.
const (
	bodyFont  = "MXNBDY+NotoSerifSC-Regular"
	titleFont = "MXNTTL+NotoSerifSC-Bold"
	// missingGlyph stands for a character the font does not have: □, the mark Chinese
	// typesetting uses for a missing character (缺字).
	missingGlyph = '\u25A1'
)

// metrics are a font's advance widths, to lay out lines without a PDF at hand.
type metrics struct {
	unitsPerEm float64
	glyphs     map[int]uint // rune → glyph index (BMP, cmap format 4)
	groups     []core.CmapFormat12GroupingTable
	widths     []uint
}

// advance is the width of r in em, and whether the font has it.
func (m *metrics) advance(r rune) (float64, bool) {
	g, ok := m.glyph(r)
	if !ok {
		return 0, false
	}
	if int(g) >= len(m.widths) {
		g = uint(len(m.widths) - 1)
	}
	return float64(m.widths[g]) / m.unitsPerEm, true
}

func (m *metrics) glyph(r rune) (uint, bool) {
	if g, ok := m.glyphs[int(r)]; ok && g != 0 {
		return g, true
	}
	for _, t := range m.groups {
		if uint(r) >= t.StartCharCode && uint(r) <= t.EndCharCode {
			return t.GlyphID + uint(r) - t.StartCharCode, true
		}
	}
	return 0, false
}

type fontSet struct {
	container   *gopdf.FontContainer
	body, title *metrics
}

var (
	fontsOnce sync.Once
	fontsSet  *fontSet
	fontsErr  error
)

// loadFonts parses the embedded fonts once; every document then takes them from the container.
func loadFonts() (*fontSet, error) {
	fontsOnce.Do(func() {
		fs := &fontSet{container: &gopdf.FontContainer{}}
		opt := gopdf.TtfOption{
			OnGlyphNotFoundSubstitute: func(rune) rune { return missingGlyph },
		}
		for _, f := range []struct {
			name string
			data []byte
			m    **metrics
		}{{bodyFont, bodyTTF, &fs.body}, {titleFont, titleTTF, &fs.title}} {
			if err := fs.container.AddTTFFontDataWithOption(f.name, f.data, opt); err != nil {
				fontsErr = fmt.Errorf("notice: font %s: %w", f.name, err)
				return
			}
			var p core.TTFParser
			if err := p.ParseFontData(f.data); err != nil {
				fontsErr = fmt.Errorf("notice: font %s: %w", f.name, err)
				return
			}
			*f.m = &metrics{
				unitsPerEm: float64(p.UnitsPerEm()),
				glyphs:     p.Chars(),
				groups:     p.GroupingTables(),
				widths:     p.Widths(),
			}
		}
		fontsSet = fs
	})
	return fontsSet, fontsErr
}

// Covers reports whether the notice font has r; a character it lacks prints as □.
func Covers(r rune) bool {
	fs, err := loadFonts()
	if err != nil {
		return false
	}
	_, ok := fs.body.advance(r)
	return ok
}
