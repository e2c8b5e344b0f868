// Package httpapi is Minxin's REST API on echo: thin handlers that bind, call the feature
// services and render. Who may call what is the route table's access policies (routes.go);
// what each caller then sees is decided by package access and applied by the store.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"minxin/backend/internal/access"
	"minxin/backend/internal/app"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// MaxBodyBytes is the largest request body accepted, attachments aside.
const MaxBodyBytes = 1 << 20

// Deps are what the API needs.
type Deps struct {
	App     *app.Services
	Signer  *auth.Signer
	Secret  []byte // the server's secret: seals the answers kept for Idempotency-Key
	Logger  *slog.Logger
	OpenAPI []byte       // docs/openapi.yaml, served at /api/openapi.yaml
	Web     fs.FS        // the built PWA; nil or empty serves a notice
	Files   *store.Files // attachment bytes, under the data directory
	// TrustedProxies may name the client in X-Forwarded-For (MINXIN_TRUSTED_PROXIES).
	TrustedProxies []*net.IPNet
}

// Server holds the echo instance and its dependencies.
type Server struct {
	Echo   *echo.Echo
	deps   Deps
	routes []Route
}

// New builds the API.
func New(d Deps) *Server {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	// The client's address is the peer's, or, from a trusted proxy only, the nearest address
	// in X-Forwarded-For that is not a trusted proxy: anyone else could choose the address
	// the rate limits count against.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		trust := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.TrustedProxies {
			trust = append(trust, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(trust...)
	}
	s := &Server{Echo: e, deps: d}

	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "minxin_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"method", "route", "status"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "minxin_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route"})
	reg.MustRegister(requests, latency)

	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			requests.WithLabelValues(v.Method, route, strconv.Itoa(v.Status)).Inc()
			latency.WithLabelValues(v.Method, route).Observe(v.Latency.Seconds())
			d.Logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("request_id", v.RequestID), slog.String("method", v.Method),
				slog.String("path", v.URIPath), slog.String("route", route), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency))
			return nil
		},
	}))
	e.Use(middleware.Recover())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff: "nosniff",
		XFrameOptions:      "DENY",
		ReferrerPolicy:     "same-origin",
		// Sent only over TLS (browsers ignore it on plain HTTP anyway).
		HSTSMaxAge: 31536000,
		// No inline script or style anywhere: the PWA's build has none, Vant sets styles
		// through the DOM, photos preview as blob: URLs and the icon font is a data: URL.
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
			"font-src 'self' data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; " +
			"base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
	}))
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level: 5,
		// An answer that fits in one packet gains nothing from compression.
		MinLength: 1400,
		// Only text compresses: the PWA's scripts, styles and pages, and the API's JSON
		// (the metrics handler compresses its own answer). Answers to writes are one small
		// record each: preparing a compressor for them cost more than the rest of the
		// middleware together.
		Skipper: func(c echo.Context) bool {
			p := c.Request().URL.Path
			return c.Request().Method != http.MethodGet || p == "/metrics" || strings.HasPrefix(p, "/api/v1/attachments/") || strings.HasSuffix(p, ".png") || c.QueryParam("format") == "png" || c.QueryParam("format") == "xlsx"
		},
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   strconv.Itoa(MaxBodyBytes) + "B",
		Skipper: func(c echo.Context) bool { return c.Path() == "/api/v1/attachments" },
	}))
	e.Use(s.authenticate)

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/api/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", d.OpenAPI) })

	s.routes = routes(s)
	api := e.Group("/api/v1")
	for _, r := range s.routes {
		api.Add(r.Method, r.Path, s.guard(r))
	}
	e.Any("/api/*", func(echo.Context) error { return echo.ErrNotFound })
	e.GET("/*", webHandler(d.Web))
	return s
}

// Routes returns the API's route table (for the contract tests).
func (s *Server) Routes() []Route { return s.routes }

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.deps.App.Store.Ping(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
	}
	if err := s.deps.App.Store.CheckSchema(ctx); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "schema not current"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

const actorKey = "minxin.actor"

// authenticate reads a bearer token when there is one. A present but bad token is refused
// even on public routes, so that a client learns its token is bad.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		if h == "" {
			return next(c)
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return domain.Unauthenticated("invalid_token", "the Authorization header must be 'Bearer <token>'")
		}
		a, err := s.deps.Signer.Verify(token)
		if err != nil {
			return err
		}
		c.Set(actorKey, a)
		return next(c)
	}
}

func actorOf(c echo.Context) (domain.Actor, bool) {
	a, ok := c.Get(actorKey).(domain.Actor)
	return a, ok
}

// guard applies a route's policy before its handler runs: no actor is 401, a role the policy
// does not allow is 403. An actor whose password was reset is 403 password_change_required on
// every route but the few that let them change it. Nothing of the request is read before this.
func (s *Server) guard(r Route) echo.HandlerFunc {
	open := openBeforePasswordChange[r.Method+" "+r.Path]
	return func(c echo.Context) error {
		a, ok := actorOf(c)
		if ok && !open && !access.PasswordChanged(a) {
			return errPasswordChangeRequired
		}
		if r.Allow != nil {
			if !ok {
				return domain.Unauthenticated("unauthenticated", "log in first: this needs an access token")
			}
			if !r.Allow(a) {
				return domain.Forbidden()
			}
		}
		if idempotencyExempt(r.Path) {
			return r.Handler(c)
		}
		return s.idempotent(c, r.Handler)
	}
}
