package duty

import (
	"time"

	"minxin/backend/internal/civil"
)

// VisitParams are the settings of the six must-visits (六必访).
type VisitParams struct {
	// DueDays maps each trigger category (illness, bereavement, …) to the days after the
	// trigger's date by whose end the visit is due.
	DueDays map[string]int
}

// Trigger and visit statuses of §3.4.
const (
	TriggerOpen    = "open"
	TriggerOverdue = "overdue"
	VisitOnTime    = "on_time"
	VisitLate      = "late"
)

// TriggerDueAt is the instant a must-visit trigger of date occurredOn falls due: the end of
// the day dueDays after it, in loc. With 7 days a trigger of 1 March is due at the first
// instant of 9 March; a visit on 8 March at 23:59:59 is on time.
func TriggerDueAt(occurredOn civil.Date, dueDays int, loc *time.Location) time.Time {
	return occurredOn.AddDays(dueDays).End(loc)
}

// VisitTimeliness is on_time for a visit before dueAt, late at or after it.
func VisitTimeliness(visitAt, dueAt time.Time) string {
	if visitAt.Before(dueAt) {
		return VisitOnTime
	}
	return VisitLate
}

// TriggerStatus is the status of a trigger: closed by a visit at *closedAt it is on_time or
// late; still open (closedAt nil) it is overdue from dueAt on, open before.
func TriggerStatus(closedAt *time.Time, dueAt, now time.Time) string {
	switch {
	case closedAt != nil:
		return VisitTimeliness(*closedAt, dueAt)
	case now.Before(dueAt):
		return TriggerOpen
	default:
		return TriggerOverdue
	}
}

// HouseholdCoverage is households visited ÷ households: the distinct ids of visitedIDs (the
// households of the period's counting visits, with or without a trigger, repeats allowed)
// that are among householdIDs, over the distinct ids of householdIDs.
func HouseholdCoverage(visitedIDs, householdIDs []string) Ratio {
	households := map[string]bool{}
	for _, id := range householdIDs {
		households[id] = false
	}
	r := Ratio{Den: len(households)}
	for _, id := range visitedIDs {
		if seen, ok := households[id]; ok && !seen {
			households[id] = true
			r.Num++
		}
	}
	return r
}
