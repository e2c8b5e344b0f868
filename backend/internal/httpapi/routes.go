package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/domain"
)

// Policy decides from the actor alone whether a route may be called at all. Township scope is
// applied by the store: a record of another township answers 404 exactly as a missing one.
type Policy func(domain.Actor) bool

// Route is one entry of the route table.
type Route struct {
	Method, Path string
	Allow        Policy // nil: public
	Handler      echo.HandlerFunc
}

func roles(rs ...domain.Role) Policy {
	return func(a domain.Actor) bool {
		for _, r := range rs {
			if a.Role == r {
				return true
			}
		}
		return false
	}
}

func anyOf(ps ...Policy) Policy {
	return func(a domain.Actor) bool {
		for _, p := range ps {
			if p(a) {
				return true
			}
		}
		return false
	}
}

// lead is the township's 主要领导.
func lead(a domain.Actor) bool { return a.Role == domain.RoleOfficial && a.Lead }

var (
	anyone   Policy = func(domain.Actor) bool { return true }
	admin           = roles(domain.RoleAdmin)
	staff           = roles(domain.RoleAdmin, domain.RoleInspector, domain.RoleOfficial, domain.RolePetitionOfficer)
	managers        = anyOf(admin, lead)
)

// routes is the API's route table: every endpoint and who may call it. Each feature keeps
// its part of the table beside its handlers.
func routes(s *Server) []Route {
	return concat(organisationRoutes(s), evidenceRoutes(s), dutyRoutes(s), petitionRoutes(s), auditRoutes(s))
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
		{http.MethodPost, "/auth/logout", anyone, s.logout},
		{http.MethodGet, "/me", anyone, s.me},
		{http.MethodGet, "/directory", nil, s.directory},

		{http.MethodGet, "/townships", staff, s.listTownships},
		{http.MethodPost, "/townships", admin, s.createTownship},
		{http.MethodGet, "/townships/:id", staff, s.getTownship},
		{http.MethodPatch, "/townships/:id", admin, s.updateTownship},

		{http.MethodGet, "/villages", staff, s.listVillages},
		{http.MethodPost, "/villages", admin, s.createVillage},
		{http.MethodGet, "/villages/:id", staff, s.getVillage},
		{http.MethodPatch, "/villages/:id", admin, s.updateVillage},

		{http.MethodGet, "/households", staff, s.listHouseholds},
		{http.MethodPost, "/households", roles(domain.RoleAdmin, domain.RoleOfficial), s.createHousehold},
		{http.MethodGet, "/households/:id", staff, s.getHousehold},
		{http.MethodPatch, "/households/:id", roles(domain.RoleAdmin, domain.RoleOfficial), s.updateHousehold},

		{http.MethodGet, "/users", staff, s.listUsers},
		{http.MethodPost, "/users", admin, s.createUser},
		{http.MethodGet, "/users/:id", staff, s.getUser},
		{http.MethodPatch, "/users/:id", admin, s.updateUser},

		{http.MethodGet, "/leaves", anyOf(managers, roles(domain.RoleInspector)), s.listLeaves},
		{http.MethodPost, "/leaves", managers, s.createLeave},
		{http.MethodDelete, "/leaves/:id", managers, s.deleteLeave},

		{http.MethodGet, "/holidays", staff, s.listHolidays},
		{http.MethodPut, "/holidays/:date", admin, s.putHoliday},
		{http.MethodDelete, "/holidays/:date", admin, s.deleteHoliday},

		{http.MethodGet, "/settings", staff, s.listSettings},
		{http.MethodPost, "/settings", admin, s.putSetting},
	}
}
