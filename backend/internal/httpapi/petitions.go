package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Who may call the petition routes (§4). Submission, tracking and the petitioner's own actions
// are public: a villager without an account sends the tracking code and PIN instead of a token,
// and the store decides from the channel who may register what. Inspectors read figures only.
var (
	petitionReaders  = roles(domain.RoleAdmin, domain.RoleOfficial, domain.RolePetitionOfficer, domain.RoleVillager)
	petitionOffice   = roles(domain.RoleAdmin, domain.RolePetitionOfficer)
	petitionHandlers = roles(domain.RoleAdmin, domain.RolePetitionOfficer, domain.RoleOfficial)
	petitionFigures  = anyOf(roles(domain.RoleAdmin, domain.RoleInspector, domain.RolePetitionOfficer), lead)
)

// petitionRoutes are the routes of petitions (信访件, §4).
func petitionRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/petitions", nil, s.submitPetition},
		{http.MethodGet, "/petitions", petitionReaders, s.listPetitions},
		{http.MethodGet, "/petitions/track", nil, s.trackPetition},
		{http.MethodGet, "/petitions/figures", petitionFigures, s.petitionFigures},
		{http.MethodGet, "/petitions/:id", petitionReaders, s.getPetition},
		{http.MethodPost, "/petitions/:id/accept", petitionOffice, act(s, petition.Accept, func(b acceptBody) store.ActionInput { return store.ActionInput{Note: b.Note} })},
		{http.MethodPost, "/petitions/:id/reject", petitionOffice, act(s, petition.Reject, func(b rejectBody) store.ActionInput {
			return store.ActionInput{Reason: b.Reason, Guidance: b.Guidance}
		})},
		{http.MethodPost, "/petitions/:id/assign", petitionOffice, act(s, petition.Assign, func(b assignBody) store.ActionInput { return store.ActionInput{HandlerID: b.HandlerID} })},
		{http.MethodPost, "/petitions/:id/extend", petitionOffice, act(s, petition.Extend, func(b extendBody) store.ActionInput {
			return store.ActionInput{Days: b.Days, Reason: b.Reason}
		})},
		{http.MethodPost, "/petitions/:id/reply", petitionHandlers, act(s, petition.Reply, func(b replyBody) store.ActionInput { return store.ActionInput{Text: b.Text} })},
		{http.MethodPost, "/petitions/:id/feedback", nil, actAsPetitioner(s, petition.Feedback, func(b feedbackBody) (store.ActionInput, petitionerCredentials) {
			return store.ActionInput{Rating: b.Rating}, b.petitionerCredentials
		})},
		{http.MethodPost, "/petitions/:id/request-review", nil, actAsPetitioner(s, petition.RequestReview, reasonOnly)},
		{http.MethodPost, "/petitions/:id/review", petitionOffice, act(s, petition.Review, func(b opinionBody) store.ActionInput { return store.ActionInput{Opinion: b.Opinion} })},
		{http.MethodPost, "/petitions/:id/request-rereview", nil, actAsPetitioner(s, petition.RequestRereview, reasonOnly)},
		{http.MethodPost, "/petitions/:id/rereview", petitionOffice, act(s, petition.Rereview, func(b opinionBody) store.ActionInput { return store.ActionInput{Opinion: b.Opinion} })},
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

func reasonOnly(b reasonBody) (store.ActionInput, petitionerCredentials) {
	return store.ActionInput{Reason: b.Reason}, b.petitionerCredentials
}

// optionalActor is the logged-in actor, or nil on a public route called without a token.
func optionalActor(c echo.Context) *domain.Actor {
	if a, ok := actorOf(c); ok {
		return &a
	}
	return nil
}

func (s *Server) submitPetition(c echo.Context) error {
	var in store.PetitionInput
	if err := bind(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Store.SubmitPetition(c.Request().Context(), optionalActor(c), in, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) listPetitions(c echo.Context) error {
	var f store.PetitionFilter
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
	return list(c, func(a domain.Actor, p store.PageRequest) (store.Page[store.Petition], error) {
		return s.deps.Store.Petitions(c.Request().Context(), a, f, p)
	})
}

func ptr[T any](v T) *T { return &v }

func (s *Server) getPetition(c echo.Context) error {
	return get(c, "petition", func(a domain.Actor, id string) (store.Petition, error) {
		return s.deps.Store.Petition(c.Request().Context(), a, id)
	})
}

func (s *Server) trackPetition(c echo.Context) error {
	cred := store.PetitionCredentials{TrackingCode: c.QueryParam("code"), PIN: c.QueryParam("pin")}
	out, err := s.deps.Store.TrackPetition(c.Request().Context(), cred, c.RealIP())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// act is the handler of an office or handler action: bind the action's body, act as the
// logged-in actor.
func act[B any](s *Server, action petition.Action, input func(B) store.ActionInput) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", "petition")
		if err != nil {
			return err
		}
		var b B
		if err := bind(c, &b); err != nil {
			return err
		}
		a := actor(c)
		out, err := s.deps.Store.ActOnPetition(c.Request().Context(), &a, nil, c.RealIP(), id, action, input(b))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, out)
	}
}

// actAsPetitioner is the handler of a petitioner's action: with the tracking code and PIN in
// the body when they are sent, else as the logged-in villager.
func actAsPetitioner[B any](s *Server, action petition.Action, input func(B) (store.ActionInput, petitionerCredentials)) echo.HandlerFunc {
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
		var cred *store.PetitionCredentials
		if pc.TrackingCode != nil || pc.PIN != nil {
			cred = &store.PetitionCredentials{}
			if pc.TrackingCode != nil {
				cred.TrackingCode = *pc.TrackingCode
			}
			if pc.PIN != nil {
				cred.PIN = *pc.PIN
			}
		}
		out, err := s.deps.Store.ActOnPetition(c.Request().Context(), optionalActor(c), cred, c.RealIP(), id, action, in)
		if err != nil {
			return err
		}
		if cred != nil {
			// A petitioner acting by code and PIN reads what tracking shows, never the office's view.
			tracked, err := s.deps.Store.TrackPetition(c.Request().Context(), *cred, c.RealIP())
			if err != nil {
				return err
			}
			return c.JSON(http.StatusOK, tracked)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// petitionFigures answers the figures as JSON, or as a spreadsheet with format=xlsx or csv.
func (s *Server) petitionFigures(c echo.Context) error {
	var f store.PetitionFigureFilter
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
	out, err := s.deps.Store.PetitionFigures(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	switch format {
	case "xlsx":
		return writeFiguresXLSX(c, out)
	case "csv":
		return writeFiguresCSV(c, out)
	}
	return c.JSON(http.StatusOK, out)
}
