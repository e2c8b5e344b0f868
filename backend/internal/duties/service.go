// Package duties holds the field duties of §2–§3: the records an official's phone sends
// (reception check-ins, overnight stays, stationing sessions, must-visit triggers and visits,
// talk days), contact links, and each official's progress against the rules. The rules
// themselves are rules/duty; this package applies them to what the store holds.
package duties

import (
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// Service is the field duties of one district.
type Service struct {
	st *store.Store
	qr *qrtoken.Key // checks the household QR tokens visits carry; nil: none can be checked
}

// New returns the duties service over a store; qr checks household QR tokens.
func New(st *store.Store, qr *qrtoken.Key) *Service { return &Service{st: st, qr: qr} }

// errNoQRKey answers a QR token that a service without a key was asked to check.
var errNoQRKey = domain.Errorf(domain.KindInternal, "qr_key_missing", "the service was given no QR key")

// Record types of field records, as they appear in evidence rows and audit ids.
const (
	RecordReceptionDay  = "reception_day"
	RecordOvernightStay = "overnight_stay"
	RecordStationing    = "stationing"
	RecordVisit         = "visit"
)

// paramsFrom reads the numbers of the duty rules from the settings in force.
func paramsFrom(st domain.Settings) duty.Params {
	due := map[string]int{}
	for _, c := range st.Categories("visits.categories") {
		if c.DueDays != nil {
			due[c.Code] = *c.DueDays
		} else {
			due[c.Code] = 0
		}
	}
	return duty.Params{
		Evidence: duty.EvidenceParams{
			LowAccuracyM:  float64(st.Int("evidence.low_accuracy_m")),
			LateSyncAfter: time.Duration(st.Int("evidence.late_sync_hours")) * time.Hour,
			MaxFutureSkew: time.Duration(st.Int("evidence.max_future_minutes")) * time.Minute,
		},
		Reception: duty.ReceptionParams{OnTimeBefore: st.Clock("reception.on_time_before")},
		Night: duty.NightParams{
			NightsPerWeek: st.Int("overnight.nights_per_week"),
			CheckinFrom:   st.Clock("overnight.checkin_from"), CheckinUntil: st.Clock("overnight.checkin_until"),
			CheckoutFrom: st.Clock("overnight.checkout_from"), CheckoutUntil: st.Clock("overnight.checkout_until"),
		},
		Stationing: duty.StationingParams{
			DaysPerYear: st.Int("stationing.days_per_year"),
			MinSession:  time.Duration(st.Int("stationing.min_session_minutes")) * time.Minute,
		},
		Visits:   duty.VisitParams{DueDays: due},
		Links:    duty.LinkParams{MinHouseholds: st.Int("links.min_households")},
		TalkDays: duty.TalkDayParams{PerMonth: st.Int("talk_days.per_month")},
	}
}

// Params returns the duty rules' numbers in force on date d: a record is judged by the
// settings of its own date, so a later change never rewrites it.
func Params(tx *store.Tx, d civil.Date) (duty.Params, error) {
	return store.CachedOn(tx, "duty", d, paramsFrom)
}

// FieldFilter narrows lists of field records and reception days.
type FieldFilter struct {
	TownshipID, OfficialID string
	From, To               *civil.Date
}

// apply filters q on the table's township column, the column of its official and its date.
func (f FieldFilter) apply(q *gorm.DB, officialColumn, dateColumn string) *gorm.DB {
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.OfficialID != "" {
		q = q.Where(officialColumn+" = ?", f.OfficialID)
	}
	if f.From != nil {
		q = q.Where(dateColumn+" >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where(dateColumn+" <= ?", *f.To)
	}
	return q
}

// organisationScope limits q to the township records the actor may see (rota, triggers, talk
// days).
func organisationScope(q *gorm.DB, a domain.Actor) *gorm.DB {
	return store.Scoped(q, a, access.Organisation, store.Columns{Township: "township_id"})
}

// fieldScope limits field records to what the actor may see of them: an official their own,
// the township's lead the township's, inspectors and admins everything.
func fieldScope(q *gorm.DB, a domain.Actor, table string) *gorm.DB {
	return store.Scoped(q, a, access.FieldRecords, store.Columns{Township: table + ".township_id", Owner: table + ".official_id"})
}

func validRecordID(v *domain.Invalid, id string) {
	v.Check(domain.ValidID(id), "id", "must be a UUID chosen by the phone, in lowercase")
}

// ParamsByDate returns the duty rules' numbers in force on any date, reading the settings'
// history once: scorecards judge weeks of many dates in one request.
func ParamsByDate(tx *store.Tx) (func(civil.Date) duty.Params, error) {
	return store.ByDate(tx, "", paramsFrom)
}
