package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Reports — scorecards, figures and their exports — may be read from a hot standby
// (MINXIN_DATABASE_REPLICA_URL), so that the district's big reads do not compete with the
// evening's check-ins on the primary. Each report asks first how far behind the standby is:
// the primary's current WAL position, then whether the standby has replayed up to it. A
// standby that has is exactly as fresh as the primary was when the report began (everything
// acknowledged before is on it); one that has not is as old as the last transaction it
// replayed (pg_last_xact_replay_timestamp), and is used only while that age is within the
// bound (MINXIN_REPLICA_MAX_LAG). Otherwise, and when it is down, the primary answers.

// Where a report was read from.
const (
	SourcePrimary = "primary"
	SourceReplica = "replica"
)

// Why a report that could have been read from the standby was read from the primary.
const (
	ReplicaDown       = "down"        // it did not answer, or answered an error
	ReplicaLagging    = "lagging"     // further behind than the bound, or by an unknown amount
	ReplicaNotStandby = "not-standby" // it is not in recovery: promoted, or not a standby at all
	ReplicaUnchecked  = "unchecked"   // the primary did not say where it is
)

// Freshness says which database a report was read from and how stale that made it.
type Freshness struct {
	Source string // SourcePrimary or SourceReplica
	// Lag is how far behind the primary the standby was: zero when it had replayed all the
	// primary had written when the report began. On the primary, the standby's lag when that
	// is why it was not used.
	Lag time.Duration
	// Replica, on the primary with a standby configured, says why the standby was not used.
	Replica string
}

// String is the value of the report's X-Minxin-Data-Freshness header: `primary`,
// `replica; lag=1.250s`, or `primary; replica=lagging; lag=45.000s` (also `replica=down`,
// `replica=not-standby`, `replica=unchecked`).
func (f Freshness) String() string {
	lag := "; lag=" + strconv.FormatFloat(f.Lag.Seconds(), 'f', 3, 64) + "s"
	switch {
	case f.Source == SourceReplica:
		return SourceReplica + lag
	case f.Replica == "":
		return SourcePrimary
	case f.Replica == ReplicaLagging && f.Lag > 0:
		return SourcePrimary + "; replica=" + f.Replica + lag
	}
	return SourcePrimary + "; replica=" + f.Replica
}

// staler is the freshness of an answer read partly as f and partly as g.
func staler(f, g Freshness) Freshness {
	switch {
	case f.Source == SourceReplica && g.Source == SourceReplica:
		if g.Lag > f.Lag {
			return g
		}
		return f
	case g.Source == SourceReplica:
		return g
	case f.Source == SourceReplica:
		return f
	case f.Replica == "":
		return g
	}
	return f
}

// replica is the hot standby and what is known of it.
type replica struct {
	st     *Store
	maxLag time.Duration
	retry  time.Duration
	// downUntil (Unix nanoseconds): a standby that did not answer, or is not a standby, is
	// not asked again before then, so that reports do not wait on it each time.
	downUntil atomic.Int64
}

// replicaPool is the most connections to the standby one instance opens: reports are few.
const replicaPool = 8

// probeTimeout bounds the question of how far behind the standby is.
const probeTimeout = 2 * time.Second

func openReplica(opts Options, loc *time.Location) (*replica, error) {
	cfg := gormConfig()
	// Not pinged: the standby may be down when Minxin starts.
	cfg.DisableAutomaticPing = true
	db, err := gorm.Open(postgres.Open(opts.ReplicaURL), cfg)
	if err != nil {
		return nil, fmt.Errorf("open replica: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(replicaPool)
	sqlDB.SetMaxIdleConns(replicaPool)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	r := &replica{
		st:     &Store{db: db, sqlDB: sqlDB, dialect: "postgres", loc: loc, now: cfg.NowFunc},
		maxLag: opts.ReplicaMaxLag,
		retry:  opts.ReplicaRetry,
	}
	if r.maxLag <= 0 {
		r.maxLag = 30 * time.Second
	}
	if r.retry <= 0 {
		r.retry = 5 * time.Second
	}
	return r, nil
}

// Reports reads for a report — a scorecard, figures, an export — outside a transaction, as
// of now, like Reader: from the standby when there is one, it answers and it is within the
// lag bound, else from the primary. Freshness says which, and is also noted in ctx for the
// answer's header (see NoteFreshness). A report only reads: the standby refuses writes.
func (s *Store) Reports(ctx context.Context) (*Tx, Freshness) {
	rs, f := s.reportSource(ctx)
	noteFreshness(ctx, f)
	if rs != s {
		return &Tx{DB: rs.db.WithContext(ctx), Now: s.now(), st: rs}, f
	}
	return s.Reader(ctx), f
}

// ReportTx runs fn in one read-only transaction on the database Reports would read (REPEATABLE
// READ on PostgreSQL, so that every query of the report sees one snapshot), as of now.
func (s *Store) ReportTx(ctx context.Context, fn func(tx *Tx) error) (Freshness, error) {
	rs, f := s.reportSource(ctx)
	noteFreshness(ctx, f)
	if s.dialect != "postgres" || inRequest(ctx) {
		return f, s.Tx(ctx, fn)
	}
	now := s.now()
	return f, rs.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&Tx{DB: db, Now: now, st: rs})
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

func inRequest(ctx context.Context) bool {
	_, ok := ctx.Value(requestTx{}).(*gorm.DB)
	return ok
}

// reportSource is the store a report reads: the standby's or s.
func (s *Store) reportSource(ctx context.Context) (*Store, Freshness) {
	if s.replica == nil || inRequest(ctx) {
		return s, Freshness{Source: SourcePrimary}
	}
	f := s.replica.freshness(ctx, s)
	if f.Source == SourceReplica {
		return s.replica.st, f
	}
	return s, f
}

// ReplicaFreshness answers what a report would read now, without reading; nil replica: the
// primary. Operators' checks and tests use it.
func (s *Store) ReplicaFreshness(ctx context.Context) Freshness {
	_, f := s.reportSource(ctx)
	return f
}

// freshness asks the primary where its WAL is and the standby whether it has replayed that
// far, and if not, how old its last replayed transaction is.
func (r *replica) freshness(ctx context.Context, primary *Store) Freshness {
	if time.Now().UnixNano() < r.downUntil.Load() {
		return Freshness{Source: SourcePrimary, Replica: ReplicaDown}
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var lsn string
	if err := primary.db.WithContext(ctx).Raw("SELECT pg_current_wal_lsn()::text").Scan(&lsn).Error; err != nil || lsn == "" {
		return Freshness{Source: SourcePrimary, Replica: ReplicaUnchecked}
	}
	var probe struct {
		Standby  bool
		CaughtUp bool
		Age      *float64 // seconds since the last transaction the standby replayed committed
	}
	// A standby replays within milliseconds of receiving: a report that begins just after a
	// commit waits up to 20 ms for it rather than count the standby as old as its previous one.
	for try := 0; ; try++ {
		err := r.st.db.WithContext(ctx).Raw(`SELECT pg_is_in_recovery() AS standby,
			COALESCE(pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0, false) AS caught_up,
			EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS age`, lsn).Scan(&probe).Error
		if err != nil {
			r.leave()
			return Freshness{Source: SourcePrimary, Replica: ReplicaDown}
		}
		if !probe.Standby {
			r.leave()
			return Freshness{Source: SourcePrimary, Replica: ReplicaNotStandby}
		}
		if probe.CaughtUp {
			return Freshness{Source: SourceReplica}
		}
		if try == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if probe.Age == nil {
		return Freshness{Source: SourcePrimary, Replica: ReplicaLagging}
	}
	lag := max(0, time.Duration(*probe.Age*float64(time.Second))).Round(time.Millisecond)
	if lag > r.maxLag {
		return Freshness{Source: SourcePrimary, Replica: ReplicaLagging, Lag: lag}
	}
	return Freshness{Source: SourceReplica, Lag: lag}
}

// leave stops asking the standby for r.retry and closes the idle connections to it: with a
// replica URL that names several hosts and target_session_attrs=standby, the next connection
// finds whichever is the standby now (after a failover, the rebuilt old primary).
func (r *replica) leave() {
	r.downUntil.Store(time.Now().Add(r.retry).UnixNano())
	r.st.sqlDB.SetMaxIdleConns(0)
	r.st.sqlDB.SetMaxIdleConns(replicaPool)
}

// freshnessNote collects the freshness of every report read of one answer.
type freshnessNote struct {
	mu   sync.Mutex
	f    Freshness
	seen bool
}

type freshnessKey struct{}

// NoteFreshness returns a context in which Reports and ReportTx note where they read, and a
// function that answers the stalest of those reads (false when there was none). The HTTP
// layer uses it to write the X-Minxin-Data-Freshness header of a report's answer without
// every service returning its freshness.
func NoteFreshness(ctx context.Context) (context.Context, func() (Freshness, bool)) {
	n := &freshnessNote{}
	return context.WithValue(ctx, freshnessKey{}, n), func() (Freshness, bool) {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.f, n.seen
	}
}

func noteFreshness(ctx context.Context, f Freshness) {
	n, ok := ctx.Value(freshnessKey{}).(*freshnessNote)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen {
		f = staler(n.f, f)
	}
	n.f, n.seen = f, true
}
