package duties

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
	"minxin/backend/internal/store"
)

// OvernightProgress is the ISO week's nights (住夜).
type OvernightProgress struct {
	Week      string `json:"week"`
	LeaveDays int    `json:"leave_days"`
	Required  int    `json:"required"`
	Counted   int    `json:"counted"`
	Status    string `json:"status"`
}

// StationingProgress is the calendar year's stationing days (下村蹲点).
type StationingProgress struct {
	Year           int        `json:"year"`
	PeriodStart    civil.Date `json:"period_start"`
	PeriodEnd      civil.Date `json:"period_end"`
	RequiredDays   int        `json:"required_days"`
	CountedDays    int        `json:"counted_days"`
	ExpectedToDate int        `json:"expected_to_date"`
	Status         string     `json:"status"`
}

// ReceptionProgress is the reception days (定点接访) of the year up to the date.
type ReceptionProgress struct {
	Year     int `json:"year"`
	Assigned int `json:"assigned"`
	Attended int `json:"attended"`
	OnTime   int `json:"on_time"`
}

// VisitProgress is the must-visits (六必访) the official is responsible for, and the visits
// made in the year.
type VisitProgress struct {
	Open              int `json:"open"`
	Overdue           int `json:"overdue"`
	OnTime            int `json:"on_time"`
	Late              int `json:"late"`
	Visits            int `json:"visits"`
	HouseholdsVisited int `json:"households_visited"`
}

// LinksProgress is the official's contact links (联系点).
type LinksProgress struct {
	VillageID        *string `json:"village_id"`
	LinkedHouseholds int     `json:"linked_households"`
	Minimum          int     `json:"minimum"`
	Status           string  `json:"status"`
}

// Progress is an official's progress on a date (§3.7).
type Progress struct {
	OfficialID string             `json:"official_id"`
	Date       civil.Date         `json:"date"`
	Overnight  OvernightProgress  `json:"overnight"`
	Stationing StationingProgress `json:"stationing"`
	Reception  ReceptionProgress  `json:"reception"`
	Visits     VisitProgress      `json:"visits"`
	Links      LinksProgress      `json:"links"`
}

// progressVisible finds an official whose progress the actor may read (access.Progress):
// their own; the township's for its lead; everyone's for admins and inspectors.
func progressVisible(tx *gorm.DB, a domain.Actor, officialID string) (domain.User, error) {
	var u domain.User
	q := store.Scoped(tx, a, access.Progress, store.Columns{Township: "township_id", Owner: "id"})
	err := q.First(&u, "id = ? AND role = ?", officialID, domain.RoleOfficial).Error
	return u, store.NotFound(err, "official")
}

// OfficialProgress computes an official's progress on a date from every record stored so far.
func (s *Service) OfficialProgress(ctx context.Context, a domain.Actor, officialID string, date civil.Date) (Progress, error) {
	tx := s.st.Reader(ctx)
	u, err := progressVisible(tx.DB, a, officialID)
	if err != nil {
		return Progress{}, err
	}
	p, err := Params(tx, date)
	if err != nil {
		return Progress{}, err
	}
	out := Progress{OfficialID: u.ID, Date: date}
	yearStart := civil.New(date.Year, 1, 1)
	if out.Overnight, err = WeekNights(tx.DB, u.ID, date.ISOWeekStart(), p); err != nil {
		return Progress{}, err
	}
	if out.Stationing, err = StationingPace(tx.DB, u, date, p); err != nil {
		return Progress{}, err
	}
	if out.Reception, err = ReceptionFigures(tx.DB, u.ID, yearStart, date); err != nil {
		return Progress{}, err
	}
	out.Reception.Year = date.Year
	if out.Visits, err = VisitFigures(tx, u.ID, yearStart, date); err != nil {
		return Progress{}, err
	}
	if out.Links, err = LinkFigures(tx.DB, u.ID, p); err != nil {
		return Progress{}, err
	}
	return out, nil
}

// WeekNights counts an official's nights of the ISO week starting on monday.
func WeekNights(tx *gorm.DB, officialID string, monday civil.Date, p duty.Params) (OvernightProgress, error) {
	leaves, err := LeaveRanges(tx, []string{officialID}, monday, monday.AddDays(6))
	if err != nil {
		return OvernightProgress{}, err
	}
	var counted int64
	// Nights, not stays: two stays of one evening are one night.
	err = tx.Model(&stayRow{}).Where("official_id = ? AND iso_week = ? AND counts = ? AND refuted_at IS NULL",
		officialID, monday.ISOWeek(), true).Distinct("night_date").Count(&counted).Error
	if err != nil {
		return OvernightProgress{}, err
	}
	leaveDays := duty.LeaveDaysInWeek(monday, leaves[officialID])
	required := duty.WeeklyNightRequirement(leaveDays, p.Night.NightsPerWeek)
	return OvernightProgress{Week: monday.ISOWeek(), LeaveDays: leaveDays, Required: required, Counted: int(counted),
		Status: duty.WeekStatus(int(counted), required)}, nil
}

// StationingPace is an official's stationing days of the year of date, against the pace.
func StationingPace(tx *gorm.DB, u domain.User, date civil.Date, p duty.Params) (StationingProgress, error) {
	required, start, end := duty.StationingRequirement(date.Year, u.AppointedOn, p.Stationing.DaysPerYear)
	var counted int64
	err := tx.Model(&stationingRow{}).Where("official_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?",
		u.ID, true, start, end).Distinct("date").Count(&counted).Error
	if err != nil {
		return StationingProgress{}, err
	}
	expected := duty.ExpectedToDate(required, start, end, date)
	return StationingProgress{Year: date.Year, PeriodStart: start, PeriodEnd: end, RequiredDays: required,
		CountedDays: int(counted), ExpectedToDate: expected, Status: duty.StationingStatus(int(counted), required, expected)}, nil
}

// ReceptionFigures counts an official's reception days from one date to another.
func ReceptionFigures(tx *gorm.DB, officialID string, from, to civil.Date) (ReceptionProgress, error) {
	var r struct{ Assigned, Attended, OnTime int }
	err := tx.Model(&receptionRow{}).Select(
		"COUNT(*) AS assigned, "+
			"COALESCE(SUM(CASE WHEN attended AND refuted_at IS NULL THEN 1 ELSE 0 END), 0) AS attended, "+
			"COALESCE(SUM(CASE WHEN on_time AND refuted_at IS NULL THEN 1 ELSE 0 END), 0) AS on_time").
		Where("official_id = ? AND date >= ? AND date <= ?", officialID, from, to).Scan(&r).Error
	return ReceptionProgress{Assigned: r.Assigned, Attended: r.Attended, OnTime: r.OnTime}, err
}

// VisitFigures counts the triggers the official is responsible for that fell due in the
// period, and the counting visits made in it.
func VisitFigures(tx *store.Tx, officialID string, from, to civil.Date) (VisitProgress, error) {
	var triggers []triggerRow
	err := tx.Where("responsible_id = ? AND due_at >= ? AND occurred_on <= ?", officialID, from.Start(tx.Loc()).UTC(), to).Find(&triggers).Error
	if err != nil {
		return VisitProgress{}, err
	}
	var out VisitProgress
	for _, t := range triggers {
		switch duty.TriggerStatus(t.ClosedAt, t.DueAt, tx.Now) {
		case duty.TriggerOpen:
			out.Open++
		case duty.TriggerOverdue:
			out.Overdue++
		case duty.VisitOnTime:
			out.OnTime++
		case duty.VisitLate:
			out.Late++
		}
	}
	var v struct{ Visits, Households int }
	err = tx.Model(&visitRow{}).Select("COUNT(*) AS visits, COUNT(DISTINCT household_id) AS households").
		Where("official_id = ? AND counts = ? AND refuted_at IS NULL AND date >= ? AND date <= ?", officialID, true, from, to).Scan(&v).Error
	out.Visits, out.HouseholdsVisited = v.Visits, v.Households
	return out, err
}

// LinkFigures is an official's contact links against the minimum.
func LinkFigures(tx *gorm.DB, officialID string, p duty.Params) (LinksProgress, error) {
	out := LinksProgress{Minimum: p.Links.MinHouseholds}
	var link domain.ContactLink
	switch err := tx.Table("contact_links").First(&link, "official_id = ?", officialID).Error; {
	case err == nil:
		out.VillageID = &link.VillageID
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return out, err
	}
	var n int64
	if err := tx.Model(&domain.Household{}).Where("contact_official_id = ?", officialID).Count(&n).Error; err != nil {
		return out, err
	}
	out.LinkedHouseholds = int(n)
	out.Status = duty.LinksStatus(out.LinkedHouseholds, out.Minimum)
	return out, nil
}
