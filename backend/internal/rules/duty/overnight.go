package duty

import (
	"time"

	"minxin/backend/internal/civil"
)

// NightParams are the settings of overnight stays (住夜: 每周两个晚上吃住在乡镇). Times of day
// are durations after local midnight.
type NightParams struct {
	// NightsPerWeek is the nights owed in an ISO week with no leave.
	NightsPerWeek int
	// A check-in counts from CheckinFrom (included) until CheckinUntil (excluded);
	// 18h and 24h give 18:00:00 to 23:59:59.
	CheckinFrom  time.Duration
	CheckinUntil time.Duration
	// A check-out on the next day counts from CheckoutFrom to CheckoutUntil, both included;
	// 5h and 10h give 05:00:00 to 10:00:00.
	CheckoutFrom  time.Duration
	CheckoutUntil time.Duration
}

// NightDate is the date a night belongs to: the local date of its evening check-in. The
// night's ISO week is that date's.
func NightDate(checkin time.Time, loc *time.Location) civil.Date { return civil.Of(checkin, loc) }

// NightCounts applies the clock rules of an overnight stay: check-in within the evening
// window of a date D, check-out within the morning window of D+1. It does not look at the
// evidence or at audits: a night counts only when NightCounts, both ends' evidence Counts
// (against the same township's area) and no audit refuted it; the caller ANDs the three.
func NightCounts(checkin, checkout time.Time, loc *time.Location, p NightParams) bool {
	in := timeOfDay(checkin, loc)
	out := timeOfDay(checkout, loc)
	return in >= p.CheckinFrom && in < p.CheckinUntil &&
		civil.Of(checkout, loc) == NightDate(checkin, loc).AddDays(1) &&
		out >= p.CheckoutFrom && out <= p.CheckoutUntil
}

// LeaveDaysInWeek counts the days of the seven days starting at weekStart (the Monday of an
// ISO week) covered by at least one leave; overlapping leaves count a day once.
func LeaveDaysInWeek(weekStart civil.Date, leaves []DateRange) int {
	n := 0
	for i := range 7 {
		d := weekStart.AddDays(i)
		for _, l := range leaves {
			if l.Contains(d) {
				n++
				break
			}
		}
	}
	return n
}

// WeeklyNightRequirement is round(nightsPerWeek × (7 − leaveDays) ÷ 7), rounding halves up
// (with a divisor of 7 no half can occur). leaveDays is clamped to [0, 7].
func WeeklyNightRequirement(leaveDays int, nightsPerWeek int) int {
	available := 7 - min(max(leaveDays, 0), 7)
	return (2*nightsPerWeek*available + 7) / 14
}

// WeekStatus is the status of an ISO week's nights: exempt when nothing is required, met
// when counted ≥ required, short otherwise.
func WeekStatus(counted, required int) string {
	switch {
	case required <= 0:
		return StatusExempt
	case counted >= required:
		return StatusMet
	default:
		return StatusShort
	}
}
