package remind

import (
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func TestStageAt(t *testing.T) {
	due := time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		at   time.Time
		want Stage
	}{
		{"due in 4 days: not yet", due.Add(-4 * 24 * time.Hour), NotYet},
		{"due in 3 days and a second: not yet", due.Add(-Window - time.Second), NotYet},
		{"due in exactly 3 days: soon", due.Add(-Window), DueSoon},
		{"due in a minute: soon", due.Add(-time.Minute), DueSoon},
		{"at the instant: overdue", due, Overdue},
		{"a day after: overdue", due.Add(24 * time.Hour), Overdue},
	} {
		if got := StageAt(due, c.at); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNightsWeekToTell(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	monday := civil.New(2026, time.November, 30) // ISO week 2026-W49
	for _, c := range []struct {
		name string
		at   time.Time
		tell bool
	}{
		{"Thursday evening", time.Date(2026, 12, 3, 20, 0, 0, 0, loc), false},
		{"Friday 11:59", time.Date(2026, 12, 4, 11, 59, 59, 0, loc), false},
		{"Friday 12:00", time.Date(2026, 12, 4, 12, 0, 0, 0, loc), true},
		{"Sunday 23:59", time.Date(2026, 12, 6, 23, 59, 0, 0, loc), true},
	} {
		week, tell := NightsWeekToTell(c.at, loc)
		if week != monday || tell != c.tell {
			t.Errorf("%s: week %s, tell %v; want %s, %v", c.name, week, tell, monday, c.tell)
		}
	}
	// Monday 00:00 starts the next week, not yet told.
	if week, tell := NightsWeekToTell(time.Date(2026, 12, 7, 0, 0, 0, 0, loc), loc); week != monday.AddDays(7) || tell {
		t.Errorf("next Monday: %s %v", week, tell)
	}
}

func TestStationingMonthAndKey(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// 16:30 UTC on 30 November is 00:30 on 1 December in the district.
	if got := StationingMonth(time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC), loc); got != civil.New(2026, time.December, 1) {
		t.Errorf("month: %s", got)
	}
	if got := Key(PetitionDeadline, "p1", "soon"); got != "petition_deadline/p1/soon" {
		t.Errorf("key: %s", got)
	}
}

func TestMessagesNameNoPetitioner(t *testing.T) {
	for _, stage := range []Stage{DueSoon, Overdue} {
		m := PetitionMessage(stage, "XF20261125-0042", civil.New(2026, 12, 10))
		if m.Zh.Title == "" || m.En.Title == "" || m.Zh.Body == m.En.Body {
			t.Errorf("%s: %+v", stage, m)
		}
	}
}
