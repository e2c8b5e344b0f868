package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// problemDoc is a problem+json answer as the languages are compared.
type problemDoc struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p problemDoc) texts() []string {
	out := []string{p.Title, p.Detail}
	for _, e := range p.Errors {
		out = append(out, e.Message)
	}
	return out
}

// apiWords are the names a Chinese message may keep in English: every name and value the API
// document itself uses (properties, parameters, enumerations) and the names of formats.
func apiWords(t *testing.T) map[string]bool {
	t.Helper()
	doc, _, err := apitest.Spec()
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, w := range []string{"JSON", "UUID", "RFC", "JPEG", "PNG", "PDF", "ASCII", "UTF-8", "NUL", "HH", "MM", "YYYY-MM-DD",
		"Authorization", "Bearer", "multipart/form-data", "json", "png", "xlsx", "csv", "true", "false"} {
		words[w] = true
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.SchemaRef)
	walk = func(s *openapi3.SchemaRef) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		for name, p := range s.Value.Properties {
			words[name] = true
			walk(p)
		}
		for _, e := range s.Value.Enum {
			if v, ok := e.(string); ok {
				words[v] = true
			}
		}
		for _, sub := range append(append(append(s.Value.AllOf, s.Value.AnyOf...), s.Value.OneOf...), s.Value.Items) {
			walk(sub)
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				words[p.Value.Name] = true
				walk(p.Value.Schema)
			}
			if op.RequestBody != nil {
				for _, c := range op.RequestBody.Value.Content {
					walk(c.Schema)
				}
			}
		}
	}
	return words
}

var englishWord = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_\-./]*[A-Za-z0-9]|[A-Za-z]`)

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// bilingual sends r in Chinese (without Accept-Language, and asking for zh-CN) and in English,
// and when it is refused checks that the answers differ in their words only: the same status,
// code and fields; the Chinese in Chinese, keeping no English but the API's own names (each
// named by the English message too); the English in English. It answers the status.
func bilingual(t *testing.T, env *apitest.Env, words map[string]bool, r apitest.Request, seen map[string]int) int {
	t.Helper()
	send := func(lang string) (apitest.Response, problemDoc) {
		req := r
		req.Header = map[string]string{}
		for k, v := range r.Header {
			req.Header[k] = v
		}
		if lang != "" {
			req.Header["Accept-Language"] = lang
		}
		res := env.Do(req)
		var p problemDoc
		if res.Status >= 400 {
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s: %d answered %s", r.Method, r.Path, res.Status, ct)
			}
			if err := json.Unmarshal(res.Body, &p); err != nil {
				t.Errorf("%s %s: %v", r.Method, r.Path, err)
			}
		}
		return res, p
	}
	zhRes, zh := send("")
	if zhRes.Status < 400 {
		return zhRes.Status
	}
	seen[fmt.Sprintf("%d %s", zh.Status, zh.Code)]++
	name := fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, zh.Status, zh.Code)
	if !slices.Contains(zhRes.Header.Values("Vary"), "Accept-Language") {
		t.Errorf("%s: no Vary: Accept-Language", name)
	}
	_, zhCN := send("zh-CN,zh;q=0.9,en;q=0.8")
	_, en := send("en-US,en;q=0.9,zh;q=0.5")
	if fmt.Sprint(zhCN) != fmt.Sprint(zh) {
		t.Errorf("%s: zh-CN answers %+v, without Accept-Language %+v", name, zhCN, zh)
	}
	if en.Status != zh.Status || en.Code != zh.Code || len(en.Errors) != len(zh.Errors) {
		t.Fatalf("%s: in English %d %s %d fields, in Chinese %d %s %d fields", name, en.Status, en.Code, len(en.Errors), zh.Status, zh.Code, len(zh.Errors))
	}
	for i := range zh.Errors {
		if en.Errors[i].Field != zh.Errors[i].Field {
			t.Errorf("%s: field %q in English, %q in Chinese", name, en.Errors[i].Field, zh.Errors[i].Field)
		}
	}
	enTexts := en.texts()
	for i, s := range zh.texts() {
		switch {
		case !hasHan(s):
			t.Errorf("%s: %q is not Chinese (English: %q)", name, s, enTexts[i])
		case hasHan(enTexts[i]):
			t.Errorf("%s: %q is not English", name, enTexts[i])
		case s == "请求未能完成" || s == "取值无效":
			t.Errorf("%s: %q is not in the catalogue (English: %q)", name, enTexts[i], s)
		}
		for _, w := range englishWord.FindAllString(s, -1) {
			if !words[w] || !strings.Contains(enTexts[i], w) {
				t.Errorf("%s: %q keeps the English %q (English: %q)", name, s, w, enTexts[i])
			}
		}
	}
	return zh.Status
}

// TestErrorsInBothLanguages: every route of the route table (each documented in the OpenAPI
// document), made to refuse — without a login, by a role it does not let in, with an id that
// names nothing, with a body that is empty, not JSON, has an unknown field or a field of the
// wrong type, with ?limit=0 — and a wrong login, a rate limit, a petition action in the wrong
// state, a body too large, an unknown route and a wrong method, answers alike in Chinese (by
// default) and in English (Accept-Language: en) but for the words.
func TestErrorsInBothLanguages(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		words := apiWords(t)
		town := env.Township("甲镇", 30, 120)
		cs := newCallers(env, town)
		seen := map[string]int{}
		routes := 0
		for _, route := range env.Server.Routes() {
			refused := 0
			try := func(r apitest.Request) {
				if bilingual(t, env, words, r, seen) >= 400 {
					refused++
				}
			}
			path := concrete(route.Path)
			if route.Allow != nil {
				try(apitest.Request{Method: route.Method, Path: path})
				for _, u := range cs.users {
					if !route.Allow(u.Actor()) {
						try(apitest.Request{Method: route.Method, Path: path, Token: env.Token(u)})
						break
					}
				}
			}
			tok, _ := cs.tokenFor(env, route)
			if strings.Contains(route.Path, "/:") {
				try(apitest.Request{Method: route.Method, Path: path, Token: tok, Body: map[string]any{}})
			}
			if route.Method == http.MethodGet {
				try(apitest.Request{Method: route.Method, Path: path + "?limit=0", Token: tok})
			} else if names, types := bodyFields(t, route); len(names) > 0 {
				for _, body := range []any{"", "{", `{"zz_unknown": 1}`, map[string]any{}} {
					try(apitest.Request{Method: route.Method, Path: path, Token: tok, Body: body})
				}
				wrong := map[string]any{"string": 12, "date": "x", "date-time": "x", "integer": "x", "number": "x", "boolean": "x", "array": "x", "object": "x"}
				try(apitest.Request{Method: route.Method, Path: path, Token: tok, Body: map[string]any{names[0]: wrong[types[names[0]]]}})
			}
			if route.Path == "/attachments" {
				try(apitest.Request{Method: route.Method, Path: path, Token: tok, Body: map[string]any{}}) // not multipart
			}
			if refused == 0 && routeKey(route) != "GET /directory" { // public, and takes nothing to refuse
				t.Errorf("%s was never refused", routeKey(route))
			}
			routes++
		}

		// The rest of the ways to be refused.
		officer := env.User(domain.RolePetitionOfficer, town.ID)
		letter := env.Post("/api/v1/petitions", env.Token(officer), map[string]any{"channel": "letter", "township_id": town.ID, "category": "land",
			"subject": "来信", "text": "一封信。", "petitioner": map[string]any{"name": "张三", "phone": "13800001234"}}).Map(t)
		extra := []apitest.Request{
			{Method: "POST", Path: "/api/v1/petitions/" + letter["id"].(string) + "/reply", Token: env.Token(officer), Body: map[string]any{"text": "已处理"}},
			{Method: "POST", Path: "/api/v1/petitions/" + letter["id"].(string) + "/extend", Token: env.Token(officer), Body: map[string]any{"days": 0}},
			{Method: "GET", Path: "/api/v1/petitions/track?code=" + letter["tracking_code"].(string) + "&pin=000000"},
			{Method: "POST", Path: "/api/v1/petitions", Body: map[string]any{"channel": "letter", "township_id": town.ID, "category": "land", "subject": "x", "text": "x",
				"petitioner": map[string]any{"name": "x", "phone": "13800001234"}}},
			{Method: "POST", Path: "/api/v1/auth/login", Body: map[string]any{"username": "nobody", "password": "wrong-password"}},
			{Method: "POST", Path: "/api/v1/auth/refresh", Body: map[string]any{"refresh_token": "not-a-token"}},
			{Method: "GET", Path: "/api/v1/me", Token: "not.a.token"},
			{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Authorization": "Basic eDp5"}},
			{Method: "POST", Path: "/api/v1/townships", Token: env.Token(cs.users[0]), Body: `{"name":"` + strings.Repeat("长", 400_000) + `"}`},
			{Method: "POST", Path: "/api/v1/townships", Token: env.Token(cs.users[0]), Body: "{\"name\":\"\xff\"}"},
			{Method: "POST", Path: "/api/v1/petitions", Token: env.Token(officer), Header: map[string]string{"Idempotency-Key": "x\u00e9"}, Body: map[string]any{}},
		}
		for _, r := range extra {
			bilingual(t, env, words, r, seen)
		}
		for range 6 {
			env.Get("/api/v1/petitions/track?code=XF20260101-0001&pin=123456", "")
		}
		bilingual(t, env, words, apitest.Request{Method: "GET", Path: "/api/v1/petitions/track?code=XF20260101-0001&pin=123456"}, seen)
		// echo's own refusals, which the API document does not list: an unknown route, a
		// method a route does not take.
		for _, r := range [][2]string{{"GET", "/api/v1/no-such-route"}, {"DELETE", "/api/v1/townships"}} {
			var said []problemDoc
			for _, lang := range []string{"", "en"} {
				req, _ := http.NewRequest(r[0], env.HTTP.URL+r[1], nil)
				req.Header.Set("Accept-Language", lang)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var p problemDoc
				json.NewDecoder(res.Body).Decode(&p)
				res.Body.Close()
				said = append(said, p)
			}
			if said[0].Code != said[1].Code || !hasHan(said[0].Title+said[0].Detail) || hasHan(said[1].Title+said[1].Detail) || said[0].Code == "" {
				t.Errorf("%s %s: %+v in Chinese, %+v in English", r[0], r[1], said[0], said[1])
			}
		}
		for _, want := range []string{"400 malformed_json", "400 invalid_utf8", "401 unauthenticated", "401 invalid_credentials", "403 forbidden",
			"404 not_found", "409 invalid_state", "413 body_too_large", "422 invalid_field", "429 rate_limited"} {
			if seen[want] == 0 {
				t.Errorf("no answer %s was tried", want)
			}
		}
		total := 0
		for _, n := range seen {
			total += n
		}
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Logf("%d routes, %d refusals in both languages: %v", routes, total, keys)
	})
}

// Accept-Language picks English only when English weighs more than Chinese.
func TestAcceptLanguage(t *testing.T) {
	env := apitest.New(t, "sqlite")
	cases := map[string]bool{ // header: English
		"":                                   false,
		"en":                                 true,
		"EN-us":                              true,
		"en-US,en;q=0.9":                     true,
		"zh-CN,zh;q=0.9,en;q=0.8":            false,
		"en;q=0.5, zh;q=0.8":                 false,
		"zh;q=0.3, en;q=0.8":                 true,
		"fr, en;q=0.5":                       true,
		"fr":                                 false,
		"*":                                  false,
		"en;q=0, zh":                         false,
		"en;q=nonsense":                      false,
		"zh-TW, en":                          false,
		"en, zh":                             true,
		"de-DE,de;q=0.9,en-GB;q=0.7,*;q=0.5": true,
	}
	for header, english := range cases {
		r := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me", Header: map[string]string{"Accept-Language": header}})
		var p problemDoc
		json.Unmarshal(r.Body, &p)
		if got := !hasHan(p.Detail); got != english || p.Code != "unauthenticated" {
			t.Errorf("Accept-Language %q: %s %q (English %v, want %v)", header, p.Code, p.Detail, got, english)
		}
	}
}
