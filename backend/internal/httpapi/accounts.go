package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/activity"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/store"
)

// accountRoutes are the routes of issue 17: a user's own password, an admin's reset, the
// petition office's re-issue of a petitioner's PIN, and the activity log for those who
// oversee the district.
func accountRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/auth/password", access.Anyone, s.changePassword},
		{http.MethodPost, "/users/:id/password-reset", access.Admin, s.resetPassword},
		{http.MethodPost, "/petitions/:id/pin", access.Office, s.reissuePIN},
		{http.MethodGet, "/activity", access.LogReaders, s.listActivity},
		{http.MethodGet, "/activity/verify", access.LogReaders, s.verifyActivity},
	}
}

// openBeforePasswordChange are the routes a token of a user whose password was reset still
// opens: changing it, logging out and reading oneself.
var openBeforePasswordChange = map[string]bool{
	"POST /auth/password": true,
	"POST /auth/logout":   true,
	"GET /me":             true,
}

var errPasswordChangeRequired = domain.Errorf(domain.KindForbidden, "password_change_required",
	"your password was reset: change it first (POST /api/v1/auth/password with the temporary password as old_password)")

type passwordChangeBody struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// changePassword changes the caller's own password and answers a new login for this device:
// every refresh token the user had is revoked.
func (s *Server) changePassword(c echo.Context) error {
	var in passwordChangeBody
	if err := bind(c, &in); err != nil {
		return err
	}
	u, refresh, err := s.deps.App.Organisation.ChangePassword(c.Request().Context(), actor(c),
		organisation.PasswordChange{OldPassword: in.OldPassword, NewPassword: in.NewPassword}, c.RealIP())
	if err != nil {
		return err
	}
	return s.tokens(c, u, refresh)
}

// resetPassword gives a user a temporary password, shown once. It takes no fields; an empty
// body or {} will do.
func (s *Server) resetPassword(c echo.Context) error {
	id, err := pathID(c, "id", "user")
	if err != nil {
		return err
	}
	if c.Request().ContentLength != 0 {
		var in struct{}
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	out, err := s.deps.App.Organisation.ResetPassword(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// reissuePIN gives a petitioner who came to the counter a new PIN, shown once.
func (s *Server) reissuePIN(c echo.Context) error {
	id, err := pathID(c, "id", "petition")
	if err != nil {
		return err
	}
	var in petitions.PINReissue
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.App.Petitions.ReissuePIN(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listActivity(c echo.Context) error {
	f := activity.Filter{ActorID: c.QueryParam("actor"), Action: c.QueryParam("action"), Entity: c.QueryParam("entity"),
		EntityID: c.QueryParam("entity_id"), TownshipID: c.QueryParam("township_id")}
	var err error
	if f.From, err = queryDate(c, "from"); err != nil {
		return err
	}
	if f.To, err = queryDate(c, "to"); err != nil {
		return err
	}
	p := activity.PageRequest{Cursor: c.QueryParam("cursor")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return domain.InvalidField("limit", "must be a whole number from 1 to %d", store.MaxPageSize)
		}
		p.Limit = n
	}
	out, err := s.deps.App.Activity.List(c.Request().Context(), actor(c), f, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) verifyActivity(c echo.Context) error {
	out, err := s.deps.App.Activity.Verify(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
