//go:build proof

package proof

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// verdict is the PWA outbox's reading of an answer (pwa/src/outbox/policy.ts): 2xx is done;
// no answer, 408, 425, 429 and 5xx are tried again; anything else never succeeds.
func verdict(status int, err error) string {
	switch {
	case err != nil, status == 408, status == 425, status == 429, status >= 500:
		return "retry"
	case status >= 200 && status < 300:
		return "done"
	}
	return "refused"
}

// sendUntilDone sends one request, the same bytes with the same Idempotency-Key each time,
// until it is answered 2xx or refused, waiting between tries as the PWA does (exponential
// backoff with full jitter, Retry-After honoured), scaled down: 100 ms doubling up to 2 s.
func sendUntilDone(ctx context.Context, c *http.Client, url, token, key string, body []byte, retries *atomic.Int64) (int, []byte, error) {
	for attempt := 1; ; attempt++ {
		status, answer, err := post(ctx, c, url, token, key, body)
		switch verdict(status, err) {
		case "done", "refused":
			return status, answer, nil
		}
		if ctx.Err() != nil {
			return status, answer, fmt.Errorf("gave up after %d tries: %d %v", attempt, status, err)
		}
		retries.Add(1)
		ceiling := min(2*time.Second, 100*time.Millisecond<<min(attempt-1, 10))
		time.Sleep(time.Duration(rand.Int64N(int64(ceiling))))
	}
}

// soakPetition is a petition registered by a township's petition officer from a letter.
func soakPetition(township, subject string) []byte {
	b, _ := json.Marshal(map[string]any{"channel": "letter", "township_id": township, "category": "land", "subject": subject,
		"text": "压力测试：承包地边界纠纷，请求调解。", "petitioner": map[string]any{"name": "张三", "phone": "13812341234"}})
	return b
}

// TestSoak: many clients send check-ins and petitions, retrying as the PWA does, while the
// servers are killed with SIGKILL at random moments and restarted, and PostgreSQL itself is
// restarted once (immediate mode: as in a crash). At the end every request that was answered
// 2xx is stored exactly once, nothing is stored that was not, no record exists twice, no
// Idempotency-Key claim is left without its answer, and the activity log is whole.
func TestSoak(t *testing.T) {
	env := apitest.New(t, "postgres")
	towns, officials := district(t, env, 4, 4)
	var officers []string
	for _, town := range towns {
		officers = append(officers, env.Token(env.User(domain.RolePetitionOfficer, town.ID)))
	}
	c := startCluster(t, env, *replicas)
	client := httpClient(*clients)
	start := time.Now()
	deadline := start.Add(*duration)
	// Requests begun before the deadline are retried until answered, for at most 2 minutes.
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(2*time.Minute))
	defer cancel()

	var (
		mu        sync.Mutex
		checkins  = map[string]bool{}   // acknowledged check-in ids
		petitions = map[string]string{} // acknowledged petition id → subject
		retries   atomic.Int64
		wg        sync.WaitGroup
	)
	for k := range *clients {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				key := domain.NewID()
				if k%2 == 0 {
					status, answer, err := sendUntilDone(ctx, client, c.URL+"/api/v1/overnight-stays", officials[k%len(officials)], key, checkin(key), &retries)
					if err != nil || status != http.StatusCreated {
						t.Errorf("check-in %s: %d %s %v", key, status, answer, err)
						return
					}
					var got struct{ ID string }
					json.Unmarshal(answer, &got)
					mu.Lock()
					checkins[got.ID] = got.ID == key
					mu.Unlock()
					continue
				}
				k := k / 2
				subject := "soak-" + strconv.Itoa(k) + "-" + strconv.Itoa(n)
				status, answer, err := sendUntilDone(ctx, client, c.URL+"/api/v1/petitions", officers[k%len(officers)], key, soakPetition(towns[k%len(towns)].ID, subject), &retries)
				if err != nil || status != http.StatusCreated {
					t.Errorf("petition %s: %d %s %v", subject, status, answer, err)
					return
				}
				var got struct{ ID string }
				json.Unmarshal(answer, &got)
				mu.Lock()
				petitions[got.ID] = subject
				mu.Unlock()
			}
		})
	}

	// Chaos: kill a random instance every 0.3–1.5 s and start it again; restart PostgreSQL
	// once, half-way.
	kills, restartedDB := 0, false
	for time.Now().Before(deadline) {
		time.Sleep(300*time.Millisecond + rand.N(1200*time.Millisecond))
		if !restartedDB && time.Since(start) > *duration/2 {
			restartPostgres(t)
			restartedDB = true
			continue
		}
		i := c.Instances[rand.IntN(len(c.Instances))]
		i.kill()
		kills++
		time.Sleep(rand.N(300 * time.Millisecond))
		if err := i.tryStart(); err != nil {
			t.Fatal(err)
		}
	}
	if !restartedDB {
		restartPostgres(t)
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, i := range c.Instances {
		i.stop()
	}

	// Count what is stored, on a new connection (the old ones died with PostgreSQL).
	st, err := store.Open(store.Options{DatabaseURL: env.DatabaseURL, Location: env.Loc})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx = context.Background()
	var stays []string
	if err := st.RawScan(ctx, &stays, "SELECT id FROM overnight_stays"); err != nil {
		t.Fatal(err)
	}
	for _, id := range stays {
		if _, ok := checkins[id]; !ok {
			t.Errorf("check-in %s is stored but was never acknowledged", id)
		}
	}
	for id, sameID := range checkins {
		if !sameID {
			t.Errorf("check-in %s was answered with another id", id)
		}
	}
	if len(stays) != len(checkins) {
		t.Errorf("check-ins: %d acknowledged, %d stored", len(checkins), len(stays))
	}
	var stored []struct{ ID, Subject string }
	if err := st.RawScan(ctx, &stored, "SELECT id, subject FROM petitions"); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]int{}
	for _, p := range stored {
		subjects[p.Subject]++
		if petitions[p.ID] != p.Subject {
			t.Errorf("petition %s (%s) is stored but was not acknowledged as such", p.ID, p.Subject)
		}
	}
	for s, n := range subjects {
		if n > 1 {
			t.Errorf("petition %q is stored %d times", s, n)
		}
	}
	if len(stored) != len(petitions) {
		t.Errorf("petitions: %d acknowledged, %d stored", len(petitions), len(stored))
	}
	var unanswered int64
	if err := st.RawCount(ctx, "(SELECT 1 FROM idempotency_keys WHERE status IS NULL) AS k", &unanswered); err != nil || unanswered != 0 {
		t.Errorf("Idempotency-Key claims without an answer: %d %v", unanswered, err)
	}
	broken, entries, err := st.VerifyLog(ctx)
	if err != nil || broken != nil {
		t.Errorf("activity log: %+v %v", broken, err)
	}
	var logged int64
	if err := st.RawCount(ctx, "(SELECT 1 FROM activity_log WHERE action IN ('checkin', 'submit')) AS k", &logged); err != nil || logged != int64(len(stays)+len(stored)) {
		t.Errorf("activity log: %d check-in and submission entries for %d records (%v)", logged, len(stays)+len(stored), err)
	}
	report := fmt.Sprintf("soak: %d instance(s), %d clients, %s: %d check-ins and %d petitions acknowledged and stored exactly once; %d SIGKILLs, 1 PostgreSQL restart, %d retries; activity log whole (%d entries)",
		*replicas, *clients, elapsed.Round(time.Second), len(checkins), len(petitions), kills, retries.Load(), entries)
	t.Log(report)
	fmt.Println(report)
}
