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

// soakLoad is the soak's clients: half of them send overnight-stay check-ins as the
// district's officials, half register petitions as the townships' petition officers, each
// request retried as the PWA does until it is answered; what was acknowledged is kept, with
// when, to be looked for in the database at the end.
type soakLoad struct {
	mu        sync.Mutex
	checkins  map[string]bool   // acknowledged check-in ids → answered with the same id
	petitions map[string]string // acknowledged petition id → subject
	acks      []ack
	retries   atomic.Int64
	wg        sync.WaitGroup
	clients   int
}

// ack is when a client's request was acknowledged.
type ack struct {
	at     time.Time
	client int
}

// startSoakLoad starts n clients sending to url until deadline; requests begun before it are
// retried until answered as long as ctx lasts.
func startSoakLoad(t *testing.T, ctx context.Context, url string, towns []domain.Township, officials, officers []string, n int, deadline time.Time) *soakLoad {
	l := &soakLoad{checkins: map[string]bool{}, petitions: map[string]string{}, clients: n}
	client := httpClient(n)
	for k := range n {
		l.wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				key := domain.NewID()
				if k%2 == 0 {
					status, answer, err := sendUntilDone(ctx, client, url+"/api/v1/overnight-stays", officials[k%len(officials)], key, checkin(key), &l.retries)
					if err != nil || status != http.StatusCreated {
						t.Errorf("check-in %s: %d %s %v", key, status, answer, err)
						return
					}
					var got struct{ ID string }
					json.Unmarshal(answer, &got)
					l.mu.Lock()
					l.checkins[got.ID] = got.ID == key
					l.acks = append(l.acks, ack{time.Now(), k})
					l.mu.Unlock()
					continue
				}
				o := k / 2
				subject := "soak-" + strconv.Itoa(o) + "-" + strconv.Itoa(n)
				status, answer, err := sendUntilDone(ctx, client, url+"/api/v1/petitions", officers[o%len(officers)], key, soakPetition(towns[o%len(towns)].ID, subject), &l.retries)
				if err != nil || status != http.StatusCreated {
					t.Errorf("petition %s: %d %s %v", subject, status, answer, err)
					return
				}
				var got struct{ ID string }
				json.Unmarshal(answer, &got)
				l.mu.Lock()
				l.petitions[got.ID] = subject
				l.acks = append(l.acks, ack{time.Now(), k})
				l.mu.Unlock()
			}
		})
	}
	return l
}

// resumedAfter says when, after t, the first acknowledgement arrived and when every client
// had had one (false: some client had none).
func (l *soakLoad) resumedAfter(t time.Time) (first, all time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	firstOf := map[int]time.Time{}
	for _, a := range l.acks {
		if f, seen := firstOf[a.client]; a.at.After(t) && (!seen || a.at.Before(f)) {
			firstOf[a.client] = a.at
		}
	}
	for _, at := range firstOf {
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(all) {
			all = at
		}
	}
	return first, all, len(firstOf) == l.clients
}

// verify checks the database st against what was acknowledged: every request that was
// answered 2xx is stored exactly once, nothing is stored that was not, no record exists twice,
// no Idempotency-Key claim is left without its answer, and the activity log is whole, with one
// entry per record. It answers the log's length.
func (l *soakLoad) verify(t *testing.T, st *store.Store) int64 {
	ctx := context.Background()
	var stays []string
	if err := st.RawScan(ctx, &stays, "SELECT id FROM overnight_stays"); err != nil {
		t.Fatal(err)
	}
	for _, id := range stays {
		if _, ok := l.checkins[id]; !ok {
			t.Errorf("check-in %s is stored but was never acknowledged", id)
		}
	}
	for id, sameID := range l.checkins {
		if !sameID {
			t.Errorf("check-in %s was answered with another id", id)
		}
	}
	if len(stays) != len(l.checkins) {
		t.Errorf("check-ins: %d acknowledged, %d stored", len(l.checkins), len(stays))
	}
	var stored []struct{ ID, Subject string }
	if err := st.RawScan(ctx, &stored, "SELECT id, subject FROM petitions"); err != nil {
		t.Fatal(err)
	}
	subjects := map[string]int{}
	for _, p := range stored {
		subjects[p.Subject]++
		if l.petitions[p.ID] != p.Subject {
			t.Errorf("petition %s (%s) is stored but was not acknowledged as such", p.ID, p.Subject)
		}
	}
	for s, n := range subjects {
		if n > 1 {
			t.Errorf("petition %q is stored %d times", s, n)
		}
	}
	if len(stored) != len(l.petitions) {
		t.Errorf("petitions: %d acknowledged, %d stored", len(l.petitions), len(stored))
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
	return entries
}

// soakDistrict is the soak's district: four townships of four officials each, and a petition
// officer per township; their tokens.
func soakDistrict(t *testing.T, env *apitest.Env) (towns []domain.Township, officials, officers []string) {
	towns, officials = district(t, env, 4, 4)
	for _, town := range towns {
		officers = append(officers, env.Token(env.User(domain.RolePetitionOfficer, town.ID)))
	}
	return towns, officials, officers
}

// TestSoak: many clients send check-ins and petitions, retrying as the PWA does, while the
// servers are killed with SIGKILL at random moments and restarted, and PostgreSQL itself is
// restarted once (immediate mode: as in a crash). At the end every request that was answered
// 2xx is stored exactly once, nothing is stored that was not, no record exists twice, no
// Idempotency-Key claim is left without its answer, and the activity log is whole.
func TestSoak(t *testing.T) {
	env := apitest.New(t, "postgres")
	towns, officials, officers := soakDistrict(t, env)
	c := startCluster(t, env, *replicas)
	start := time.Now()
	deadline := start.Add(*duration)
	// Requests begun before the deadline are retried until answered, for at most 2 minutes.
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(2*time.Minute))
	defer cancel()
	load := startSoakLoad(t, ctx, c.URL, towns, officials, officers, *clients, deadline)

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
	load.wg.Wait()
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
	entries := load.verify(t, st)
	report := fmt.Sprintf("soak: %d instance(s), %d clients, %s: %d check-ins and %d petitions acknowledged and stored exactly once; %d SIGKILLs, 1 PostgreSQL restart, %d retries; activity log whole (%d entries)",
		*replicas, *clients, elapsed.Round(time.Second), len(load.checkins), len(load.petitions), kills, load.retries.Load(), entries)
	t.Log(report)
	fmt.Println(report)
}
