package duty

import (
	"errors"
	"testing"
	"time"

	"minxin/backend/internal/civil"
)

// specParams holds the defaults of the product specification.
func specParams() Params {
	return Params{
		Evidence:   EvidenceParams{LowAccuracyM: 200, LateSyncAfter: 72 * time.Hour, MaxFutureSkew: 5 * time.Minute},
		Reception:  ReceptionParams{OnTimeBefore: 9 * time.Hour},
		Night:      NightParams{NightsPerWeek: 2, CheckinFrom: 18 * time.Hour, CheckinUntil: 24 * time.Hour, CheckoutFrom: 5 * time.Hour, CheckoutUntil: 10 * time.Hour},
		Stationing: StationingParams{DaysPerYear: 90, MinSession: 4 * time.Hour},
		Visits: VisitParams{DueDays: map[string]int{
			"illness": 7, "bereavement": 7, "hardship": 7, "dispute": 7, "petition": 7, "disaster": 7,
		}},
		Links:    LinkParams{MinHouseholds: 10},
		TalkDays: TalkDayParams{PerMonth: 1},
	}
}

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a wall-clock instant in loc.
func at(loc *time.Location, y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, loc)
}

func date(y int, m time.Month, d int) civil.Date { return civil.New(y, m, d) }

// fieldsOf returns the field names of a *ValidationError, or nil for any other error.
func fieldsOf(err error) []string {
	var v *ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	names := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		names[i] = f.Field
	}
	return names
}

func TestParamsValidate(t *testing.T) {
	if err := specParams().Validate(); err != nil {
		t.Fatalf("spec defaults refused: %v", err)
	}
	broken := specParams()
	broken.Evidence.LowAccuracyM = 0
	broken.Night.CheckinFrom = 25 * time.Hour
	broken.Stationing.MinSession = 0
	broken.Visits.DueDays = map[string]int{"illness": -1}
	broken.TalkDays.PerMonth = 0
	got := fieldsOf(broken.Validate())
	want := []string{"evidence.low_accuracy_m", "night.checkin_window", "stationing.min_session", "visits.due_days", "talk_days.per_month"}
	if len(got) != len(want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestRatioValue(t *testing.T) {
	cases := []struct {
		r      Ratio
		want   float64
		wantOK bool
	}{
		{Ratio{3, 4}, 0.75, true},
		{Ratio{0, 5}, 0, true},
		{Ratio{0, 0}, 0, false},
	}
	for _, c := range cases {
		got, ok := c.r.Value()
		if got != c.want || ok != c.wantOK {
			t.Errorf("%v.Value() = %v, %v; want %v, %v", c.r, got, ok, c.want, c.wantOK)
		}
	}
}

func TestDateRangeContains(t *testing.T) {
	r := DateRange{Start: date(2026, 11, 17), End: date(2026, 11, 19)}
	cases := []struct {
		d    civil.Date
		want bool
	}{
		{date(2026, 11, 16), false},
		{date(2026, 11, 17), true},
		{date(2026, 11, 19), true},
		{date(2026, 11, 20), false},
	}
	for _, c := range cases {
		if got := r.Contains(c.d); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.d, got, c.want)
		}
	}
	if (DateRange{Start: date(2026, 11, 19), End: date(2026, 11, 17)}).Contains(date(2026, 11, 18)) {
		t.Error("a range ending before it starts contains a date")
	}
}

func TestValidationErrorMessage(t *testing.T) {
	err := &ValidationError{Fields: []FieldError{{"lat", "must be between -90 and 90"}, {"accuracy_m", "must be positive"}}}
	want := "invalid input: lat: must be between -90 and 90; accuracy_m: must be positive"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}
