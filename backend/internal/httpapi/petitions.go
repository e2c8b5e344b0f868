package httpapi

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/export"
	"minxin/backend/internal/petitions"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// petitionRoutes are the routes of petitions (信访件, §4). Submission, tracking and the
// petitioner's own actions are public: a villager without an account sends the tracking code
// and PIN instead of a token, and access decides from the channel who may register what.
// Inspectors read figures only.
func petitionRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/petitions", nil, s.submitPetition},
		{http.MethodGet, "/petitions", access.PetitionReaders, s.listPetitions},
		{http.MethodGet, "/petitions/track", nil, s.trackPetition},
		{http.MethodGet, "/petitions/figures", access.FigureReaders, s.petitionFigures},
		{http.MethodGet, "/petitions/:id", access.PetitionReaders, s.getPetition},
		{http.MethodPost, "/petitions/:id/accept", access.Office, act(s, petition.Accept, func(b acceptBody) petitions.ActionInput { return petitions.ActionInput{Note: b.Note} })},
		{http.MethodPost, "/petitions/:id/reject", access.Office, act(s, petition.Reject, func(b rejectBody) petitions.ActionInput {
			return petitions.ActionInput{Reason: b.Reason, Guidance: b.Guidance}
		})},
		{http.MethodPost, "/petitions/:id/assign", access.Office, act(s, petition.Assign, func(b assignBody) petitions.ActionInput { return petitions.ActionInput{HandlerID: b.HandlerID} })},
		{http.MethodPost, "/petitions/:id/extend", access.Office, act(s, petition.Extend, func(b extendBody) petitions.ActionInput {
			return petitions.ActionInput{Days: b.Days, Reason: b.Reason}
		})},
		{http.MethodPost, "/petitions/:id/reply", access.PetitionHandlers, act(s, petition.Reply, func(b replyBody) petitions.ActionInput { return petitions.ActionInput{Text: b.Text} })},
		{http.MethodPost, "/petitions/:id/feedback", nil, actAsPetitioner(s, petition.Feedback, func(b feedbackBody) (petitions.ActionInput, petitionerCredentials) {
			return petitions.ActionInput{Rating: b.Rating}, b.petitionerCredentials
		})},
		{http.MethodPost, "/petitions/:id/request-review", nil, actAsPetitioner(s, petition.RequestReview, reasonOnly)},
		{http.MethodPost, "/petitions/:id/review", access.Office, act(s, petition.Review, func(b opinionBody) petitions.ActionInput { return petitions.ActionInput{Opinion: b.Opinion} })},
		{http.MethodPost, "/petitions/:id/request-rereview", nil, actAsPetitioner(s, petition.RequestRereview, reasonOnly)},
		{http.MethodPost, "/petitions/:id/rereview", access.Office, act(s, petition.Rereview, func(b opinionBody) petitions.ActionInput { return petitions.ActionInput{Opinion: b.Opinion} })},
		{http.MethodPost, "/petitions/:id/withdraw", nil, actAsPetitioner(s, petition.Withdraw, reasonOnly)},
	}
}

type acceptBody struct {
	Note string `json:"note"`
}

type rejectBody struct {
	Reason   string `json:"reason"`
	Guidance string `json:"guidance"`
}

type assignBody struct {
	HandlerID string `json:"handler_id"`
}

type extendBody struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

type replyBody struct {
	Text string `json:"text"`
}

type opinionBody struct {
	Opinion string `json:"opinion"`
}

// petitionerCredentials are sent instead of a token by a petitioner without an account.
type petitionerCredentials struct {
	TrackingCode *string `json:"tracking_code"`
	PIN          *string `json:"pin"`
}

type feedbackBody struct {
	Rating string `json:"rating"`
	petitionerCredentials
}

type reasonBody struct {
	Reason string `json:"reason"`
	petitionerCredentials
}

func reasonOnly(b reasonBody) (petitions.ActionInput, petitionerCredentials) {
	return petitions.ActionInput{Reason: b.Reason}, b.petitionerCredentials
}

func (s *Server) submitPetition(c echo.Context) error {
	var in petitions.Input
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.App.Petitions.Submit(c.Request().Context(), optionalActor(c), in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) listPetitions(c echo.Context) error {
	var f petitions.Filter
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	if f.HandlerID, err = queryID(c, "handler_id"); err != nil {
		return err
	}
	f.State = c.QueryParam("state")
	switch c.QueryParam("overdue") {
	case "":
	case "true":
		f.Overdue = ptr(true)
	case "false":
		f.Overdue = ptr(false)
	default:
		return domain.InvalidField("overdue", "must be true or false")
	}
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[petitions.Petition], error) {
		return s.deps.App.Petitions.Petitions(c.Request().Context(), a, f, p)
	})
}

func (s *Server) getPetition(c echo.Context) error {
	return get(c, "petition", func(a domain.Actor, id string) (petitions.Petition, error) {
		return s.deps.App.Petitions.Petition(c.Request().Context(), a, id)
	})
}

func (s *Server) trackPetition(c echo.Context) error {
	cred := petitions.Credentials{TrackingCode: c.QueryParam("code"), PIN: c.QueryParam("pin")}
	out, err := s.deps.App.Petitions.Track(c.Request().Context(), cred, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// act is the handler of an office or handler action: bind the action's body, act as the
// logged-in actor.
func act[B any](s *Server, action petition.Action, input func(B) petitions.ActionInput) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", "petition")
		if err != nil {
			return err
		}
		var b B
		if err := bind(c, &b); err != nil {
			return err
		}
		out, err := s.deps.App.Petitions.Act(c.Request().Context(), actor(c), id, action, input(b))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// actAsPetitioner is the handler of a petitioner's action: with the tracking code and PIN in
// the body when they are sent — answered with what tracking shows, never the office's view —
// else as the logged-in villager.
func actAsPetitioner[B any](s *Server, action petition.Action, input func(B) (petitions.ActionInput, petitionerCredentials)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", "petition")
		if err != nil {
			return err
		}
		var b B
		if err := bind(c, &b); err != nil {
			return err
		}
		in, pc := input(b)
		ctx := c.Request().Context()
		if pc.TrackingCode != nil || pc.PIN != nil {
			cred := petitions.Credentials{}
			if pc.TrackingCode != nil {
				cred.TrackingCode = *pc.TrackingCode
			}
			if pc.PIN != nil {
				cred.PIN = *pc.PIN
			}
			out, err := s.deps.App.Petitions.ActWithPIN(ctx, cred, c.RealIP(), id, action, in)
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, out)
		}
		a, ok := actorOf(c)
		if !ok {
			return domain.Unauthenticated("unauthenticated", "log in, or send the petition's tracking_code and pin")
		}
		out, err := s.deps.App.Petitions.Act(ctx, a, id, action, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// petitionFigures answers the figures as JSON, or as a spreadsheet with format=xlsx or csv.
func (s *Server) petitionFigures(c echo.Context) error {
	reportFreshness(c)
	var f petitions.FigureFilter
	var v domain.Invalid
	var err error
	if f.TownshipID, err = queryID(c, "township_id"); err != nil {
		return err
	}
	for _, q := range []struct {
		name string
		dst  *civil.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if raw := c.QueryParam(q.name); raw != "" {
			d, err := civil.Parse(raw)
			v.Check(err == nil, q.name, "must be a date (YYYY-MM-DD)")
			*q.dst = d
		}
	}
	format := c.QueryParam("format")
	v.Check(format == "" || format == "json" || format == "xlsx" || format == "csv", "format", "must be json, xlsx or csv")
	if err := v.Err(); err != nil {
		return err
	}
	out, err := s.deps.App.Petitions.Figures(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	if format == "xlsx" || format == "csv" {
		return sendTable(c, format, fmt.Sprintf("petitions_%s_%s", f.From, f.To), fmt.Sprintf("信访统计_%s_%s", f.From, f.To),
			export.Sheet{Name: "信访统计", Rows: figureTable(out)})
	}
	return c.JSON(http.StatusOK, out)
}
