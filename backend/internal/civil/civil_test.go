package civil

import (
	"testing"
	"time"
)

func TestDateArithmetic(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"UTC evening is next day in Shanghai", Of(time.Date(2026, 11, 22, 16, 30, 0, 0, time.UTC), shanghai), New(2026, 11, 23)},
		{"29 February plus one", New(2028, 2, 29).AddDays(1), New(2028, 3, 1)},
		{"days in leap year", DaysInYear(2028), 366},
		{"days in common year", DaysInYear(2026), 365},
		{"ISO week of Sunday 2026-11-22", New(2026, 11, 22).ISOWeek(), "2026-W47"},
		{"ISO week of Monday 2026-11-23", New(2026, 11, 23).ISOWeek(), "2026-W48"},
		{"ISO week across new year", New(2027, 1, 1).ISOWeek(), "2026-W53"},
		{"week start of Sunday", New(2026, 11, 22).ISOWeekStart(), New(2026, 11, 16)},
		{"days until", New(2026, 1, 1).DaysUntil(New(2026, 12, 31)), 364},
		{"end of day in Shanghai", New(2026, 11, 25).End(shanghai), time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		switch w := c.want.(type) {
		case time.Time:
			if !w.Equal(c.got.(time.Time)) {
				t.Errorf("%s: got %v, want %v", c.name, c.got, w)
			}
		default:
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
	}
}

func TestParseRejectsOtherForms(t *testing.T) {
	for _, s := range []string{"2026-2-1", "2026/02/01", "", "2026-02-30", "20260201"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	if d, err := Parse("2026-02-28"); err != nil || d != New(2026, 2, 28) {
		t.Errorf("Parse(2026-02-28) = %v, %v", d, err)
	}
}
