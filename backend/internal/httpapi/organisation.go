package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

func actor(c echo.Context) domain.Actor {
	a, _ := actorOf(c)
	return a
}

// create binds a body, calls the store and answers 201 with the record.
func create[In, Out any](c echo.Context, fn func(domain.Actor, In) (Out, error)) error {
	var in In
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := fn(actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// update binds a body for the record named by the path's :id and answers 200.
func update[In, Out any](c echo.Context, what string, fn func(domain.Actor, string, In) (Out, error)) error {
	id, err := pathID(c, "id", what)
	if err != nil {
		return err
	}
	var in In
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := fn(actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// get answers the record named by the path's :id.
func get[Out any](c echo.Context, what string, fn func(domain.Actor, string) (Out, error)) error {
	id, err := pathID(c, "id", what)
	if err != nil {
		return err
	}
	out, err := fn(actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// list answers one page of a collection.
func list[Out any](c echo.Context, fn func(domain.Actor, store.PageRequest) (store.Page[Out], error)) error {
	p, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := fn(actor(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) createTownship(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.TownshipInput) (domain.Township, error) {
		return s.deps.Store.CreateTownship(c.Request().Context(), a, in)
	})
}

func (s *Server) updateTownship(c echo.Context) error {
	return update(c, "township", func(a domain.Actor, id string, in store.TownshipInput) (domain.Township, error) {
		return s.deps.Store.UpdateTownship(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getTownship(c echo.Context) error {
	return get(c, "township", func(a domain.Actor, id string) (domain.Township, error) {
		return s.deps.Store.Township(c.Request().Context(), a, id)
	})
}

func (s *Server) listTownships(c echo.Context) error {
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Township], error) {
		return s.deps.Store.Townships(c.Request().Context(), a, p)
	})
}

func (s *Server) createVillage(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.VillageInput) (domain.Village, error) {
		return s.deps.Store.CreateVillage(c.Request().Context(), a, in)
	})
}

func (s *Server) updateVillage(c echo.Context) error {
	return update(c, "village", func(a domain.Actor, id string, in store.VillageInput) (domain.Village, error) {
		return s.deps.Store.UpdateVillage(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getVillage(c echo.Context) error {
	return get(c, "village", func(a domain.Actor, id string) (domain.Village, error) {
		return s.deps.Store.Village(c.Request().Context(), a, id)
	})
}

func (s *Server) listVillages(c echo.Context) error {
	township, err := queryID(c, "township_id")
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Village], error) {
		return s.deps.Store.Villages(c.Request().Context(), a, township, p)
	})
}

func (s *Server) createHousehold(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.HouseholdInput) (domain.Household, error) {
		return s.deps.Store.CreateHousehold(c.Request().Context(), a, in)
	})
}

func (s *Server) updateHousehold(c echo.Context) error {
	return update(c, "household", func(a domain.Actor, id string, in store.HouseholdInput) (domain.Household, error) {
		return s.deps.Store.UpdateHousehold(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getHousehold(c echo.Context) error {
	return get(c, "household", func(a domain.Actor, id string) (domain.Household, error) {
		return s.deps.Store.Household(c.Request().Context(), a, id)
	})
}

func (s *Server) listHouseholds(c echo.Context) error {
	var f store.HouseholdFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	if f.VillageID, err = queryID(c, "village_id"); err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Household], error) {
		return s.deps.Store.Households(c.Request().Context(), a, f, p)
	})
}

// newUserRequest is the body of POST /users.
type newUserRequest struct {
	Username    string      `json:"username"`
	Password    string      `json:"password"`
	DisplayName string      `json:"display_name"`
	Role        domain.Role `json:"role"`
	TownshipID  *string     `json:"township_id"`
	TeamMember  bool        `json:"team_member"`
	Lead        bool        `json:"lead"`
	AppointedOn *civil.Date `json:"appointed_on"`
}

func (s *Server) createUser(c echo.Context) error {
	return create(c, func(a domain.Actor, in newUserRequest) (domain.User, error) {
		return s.deps.Store.CreateUser(c.Request().Context(), a.UserID, store.NewUser{
			User: domain.User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, TownshipID: in.TownshipID,
				TeamMember: in.TeamMember, Lead: in.Lead, AppointedOn: in.AppointedOn},
			Password: in.Password,
		})
	})
}

func (s *Server) updateUser(c echo.Context) error {
	return update(c, "user", func(a domain.Actor, id string, in store.UserInput) (domain.User, error) {
		return s.deps.Store.UpdateUser(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getUser(c echo.Context) error {
	return get(c, "user", func(a domain.Actor, id string) (domain.User, error) {
		return s.deps.Store.User(c.Request().Context(), a, id)
	})
}

func (s *Server) listUsers(c echo.Context) error {
	var f store.UserFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	f.Role = domain.Role(c.QueryParam("role"))
	if f.Role != "" && !f.Role.Valid() {
		return domain.InvalidField("role", "must be one of admin, inspector, official, petition_officer, villager")
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.User], error) {
		return s.deps.Store.Users(c.Request().Context(), a, f, p)
	})
}

// leaveRequest is the body of POST /leaves.
type leaveRequest struct {
	UserID    string     `json:"user_id"`
	StartDate civil.Date `json:"start_date"`
	EndDate   civil.Date `json:"end_date"`
	Reason    string     `json:"reason"`
}

func (s *Server) createLeave(c echo.Context) error {
	return create(c, func(a domain.Actor, in leaveRequest) (domain.Leave, error) {
		return s.deps.Store.CreateLeave(c.Request().Context(), a,
			domain.Leave{UserID: in.UserID, StartDate: in.StartDate, EndDate: in.EndDate, Reason: in.Reason})
	})
}

func (s *Server) deleteLeave(c echo.Context) error {
	id, err := pathID(c, "id", "leave")
	if err != nil {
		return err
	}
	if err := s.deps.Store.DeleteLeave(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listLeaves(c echo.Context) error {
	var f store.LeaveFilter
	var err error
	if f.UserID, err = queryID(c, "user_id"); err != nil {
		return err
	}
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Leave], error) {
		return s.deps.Store.Leaves(c.Request().Context(), a, f, p)
	})
}

func (s *Server) listHolidays(c echo.Context) error {
	year := civil.Of(s.deps.Store.Now(), s.deps.Store.Location()).Year
	if y := c.QueryParam("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return domain.InvalidField("year", "must be a year from 2000 to 2100")
		}
		year = n
	}
	hs, err := s.deps.Store.Holidays(c.Request().Context(), year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"year": year, "items": hs})
}

func pathDate(c echo.Context) (civil.Date, error) {
	d, err := civil.Parse(c.Param("date"))
	if err != nil {
		return d, domain.InvalidField("date", "must be a date written YYYY-MM-DD")
	}
	return d, nil
}

// holidayRequest is the body of PUT /holidays/{date}.
type holidayRequest struct {
	Working *bool  `json:"working"`
	Name    string `json:"name"`
}

func (s *Server) putHoliday(c echo.Context) error {
	d, err := pathDate(c)
	if err != nil {
		return err
	}
	var in holidayRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Working == nil {
		return domain.InvalidField("working", "is required: false for a day off, true for a make-up working day")
	}
	h, err := s.deps.Store.PutHoliday(c.Request().Context(), actor(c), domain.Holiday{Date: d, Working: *in.Working, Name: in.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) deleteHoliday(c echo.Context) error {
	d, err := pathDate(c)
	if err != nil {
		return err
	}
	if err := s.deps.Store.DeleteHoliday(c.Request().Context(), actor(c), d); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listSettings answers the settings in force on ?date= (default today) and, with
// ?history=true, every value ever recorded.
func (s *Server) listSettings(c echo.Context) error {
	ctx := c.Request().Context()
	if c.QueryParam("history") == "true" {
		h, err := s.deps.Store.SettingHistory(ctx)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"items": h})
	}
	d := s.deps.Store.Today()
	if q := c.QueryParam("date"); q != "" {
		var err error
		if d, err = civil.Parse(q); err != nil {
			return domain.InvalidField("date", "must be a date written YYYY-MM-DD")
		}
	}
	st, err := s.deps.Store.SettingsOn(ctx, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"date": d, "values": st})
}

func (s *Server) putSetting(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.SettingInput) (domain.Setting, error) {
		return s.deps.Store.PutSetting(c.Request().Context(), a, in)
	})
}

// directory answers the public directory: township and village names and petition categories.
func (s *Server) directory(c echo.Context) error {
	d, err := s.deps.Store.PublicDirectory(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
