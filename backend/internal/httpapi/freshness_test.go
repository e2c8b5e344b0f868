package httpapi_test

import (
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/httpapi"
)

// TestReportsSayHowFresh: the petition figures, as JSON and as each spreadsheet, say which
// database they were read from; without a standby that is the primary. (With a standby:
// store's TestReportsFromStandby and the failover proof.) A refused request reads nothing and
// says nothing.
func TestReportsSayHowFresh(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		env.Township("甲镇", 30, 120)
		tok := env.Token(env.User(domain.RoleInspector, ""))
		for _, q := range []string{"", "&format=xlsx", "&format=csv"} {
			r := env.Get("/api/v1/petitions/figures?from=2026-01-01&to=2026-12-31"+q, tok)
			if r.Status != 200 || r.Header.Get(httpapi.FreshnessHeader) != "primary" {
				t.Errorf("figures%s: %d, %s: %q", q, r.Status, httpapi.FreshnessHeader, r.Header.Get(httpapi.FreshnessHeader))
			}
		}
		r := env.Get("/api/v1/petitions/figures?from=2026-12-31&to=2026-01-01", tok)
		if r.Status != 422 || r.Header.Get(httpapi.FreshnessHeader) != "" {
			t.Errorf("refused figures: %d, %q", r.Status, r.Header.Get(httpapi.FreshnessHeader))
		}
	})
}
