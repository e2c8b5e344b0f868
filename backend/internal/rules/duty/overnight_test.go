package duty

import (
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func TestNightCounts(t *testing.T) {
	sh := shanghai(t)
	p := specParams().Night
	cases := []struct {
		name              string
		checkin, checkout time.Time
		want              bool
		wantNight         civil.Date
		wantWeek          string
	}{
		{"Sunday 23:59 to Monday 05:00 counts, in Sunday's week",
			at(sh, 2026, 11, 22, 23, 59, 0), at(sh, 2026, 11, 23, 5, 0, 0), true, date(2026, 11, 22), "2026-W47"},
		{"check-in 17:59 does not count",
			at(sh, 2026, 11, 18, 17, 59, 0), at(sh, 2026, 11, 19, 7, 0, 0), false, date(2026, 11, 18), "2026-W47"},
		{"check-in 17:59:59 does not count",
			at(sh, 2026, 11, 18, 17, 59, 59), at(sh, 2026, 11, 19, 7, 0, 0), false, date(2026, 11, 18), "2026-W47"},
		{"check-in 18:00 counts",
			at(sh, 2026, 11, 18, 18, 0, 0), at(sh, 2026, 11, 19, 7, 0, 0), true, date(2026, 11, 18), "2026-W47"},
		{"check-in 23:59:59 counts",
			at(sh, 2026, 11, 18, 23, 59, 59), at(sh, 2026, 11, 19, 7, 0, 0), true, date(2026, 11, 18), "2026-W47"},
		{"check-in 00:30 after midnight does not count",
			at(sh, 2026, 11, 19, 0, 30, 0), at(sh, 2026, 11, 19, 7, 0, 0), false, date(2026, 11, 19), "2026-W47"},
		{"check-out 04:59:59 does not count",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 19, 4, 59, 59), false, date(2026, 11, 18), "2026-W47"},
		{"check-out 10:00:00 counts",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 19, 10, 0, 0), true, date(2026, 11, 18), "2026-W47"},
		{"check-out 10:00:00.900 is 10:00:00 on the clock and counts",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 19, 10, 0, 0).Add(900 * time.Millisecond), true, date(2026, 11, 18), "2026-W47"},
		{"check-out 10:00:01 does not count",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 19, 10, 0, 1), false, date(2026, 11, 18), "2026-W47"},
		{"check-out 10:01 does not count",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 19, 10, 1, 0), false, date(2026, 11, 18), "2026-W47"},
		{"check-out the same evening does not count",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 18, 23, 0, 0), false, date(2026, 11, 18), "2026-W47"},
		{"check-out two mornings later does not count",
			at(sh, 2026, 11, 18, 20, 0, 0), at(sh, 2026, 11, 20, 7, 0, 0), false, date(2026, 11, 18), "2026-W47"},
		{"New Year's Eve belongs to the week of 31 December",
			at(sh, 2026, 12, 31, 21, 0, 0), at(sh, 2027, 1, 1, 6, 0, 0), true, date(2026, 12, 31), "2026-W53"},
		{"given in UTC: 10:30Z is 18:30 on the 22nd in Shanghai, out 22:00Z is 06:00 on the 23rd",
			time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC), true, date(2026, 11, 22), "2026-W47"},
		{"given in UTC: 16:30Z on the 22nd is 00:30 on the 23rd, not an evening",
			time.Date(2026, 11, 22, 16, 30, 0, 0, time.UTC), time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC), false, date(2026, 11, 23), "2026-W48"},
		{"given in UTC: 09:59Z is 17:59 in Shanghai, too early",
			time.Date(2026, 11, 22, 9, 59, 0, 0, time.UTC), time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC), false, date(2026, 11, 22), "2026-W47"},
		{"given in UTC: out at 02:00:01Z is 10:00:01 in Shanghai, too late",
			time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC), time.Date(2026, 11, 23, 2, 0, 1, 0, time.UTC), false, date(2026, 11, 22), "2026-W47"},
	}
	for _, c := range cases {
		if got := NightCounts(c.checkin, c.checkout, sh, p); got != c.want {
			t.Errorf("%s: counts %v, want %v", c.name, got, c.want)
		}
		night := NightDate(c.checkin, sh)
		if night != c.wantNight || night.ISOWeek() != c.wantWeek {
			t.Errorf("%s: night %v (%s), want %v (%s)", c.name, night, night.ISOWeek(), c.wantNight, c.wantWeek)
		}
	}
}

func TestNightCountsReadsTheDistrictClock(t *testing.T) {
	p := specParams().Night
	in := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	out := time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC)
	if !NightCounts(in, out, shanghai(t), p) {
		t.Error("18:30 to 06:00 in Shanghai does not count")
	}
	if NightCounts(in, out, time.UTC, p) {
		t.Error("10:30 to 22:00 in UTC counts")
	}
}

func TestLeaveDaysInWeek(t *testing.T) {
	monday := date(2026, 11, 16) // 2026-W47
	cases := []struct {
		name   string
		leaves []DateRange
		want   int
	}{
		{"no leave", nil, 0},
		{"two days", []DateRange{{date(2026, 11, 16), date(2026, 11, 17)}}, 2},
		{"three days from overlapping leaves", []DateRange{{date(2026, 11, 16), date(2026, 11, 17)}, {date(2026, 11, 17), date(2026, 11, 18)}}, 3},
		{"five days from a leave begun the week before", []DateRange{{date(2026, 11, 10), date(2026, 11, 20)}}, 5},
		{"seven days inside a longer leave", []DateRange{{date(2026, 11, 1), date(2026, 12, 31)}}, 7},
		{"the same leave twice counts once", []DateRange{{date(2026, 11, 21), date(2026, 11, 25)}, {date(2026, 11, 21), date(2026, 11, 25)}}, 2},
		{"leave of other weeks", []DateRange{{date(2026, 11, 9), date(2026, 11, 15)}, {date(2026, 11, 23), date(2026, 11, 23)}}, 0},
		{"a range ending before it starts is empty", []DateRange{{date(2026, 11, 18), date(2026, 11, 16)}}, 0},
	}
	for _, c := range cases {
		if got := LeaveDaysInWeek(monday, c.leaves); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestWeeklyNightRequirement(t *testing.T) {
	nights := specParams().Night.NightsPerWeek
	// leave days → required: available 7→2, 6→2, 5→1, 4→1, 3→1, 2→1, 1→0, 0→0
	want := map[int]int{0: 2, 1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 0, 7: 0, -1: 2, 9: 0}
	for leave, w := range want {
		if got := WeeklyNightRequirement(leave, nights); got != w {
			t.Errorf("%d leave days: got %d, want %d", leave, got, w)
		}
	}
	if got := WeeklyNightRequirement(0, 3); got != 3 {
		t.Errorf("3 nights a week, no leave: got %d", got)
	}
	if got := WeeklyNightRequirement(2, 3); got != 2 { // 3 × 5 ÷ 7 = 2.14
		t.Errorf("3 nights a week, 2 leave days: got %d", got)
	}
}

func TestWeekStatus(t *testing.T) {
	cases := []struct {
		counted, required int
		want              string
	}{
		{2, 2, StatusMet},
		{3, 2, StatusMet},
		{1, 2, StatusShort},
		{0, 1, StatusShort},
		{0, 0, StatusExempt},
		{1, 0, StatusExempt},
	}
	for _, c := range cases {
		if got := WeekStatus(c.counted, c.required); got != c.want {
			t.Errorf("WeekStatus(%d, %d) = %s, want %s", c.counted, c.required, got, c.want)
		}
	}
}

// TestWeeksWithLeave runs the week's whole chain: leave ranges → leave days → requirement →
// status, for one night counted.
func TestWeeksWithLeave(t *testing.T) {
	nights := specParams().Night.NightsPerWeek
	monday := date(2026, 11, 16)
	cases := []struct {
		name         string
		leave        DateRange
		wantLeave    int
		wantRequired int
		wantStatus   string
	}{
		{"2 leave days", DateRange{date(2026, 11, 19), date(2026, 11, 20)}, 2, 1, StatusMet},
		{"3 leave days", DateRange{date(2026, 11, 20), date(2026, 11, 22)}, 3, 1, StatusMet},
		{"5 leave days", DateRange{date(2026, 11, 16), date(2026, 11, 20)}, 5, 1, StatusMet},
		{"7 leave days", DateRange{date(2026, 11, 16), date(2026, 11, 22)}, 7, 0, StatusExempt},
		{"no leave", DateRange{date(2026, 11, 1), date(2026, 11, 2)}, 0, 2, StatusShort},
	}
	for _, c := range cases {
		leave := LeaveDaysInWeek(monday, []DateRange{c.leave})
		required := WeeklyNightRequirement(leave, nights)
		status := WeekStatus(1, required)
		if leave != c.wantLeave || required != c.wantRequired || status != c.wantStatus {
			t.Errorf("%s: leave %d, required %d, status %s; want %d, %d, %s",
				c.name, leave, required, status, c.wantLeave, c.wantRequired, c.wantStatus)
		}
	}
}
