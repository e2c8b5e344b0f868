package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
)

// Route is one entry of the route table: nil Allow is public.
type Route struct {
	Method, Path string
	Allow        access.Policy
	Handler      echo.HandlerFunc
}

// routes is the API's route table: every endpoint and who may call it. Each feature keeps
// its part of the table beside its handlers.
func routes(s *Server) []Route {
	return concat(organisationRoutes(s), evidenceRoutes(s), dutyRoutes(s), petitionRoutes(s), caseworkRoutes(s), auditRoutes(s), notificationRoutes(s), accountRoutes(s))
}

func concat(parts ...[]Route) []Route {
	var out []Route
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// organisationRoutes are the routes of auth and the organisation (§1, §6).
func organisationRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/auth/login", nil, s.login},
		{http.MethodPost, "/auth/refresh", nil, s.refresh},
		{http.MethodPost, "/auth/logout", access.Anyone, s.logout},
		{http.MethodGet, "/me", access.Anyone, s.me},
		{http.MethodGet, "/directory", nil, s.directory},

		{http.MethodGet, "/townships", access.Staff, s.listTownships},
		{http.MethodPost, "/townships", access.Admin, s.createTownship},
		{http.MethodGet, "/townships/:id", access.Staff, s.getTownship},
		{http.MethodPatch, "/townships/:id", access.Admin, s.updateTownship},

		{http.MethodGet, "/villages", access.Staff, s.listVillages},
		{http.MethodPost, "/villages", access.Admin, s.createVillage},
		{http.MethodGet, "/villages/:id", access.Staff, s.getVillage},
		{http.MethodPatch, "/villages/:id", access.Admin, s.updateVillage},

		{http.MethodGet, "/households", access.Staff, s.listHouseholds},
		{http.MethodPost, "/households", access.HouseholdEditors, s.createHousehold},
		{http.MethodGet, "/households/:id", access.Staff, s.getHousehold},
		{http.MethodPatch, "/households/:id", access.HouseholdEditors, s.updateHousehold},

		{http.MethodGet, "/users", access.Staff, s.listUsers},
		{http.MethodPost, "/users", access.Admin, s.createUser},
		{http.MethodGet, "/users/:id", access.Staff, s.getUser},
		{http.MethodPatch, "/users/:id", access.Admin, s.updateUser},

		{http.MethodGet, "/leaves", access.LeaveReaders, s.listLeaves},
		{http.MethodPost, "/leaves", access.Managers, s.createLeave},
		{http.MethodDelete, "/leaves/:id", access.Managers, s.deleteLeave},

		{http.MethodGet, "/holidays", access.Staff, s.listHolidays},
		{http.MethodPut, "/holidays/:date", access.Admin, s.putHoliday},
		{http.MethodDelete, "/holidays/:date", access.Admin, s.deleteHoliday},

		{http.MethodGet, "/settings", access.Staff, s.listSettings},
		{http.MethodPost, "/settings", access.Admin, s.putSetting},
	}
}
