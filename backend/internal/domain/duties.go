package domain

import (
	"time"

	"minxin/backend/internal/civil"
)

// EvidenceInput is what a phone sends with a check-in or check-out (§2).
type EvidenceInput struct {
	OccurredAt *time.Time `json:"occurred_at"`
	Lat        *float64   `json:"lat"`
	Lng        *float64   `json:"lng"`
	AccuracyM  *float64   `json:"accuracy_m"`
	PhotoIDs   []string   `json:"photo_ids"`
	QRToken    *string    `json:"qr_token"`
}

// Evidence is a check-in or check-out as stored and answered: what the phone sent with what
// the server added — when it arrived, the distance to the relevant geofence, the flags and
// whether it counts. The lists are kept as JSON text.
type Evidence struct {
	OccurredAt time.Time `json:"occurred_at"`
	ReceivedAt time.Time `json:"received_at"`
	Lat        *float64  `json:"lat"`
	Lng        *float64  `json:"lng"`
	AccuracyM  *float64  `json:"accuracy_m"`
	DistanceM  *float64  `json:"distance_m"`
	PhotoIDs   []string  `json:"photo_ids" gorm:"serializer:json"`
	Flags      []string  `json:"flags" gorm:"serializer:json"`
	Counts     bool      `json:"counts"`
}

// ReceptionDay is a 定点接访 day: the township's designated receiver on a working day.
type ReceptionDay struct {
	ID         string     `json:"id"`
	TownshipID string     `json:"township_id"`
	Date       civil.Date `json:"date"`
	OfficialID *string    `json:"official_id"`
	Checkin    *Evidence  `json:"checkin"`
	Attended   bool       `json:"attended"`
	OnTime     bool       `json:"on_time"`
	Refuted    bool       `json:"refuted"`
}

// ReceptionDayChange is one reassignment of a reception day, kept as its history.
type ReceptionDayChange struct {
	ID             string    `json:"id"`
	FromOfficialID *string   `json:"from_official_id"`
	ToOfficialID   string    `json:"to_official_id"`
	Reason         string    `json:"reason"`
	ChangedBy      string    `json:"changed_by"`
	ChangedAt      time.Time `json:"changed_at"`
}

// OvernightStay is a 住夜 record: an evening check-in and a morning check-out in the township.
type OvernightStay struct {
	ID         string     `json:"id"`
	TownshipID string     `json:"township_id"`
	OfficialID string     `json:"official_id"`
	NightDate  civil.Date `json:"night_date"`
	Week       string     `json:"week"`
	Checkin    Evidence   `json:"checkin"`
	Checkout   *Evidence  `json:"checkout"`
	Counts     bool       `json:"counts"`
	Refuted    bool       `json:"refuted"`
}

// Stationing is a 下村蹲点 session: a check-in and a check-out in one village.
type Stationing struct {
	ID         string     `json:"id"`
	TownshipID string     `json:"township_id"`
	OfficialID string     `json:"official_id"`
	VillageID  string     `json:"village_id"`
	Date       civil.Date `json:"date"`
	Checkin    Evidence   `json:"checkin"`
	Checkout   *Evidence  `json:"checkout"`
	Counts     bool       `json:"counts"`
	Refuted    bool       `json:"refuted"`
}

// VisitTrigger is a 六必访 situation of a household that obliges a visit by DueAt.
type VisitTrigger struct {
	ID            string     `json:"id"`
	TownshipID    string     `json:"township_id"`
	HouseholdID   string     `json:"household_id"`
	Category      string     `json:"category"`
	OccurredOn    civil.Date `json:"occurred_on"`
	DueAt         time.Time  `json:"due_at"`
	Note          string     `json:"note"`
	ResponsibleID *string    `json:"responsible_id"`
	Source        string     `json:"source"`
	PetitionID    *string    `json:"petition_id"`
	ClosedByVisit *string    `json:"closed_by_visit_id"`
	ClosedAt      *time.Time `json:"closed_at"`
	Status        string     `json:"status"` // open, overdue, on_time, late
}

// Visit is a household visit, answering a trigger or not (串万家门).
type Visit struct {
	ID          string     `json:"id"`
	TownshipID  string     `json:"township_id"`
	OfficialID  string     `json:"official_id"`
	HouseholdID string     `json:"household_id"`
	Category    string     `json:"category"`
	TriggerID   *string    `json:"trigger_id"`
	Timeliness  *string    `json:"timeliness"`
	Date        civil.Date `json:"date"`
	Notes       string     `json:"notes"`
	FollowUp    string     `json:"follow_up"`
	Evidence    Evidence   `json:"evidence"`
	QRVerified  bool       `json:"qr_verified"`
	Counts      bool       `json:"counts"`
	Refuted     bool       `json:"refuted"`
}

// TalkDay is a 民情恳谈日 held in a village.
type TalkDay struct {
	ID         string     `json:"id"`
	TownshipID string     `json:"township_id"`
	VillageID  string     `json:"village_id"`
	HeldOn     civil.Date `json:"held_on"`
	Attendance int        `json:"attendance"`
	Issues     []string   `json:"issues"`
	RecordedBy string     `json:"recorded_by"`
}

// ContactLink is a 联系点: the village a team member is linked to.
type ContactLink struct {
	OfficialID string `json:"official_id"`
	TownshipID string `json:"township_id"`
	VillageID  string `json:"village_id"`
}
