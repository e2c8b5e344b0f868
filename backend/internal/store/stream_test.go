package store_test

import (
	"context"
	"fmt"
	"testing"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/store"
)

// Stream gives every row once, in the query's order, with its arguments bound, and lets the
// transaction write between batches; what it wrote is in the transaction.
func TestStreamReadsInOrderAndWritesBetweenBatches(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		const rows, batch = 2_345, 1_000
		var got []int
		betweens, written := 0, 0
		err := env.Store.Tx(context.Background(), func(tx *store.Tx) error {
			query := `WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?) SELECT n FROM g WHERE n % ? <> 0 ORDER BY n DESC`
			return tx.Stream(query, []any{rows, 7}, batch, func(scan func(...any) error) error {
				var n int
				if err := scan(&n); err != nil {
					return err
				}
				got = append(got, n)
				return nil
			}, func() error {
				betweens++
				for ; written < len(got); written++ {
					if err := tx.Exec(`INSERT INTO holidays (date, working, name) VALUES ('2000-01-01', FALSE, ?)
						ON CONFLICT (date) DO UPDATE SET name = excluded.name`, fmt.Sprint(got[written])).Error; err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		want := rows - rows/7
		if len(got) != want || betweens != want/batch+1 {
			t.Fatalf("%d rows in %d batches, want %d in %d", len(got), betweens, want, want/batch+1)
		}
		for i, n := range got {
			if i > 0 && n >= got[i-1] || n%7 == 0 {
				t.Fatalf("row %d is %d after %d", i, n, got[i-1])
			}
		}
		var last []string
		if err := env.Store.RawScan(context.Background(), &last, `SELECT name FROM holidays`); err != nil || len(last) != 1 || last[0] != "1" {
			t.Errorf("written between batches: %v %v", last, err)
		}
	})
}

// Stream sees what the transaction saw committed when it started streaming; on PostgreSQL,
// which reads on a connection of its own, not the transaction's own uncommitted rows.
func TestStreamSeesTheCommittedData(t *testing.T) {
	apitest.ForEachEngine(t, func(t *testing.T, env *apitest.Env) {
		exec(t, env, `INSERT INTO holidays (date, working, name) VALUES ('2001-01-01', FALSE, 'committed')`)
		var got []string
		err := env.Store.Tx(context.Background(), func(tx *store.Tx) error {
			if err := tx.Exec(`INSERT INTO holidays (date, working, name) VALUES ('2002-01-01', FALSE, 'uncommitted')`).Error; err != nil {
				return err
			}
			return tx.Stream(`SELECT name FROM holidays ORDER BY date`, nil, 10, func(scan func(...any) error) error {
				var name string
				got = append(got, name)
				return scan(&got[len(got)-1])
			}, func() error { return nil })
		})
		want := []string{"committed"}
		if env.Engine == "sqlite" {
			want = append(want, "uncommitted")
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("streamed %v (%v), want %v", got, err, want)
		}
	})
}
