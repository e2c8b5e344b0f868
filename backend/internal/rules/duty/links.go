package duty

import (
	"time"

	"minxin/backend/internal/civil"
)

// LinkParams are the settings of contact links (联系点).
type LinkParams struct {
	// MinHouseholds is the fewest representative households a team member must be linked to.
	MinHouseholds int
}

// LinksStatus is met when a team member is linked to at least minimum households, short
// otherwise.
func LinksStatus(linked, minimum int) string {
	if linked >= minimum {
		return StatusMet
	}
	return StatusShort
}

// TalkDayParams are the settings of village talk days (民情恳谈日).
type TalkDayParams struct {
	// PerMonth is the fewest talk days a village must hold in a calendar month.
	PerMonth int
}

// TalkDayCoverage is months with at least perMonth talk days ÷ months in the period, where
// the months in the period are the calendar months touched by [from, to]. heldOn lists the
// dates a village held talk days; talk days on the same date count once, and a talk day
// counts for its calendar month even when that month is only partly inside [from, to].
func TalkDayCoverage(heldOn []civil.Date, from, to civil.Date, perMonth int) Ratio {
	type month struct {
		year  int
		month time.Month
	}
	first := month{from.Year, from.Month}
	last := month{to.Year, to.Month}
	index := func(m month) int { return m.year*12 + int(m.month) }
	r := Ratio{Den: max(index(last)-index(first)+1, 0)}

	days := map[civil.Date]bool{}
	held := map[month]int{}
	for _, d := range heldOn {
		m := month{d.Year, d.Month}
		if !days[d] && index(m) >= index(first) && index(m) <= index(last) {
			days[d] = true
			held[m]++
		}
	}
	for _, n := range held {
		if n >= perMonth {
			r.Num++
		}
	}
	return r
}
