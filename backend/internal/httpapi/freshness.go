package httpapi

import (
	"github.com/labstack/echo/v4"

	"minxin/backend/internal/store"
)

// FreshnessHeader is on the answers of reports (scorecards, figures and their exports): which
// database the report was read from and how stale that made it — `primary`, `replica;
// lag=0.000s` (the standby had replayed all the primary had written when the report began),
// `replica; lag=1.250s`, or `primary; replica=lagging; lag=45.000s` (also `replica=down`,
// `replica=not-standby`, `replica=unchecked`) when a standby is configured but was not used.
// See store.Freshness and docs/deployment.md.
const FreshnessHeader = "X-Minxin-Data-Freshness"

// reportFreshness makes the answer of a report handler carry FreshnessHeader. Call it first
// in the handler; the services it calls read through store.Reports or store.ReportTx, which
// note in the request's context where they read, and the header is written with the answer's
// first byte (the stalest read when there were several).
func reportFreshness(c echo.Context) {
	ctx, noted := store.NoteFreshness(c.Request().Context())
	c.SetRequest(c.Request().WithContext(ctx))
	c.Response().Before(func() {
		if f, ok := noted(); ok {
			c.Response().Header().Set(FreshnessHeader, f.String())
		}
	})
}
