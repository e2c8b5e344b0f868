package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"minxin/backend/internal/access"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// auditRoutes are the routes of random audits (抽查, §5). Inspectors open rounds and record
// findings; an official sees a finding only once it is recorded on their record.
func auditRoutes(s *Server) []Route {
	return []Route{
		{http.MethodPost, "/audits", access.Inspector, s.openAudit},
		{http.MethodGet, "/audits", access.Overseer, s.listAudits},
		{http.MethodGet, "/audits/:id", access.Overseer, s.getAudit},
		{http.MethodGet, "/audits/:id/manifest", access.Overseer, s.auditManifest},
		{http.MethodGet, "/audits/:id/verify", access.Overseer, s.verifyAudit},
		{http.MethodPost, "/audits/:id/cancel", access.Inspector, s.cancelAudit},
		{http.MethodPost, "/audits/:id/findings", access.Inspector, s.recordFinding},
		{http.MethodGet, "/findings", access.Official, s.myFindings},
		{http.MethodPost, "/findings/:id/explain", access.Official, s.explainFinding},
		{http.MethodPost, "/findings/:id/resolve", access.Inspector, s.resolveFinding},
	}
}

func (s *Server) openAudit(c echo.Context) error {
	return create(c, func(a domain.Actor, in audits.Input) (domain.Audit, error) {
		return s.deps.App.Audits.Open(c.Request().Context(), a, in)
	})
}

func (s *Server) listAudits(c echo.Context) error {
	return list(c, func(_ domain.Actor, p store.PageRequest) (store.Page[domain.Audit], error) {
		return s.deps.App.Audits.Audits(c.Request().Context(), p)
	})
}

func (s *Server) getAudit(c echo.Context) error {
	return get(c, "audit", func(_ domain.Actor, id string) (domain.Audit, error) {
		return s.deps.App.Audits.Audit(c.Request().Context(), id)
	})
}

// auditManifest serves the manifest byte for byte as frozen (its SHA-256 is the round's
// manifest_sha256), streamed part by part as it is read.
func (s *Server) auditManifest(c echo.Context) error {
	id, err := pathID(c, "id", "audit")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="audit-`+id+`-manifest.csv"`)
	err = s.deps.App.Audits.Manifest(c.Request().Context(), id, c.Response())
	if err != nil && !c.Response().Committed {
		// Nothing was sent (an unknown round): the error is answered as any other.
		h.Del(echo.HeaderContentType)
		h.Del(echo.HeaderContentDisposition)
	}
	return err
}

func (s *Server) verifyAudit(c echo.Context) error {
	return get(c, "audit", func(_ domain.Actor, id string) (audits.Verification, error) {
		return s.deps.App.Audits.Verify(c.Request().Context(), id)
	})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelAudit(c echo.Context) error {
	return update(c, "audit", func(a domain.Actor, id string, in reasonRequest) (domain.Audit, error) {
		return s.deps.App.Audits.Cancel(c.Request().Context(), a, id, in.Reason)
	})
}

func (s *Server) recordFinding(c echo.Context) error {
	id, err := pathID(c, "id", "audit")
	if err != nil {
		return err
	}
	var in audits.FindingInput
	if err := bind(c, &in); err != nil {
		return err
	}
	f, err := s.deps.App.Audits.RecordFinding(c.Request().Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

func (s *Server) myFindings(c echo.Context) error {
	fs, err := s.deps.App.Audits.FindingsFor(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": fs})
}

func (s *Server) explainFinding(c echo.Context) error {
	return update(c, "finding", func(a domain.Actor, id string, in audits.ExplainInput) (domain.Finding, error) {
		return s.deps.App.Audits.ExplainFinding(c.Request().Context(), a, id, in)
	})
}

func (s *Server) resolveFinding(c echo.Context) error {
	return update(c, "finding", func(a domain.Actor, id string, in audits.ResolveInput) (domain.Finding, error) {
		return s.deps.App.Audits.ResolveFinding(c.Request().Context(), a, id, in)
	})
}
