package petition

import (
	"math"
	"testing"
)

// A villager's complaint about unpaid compensation for land taken by a road, and what the same
// villager might send later.
var (
	roadCompensation = DuplicateCandidate{
		Phone: "13812341234", Category: "land", ReceivedOn: date(2026, 9, 1),
		Subject: "修路占地补偿款未发放",
		Text: "我家住青山镇柳树村三组，去年村里修路占用了我家承包的一亩二分耕地，当时村委会承诺按每亩三万元给予补偿，" +
			"但至今已经过去八个月，补偿款一分钱也没有发放。多次找村干部，都说在等镇里拨款。请求尽快落实补偿。",
	}
	// The same complaint in other words, as people write it again from memory.
	roadCompensationReworded = DuplicateCandidate{
		Phone: "138-1234-1234", Category: "land", ReceivedOn: date(2026, 10, 20),
		Subject: "修路占地补偿至今未发",
		Text: "我是青山镇柳树村三组村民。去年村里修路占了我家承包的一亩二分耕地，村委会当时承诺每亩补偿三万元，" +
			"可到现在八个多月了，补偿款一分也没发。找了村干部好几次，都说在等镇里拨款。请求尽快落实补偿款！",
	}
	// The same complaint copied, with a line added.
	roadCompensationAgain = DuplicateCandidate{
		Phone: "13812341234", Category: "land", ReceivedOn: date(2026, 11, 30),
		Subject: "修路占地补偿款未发放",
		Text:    roadCompensation.Text + "上次反映后一直没有回音，现再次反映。",
	}
	// The same complaint cut short.
	roadCompensationShort = DuplicateCandidate{
		Phone: "13812341234", Category: "land", ReceivedOn: date(2026, 9, 15),
		Subject: "修路占地补偿款",
		Text:    "去年修路占了我家一亩二分耕地，补偿款到现在还没发，请尽快落实。",
	}
	// A different land problem of the same villager, in the same words about who and where.
	farmlandOccupied = DuplicateCandidate{
		Phone: "13812341234", Category: "land", ReceivedOn: date(2026, 9, 20),
		Subject: "承包地被他人耕种",
		Text: "我家住青山镇柳树村三组，我家承包的二亩耕地去年外出打工期间被同组村民李某私自耕种，" +
			"今年回来要求归还，李某拒不归还。请求村委会和镇里协调处理。",
	}
	// A boundary dispute of the same villager.
	boundaryDispute = DuplicateCandidate{
		Phone: "13812341234", Category: "land", ReceivedOn: date(2026, 9, 2),
		Subject: "宅基地界线纠纷",
		Text: "我家住青山镇柳树村三组，邻居王某今年新建围墙，占了我家宅基地约半米宽，双方协商多次未果。" +
			"请求镇里派人到现场勘测，确定界线。",
	}
)

func TestPossibleDuplicate(t *testing.T) {
	with := func(c DuplicateCandidate, change func(*DuplicateCandidate)) DuplicateCandidate {
		change(&c)
		return c
	}
	cases := []struct {
		name string
		a, b DuplicateCandidate
		want bool
	}{
		{"reworded re-submission", roadCompensation, roadCompensationReworded, true},
		{"copied re-submission with a line added", roadCompensation, roadCompensationAgain, true},
		{"shortened re-submission", roadCompensation, roadCompensationShort, true},
		{"order does not matter", roadCompensationReworded, roadCompensation, true},
		{"different problem of the same person", roadCompensation, farmlandOccupied, false},
		{"another different problem of the same person", roadCompensation, boundaryDispute, false},
		{"re-submission from another phone", roadCompensation,
			with(roadCompensationReworded, func(c *DuplicateCandidate) { c.Phone = "13900001111" }), false},
		{"re-submission under another category", roadCompensation,
			with(roadCompensationReworded, func(c *DuplicateCandidate) { c.Category = "dispute" }), false},
		{"anonymous reports are never linked", with(roadCompensation, func(c *DuplicateCandidate) { c.Phone = "" }),
			with(roadCompensationAgain, func(c *DuplicateCandidate) { c.Phone = "" }), false},
		{"90 days apart", roadCompensation,
			with(roadCompensationAgain, func(c *DuplicateCandidate) { c.ReceivedOn = date(2026, 11, 30) }), true},
		{"91 days apart", roadCompensation,
			with(roadCompensationAgain, func(c *DuplicateCandidate) { c.ReceivedOn = date(2026, 12, 1) }), false},
		{"91 days apart, the other way", with(roadCompensationAgain, func(c *DuplicateCandidate) { c.ReceivedOn = date(2026, 12, 1) }),
			roadCompensation, false},
	}
	for _, c := range cases {
		if got := PossibleDuplicate(c.a, c.b, specParams); got != c.want {
			t.Errorf("%s: got %v (similarity %.3f)", c.name, got, SimilarText(c.a.Subject+c.a.Text, c.b.Subject+c.b.Text))
		}
	}
	wider := specParams
	wider.DuplicateWindowDays = 180
	late := with(roadCompensationAgain, func(c *DuplicateCandidate) { c.ReceivedOn = date(2027, 2, 1) })
	if !PossibleDuplicate(roadCompensation, late, wider) {
		t.Error("the window is the setting, not a constant of the package")
	}
}

func TestSimilarText(t *testing.T) {
	cases := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"identical", "村口垃圾池无人清运", "村口垃圾池无人清运", 1, 1},
		{"punctuation and spaces do not count", "村口垃圾池，无人清运！", "村口 垃圾池 无人清运。", 1, 1},
		{"full-width and case folded", "ＡＢＣ１２３号楼漏水", "abc123号楼漏水", 1, 1},
		{"nothing shared", "村口垃圾池无人清运", "低保金发放不及时", 0, 0},
		{"one character each, equal", "水", "水", 1, 1},
		{"one character each, different", "水", "电", 0, 0},
		{"punctuation only", "！？。", "！？。", 0, 0},
		{"empty", "", "村口垃圾池无人清运", 0, 0},
		{"one text inside the other", "垃圾池无人清运", "柳树村村口垃圾池无人清运已有一个月", 1, 1},
		{"half the bigrams shared", "ABCDE", "ABCXY", 0.5, 0.5},
	}
	for _, c := range cases {
		got := SimilarText(c.a, c.b)
		if got < c.min-1e-9 || got > c.max+1e-9 {
			t.Errorf("%s: SimilarText = %.3f, want %.3f–%.3f", c.name, got, c.min, c.max)
		}
		if back := SimilarText(c.b, c.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("%s: not symmetric, %.3f and %.3f", c.name, got, back)
		}
	}
}
