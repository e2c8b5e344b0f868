package duty

import (
	"time"

	"minxin/backend/internal/civil"
)

// StationingParams are the settings of village stationing (下村蹲点: 每年不少于3个月).
type StationingParams struct {
	// DaysPerYear is the days owed in a whole calendar year.
	DaysPerYear int
	// MinSession is the shortest session that makes its date count.
	MinSession time.Duration
}

// StationingSession is one session reduced to what the day count needs: the local date it
// started on and whether it counts (long enough, both ends' evidence counting inside the
// village's geofence, not refuted by an audit).
type StationingSession struct {
	Date   civil.Date
	Counts bool
}

// StationingDate is the date a session counts for: the local date of its check-in.
func StationingDate(checkin time.Time, loc *time.Location) civil.Date {
	return civil.Of(checkin, loc)
}

// StationingSessionCounts reports whether a session lasts at least minDuration of elapsed time.
func StationingSessionCounts(checkin, checkout time.Time, minDuration time.Duration) bool {
	return checkout.Sub(checkin) >= minDuration
}

// CountStationingDays counts the distinct dates with at least one counting session. The
// caller passes the sessions of the period (see StationingRequirement).
func CountStationingDays(sessions []StationingSession) int {
	days := map[civil.Date]bool{}
	for _, s := range sessions {
		if s.Counts {
			days[s.Date] = true
		}
	}
	return len(days)
}

// StationingRequirement returns the days owed for year and the period they are owed in.
// Without an appointment date, or appointed before year, the official owes daysPerYear over
// the whole year. Appointed during year, they owe
// ⌈daysPerYear × days from appointedOn to 31 December (both included) ÷ days in year⌉ over
// [appointedOn, 31 December]. Appointed after year, they owe 0 over an empty period: the
// period starts on 1 January of the next year and ends on 31 December of year.
func StationingRequirement(year int, appointedOn *civil.Date, daysPerYear int) (required int, periodStart, periodEnd civil.Date) {
	periodStart = civil.New(year, time.January, 1)
	periodEnd = civil.New(year, time.December, 31)
	daysPerYear = max(daysPerYear, 0)
	switch {
	case appointedOn == nil || appointedOn.Year < year:
		return daysPerYear, periodStart, periodEnd
	case appointedOn.Year > year:
		return 0, periodEnd.AddDays(1), periodEnd
	default:
		days := appointedOn.DaysUntil(periodEnd) + 1
		return ceilDiv(daysPerYear*days, civil.DaysInYear(year)), *appointedOn, periodEnd
	}
}

// ExpectedToDate is ⌈required × days elapsed since periodStart, asOf included ÷ days in the
// period⌉, clamped to [0, required]: 0 before the period, required after it.
func ExpectedToDate(required int, periodStart, periodEnd, asOf civil.Date) int {
	periodDays := periodStart.DaysUntil(periodEnd) + 1
	if required <= 0 || periodDays <= 0 {
		return 0
	}
	elapsed := min(max(periodStart.DaysUntil(asOf)+1, 0), periodDays)
	return min(ceilDiv(required*elapsed, periodDays), required)
}

// StationingStatus is met when counted ≥ required, on_track when counted ≥ expected, behind
// otherwise.
func StationingStatus(counted, required, expected int) string {
	switch {
	case counted >= required:
		return StatusMet
	case counted >= expected:
		return StatusOnTrack
	default:
		return StatusBehind
	}
}
