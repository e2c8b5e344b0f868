package duty

import (
	"time"

	"minxin/backend/internal/civil"
)

// IsWorkingDay reports whether d is a working day of the holiday calendar: Saturday and
// Sunday are off unless overrides says otherwise; an override false is a day off (holiday),
// true a make-up working day (调休).
func IsWorkingDay(d civil.Date, overrides map[civil.Date]bool) bool {
	if working, ok := overrides[d]; ok {
		return working
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// ReceptionParams are the settings of the reception day.
type ReceptionParams struct {
	// OnTimeBefore is the local time of day (after midnight) before which a check-in is on
	// time: 9h means 08:59:59 is on time and 09:00:00 late.
	OnTimeBefore time.Duration
}

// RotaDay is one reception day (定点接访) of a township's rota: the designated receiver of a
// working day. An empty Member means no member could take the day (all on leave).
type RotaDay struct {
	Date   civil.Date
	Member string
}

// GenerateRota assigns each working day of [from, to] to one member, round-robin over members
// in their given order, starting with members[start] on the first working day. A member on
// leave that day is passed over and the next in the cycle takes the day; the cycle then
// continues after the one who took it. A working day on which every member is on leave gets
// an entry with an empty Member and leaves the cycle where it was. start is taken modulo the
// number of members. Non-working days get no entry.
func GenerateRota(from, to civil.Date, members []string, start int,
	isWorkingDay func(civil.Date) bool, onLeave func(member string, d civil.Date) bool) []RotaDay {
	days := []RotaDay{}
	n := len(members)
	next := 0
	if n > 0 {
		next = ((start % n) + n) % n
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		if !isWorkingDay(d) {
			continue
		}
		day := RotaDay{Date: d}
		for k := range n {
			i := (next + k) % n
			if !onLeave(members[i], d) {
				day.Member = members[i]
				next = (i + 1) % n
				break
			}
		}
		days = append(days, day)
	}
	return days
}

// RotaCoverage is working days with a receiver ÷ working days of the rota.
func RotaCoverage(days []RotaDay) Ratio {
	r := Ratio{Den: len(days)}
	for _, d := range days {
		if d.Member != "" {
			r.Num++
		}
	}
	return r
}

// ReceptionAttendance judges the local time of a receiver's check-in for the reception day
// day: a check-in on another local date does not attend; one before onTimeBefore (a time of
// day) is on time, at or after it late. Whether the check-in counts as evidence inside the
// township seat's geofence, and was not refuted by an audit, is for the caller to AND in.
func ReceptionAttendance(checkin time.Time, day civil.Date, loc *time.Location, onTimeBefore time.Duration) (attended bool, onTime bool) {
	if civil.Of(checkin, loc) != day {
		return false, false
	}
	return true, timeOfDay(checkin, loc) < onTimeBefore
}

// ReceptionOutcome is how one assigned reception day went for its receiver.
type ReceptionOutcome struct {
	Attended bool
	OnTime   bool
}

// ReceptionFigures returns attendance (attended ÷ assigned days) and the on-time rate
// (on time ÷ attended days) over a receiver's assigned days.
func ReceptionFigures(assigned []ReceptionOutcome) (attendance, onTime Ratio) {
	attendance.Den = len(assigned)
	for _, o := range assigned {
		if o.Attended {
			attendance.Num++
			onTime.Den++
			if o.OnTime {
				onTime.Num++
			}
		}
	}
	return attendance, onTime
}
