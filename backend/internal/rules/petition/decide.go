package petition

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"minxin/backend/internal/civil"
)

// RefusalKind tells the HTTP layer how to answer a refusal.
type RefusalKind int

// The kinds of refusal.
const (
	// Conflict: the petition's state, the actor or the calendar forbids the action; nothing in
	// the request body can change that (HTTP 409).
	Conflict RefusalKind = iota + 1
	// Invalid: a field of the request is missing or out of range (HTTP 422 with field errors).
	Invalid
)

// The refusal codes, stable for clients.
const (
	// Conflicts.
	CodeFinalState           = "final_state"            // the petition was re-reviewed; nothing more can be asked
	CodeNotAllowed           = "not_allowed"            // this actor may not take this action here
	CodeInvalidState         = "invalid_state"          // the action does not apply in the current state
	CodeAlreadyExtended      = "already_extended"       // the one extension was granted already
	CodeDeadlinePassed       = "deadline_passed"        // the reply deadline passed; it can no longer be extended
	CodeReviewWindowClosed   = "review_window_closed"   // too late to ask for review
	CodeRereviewWindowClosed = "rereview_window_closed" // too late to ask for re-review
	CodeCloseNotDue          = "close_not_due"          // the petition does not close by itself yet
	CodeAlreadyTransferred   = "already_transferred"    // the petition was transferred once already
	CodeAcceptWindowClosed   = "accept_window_closed"   // the acceptance window, within which a petition may be transferred, has passed

	// Field errors.
	CodeUnknownAction    = "unknown_action"       // field "action"
	CodeReasonRequired   = "reason_required"      // field "reason"
	CodeGuidanceRequired = "guidance_required"    // field "guidance"
	CodeHandlerRequired  = "handler_required"     // field "handler_id"
	CodeTextRequired     = "text_required"        // field "text"
	CodeOpinionRequired  = "opinion_required"     // field "opinion"
	CodeInvalidRating    = "invalid_rating"       // field "rating"
	CodeInvalidDays      = "invalid_days"         // field "days": less than one day
	CodeExtensionTooLong = "extension_too_long"   // field "days": more than MaxExtensionDays
	CodeTransferTo       = "transfer_to_required" // field "to_township_id": neither or both of to_township_id and to_agency
	CodeSameTownship     = "same_township"        // field "to_township_id": the township that holds the petition
	CodeUnknownAgency    = "unknown_agency"       // field "to_agency": not one of Params.Agencies
	CodeTextTooLong      = "text_too_long"        // any text of the body: more than MaxTextLength characters
)

// MaxTextLength bounds, in characters, every text an action takes (note, reason, guidance,
// text, opinion): each may be printed in full on a written notice.
const MaxTextLength = 5000

// FieldError is one invalid field of an Invalid refusal. Format and Args made Message, so that
// it can be said in another language.
type FieldError struct {
	Field   string // the request body's field name, snake_case
	Code    string
	Message string
	Format  string
	Args    []any
}

func fieldError(field, code, format string, args ...any) FieldError {
	return FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Refusal says why an action was refused. Code and Message are those of the first field error
// when Kind is Invalid; Fields then lists every invalid field.
type Refusal struct {
	Kind    RefusalKind
	Code    string
	Message string
	Format  string // Message is Format with Args
	Args    []any
	Fields  []FieldError
}

// Error returns the message.
func (r *Refusal) Error() string { return r.Message }

func conflict(code, format string, args ...any) *Refusal {
	return &Refusal{Kind: Conflict, Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func invalid(fields []FieldError) *Refusal {
	if len(fields) == 0 {
		return nil
	}
	return &Refusal{Kind: Invalid, Code: fields[0].Code, Message: fields[0].Message, Format: fields[0].Format, Args: fields[0].Args, Fields: fields}
}

// transition is one row of the transition table: the action moves a petition in one of the
// from states to the to state ("" keeps the state) when the actor has one of the kinds.
type transition struct {
	from   []State
	actors []ActorKind
	to     State
}

var (
	office          = []ActorKind{PetitionOfficer, Admin}
	petitionerOnly  = []ActorKind{Petitioner}
	handlerOnly     = []ActorKind{Handler}
	systemOnly      = []ActorKind{System}
	openStates      = []State{Submitted, Accepted, Assigned, Replied, ReviewRequested, Reviewed, RereviewRequested}
	opinionStates   = []State{Replied, Reviewed, Rereviewed}
	transitionTable = map[Action][]transition{
		Accept:          {{[]State{Submitted}, office, Accepted}},
		Reject:          {{[]State{Submitted}, office, NotAccepted}},
		Assign:          {{[]State{Accepted, Assigned}, office, Assigned}},
		Extend:          {{[]State{Accepted, Assigned}, office, ""}},
		Reply:           {{[]State{Accepted}, office, Replied}, {[]State{Assigned}, handlerOnly, Replied}},
		Feedback:        {{opinionStates, petitionerOnly, ""}},
		RequestReview:   {{[]State{Replied}, petitionerOnly, ReviewRequested}},
		Review:          {{[]State{ReviewRequested}, office, Reviewed}},
		RequestRereview: {{[]State{Reviewed}, petitionerOnly, RereviewRequested}},
		Rereview:        {{[]State{RereviewRequested}, office, Rereviewed}},
		Withdraw:        {{openStates, petitionerOnly, Withdrawn}},
		// To an outside body; to another township of the district it stays submitted (Decide).
		Transfer: {{[]State{Submitted}, office, Transferred}},
		Close:    {{[]State{Replied}, systemOnly, Closed}},
	}
)

// Decide says whether actor may take action on the petition described by f at now, and the
// state the petition moves to. On refusal next is f.State, unchanged.
//
// Checks run in this order, and the first that fails answers: the action is known
// (unknown_action); the petition is not re-reviewed, except for feedback on the re-review
// opinion (final_state); the actor may take this action in some state (not_allowed); the action
// applies in the current state (invalid_state); the actor may take it in this state
// (not_allowed); the action's own conflicts (already_extended, deadline_passed,
// review_window_closed, rereview_window_closed, close_not_due, accept_window_closed); and last
// the request's fields, all reported together. Conflicts come before field errors because no
// body could overcome them. A petition is transferred (转送) once at most: a second transfer,
// from whichever state, is already_transferred, checked right after the actor.
//
// A transfer to an outside body moves the petition to transferred, which is final here; a
// transfer to another township of the district leaves it submitted, received there anew.
//
// Late office steps are never refused: an overdue petition may still be accepted, rejected,
// assigned, replied to, reviewed or re-reviewed; lateness shows in Overdue, AcceptedOnTime and
// RepliedOnTime. Only the petitioner's windows and the extension are closed by the calendar.
func Decide(action Action, in Input, f Facts, actor Actor, now time.Time, loc *time.Location, p Params) (next State, err *Refusal) {
	rows, known := transitionTable[action]
	if !known {
		return f.State, invalid([]FieldError{fieldError("action", CodeUnknownAction, "%q is not a petition action", string(action))})
	}
	if f.State == Rereviewed && action != Feedback {
		return f.State, conflict(CodeFinalState, "the petition was re-reviewed, which is final; nothing more can be done or requested")
	}
	if !mayEver(rows, actor) {
		return f.State, conflict(CodeNotAllowed, "you may not %s this petition", action)
	}
	if action == Transfer && (f.TransferredOn != nil || f.State == Transferred) {
		return f.State, conflict(CodeAlreadyTransferred, "the petition was transferred once already; it cannot be transferred again")
	}
	row, applies := rowFor(rows, f.State)
	if !applies {
		return f.State, conflict(CodeInvalidState, "cannot %s a petition that is %s", action, f.State)
	}
	if !mayAct(row.actors, actor) {
		return f.State, conflict(CodeNotAllowed, "you may not %s a petition that is %s", action, f.State)
	}
	if r := actionConflict(action, f, now, loc, p); r != nil {
		return f.State, r
	}
	if r := invalid(fieldErrors(action, in, f, p)); r != nil {
		return f.State, r
	}
	if action == Transfer && strings.TrimSpace(in.ToAgency) == "" {
		return Submitted, nil // received anew by the other township
	}
	if row.to == "" {
		return f.State, nil
	}
	return row.to, nil
}

func mayEver(rows []transition, actor Actor) bool {
	for _, row := range rows {
		if mayAct(row.actors, actor) {
			return true
		}
	}
	return false
}

func mayAct(kinds []ActorKind, actor Actor) bool {
	for _, k := range kinds {
		if actor.is(k) {
			return true
		}
	}
	return false
}

func rowFor(rows []transition, s State) (transition, bool) {
	for _, row := range rows {
		for _, from := range row.from {
			if from == s {
				return row, true
			}
		}
	}
	return transition{}, false
}

// actionConflict checks what, beyond state and actor, forbids the action now.
func actionConflict(action Action, f Facts, now time.Time, loc *time.Location, p Params) *Refusal {
	d := DeadlinesOf(f, loc, p)
	switch action {
	case Extend:
		if f.ExtensionDays > 0 {
			return conflict(CodeAlreadyExtended, "the reply deadline was extended already; only one extension is allowed")
		}
		if !windowOpen(d.ReplyBy, now, loc) {
			return conflict(CodeDeadlinePassed, "the reply deadline%s has passed; it can no longer be extended", onDate(d.ReplyBy))
		}
	case RequestReview:
		if !windowOpen(d.ReviewRequestBy, now, loc) {
			return conflict(CodeReviewWindowClosed, "review could be requested until the end of the day%s; that time has passed", onDate(d.ReviewRequestBy))
		}
	case RequestRereview:
		if !windowOpen(d.RereviewRequestBy, now, loc) {
			return conflict(CodeRereviewWindowClosed, "re-review could be requested until the end of the day%s; that time has passed", onDate(d.RereviewRequestBy))
		}
	case Close:
		if !AutoCloseDue(f, now, loc, p) {
			return conflict(CodeCloseNotDue, "the petition does not close by itself yet")
		}
	case Transfer:
		if !windowOpen(d.AcceptBy, now, loc) {
			return conflict(CodeAcceptWindowClosed, "a petition is transferred within its acceptance window, which ended with the day%s", onDate(d.AcceptBy))
		}
	}
	return nil
}

// onDate renders " 2026-12-25" for a message, or nothing when the date is unknown.
func onDate(d *civil.Date) string {
	if d == nil {
		return ""
	}
	return " " + d.String()
}

// fieldErrors checks the request's fields for the action; f is the petition, for a transfer.
func fieldErrors(action Action, in Input, f Facts, p Params) []FieldError {
	var errs []FieldError
	require := func(value, field, code string) {
		if strings.TrimSpace(value) == "" {
			errs = append(errs, fieldError(field, code, "%s is required", field))
		}
	}
	switch action {
	case Reject:
		require(in.Reason, "reason", CodeReasonRequired)
		require(in.Guidance, "guidance", CodeGuidanceRequired)
	case Assign:
		require(in.HandlerID, "handler_id", CodeHandlerRequired)
	case Extend:
		switch {
		case in.Days < 1:
			errs = append(errs, fieldError("days", CodeInvalidDays, "days must be at least 1"))
		case in.Days > p.MaxExtensionDays:
			errs = append(errs, fieldError("days", CodeExtensionTooLong, "an extension is at most %d days", p.MaxExtensionDays))
		}
		require(in.Reason, "reason", CodeReasonRequired)
	case Reply:
		require(in.Text, "text", CodeTextRequired)
	case Feedback:
		if !in.Rating.Valid() {
			errs = append(errs, fieldError("rating", CodeInvalidRating, "rating must be satisfied, basically_satisfied or dissatisfied"))
		}
	case RequestReview, RequestRereview, Withdraw:
		require(in.Reason, "reason", CodeReasonRequired)
	case Review, Rereview:
		require(in.Opinion, "opinion", CodeOpinionRequired)
	case Transfer:
		errs = append(errs, transferErrors(in, f, p)...)
		require(in.Reason, "reason", CodeReasonRequired)
	}
	for _, t := range []struct{ field, value string }{
		{"note", in.Note}, {"reason", in.Reason}, {"guidance", in.Guidance}, {"text", in.Text}, {"opinion", in.Opinion},
	} {
		if utf8.RuneCountInString(t.value) > MaxTextLength {
			errs = append(errs, FieldError{Field: t.field, Code: CodeTextTooLong,
				Message: fmt.Sprintf("%s must be at most %d characters", t.field, MaxTextLength)})
		}
	}
	return errs
}

// transferErrors checks where a transfer goes: exactly one of a township other than the one
// holding the petition, or an outside body of the list. Whether the township exists in the
// district is for the caller to check.
func transferErrors(in Input, f Facts, p Params) []FieldError {
	town, agency := strings.TrimSpace(in.ToTownshipID), strings.TrimSpace(in.ToAgency)
	switch {
	case (town == "") == (agency == ""):
		return []FieldError{{Field: "to_township_id", Code: CodeTransferTo,
			Message: "give either to_township_id (a township of the district) or to_agency (an outside body), not both"}}
	case town != "" && town == f.TownshipID:
		return []FieldError{{Field: "to_township_id", Code: CodeSameTownship,
			Message: "the petition is this township's already; transfer it to another township"}}
	case agency != "" && !slices.Contains(p.Agencies, agency):
		return []FieldError{{Field: "to_agency", Code: CodeUnknownAgency,
			Message: fmt.Sprintf("%q is not one of the outside bodies of the setting petition.agencies", agency)}}
	}
	return nil
}
