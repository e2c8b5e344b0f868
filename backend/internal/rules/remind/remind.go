// Package remind holds the rules of reminders (提醒, product.md §8): when each kind of event
// is due to be told, the key that makes each (event, recipient) notified once, and the words
// of each notification in Chinese and English. No I/O.
package remind

import (
	"fmt"
	"time"

	"minxin/backend/internal/civil"
)

// Kinds of notification (contract.md, "Reminders").
const (
	VisitDue         = "visit_due"
	NightsShort      = "nights_short"
	StationingBehind = "stationing_behind"
	PetitionDeadline = "petition_deadline"
	FindingOpen      = "finding_open"
	Supervised       = "supervised"
)

// Kinds lists every kind.
var Kinds = []string{VisitDue, NightsShort, StationingBehind, PetitionDeadline, FindingOpen, Supervised}

// Window is how far ahead a deadline is told: a must-visit or a petition step due within 3
// days.
const Window = 3 * 24 * time.Hour

// Stage is where a deadline stands at a moment: not yet to be told, due soon, or overdue.
type Stage string

// Stages of a deadline.
const (
	NotYet  Stage = ""
	DueSoon Stage = "soon"
	Overdue Stage = "overdue"
)

// StageAt is the stage at instant at of a deadline that passes at due: overdue from due on,
// due soon within Window before it (due in 3 days is told, in 3 days and a second is not).
func StageAt(due, at time.Time) Stage {
	switch {
	case !at.Before(due):
		return Overdue
	case due.Sub(at) <= Window:
		return DueSoon
	default:
		return NotYet
	}
}

// NightsCheckAt is the instant of the ISO week starting on monday from which a team member
// short of nights is told: Friday at noon in loc.
func NightsCheckAt(monday civil.Date, loc *time.Location) time.Time {
	return monday.AddDays(4).Start(loc).Add(12 * time.Hour)
}

// NightsWeekToTell is the ISO week whose nights are told at instant at (its Monday), and
// whether at is in a week's telling time: from Friday noon to the end of Sunday.
func NightsWeekToTell(at time.Time, loc *time.Location) (civil.Date, bool) {
	monday := civil.Of(at, loc).ISOWeekStart()
	return monday, !at.Before(NightsCheckAt(monday, loc))
}

// StationingMonth is the first day of the month of at: the stationing pace is told once a
// month, as of its 1st.
func StationingMonth(at time.Time, loc *time.Location) civil.Date {
	d := civil.Of(at, loc)
	return civil.New(d.Year, d.Month, 1)
}

// Key is the event's key: a recipient is notified of each key once.
func Key(kind string, parts ...any) string {
	k := kind
	for _, p := range parts {
		k += "/" + fmt.Sprint(p)
	}
	return k
}

// Text is a notification's title and body in one language.
type Text struct{ Title, Body string }

// Message is a notification's words in Chinese and English.
type Message struct{ Zh, En Text }

// VisitMessage tells an official of a must-visit (六必访) due soon or overdue.
func VisitMessage(stage Stage, household string, due civil.Date) Message {
	if stage == Overdue {
		return Message{
			Zh: Text{"必访已超期", fmt.Sprintf("%s户的必访已于%s到期，请尽快走访。", household, due)},
			En: Text{"Must-visit overdue", fmt.Sprintf("The must-visit to the %s household was due on %s. Please visit as soon as you can.", household, due)},
		}
	}
	return Message{
		Zh: Text{"必访即将到期", fmt.Sprintf("%s户的必访将于%s到期。", household, due)},
		En: Text{"Must-visit due soon", fmt.Sprintf("The must-visit to the %s household is due on %s.", household, due)},
	}
}

// NightsMessage tells a team member short of nights (住夜) in a week.
func NightsMessage(week string, counted, required int) Message {
	return Message{
		Zh: Text{"本周住夜不足", fmt.Sprintf("%s周已住夜%d晚，应住%d晚。", week, counted, required)},
		En: Text{"Short of nights this week", fmt.Sprintf("Week %s: %d of %d nights so far.", week, counted, required)},
	}
}

// StationingMessage tells an official whose stationing (下村蹲点) is behind the pace.
func StationingMessage(counted, expected, required int) Message {
	return Message{
		Zh: Text{"下村蹲点进度落后", fmt.Sprintf("今年已蹲点%d天，按进度应达%d天（全年%d天）。", counted, expected, required)},
		En: Text{"Stationing behind the pace", fmt.Sprintf("%d stationing days this year; the pace asks for %d by now (%d in the year).", counted, expected, required)},
	}
}

// PetitionMessage tells of a petition's next step due soon or overdue. It names the tracking
// code only, never the petitioner.
func PetitionMessage(stage Stage, code string, due civil.Date) Message {
	if stage == Overdue {
		return Message{
			Zh: Text{"信访件已超期", fmt.Sprintf("信访件%s的办理期限%s已过，请立即处理。", code, due)},
			En: Text{"Petition overdue", fmt.Sprintf("Petition %s passed its deadline of %s. Please act now.", code, due)},
		}
	}
	return Message{
		Zh: Text{"信访件即将到期", fmt.Sprintf("信访件%s的办理期限为%s。", code, due)},
		En: Text{"Petition deadline soon", fmt.Sprintf("Petition %s is due on %s.", code, due)},
	}
}

// FindingMessage tells an official that an audit finding awaits their explanation.
func FindingMessage(due *civil.Date) Message {
	by, byEn := "", ""
	if due != nil {
		by, byEn = fmt.Sprintf("请于%s前", *due), fmt.Sprintf(" by %s", *due)
	}
	return Message{
		Zh: Text{"抽查结果待说明", by + "对抽查发现的问题作出说明。"},
		En: Text{"Audit finding awaits your explanation", "Please explain the audit finding" + byEn + "."},
	}
}

// SupervisionMessage tells the township's petition officers and the handler of a supervision
// instruction (督办) from the district petition office.
func SupervisionMessage(code string, actBy civil.Date) Message {
	return Message{
		Zh: Text{"信访件被督办", fmt.Sprintf("区信访办对信访件%s下达督办意见，请于%s前办理并答复。", code, actBy)},
		En: Text{"Petition under supervision", fmt.Sprintf("The district petition office issued an instruction on petition %s: act and answer by %s.", code, actBy)},
	}
}

// Channels a notification is delivered on besides the inbox, which is always on.
const (
	ChannelPush = "push"
	ChannelSMS  = "sms"
)

// Preference is whether a kind is pushed and sent by SMS to one user.
type Preference struct{ Push, SMS bool }

// Locked reports whether a user may not switch a kind's push and SMS off: a township's lead
// is always told of petitions overdue (§8), on every channel.
func Locked(kind string, lead bool) bool { return lead && kind == PetitionDeadline }

// DefaultPreference is a kind's preference until the user chooses: pushed (where the
// user allowed push in a browser), no SMS; a locked kind on every channel.
func DefaultPreference(kind string, lead bool) Preference {
	return Preference{Push: true, SMS: Locked(kind, lead)}
}

// KnownKind reports whether kind is a kind of notification.
func KnownKind(kind string) bool {
	for _, k := range Kinds {
		if k == kind {
			return true
		}
	}
	return false
}
