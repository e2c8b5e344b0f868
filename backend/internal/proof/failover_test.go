//go:build proof

package proof

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/httpapi"
	"minxin/backend/internal/pgcluster"
	"minxin/backend/internal/store"
)

var failovers = flag.Int("failovers", 1, "TestFailover: how many times the primary crashes and its standby is promoted")

// promotionDelay is how long the test waits after the primary's crash before it promotes the
// standby: what a failover manager or an operator takes to notice, not Minxin's to measure.
const promotionDelay = time.Second

// writesBackWithin is the most a failover may keep writes unanswered after the promotion; every
// client must have had one answered within twice that.
const writesBackWithin = 15 * time.Second

// TestFailover: two PostgreSQL clusters made by the test on ports of their own (pgcluster,
// 5450–5455), a primary and its synchronous standby; `minxin serve` on a URL that names both
// (target_session_attrs=read-write), its reports on whichever is the standby
// (MINXIN_DATABASE_REPLICA_URL naming both, target_session_attrs=standby).
// The soak's clients send check-ins and petitions, retrying as the PWA does, while the primary
// is stopped in immediate mode (a crash) and, a second later, the standby promoted; the old
// primary is then rebuilt from a base backup as the new one's synchronous standby, as
// docs/deployment.md's runbook says, and with -failovers N the new primary crashes in turn.
// Writes are answered again within 15 s of each promotion (measured and printed); at the end
// every acknowledged write is on the last promoted database exactly once, nothing else is,
// the activity log verifies (the store's check and `minxin log verify`), and the standby holds
// the same.
func TestFailover(t *testing.T) {
	primary, standby := pgcluster.Replicated(t)
	hosts := func(db, target string) string {
		return "postgres://postgres@" + primary.Host() + "," + standby.Host() + "/" + db + "?sslmode=disable&target_session_attrs=" + target + "&connect_timeout=5"
	}
	// The test's database is made on the pair: apitest creates it where writes go.
	t.Setenv("MINXIN_TEST_POSTGRES_URL", hosts("postgres", "read-write"))
	env := apitest.New(t, "postgres")
	u, err := url.Parse(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	towns, officials, officers := soakDistrict(t, env)
	inspector := env.Token(env.User(domain.RoleInspector, ""))
	// Reports go to whichever of the two is the standby.
	c := startCluster(t, env, *replicas, "MINXIN_DATABASE_REPLICA_URL="+hosts(dbName, "standby"), "MINXIN_REPLICA_MAX_LAG=5s")
	figures := func() string {
		req, _ := http.NewRequest(http.MethodGet, c.URL+"/api/v1/petitions/figures?from=2020-01-01&to=2022-12-31", nil)
		req.Header.Set("Authorization", "Bearer "+inspector)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err.Error()
		}
		resp.Body.Close()
		return fmt.Sprintf("%d %s", resp.StatusCode, resp.Header.Get(httpapi.FreshnessHeader))
	}
	if got := figures(); !strings.HasPrefix(got, "200 replica; lag=") {
		t.Errorf("petition figures before the failover: %q, want them from the standby", got)
	}

	start := time.Now()
	deadline := start.Add(*duration)
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(2*time.Minute))
	defer cancel()
	load := startSoakLoad(t, ctx, c.URL, towns, officials, officers, *clients, deadline)

	var lines []string
	interval := *duration / time.Duration(*failovers+1)
	for k := range *failovers {
		time.Sleep(time.Until(start.Add(interval * time.Duration(k+1))))
		crashed := time.Now()
		if err := primary.Stop("immediate"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(promotionDelay)
		promoteStart := time.Now()
		if err := standby.Promote(); err != nil {
			t.Fatal(err)
		}
		promoted := time.Now()
		var back, everyone time.Time
		for wait := time.Now().Add(2 * writesBackWithin); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
			// Nothing takes writes between the crash and the promotion: an answer after the
			// promotion began is the new primary's.
			first, all, ok := load.resumedAfter(promoteStart)
			if ok {
				back, everyone = first, all
				break
			}
		}
		if back.IsZero() {
			t.Fatalf("failover %d: not every client had a write answered within %s of the promotion", k+1, 2*writesBackWithin)
		}
		line := fmt.Sprintf("failover %d: %s crashed; %s promoted %s later, pg_ctlcluster promote returning after %s; first write answered %s after the promotion began (%s after the crash), every client's %s after it",
			k+1, primary.Name, standby.Name, promoteStart.Sub(crashed).Round(time.Millisecond), promoted.Sub(promoteStart).Round(time.Millisecond),
			back.Sub(promoteStart).Round(time.Millisecond), back.Sub(crashed).Round(time.Millisecond), everyone.Sub(promoteStart).Round(time.Millisecond))
		if back.Sub(promoteStart) > writesBackWithin {
			t.Errorf("%s: more than %s", line, writesBackWithin)
		}
		// Without a standby, reports come from the primary.
		if got := figures(); !strings.HasPrefix(got, "200 primary; replica=") {
			t.Errorf("petition figures without a standby: %q", got)
		}
		// The runbook: the old primary becomes the new one's synchronous standby.
		rebuild := time.Now()
		if err := primary.FollowAfresh(standby); err != nil {
			t.Fatal(err)
		}
		if err := standby.SetSynchronousStandby(primary.Name); err != nil {
			t.Fatal(err)
		}
		line += fmt.Sprintf("; %s rebuilt as its synchronous standby in %s", primary.Name, time.Since(rebuild).Round(100*time.Millisecond))
		lines = append(lines, line)
		t.Log(line)
		primary, standby = standby, primary
	}
	load.wg.Wait()
	elapsed := time.Since(start)
	// The rebuilt standby serves the reports, found through the same URL.
	var got string
	for wait := time.Now().Add(15 * time.Second); time.Now().Before(wait); time.Sleep(200 * time.Millisecond) {
		if got = figures(); strings.HasPrefix(got, "200 replica; lag=") {
			break
		}
	}
	if !strings.HasPrefix(got, "200 replica; lag=") {
		t.Errorf("petition figures after %d failover(s): %q, want them from the rebuilt standby", *failovers, got)
	}
	for _, i := range c.Instances {
		i.stop()
	}

	// What is stored, on the promoted database, found through the URL naming both hosts.
	st, err := store.Open(store.Options{DatabaseURL: env.DatabaseURL, Location: env.Loc})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries := load.verify(t, st)
	cmd := exec.Command(binary(t), "log", "verify")
	cmd.Env = c.Instances[0].env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("minxin log verify: %v\n%s", err, out)
	}
	// The standby has replayed the same.
	var lsn string
	if err := st.RawScan(context.Background(), &lsn, "SELECT pg_current_wal_lsn()::text"); err != nil {
		t.Fatal(err)
	}
	replica, err := store.Open(store.Options{DatabaseURL: standby.URL(dbName), Location: env.Loc})
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	var counts [2][2]int64
	for k, s := range []*store.Store{st, replica} {
		for range 300 {
			var caughtUp bool
			if s == st || s.RawScan(context.Background(), &caughtUp, "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", lsn) == nil && caughtUp {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := s.RawCount(context.Background(), "overnight_stays", &counts[k][0]); err != nil {
			t.Fatal(err)
		}
		if err := s.RawCount(context.Background(), "petitions", &counts[k][1]); err != nil {
			t.Fatal(err)
		}
	}
	if counts[0] != counts[1] {
		t.Errorf("the standby holds %v check-ins and petitions, the primary %v", counts[1], counts[0])
	}
	report := fmt.Sprintf("failover: %d instance(s), %d clients, %s, %d failover(s): %d check-ins and %d petitions acknowledged and stored exactly once on the promoted database (and its rebuilt standby); %d retries; activity log whole (%d entries)\n  %s",
		*replicas, *clients, elapsed.Round(time.Second), *failovers, len(load.checkins), len(load.petitions), load.retries.Load(), entries, strings.Join(lines, "\n  "))
	t.Log(report)
	fmt.Println(report)
}

// TestSynchronousStandbyCost measures, on a primary and its synchronous standby made by the
// test (the same machine, so the standby's round trip is a loopback's and its fsync the same
// disk's): check-ins through `minxin serve` as the PWA sends them; pgbench's single-row INSERT
// waiting for the standby (synchronous_commit=on); and the same INSERT acknowledged on the
// primary's disk alone (synchronous_commit=local), in one run (make bench; docs/deployment.md,
// "Sizing").
func TestSynchronousStandbyCost(t *testing.T) {
	primary, standby := pgcluster.Replicated(t)
	t.Setenv("MINXIN_TEST_POSTGRES_URL", "postgres://postgres@"+primary.Host()+","+standby.Host()+"/postgres?sslmode=disable&target_session_attrs=read-write")
	env := apitest.New(t, "postgres")
	towns, tokens := district(t, env, 8, 4)
	c := startCluster(t, env, *replicas)
	checkinLoad(t, c.URL, tokens, *clients, 2*time.Second) // warm up
	minxin := checkinLoad(t, c.URL, tokens, *clients, *duration)
	official := env.User(domain.RoleOfficial, towns[0].ID)
	syncInsert := pgbench(t, env, pgbenchScript, towns[0].ID, official.ID, *clients, *duration)
	t.Setenv("PGOPTIONS", "-c synchronous_commit=local")
	localInsert := pgbench(t, env, pgbenchScript, towns[0].ID, official.ID, *clients, *duration)
	report := fmt.Sprintf(`synchronous standby: %d clients, %s each, %d instance(s), primary and standby on this machine
  minxin check-ins (synchronous standby)          %s
  pgbench single-row INSERT, synchronous standby  %s
  pgbench single-row INSERT, primary's disk only  %s
  ratio synchronous / local INSERT       %.2f
  ratio minxin / synchronous INSERT      %.2f`,
		*clients, *duration, *replicas, minxin, syncInsert, localInsert,
		syncInsert.perSecond()/localInsert.perSecond(), minxin.perSecond()/syncInsert.perSecond())
	t.Log(report)
	fmt.Println(report)
	if minxin.failed > 0 {
		t.Errorf("%d check-ins failed", minxin.failed)
	}
}
