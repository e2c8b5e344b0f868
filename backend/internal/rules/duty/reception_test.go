package duty

import (
	"slices"
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func TestIsWorkingDay(t *testing.T) {
	overrides := map[civil.Date]bool{
		date(2026, 10, 1):  false, // Thursday, National Day
		date(2026, 10, 10): true,  // Saturday, make-up working day (调休)
	}
	cases := []struct {
		name string
		d    civil.Date
		want bool
	}{
		{"Monday", date(2026, 11, 16), true},
		{"Friday", date(2026, 11, 20), true},
		{"Saturday", date(2026, 11, 21), false},
		{"Sunday", date(2026, 11, 22), false},
		{"weekday holiday", date(2026, 10, 1), false},
		{"make-up Saturday", date(2026, 10, 10), true},
	}
	for _, c := range cases {
		if got := IsWorkingDay(c.d, overrides); got != c.want {
			t.Errorf("%s %v: got %v, want %v", c.name, c.d, got, c.want)
		}
	}
	if !IsWorkingDay(date(2026, 11, 16), nil) {
		t.Error("nil overrides: Monday is not a working day")
	}
}

func TestGenerateRota(t *testing.T) {
	overrides := map[civil.Date]bool{
		date(2026, 11, 18): false, // Wednesday off
		date(2026, 11, 28): true,  // Saturday worked
	}
	leave := map[string][]DateRange{
		"b": {{Start: date(2026, 11, 23), End: date(2026, 11, 23)}, {Start: date(2026, 11, 26), End: date(2026, 11, 26)}},
		"a": {{Start: date(2026, 11, 26), End: date(2026, 11, 26)}},
		"c": {{Start: date(2026, 11, 26), End: date(2026, 11, 27)}},
	}
	working := func(d civil.Date) bool { return IsWorkingDay(d, overrides) }
	onLeave := func(m string, d civil.Date) bool {
		return slices.ContainsFunc(leave[m], func(r DateRange) bool { return r.Contains(d) })
	}
	noLeave := func(string, civil.Date) bool { return false }
	from, to := date(2026, 11, 16), date(2026, 11, 29)

	type day = RotaDay
	cases := []struct {
		name    string
		members []string
		start   int
		onLeave func(string, civil.Date) bool
		want    []RotaDay
	}{
		{
			name:    "skips days off, passes over leave, leaves a day uncovered when all are away",
			members: []string{"a", "b", "c"}, start: 0, onLeave: onLeave,
			want: []RotaDay{
				day{date(2026, 11, 16), "a"},
				day{date(2026, 11, 17), "b"},
				// 18th is a day off
				day{date(2026, 11, 19), "c"},
				day{date(2026, 11, 20), "a"},
				// weekend
				day{date(2026, 11, 23), "c"}, // b on leave, c takes it, the cycle goes on after c
				day{date(2026, 11, 24), "a"},
				day{date(2026, 11, 25), "b"},
				day{date(2026, 11, 26), ""},  // everybody away; the cycle stays at c
				day{date(2026, 11, 27), "a"}, // c on leave, a takes it
				day{date(2026, 11, 28), "b"}, // make-up Saturday
			},
		},
		{
			name:    "start picks the first receiver, modulo the members",
			members: []string{"a", "b", "c"}, start: 4, onLeave: noLeave,
			want: []RotaDay{
				day{date(2026, 11, 16), "b"}, day{date(2026, 11, 17), "c"}, day{date(2026, 11, 19), "a"},
				day{date(2026, 11, 20), "b"}, day{date(2026, 11, 23), "c"}, day{date(2026, 11, 24), "a"},
				day{date(2026, 11, 25), "b"}, day{date(2026, 11, 26), "c"}, day{date(2026, 11, 27), "a"},
				day{date(2026, 11, 28), "b"},
			},
		},
		{
			name:    "negative start counts from the end",
			members: []string{"a", "b", "c"}, start: -1, onLeave: noLeave,
			want: []RotaDay{
				day{date(2026, 11, 16), "c"}, day{date(2026, 11, 17), "a"}, day{date(2026, 11, 19), "b"},
				day{date(2026, 11, 20), "c"}, day{date(2026, 11, 23), "a"}, day{date(2026, 11, 24), "b"},
				day{date(2026, 11, 25), "c"}, day{date(2026, 11, 26), "a"}, day{date(2026, 11, 27), "b"},
				day{date(2026, 11, 28), "c"},
			},
		},
		{
			name:    "no members: every working day uncovered",
			members: nil, start: 0, onLeave: noLeave,
			want: []RotaDay{
				day{date(2026, 11, 16), ""}, day{date(2026, 11, 17), ""}, day{date(2026, 11, 19), ""},
				day{date(2026, 11, 20), ""}, day{date(2026, 11, 23), ""}, day{date(2026, 11, 24), ""},
				day{date(2026, 11, 25), ""}, day{date(2026, 11, 26), ""}, day{date(2026, 11, 27), ""},
				day{date(2026, 11, 28), ""},
			},
		},
	}
	for _, c := range cases {
		got := GenerateRota(from, to, c.members, c.start, working, c.onLeave)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
	if got := GenerateRota(to, from, []string{"a"}, 0, working, noLeave); len(got) != 0 || got == nil {
		t.Errorf("from after to: got %#v, want an empty rota", got)
	}
}

func TestRotaCoverage(t *testing.T) {
	cases := []struct {
		name string
		days []RotaDay
		want Ratio
	}{
		{"one uncovered of three", []RotaDay{{date(2026, 11, 16), "a"}, {date(2026, 11, 17), ""}, {date(2026, 11, 18), "b"}}, Ratio{2, 3}},
		{"no working days", nil, Ratio{0, 0}},
	}
	for _, c := range cases {
		if got := RotaCoverage(c.days); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReceptionAttendance(t *testing.T) {
	sh := shanghai(t)
	onTimeBefore := specParams().Reception.OnTimeBefore
	day := date(2026, 11, 25)
	cases := []struct {
		name                     string
		checkin                  time.Time
		wantAttended, wantOnTime bool
	}{
		{"08:59:59 is on time", at(sh, 2026, 11, 25, 8, 59, 59), true, true},
		{"08:59:59.999 is still 08:59:59, on time", at(sh, 2026, 11, 25, 8, 59, 59).Add(999 * time.Millisecond), true, true},
		{"09:00:00 is late", at(sh, 2026, 11, 25, 9, 0, 0), true, false},
		{"15:00 is late", at(sh, 2026, 11, 25, 15, 0, 0), true, false},
		{"given in UTC: 00:59Z is 08:59 in Shanghai", time.Date(2026, 11, 25, 0, 59, 0, 0, time.UTC), true, true},
		{"given in UTC: 16:30Z on the 24th is 00:30 on the 25th", time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC), true, true},
		{"given in UTC: 15:59Z on the 24th is 23:59 on the 24th", time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC), false, false},
		{"the next day does not attend", at(sh, 2026, 11, 26, 8, 0, 0), false, false},
	}
	for _, c := range cases {
		attended, onTime := ReceptionAttendance(c.checkin, day, sh, onTimeBefore)
		if attended != c.wantAttended || onTime != c.wantOnTime {
			t.Errorf("%s: got (%v, %v), want (%v, %v)", c.name, attended, onTime, c.wantAttended, c.wantOnTime)
		}
	}
}

func TestReceptionFigures(t *testing.T) {
	cases := []struct {
		name                       string
		assigned                   []ReceptionOutcome
		wantAttendance, wantOnTime Ratio
	}{
		{
			name:           "four assigned, three attended, two on time",
			assigned:       []ReceptionOutcome{{true, true}, {true, false}, {false, false}, {true, true}},
			wantAttendance: Ratio{3, 4}, wantOnTime: Ratio{2, 3},
		},
		{
			name:           "assigned but never attended: on-time rate undefined",
			assigned:       []ReceptionOutcome{{false, false}},
			wantAttendance: Ratio{0, 1}, wantOnTime: Ratio{0, 0},
		},
		{"never assigned", nil, Ratio{0, 0}, Ratio{0, 0}},
	}
	for _, c := range cases {
		attendance, onTime := ReceptionFigures(c.assigned)
		if attendance != c.wantAttendance || onTime != c.wantOnTime {
			t.Errorf("%s: got %v, %v; want %v, %v", c.name, attendance, onTime, c.wantAttendance, c.wantOnTime)
		}
	}
}
