package petition

import (
	"slices"
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

// allowed is the transition table of the specification, written out row by row: action, state
// the petition is in, the actor's one relation, and the state it moves to.
type allowedRow struct {
	action Action
	from   State
	actor  ActorKind
	to     State
}

var allowed = []allowedRow{
	{Accept, Submitted, PetitionOfficer, Accepted},
	{Accept, Submitted, Admin, Accepted},
	{Reject, Submitted, PetitionOfficer, NotAccepted},
	{Reject, Submitted, Admin, NotAccepted},
	{Assign, Accepted, PetitionOfficer, Assigned},
	{Assign, Accepted, Admin, Assigned},
	{Assign, Assigned, PetitionOfficer, Assigned},
	{Assign, Assigned, Admin, Assigned},
	{Extend, Accepted, PetitionOfficer, Accepted},
	{Extend, Accepted, Admin, Accepted},
	{Extend, Assigned, PetitionOfficer, Assigned},
	{Extend, Assigned, Admin, Assigned},
	{Reply, Accepted, PetitionOfficer, Replied},
	{Reply, Accepted, Admin, Replied},
	{Reply, Assigned, Handler, Replied},
	{Feedback, Replied, Petitioner, Replied},
	{Feedback, Reviewed, Petitioner, Reviewed},
	{Feedback, Rereviewed, Petitioner, Rereviewed},
	{RequestReview, Replied, Petitioner, ReviewRequested},
	{Review, ReviewRequested, PetitionOfficer, Reviewed},
	{Review, ReviewRequested, Admin, Reviewed},
	{RequestRereview, Reviewed, Petitioner, RereviewRequested},
	{Rereview, RereviewRequested, PetitionOfficer, Rereviewed},
	{Rereview, RereviewRequested, Admin, Rereviewed},
	{Withdraw, Submitted, Petitioner, Withdrawn},
	{Withdraw, Accepted, Petitioner, Withdrawn},
	{Withdraw, Assigned, Petitioner, Withdrawn},
	{Withdraw, Replied, Petitioner, Withdrawn},
	{Withdraw, ReviewRequested, Petitioner, Withdrawn},
	{Withdraw, Reviewed, Petitioner, Withdrawn},
	{Withdraw, RereviewRequested, Petitioner, Withdrawn},
	{Transfer, Submitted, PetitionOfficer, Transferred}, // completeInput names an outside body
	{Transfer, Submitted, Admin, Transferred},
	{Close, Replied, System, Closed},
}

var actorKinds = []ActorKind{Petitioner, PetitionOfficer, Handler, Admin, System}

// completeInput fills every field of every action validly.
var completeInput = Input{
	Note: "材料齐全，予以受理", Reason: "需要实地核查", Guidance: "请向区人民法院提起诉讼",
	HandlerID: "7d3f0c1e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", Days: 30, Text: "经核查，补偿款已于本月拨付。",
	Rating: Satisfied, Opinion: "维持原答复意见", ToAgency: "县自然资源局",
}

// factsIn returns the events of a petition that reached state s, each step taken `age` before
// now, so that every deadline and window is still open when age is short.
func factsIn(s State, now time.Time, age time.Duration, loc *time.Location) Facts {
	step := now.Add(-age)
	f := Facts{State: s, ReceivedOn: civil.Of(step.Add(-time.Hour), loc)}
	reached := func(states ...State) bool { return slices.Contains(states, s) }
	if reached(Accepted, Assigned, Replied, Closed, ReviewRequested, Reviewed, RereviewRequested, Rereviewed) {
		f.AcceptedAt = ptr(step)
	}
	if reached(Replied, Closed, ReviewRequested, Reviewed, RereviewRequested, Rereviewed) {
		f.RepliedAt = ptr(step)
	}
	if reached(ReviewRequested, Reviewed, RereviewRequested, Rereviewed) {
		f.ReviewRequestedAt = ptr(step)
	}
	if reached(Reviewed, RereviewRequested, Rereviewed) {
		f.ReviewedAt = ptr(step)
	}
	if reached(RereviewRequested, Rereviewed) {
		f.RereviewRequestedAt = ptr(step)
	}
	if reached(Rereviewed) {
		f.RereviewedAt = ptr(step)
	}
	return f
}

// expectedRefusal states the order of the checks: final state, then actor, then state, then
// the actor in that state.
func expectedRefusal(action Action, s State, k ActorKind) string {
	if s == Rereviewed && action != Feedback {
		return CodeFinalState
	}
	kindEver, stateEver := false, false
	for _, row := range allowed {
		if row.action == action {
			kindEver = kindEver || row.actor == k
			stateEver = stateEver || row.from == s
		}
	}
	switch {
	case !kindEver:
		return CodeNotAllowed
	case action == Transfer && s == Transferred:
		return CodeAlreadyTransferred
	case !stateEver:
		return CodeInvalidState
	}
	return CodeNotAllowed
}

func TestDecideEveryActionStateAndActor(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	for _, action := range Actions() {
		age := 24 * time.Hour
		if action == Close { // the auto close waits for the review window to pass
			age = 40 * 24 * time.Hour
		}
		for _, s := range States() {
			for _, k := range actorKinds {
				f := factsIn(s, now, age, loc)
				next, r := Decide(action, completeInput, f, As(k), now, loc, specParams)
				i := slices.IndexFunc(allowed, func(row allowedRow) bool {
					return row.action == action && row.from == s && row.actor == k
				})
				if i >= 0 {
					if r != nil || next != allowed[i].to {
						t.Errorf("%s on %s by %s: got %s, %v; want %s", action, s, k, next, r, allowed[i].to)
					}
					continue
				}
				want := expectedRefusal(action, s, k)
				if r == nil || r.Code != want || r.Kind != Conflict || next != s {
					t.Errorf("%s on %s by %s: got %s, %+v; want refusal %s", action, s, k, next, r, want)
				}
			}
		}
	}
}

func TestDecideActorRelations(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	assigned := factsIn(Assigned, now, 24*time.Hour, loc)
	officerHandler := As(PetitionOfficer, Handler)
	cases := []struct {
		name   string
		action Action
		actor  Actor
		want   string // refusal code, or "" when allowed
	}{
		{"officer who is the handler replies", Reply, officerHandler, ""},
		{"officer who is the handler extends", Extend, officerHandler, ""},
		{"officer who is the handler re-assigns", Assign, officerHandler, ""},
		{"officer who is not the handler may not reply once assigned", Reply, As(PetitionOfficer), CodeNotAllowed},
		{"admin may not reply once assigned", Reply, As(Admin), CodeNotAllowed},
		{"handler may not extend", Extend, As(Handler), CodeNotAllowed},
		{"handler may not re-assign", Assign, As(Handler), CodeNotAllowed},
		{"no relation at all", Reply, Actor{}, CodeNotAllowed},
		{"a relation the action does not need is ignored", Withdraw, As(Petitioner, Handler), ""},
	}
	for _, c := range cases {
		_, r := Decide(c.action, completeInput, assigned, c.actor, now, loc, specParams)
		switch {
		case c.want == "" && r != nil:
			t.Errorf("%s: refused %v", c.name, r)
		case c.want != "" && (r == nil || r.Code != c.want):
			t.Errorf("%s: got %v, want %s", c.name, r, c.want)
		}
	}
}

func TestDecideUnknownActionAndState(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	_, r := Decide("approve", completeInput, factsIn(Submitted, now, time.Hour, loc), As(Admin), now, loc, specParams)
	if r == nil || r.Kind != Invalid || r.Code != CodeUnknownAction || r.Fields[0].Field != "action" {
		t.Errorf("unknown action: %+v", r)
	}
	f := factsIn(Submitted, now, time.Hour, loc)
	f.State = "lost"
	if next, r := Decide(Accept, completeInput, f, As(Admin), now, loc, specParams); r == nil || r.Code != CodeInvalidState || next != "lost" {
		t.Errorf("unknown state: %s, %+v", next, r)
	}
}

func TestDecideFieldErrors(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	with := func(change func(*Input)) Input {
		in := completeInput
		change(&in)
		return in
	}
	cases := []struct {
		name   string
		action Action
		state  State
		actor  ActorKind
		in     Input
		fields []string // field of each error, in order
		codes  []string
	}{
		{"reject without reason nor guidance", Reject, Submitted, PetitionOfficer,
			with(func(in *Input) { in.Reason, in.Guidance = "", " \n" }),
			[]string{"reason", "guidance"}, []string{CodeReasonRequired, CodeGuidanceRequired}},
		{"reject without guidance", Reject, Submitted, Admin,
			with(func(in *Input) { in.Guidance = "" }),
			[]string{"guidance"}, []string{CodeGuidanceRequired}},
		{"assign without handler", Assign, Accepted, PetitionOfficer,
			with(func(in *Input) { in.HandlerID = "" }),
			[]string{"handler_id"}, []string{CodeHandlerRequired}},
		{"extend of 31 days", Extend, Assigned, PetitionOfficer,
			with(func(in *Input) { in.Days = 31 }),
			[]string{"days"}, []string{CodeExtensionTooLong}},
		{"extend of 0 days and no reason", Extend, Accepted, PetitionOfficer,
			with(func(in *Input) { in.Days, in.Reason = 0, "" }),
			[]string{"days", "reason"}, []string{CodeInvalidDays, CodeReasonRequired}},
		{"extend of negative days", Extend, Accepted, Admin,
			with(func(in *Input) { in.Days = -3 }),
			[]string{"days"}, []string{CodeInvalidDays}},
		{"reply without text", Reply, Assigned, Handler,
			with(func(in *Input) { in.Text = "   " }),
			[]string{"text"}, []string{CodeTextRequired}},
		{"feedback without rating", Feedback, Replied, Petitioner,
			with(func(in *Input) { in.Rating = "" }),
			[]string{"rating"}, []string{CodeInvalidRating}},
		{"feedback with unknown rating", Feedback, Rereviewed, Petitioner,
			with(func(in *Input) { in.Rating = "very_satisfied" }),
			[]string{"rating"}, []string{CodeInvalidRating}},
		{"request review without reason", RequestReview, Replied, Petitioner,
			with(func(in *Input) { in.Reason = "" }),
			[]string{"reason"}, []string{CodeReasonRequired}},
		{"review without opinion", Review, ReviewRequested, PetitionOfficer,
			with(func(in *Input) { in.Opinion = "" }),
			[]string{"opinion"}, []string{CodeOpinionRequired}},
		{"request re-review without reason", RequestRereview, Reviewed, Petitioner,
			with(func(in *Input) { in.Reason = "" }),
			[]string{"reason"}, []string{CodeReasonRequired}},
		{"re-review without opinion", Rereview, RereviewRequested, Admin,
			with(func(in *Input) { in.Opinion = "" }),
			[]string{"opinion"}, []string{CodeOpinionRequired}},
		{"withdraw without reason", Withdraw, Assigned, Petitioner,
			with(func(in *Input) { in.Reason = "" }),
			[]string{"reason"}, []string{CodeReasonRequired}},
	}
	for _, c := range cases {
		f := factsIn(c.state, now, 24*time.Hour, loc)
		next, r := Decide(c.action, c.in, f, As(c.actor), now, loc, specParams)
		if r == nil || r.Kind != Invalid || next != c.state {
			t.Errorf("%s: got %s, %+v; want field errors", c.name, next, r)
			continue
		}
		var fields, codes []string
		for _, fe := range r.Fields {
			fields, codes = append(fields, fe.Field), append(codes, fe.Code)
			if fe.Message == "" {
				t.Errorf("%s: field %s has no message", c.name, fe.Field)
			}
		}
		if !slices.Equal(fields, c.fields) || !slices.Equal(codes, c.codes) || r.Code != c.codes[0] || r.Message != r.Fields[0].Message {
			t.Errorf("%s: got %v %v (code %s); want %v %v", c.name, fields, codes, r.Code, c.fields, c.codes)
		}
	}
	// Accepting needs no note.
	if _, r := Decide(Accept, Input{}, factsIn(Submitted, now, time.Hour, loc), As(PetitionOfficer), now, loc, specParams); r != nil {
		t.Errorf("accept without note refused: %v", r)
	}
}

func TestDecideConflictsComeBeforeFieldErrors(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	cases := []struct {
		name   string
		action Action
		f      Facts
		actor  ActorKind
		want   string
	}{
		{"late review request without reason", RequestReview, factsIn(Replied, now, 40*24*time.Hour, loc), Petitioner, CodeReviewWindowClosed},
		{"second extension of 31 days", Extend, func() Facts {
			f := factsIn(Assigned, now, 24*time.Hour, loc)
			f.ExtensionDays = 10
			return f
		}(), PetitionOfficer, CodeAlreadyExtended},
		{"re-review request on a re-reviewed petition, empty body", RequestRereview, factsIn(Rereviewed, now, time.Hour, loc), Petitioner, CodeFinalState},
		{"wrong state, empty body", Reply, factsIn(Submitted, now, time.Hour, loc), PetitionOfficer, CodeInvalidState},
	}
	for _, c := range cases {
		_, r := Decide(c.action, Input{Days: 31}, c.f, As(c.actor), now, loc, specParams)
		if r == nil || r.Kind != Conflict || r.Code != c.want || r.Message == "" {
			t.Errorf("%s: got %+v, want conflict %s", c.name, r, c.want)
		}
	}
}

func TestRefusalIsAnError(t *testing.T) {
	var err error = &Refusal{Kind: Conflict, Code: CodeFinalState, Message: "final"}
	if err.Error() != "final" {
		t.Errorf("Error() = %q", err.Error())
	}
}
