package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/seal"
)

// Tx is one transaction of the store and the one instant its changes are made at, so that
// every row, event and log entry a change writes carries the same time. A Tx from Reader is
// no transaction: it reads through the pool (or the request's transaction) as of its instant.
type Tx struct {
	*gorm.DB
	Now time.Time
	st  *Store
	// token is the config token this Tx reads settings and geofences under (see config).
	token *string
	// optimistic marks a Tx from Optimistic: no transaction, and the cache alone answers.
	optimistic bool
}

// Tx runs fn in one transaction (a savepoint inside a request's transaction), as of now.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	now := s.now()
	return s.conn(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&Tx{DB: db, Now: now, st: s})
	})
}

// TxAt runs fn in one transaction as of the instant at instead of now: jobs run as of a
// moment an operator chooses.
func (s *Store) TxAt(ctx context.Context, at time.Time, fn func(tx *Tx) error) error {
	at = at.UTC().Truncate(time.Microsecond)
	return s.conn(ctx).Transaction(func(db *gorm.DB) error {
		return fn(&Tx{DB: db, Now: at, st: s})
	})
}

// Reader reads outside a transaction, as of now.
func (s *Store) Reader(ctx context.Context) *Tx {
	return &Tx{DB: s.conn(ctx), Now: s.now(), st: s}
}

// Keys is the keyring personal data is sealed under at rest.
func (tx *Tx) Keys() *seal.Keyring { return tx.st.keys }

// Loc is the district's time zone.
func (tx *Tx) Loc() *time.Location { return tx.st.loc }

// Today is the date of the transaction's instant in the district's time zone.
func (tx *Tx) Today() civil.Date { return civil.Of(tx.Now, tx.st.loc) }

// Postgres reports whether the database is PostgreSQL (SQLite otherwise).
func (tx *Tx) Postgres() bool { return tx.st.dialect == "postgres" }

// ForUpdate locks the rows q reads for the rest of the transaction on PostgreSQL; SQLite
// transactions are serialized already.
func (tx *Tx) ForUpdate(q *gorm.DB) *gorm.DB {
	if tx.Postgres() {
		return q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return q
}

// InsertOnce inserts row unless a row with the same key exists — its primary key, or the
// given unique columns — and reports whether it inserted. The database decides, so two
// identical requests at once still create one record.
func InsertOnce(db *gorm.DB, row any, columns ...string) (bool, error) {
	conflict := clause.OnConflict{DoNothing: true}
	for _, c := range columns {
		conflict.Columns = append(conflict.Columns, clause.Column{Name: c})
	}
	res := db.Clauses(conflict).Create(row)
	return res.RowsAffected == 1, res.Error
}
