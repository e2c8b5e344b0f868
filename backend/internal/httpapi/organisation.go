package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/store"
)

func (s *Server) createTownship(c echo.Context) error {
	return create(c, func(a domain.Actor, in organisation.TownshipInput) (domain.Township, error) {
		return s.deps.App.Organisation.CreateTownship(c.Request().Context(), a, in)
	})
}

func (s *Server) updateTownship(c echo.Context) error {
	return update(c, "township", func(a domain.Actor, id string, in organisation.TownshipInput) (domain.Township, error) {
		return s.deps.App.Organisation.UpdateTownship(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getTownship(c echo.Context) error {
	return get(c, "township", func(a domain.Actor, id string) (domain.Township, error) {
		return s.deps.App.Organisation.Township(c.Request().Context(), a, id)
	})
}

func (s *Server) listTownships(c echo.Context) error {
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Township], error) {
		return s.deps.App.Organisation.Townships(c.Request().Context(), a, p)
	})
}

func (s *Server) createVillage(c echo.Context) error {
	return create(c, func(a domain.Actor, in organisation.VillageInput) (domain.Village, error) {
		return s.deps.App.Organisation.CreateVillage(c.Request().Context(), a, in)
	})
}

func (s *Server) updateVillage(c echo.Context) error {
	return update(c, "village", func(a domain.Actor, id string, in organisation.VillageInput) (domain.Village, error) {
		return s.deps.App.Organisation.UpdateVillage(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getVillage(c echo.Context) error {
	return get(c, "village", func(a domain.Actor, id string) (domain.Village, error) {
		return s.deps.App.Organisation.Village(c.Request().Context(), a, id)
	})
}

func (s *Server) listVillages(c echo.Context) error {
	township, err := queryID(c, "township_id")
	if err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Village], error) {
		return s.deps.App.Organisation.Villages(c.Request().Context(), a, township, p)
	})
}

func (s *Server) createHousehold(c echo.Context) error {
	return create(c, func(a domain.Actor, in organisation.HouseholdInput) (domain.Household, error) {
		return s.deps.App.Organisation.CreateHousehold(c.Request().Context(), a, in)
	})
}

func (s *Server) updateHousehold(c echo.Context) error {
	return update(c, "household", func(a domain.Actor, id string, in organisation.HouseholdInput) (domain.Household, error) {
		return s.deps.App.Organisation.UpdateHousehold(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getHousehold(c echo.Context) error {
	return get(c, "household", func(a domain.Actor, id string) (domain.Household, error) {
		return s.deps.App.Organisation.Household(c.Request().Context(), a, id)
	})
}

func (s *Server) listHouseholds(c echo.Context) error {
	var f organisation.HouseholdFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	if f.VillageID, err = queryID(c, "village_id"); err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Household], error) {
		return s.deps.App.Organisation.Households(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createUser(c echo.Context) error {
	return create(c, func(a domain.Actor, in organisation.UserRequest) (domain.User, error) {
		return s.deps.App.Organisation.CreateUser(c.Request().Context(), a.UserID, in.NewUser())
	})
}

func (s *Server) updateUser(c echo.Context) error {
	return update(c, "user", func(a domain.Actor, id string, in organisation.UserInput) (domain.User, error) {
		return s.deps.App.Organisation.UpdateUser(c.Request().Context(), a, id, in)
	})
}

func (s *Server) getUser(c echo.Context) error {
	return get(c, "user", func(a domain.Actor, id string) (domain.User, error) {
		return s.deps.App.Organisation.User(c.Request().Context(), a, id)
	})
}

func (s *Server) listUsers(c echo.Context) error {
	var f organisation.UserFilter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	f.Role = domain.Role(c.QueryParam("role"))
	if f.Role != "" && !f.Role.Valid() {
		return domain.InvalidField("role", "must be one of admin, inspector, official, petition_officer, villager")
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.User], error) {
		return s.deps.App.Organisation.Users(c.Request().Context(), a, f, p)
	})
}

func (s *Server) createLeave(c echo.Context) error {
	return create(c, func(a domain.Actor, in organisation.LeaveInput) (domain.Leave, error) {
		return s.deps.App.Organisation.CreateLeave(c.Request().Context(), a, in.Leave())
	})
}

func (s *Server) deleteLeave(c echo.Context) error {
	id, err := pathID(c, "id", "leave")
	if err != nil {
		return err
	}
	if err := s.deps.App.Organisation.DeleteLeave(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listLeaves(c echo.Context) error {
	var f organisation.LeaveFilter
	var err error
	if f.UserID, err = queryID(c, "user_id"); err != nil {
		return err
	}
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[domain.Leave], error) {
		return s.deps.App.Organisation.Leaves(c.Request().Context(), a, f, p)
	})
}

func (s *Server) listHolidays(c echo.Context) error {
	year := civil.Of(s.deps.App.Store.Now(), s.deps.App.Store.Location()).Year
	if y := c.QueryParam("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return domain.InvalidField("year", "must be a year from 2000 to 2100")
		}
		year = n
	}
	hs, err := s.deps.App.Organisation.Holidays(c.Request().Context(), year)
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

func (s *Server) putHoliday(c echo.Context) error {
	d, err := pathDate(c)
	if err != nil {
		return err
	}
	var in organisation.HolidayInput
	if err := bind(c, &in); err != nil {
		return err
	}
	h, err := in.Holiday(d)
	if err != nil {
		return err
	}
	if h, err = s.deps.App.Organisation.PutHoliday(c.Request().Context(), actor(c), h); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h)
}

func (s *Server) deleteHoliday(c echo.Context) error {
	d, err := pathDate(c)
	if err != nil {
		return err
	}
	if err := s.deps.App.Organisation.DeleteHoliday(c.Request().Context(), actor(c), d); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listSettings answers the settings in force on ?date= (default today) and, with
// ?history=true, every value ever recorded.
func (s *Server) listSettings(c echo.Context) error {
	ctx := c.Request().Context()
	if c.QueryParam("history") == "true" {
		h, err := s.deps.App.Store.SettingHistory(ctx)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]any{"items": h})
	}
	d := s.deps.App.Store.Today()
	if q := c.QueryParam("date"); q != "" {
		var err error
		if d, err = civil.Parse(q); err != nil {
			return domain.InvalidField("date", "must be a date written YYYY-MM-DD")
		}
	}
	st, err := s.deps.App.Store.SettingsOn(ctx, d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"date": d, "values": st})
}

func (s *Server) putSetting(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.SettingInput) (domain.Setting, error) {
		return s.deps.App.Store.PutSetting(c.Request().Context(), a, in)
	})
}

// directory answers the public directory: township and village names and petition categories.
func (s *Server) directory(c echo.Context) error {
	d, err := s.deps.App.Organisation.PublicDirectory(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
