package duty

import (
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func TestStationingRequirement(t *testing.T) {
	days := specParams().Stationing.DaysPerYear
	appointed := func(d civil.Date) *civil.Date { return &d }
	cases := []struct {
		name         string
		year         int
		appointedOn  *civil.Date
		wantRequired int
		wantStart    civil.Date
		wantEnd      civil.Date
	}{
		{"no appointment date: the whole year", 2026, nil, 90, date(2026, 1, 1), date(2026, 12, 31)},
		{"appointed in an earlier year: the whole year", 2026, appointed(date(2025, 7, 1)), 90, date(2026, 1, 1), date(2026, 12, 31)},
		{"appointed 1 January: the whole year", 2026, appointed(date(2026, 1, 1)), 90, date(2026, 1, 1), date(2026, 12, 31)},
		{"appointed 1 July 2026: ⌈90 × 184 ÷ 365⌉ = ⌈45.37⌉", 2026, appointed(date(2026, 7, 1)), 46, date(2026, 7, 1), date(2026, 12, 31)},
		{"appointed 1 July 2028, leap: ⌈90 × 184 ÷ 366⌉ = ⌈45.25⌉", 2028, appointed(date(2028, 7, 1)), 46, date(2028, 7, 1), date(2028, 12, 31)},
		{"appointed 29 February 2028: ⌈90 × 307 ÷ 366⌉ = ⌈75.49⌉", 2028, appointed(date(2028, 2, 29)), 76, date(2028, 2, 29), date(2028, 12, 31)},
		{"appointed 1 September 2026: ⌈90 × 122 ÷ 365⌉ = ⌈30.08⌉", 2026, appointed(date(2026, 9, 1)), 31, date(2026, 9, 1), date(2026, 12, 31)},
		{"appointed 1 September 2028: 90 × 122 ÷ 366 = 30 exactly", 2028, appointed(date(2028, 9, 1)), 30, date(2028, 9, 1), date(2028, 12, 31)},
		{"appointed 31 December: ⌈90 ÷ 365⌉", 2026, appointed(date(2026, 12, 31)), 1, date(2026, 12, 31), date(2026, 12, 31)},
		{"appointed in a later year: nothing, empty period", 2026, appointed(date(2027, 1, 1)), 0, date(2027, 1, 1), date(2026, 12, 31)},
	}
	for _, c := range cases {
		required, start, end := StationingRequirement(c.year, c.appointedOn, days)
		if required != c.wantRequired || start != c.wantStart || end != c.wantEnd {
			t.Errorf("%s: got %d over %v…%v, want %d over %v…%v",
				c.name, required, start, end, c.wantRequired, c.wantStart, c.wantEnd)
		}
	}
}

func TestExpectedToDate(t *testing.T) {
	cases := []struct {
		name       string
		required   int
		start, end civil.Date
		asOf       civil.Date
		want       int
	}{
		{"first day of the year: ⌈90 ÷ 365⌉", 90, date(2026, 1, 1), date(2026, 12, 31), date(2026, 1, 1), 1},
		{"1 July, day 182: ⌈90 × 182 ÷ 365⌉ = ⌈44.88⌉", 90, date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 1), 45},
		{"29 February 2028, day 60: ⌈90 × 60 ÷ 366⌉ = ⌈14.75⌉", 90, date(2028, 1, 1), date(2028, 12, 31), date(2028, 2, 29), 15},
		{"last day of the year", 90, date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31), 90},
		{"after the period: clamped to required", 90, date(2026, 1, 1), date(2026, 12, 31), date(2027, 3, 1), 90},
		{"before the period: 0", 46, date(2026, 7, 1), date(2026, 12, 31), date(2026, 6, 30), 0},
		{"appointed 1 July, asOf 1 July: ⌈46 ÷ 184⌉", 46, date(2026, 7, 1), date(2026, 12, 31), date(2026, 7, 1), 1},
		{"appointed 1 July, asOf 31 August: 46 × 62 ÷ 184 = ⌈15.5⌉", 46, date(2026, 7, 1), date(2026, 12, 31), date(2026, 8, 31), 16},
		{"nothing required", 0, date(2026, 1, 1), date(2026, 12, 31), date(2026, 7, 1), 0},
		{"empty period", 0, date(2027, 1, 1), date(2026, 12, 31), date(2026, 7, 1), 0},
	}
	for _, c := range cases {
		if got := ExpectedToDate(c.required, c.start, c.end, c.asOf); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestStationingStatus(t *testing.T) {
	cases := []struct {
		counted, required, expected int
		want                        string
	}{
		{90, 90, 90, StatusMet},
		{91, 90, 45, StatusMet},
		{45, 90, 45, StatusOnTrack},
		{60, 90, 45, StatusOnTrack},
		{44, 90, 45, StatusBehind},
		{0, 0, 0, StatusMet},
	}
	for _, c := range cases {
		if got := StationingStatus(c.counted, c.required, c.expected); got != c.want {
			t.Errorf("StationingStatus(%d, %d, %d) = %s, want %s", c.counted, c.required, c.expected, got, c.want)
		}
	}
}

func TestStationingSessionCounts(t *testing.T) {
	sh := shanghai(t)
	minimum := specParams().Stationing.MinSession
	in := at(sh, 2026, 11, 25, 8, 30, 0)
	cases := []struct {
		name string
		out  time.Time
		want bool
	}{
		{"4 h", in.Add(4 * time.Hour), true},
		{"6 h", in.Add(6 * time.Hour), true},
		{"3 h 59 min", in.Add(3*time.Hour + 59*time.Minute), false},
		{"3 h 59 min 59 s", in.Add(4*time.Hour - time.Second), false},
		{"check-out before check-in", in.Add(-time.Hour), false},
	}
	for _, c := range cases {
		if got := StationingSessionCounts(in, c.out, minimum); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestStationingDate(t *testing.T) {
	sh := shanghai(t)
	cases := []struct {
		checkin time.Time
		want    civil.Date
	}{
		{at(sh, 2026, 11, 22, 9, 0, 0), date(2026, 11, 22)},
		{time.Date(2026, 11, 22, 16, 30, 0, 0, time.UTC), date(2026, 11, 23)},
		{time.Date(2026, 11, 22, 15, 59, 59, 0, time.UTC), date(2026, 11, 22)},
	}
	for _, c := range cases {
		if got := StationingDate(c.checkin, sh); got != c.want {
			t.Errorf("StationingDate(%v) = %v, want %v", c.checkin, got, c.want)
		}
	}
}

func TestCountStationingDays(t *testing.T) {
	cases := []struct {
		name     string
		sessions []StationingSession
		want     int
	}{
		{"none", nil, 0},
		{"two sessions on one date make one day",
			[]StationingSession{{date(2026, 11, 25), true}, {date(2026, 11, 25), true}}, 1},
		{"a short session beside a counting one on the same date",
			[]StationingSession{{date(2026, 11, 25), false}, {date(2026, 11, 25), true}}, 1},
		{"only sessions that do not count", []StationingSession{{date(2026, 11, 25), false}, {date(2026, 11, 26), false}}, 0},
		{"three dates", []StationingSession{
			{date(2026, 11, 24), true}, {date(2026, 11, 25), true}, {date(2026, 11, 26), true}, {date(2026, 11, 24), true},
		}, 3},
	}
	for _, c := range cases {
		if got := CountStationingDays(c.sessions); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}
