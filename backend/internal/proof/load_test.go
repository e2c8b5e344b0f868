//go:build proof

package proof

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
)

// district seeds townships, each with officials, and answers the officials' access tokens.
// The tokens live auth.AccessTTL: a run must end before they do.
func district(t testing.TB, env *apitest.Env, townships, officialsEach int) (towns []domain.Township, tokens []string) {
	t.Helper()
	if *duration > auth.AccessTTL-3*time.Minute {
		t.Fatalf("-duration %s: at most %s, the access tokens' lifetime less the time to set up and finish", *duration, auth.AccessTTL-3*time.Minute)
	}
	for k := range townships {
		town := env.Township(fmt.Sprintf("测试%d镇", k+1), 30+float64(k)*0.1, 120)
		env.Village(town, fmt.Sprintf("测试%d村", k+1), 30+float64(k)*0.1, 120.01)
		towns = append(towns, town)
		for range officialsEach {
			tokens = append(tokens, env.Token(env.User(domain.RoleOfficial, town.ID, "team_member")))
		}
	}
	return towns, tokens
}

func httpClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}}
}

// checkin is an overnight-stay check-in as the PWA's outbox sends it: a new id, sent again
// with the same id as its Idempotency-Key until it is answered.
func checkin(id string) []byte {
	return fmt.Appendf(nil, `{"id":%q,"checkin":{"occurred_at":%q,"lat":30.0001,"lng":120.0001,"accuracy_m":12}}`,
		id, time.Now().Format(time.RFC3339))
}

func post(ctx context.Context, c *http.Client, url, token, key string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// latencies summarises one run.
type latencies struct {
	ok, failed int
	elapsed    time.Duration
	each       []time.Duration
}

func (l latencies) perSecond() float64 { return float64(l.ok) / l.elapsed.Seconds() }

func (l latencies) quantile(q float64) time.Duration {
	if len(l.each) == 0 {
		return 0
	}
	s := slices.Clone(l.each)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func (l latencies) String() string {
	return fmt.Sprintf("%8.0f/s  p50 %6.2f ms  p99 %6.2f ms  (%d ok, %d failed)", l.perSecond(),
		ms(l.quantile(0.5)), ms(l.quantile(0.99)), l.ok, l.failed)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// checkinLoad sends check-ins with distinct ids from n clients for d, each client as one of
// the officials, and measures every answer.
func checkinLoad(t testing.TB, url string, tokens []string, n int, d time.Duration) latencies {
	c := httpClient(n)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		mu  sync.Mutex
		all latencies
		wg  sync.WaitGroup
	)
	start := time.Now()
	for k := range n {
		wg.Go(func() {
			var mine latencies
			token := tokens[k%len(tokens)]
			for ctx.Err() == nil {
				id := domain.NewID()
				t0 := time.Now()
				status, body, err := post(ctx, c, url+"/api/v1/overnight-stays", token, id, checkin(id))
				if ctx.Err() != nil {
					break
				}
				if err != nil || status != http.StatusCreated {
					mine.failed++
					if mine.failed == 1 {
						t.Logf("check-in: %d %s %v", status, body, err)
					}
					continue
				}
				mine.ok++
				mine.each = append(mine.each, time.Since(t0))
			}
			mu.Lock()
			all.ok, all.failed, all.each = all.ok+mine.ok, all.failed+mine.failed, append(all.each, mine.each...)
			mu.Unlock()
		})
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	return all
}

// pgbenchScript is the least a check-in must write: one row of overnight_stays.
const pgbenchScript = `INSERT INTO overnight_stays (id, township_id, official_id, night_date, iso_week, content_hash, created_at)
VALUES (gen_random_uuid(), :township, :official, '2026-11-23', '2026-W48', '', now());
`

// pgbenchShape is the statement minxin sends for one check-in (store.Statement: the record,
// its evidence and its pending log entry in data-modifying CTEs, under the config token
// check), without Go, HTTP or JSON: the database's own limit for that work.
const pgbenchShape = `WITH config_current AS (SELECT 1 FROM config_token WHERE id = 1 AND token IS NOT NULL),
record AS (INSERT INTO overnight_stays (id, township_id, official_id, night_date, iso_week, checked_out, counts, refuted_at, content_hash, created_at)
  SELECT gen_random_uuid(), :township, :official, '2026-11-23', '2026-W48', false, false, NULL, 'h', now() FROM config_current ON CONFLICT DO NOTHING RETURNING id),
evidence AS (INSERT INTO evidence (record_type, record_id, kind, township_id, official_id, content_hash, occurred_at, received_at, lat, lng, accuracy_m, distance_m, photo_ids, flags, counts)
  SELECT 'overnight_stay', id, 'checkin', :township, :official, 'h', now(), now(), 30, 120, 12, 10, '[]', '[]', true FROM record RETURNING 1),
log_record AS (INSERT INTO activity_pending (id, at, actor_id, action, entity, entity_id, township_id, before, after)
  SELECT gen_random_uuid(), now(), :official, 'checkin', 'overnight_stay', id::text, :township, 'null', '{}' FROM record RETURNING 1)
SELECT EXISTS (SELECT 1 FROM config_current), EXISTS (SELECT 1 FROM record), EXISTS (SELECT 1 FROM evidence), EXISTS (SELECT 1 FROM log_record);
`

// pgbench runs script with n connections for d on env's database and reads every
// transaction's latency from its log.
func pgbench(t testing.TB, env *apitest.Env, script, township, official string, n int, d time.Duration) latencies {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "script.sql")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(n), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-f", path, "-D", "township="+township, "-D", "official="+official,
		"-l", "--log-prefix", filepath.Join(dir, "tx"), env.DatabaseURL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench: %v\n%s", err, out)
	}
	var l latencies
	if m := regexp.MustCompile(`duration: (\d+) s`).FindSubmatch(out); m != nil {
		secs, _ := strconv.Atoi(string(m[1]))
		l.elapsed = time.Duration(secs) * time.Second
	}
	if m := regexp.MustCompile(`number of failed transactions: (\d+)`).FindSubmatch(out); m != nil {
		l.failed, _ = strconv.Atoi(string(m[1]))
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	for _, f := range logs {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			// client_id transaction_no time_us script_no time_epoch time_us
			fields := strings.Fields(sc.Text())
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.Atoi(fields[2])
			if err != nil {
				continue
			}
			l.each = append(l.each, time.Duration(us)*time.Microsecond)
		}
		fh.Close()
	}
	l.ok = len(l.each)
	if l.ok == 0 || l.elapsed == 0 {
		t.Fatalf("pgbench measured nothing:\n%s", out)
	}
	return l
}

// TestWriteThroughput measures, in one run on one PostgreSQL: authenticated check-ins
// through `minxin serve` (or several behind nginx) as the PWA sends them; pgbench's
// single-row INSERT, the least a check-in must write; and pgbench sending the statements
// minxin sends for a check-in, in one transaction.
func TestWriteThroughput(t *testing.T) {
	env := apitest.New(t, "postgres")
	towns, tokens := district(t, env, 8, 4)
	var syncCommit string
	if err := env.Store.RawScan(t.Context(), &syncCommit, "SHOW synchronous_commit"); err != nil {
		t.Fatal(err)
	}
	c := startCluster(t, env, *replicas)
	checkinLoad(t, c.URL, tokens, *clients, 2*time.Second) // warm up: connections, caches
	minxin := checkinLoad(t, c.URL, tokens, *clients, *duration)
	// What a check-in keeps on disk, indexes included, once the sealers have chained the log
	// (for sizing: docs/deployment.md); pgbench adds rows to the same tables afterwards.
	time.Sleep(1500 * time.Millisecond)
	var stored struct{ Bytes, Rows int64 }
	if err := env.Store.RawScan(t.Context(), &stored, `SELECT (SELECT count(*) FROM overnight_stays) AS rows,
		pg_total_relation_size('overnight_stays') + pg_total_relation_size('evidence') +
		pg_total_relation_size('activity_log') + pg_total_relation_size('activity_pending') AS bytes`); err != nil {
		t.Fatal(err)
	}
	official := env.User(domain.RoleOfficial, towns[0].ID)
	insert := pgbench(t, env, pgbenchScript, towns[0].ID, official.ID, *clients, *duration)
	shape := pgbench(t, env, pgbenchShape, towns[0].ID, official.ID, *clients, *duration)
	report := fmt.Sprintf(`write throughput: %d clients, %s each, synchronous_commit=%s, %d instance(s)
  minxin check-ins              %s
  pgbench single-row INSERT     %s
  pgbench minxin's statements   %s
  ratio minxin / pgbench INSERT       %.2f
  ratio minxin / pgbench statements   %.2f
  on disk per check-in (record, evidence, log entry, indexes): %d bytes`,
		*clients, *duration, syncCommit, *replicas, minxin, insert, shape,
		minxin.perSecond()/insert.perSecond(), minxin.perSecond()/shape.perSecond(), stored.Bytes/max(1, stored.Rows))
	t.Log(report)
	fmt.Println(report)
	if minxin.failed > 0 {
		t.Errorf("%d check-ins failed", minxin.failed)
	}
}
