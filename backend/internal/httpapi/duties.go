package httpapi

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// teamMember is an official carrying the duties of §3 (班子成员).
func teamMember(a domain.Actor) bool { return a.Role == domain.RoleOfficial && a.TeamMember }

// dutyRoutes are the routes of field duties, progress and scorecards (§2, §3).
func dutyRoutes(s *Server) []Route {
	fieldReaders := roles(domain.RoleAdmin, domain.RoleInspector, domain.RoleOfficial)
	rota := roles(domain.RoleAdmin, domain.RolePetitionOfficer)
	return []Route{
		{http.MethodPost, "/reception-days/generate", rota, s.generateReceptionDays},
		{http.MethodGet, "/reception-days", staff, s.listReceptionDays},
		{http.MethodGet, "/reception-days/:id", staff, s.getReceptionDay},
		{http.MethodPost, "/reception-days/:id/reassign", rota, s.reassignReceptionDay},
		{http.MethodPost, "/reception-days/:id/checkin", teamMember, s.checkinReception},

		{http.MethodPost, "/overnight-stays", teamMember, s.createStay},
		{http.MethodPost, "/overnight-stays/:id/checkout", teamMember, s.checkoutStay},
		{http.MethodGet, "/overnight-stays", fieldReaders, s.listStays},

		{http.MethodPost, "/stationings", teamMember, s.createStationing},
		{http.MethodPost, "/stationings/:id/checkout", teamMember, s.checkoutStationing},
		{http.MethodGet, "/stationings", fieldReaders, s.listStationings},

		{http.MethodPost, "/visit-triggers", roles(domain.RoleOfficial, domain.RolePetitionOfficer), s.createTrigger},
		{http.MethodGet, "/visit-triggers", staff, s.listTriggers},
		{http.MethodPost, "/visits", roles(domain.RoleOfficial), s.createVisit},
		{http.MethodGet, "/visits", fieldReaders, s.listVisits},

		{http.MethodPost, "/talk-days", roles(domain.RoleOfficial), s.createTalkDay},
		{http.MethodGet, "/talk-days", staff, s.listTalkDays},
		{http.MethodPut, "/contact-links/:id", managers, s.putContactLink},

		{http.MethodGet, "/progress/officials/:id", fieldReaders, s.officialProgress},
		{http.MethodGet, "/scorecards", anyOf(roles(domain.RoleAdmin, domain.RoleInspector), lead), s.scorecard},
	}
}

func queryDate(c echo.Context, name string) (*civil.Date, error) {
	v := c.QueryParam(name)
	if v == "" {
		return nil, nil
	}
	d, err := civil.Parse(v)
	if err != nil {
		return nil, domain.InvalidField(name, "must be a date written YYYY-MM-DD")
	}
	return &d, nil
}

// fieldFilter reads ?township_id=&official_id=&from=&to=.
func fieldFilter(c echo.Context) (store.FieldFilter, error) {
	var f store.FieldFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return f, err
	}
	if f.OfficialID, err = queryID(c, "official_id"); err != nil {
		return f, err
	}
	if f.From, err = queryDate(c, "from"); err != nil {
		return f, err
	}
	f.To, err = queryDate(c, "to")
	return f, err
}

func (s *Server) generateReceptionDays(c echo.Context) error {
	var in store.RotaInput
	if err := bind(c, &in); err != nil {
		return err
	}
	days, err := s.deps.Store.GenerateReceptionDays(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": days})
}

func (s *Server) listReceptionDays(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	days, err := s.deps.Store.ReceptionDays(c.Request().Context(), actor(c),
		store.ReceptionFilter{TownshipID: f.TownshipID, OfficialID: f.OfficialID, From: f.From, To: f.To})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": days})
}

func (s *Server) getReceptionDay(c echo.Context) error {
	return get(c, "reception day", func(a domain.Actor, id string) (store.ReceptionDayWithHistory, error) {
		return s.deps.Store.ReceptionDay(c.Request().Context(), a, id)
	})
}

func (s *Server) reassignReceptionDay(c echo.Context) error {
	return update(c, "reception day", func(a domain.Actor, id string, in store.ReassignInput) (store.ReceptionDayWithHistory, error) {
		return s.deps.Store.ReassignReceptionDay(c.Request().Context(), a, id, in)
	})
}

func (s *Server) checkinReception(c echo.Context) error {
	return update(c, "reception day", func(a domain.Actor, id string, in store.CheckoutInput) (domain.ReceptionDay, error) {
		return s.deps.Store.CheckinReception(c.Request().Context(), a, id, in)
	})
}

func (s *Server) createStay(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.StayInput) (domain.OvernightStay, error) {
		return s.deps.Store.CreateOvernightStay(c.Request().Context(), a, in)
	})
}

// checkoutID reads the record id of a checkout; an id that is not a UUID cannot have reached
// the server, so it answers like a stay that has not arrived.
func checkoutID(c echo.Context, what string) (string, error) {
	id := c.Param("id")
	if !domain.ValidID(id) {
		return "", domain.NotFound(what)
	}
	return id, nil
}

func (s *Server) checkoutStay(c echo.Context) error {
	id, err := checkoutID(c, "overnight stay")
	if err != nil {
		return err
	}
	var in store.CheckoutInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Store.CheckoutOvernightStay(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listStays(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.OvernightStay], error) {
		return s.deps.Store.OvernightStays(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createStationing(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.StationingInput) (domain.Stationing, error) {
		return s.deps.Store.CreateStationing(c.Request().Context(), a, in)
	})
}

func (s *Server) checkoutStationing(c echo.Context) error {
	id, err := checkoutID(c, "stationing session")
	if err != nil {
		return err
	}
	var in store.CheckoutInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Store.CheckoutStationing(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listStationings(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Stationing], error) {
		return s.deps.Store.Stationings(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createTrigger(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.TriggerInput) (domain.VisitTrigger, error) {
		return s.deps.Store.CreateTrigger(c.Request().Context(), a, in)
	})
}

func (s *Server) listTriggers(c echo.Context) error {
	var f store.TriggerFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	if f.HouseholdID, err = queryID(c, "household_id"); err != nil {
		return err
	}
	if f.ResponsibleID, err = queryID(c, "responsible_id"); err != nil {
		return err
	}
	switch f.Status = c.QueryParam("status"); f.Status {
	case "", "open", "overdue", "closed":
	default:
		return domain.InvalidField("status", "must be open, overdue or closed")
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.VisitTrigger], error) {
		return s.deps.Store.Triggers(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createVisit(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.VisitInput) (domain.Visit, error) {
		return s.deps.Store.CreateVisit(c.Request().Context(), a, in)
	})
}

func (s *Server) listVisits(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Visit], error) {
		return s.deps.Store.Visits(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createTalkDay(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.TalkDayInput) (domain.TalkDay, error) {
		return s.deps.Store.CreateTalkDay(c.Request().Context(), a, in)
	})
}

func (s *Server) listTalkDays(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.TalkDay], error) {
		return s.deps.Store.TalkDays(c.Request().Context(), a, f, p)
	})
}

func (s *Server) putContactLink(c echo.Context) error {
	return update(c, "team member", func(a domain.Actor, id string, in store.ContactLinkInput) (domain.ContactLink, error) {
		return s.deps.Store.PutContactLink(c.Request().Context(), a, id, in)
	})
}

func (s *Server) officialProgress(c echo.Context) error {
	id, err := pathID(c, "id", "official")
	if err != nil {
		return err
	}
	date := s.deps.Store.Today()
	if d, err := queryDate(c, "date"); err != nil {
		return err
	} else if d != nil {
		date = *d
	}
	p, err := s.deps.Store.OfficialProgress(c.Request().Context(), actor(c), id, date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// scorecardColumns are the scorecard's columns with their Chinese headers, in order.
var scorecardColumns = []struct {
	header string
	value  func(store.ScorecardRow) any
}{
	{"姓名", func(r store.ScorecardRow) any { return r.DisplayName }},
	{"考核周数", func(r store.ScorecardRow) any { return r.Weeks }},
	{"住夜达标周数", func(r store.ScorecardRow) any { return r.WeeksMet }},
	{"应住夜晚数", func(r store.ScorecardRow) any { return r.NightsRequired }},
	{"实住夜晚数", func(r store.ScorecardRow) any { return r.NightsCounted }},
	{"下村蹲点天数", func(r store.ScorecardRow) any { return r.StationingDays }},
	{"全年应蹲点天数", func(r store.ScorecardRow) any { return r.StationingYear }},
	{"蹲点进度", func(r store.ScorecardRow) any { return r.StationingStatus }},
	{"接访排班天数", func(r store.ScorecardRow) any { return r.ReceptionAssigned }},
	{"接访到岗天数", func(r store.ScorecardRow) any { return r.ReceptionAttended }},
	{"接访准时天数", func(r store.ScorecardRow) any { return r.ReceptionOnTime }},
	{"必访按时", func(r store.ScorecardRow) any { return r.TriggersOnTime }},
	{"必访逾期完成", func(r store.ScorecardRow) any { return r.TriggersLate }},
	{"必访已超期", func(r store.ScorecardRow) any { return r.TriggersOverdue }},
	{"必访待办", func(r store.ScorecardRow) any { return r.TriggersOpen }},
	{"走访次数", func(r store.ScorecardRow) any { return r.Visits }},
	{"走访户数", func(r store.ScorecardRow) any { return r.HouseholdsVisited }},
	{"联系户数", func(r store.ScorecardRow) any { return r.LinkedHouseholds }},
	{"联系点状态", func(r store.ScorecardRow) any { return r.LinksStatus }},
	{"承办信访件", func(r store.ScorecardRow) any { return r.PetitionsAssigned }},
	{"按期答复", func(r store.ScorecardRow) any { return r.PetitionsOnTime }},
	{"抽查核查数", func(r store.ScorecardRow) any { return r.AuditsSampled }},
	{"抽查属实", func(r store.ScorecardRow) any { return r.AuditsConfirmed }},
	{"抽查存疑", func(r store.ScorecardRow) any { return r.AuditsDiscrepancies }},
	{"确认违规", func(r store.ScorecardRow) any { return r.AuditsViolations }},
}

func (s *Server) scorecard(c echo.Context) error {
	var in store.ScorecardInput
	var err error
	if in.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	if in.TownshipID == "" {
		return domain.InvalidField("township_id", "is required")
	}
	for name, dst := range map[string]*civil.Date{"from": &in.From, "to": &in.To} {
		d, err := queryDate(c, name)
		if err != nil {
			return err
		}
		if d == nil {
			return domain.InvalidField(name, "is required (YYYY-MM-DD)")
		}
		*dst = *d
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "xlsx" && format != "csv" {
		return domain.InvalidField("format", "must be json, xlsx or csv")
	}
	card, err := s.deps.Store.Scorecard(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("scorecard-%s-%s", in.From, in.To)
	switch format {
	case "xlsx":
		b, err := scorecardXLSX(card)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
	case "csv":
		c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", scorecardCSV(card))
	}
	return c.JSON(http.StatusOK, card)
}

// scorecardCSV writes the table with a UTF-8 byte-order mark, so that Excel reads the Chinese.
func scorecardCSV(card store.Scorecard) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	header := make([]string, len(scorecardColumns))
	for i, col := range scorecardColumns {
		header[i] = col.header
	}
	w.Write(header)
	for _, r := range card.Rows {
		rec := make([]string, len(scorecardColumns))
		for i, col := range scorecardColumns {
			rec[i] = fmt.Sprint(col.value(r))
		}
		w.Write(rec)
	}
	w.Flush()
	return b.Bytes()
}

func scorecardXLSX(card store.Scorecard) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "考核"
	f.SetSheetName("Sheet1", sheet)
	for i, col := range scorecardColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sheet, cell, col.header)
	}
	for r, row := range card.Rows {
		for i, col := range scorecardColumns {
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			f.SetCellValue(sheet, cell, col.value(row))
		}
	}
	f.SetCellValue(sheet, "A"+strconv.Itoa(len(card.Rows)+3), fmt.Sprintf("期间 %s 至 %s", card.From, card.To))
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
