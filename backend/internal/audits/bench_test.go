package audits_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
	"minxin/backend/internal/audits"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// benchTownships is the number of townships of the audit benchmark's district.
const benchTownships = 20

// benchPopulation is the size of the audit benchmark's population, 1,000,000 unless
// MINXIN_AUDIT_BENCH_RECORDS says otherwise.
func benchPopulation(b *testing.B) int {
	if v := os.Getenv("MINXIN_AUDIT_BENCH_RECORDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < benchTownships {
			b.Fatalf("MINXIN_AUDIT_BENCH_RECORDS=%q: want a number of at least %d", v, benchTownships)
		}
		return n
	}
	return 1_000_000
}

// auditBench makes a fresh PostgreSQL database with benchTownships townships, one team
// member in each, and n counting overnight stays of 2026 spread evenly over the townships and
// the year, plus n/10 stays of 2025 and n/20 stays of 2026 that do not count: the population
// of a round over every township in 2026 is the n counting stays. Ids are random (version 4)
// UUIDs, so that their order has nothing to do with the order of the rows on disk.
func auditBench(b *testing.B, n int) (*apitest.Env, []string) {
	env := apitest.New(b, "postgres")
	var townships []string
	for i := range benchTownships {
		town := env.Township(fmt.Sprintf("镇%02d", i), 30, 120+float64(i)/100)
		env.User(domain.RoleOfficial, town.ID, "team_member")
		townships = append(townships, town.ID)
	}
	start := time.Now()
	for _, part := range []struct {
		rows   int
		first  string
		counts bool
	}{{n, "2026-01-01", true}, {n / 10, "2025-01-01", true}, {n / 20, "2026-01-01", false}} {
		err := env.Store.RawExec(context.Background(), `INSERT INTO overnight_stays
			(id, township_id, official_id, night_date, iso_week, checked_out, counts, content_hash, created_at)
			SELECT gen_random_uuid(), u.township_id, u.id, CAST(? AS DATE) + (g / ?) % 365, '2026-W01', TRUE, ?, '', now()
			FROM generate_series(0, ? - 1) AS g
			JOIN (SELECT id, township_id, row_number() OVER (ORDER BY township_id) - 1 AS k FROM users WHERE township_id IS NOT NULL) AS u
			  ON u.k = g % ?`, part.first, benchTownships, part.counts, part.rows, benchTownships)
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := env.Store.RawExec(context.Background(), `VACUUM ANALYZE overnight_stays`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d overnight stays (%d in the population) loaded in %v", n+n/10+n/20, n, time.Since(start).Round(time.Millisecond))
	return env, townships
}

// BenchmarkOpenAudit1M opens a round over 1,000,000 counting overnight stays in 20 townships
// (every township named, the year 2026; sample 1,000, at least 5 per township) on PostgreSQL,
// and reports its time and the process's peak memory against two baselines over the same rows
// in the same run: counting them in SQL, and streaming them to Go, one manifest line a row in
// record-id order (the very query of the round, in one result), the least a manifest needs.
// Run it with
//
//	go test -run '^$' -bench OpenAudit1M -benchtime 3x ./backend/internal/audits/
//
// (MINXIN_AUDIT_BENCH_RECORDS=… for another size). peak-RSS-MB is the process's resident
// high-water mark (VmHWM in /proc/self/status) during the operation, reset before it, so it
// counts everything the process holds then: the Go heap, the runtime and the loaded binary.
func BenchmarkOpenAudit1M(b *testing.B) {
	n := benchPopulation(b)
	env, townships := auditBench(b, n)
	from, to := civil.New(2026, 1, 1), civil.New(2026, 12, 31)
	// The population as the round selects it (the same rows, filter and order), written for
	// database/sql with the townships as parameters.
	placeholders, args := make([]string, len(townships)), make([]any, len(townships))
	for i, t := range townships {
		placeholders[i], args[i] = fmt.Sprintf("$%d", i+1), t
	}
	population := `FROM overnight_stays r WHERE r.counts AND r.refuted_at IS NULL AND r.night_date >= '2026-01-01' AND r.night_date <= '2026-12-31'
		AND r.township_id IN (` + strings.Join(placeholders, ", ") + `)`
	db, err := sql.Open("pgx", env.DatabaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	b.Run("baseline-count", func(b *testing.B) {
		measure(b, db, func() {
			var got int
			if err := db.QueryRow(`SELECT count(*) `+population, args...).Scan(&got); err != nil || got != n {
				b.Fatal(got, err)
			}
		})
	})
	b.Run("baseline-stream-ids", func(b *testing.B) {
		measure(b, db, func() {
			rows, err := db.Query(`SELECT 'overnight_stay:' || CAST(r.id AS TEXT) || ',' || CAST(r.township_id AS TEXT) `+population+` ORDER BY r.id`, args...)
			if err != nil {
				b.Fatal(err)
			}
			defer rows.Close()
			got := 0
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					b.Fatal(err)
				}
				got++
			}
			if err := rows.Err(); err != nil || got != n {
				b.Fatal(got, err)
			}
		})
	})
	b.Run("open", func(b *testing.B) {
		inspector := env.User(domain.RoleInspector, "").Actor()
		measure(b, db, func() {
			a, err := env.App.Audits.Open(context.Background(), inspector, audits.Input{RecordType: domain.AuditOvernightStay,
				TownshipIDs: townships, PeriodStart: from, PeriodEnd: to, SampleSize: 1000, MinPerTownship: 5})
			if err != nil || a.PopulationSize != n || len(a.Sample) != 1000 {
				b.Fatal(a.PopulationSize, len(a.Sample), err)
			}
		})
	})
}

// measure runs fn b.N times and reports, besides the time, the process's peak resident
// memory during the runs (peak-RSS-MB, VmHWM), the bytes fn allocated on average
// (alloc-MB/op, from runtime.MemStats.TotalAlloc), and the CPU time fn took on average in this
// process (go-cpu-ms/op, getrusage) and in the PostgreSQL backends serving the test's database
// (pg-cpu-ms/op, from /proc): on a shared machine the time depends on the other work, the CPU
// time much less.
func measure(b *testing.B, db *sql.DB, fn func()) {
	runtime.GC()
	debug.FreeOSMemory()
	// Writing 5 to clear_refs resets the high-water mark to the current resident size.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak resident size: %v", err)
	}
	rssBefore := procStatusKB(b, "VmRSS")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	goCPU, pgCPU := processCPU(b), backendsCPU(b, db)
	b.ResetTimer()
	for range b.N {
		fn()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(processCPU(b)-goCPU)/float64(b.N)/float64(time.Millisecond), "go-cpu-ms/op")
	pgAfter := backendsCPU(b, db)
	var pg time.Duration
	for pid, t := range pgAfter {
		pg += t - pgCPU[pid]
	}
	b.ReportMetric(float64(pg)/float64(b.N)/float64(time.Millisecond), "pg-cpu-ms/op")
	b.ReportMetric(float64(procStatusKB(b, "VmHWM"))/1024, "peak-RSS-MB")
	b.ReportMetric(float64(rssBefore)/1024, "RSS-before-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
}

// processCPU is the user and system CPU time of this process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendsCPU is the user and system CPU time so far of every PostgreSQL backend connected to
// db's database, by process id (PostgreSQL runs on this machine).
func backendsCPU(b *testing.B, db *sql.DB) map[int]time.Duration {
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			b.Fatal(err)
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // ended since
		}
		// The fields after the command's closing parenthesis: state is the 3rd field of the
		// line, utime and stime the 14th and 15th, in clock ticks of 1/100 s.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return out
}

// procStatusKB reads a field of /proc/self/status given in kB.
func procStatusKB(b *testing.B, field string) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}
