package petition

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	townHere  = "00000000-0000-7000-8000-0000000000a1"
	townThere = "00000000-0000-7000-8000-0000000000b2"
)

// Transfer (转送, §7): within the acceptance window, to another township of the district (it
// stays submitted there) or to an outside body of the setting (transferred, final); once.
func TestDecideTransfer(t *testing.T) {
	loc := shanghai(t)
	received := date(2026, 11, 1) // accept_by 2026-11-16
	submitted := Facts{State: Submitted, TownshipID: townHere, ReceivedOn: received}
	toTown := Input{ToTownshipID: townThere, Reason: "事发地在乙镇"}
	toAgency := Input{ToAgency: "县自然资源局", Reason: "属于自然资源部门职责"}
	transferredHere := submitted
	transferredHere.TransferredOn = ptr(date(2026, 11, 10))
	accepted := submitted
	accepted.State, accepted.AcceptedAt = Accepted, ptr(at(loc, 2026, 11, 3, 9, 0, 0))
	cases := []struct {
		name  string
		f     Facts
		in    Input
		actor ActorKind
		now   time.Time
		next  State  // when allowed
		code  string // refusal, or "" when allowed
	}{
		{"to another township on day 1", submitted, toTown, PetitionOfficer, at(loc, 2026, 11, 1, 9, 0, 0), Submitted, ""},
		{"to an outside body by an admin", submitted, toAgency, Admin, at(loc, 2026, 11, 5, 9, 0, 0), Transferred, ""},
		{"on day 15 at 23:59:59", submitted, toAgency, PetitionOfficer, at(loc, 2026, 11, 16, 23, 59, 59), Transferred, ""},
		{"on day 16 at 00:00", submitted, toAgency, PetitionOfficer, at(loc, 2026, 11, 17, 0, 0, 0), "", CodeAcceptWindowClosed},
		{"after acceptance", accepted, toTown, PetitionOfficer, at(loc, 2026, 11, 4, 9, 0, 0), "", CodeInvalidState},
		{"a second transfer, to a township", transferredHere, Input{ToTownshipID: "00000000-0000-7000-8000-0000000000c3", Reason: "再转"}, PetitionOfficer, at(loc, 2026, 11, 11, 9, 0, 0), "", CodeAlreadyTransferred},
		{"a second transfer, to an outside body", transferredHere, toAgency, Admin, at(loc, 2026, 11, 11, 9, 0, 0), "", CodeAlreadyTransferred},
		{"a petition transferred out", func() Facts { f := submitted; f.State = Transferred; return f }(), toAgency, Admin, at(loc, 2026, 11, 4, 9, 0, 0), "", CodeAlreadyTransferred},
		{"a second transfer, already late and with an empty body", transferredHere, Input{}, PetitionOfficer, at(loc, 2026, 12, 30, 9, 0, 0), "", CodeAlreadyTransferred},
		{"a late transfer with an empty body", submitted, Input{}, PetitionOfficer, at(loc, 2026, 11, 20, 9, 0, 0), "", CodeAcceptWindowClosed},
		{"by the handler", submitted, toTown, Handler, at(loc, 2026, 11, 2, 9, 0, 0), "", CodeNotAllowed},
		{"by the petitioner", submitted, toTown, Petitioner, at(loc, 2026, 11, 2, 9, 0, 0), "", CodeNotAllowed},
		{"by the petitioner, transferred already", transferredHere, toTown, Petitioner, at(loc, 2026, 11, 11, 9, 0, 0), "", CodeNotAllowed},
		{"a re-reviewed petition", func() Facts { f := factsIn(Rereviewed, at(loc, 2026, 11, 25, 9, 0, 0), time.Hour, loc); return f }(), toAgency, Admin, at(loc, 2026, 11, 25, 9, 0, 0), "", CodeFinalState},
	}
	for _, c := range cases {
		next, r := Decide(Transfer, c.in, c.f, As(c.actor), c.now, loc, specParams)
		switch {
		case c.code == "" && (r != nil || next != c.next):
			t.Errorf("%s: got %s, %+v; want %s", c.name, next, r, c.next)
		case c.code != "" && (r == nil || r.Code != c.code || r.Kind != Conflict || next != c.f.State || r.Message == ""):
			t.Errorf("%s: got %s, %+v; want refusal %s", c.name, next, r, c.code)
		}
	}
}

func TestDecideTransferFields(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 3, 9, 0, 0)
	f := Facts{State: Submitted, TownshipID: townHere, ReceivedOn: date(2026, 11, 1)}
	cases := []struct {
		name          string
		in            Input
		fields, codes []string
	}{
		{"nowhere and no reason", Input{}, []string{"to_township_id", "reason"}, []string{CodeTransferTo, CodeReasonRequired}},
		{"both a township and a body", Input{ToTownshipID: townThere, ToAgency: "县公安局", Reason: "x"}, []string{"to_township_id"}, []string{CodeTransferTo}},
		{"the same township", Input{ToTownshipID: townHere, Reason: "x"}, []string{"to_township_id"}, []string{CodeSameTownship}},
		{"a body not in the list", Input{ToAgency: "县教育局", Reason: "x"}, []string{"to_agency"}, []string{CodeUnknownAgency}},
		{"a body in other letters", Input{ToAgency: "自然资源局", Reason: "x"}, []string{"to_agency"}, []string{CodeUnknownAgency}},
		{"blank names and reason", Input{ToTownshipID: " ", ToAgency: "\t", Reason: " "}, []string{"to_township_id", "reason"}, []string{CodeTransferTo, CodeReasonRequired}},
		{"no reason", Input{ToAgency: "县人社局"}, []string{"reason"}, []string{CodeReasonRequired}},
	}
	for _, c := range cases {
		next, r := Decide(Transfer, c.in, f, As(PetitionOfficer), now, loc, specParams)
		if r == nil || r.Kind != Invalid || next != Submitted {
			t.Errorf("%s: got %s, %+v; want field errors", c.name, next, r)
			continue
		}
		var fields, codes []string
		for _, fe := range r.Fields {
			fields, codes = append(fields, fe.Field), append(codes, fe.Code)
		}
		if !slices.Equal(fields, c.fields) || !slices.Equal(codes, c.codes) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, fields, codes, c.fields, c.codes)
		}
	}
	// No list of bodies in force: no body is known.
	noBodies := specParams
	noBodies.Agencies = nil
	if _, r := Decide(Transfer, Input{ToAgency: "县公安局", Reason: "x"}, f, As(Admin), now, loc, noBodies); r == nil || r.Fields[0].Code != CodeUnknownAgency {
		t.Errorf("transfer with no bodies in force: %+v", r)
	}
}

// The receiving township's 15 days run from the transfer (§7): acceptance is judged on them.
func TestDeadlinesAfterTransfer(t *testing.T) {
	loc := shanghai(t)
	f := Facts{State: Submitted, TownshipID: townThere, ReceivedOn: date(2026, 11, 1), TransferredOn: ptr(date(2026, 11, 10))}
	if got := DeadlinesOf(f, loc, specParams).AcceptBy; got == nil || got.String() != "2026-11-25" {
		t.Fatalf("accept_by after a transfer on 10 November: %v, want 2026-11-25", got)
	}
	if step, due := PendingStep(f, loc, specParams); step != StepAcceptance || due == nil || !due.Equal(at(loc, 2026, 11, 26, 0, 0, 0)) {
		t.Errorf("pending %s at %v", step, due)
	}
	if Overdue(f, at(loc, 2026, 11, 25, 23, 59, 59), loc, specParams) || !Overdue(f, at(loc, 2026, 11, 26, 0, 0, 0), loc, specParams) {
		t.Error("overdue does not flip at the end of the receiving township's 15th day")
	}
	// Accepted on 20 November: late for the first township's window, on time for this one.
	f.State, f.AcceptedAt = Accepted, ptr(at(loc, 2026, 11, 20, 9, 0, 0))
	if !AcceptedOnTime(f, loc, specParams) {
		t.Error("acceptance within the receiving township's window is not on time")
	}
	f.AcceptedAt = ptr(at(loc, 2026, 11, 26, 0, 0, 0))
	if AcceptedOnTime(f, loc, specParams) {
		t.Error("acceptance on day 16 after the transfer is on time")
	}
	if got := DeadlinesOf(f, loc, specParams).ReplyBy.String(); got != "2027-01-25" {
		t.Errorf("reply_by %s, want 60 days after the acceptance", got)
	}
}

// Supervision (督办, §7): overdue or a deadline within 3 days, with the days left.
func TestSupervisionWindow(t *testing.T) {
	loc := shanghai(t)
	by := date(2026, 11, 16)
	cases := []struct {
		now        time.Time
		days       int
		supervised bool
	}{
		{at(loc, 2026, 11, 12, 23, 59, 59), 4, false},
		{at(loc, 2026, 11, 13, 0, 0, 0), 3, true},
		{time.Date(2026, 11, 12, 16, 0, 0, 0, time.UTC), 3, true}, // 13 November 00:00 in Shanghai
		{at(loc, 2026, 11, 16, 23, 59, 59), 0, true},
		{at(loc, 2026, 11, 17, 0, 0, 0), -1, true},
		{at(loc, 2027, 1, 1, 12, 0, 0), -46, true},
	}
	due := by.End(loc) // the due_at a store keeps
	for _, c := range cases {
		if got := DaysLeft(by, c.now, loc); got != c.days {
			t.Errorf("days left at %v: %d, want %d", c.now, got, c.days)
		}
		if got := Supervised(by, c.now, loc); got != c.supervised {
			t.Errorf("supervised at %v: %v, want %v", c.now, got, c.supervised)
		}
		if got := !due.After(SupervisionHorizon(c.now, loc)); got != c.supervised {
			t.Errorf("due_at <= horizon at %v: %v, want %v", c.now, got, c.supervised)
		}
	}
	// The horizon agrees with Supervised at every hour of a month around the deadline.
	for now := at(loc, 2026, 11, 1, 0, 30, 0); now.Before(at(loc, 2026, 12, 1, 0, 0, 0)); now = now.Add(time.Hour) {
		if Supervised(by, now, loc) != !due.After(SupervisionHorizon(now, loc)) {
			t.Fatalf("horizon and Supervised disagree at %v", now)
		}
	}
}

func TestAnsweredOnTime(t *testing.T) {
	loc := shanghai(t)
	actBy := date(2026, 11, 20)
	if !AnsweredOnTime(actBy, at(loc, 2026, 11, 20, 23, 59, 59), loc) {
		t.Error("an answer on the act-by day is late")
	}
	if AnsweredOnTime(actBy, at(loc, 2026, 11, 21, 0, 0, 0), loc) {
		t.Error("an answer the day after is on time")
	}
	if AnsweredOnTime(actBy, time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC), loc) {
		t.Error("16:00 UTC on 20 November is 21 November in Shanghai: late")
	}
}

func TestPendingDeadline(t *testing.T) {
	loc := shanghai(t)
	f := Facts{State: Accepted, ReceivedOn: date(2026, 11, 1), AcceptedAt: ptr(at(loc, 2026, 11, 3, 9, 0, 0))}
	if step, by := PendingDeadline(f, loc, specParams); step != StepReply || by == nil || by.String() != "2027-01-02" {
		t.Errorf("pending %s by %v", step, by)
	}
	f.State = Transferred
	if step, by := PendingDeadline(f, loc, specParams); step != "" || by != nil {
		t.Errorf("a transferred petition waits for %s by %v", step, by)
	}
}

// Every text an action takes is printed on its notice, and bounded.
func TestDecideTextsAreBounded(t *testing.T) {
	loc := shanghai(t)
	now := at(loc, 2026, 11, 25, 10, 0, 0)
	long := strings.Repeat("长", MaxTextLength+1)
	exact := strings.Repeat("长", MaxTextLength)
	cases := []struct {
		action Action
		state  State
		actor  ActorKind
		in     Input
		field  string
	}{
		{Accept, Submitted, PetitionOfficer, Input{Note: long}, "note"},
		{Reject, Submitted, PetitionOfficer, Input{Reason: long, Guidance: "x"}, "reason"},
		{Reject, Submitted, PetitionOfficer, Input{Reason: "x", Guidance: long}, "guidance"},
		{Reply, Accepted, PetitionOfficer, Input{Text: long}, "text"},
		{Review, ReviewRequested, Admin, Input{Opinion: long}, "opinion"},
		{Transfer, Submitted, Admin, Input{ToAgency: "县公安局", Reason: long}, "reason"},
	}
	for _, c := range cases {
		f := factsIn(c.state, now, time.Hour, loc)
		_, r := Decide(c.action, c.in, f, As(c.actor), now, loc, specParams)
		if r == nil || r.Kind != Invalid || r.Fields[0].Field != c.field || r.Fields[0].Code != CodeTextTooLong {
			t.Errorf("%s with %d characters of %s: %+v", c.action, MaxTextLength+1, c.field, r)
		}
	}
	if _, r := Decide(Reply, Input{Text: exact}, factsIn(Accepted, now, time.Hour, loc), As(Admin), now, loc, specParams); r != nil {
		t.Errorf("a reply of exactly %d characters: %v", MaxTextLength, r)
	}
}
