package store_test

import (
	"context"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/pgcluster"
	"minxin/backend/internal/store"
)

func TestFreshnessHeaderValues(t *testing.T) {
	for _, c := range []struct {
		f    store.Freshness
		want string
	}{
		{store.Freshness{Source: store.SourcePrimary}, "primary"},
		{store.Freshness{Source: store.SourceReplica}, "replica; lag=0.000s"},
		{store.Freshness{Source: store.SourceReplica, Lag: 1250 * time.Millisecond}, "replica; lag=1.250s"},
		{store.Freshness{Source: store.SourcePrimary, Replica: store.ReplicaLagging, Lag: 45 * time.Second}, "primary; replica=lagging; lag=45.000s"},
		{store.Freshness{Source: store.SourcePrimary, Replica: store.ReplicaLagging}, "primary; replica=lagging"},
		{store.Freshness{Source: store.SourcePrimary, Replica: store.ReplicaDown}, "primary; replica=down"},
		{store.Freshness{Source: store.SourcePrimary, Replica: store.ReplicaNotStandby}, "primary; replica=not-standby"},
	} {
		if got := c.f.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
}

// TestReportsWithoutStandby: without a replica, reports read the primary and say so.
func TestReportsWithoutStandby(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		ctx, noted := store.NoteFreshness(context.Background())
		if _, f := env.Store.Reports(ctx); f != (store.Freshness{Source: store.SourcePrimary}) {
			t.Errorf("Reports: %+v", f)
		}
		if _, ok := noted(); !ok {
			t.Error("Reports did not note where it read")
		}
		var n int64
		f, err := env.Store.ReportTx(ctx, func(tx *store.Tx) error { return tx.Table("townships").Count(&n).Error })
		if err != nil || f.Source != store.SourcePrimary {
			t.Errorf("ReportTx: %+v %v", f, err)
		}
	})
}

// TestReportsFromStandby runs a store on a primary and its synchronous hot standby, made for
// the test on ports of its own (pgcluster): reports read the standby while it has replayed
// what the primary wrote, and still within the lag bound; the primary when the standby's
// replay is paused for longer than the bound, and when the standby is stopped; the standby
// again when it is back. Then the primary crashes and the standby is promoted: the same store,
// on a URL naming both hosts with target_session_attrs=read-write, writes again on the
// promoted one, where every acknowledged write is.
func TestReportsFromStandby(t *testing.T) {
	primary, standby := pgcluster.Replicated(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(primary.Exec(ctx, "CREATE DATABASE minxin"))
	both := "postgres://postgres@" + primary.Host() + "," + standby.Host() + "/minxin?sslmode=disable&target_session_attrs=read-write&connect_timeout=5"
	const bound = time.Second
	st, err := store.Open(store.Options{DatabaseURL: both, ReplicaURL: standby.URL("minxin") + "&connect_timeout=2",
		ReplicaMaxLag: bound, ReplicaRetry: 300 * time.Millisecond})
	must(err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	must(err)
	must(st.RawExec(ctx, "CREATE TABLE marks (n int)"))
	must(st.RawExec(ctx, "INSERT INTO marks VALUES (1)"))
	marks := func(tx *store.Tx) (n int64) {
		t.Helper()
		must(tx.Table("marks").Count(&n).Error)
		return n
	}

	// Caught up: the standby has everything committed before the report began.
	tx, f := st.Reports(ctx)
	if f != (store.Freshness{Source: store.SourceReplica}) || marks(tx) != 1 {
		t.Fatalf("caught up: %+v, %d marks", f, marks(tx))
	}
	if _, err := tx.SettingsOn(tx.Today()); err != nil {
		t.Fatalf("settings read on the standby: %v", err)
	}
	if err := tx.Exec("INSERT INTO marks VALUES (0)").Error; err == nil {
		t.Fatal("a report wrote on the standby")
	}
	f, err = st.ReportTx(ctx, func(tx *store.Tx) error {
		if n := marks(tx); n != 1 {
			t.Errorf("ReportTx on the standby: %d marks", n)
		}
		return nil
	})
	if err != nil || f.Source != store.SourceReplica {
		t.Fatalf("ReportTx: %+v %v", f, err)
	}

	// Replay paused: the standby receives but does not apply. Within the bound it still
	// serves, saying how old it is; past it, the primary answers.
	must(standby.Exec(ctx, "SELECT pg_wal_replay_pause()"))
	must(st.RawExec(ctx, "INSERT INTO marks VALUES (2)"))
	if tx, f := st.Reports(ctx); f.Source == store.SourceReplica {
		if f.Lag <= 0 || f.Lag > bound || marks(tx) != 1 {
			t.Errorf("paused within the bound: %+v, %d marks", f, marks(tx))
		}
	}
	time.Sleep(bound + 200*time.Millisecond)
	tx, f = st.Reports(ctx)
	if f.Source != store.SourcePrimary || f.Replica != store.ReplicaLagging || f.Lag <= bound || marks(tx) != 2 {
		t.Fatalf("paused past the bound: %+v, %d marks", f, marks(tx))
	}
	t.Logf("replay paused: %s", f)
	must(standby.Exec(ctx, "SELECT pg_wal_replay_resume()"))
	waitFor(t, "the standby to catch up", func() bool { _, f := st.Reports(ctx); return f.Source == store.SourceReplica })

	// Stopped: the primary answers at once, and again without asking the standby until the
	// retry interval has passed; then the standby again once it is back.
	must(standby.Stop("fast"))
	start := time.Now()
	tx, f = st.Reports(ctx)
	if f != (store.Freshness{Source: store.SourcePrimary, Replica: store.ReplicaDown}) || marks(tx) != 2 {
		t.Fatalf("standby stopped: %+v, %d marks", f, marks(tx))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("falling back took %s", d)
	}
	must(standby.Start())
	waitFor(t, "the standby to serve again", func() bool { _, f := st.Reports(ctx); return f.Source == store.SourceReplica })
	// The standby is synchronous again before the next write is acknowledged.
	must(st.RawExec(ctx, "INSERT INTO marks VALUES (3)"))

	// Failover: the primary crashes, the standby is promoted; the store's URL names both.
	must(primary.Stop("immediate"))
	must(standby.Promote())
	promoted := time.Now()
	waitFor(t, "a write on the promoted standby", func() bool { return st.RawExec(ctx, "INSERT INTO marks VALUES (4)") == nil })
	t.Logf("first write %s after the promotion", time.Since(promoted).Round(time.Millisecond))
	tx, f = st.Reports(ctx)
	if f.Source != store.SourcePrimary || f.Replica != store.ReplicaNotStandby || marks(tx) != 4 {
		t.Fatalf("after the failover: %+v, %d marks (want the 3 acknowledged and the new one)", f, marks(tx))
	}
}

// waitFor polls ok every 50 ms for up to 15 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
