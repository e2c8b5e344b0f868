package duty

import (
	"testing"

	"minxin/backend/internal/civil"
)

func TestLinksStatus(t *testing.T) {
	minimum := specParams().Links.MinHouseholds
	cases := []struct {
		linked int
		want   string
	}{
		{10, StatusMet},
		{14, StatusMet},
		{9, StatusShort},
		{0, StatusShort},
	}
	for _, c := range cases {
		if got := LinksStatus(c.linked, minimum); got != c.want {
			t.Errorf("LinksStatus(%d, %d) = %s, want %s", c.linked, minimum, got, c.want)
		}
	}
}

func TestTalkDayCoverage(t *testing.T) {
	perMonth := specParams().TalkDays.PerMonth
	cases := []struct {
		name     string
		heldOn   []civil.Date
		from, to civil.Date
		perMonth int
		want     Ratio
	}{
		{"one month, one talk day", []civil.Date{date(2026, 11, 20)}, date(2026, 11, 1), date(2026, 11, 30), perMonth, Ratio{1, 1}},
		{"partial months are whole months; a talk day before from still counts for its month",
			[]civil.Date{date(2026, 11, 5), date(2026, 12, 1), date(2026, 12, 20)},
			date(2026, 11, 15), date(2027, 1, 10), perMonth, Ratio{2, 3}},
		{"talk days of months outside the period are ignored",
			[]civil.Date{date(2026, 10, 31), date(2027, 2, 1)}, date(2026, 11, 1), date(2027, 1, 31), perMonth, Ratio{0, 3}},
		{"a whole year", []civil.Date{date(2026, 1, 9), date(2026, 6, 30)}, date(2026, 1, 1), date(2026, 12, 31), perMonth, Ratio{2, 12}},
		{"two a month required: the same date twice counts once",
			[]civil.Date{date(2026, 11, 5), date(2026, 11, 5), date(2026, 12, 1), date(2026, 12, 15)},
			date(2026, 11, 1), date(2026, 12, 31), 2, Ratio{1, 2}},
		{"from after to: undefined", []civil.Date{date(2026, 11, 5)}, date(2026, 12, 1), date(2026, 11, 1), perMonth, Ratio{0, 0}},
	}
	for _, c := range cases {
		if got := TalkDayCoverage(c.heldOn, c.from, c.to, c.perMonth); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
