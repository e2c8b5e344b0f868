//go:build proof

package proof

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func postJSON(t *testing.T, url, token, key string, body any, header ...string) (int, map[string]any, http.Header) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	for k := 0; k+1 < len(header); k += 2 {
		req.Header.Set(header[k], header[k+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, resp.Header
}

// TestTwoInstancesBehaveAsOne runs two `minxin serve` on one PostgreSQL behind nginx and
// checks what could differ from one instance: scheduled jobs racing, Idempotency-Key
// answered by either instance, rate limits counted across both, refresh-token rotation
// across both, audit rounds read from either, attachments on their shared volume, and the
// activity log sealed by both.
func TestTwoInstancesBehaveAsOne(t *testing.T) {
	env := apitest.New(t, "postgres")
	ctx := context.Background()
	town := env.Township("甲镇", 30, 120)
	officer := env.User(domain.RolePetitionOfficer, town.ID)
	handler := env.User(domain.RoleOfficial, town.ID, "team_member")
	inspector := env.User(domain.RoleInspector, "")
	officerTok, handlerTok := env.Token(officer), env.Token(handler)

	// Ten replied petitions whose time to close by themselves has come, made through the
	// in-process API before the instances start: both instances' close jobs run at once
	// when they start.
	var replied []string
	for k := range 10 {
		r := env.Post("/api/v1/petitions", officerTok, map[string]any{"channel": "letter", "township_id": town.ID, "category": "land",
			"subject": fmt.Sprintf("第%d号来信", k), "text": "承包地边界纠纷。", "petitioner": map[string]any{"name": "张三", "phone": "13812341234"}})
		if r.Status != http.StatusCreated {
			t.Fatalf("petition: %d %s", r.Status, r.Body)
		}
		id := r.Map(t)["id"].(string)
		for _, step := range []struct {
			action, token string
			body          map[string]any
		}{{"accept", officerTok, map[string]any{"note": "材料齐全"}}, {"assign", officerTok, map[string]any{"handler_id": handler.ID}},
			{"reply", handlerTok, map[string]any{"text": "已协调村委会重新丈量。"}}} {
			if r := env.Post("/api/v1/petitions/"+id+"/"+step.action, step.token, step.body); r.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", step.action, r.Status, r.Body)
			}
		}
		replied = append(replied, id)
	}
	if err := env.Store.RawExec(ctx, "UPDATE petitions SET closes_at = now() - interval '1 minute' WHERE state = 'replied'"); err != nil {
		t.Fatal(err)
	}

	c := startCluster(t, env, 2)
	a, b := c.Instances[0].url(), c.Instances[1].url()

	t.Run("the close job closes each petition once", func(t *testing.T) {
		var closes []struct {
			PetitionID string
			N          int
		}
		for range 100 {
			if err := env.Store.RawScan(ctx, &closes, "SELECT petition_id, count(*) AS n FROM petition_events WHERE action = 'close' GROUP BY petition_id"); err != nil {
				t.Fatal(err)
			}
			if len(closes) == len(replied) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(closes) != len(replied) {
			t.Fatalf("closed %d of %d petitions", len(closes), len(replied))
		}
		for _, x := range closes {
			if x.N != 1 {
				t.Errorf("petition %s closed %d times", x.PetitionID, x.N)
			}
		}
	})

	t.Run("refresh tokens rotate across instances", func(t *testing.T) {
		login := map[string]any{"username": handler.Username, "password": apitest.Password}
		status, first, _ := postJSON(t, a+"/api/v1/auth/login", "", "", login)
		if status != http.StatusOK {
			t.Fatalf("login on A: %d %v", status, first)
		}
		status, second, _ := postJSON(t, b+"/api/v1/auth/refresh", "", "", map[string]any{"refresh_token": first["refresh_token"]})
		if status != http.StatusOK {
			t.Fatalf("refresh on B: %d %v", status, second)
		}
		if status, reuse, _ := postJSON(t, a+"/api/v1/auth/refresh", "", "", map[string]any{"refresh_token": first["refresh_token"]}); status != http.StatusUnauthorized || reuse["code"] != "refresh_token_reused" {
			t.Errorf("reuse of the first refresh token on A: %d %v", status, reuse)
		}
		if status, _, _ := postJSON(t, b+"/api/v1/auth/refresh", "", "", map[string]any{"refresh_token": second["refresh_token"]}); status != http.StatusUnauthorized {
			t.Errorf("the family was not revoked on B: %d", status)
		}
	})

	t.Run("an Idempotency-Key is answered once by either instance", func(t *testing.T) {
		key := domain.NewID()
		body := map[string]any{"channel": "letter", "township_id": town.ID, "category": "land", "subject": "同一封来信",
			"text": "重复提交的测试。", "petitioner": map[string]any{"name": "李四", "phone": "13912341234"}}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			answers []string
		)
		for k := range 8 {
			wg.Go(func() {
				url := []string{a, b}[k%2]
				status, m, _ := postJSON(t, url+"/api/v1/petitions", officerTok, key, body)
				if status != http.StatusCreated {
					t.Errorf("send %d: %d %v", k, status, m)
				}
				mu.Lock()
				answers = append(answers, fmt.Sprint(m))
				mu.Unlock()
			})
		}
		wg.Wait()
		for _, x := range answers[1:] {
			if x != answers[0] {
				t.Errorf("different answers: %s / %s", x, answers[0])
			}
		}
		var n int64
		if err := env.Store.RawCount(ctx, "(SELECT 1 FROM petitions WHERE subject = '同一封来信') AS p", &n); err != nil || n != 1 {
			t.Errorf("petitions stored: %d %v", n, err)
		}
	})

	t.Run("an account's login limit counts both instances", func(t *testing.T) {
		wrong := map[string]any{"username": officer.Username, "password": "not-the-password"}
		for k := range 5 {
			if status, m, _ := postJSON(t, []string{a, b}[k%2]+"/api/v1/auth/login", "", "", wrong); status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d %v", k+1, status, m)
			}
		}
		for _, url := range []string{a, b} {
			if status, _, h := postJSON(t, url+"/api/v1/auth/login", "", "", wrong); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
				t.Errorf("sixth wrong password: %d, Retry-After %q", status, h.Get("Retry-After"))
			}
		}
	})

	t.Run("an address's login limit counts the client behind nginx, not what it claims", func(t *testing.T) {
		limited := false
		for k := range 20 {
			// A client cannot choose its address: nginx appends the real one.
			status, m, _ := postJSON(t, c.URL+"/api/v1/auth/login", "", "", map[string]any{"username": fmt.Sprintf("nobody-%d", k), "password": "x"},
				"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", k))
			if status == http.StatusTooManyRequests {
				limited = true
				break
			}
			if status != http.StatusUnauthorized {
				t.Fatalf("login %d: %d %v", k, status, m)
			}
		}
		if !limited {
			t.Fatal("20 wrong logins from one client through nginx were not limited")
		}
		// Straight to an instance, X-Forwarded-For is not believed: the same address.
		for _, url := range []string{a, b} {
			if status, _, _ := postJSON(t, url+"/api/v1/auth/login", "", "", map[string]any{"username": "nobody", "password": "x"},
				"X-Forwarded-For", "203.0.113.9"); status != http.StatusTooManyRequests {
				t.Errorf("direct with a forged X-Forwarded-For: %d", status)
			}
		}
	})

	t.Run("an audit round opened on one instance reads the same on the other", func(t *testing.T) {
		// Three nights ending the night before last, checked in at 20:00 and out at 07:00 at
		// the seat: they count, and every check-out is in the past whatever the hour now.
		official := env.Token(env.User(domain.RoleOfficial, town.ID, "team_member"))
		evidence := func(at time.Time) map[string]any {
			return map[string]any{"occurred_at": at.Format(time.RFC3339), "lat": 30.0001, "lng": 120.0001, "accuracy_m": 12}
		}
		now := time.Now().In(env.Loc)
		midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, env.Loc)
		for night := -4; night <= -2; night++ {
			id, evening := domain.NewID(), midnight.AddDate(0, 0, night).Add(20*time.Hour)
			if status, m, _ := postJSON(t, c.URL+"/api/v1/overnight-stays", official, id, map[string]any{"id": id, "checkin": evidence(evening)}); status != http.StatusCreated {
				t.Fatalf("check-in: %d %v", status, m)
			}
			if status, m, _ := postJSON(t, c.URL+"/api/v1/overnight-stays/"+id+"/checkout", official, domain.NewID(), map[string]any{"evidence": evidence(evening.Add(11 * time.Hour))}); status != http.StatusOK {
				t.Fatalf("check-out: %d %v", status, m)
			}
		}
		status, round, _ := postJSON(t, b+"/api/v1/audits", env.Token(inspector), domain.NewID(), map[string]any{"record_type": "overnight_stay",
			"period_start": midnight.AddDate(0, 0, -4).Format("2006-01-02"), "period_end": midnight.AddDate(0, 0, -2).Format("2006-01-02"), "sample_size": 2})
		if status != http.StatusCreated {
			t.Fatalf("open on B: %d %v", status, round)
		}
		id := round["id"].(string)
		statusA, onA := get(t, a+"/api/v1/audits/"+id, env.Token(inspector))
		statusB, onB := get(t, b+"/api/v1/audits/"+id, env.Token(inspector))
		if statusA != http.StatusOK || string(onA) != string(onB) {
			t.Errorf("the round read on A and B: %d %s / %d %s", statusA, onA, statusB, onB)
		}
		if status, v := get(t, a+"/api/v1/audits/"+id+"/verify", env.Token(inspector)); status != http.StatusOK || !strings.Contains(string(v), `"manifest_sha256_matches":true`) || !strings.Contains(string(v), `"sample_matches":true`) {
			t.Errorf("verify on A: %d %s", status, v)
		}
	})

	t.Run("a photo uploaded through one instance is served by the other", func(t *testing.T) {
		var img bytes.Buffer
		png.Encode(&img, image.NewGray(image.Rect(0, 0, 4, 4)))
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		part, _ := w.CreateFormFile("file", "photo.png")
		part.Write(img.Bytes())
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, a+"/api/v1/attachments", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+handlerTok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var up struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&up)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload on A: %d", resp.StatusCode)
		}
		if status, got := get(t, b+"/api/v1/attachments/"+up.ID, handlerTok); status != http.StatusOK || !bytes.Equal(got, img.Bytes()) {
			t.Errorf("download on B: %d, %d bytes", status, len(got))
		}
	})

	// Both instances' sealers chained the log while all this went on.
	time.Sleep(1500 * time.Millisecond)
	var pending int64
	if err := env.Store.RawCount(ctx, "activity_pending", &pending); err != nil || pending != 0 {
		t.Errorf("entries still pending after the sealers' turn: %d %v", pending, err)
	}
	if broken, n, err := env.Store.VerifyLog(ctx); err != nil || broken != nil {
		t.Errorf("activity log after two instances: %+v %v (%d entries)", broken, err, n)
	}
}
