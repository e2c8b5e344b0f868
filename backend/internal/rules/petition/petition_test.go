package petition

import (
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

// specParams are the defaults of the product specification, §4.
var specParams = Params{
	AcceptDays:          15,
	ReplyDays:           60,
	MaxExtensionDays:    30,
	ReviewRequestDays:   30,
	ReviewDays:          30,
	RereviewRequestDays: 30,
	RereviewDays:        30,
	AutoCloseDays:       30,
	DuplicateWindowDays: 90,
	Agencies:            []string{"县自然资源局", "县人社局", "县住建局", "县市场监管局", "县公安局"},
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at returns an instant on the wall clock of loc.
func at(loc *time.Location, y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

func ptr[T any](v T) *T { return &v }

func date(y int, m time.Month, d int) civil.Date { return civil.New(y, m, d) }

func TestStateOpen(t *testing.T) {
	open := map[State]bool{
		Submitted: true, Accepted: true, NotAccepted: false, Assigned: true, Replied: true,
		Closed: false, ReviewRequested: true, Reviewed: true, RereviewRequested: true,
		Rereviewed: false, Withdrawn: false, Transferred: false,
	}
	if len(open) != len(States()) {
		t.Fatalf("test covers %d states, package has %d", len(open), len(States()))
	}
	for _, s := range States() {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if s.Open() != open[s] {
			t.Errorf("%s.Open() = %v, want %v", s, s.Open(), open[s])
		}
	}
	for _, s := range []State{"", "open", "Submitted"} {
		if s.Valid() || s.Open() {
			t.Errorf("%q is valid or open", s)
		}
	}
}

func TestRatingValid(t *testing.T) {
	for _, r := range []Rating{Satisfied, BasicallySatisfied, Dissatisfied} {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
	}
	for _, r := range []Rating{"", "happy", "Satisfied"} {
		if r.Valid() {
			t.Errorf("%q valid", r)
		}
	}
}
