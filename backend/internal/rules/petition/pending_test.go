package petition

import (
	"testing"
	"time"
)

// PendingStep's instant is where Overdue flips, so that a store can keep it and find overdue
// petitions with an index: one nanosecond before it the petition is on time, at it overdue.
func TestPendingStepIsWhereOverdueFlips(t *testing.T) {
	loc := shanghai(t)
	accepted := at(loc, 2026, 11, 3, 9, 0, 0)
	replied := at(loc, 2026, 12, 1, 9, 0, 0)
	requested := at(loc, 2026, 12, 5, 9, 0, 0)
	reviewed := at(loc, 2026, 12, 20, 9, 0, 0)
	rerequested := at(loc, 2026, 12, 28, 9, 0, 0)
	base := Facts{ReceivedOn: date(2026, 11, 1), AcceptedAt: &accepted, RepliedAt: &replied,
		ReviewRequestedAt: &requested, ReviewedAt: &reviewed, RereviewRequestedAt: &rerequested}
	cases := []struct {
		state State
		step  Step
		due   time.Time // zero: nothing pending
	}{
		{Submitted, StepAcceptance, at(loc, 2026, 11, 17, 0, 0, 0)},
		{Accepted, StepReply, at(loc, 2027, 1, 3, 0, 0, 0)},
		{Assigned, StepReply, at(loc, 2027, 1, 3, 0, 0, 0)},
		{ReviewRequested, StepReview, at(loc, 2027, 1, 5, 0, 0, 0)},
		{RereviewRequested, StepRereview, at(loc, 2027, 1, 28, 0, 0, 0)},
		{Replied, "", time.Time{}},
		{Reviewed, "", time.Time{}},
		{NotAccepted, "", time.Time{}},
		{Closed, "", time.Time{}},
		{Rereviewed, "", time.Time{}},
		{Withdrawn, "", time.Time{}},
	}
	for _, c := range cases {
		f := withState(base, c.state)
		step, due := PendingStep(f, loc, specParams)
		if c.due.IsZero() {
			if due != nil || step != "" {
				t.Errorf("%s: pending %s at %v, want nothing", c.state, step, due)
			}
			continue
		}
		if due == nil || !due.Equal(c.due) || step != c.step {
			t.Errorf("%s: pending %s at %v, want %s at %v", c.state, step, due, c.step, c.due)
			continue
		}
		if Overdue(f, due.Add(-time.Nanosecond), loc, specParams) || !Overdue(f, *due, loc, specParams) {
			t.Errorf("%s: Overdue does not flip at %v", c.state, due)
		}
	}
}

func TestAutoCloseAt(t *testing.T) {
	loc := shanghai(t)
	replied := at(loc, 2026, 11, 10, 15, 0, 0)
	f := Facts{State: Replied, ReceivedOn: date(2026, 10, 1), RepliedAt: &replied}
	got := AutoCloseAt(f, loc, specParams)
	if want := at(loc, 2026, 12, 11, 0, 0, 0); got == nil || !got.Equal(want) {
		t.Fatalf("AutoCloseAt = %v, want %v", got, want)
	}
	if AutoCloseDue(f, got.Add(-time.Nanosecond), loc, specParams) || !AutoCloseDue(f, *got, loc, specParams) {
		t.Error("AutoCloseDue does not flip at AutoCloseAt")
	}
	if AutoCloseAt(withState(f, ReviewRequested), loc, specParams) != nil {
		t.Error("a petition under review has an auto-close instant")
	}
}
