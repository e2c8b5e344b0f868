package domain

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"minxin/backend/internal/civil"
)

// Township is a 镇乡/街道 (township or street). Its seat, the government compound, has a
// geofence: a WGS-84 centre and a radius in metres.
type Township struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	RadiusM   float64   `json:"radius_m"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Village is a 村/社区 (village or community) of a township, with its own geofence.
type Village struct {
	ID         string    `json:"id"`
	TownshipID string    `json:"township_id"`
	Name       string    `json:"name"`
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	RadiusM    float64   `json:"radius_m"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Household is a 户 of a village: its head, address, phone, optional location and its
// contact official (联户干部).
type Household struct {
	ID                string    `json:"id"`
	TownshipID        string    `json:"township_id"`
	VillageID         string    `json:"village_id"`
	HeadName          string    `json:"head_name"`
	Address           string    `json:"address"`
	Phone             string    `json:"phone"`
	Lat               *float64  `json:"lat"`
	Lng               *float64  `json:"lng"`
	ContactOfficialID *string   `json:"contact_official_id"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// User is anyone who logs in: admins, inspectors, officials, petition officers, villagers.
type User struct {
	ID           string      `json:"id"`
	Username     string      `json:"username"`
	PasswordHash string      `json:"-"`
	DisplayName  string      `json:"display_name"`
	Role         Role        `json:"role"`
	TownshipID   *string     `json:"township_id"`
	TeamMember   bool        `json:"team_member"` // 班子成员: carries the duties of §3
	Lead         bool        `json:"lead"`        // 主要领导: reads the township's progress, records leave
	AppointedOn  *civil.Date `json:"appointed_on"`
	// MustChangePassword: an admin reset the password to a temporary one, which the user must
	// change at the next login.
	MustChangePassword bool      `json:"must_change_password"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Actor returns the user as the actor of a request.
func (u User) Actor() Actor {
	a := Actor{UserID: u.ID, Role: u.Role, TeamMember: u.TeamMember, Lead: u.Lead, MustChangePassword: u.MustChangePassword}
	if u.TownshipID != nil {
		a.TownshipID = *u.TownshipID
	}
	return a
}

// Leave is approved absence (请假/出差/培训) of an official, both dates included.
type Leave struct {
	ID         string     `json:"id"`
	TownshipID string     `json:"township_id"`
	UserID     string     `json:"user_id"`
	StartDate  civil.Date `json:"start_date"`
	EndDate    civil.Date `json:"end_date"`
	Reason     string     `json:"reason"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Holiday overrides the default calendar for one date: a day off (Working false) or a
// make-up working day (调休, Working true).
type Holiday struct {
	Date    civil.Date `json:"date" gorm:"primaryKey"`
	Working bool       `json:"working"`
	Name    string     `json:"name"`
}

// ValidateGeofence checks a WGS-84 centre and a radius.
func ValidateGeofence(v *Invalid, lat, lng, radius float64) {
	v.Check(finite(lat) && lat >= -90 && lat <= 90, "lat", "must be a latitude between -90 and 90")
	v.Check(finite(lng) && lng >= -180 && lng <= 180, "lng", "must be a longitude between -180 and 180")
	v.Check(finite(radius) && radius > 0 && radius <= 100_000, "radius_m", "must be a radius in metres, above 0 and at most 100000")
}

// ValidateName checks a required short text field.
func ValidateName(v *Invalid, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "must be at most %d characters", max)
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Validate checks a township.
func (t Township) Validate() error {
	var v Invalid
	ValidateName(&v, "name", t.Name, 100)
	ValidateGeofence(&v, t.Lat, t.Lng, t.RadiusM)
	return v.Err()
}

// Validate checks a village.
func (x Village) Validate() error {
	var v Invalid
	v.Check(ValidID(x.TownshipID), "township_id", "must be the id of a township")
	ValidateName(&v, "name", x.Name, 100)
	ValidateGeofence(&v, x.Lat, x.Lng, x.RadiusM)
	return v.Err()
}

// Validate checks a household.
func (h Household) Validate() error {
	var v Invalid
	v.Check(ValidID(h.VillageID), "village_id", "must be the id of a village")
	ValidateName(&v, "head_name", h.HeadName, 50)
	ValidateName(&v, "address", h.Address, 200)
	v.Check(h.Phone == "" || ValidPhone(h.Phone), "phone", "must be a phone number of 7 to 15 digits")
	v.Check((h.Lat == nil) == (h.Lng == nil), "lat", "lat and lng go together")
	if h.Lat != nil && h.Lng != nil {
		ValidateGeofence(&v, *h.Lat, *h.Lng, 1)
	}
	v.Check(h.ContactOfficialID == nil || ValidID(*h.ContactOfficialID), "contact_official_id", "must be the id of an official")
	return v.Err()
}

// Validate checks a user (not the password, which is checked by ValidatePassword).
func (u User) Validate() error {
	var v Invalid
	v.Check(validUsername(u.Username), "username", "must be 3 to 64 letters, digits, '.', '_' or '-'")
	ValidateName(&v, "display_name", u.DisplayName, 50)
	v.Check(u.Role.Valid(), "role", "must be one of admin, inspector, official, petition_officer, villager")
	switch {
	case u.Role.TownshipBound() && u.TownshipID == nil:
		v.Add("township_id", "is required for the role %s", u.Role)
	case u.TownshipID != nil && u.Role != RoleOfficial && u.Role != RolePetitionOfficer:
		v.Add("township_id", "must be empty for the role %s", u.Role)
	case u.TownshipID != nil && !ValidID(*u.TownshipID):
		v.Add("township_id", "must be the id of a township")
	}
	v.Check(u.Role == RoleOfficial || !u.TeamMember, "team_member", "only officials can be team members")
	v.Check(u.Role == RoleOfficial || !u.Lead, "lead", "only officials can be the lead")
	v.Check(u.Role == RoleOfficial || u.AppointedOn == nil, "appointed_on", "only officials have an appointment date")
	return v.Err()
}

// ValidatePassword checks a new password.
func ValidatePassword(v *Invalid, p string) {
	n := utf8.RuneCountInString(p)
	v.Check(n >= 10 && n <= 128, "password", "must be 10 to 128 characters")
}

// Validate checks a leave.
func (l Leave) Validate() error {
	var v Invalid
	v.Check(ValidID(l.UserID), "user_id", "must be the id of an official")
	v.Check(!l.StartDate.IsZero(), "start_date", "is required (YYYY-MM-DD)")
	v.Check(!l.EndDate.IsZero(), "end_date", "is required (YYYY-MM-DD)")
	if !l.StartDate.IsZero() && !l.EndDate.IsZero() {
		v.Check(!l.EndDate.Before(l.StartDate), "end_date", "must not be before start_date")
		v.Check(l.StartDate.DaysUntil(l.EndDate) < 366, "end_date", "a leave lasts at most one year")
	}
	ValidateName(&v, "reason", l.Reason, 200)
	return v.Err()
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// ValidPhone accepts 7 to 15 digits, optionally with a leading +.
func ValidPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 7 || len(s) > 15 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
