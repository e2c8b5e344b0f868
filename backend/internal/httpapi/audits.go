package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// auditRoutes are the routes of random audits (抽查, §5). Inspectors open rounds and record
// findings; an official sees a finding only once it is recorded on their record.
func auditRoutes(s *Server) []Route {
	inspector := roles(domain.RoleInspector)
	readers := roles(domain.RoleAdmin, domain.RoleInspector)
	return []Route{
		{http.MethodPost, "/audits", inspector, s.openAudit},
		{http.MethodGet, "/audits", readers, s.listAudits},
		{http.MethodGet, "/audits/:id", readers, s.getAudit},
		{http.MethodGet, "/audits/:id/manifest", readers, s.auditManifest},
		{http.MethodGet, "/audits/:id/verify", readers, s.verifyAudit},
		{http.MethodPost, "/audits/:id/cancel", inspector, s.cancelAudit},
		{http.MethodPost, "/audits/:id/findings", inspector, s.recordFinding},
		{http.MethodGet, "/findings", roles(domain.RoleOfficial), s.myFindings},
		{http.MethodPost, "/findings/:id/explain", roles(domain.RoleOfficial), s.explainFinding},
		{http.MethodPost, "/findings/:id/resolve", inspector, s.resolveFinding},
	}
}

func (s *Server) openAudit(c echo.Context) error {
	return create(c, func(a domain.Actor, in store.AuditInput) (domain.Audit, error) {
		return s.deps.Store.OpenAudit(c.Request().Context(), a, in)
	})
}

func (s *Server) listAudits(c echo.Context) error {
	return list(c, func(_ domain.Actor, p store.PageRequest) (store.Page[domain.Audit], error) {
		return s.deps.Store.Audits(c.Request().Context(), p)
	})
}

func (s *Server) getAudit(c echo.Context) error {
	return get(c, "audit", func(_ domain.Actor, id string) (domain.Audit, error) {
		return s.deps.Store.Audit(c.Request().Context(), id)
	})
}

// auditManifest serves the manifest byte for byte as frozen: its SHA-256 is the round's
// manifest_sha256.
func (s *Server) auditManifest(c echo.Context) error {
	id, err := pathID(c, "id", "audit")
	if err != nil {
		return err
	}
	b, err := s.deps.Store.AuditManifest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="audit-`+id+`-manifest.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
}

func (s *Server) verifyAudit(c echo.Context) error {
	return get(c, "audit", func(_ domain.Actor, id string) (store.AuditVerification, error) {
		return s.deps.Store.VerifyAudit(c.Request().Context(), id)
	})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelAudit(c echo.Context) error {
	return update(c, "audit", func(a domain.Actor, id string, in reasonRequest) (domain.Audit, error) {
		return s.deps.Store.CancelAudit(c.Request().Context(), a, id, in.Reason)
	})
}

func (s *Server) recordFinding(c echo.Context) error {
	id, err := pathID(c, "id", "audit")
	if err != nil {
		return err
	}
	var in store.FindingInput
	if err := bind(c, &in); err != nil {
		return err
	}
	f, err := s.deps.Store.RecordFinding(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

func (s *Server) myFindings(c echo.Context) error {
	fs, err := s.deps.Store.FindingsFor(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": fs})
}

func (s *Server) explainFinding(c echo.Context) error {
	return update(c, "finding", func(a domain.Actor, id string, in store.ExplainInput) (domain.Finding, error) {
		return s.deps.Store.ExplainFinding(c.Request().Context(), a, id, in)
	})
}

func (s *Server) resolveFinding(c echo.Context) error {
	return update(c, "finding", func(a domain.Actor, id string, in store.ResolveInput) (domain.Finding, error) {
		return s.deps.Store.ResolveFinding(c.Request().Context(), a, id, in)
	})
}
