package petition

import (
	"time"

	"minxin/backend/internal/civil"
)

// Deadlines are the statutory deadlines of a petition (信访工作条例), each the last day on which
// the step is on time: a deadline D has passed at and after D.End(loc). A deadline is present
// once the event it runs from has happened, and stays present afterwards so that a finished
// step can still be judged on time or late.
type Deadlines struct {
	AcceptBy          *civil.Date `json:"accept_by,omitempty"`           // received_on (or transferred_on) + AcceptDays
	ReplyBy           *civil.Date `json:"reply_by,omitempty"`            // date(accepted_at) + ReplyDays + extension
	ReviewRequestBy   *civil.Date `json:"review_request_by,omitempty"`   // date(replied_at) + ReviewRequestDays
	ReviewBy          *civil.Date `json:"review_by,omitempty"`           // date(review_requested_at) + ReviewDays
	RereviewRequestBy *civil.Date `json:"rereview_request_by,omitempty"` // date(reviewed_at) + RereviewRequestDays
	RereviewBy        *civil.Date `json:"rereview_by,omitempty"`         // date(rereview_requested_at) + RereviewDays
}

// DeadlinesOf computes the deadlines from the petition's events, in calendar days in loc. A
// petition transferred here from another township of the district is received here anew: its
// acceptance deadline runs from the date of the transfer.
func DeadlinesOf(f Facts, loc *time.Location, p Params) Deadlines {
	var d Deadlines
	switch {
	case f.TransferredOn != nil:
		by := f.TransferredOn.AddDays(p.AcceptDays)
		d.AcceptBy = &by
	case !f.ReceivedOn.IsZero():
		by := f.ReceivedOn.AddDays(p.AcceptDays)
		d.AcceptBy = &by
	}
	d.ReplyBy = daysAfter(f.AcceptedAt, p.ReplyDays+f.ExtensionDays, loc)
	d.ReviewRequestBy = daysAfter(f.RepliedAt, p.ReviewRequestDays, loc)
	d.ReviewBy = daysAfter(f.ReviewRequestedAt, p.ReviewDays, loc)
	d.RereviewRequestBy = daysAfter(f.ReviewedAt, p.RereviewRequestDays, loc)
	d.RereviewBy = daysAfter(f.RereviewRequestedAt, p.RereviewDays, loc)
	return d
}

// daysAfter returns the date n days after the date of t in loc, or nil when t is nil.
func daysAfter(t *time.Time, n int, loc *time.Location) *civil.Date {
	if t == nil {
		return nil
	}
	d := civil.Of(*t, loc).AddDays(n)
	return &d
}

// Step names the office's step that is late.
type Step string

// The steps that can be overdue. The petitioner's windows (asking for review or re-review) are
// rights that lapse, not duties, and are never overdue.
const (
	StepAcceptance Step = "accept"   // deciding acceptance, past accept_by
	StepReply      Step = "reply"    // replying, past reply_by
	StepReview     Step = "review"   // giving the review opinion, past review_by
	StepRereview   Step = "rereview" // giving the re-review opinion, past rereview_by
)

// OverdueStep returns the step that is overdue at now, and false when none is: a submitted
// petition past accept_by, an accepted or assigned one past reply_by, a review_requested one
// past review_by, a rereview_requested one past rereview_by.
func OverdueStep(f Facts, now time.Time, loc *time.Location, p Params) (Step, bool) {
	step, due := PendingStep(f, loc, p)
	if due == nil || now.Before(*due) {
		return "", false
	}
	return step, true
}

// PendingStep returns the office's step that the petition waits for and the instant at which
// it becomes overdue (the end of its deadline day in loc), or nil when the petition waits for
// no office step. A petition is overdue exactly when now is at or after that instant, so a
// store may keep the instant beside the petition and find overdue petitions with an index.
func PendingStep(f Facts, loc *time.Location, p Params) (Step, *time.Time) {
	step, by := PendingDeadline(f, loc, p)
	if by == nil {
		return "", nil
	}
	end := by.End(loc)
	return step, &end
}

// PendingDeadline returns the office's step that the petition waits for and its deadline, the
// last day on which it is on time, or nil when the petition waits for no office step.
func PendingDeadline(f Facts, loc *time.Location, p Params) (Step, *civil.Date) {
	d := DeadlinesOf(f, loc, p)
	var step Step
	var by *civil.Date
	switch f.State {
	case Submitted:
		step, by = StepAcceptance, d.AcceptBy
	case Accepted, Assigned:
		step, by = StepReply, d.ReplyBy
	case ReviewRequested:
		step, by = StepReview, d.ReviewBy
	case RereviewRequested:
		step, by = StepRereview, d.RereviewBy
	default:
		return "", nil
	}
	if by == nil {
		return "", nil
	}
	return step, by
}

// DaysLeft is the number of calendar days in loc from the date of now to the deadline by: 0 on
// its last day, 3 three days before, negative once it has passed (-1 the day after).
func DaysLeft(by civil.Date, now time.Time, loc *time.Location) int {
	return civil.Of(now, loc).DaysUntil(by)
}

// SupervisionWindowDays is how close a deadline must be for the district petition office to
// see the petition among those to supervise (督办): overdue, or due within this many days.
const SupervisionWindowDays = 3

// Supervised reports whether a petition with the deadline by belongs on the district's
// supervision list at now: overdue, or its deadline at most SupervisionWindowDays away.
func Supervised(by civil.Date, now time.Time, loc *time.Location) bool {
	return DaysLeft(by, now, loc) <= SupervisionWindowDays
}

// SupervisionHorizon is the instant up to which a stored due_at (PendingStep's instant) puts a
// petition on the supervision list at now: the end of the day SupervisionWindowDays after
// today. due_at <= SupervisionHorizon exactly when Supervised holds for its deadline.
func SupervisionHorizon(now time.Time, loc *time.Location) time.Time {
	return civil.Of(now, loc).AddDays(SupervisionWindowDays).End(loc)
}

// AnsweredOnTime reports whether a supervision instruction to act by the date actBy was
// answered in time: before the end of that day in loc.
func AnsweredOnTime(actBy civil.Date, answeredAt time.Time, loc *time.Location) bool {
	return answeredAt.Before(actBy.End(loc))
}

// Overdue reports whether a step of the petition is past its deadline at now.
func Overdue(f Facts, now time.Time, loc *time.Location, p Params) bool {
	_, late := OverdueStep(f, now, loc, p)
	return late
}

// AcceptedOnTime reports whether the petition was accepted before the end of accept_by. A
// petition not accepted (yet, or ever) was not accepted on time.
func AcceptedOnTime(f Facts, loc *time.Location, p Params) bool {
	by := DeadlinesOf(f, loc, p).AcceptBy
	return f.AcceptedAt != nil && by != nil && f.AcceptedAt.Before(by.End(loc))
}

// RepliedOnTime reports whether the petition was replied to before the end of reply_by,
// extension included. A petition not replied to (yet, or ever) was not replied to on time.
func RepliedOnTime(f Facts, loc *time.Location, p Params) bool {
	by := DeadlinesOf(f, loc, p).ReplyBy
	return f.RepliedAt != nil && by != nil && f.RepliedAt.Before(by.End(loc))
}

// AutoCloseDue reports whether a replied petition closes by itself at now: it is still in
// state replied (so no review was requested) and both AutoCloseDays after the reply and its
// review-request window have passed. Once the petition is closed the answer is false, so the
// scheduled job may run as often as it likes.
func AutoCloseDue(f Facts, now time.Time, loc *time.Location, p Params) bool {
	at := AutoCloseAt(f, loc, p)
	return at != nil && !now.Before(*at)
}

// AutoCloseAt returns the instant from which a replied petition closes by itself, or nil when
// the petition is not in state replied: the end of the day AutoCloseDays after the reply, or
// of the last day of its review-request window when that is later.
func AutoCloseAt(f Facts, loc *time.Location, p Params) *time.Time {
	if f.State != Replied || f.RepliedAt == nil {
		return nil
	}
	days := max(p.AutoCloseDays, p.ReviewRequestDays)
	at := daysAfter(f.RepliedAt, days, loc).End(loc)
	return &at
}

// windowOpen reports whether now is before the end of day by; a missing deadline is closed.
func windowOpen(by *civil.Date, now time.Time, loc *time.Location) bool {
	return by != nil && now.Before(by.End(loc))
}
