package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/skip2/go-qrcode"

	"minxin/backend/internal/domain"
)

// qrPNGSize is the side of the PNG QR code, in pixels: enough to print on an A6 card.
const qrPNGSize = 512

// householdQR answers a household's QR token, as JSON or, with ?format=png, as a PNG QR code
// of the token to print.
func (s *Server) householdQR(c echo.Context) error {
	id, err := pathID(c, "id", "household")
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "png" {
		return domain.InvalidField("format", "must be json or png")
	}
	qr, err := s.deps.App.Organisation.IssueHouseholdQR(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	if format != "png" {
		return c.JSON(http.StatusOK, qr)
	}
	png, err := qrcode.Encode(qr.Token, qrcode.Medium, qrPNGSize)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", png)
}
