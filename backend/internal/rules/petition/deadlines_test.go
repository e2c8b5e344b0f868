package petition

import (
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

func dateOrNil(d *civil.Date) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

func TestDeadlinesApplyOnceTheirEventHappened(t *testing.T) {
	loc := shanghai(t)
	f := Facts{State: Submitted, ReceivedOn: date(2026, 11, 1)}
	check := func(name string, f Facts, want [6]string) {
		t.Helper()
		d := DeadlinesOf(f, loc, specParams)
		got := [6]string{dateOrNil(d.AcceptBy), dateOrNil(d.ReplyBy), dateOrNil(d.ReviewRequestBy),
			dateOrNil(d.ReviewBy), dateOrNil(d.RereviewRequestBy), dateOrNil(d.RereviewBy)}
		if got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("submitted", f, [6]string{"2026-11-16", "-", "-", "-", "-", "-"})

	f.State, f.AcceptedAt = Accepted, ptr(at(loc, 2026, 11, 3, 9, 0, 0))
	check("accepted", f, [6]string{"2026-11-16", "2027-01-02", "-", "-", "-", "-"})

	f.State, f.ExtensionDays = Assigned, 30
	check("assigned and extended", f, [6]string{"2026-11-16", "2027-02-01", "-", "-", "-", "-"})

	f.State, f.RepliedAt = Replied, ptr(at(loc, 2027, 1, 20, 16, 0, 0))
	check("replied", f, [6]string{"2026-11-16", "2027-02-01", "2027-02-19", "-", "-", "-"})

	f.State, f.ReviewRequestedAt = ReviewRequested, ptr(at(loc, 2027, 2, 1, 8, 0, 0))
	f.ReviewedAt = ptr(at(loc, 2027, 2, 28, 17, 0, 0))
	f.RereviewRequestedAt = ptr(at(loc, 2027, 3, 10, 10, 0, 0))
	f.RereviewedAt = ptr(at(loc, 2027, 4, 1, 10, 0, 0))
	f.State = Rereviewed
	check("re-reviewed", f, [6]string{"2026-11-16", "2027-02-01", "2027-02-19", "2027-03-03", "2027-03-30", "2027-04-09"})

	check("no receipt date", Facts{State: Submitted}, [6]string{"-", "-", "-", "-", "-", "-"})
}

func TestDeadlinesUseTheDistrictsDateOfUTCInstants(t *testing.T) {
	loc := shanghai(t)
	// 16:30 UTC on 24 November is 00:30 on 25 November in Shanghai.
	f := Facts{State: Accepted, ReceivedOn: date(2026, 11, 20), AcceptedAt: ptr(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC))}
	if got := DeadlinesOf(f, loc, specParams).ReplyBy.String(); got != "2027-01-24" {
		t.Errorf("reply_by = %s, want 2027-01-24 (60 days after 25 November)", got)
	}
	// 15:59 UTC on 24 November is still 24 November in Shanghai.
	f.AcceptedAt = ptr(time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC))
	if got := DeadlinesOf(f, loc, specParams).ReplyBy.String(); got != "2027-01-23" {
		t.Errorf("reply_by = %s, want 2027-01-23", got)
	}
}

func TestOverdueBoundaries(t *testing.T) {
	loc := shanghai(t)
	received := date(2026, 11, 1)
	accepted := at(loc, 2026, 11, 2, 9, 30, 0)          // reply_by 2027-01-01
	reviewRequested := at(loc, 2027, 2, 3, 11, 0, 0)    // review_by 2027-03-05
	rereviewRequested := at(loc, 2027, 4, 2, 15, 45, 0) // rereview_by 2027-05-02
	cases := []struct {
		name string
		f    Facts
		now  time.Time
		step Step // "" when not overdue
	}{
		{"day 15 at 23:59:59, acceptance", Facts{State: Submitted, ReceivedOn: received}, at(loc, 2026, 11, 16, 23, 59, 59), ""},
		{"day 16 at 00:00, acceptance", Facts{State: Submitted, ReceivedOn: received}, at(loc, 2026, 11, 17, 0, 0, 0), StepAcceptance},
		{"day 16 at 00:00 given in UTC", Facts{State: Submitted, ReceivedOn: received}, time.Date(2026, 11, 16, 16, 0, 0, 0, time.UTC), StepAcceptance},
		{"day 15 at 23:59 given in UTC", Facts{State: Submitted, ReceivedOn: received}, time.Date(2026, 11, 16, 15, 59, 0, 0, time.UTC), ""},
		{"day 60 at 23:59, reply", Facts{State: Accepted, ReceivedOn: received, AcceptedAt: &accepted}, at(loc, 2027, 1, 1, 23, 59, 0), ""},
		{"day 61 at 00:00, reply", Facts{State: Accepted, ReceivedOn: received, AcceptedAt: &accepted}, at(loc, 2027, 1, 2, 0, 0, 0), StepReply},
		{"day 61 at 00:00, assigned", Facts{State: Assigned, ReceivedOn: received, AcceptedAt: &accepted}, at(loc, 2027, 1, 2, 0, 0, 0), StepReply},
		{"day 61 with a 30-day extension", Facts{State: Assigned, ReceivedOn: received, AcceptedAt: &accepted, ExtensionDays: 30}, at(loc, 2027, 1, 2, 0, 0, 0), ""},
		{"day 90 at 23:59 with a 30-day extension", Facts{State: Assigned, ReceivedOn: received, AcceptedAt: &accepted, ExtensionDays: 30}, at(loc, 2027, 1, 31, 23, 59, 0), ""},
		{"day 91 at 00:00 with a 30-day extension", Facts{State: Assigned, ReceivedOn: received, AcceptedAt: &accepted, ExtensionDays: 30}, at(loc, 2027, 2, 1, 0, 0, 0), StepReply},
		{"review day 30 at 23:59", Facts{State: ReviewRequested, ReceivedOn: received, ReviewRequestedAt: &reviewRequested}, at(loc, 2027, 3, 5, 23, 59, 0), ""},
		{"review day 31 at 00:00", Facts{State: ReviewRequested, ReceivedOn: received, ReviewRequestedAt: &reviewRequested}, at(loc, 2027, 3, 6, 0, 0, 0), StepReview},
		{"re-review day 30 at 23:59", Facts{State: RereviewRequested, ReceivedOn: received, RereviewRequestedAt: &rereviewRequested}, at(loc, 2027, 5, 2, 23, 59, 0), ""},
		{"re-review day 31 at 00:00", Facts{State: RereviewRequested, ReceivedOn: received, RereviewRequestedAt: &rereviewRequested}, at(loc, 2027, 5, 3, 0, 0, 0), StepRereview},
		{"re-review day 31 at 00:00 given in UTC", Facts{State: RereviewRequested, ReceivedOn: received, RereviewRequestedAt: &rereviewRequested}, time.Date(2027, 5, 2, 16, 0, 0, 0, time.UTC), StepRereview},
	}
	for _, c := range cases {
		step, late := OverdueStep(c.f, c.now, loc, specParams)
		if step != c.step || late != (c.step != "") || Overdue(c.f, c.now, loc, specParams) != late {
			t.Errorf("%s: got %q, %v; want %q", c.name, step, late, c.step)
		}
	}
}

func TestOverdueOnlyForTheOfficesOpenSteps(t *testing.T) {
	loc := shanghai(t)
	long := 2 * 365 * 24 * time.Hour
	now := at(loc, 2028, 6, 1, 12, 0, 0)
	want := map[State]Step{
		Submitted: StepAcceptance, Accepted: StepReply, Assigned: StepReply,
		ReviewRequested: StepReview, RereviewRequested: StepRereview,
	}
	for _, s := range States() {
		f := factsIn(s, now, long, loc)
		step, late := OverdueStep(f, now, loc, specParams)
		if step != want[s] || late != (want[s] != "") {
			t.Errorf("%s two years on: got %q, %v; want %q", s, step, late, want[s])
		}
	}
}

func TestOnTimeInHindsight(t *testing.T) {
	loc := shanghai(t)
	f := Facts{State: Replied, ReceivedOn: date(2026, 11, 1)}
	if AcceptedOnTime(f, loc, specParams) || RepliedOnTime(f, loc, specParams) {
		t.Error("a petition with no acceptance nor reply counts as on time")
	}
	cases := []struct {
		name     string
		accepted time.Time
		replied  time.Time
		ext      int
		acceptOK bool
		replyOK  bool
	}{
		{"both on the last minute", at(loc, 2026, 11, 16, 23, 59, 59), at(loc, 2027, 1, 15, 23, 59, 59), 0, true, true},
		{"both a second late", at(loc, 2026, 11, 17, 0, 0, 0), at(loc, 2027, 1, 17, 0, 0, 0), 0, false, false},
		{"late reply saved by the extension", at(loc, 2026, 11, 16, 12, 0, 0), at(loc, 2027, 2, 14, 23, 59, 0), 30, true, true},
		{"late even with the extension", at(loc, 2026, 11, 16, 12, 0, 0), at(loc, 2027, 2, 15, 0, 0, 0), 30, true, false},
		{"accepted at 23:30 UTC on day 15, which is day 16 in Shanghai", time.Date(2026, 11, 16, 23, 30, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 0, false, true},
		{"accepted at 15:30 UTC on day 15, 23:30 in Shanghai", time.Date(2026, 11, 16, 15, 30, 0, 0, time.UTC), time.Date(2027, 1, 15, 15, 59, 59, 0, time.UTC), 0, true, true},
	}
	for _, c := range cases {
		f := Facts{State: Replied, ReceivedOn: date(2026, 11, 1), AcceptedAt: ptr(c.accepted), RepliedAt: ptr(c.replied), ExtensionDays: c.ext}
		if got := AcceptedOnTime(f, loc, specParams); got != c.acceptOK {
			t.Errorf("%s: AcceptedOnTime = %v", c.name, got)
		}
		if got := RepliedOnTime(f, loc, specParams); got != c.replyOK {
			t.Errorf("%s: RepliedOnTime = %v", c.name, got)
		}
	}
}

func TestWindowsForThePetitioner(t *testing.T) {
	loc := shanghai(t)
	replied := at(loc, 2026, 11, 10, 15, 0, 0) // review_request_by 2026-12-10
	reviewed := at(loc, 2027, 1, 5, 10, 0, 0)  // rereview_request_by 2027-02-04
	in := Input{Reason: "答复未解决实际问题"}
	repliedFacts := Facts{State: Replied, ReceivedOn: date(2026, 10, 1), AcceptedAt: ptr(at(loc, 2026, 10, 2, 9, 0, 0)), RepliedAt: &replied}
	reviewedFacts := repliedFacts
	reviewedFacts.State, reviewedFacts.ReviewRequestedAt, reviewedFacts.ReviewedAt = Reviewed, ptr(at(loc, 2026, 11, 20, 9, 0, 0)), &reviewed
	cases := []struct {
		name   string
		action Action
		f      Facts
		now    time.Time
		next   State
		code   string
	}{
		{"review request on day 30 at 23:59", RequestReview, repliedFacts, at(loc, 2026, 12, 10, 23, 59, 0), ReviewRequested, ""},
		{"review request on day 31 at 00:00", RequestReview, repliedFacts, at(loc, 2026, 12, 11, 0, 0, 0), Replied, CodeReviewWindowClosed},
		{"review request at 16:00 UTC on day 30, which is day 31 in Shanghai", RequestReview, repliedFacts, time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC), Replied, CodeReviewWindowClosed},
		{"review request at 15:59 UTC on day 30", RequestReview, repliedFacts, time.Date(2026, 12, 10, 15, 59, 0, 0, time.UTC), ReviewRequested, ""},
		{"re-review request on day 30 at 23:59", RequestRereview, reviewedFacts, at(loc, 2027, 2, 4, 23, 59, 0), RereviewRequested, ""},
		{"re-review request on day 31 at 00:00", RequestRereview, reviewedFacts, at(loc, 2027, 2, 5, 0, 0, 0), Reviewed, CodeRereviewWindowClosed},
		{"feedback after the window is still taken", Feedback, reviewedFacts, at(loc, 2027, 6, 1, 0, 0, 0), Reviewed, ""},
		{"withdrawal after the window is still taken", Withdraw, reviewedFacts, at(loc, 2027, 6, 1, 0, 0, 0), Withdrawn, ""},
	}
	for _, c := range cases {
		in := in
		in.Rating = Dissatisfied
		next, r := Decide(c.action, in, c.f, As(Petitioner), c.now, loc, specParams)
		code := ""
		if r != nil {
			code = r.Code
		}
		if next != c.next || code != c.code {
			t.Errorf("%s: got %s, %q; want %s, %q", c.name, next, code, c.next, c.code)
		}
	}
}

func TestExtension(t *testing.T) {
	loc := shanghai(t)
	accepted := at(loc, 2026, 11, 2, 9, 30, 0) // reply_by 2027-01-01
	base := Facts{State: Assigned, ReceivedOn: date(2026, 11, 1), AcceptedAt: &accepted}
	extended := base
	extended.ExtensionDays = 5
	onTime := at(loc, 2026, 12, 20, 10, 0, 0)
	cases := []struct {
		name string
		f    Facts
		days int
		now  time.Time
		code string
	}{
		{"30 days", base, 30, onTime, ""},
		{"1 day", base, 1, onTime, ""},
		{"31 days", base, 31, onTime, CodeExtensionTooLong},
		{"0 days", base, 0, onTime, CodeInvalidDays},
		{"a second extension", extended, 10, onTime, CodeAlreadyExtended},
		{"on the reply_by day at 23:59:59", base, 30, at(loc, 2027, 1, 1, 23, 59, 59), ""},
		{"the day after reply_by at 00:00", base, 30, at(loc, 2027, 1, 2, 0, 0, 0), CodeDeadlinePassed},
		{"the day after reply_by at 00:00, given in UTC", base, 30, time.Date(2027, 1, 1, 16, 0, 0, 0, time.UTC), CodeDeadlinePassed},
	}
	for _, c := range cases {
		next, r := Decide(Extend, Input{Days: c.days, Reason: "需会同国土部门现场测量"}, c.f, As(PetitionOfficer), c.now, loc, specParams)
		code := ""
		if r != nil {
			code = r.Code
		}
		if code != c.code || next != Assigned {
			t.Errorf("%s: got %s, %q; want %q", c.name, next, code, c.code)
		}
	}
	// The limit is the setting, not a constant of the package.
	wider := specParams
	wider.MaxExtensionDays = 45
	if _, r := Decide(Extend, Input{Days: 45, Reason: "需会同国土部门现场测量"}, base, As(Admin), onTime, loc, wider); r != nil {
		t.Errorf("45 days with a 45-day limit: %v", r)
	}
}

func TestAutoClose(t *testing.T) {
	loc := shanghai(t)
	replied := at(loc, 2026, 11, 10, 15, 0, 0) // review_request_by 2026-12-10
	f := Facts{State: Replied, ReceivedOn: date(2026, 10, 1), AcceptedAt: ptr(at(loc, 2026, 10, 2, 9, 0, 0)), RepliedAt: &replied}
	lastMinute := at(loc, 2026, 12, 10, 23, 59, 59)
	nextDay := at(loc, 2026, 12, 11, 0, 0, 0)

	longer := specParams
	longer.AutoCloseDays = 45 // closes 45 days after the reply
	shorter := specParams
	shorter.AutoCloseDays = 10 // would cut the petitioner's 30-day window short; the window wins

	cases := []struct {
		name string
		f    Facts
		now  time.Time
		p    Params
		want bool
	}{
		{"last minute of the review window", f, lastMinute, specParams, false},
		{"first minute after the review window", f, nextDay, specParams, true},
		{"the same given in UTC", f, time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC), specParams, true},
		{"months later", f, at(loc, 2027, 5, 1, 0, 0, 0), specParams, true},
		{"a longer auto-close setting waits", f, nextDay, longer, false},
		{"a longer auto-close setting, on its day", f, at(loc, 2026, 12, 26, 0, 0, 0), longer, true},
		{"a shorter auto-close setting waits for the review window", f, at(loc, 2026, 11, 25, 0, 0, 0), shorter, false},
		{"already closed", withState(f, Closed), nextDay, specParams, false},
		{"review requested", withState(f, ReviewRequested), nextDay, specParams, false},
		{"reviewed", withState(f, Reviewed), nextDay, specParams, false},
	}
	for _, c := range cases {
		if got := AutoCloseDue(c.f, c.now, loc, c.p); got != c.want {
			t.Errorf("%s: AutoCloseDue = %v", c.name, got)
		}
		next, r := Decide(Close, Input{}, c.f, As(System), c.now, loc, c.p)
		if c.want && (r != nil || next != Closed) {
			t.Errorf("%s: close refused: %v", c.name, r)
		}
		if !c.want && r == nil {
			t.Errorf("%s: close allowed", c.name)
		}
	}
	if _, r := Decide(Close, Input{}, f, As(System), lastMinute, loc, specParams); r == nil || r.Code != CodeCloseNotDue {
		t.Errorf("early close: %v", r)
	}
}

func withState(f Facts, s State) Facts {
	f.State = s
	return f
}

func TestLateOfficeStepsAreTaken(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2028, 1, 1, 10, 0, 0)
	long := 365 * 24 * time.Hour
	cases := []struct {
		action Action
		state  State
		actor  ActorKind
		next   State
	}{
		{Accept, Submitted, PetitionOfficer, Accepted},
		{Reject, Submitted, PetitionOfficer, NotAccepted},
		{Assign, Accepted, PetitionOfficer, Assigned},
		{Reply, Assigned, Handler, Replied},
		{Review, ReviewRequested, PetitionOfficer, Reviewed},
		{Rereview, RereviewRequested, Admin, Rereviewed},
	}
	for _, c := range cases {
		f := factsIn(c.state, now, long, loc)
		if !Overdue(f, now, loc, specParams) {
			t.Errorf("%s: petition is not overdue; the case proves nothing", c.action)
		}
		if next, r := Decide(c.action, completeInput, f, As(c.actor), now, loc, specParams); r != nil || next != c.next {
			t.Errorf("%s a year late: got %s, %v", c.action, next, r)
		}
	}
}
