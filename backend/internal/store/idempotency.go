package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
)

// IdempotencyTTL is how long the answer to an Idempotency-Key is kept.
const IdempotencyTTL = 24 * time.Hour

type idempotencyRow struct {
	Scope       string `gorm:"primaryKey"`
	Key         string `gorm:"primaryKey"`
	Path        string
	RequestHash string
	Status      *int
	ContentType *string
	Response    []byte
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// StoredAnswer is the kept answer to an idempotency key.
type StoredAnswer struct {
	Status      int
	ContentType string
	Body        []byte // sealed
}

// IdempotentRequest names a request that carries an Idempotency-Key.
type IdempotentRequest struct {
	Scope, Key, Path, RequestHash string
}

// Idempotent runs a request that carries an Idempotency-Key in one transaction with its claim
// on the key. run gets a context whose store calls all join that transaction, and returns the
// answer to keep (nil for an answer that is not kept: the request's writes are rolled back,
// rate-limit events aside, and a retry runs again). The records the request wrote and its
// kept answer commit together: a server killed in between leaves neither, and the retry simply
// runs again. A retry sent while the first request is being answered waits for it (on the
// key's row in PostgreSQL, on the one connection in SQLite) and then gets the kept answer,
// which Idempotent returns as replay. The same key with another request is 422.
func (s *Store) Idempotent(ctx context.Context, r IdempotentRequest, run func(ctx context.Context) (*StoredAnswer, error)) (replay *StoredAnswer, err error) {
	select {
	case s.requestSlots <- struct{}{}:
		defer func() { <-s.requestSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var runErr error
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		key := func() *gorm.DB { return tx.Where("scope = ? AND key = ?", r.Scope, r.Key) }
		claim := func() (bool, error) {
			return InsertOnce(tx, &idempotencyRow{Scope: r.Scope, Key: r.Key, Path: r.Path, RequestHash: r.RequestHash, CreatedAt: s.now()})
		}
		inserted, err := claim()
		if err != nil {
			return err
		}
		if !inserted {
			var row idempotencyRow
			if err := key().First(&row).Error; err != nil {
				return err
			}
			if row.Status != nil && !row.CreatedAt.Before(s.now().Add(-IdempotencyTTL)) {
				if row.Path != r.Path || row.RequestHash != r.RequestHash {
					return domain.InvalidField("Idempotency-Key", "was already used for another request; use a new key for a new request")
				}
				replay = &StoredAnswer{Status: *row.Status, Body: row.Response}
				if row.ContentType != nil {
					replay.ContentType = *row.ContentType
				}
				return nil
			}
			// A kept answer older than a day is forgotten, and so is a claim without an answer
			// (left by a version that committed claims on their own): the key is new again.
			if err := key().Delete(&idempotencyRow{}).Error; err != nil {
				return err
			}
			if _, err := claim(); err != nil {
				return err
			}
		}
		var answer *StoredAnswer
		if s.dialect == "postgres" {
			// The store's steps write straight into the request's transaction, with no
			// savepoint each: a failed request is rolled back whole (below).
			answer, runErr = run(context.WithValue(ctx, requestTx{}, tx.Session(&gorm.Session{DisableNestedTransaction: true})))
			if answer == nil {
				return errNotKept
			}
		} else {
			// SQLite's one connection is the request's: the rate-limit events it wrote must
			// stay, so a failed step is undone by its savepoint and the claim is dropped.
			answer, runErr = run(context.WithValue(ctx, requestTx{}, tx))
			if answer == nil {
				return key().Delete(&idempotencyRow{}).Error
			}
		}
		return key().Model(&idempotencyRow{}).
			Updates(map[string]any{"status": answer.Status, "content_type": answer.ContentType, "response": answer.Body}).Error
	})
	if errors.Is(err, errNotKept) {
		err = nil
	}
	if runErr != nil {
		return nil, errors.Join(runErr, err)
	}
	return replay, err
}

// errNotKept rolls back a request whose answer is not kept.
var errNotKept = errors.New("the answer is not kept")

// PurgeIdempotencyKeys forgets the answers older than IdempotencyTTL.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", s.now().Add(-IdempotencyTTL)).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}
