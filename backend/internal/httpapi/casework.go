package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/petition"
)

// caseworkRoutes are the routes of casework (§7): the written notices of a petition, for the
// office and for the petitioner with code and PIN; transfer (转送); supervision (督办) by the
// district petition office and the township's answers.
func caseworkRoutes(s *Server) []Route {
	return []Route{
		{http.MethodGet, "/petitions/supervision", access.DistrictOffice, s.supervisionList},
		{http.MethodGet, "/petitions/track/notices", nil, s.trackedNotices},
		{http.MethodGet, "/petitions/track/notices/:id", nil, s.trackedNoticeFile},
		{http.MethodGet, "/petitions/:id/notices", access.PetitionReaders, s.petitionNotices},
		{http.MethodGet, "/notices/:id", access.PetitionReaders, s.noticeFile},
		{http.MethodPost, "/petitions/:id/transfer", access.Office, act(s, petition.Transfer, func(b transferBody) petitions.ActionInput {
			return petitions.ActionInput{ToTownshipID: b.ToTownshipID, ToAgency: b.ToAgency, Reason: b.Reason}
		})},
		{http.MethodPost, "/petitions/:id/supervise", access.DistrictOffice, s.supervise},
		{http.MethodPost, "/petitions/:id/supervision-answer", access.SupervisionAnswerers, s.answerSupervision},
	}
}

type transferBody struct {
	ToTownshipID string `json:"to_township_id"`
	ToAgency     string `json:"to_agency"`
	Reason       string `json:"reason"`
}

type superviseBody struct {
	Note  string      `json:"note"`
	ActBy *civil.Date `json:"act_by"`
}

type answerBody struct {
	Text string `json:"text"`
}

func (s *Server) petitionNotices(c echo.Context) error {
	return get(c, "petition", func(a domain.Actor, id string) (petitions.Notices, error) {
		return s.deps.App.Petitions.Notices(c.Request().Context(), a, id)
	})
}

func (s *Server) noticeFile(c echo.Context) error {
	id, err := pathID(c, "id", "notice")
	if err != nil {
		return err
	}
	f, err := s.deps.App.Petitions.NoticeFile(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return sendNotice(c, f)
}

// trackingCredentials are the tracking code and PIN of the query string.
func trackingCredentials(c echo.Context) petitions.Credentials {
	return petitions.Credentials{TrackingCode: c.QueryParam("code"), PIN: c.QueryParam("pin")}
}

func (s *Server) trackedNotices(c echo.Context) error {
	out, err := s.deps.App.Petitions.TrackedNotices(c.Request().Context(), trackingCredentials(c), c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// trackedNoticeFile checks the code and PIN first, so that a wrong PIN, an unknown code and
// a notice of another petition answer alike whatever the id.
func (s *Server) trackedNoticeFile(c echo.Context) error {
	f, err := s.deps.App.Petitions.TrackedNoticeFile(c.Request().Context(), trackingCredentials(c), c.RealIP(), c.Param("id"))
	if err != nil {
		return err
	}
	return sendNotice(c, f)
}

// sendNotice answers a notice's PDF, the bytes kept when it was issued, as a download named
// by its number, with its SHA-256 as the ETag.
func sendNotice(c echo.Context, f petitions.NoticeFile) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+f.Number+`.pdf"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("ETag", `"`+f.SHA256+`"`)
	return c.Blob(http.StatusOK, "application/pdf", f.PDF)
}

func (s *Server) supervisionList(c echo.Context) error {
	out, err := s.deps.App.Petitions.SupervisionList(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) supervise(c echo.Context) error {
	id, err := pathID(c, "id", "petition")
	if err != nil {
		return err
	}
	var b superviseBody
	if err := bind(c, &b); err != nil {
		return err
	}
	out, err := s.deps.App.Petitions.Supervise(c.Request().Context(), actor(c), id, petitions.SuperviseInput{Note: b.Note, ActBy: b.ActBy})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) answerSupervision(c echo.Context) error {
	id, err := pathID(c, "id", "petition")
	if err != nil {
		return err
	}
	var b answerBody
	if err := bind(c, &b); err != nil {
		return err
	}
	out, err := s.deps.App.Petitions.AnswerSupervision(c.Request().Context(), actor(c), id, petitions.AnswerInput{Text: b.Text})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
