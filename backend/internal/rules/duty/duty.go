// Package duty holds the field-duty rules of the specification (§2 and §3) as pure functions:
// plain values in, plain values out, no I/O. Every number of the rules (radii aside, which
// come with each geofence) is a setting of the district and is passed in through Params or
// one of its parts; the package holds no defaults.
//
// Days, weeks and deadlines are civil dates in the district's time zone (package civil).
// Times of day are read from the local wall clock to the whole second: 10:00:00.400 is
// 10:00:00.
package duty

import (
	"strings"
	"time"

	"minxin/backend/internal/civil"
)

// Params gathers the numbers of the field-duty rules, as stored in the district's settings.
type Params struct {
	Evidence   EvidenceParams
	Reception  ReceptionParams
	Night      NightParams
	Stationing StationingParams
	Visits     VisitParams
	Links      LinkParams
	TalkDays   TalkDayParams
}

// Validate reports every number of p that the rules cannot work with.
func (p Params) Validate() error {
	var errs []FieldError
	check := func(ok bool, field, message string) {
		if !ok {
			errs = append(errs, FieldError{Field: field, Message: message})
		}
	}
	check(p.Evidence.LowAccuracyM > 0, "evidence.low_accuracy_m", "must be positive")
	check(p.Evidence.LateSyncAfter > 0, "evidence.late_sync_after", "must be positive")
	check(p.Evidence.MaxFutureSkew >= 0, "evidence.max_future_skew", "must not be negative")
	check(inDay(p.Reception.OnTimeBefore), "reception.on_time_before", "must be a time of day")
	check(p.Night.NightsPerWeek >= 0, "night.nights_per_week", "must not be negative")
	check(inDay(p.Night.CheckinFrom) && inDay(p.Night.CheckinUntil) && p.Night.CheckinFrom < p.Night.CheckinUntil,
		"night.checkin_window", "must be a non-empty window within the day")
	check(inDay(p.Night.CheckoutFrom) && inDay(p.Night.CheckoutUntil) && p.Night.CheckoutFrom <= p.Night.CheckoutUntil,
		"night.checkout_window", "must be a window within the day")
	check(p.Stationing.DaysPerYear >= 0, "stationing.days_per_year", "must not be negative")
	check(p.Stationing.MinSession > 0, "stationing.min_session", "must be positive")
	check(len(p.Visits.DueDays) > 0, "visits.due_days", "must list at least one category")
	for category, days := range p.Visits.DueDays {
		check(category != "" && days >= 0, "visits.due_days", "needs a named category and days not negative")
	}
	check(p.Links.MinHouseholds >= 0, "links.min_households", "must not be negative")
	check(p.TalkDays.PerMonth >= 1, "talk_days.per_month", "must be at least 1")
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// inDay reports whether d is a time of day from midnight to the next midnight, both included.
func inDay(d time.Duration) bool { return d >= 0 && d <= 24*time.Hour }

// Statuses of the progress figures, as the contract names them.
const (
	StatusMet     = "met"
	StatusShort   = "short"
	StatusExempt  = "exempt"
	StatusOnTrack = "on_track"
	StatusBehind  = "behind"
)

// FieldError names an input field, by its API name, and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// ValidationError is input the rules refuse; it lists every offending field.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Ratio is a figure such as coverage or attendance, kept as its numerator and denominator.
// A ratio with a zero denominator is undefined (nothing was due), which is not the same as
// zero: Value reports it with ok = false and the caller shows it as absent, never as 0 %.
type Ratio struct {
	Num int
	Den int
}

// Value returns Num ÷ Den, and ok = false when the ratio is undefined (Den ≤ 0).
func (r Ratio) Value() (value float64, ok bool) {
	if r.Den <= 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// DateRange is a span of dates with both ends included, such as a leave (请假/出差/培训).
// A range whose End is before its Start is empty.
type DateRange struct {
	Start civil.Date
	End   civil.Date
}

// Contains reports whether d lies within the range.
func (r DateRange) Contains(d civil.Date) bool { return !d.Before(r.Start) && !d.After(r.End) }

// timeOfDay returns the local wall-clock time of t in loc as a duration after midnight,
// truncated to the whole second.
func timeOfDay(t time.Time, loc *time.Location) time.Duration {
	h, m, s := t.In(loc).Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// ceilDiv returns ⌈a ÷ b⌉ for a ≥ 0 and b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }
