package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

type tokenResponse struct {
	AccessToken  string      `json:"access_token"`
	RefreshToken string      `json:"refresh_token"`
	ExpiresIn    int         `json:"expires_in"`
	User         domain.User `json:"user"`
	// MustChangePassword: the password was reset; this token opens only changing it
	// (POST /auth/password), logging out and GET /me.
	MustChangePassword bool `json:"must_change_password"`
}

func (s *Server) tokens(c echo.Context, u domain.User, refresh string) error {
	access, err := s.deps.Signer.Issue(u.Actor())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tokenResponse{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(auth.AccessTTL.Seconds()), User: u,
		MustChangePassword: u.MustChangePassword})
}

func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	var v domain.Invalid
	v.Check(in.Username != "", "username", "is required")
	v.Check(in.Password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.deps.App.Organisation.Login(ctx, in.Username, in.Password, c.RealIP())
	if err != nil {
		return err
	}
	refresh, err := s.deps.App.Organisation.IssueRefreshToken(ctx, u.ID, "")
	if err != nil {
		return err
	}
	return s.tokens(c, u, refresh)
}

func (s *Server) refresh(c echo.Context) error {
	var in refreshRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return domain.InvalidField("refresh_token", "is required")
	}
	u, next, err := s.deps.App.Organisation.Refresh(c.Request().Context(), in.RefreshToken)
	if err != nil {
		return err
	}
	return s.tokens(c, u, next)
}

// logout revokes the refresh token's family: every token of that login stops working. With
// no body it revokes every login of the user. Access tokens already issued expire on their
// own within 15 minutes.
func (s *Server) logout(c echo.Context) error {
	var in refreshRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	a, _ := actorOf(c)
	if err := s.deps.App.Organisation.Logout(c.Request().Context(), a.UserID, in.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) me(c echo.Context) error {
	a, _ := actorOf(c)
	u, err := s.deps.App.Organisation.UserByID(c.Request().Context(), a.UserID)
	if err != nil {
		return domain.Unauthenticated("invalid_token", "the user of this token no longer exists")
	}
	return c.JSON(http.StatusOK, u)
}
