// Package petition holds the rules of petitions (信访件) as pure functions: which action moves a
// petition from which state and who may take it, the statutory deadlines computed from the
// petition's events, automatic closing, tracking codes and PINs, masking of the petitioner's
// identity, and the detection of possible duplicates.
//
// The package does no I/O of its own (NewPIN reads only the random source it is handed). Every
// number of days comes from Params, which the caller reads from the district's settings; every
// date is a civil date in the district's time zone, handed in as a *time.Location.
package petition

import (
	"time"

	"minxin/backend/internal/civil"
)

// State is where a petition stands in its life.
type State string

// The states of a petition.
const (
	Submitted         State = "submitted"
	Accepted          State = "accepted"     // 受理: the office took the petition on.
	NotAccepted       State = "not_accepted" // 不予受理: refused, with a reason and guidance.
	Assigned          State = "assigned"     // handed to a handler (承办人).
	Replied           State = "replied"      // 答复: the handling opinion was given.
	Closed            State = "closed"       // closed by itself when no review was asked for in time.
	ReviewRequested   State = "review_requested"
	Reviewed          State = "reviewed" // 复查: the review opinion was given.
	RereviewRequested State = "rereview_requested"
	Rereviewed        State = "rereviewed" // 复核: the re-review opinion was given; final.
	Withdrawn         State = "withdrawn"  // 撤回 by the petitioner.
	// Transferred (转送): sent within the acceptance window to an outside body, which handles it
	// from then on; final here. A petition transferred to another township of the district
	// stays submitted there, received anew.
	Transferred State = "transferred"
)

// States returns every state, in the order of a petition's life.
func States() []State {
	return []State{Submitted, Accepted, NotAccepted, Assigned, Replied, Closed,
		ReviewRequested, Reviewed, RereviewRequested, Rereviewed, Withdrawn, Transferred}
}

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	for _, v := range States() {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether a petition in state s can still move on (and so can be withdrawn): every
// valid state except closed, not_accepted, withdrawn, rereviewed and transferred.
func (s State) Open() bool {
	switch s {
	case Closed, NotAccepted, Withdrawn, Rereviewed, Transferred:
		return false
	}
	return s.Valid()
}

// Action is a transition's name, as in the contract's POST /api/v1/petitions/{id}/<action>, plus
// the system's automatic close.
type Action string

// The actions on a petition.
const (
	Accept          Action = "accept" // 受理
	Reject          Action = "reject" // 不予受理
	Assign          Action = "assign"
	Extend          Action = "extend" // 延期: one extension of the reply deadline.
	Reply           Action = "reply"  // 答复
	Feedback        Action = "feedback"
	RequestReview   Action = "request-review" // 申请复查
	Review          Action = "review"         // 复查
	RequestRereview Action = "request-rereview"
	Rereview        Action = "rereview" // 复核
	Withdraw        Action = "withdraw"
	Transfer        Action = "transfer" // 转送: to another township of the district or to an outside body.
	Close           Action = "close"    // the scheduled job's automatic close; no HTTP endpoint.
)

// Actions returns every action.
func Actions() []Action {
	return []Action{Accept, Reject, Assign, Extend, Reply, Feedback, RequestReview, Review,
		RequestRereview, Rereview, Withdraw, Transfer, Close}
}

// ActorKind is one relation between whoever acts and the petition. The caller establishes the
// relation before asking; this package never looks up roles.
type ActorKind string

// The relations an actor can have with a petition.
const (
	// Petitioner is the person who submitted the petition, known by their villager account or
	// by the petition's tracking code and PIN.
	Petitioner ActorKind = "petitioner"
	// PetitionOfficer is a petition officer (信访办) of the petition's township or of the district.
	PetitionOfficer ActorKind = "petition_officer"
	// Handler is the official the petition is currently assigned to (承办人).
	Handler ActorKind = "handler"
	// Admin is a district admin; an admin may do whatever a petition officer may.
	Admin ActorKind = "admin"
	// System is the server itself, running a scheduled job.
	System ActorKind = "system"
)

// Actor is the set of relations the caller has established between whoever acts and this
// petition: a petition officer who is also the assigned handler carries both.
type Actor struct {
	Kinds []ActorKind
}

// As returns an actor with the given relations.
func As(kinds ...ActorKind) Actor { return Actor{Kinds: kinds} }

func (a Actor) is(k ActorKind) bool {
	for _, have := range a.Kinds {
		if have == k {
			return true
		}
	}
	return false
}

// Rating is the petitioner's feedback on a reply, a review opinion or a re-review opinion.
type Rating string

// The ratings.
const (
	Satisfied          Rating = "satisfied"           // 满意
	BasicallySatisfied Rating = "basically_satisfied" // 基本满意
	Dissatisfied       Rating = "dissatisfied"        // 不满意
)

// Valid reports whether r is one of the ratings.
func (r Rating) Valid() bool {
	switch r {
	case Satisfied, BasicallySatisfied, Dissatisfied:
		return true
	}
	return false
}

// Params are the district's petition settings, in calendar days. The values come from the
// settings in the database; the package has no defaults of its own.
type Params struct {
	AcceptDays          int // decide acceptance within this many days of receipt
	ReplyDays           int // reply within this many days of acceptance
	MaxExtensionDays    int // the one extension of the reply deadline is at most this long
	ReviewRequestDays   int // the petitioner may ask for review within this many days of the reply
	ReviewDays          int // review opinion within this many days of the request
	RereviewRequestDays int // re-review may be asked for within this many days of the review opinion
	RereviewDays        int // re-review opinion within this many days of the request
	AutoCloseDays       int // a replied petition with no review request closes this many days after the reply (never before its review-request window has closed)
	DuplicateWindowDays int // petitions this many days apart or closer may be duplicates
	// Agencies are the outside bodies a petition may be transferred to (petition.agencies), as
	// in force on the day of the transfer.
	Agencies []string
}

// Facts are the events of one petition that the rules read: the state it is in, the township
// that holds it, the date it was received (and, when another township of the district
// transferred it here, the date of that transfer) and the instants of each step so far (nil
// when the step has not happened).
type Facts struct {
	State      State
	TownshipID string // the township that holds the petition now
	ReceivedOn civil.Date
	// TransferredOn is the date another township of the district transferred the petition to
	// this one (nil when it was received here first): its acceptance window runs from it.
	TransferredOn       *civil.Date
	AcceptedAt          *time.Time
	RepliedAt           *time.Time
	ReviewRequestedAt   *time.Time
	ReviewedAt          *time.Time
	RereviewRequestedAt *time.Time
	RereviewedAt        *time.Time
	ExtensionDays       int // days granted by the one extension; 0 when not extended
}

// Input is what the actor sent with the action (the contract's action bodies). Only the fields
// of the action at hand are read.
type Input struct {
	Note      string // accept (optional)
	Reason    string // reject, extend, request-review, request-rereview, withdraw
	Guidance  string // reject: where and how the petitioner may turn instead
	HandlerID string // assign
	Days      int    // extend
	Text      string // reply
	Rating    Rating // feedback
	Opinion   string // review, rereview
	// transfer: exactly one of the township of the district or the outside body (one of
	// Params.Agencies) to transfer to; and Reason.
	ToTownshipID string
	ToAgency     string
}
