package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// BenchmarkCheckinHTTP is a check-in as the PWA sends it (with its id as Idempotency-Key)
// through the real router and middleware, in parallel, on PostgreSQL: the in-process view of
// what backend/internal/proof measures across processes. Profile it with -cpuprofile.
func BenchmarkCheckinHTTP(b *testing.B) {
	env := apitest.New(b, "postgres")
	town := env.Township("甲镇", 30, 120)
	var tokens []string
	for range 8 {
		tokens = append(tokens, env.Token(env.User(domain.RoleOfficial, town.ID, "team_member")))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	next := make(chan string, 1024)
	go func() {
		for i := 0; ; i++ {
			next <- tokens[i%len(tokens)]
		}
	}()
	b.SetParallelism(8) // 16 clients on 2 cores, as the proof's load
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		token := <-next
		for pb.Next() {
			id := domain.NewID()
			body := fmt.Appendf(nil, `{"id":%q,"checkin":{"occurred_at":%q,"lat":30.0001,"lng":120.0001,"accuracy_m":12}}`, id, time.Now().Format(time.RFC3339))
			req, _ := http.NewRequest(http.MethodPost, env.HTTP.URL+"/api/v1/overnight-stays", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Idempotency-Key", id)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("check-in: %d", resp.StatusCode)
			}
		}
	})
}
