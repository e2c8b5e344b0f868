package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
)

// checkinHTTPEnv is a township with eight team members on a fresh PostgreSQL database.
func checkinHTTPEnv(b *testing.B) (*apitest.Env, domain.Township, []domain.User) {
	env := apitest.New(b, "postgres")
	town := env.Township("甲镇", 30, 120)
	var officials []domain.User
	for range 8 {
		officials = append(officials, env.User(domain.RoleOfficial, town.ID, "team_member"))
	}
	return env, town, officials
}

// BenchmarkCheckinHTTPBaseline is the baseline of BenchmarkCheckinHTTP, with the same
// parallelism: one single-row INSERT of an overnight stay, the least a check-in must write.
func BenchmarkCheckinHTTPBaseline(b *testing.B) {
	env, town, officials := checkinHTTPEnv(b)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := env.Store.RawExec(context.Background(), `INSERT INTO overnight_stays (id, township_id, official_id, night_date, iso_week, content_hash, created_at)
				VALUES (?, ?, ?, '2026-11-23', '2026-W48', '', now())`, domain.NewID(), town.ID, officials[0].ID)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckinHTTP is a check-in as the PWA sends it (its id also as Idempotency-Key)
// through the real router and middleware, 16 at a time, on PostgreSQL: the in-process view
// of what backend/internal/proof measures across processes. Profile it with -cpuprofile.
func BenchmarkCheckinHTTP(b *testing.B) {
	env, _, officials := checkinHTTPEnv(b)
	var tokens []string
	for _, o := range officials {
		tokens = append(tokens, env.Token(o))
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	next := make(chan string, 1024)
	go func() {
		for i := 0; ; i++ {
			next <- tokens[i%len(tokens)]
		}
	}()
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(8) // 16 clients on 2 cores, as the proof's load
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		token := <-next
		var mine []time.Duration
		defer func() { mu.Lock(); latencies = append(latencies, mine...); mu.Unlock() }()
		for pb.Next() {
			start := time.Now()
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
			io.Copy(io.Discard, resp.Body) // read to the end, so that the connection is kept
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("check-in: %d", resp.StatusCode)
			}
			mine = append(mine, time.Since(start))
		}
	})
	b.StopTimer()
	reportLatencies(b, latencies)
}

// reportLatencies adds the median and the 99th percentile of the requests' latencies, in
// milliseconds, to the benchmark's line.
func reportLatencies(b *testing.B, ls []time.Duration) {
	if len(ls) == 0 {
		return
	}
	slices.Sort(ls)
	at := func(q float64) float64 { return float64(ls[int(q*float64(len(ls)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
