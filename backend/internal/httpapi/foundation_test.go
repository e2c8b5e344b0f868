package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

func TestEveryRouteIsDocumented(t *testing.T) {
	env := apitest.New(t, "sqlite")
	doc, _, err := apitest.Spec()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	served := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /api/openapi.yaml": true}
	for _, r := range env.Server.Routes() {
		served[r.Method+" /api/v1"+echoToOpenAPI(r.Path)] = true
	}
	for route := range served {
		if !documented[route] {
			t.Errorf("%s is served but missing from docs/openapi.yaml", route)
		}
	}
	for route := range documented {
		if !served[route] {
			t.Errorf("%s is in docs/openapi.yaml but not served", route)
		}
	}
}

func echoToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func login(t *testing.T, env *apitest.Env, username string) map[string]any {
	t.Helper()
	r := env.Post("/api/v1/auth/login", "", map[string]string{"username": username, "password": apitest.Password})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, r.Status, r.Body)
	}
	return r.Map(t)
}

func TestLoginRefreshLogout(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		u := env.User(domain.RoleAdmin, "")
		first := login(t, env, u.Username)
		if first["expires_in"].(float64) != 900 {
			t.Errorf("expires_in = %v, want 900 (15 minutes)", first["expires_in"])
		}
		me := env.Get("/api/v1/me", first["access_token"].(string))
		if me.Status != http.StatusOK || me.Map(t)["id"] != u.ID {
			t.Fatalf("me: %d %s", me.Status, me.Body)
		}
		if b := string(me.Body); strings.Contains(b, "argon2") || strings.Contains(b, `"password`) || strings.Contains(b, "password_hash") {
			t.Fatalf("me leaks the password hash: %s", me.Body)
		}

		// Rotation: each refresh answers a new refresh token and uses up the old one.
		r1 := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": first["refresh_token"]})
		if r1.Status != http.StatusOK {
			t.Fatalf("refresh: %d %s", r1.Status, r1.Body)
		}
		second := r1.Map(t)
		if second["refresh_token"] == first["refresh_token"] {
			t.Fatal("refresh token was not rotated")
		}
		// Reuse of the first token revokes the whole family, including the second token.
		reuse := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": first["refresh_token"]})
		if reuse.Status != http.StatusUnauthorized || reuse.Code() != "refresh_token_reused" {
			t.Fatalf("reuse: %d %s", reuse.Status, reuse.Body)
		}
		after := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": second["refresh_token"]})
		if after.Status != http.StatusUnauthorized {
			t.Fatalf("the family's newest token still works after reuse: %d %s", after.Status, after.Body)
		}

		// Logout revokes the login's family.
		third := login(t, env, u.Username)
		out := env.Post("/api/v1/auth/logout", third["access_token"].(string), map[string]any{"refresh_token": third["refresh_token"]})
		if out.Status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", out.Status, out.Body)
		}
		if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": third["refresh_token"]}); r.Status != http.StatusUnauthorized {
			t.Fatalf("refresh after logout: %d", r.Status)
		}

		// Logout without a body closes every login of the user.
		a, b := login(t, env, u.Username), login(t, env, u.Username)
		if r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/auth/logout", Token: a["access_token"].(string)}); r.Status != http.StatusNoContent {
			t.Fatalf("logout everywhere: %d %s", r.Status, r.Body)
		}
		for _, l := range []map[string]any{a, b} {
			if r := env.Post("/api/v1/auth/refresh", "", map[string]any{"refresh_token": l["refresh_token"]}); r.Status != http.StatusUnauthorized {
				t.Fatalf("refresh after logout everywhere: %d", r.Status)
			}
		}

		wrong := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": "not-the-password"})
		if wrong.Status != http.StatusUnauthorized || wrong.Code() != "invalid_credentials" {
			t.Fatalf("wrong password: %d %s", wrong.Status, wrong.Body)
		}
		nobody := env.Post("/api/v1/auth/login", "", map[string]string{"username": "nobody-here", "password": "not-the-password"})
		if nobody.Status != http.StatusUnauthorized || string(nobody.Body) != string(wrong.Body) {
			t.Fatalf("unknown user answers differently from a wrong password: %s vs %s", nobody.Body, wrong.Body)
		}
	})
}

func TestBadTokensAreRefused(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		u := env.User(domain.RoleAdmin, "")
		good := env.Token(u)
		claims := jwt.MapClaims{
			"iss": "minxin", "aud": "minxin-api", "sub": u.ID, "role": "admin",
			"exp": env.Clock.Now().Add(time.Hour).Unix(), "iat": env.Clock.Now().Unix(), "jti": "x",
		}
		none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		hs512, _ := jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString(env.Secret)
		otherKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(strings.Repeat("x", 32)))
		wrongAud := jwt.MapClaims{}
		for k, v := range claims {
			wrongAud[k] = v
		}
		wrongAud["aud"] = "someone-else"
		otherAudience, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, wrongAud).SignedString(env.Secret)

		if r := env.Get("/api/v1/me", good); r.Status != http.StatusOK {
			t.Fatalf("a good token is refused: %d %s", r.Status, r.Body)
		}
		for name, tok := range map[string]string{
			"alg none": none, "HS512": hs512, "another key": otherKey, "another audience": otherAudience,
			"garbage": "not.a.token", "tampered": good[:len(good)-2] + "xx",
		} {
			if r := env.Get("/api/v1/me", tok); r.Status != http.StatusUnauthorized || r.Code() != "invalid_token" {
				t.Errorf("%s: %d %s", name, r.Status, r.Body)
			}
		}
		env.Clock.Advance(15*time.Minute + time.Second)
		if r := env.Get("/api/v1/me", good); r.Status != http.StatusUnauthorized || r.Code() != "token_expired" {
			t.Errorf("expired token: %d %s", r.Status, r.Body)
		}
		if r := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": "Basic YWRtaW46eA=="}}); r.Status != http.StatusUnauthorized {
			t.Errorf("basic auth: %d", r.Status)
		}
		if r := env.Get("/api/v1/townships", ""); r.Status != http.StatusUnauthorized || r.Code() != "unauthenticated" {
			t.Errorf("no token: %d %s", r.Status, r.Body)
		}
	})
}

func TestLoginIsRateLimited(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		u := env.User(domain.RoleOfficial, env.Township("甲镇", 30, 120).ID)
		for i := 0; i < 5; i++ {
			if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": "wrong-password"}); r.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.Status)
			}
		}
		locked := env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": apitest.Password})
		if locked.Status != http.StatusTooManyRequests || locked.Header.Get("Retry-After") == "" {
			t.Fatalf("locked account: %d %v %s", locked.Status, locked.Header, locked.Body)
		}
		// Another account from the same address is not locked by this one's failures.
		other := env.User(domain.RoleAdmin, "")
		login(t, env, other.Username)

		env.Clock.Advance(15*time.Minute + time.Second)
		login(t, env, u.Username)

		// Per address: 20 failures over different accounts lock the address.
		for i := 0; i < 20; i++ {
			env.Post("/api/v1/auth/login", "", map[string]string{"username": fmt.Sprintf("guess-%d", i), "password": "wrong-password"})
		}
		if r := env.Post("/api/v1/auth/login", "", map[string]string{"username": other.Username, "password": apitest.Password}); r.Status != http.StatusTooManyRequests {
			t.Fatalf("address not limited: %d", r.Status)
		}
	})
}

func TestAnotherTownshipIsNotFound(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		a, b := env.Township("甲镇", 30, 120), env.Township("乙镇", 31, 121)
		va, vb := env.Village(a, "甲村", 30.01, 120.01), env.Village(b, "乙村", 31.01, 121.01)
		ha, hb := env.Household(va, "张三"), env.Household(vb, "李四")
		official := env.User(domain.RoleOfficial, a.ID, "team_member")
		otherOfficial := env.User(domain.RoleOfficial, b.ID)
		tok := env.Token(official)

		for path, wantOwn := range map[string]string{
			"/api/v1/townships/": a.ID, "/api/v1/villages/": va.ID, "/api/v1/households/": ha.ID, "/api/v1/users/": official.ID,
		} {
			if r := env.Get(path+wantOwn, tok); r.Status != http.StatusOK {
				t.Errorf("own %s: %d %s", path, r.Status, r.Body)
			}
		}
		for path, id := range map[string]string{
			"/api/v1/townships/": b.ID, "/api/v1/villages/": vb.ID, "/api/v1/households/": hb.ID, "/api/v1/users/": otherOfficial.ID,
		} {
			other := env.Get(path+id, tok)
			missing := env.Get(path+domain.NewID(), tok)
			if other.Status != http.StatusNotFound || other.Code() != missing.Code() {
				t.Errorf("%s of another township: %d %s (missing answers %d %s)", path, other.Status, other.Body, missing.Status, missing.Body)
			}
		}
		// Changing another township's household is 404 too, and changes nothing.
		if r := env.Patch("/api/v1/households/"+hb.ID, tok, map[string]any{"head_name": "王五"}); r.Status != http.StatusNotFound {
			t.Errorf("patch another township's household: %d", r.Status)
		}
		if h, _ := env.App.Organisation.Household(context.Background(), domain.Actor{Role: domain.RoleAdmin}, hb.ID); h.HeadName != "李四" {
			t.Errorf("household changed: %+v", h)
		}
		// Lists hold only the actor's township.
		for _, path := range []string{"/api/v1/townships", "/api/v1/villages", "/api/v1/households", "/api/v1/users"} {
			r := env.Get(path, tok)
			for _, id := range []string{b.ID, vb.ID, hb.ID, otherOfficial.ID} {
				if strings.Contains(string(r.Body), id) {
					t.Errorf("%s lists another township's record %s", path, id)
				}
			}
		}
		// Filtering on another township's id gives an empty list, not its records.
		r := env.Get("/api/v1/villages?township_id="+b.ID, tok)
		if items := r.Map(t)["items"].([]any); len(items) != 0 {
			t.Errorf("filter on another township: %s", r.Body)
		}
		// Creating in another township is refused with a field error naming the village.
		if r := env.Post("/api/v1/households", tok, map[string]any{"village_id": vb.ID, "head_name": "赵六", "address": "乙村2号"}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "village_id") {
			t.Errorf("create in another township: %d %s", r.Status, r.Body)
		}
	})
}

func TestPublicDirectory(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		town := env.Township("甲镇", 30, 120)
		v := env.Village(town, "甲村", 30.01, 120.01)
		env.Household(v, "张三")
		r := env.Get("/api/v1/directory", "")
		if r.Status != http.StatusOK {
			t.Fatalf("directory: %d %s", r.Status, r.Body)
		}
		body := string(r.Body)
		for _, want := range []string{town.ID, "甲镇", v.ID, "甲村", `"code":"land"`, "土地"} {
			if !strings.Contains(body, want) {
				t.Errorf("directory lacks %s: %s", want, body)
			}
		}
		for _, secret := range []string{"张三", "lat", "radius_m"} {
			if strings.Contains(body, secret) {
				t.Errorf("directory shows %s: %s", secret, body)
			}
		}
	})
}

// Attempts are counted before they are checked: parallel wrong passwords cannot all slip past
// a count taken before any of them was recorded.
func TestParallelLoginsAreLimited(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		u := env.User(domain.RoleAdmin, "")
		statuses := make(chan int, 20)
		for i := 0; i < 20; i++ {
			go func() {
				statuses <- env.Post("/api/v1/auth/login", "", map[string]string{"username": u.Username, "password": "wrong-password"}).Status
			}()
		}
		unauthorized := 0
		for i := 0; i < 20; i++ {
			if <-statuses == http.StatusUnauthorized {
				unauthorized++
			}
		}
		if unauthorized > 5 {
			t.Errorf("%d of 20 parallel wrong passwords were checked; the limit is 5", unauthorized)
		}
	})
}
