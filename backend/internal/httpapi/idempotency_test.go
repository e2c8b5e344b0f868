package httpapi_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/store"
)

func TestIdempotencyKey(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		admin := env.Token(env.User(domain.RoleAdmin, ""))
		body := map[string]any{"name": "甲镇", "lat": 30, "lng": 120}
		post := func(key string, body any) apitest.Response {
			return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/townships", Token: admin, Body: body, Header: map[string]string{"Idempotency-Key": key}})
		}
		first, again := post("k-1", body), post("k-1", body)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		other := post("k-1", map[string]any{"name": "乙镇", "lat": 31, "lng": 121})
		if other.Status != http.StatusUnprocessableEntity || !bytes.Contains(other.Body, []byte(`"field":"Idempotency-Key"`)) {
			t.Errorf("same key, other body: %d %s", other.Status, other.Body)
		}
		// A refused request keeps nothing: the corrected request may use the same key.
		if r := post("k-2", map[string]any{"name": "丙镇", "lat": 95, "lng": 121}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad latitude: %d", r.Status)
		}
		if r := post("k-2", map[string]any{"name": "丙镇", "lat": 32, "lng": 121}); r.Status != http.StatusCreated {
			t.Errorf("corrected request with the same key: %d %s", r.Status, r.Body)
		}
		if n := len(env.Get("/api/v1/townships", admin).Map(t)["items"].([]any)); n != 2 {
			t.Errorf("townships: %d, want 2", n)
		}

		// A villager's petition retried after a lost answer gets the same code and PIN.
		town := first.Map(t)
		petition := map[string]any{"channel": "online", "township_id": town["id"], "category": "land", "subject": "宅基地纠纷",
			"text": "邻居占用我家宅基地。", "petitioner": map[string]any{"name": "张三", "phone": "13812341234"}}
		if r := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions", Body: petition, Header: map[string]string{"Idempotency-Key": "villager-1"}}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a guessable key without a login: %d %s", r.Status, r.Body)
		}
		key := domain.NewID()
		p1 := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions", Body: petition, Header: map[string]string{"Idempotency-Key": key}})
		p2 := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/petitions", Body: petition, Header: map[string]string{"Idempotency-Key": key}})
		if p1.Status != http.StatusCreated || string(p1.Body) != string(p2.Body) {
			t.Fatalf("petition retry: %d %s / %s", p1.Status, p1.Body, p2.Body)
		}
		var n int64
		if err := env.Store.RawCount(t.Context(), "petitions", &n); err != nil || n != 1 {
			t.Errorf("petitions stored: %d %v", n, err)
		}
		// The kept answer holds the PIN: it is sealed at rest.
		var sealed int64
		if err := env.Store.RawCount(t.Context(), "(SELECT 1 FROM idempotency_keys WHERE response IS NOT NULL) AS k", &sealed); err != nil || sealed != 3 {
			t.Errorf("kept answers: %d %v", sealed, err)
		}

		// A retried upload has a new multipart boundary but the same file: same answer.
		upload := func() apitest.Response {
			var b bytes.Buffer
			w := multipart.NewWriter(&b)
			f, _ := w.CreateFormFile("file", "a.pdf")
			f.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
			w.Close()
			return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/attachments", Token: admin, Body: b.Bytes(),
				Header: map[string]string{"Content-Type": w.FormDataContentType(), "Idempotency-Key": "upload-1"}})
		}
		u1, u2 := upload(), upload()
		if u1.Status != http.StatusCreated || string(u1.Body) != string(u2.Body) {
			t.Errorf("upload retry: %d %s / %d %s", u1.Status, u1.Body, u2.Status, u2.Body)
		}
	})
}

// A request that dies half-way (its server was killed: its transaction never commits) leaves
// neither its records nor a claim on its key, so the retry runs at once; retries sent at the
// same time run the request once and all get its answer.
func TestIdempotencyKeyCommitsWithTheRecords(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		admin := env.User(domain.RoleAdmin, "")
		name, lat, lng := "甲镇", 30.0, 120.0
		req := store.IdempotentRequest{Scope: admin.ID, Key: "k", Path: "/api/v1/townships", RequestHash: "h"}
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the request did not die")
				}
			}()
			env.Store.Idempotent(t.Context(), req, func(ctx context.Context) (*store.StoredAnswer, error) {
				if _, err := env.App.Organisation.CreateTownship(ctx, admin.Actor(), organisation.TownshipInput{Name: &name, Lat: &lat, Lng: &lng}); err != nil {
					t.Fatal(err)
				}
				panic("killed")
			})
		}()
		for _, table := range []string{"townships", "idempotency_keys"} {
			var n int64
			if err := env.Store.RawCount(t.Context(), table, &n); err != nil || n != 0 {
				t.Errorf("%s after the request died: %d %v", table, n, err)
			}
		}

		token := env.Token(admin)
		body := map[string]any{"name": "甲镇", "lat": 30, "lng": 120}
		answers := make(chan apitest.Response, 4)
		for range cap(answers) {
			go func() {
				answers <- env.Do(apitest.Request{Method: "POST", Path: "/api/v1/townships", Token: token, Body: body, Header: map[string]string{"Idempotency-Key": "k"}})
			}()
		}
		var first []byte
		for range cap(answers) {
			r := <-answers
			if r.Status != http.StatusCreated || (first != nil && string(r.Body) != string(first)) {
				t.Fatalf("parallel retries: %d %s, first %s", r.Status, r.Body, first)
			}
			first = r.Body
		}
		var n int64
		if err := env.Store.RawCount(t.Context(), "townships", &n); err != nil || n != 1 {
			t.Errorf("townships after parallel retries: %d %v", n, err)
		}
	})
}
