package duty

import (
	"testing"
	"time"
)

func TestTriggerDueAt(t *testing.T) {
	sh := shanghai(t)
	due := specParams().Visits.DueDays["illness"]
	got := TriggerDueAt(date(2026, 3, 1), due, sh)
	// 7 days after 1 March, to the end of the day: the first instant of 9 March in Shanghai.
	if want := time.Date(2026, 3, 8, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := TriggerDueAt(date(2026, 12, 28), due, sh); !got.Equal(at(sh, 2027, 1, 5, 0, 0, 0)) {
		t.Errorf("across the new year: got %v", got)
	}
}

func TestVisitTimelinessAndTriggerStatus(t *testing.T) {
	sh := shanghai(t)
	dueAt := TriggerDueAt(date(2026, 3, 1), specParams().Visits.DueDays["bereavement"], sh)
	lastSecond := at(sh, 2026, 3, 8, 23, 59, 59)
	ptrTime := func(t time.Time) *time.Time { return &t }
	cases := []struct {
		name     string
		closedAt *time.Time
		now      time.Time
		want     string
	}{
		{"open before the due time", nil, at(sh, 2026, 3, 5, 12, 0, 0), TriggerOpen},
		{"open in the last second of the due day", nil, lastSecond, TriggerOpen},
		{"open at the due time is overdue", nil, dueAt, TriggerOverdue},
		{"open a week later", nil, dueAt.Add(7 * 24 * time.Hour), TriggerOverdue},
		{"visited on the due day: on time", ptrTime(lastSecond), dueAt.Add(time.Hour), VisitOnTime},
		{"visited the day after: late", ptrTime(at(sh, 2026, 3, 9, 8, 0, 0)), dueAt.Add(48 * time.Hour), VisitLate},
		{"visited exactly at the due time: late", ptrTime(dueAt), dueAt, VisitLate},
		{"visited in UTC 15:59Z on the 8th, 23:59 in Shanghai: on time", ptrTime(time.Date(2026, 3, 8, 15, 59, 0, 0, time.UTC)), dueAt, VisitOnTime},
	}
	for _, c := range cases {
		if got := TriggerStatus(c.closedAt, dueAt, c.now); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
		if c.closedAt != nil {
			if got := VisitTimeliness(*c.closedAt, dueAt); got != c.want {
				t.Errorf("%s: VisitTimeliness %s, want %s", c.name, got, c.want)
			}
		}
	}
}

func TestHouseholdCoverage(t *testing.T) {
	households := []string{"h1", "h2", "h3", "h4"}
	cases := []struct {
		name    string
		visited []string
		within  []string
		want    Ratio
	}{
		{"two of four, visited repeatedly", []string{"h1", "h2", "h1", "h1"}, households, Ratio{2, 4}},
		{"a household of another township is ignored", []string{"h1", "x9"}, households, Ratio{1, 4}},
		{"all visited", []string{"h4", "h3", "h2", "h1"}, households, Ratio{4, 4}},
		{"none visited", nil, households, Ratio{0, 4}},
		{"no households: undefined", []string{"h1"}, nil, Ratio{0, 0}},
		{"households listed twice count once", []string{"h1"}, []string{"h1", "h1", "h2"}, Ratio{1, 2}},
	}
	for _, c := range cases {
		if got := HouseholdCoverage(c.visited, c.within); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
