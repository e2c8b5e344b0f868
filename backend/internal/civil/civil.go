// Package civil holds calendar dates without a time of day. Every day, week and deadline of
// Minxin is a civil date in the district's time zone; this package converts between instants
// and dates in a given location and does date arithmetic without time-zone surprises.
package civil

import (
	"fmt"
	"time"
)

// Date is a calendar date (YYYY-MM-DD) with no time zone of its own.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Of returns the date of instant t as seen in loc.
func Of(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// New builds a date; out-of-range values are normalised as time.Date does (Feb 30 → Mar 2).
func New(year int, month time.Month, day int) Date {
	return Of(time.Date(year, month, day, 0, 0, 0, 0, time.UTC), time.UTC)
}

// Parse reads a YYYY-MM-DD date and rejects anything else.
func Parse(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date in the form YYYY-MM-DD: %q", s)
	}
	return Of(t, time.UTC), nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Start returns the first instant of the date in loc.
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// End returns the first instant of the following date in loc: a deadline "to the end of the
// day" d has passed at and after d.End(loc).
func (d Date) End(loc *time.Location) time.Time { return d.AddDays(1).Start(loc) }

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return New(d.Year, d.Month, d.Day+n) }

// DaysUntil returns the number of days from d to e (negative when e is before d).
func (d Date) DaysUntil(e Date) int {
	return int(e.Start(time.UTC).Sub(d.Start(time.UTC)).Hours() / 24)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.DaysUntil(e) > 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.DaysUntil(e) < 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Start(time.UTC).Weekday() }

// ISOWeek returns the ISO 8601 week name of d, such as "2026-W46".
func (d Date) ISOWeek() string {
	y, w := d.Start(time.UTC).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ISOWeekStart returns the Monday of d's ISO week.
func (d Date) ISOWeekStart() Date {
	offset := (int(d.Weekday()) + 6) % 7 // Monday → 0 … Sunday → 6
	return d.AddDays(-offset)
}

// DaysInYear returns 365 or 366.
func DaysInYear(year int) int {
	return New(year, time.January, 1).DaysUntil(New(year+1, time.January, 1))
}

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD only).
func (d *Date) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
