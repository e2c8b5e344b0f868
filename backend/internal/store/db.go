// Package store is the thin storage core under Minxin's feature packages: the connection to
// PostgreSQL or, embedded, SQLite (through gorm), transactions that carry one instant (Tx),
// migrations, paging, the one helper that applies access scopes to queries, idempotency, rate
// limits, the hash-chained activity log, settings and attachments. The features (organisation,
// duties, petitions, audits, scorecard) keep their own tables through it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// Store is the database of one district.
type Store struct {
	db      *gorm.DB
	sqlDB   *sql.DB
	dialect string // "postgres" or "sqlite"
	loc     *time.Location
	now     func() time.Time
	// requestSlots bounds the requests holding a transaction of their own (see Idempotent),
	// so that the pool always has connections left for the rate limits and other requests.
	requestSlots chan struct{}
	cache        configCache
	// replica is the hot standby that serves reports (see Reports); nil without one.
	replica *replica
	// keys seal the personal data kept at rest (UseKeys); a random key of this process until
	// it is given the district's.
	keys *seal.Keyring
}

// poolSize is the most PostgreSQL connections one instance opens.
const poolSize = 32

// Options say which database to open.
type Options struct {
	// DatabaseURL is postgres://… (several hosts with target_session_attrs=read-write find
	// the primary among them); empty for the embedded SQLite database.
	DatabaseURL string
	DataDir     string // where the embedded database lives
	Location    *time.Location
	Logger      *slog.Logger
	// ReplicaURL is a hot standby of DatabaseURL that serves reports while it is no more than
	// ReplicaMaxLag behind (default 30 s); empty: reports read the primary.
	ReplicaURL    string
	ReplicaMaxLag time.Duration
	// ReplicaRetry is how long a standby that did not answer is left alone before it is
	// asked again (default 5 s).
	ReplicaRetry time.Duration
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
}

// Open connects to the database. It does not migrate: call Migrate, or CheckSchema to refuse
// to run on a schema that is not current. A replica is not reached here: Minxin starts while
// its standby is down, and Reports reads the primary until the standby answers.
func Open(opts Options) (*Store, error) {
	cfg := gormConfig()
	var (
		dialector gorm.Dialector
		dialect   string
	)
	if opts.ReplicaURL != "" && opts.DatabaseURL == "" {
		return nil, errors.New("a replica needs a PostgreSQL primary (DatabaseURL)")
	}
	if opts.DatabaseURL != "" {
		dialector, dialect = postgres.Open(opts.DatabaseURL), "postgres"
	} else {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		// WAL lets readers run beside the one writer; the busy timeout makes writers queue
		// instead of failing; foreign keys are off by default in SQLite.
		dsn := "file:" + filepath.Join(opts.DataDir, "minxin.db") +
			"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_txlock=immediate"
		dialector, dialect = sqlite.Open(dsn), "sqlite"
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	slots := 1
	if dialect == "sqlite" {
		// One connection: SQLite has one writer, and a single connection keeps transactions
		// from waiting on each other's locks.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(poolSize)
		sqlDB.SetMaxIdleConns(poolSize)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		slots = poolSize * 3 / 4
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	s := &Store{db: db, sqlDB: sqlDB, dialect: dialect, loc: loc, now: cfg.NowFunc, requestSlots: make(chan struct{}, slots),
		keys: seal.NewRandomKeyring()}
	if opts.ReplicaURL != "" {
		if s.replica, err = openReplica(opts, loc); err != nil {
			sqlDB.Close()
			return nil, err
		}
	}
	return s, nil
}

// UseKeys gives the store (and its replica) the keyring personal data is sealed under at rest.
func (s *Store) UseKeys(k *seal.Keyring) {
	s.keys = k
	if s.replica != nil {
		s.replica.st.keys = k
	}
}

// Keys is the keyring personal data is sealed under at rest.
func (s *Store) Keys() *seal.Keyring { return s.keys }

// Close closes the database, and the replica's connections.
func (s *Store) Close() error {
	if s.replica != nil {
		s.replica.st.sqlDB.Close()
	}
	return s.sqlDB.Close()
}

// Dialect names the database engine: "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// Location is the district's time zone.
func (s *Store) Location() *time.Location { return s.loc }

// Now returns the current time as the store records it (UTC, microseconds).
func (s *Store) Now() time.Time { return s.now() }

// SetClock replaces the store's clock; tests use it to stand on deadline boundaries.
func (s *Store) SetClock(now func() time.Time) {
	s.now = func() time.Time { return now().UTC().Truncate(time.Microsecond) }
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.sqlDB.PingContext(ctx) }

// requestTx carries, in a request's context, the transaction that the request's
// Idempotency-Key is claimed in (see Idempotent).
type requestTx struct{}

// conn is the request's transaction when it has one, or the pool: every step of a request
// sees what the request has written, and commits with its kept answer.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(requestTx{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// independent is where rate-limit events are written: outside the request's transaction on
// PostgreSQL, so that parallel requests count each other's attempts at once. SQLite has one
// connection, held by the request: there requests run one at a time anyway, and the request's
// transaction commits even when it is refused.
func (s *Store) independent(ctx context.Context) *gorm.DB {
	if s.dialect == "sqlite" {
		return s.conn(ctx)
	}
	return s.db.WithContext(ctx)
}

// NotFound maps gorm's record-not-found to the domain's not-found.
func NotFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.NotFound(what)
	}
	return err
}

// UniqueViolation maps a unique-constraint failure to a conflict.
func UniqueViolation(err error, code, message string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return domain.Conflict(code, "%s", message)
	}
	return err
}
