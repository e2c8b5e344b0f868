// Package apitest runs Minxin's real HTTP API, through the real router, against a real
// database — a fresh SQLite file and a fresh PostgreSQL database per test — and checks every
// response it receives against docs/openapi.yaml.
package apitest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	_ "github.com/jackc/pgx/v5/stdlib"

	"minxin/backend/internal/app"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/config"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/httpapi"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/seal"
	"minxin/backend/internal/store"
	"minxin/docs"
)

// Engines are the databases every API test runs on. MINXIN_TEST_ENGINES=sqlite narrows it
// for a quick local run; CI runs both.
func Engines() []string {
	if v := os.Getenv("MINXIN_TEST_ENGINES"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"sqlite", "postgres"}
}

// PostgresURL is the server tests create their databases on.
func PostgresURL() string {
	if v := os.Getenv("MINXIN_TEST_POSTGRES_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Clock is a settable clock shared by the store and the token signer.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// Env is one running API on one fresh database.
type Env struct {
	T       testing.TB
	Engine  string
	Store   *store.Store
	App     *app.Services // the feature services the server calls
	Server  *httpapi.Server
	HTTP    *httptest.Server
	Clock   *Clock
	Secret  []byte
	Loc     *time.Location
	DataDir string // the data directory: the SQLite database, attachments under attachments/
	// DatabaseURL is the PostgreSQL database of the test; empty on SQLite.
	DatabaseURL string
	// Keys seal petitioners' identities; KeyFile holds them (in the data directory), for the
	// command line and for instances started by tests.
	Keys    *seal.Keyring
	KeyFile string
	// VAPID is the Web Push identity the API answers browsers (GET /notifications/push).
	VAPID config.VAPID
}

// ForEachEngine runs fn once per database engine, each on a fresh database.
func ForEachEngine(t *testing.T, fn func(t *testing.T, env *Env)) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) { fn(t, New(t, engine)) })
	}
}

// New starts the API on a fresh database of the engine, migrated.
func New(t testing.TB, engine string) *Env {
	t.Helper()
	return newEnv(t, engine, nil)
}

// NewThrough starts the API on a fresh PostgreSQL database that the server reaches through
// the proxy w, which counts its round trips.
func NewThrough(t testing.TB, w *Wire) *Env {
	t.Helper()
	return newEnv(t, "postgres", w)
}

func newEnv(t testing.TB, engine string, w *Wire) *Env {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	opts := store.Options{Location: loc}
	switch engine {
	case "sqlite":
		opts.DataDir = dataDir
	case "postgres":
		opts.DatabaseURL = freshPostgres(t)
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	dial := opts
	if w != nil {
		dial.DatabaseURL = w.Via(opts.DatabaseURL)
	}
	st, err := store.Open(dial)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &Clock{t: time.Now()}
	st.SetClock(clock.Now)
	secret := []byte(strings.Repeat("k", 32))
	signer, err := auth.NewSigner(secret, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	dataKey, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dataDir, "data-key")
	if err := os.WriteFile(keyFile, []byte(seal.FormatKeys([]seal.Key{dataKey})), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.NewKeyring(dataKey)
	if err != nil {
		t.Fatal(err)
	}
	vapidKey, err := config.NewVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	vapid, err := config.Config{VAPIDPrivateKey: vapidKey, VAPIDSubject: "mailto:test@minxin.invalid"}.VAPID()
	if err != nil {
		t.Fatal(err)
	}
	services := app.New(st, app.Options{QRKey: ptr(qrtoken.NewKey(secret)), Keys: keys, PushKey: vapid.PublicKey})
	if _, err := services.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, err := store.OpenFiles(filepath.Join(dataDir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpapi.New(httpapi.Deps{App: services, Signer: signer, Secret: secret, Logger: logger, OpenAPI: docs.OpenAPI, Files: files})
	hs := httptest.NewServer(srv.Echo)
	t.Cleanup(hs.Close)
	return &Env{T: t, Engine: engine, Store: st, App: services, Server: srv, HTTP: hs, Clock: clock, Secret: secret, Loc: loc, DataDir: dataDir, DatabaseURL: opts.DatabaseURL,
		Keys: keys, KeyFile: keyFile, VAPID: vapid}
}

// freshPostgres creates a database for one test and drops it afterwards.
func freshPostgres(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "minxin_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database (is PostgreSQL running at %s?): %v", PostgresURL(), err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Response is an answer of the API, already checked against the OpenAPI document.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Code returns the problem code of an error answer.
func (r Response) Code() string {
	var p struct{ Code string }
	json.Unmarshal(r.Body, &p)
	return p.Code
}

// Request describes one call.
type Request struct {
	Method, Path string
	Token        string
	Body         any // marshalled to JSON unless []byte or string
	Header       map[string]string
}

// Do sends a request through the real router and validates the answer against the OpenAPI
// document: an undocumented status or a body that does not match fails the test.
func (e *Env) Do(r Request) Response {
	e.T.Helper()
	var body []byte
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			e.T.Fatal(err)
		}
	}
	req, err := http.NewRequest(r.Method, e.HTTP.URL+r.Path, bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	res := Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
	if err := validate(req, body, res); err != nil {
		e.T.Errorf("%s %s answered %d, which does not match docs/openapi.yaml: %v\nbody: %s", r.Method, r.Path, res.Status, err, trim(out))
	}
	return res
}

func trim(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// Get, Post, Patch, Put and Delete are shortcuts for Do.
func (e *Env) Get(path, token string) Response {
	e.T.Helper()
	return e.Do(Request{Method: "GET", Path: path, Token: token})
}
func (e *Env) Post(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: "POST", Path: path, Token: token, Body: body})
}
func (e *Env) Patch(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: "PATCH", Path: path, Token: token, Body: body})
}
func (e *Env) Put(path, token string, body any) Response {
	e.T.Helper()
	return e.Do(Request{Method: "PUT", Path: path, Token: token, Body: body})
}
func (e *Env) Delete(path, token string) Response {
	e.T.Helper()
	return e.Do(Request{Method: "DELETE", Path: path, Token: token})
}

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// Spec loads and validates docs/openapi.yaml once.
func Spec() (*openapi3.T, routers.Router, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(docs.OpenAPI)
		if specErr != nil {
			return
		}
		if specErr = specDoc.Validate(context.Background()); specErr != nil {
			return
		}
		specRouter, specErr = gorillamux.NewRouter(specDoc)
	})
	return specDoc, specRouter, specErr
}

func validate(req *http.Request, body []byte, res Response) error {
	_, router, err := Spec()
	if err != nil {
		return fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no operation for %s %s: %w", req.Method, req.URL.Path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(res.Body)), Options: opts,
	})
}

// Password is the password of every user the fixtures make.
const Password = "correct-horse-battery"

// User creates a user through the organisation service and returns it.
func (e *Env) User(role domain.Role, township string, flags ...string) domain.User {
	e.T.Helper()
	u := domain.User{Username: fmt.Sprintf("%s-%s", role, domain.NewID()[24:]), DisplayName: "测试" + string(role), Role: role}
	if township != "" {
		u.TownshipID = &township
	}
	for _, f := range flags {
		switch f {
		case "team_member":
			u.TeamMember = true
		case "lead":
			u.Lead = true
		}
	}
	created, err := e.App.Organisation.CreateUser(context.Background(), store.SystemActor, organisation.NewUser{User: u, Password: Password})
	if err != nil {
		e.T.Fatal(err)
	}
	return created
}

// Token returns an access token for the user, issued through the signer (no login, no limits).
func (e *Env) Token(u domain.User) string {
	e.T.Helper()
	s, err := auth.NewSigner(e.Secret, e.Clock.Now)
	if err != nil {
		e.T.Fatal(err)
	}
	tok, err := s.Issue(u.Actor())
	if err != nil {
		e.T.Fatal(err)
	}
	return tok
}

// Township creates a township through the organisation service.
func (e *Env) Township(name string, lat, lng float64) domain.Township {
	e.T.Helper()
	t, err := e.App.Organisation.CreateTownship(context.Background(), domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin},
		organisation.TownshipInput{Name: &name, Lat: &lat, Lng: &lng})
	if err != nil {
		e.T.Fatal(err)
	}
	return t
}

// Village creates a village through the organisation service.
func (e *Env) Village(township domain.Township, name string, lat, lng float64) domain.Village {
	e.T.Helper()
	v, err := e.App.Organisation.CreateVillage(context.Background(), domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin},
		organisation.VillageInput{TownshipID: &township.ID, Name: &name, Lat: &lat, Lng: &lng})
	if err != nil {
		e.T.Fatal(err)
	}
	return v
}

// Household creates a household through the organisation service.
func (e *Env) Household(v domain.Village, head string) domain.Household {
	e.T.Helper()
	addr := v.Name + "1号"
	h, err := e.App.Organisation.CreateHousehold(context.Background(), domain.Actor{UserID: store.SystemActor, Role: domain.RoleAdmin},
		organisation.HouseholdInput{VillageID: &v.ID, HeadName: &head, Address: &addr})
	if err != nil {
		e.T.Fatal(err)
	}
	return h
}

func ptr[T any](v T) *T { return &v }
