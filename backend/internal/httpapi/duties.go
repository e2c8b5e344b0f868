package httpapi

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/scorecard"
	"minxin/backend/internal/store"
)

// dutyRoutes are the routes of field duties, progress and scorecards (§2, §3).
func dutyRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/reception-days/generate", access.Office, s.generateReceptionDays},
		{http.MethodGet, "/reception-days", access.Staff, s.listReceptionDays},
		{http.MethodGet, "/reception-days/:id", access.Staff, s.getReceptionDay},
		{http.MethodPost, "/reception-days/:id/reassign", access.Office, s.reassignReceptionDay},
		{http.MethodPost, "/reception-days/:id/checkin", access.TeamMember, s.checkinReception},

		{http.MethodPost, "/overnight-stays", access.TeamMember, s.createStay},
		{http.MethodPost, "/overnight-stays/:id/checkout", access.TeamMember, s.checkoutStay},
		{http.MethodGet, "/overnight-stays", access.FieldReaders, s.listStays},

		{http.MethodPost, "/stationings", access.TeamMember, s.createStationing},
		{http.MethodPost, "/stationings/:id/checkout", access.TeamMember, s.checkoutStationing},
		{http.MethodGet, "/stationings", access.FieldReaders, s.listStationings},

		{http.MethodPost, "/visit-triggers", access.TriggerRecorders, s.createTrigger},
		{http.MethodGet, "/visit-triggers", access.Staff, s.listTriggers},
		{http.MethodPost, "/visits", access.Official, s.createVisit},
		{http.MethodGet, "/visits", access.FieldReaders, s.listVisits},

		{http.MethodPost, "/talk-days", access.Official, s.createTalkDay},
		{http.MethodGet, "/talk-days", access.Staff, s.listTalkDays},
		{http.MethodPut, "/contact-links/:id", access.Managers, s.putContactLink},

		{http.MethodGet, "/progress/officials/:id", access.FieldReaders, s.officialProgress},
		{http.MethodGet, "/scorecards", access.ScorecardReaders, s.scorecard},
	}
}

// fieldFilter reads ?township_id=&official_id=&from=&to=.
func fieldFilter(c echo.Context) (duties.FieldFilter, error) {
	var f duties.FieldFilter
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
	var in duties.RotaInput
	if err := bind(c, &in); err != nil {
		return err
	}
	days, err := s.deps.App.Duties.GenerateReceptionDays(c.Request().Context(), actor(c), in)
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
	days, err := s.deps.App.Duties.ReceptionDays(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": days})
}

func (s *Server) getReceptionDay(c echo.Context) error {
	return get(c, "reception day", func(a domain.Actor, id string) (duties.ReceptionDayWithHistory, error) {
		return s.deps.App.Duties.ReceptionDay(c.Request().Context(), a, id)
	})
}

func (s *Server) reassignReceptionDay(c echo.Context) error {
	return update(c, "reception day", func(a domain.Actor, id string, in duties.ReassignInput) (duties.ReceptionDayWithHistory, error) {
		return s.deps.App.Duties.ReassignReceptionDay(c.Request().Context(), a, id, in)
	})
}

func (s *Server) checkinReception(c echo.Context) error {
	return update(c, "reception day", func(a domain.Actor, id string, in duties.CheckoutInput) (domain.ReceptionDay, error) {
		return s.deps.App.Duties.CheckinReception(c.Request().Context(), a, id, in)
	})
}

func (s *Server) createStay(c echo.Context) error {
	return create(c, func(a domain.Actor, in duties.StayInput) (domain.OvernightStay, error) {
		return s.deps.App.Duties.CreateOvernightStay(c.Request().Context(), a, in)
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
	var in duties.CheckoutInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.App.Duties.CheckoutOvernightStay(c.Request().Context(), actor(c), id, in)
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
		return s.deps.App.Duties.OvernightStays(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createStationing(c echo.Context) error {
	return create(c, func(a domain.Actor, in duties.StationingInput) (domain.Stationing, error) {
		return s.deps.App.Duties.CreateStationing(c.Request().Context(), a, in)
	})
}

func (s *Server) checkoutStationing(c echo.Context) error {
	id, err := checkoutID(c, "stationing session")
	if err != nil {
		return err
	}
	var in duties.CheckoutInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.App.Duties.CheckoutStationing(c.Request().Context(), actor(c), id, in)
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
		return s.deps.App.Duties.Stationings(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createTrigger(c echo.Context) error {
	return create(c, func(a domain.Actor, in duties.TriggerInput) (domain.VisitTrigger, error) {
		return s.deps.App.Duties.CreateTrigger(c.Request().Context(), a, in)
	})
}

func (s *Server) listTriggers(c echo.Context) error {
	var f duties.TriggerFilter
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
		return s.deps.App.Duties.Triggers(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createVisit(c echo.Context) error {
	return create(c, func(a domain.Actor, in duties.VisitInput) (domain.Visit, error) {
		return s.deps.App.Duties.CreateVisit(c.Request().Context(), a, in)
	})
}

func (s *Server) listVisits(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Visit], error) {
		return s.deps.App.Duties.Visits(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createTalkDay(c echo.Context) error {
	return create(c, func(a domain.Actor, in duties.TalkDayInput) (domain.TalkDay, error) {
		return s.deps.App.Duties.CreateTalkDay(c.Request().Context(), a, in)
	})
}

func (s *Server) listTalkDays(c echo.Context) error {
	f, err := fieldFilter(c)
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.TalkDay], error) {
		return s.deps.App.Duties.TalkDays(c.Request().Context(), a, f, p)
	})
}

func (s *Server) putContactLink(c echo.Context) error {
	return update(c, "team member", func(a domain.Actor, id string, in duties.ContactLinkInput) (domain.ContactLink, error) {
		return s.deps.App.Duties.PutContactLink(c.Request().Context(), a, id, in)
	})
}

func (s *Server) officialProgress(c echo.Context) error {
	id, err := pathID(c, "id", "official")
	if err != nil {
		return err
	}
	date := s.deps.App.Store.Today()
	if d, err := queryDate(c, "date"); err != nil {
		return err
	} else if d != nil {
		date = *d
	}
	p, err := s.deps.App.Duties.OfficialProgress(c.Request().Context(), actor(c), id, date)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) scorecard(c echo.Context) error {
	reportFreshness(c)
	var in scorecard.Input
	var err error
	if in.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	for _, q := range []struct {
		name string
		dst  *civil.Date
	}{{"from", &in.From}, {"to", &in.To}} { // in this order: the same request is refused alike every time
		name, dst := q.name, q.dst
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
	name := fmt.Sprintf("scorecard-%s-%s", in.From, in.To)
	download := format == "xlsx" || format == "csv"
	if in.TownshipID == "" {
		// The district view (全区一张表): every township in the reader's scope.
		d, err := s.deps.App.Scorecards.District(c.Request().Context(), actor(c), in)
		switch {
		case err != nil:
			return err
		case format == "csv":
			return sendTable(c, format, name, "", scorecardSheet("考核", true, d.Townships...))
		case download:
			return sendTable(c, format, name, "", districtSheets(d)...)
		}
		return c.JSON(http.StatusOK, d)
	}
	card, err := s.deps.App.Scorecards.Township(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	if download {
		return sendTable(c, format, name, "", scorecardSheet("考核", false, card))
	}
	return c.JSON(http.StatusOK, card)
}
