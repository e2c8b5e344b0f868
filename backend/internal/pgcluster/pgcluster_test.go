package pgcluster_test

import (
	"context"
	"testing"

	"minxin/backend/internal/pgcluster"
)

// TestFailoverRunbook follows docs/deployment.md's failover runbook on two clusters: a commit
// on the primary is on its synchronous standby; the primary crashes, the standby is promoted
// and takes writes; the old primary is rebuilt as the new one's standby and, made synchronous,
// receives the next commit.
func TestFailoverRunbook(t *testing.T) {
	ctx := context.Background()
	primary, standby := pgcluster.Replicated(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func(c *pgcluster.Cluster) (n int) {
		t.Helper()
		must(c.QueryRow(ctx, "SELECT count(*) FROM marks", &n))
		return n
	}
	must(primary.Exec(ctx, "CREATE TABLE marks (n int)"))
	must(primary.Exec(ctx, "INSERT INTO marks VALUES (1)"))
	if err := standby.Exec(ctx, "INSERT INTO marks VALUES (2)"); err == nil {
		t.Fatal("the standby took a write")
	}
	must(primary.Stop("immediate"))
	must(standby.Promote())
	if n := count(standby); n != 1 {
		t.Fatalf("the promoted standby has %d marks, want the one acknowledged", n)
	}
	must(standby.Exec(ctx, "INSERT INTO marks VALUES (2)"))

	must(primary.FollowAfresh(standby))
	must(standby.SetSynchronousStandby(primary.Name))
	must(standby.Exec(ctx, "INSERT INTO marks VALUES (3)"))
	if inRecovery, err := primary.InRecovery(); err != nil || !inRecovery {
		t.Fatalf("the rebuilt old primary: in recovery %v, %v", inRecovery, err)
	}
	// Synchronous commit waits for the standby's flush, not its replay: wait for the replay.
	for range 200 {
		if count(primary) == 3 {
			return
		}
		must(primary.Exec(ctx, "SELECT pg_sleep(0.01)"))
	}
	t.Fatalf("the rebuilt standby has %d marks, want 3", count(primary))
}
