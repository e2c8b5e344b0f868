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

// IdempotencyClaimTimeout releases a key whose first request never finished (its server was
// killed): longer than the server's write timeout, so no live request loses its claim.
const IdempotencyClaimTimeout = 2 * time.Minute

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

// BeginIdempotent claims an idempotency key for a request. It answers the kept answer of a
// retry; nil when the request is the first and must be answered (then FinishIdempotent or
// AbandonIdempotent). The same key with another request is 422; a retry while the first
// request is still being answered is 409.
func (s *Store) BeginIdempotent(ctx context.Context, scope, key, path, requestHash string) (*StoredAnswer, error) {
	db := s.db.WithContext(ctx)
	now := s.now()
	// A kept answer older than a day is forgotten; a claim left unanswered for longer than any
	// request takes (its process died) is released.
	expired := db.Where("scope = ? AND key = ?", scope, key).
		Where("created_at < ? OR (status IS NULL AND created_at < ?)", now.Add(-IdempotencyTTL), now.Add(-IdempotencyClaimTimeout))
	if err := expired.Delete(&idempotencyRow{}).Error; err != nil {
		return nil, err
	}
	inserted, err := insertOnce(db, &idempotencyRow{Scope: scope, Key: key, Path: path, RequestHash: requestHash, CreatedAt: now})
	if err != nil || inserted {
		return nil, err
	}
	var row idempotencyRow
	if err := db.First(&row, "scope = ? AND key = ?", scope, key).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, domain.Conflict("request_in_progress", "a request with this Idempotency-Key is being answered; retry shortly")
		}
		return nil, err
	}
	switch {
	case row.Path != path || row.RequestHash != requestHash:
		return nil, domain.InvalidField("Idempotency-Key", "was already used for another request; use a new key for a new request")
	case row.Status == nil:
		return nil, domain.Conflict("request_in_progress", "a request with this Idempotency-Key is being answered; retry shortly")
	}
	ct := ""
	if row.ContentType != nil {
		ct = *row.ContentType
	}
	return &StoredAnswer{Status: *row.Status, ContentType: ct, Body: row.Response}, nil
}

// FinishIdempotent keeps the answer to a claimed key.
func (s *Store) FinishIdempotent(ctx context.Context, scope, key string, a StoredAnswer) error {
	return s.db.WithContext(ctx).Model(&idempotencyRow{}).Where("scope = ? AND key = ?", scope, key).
		Updates(map[string]any{"status": a.Status, "content_type": a.ContentType, "response": a.Body}).Error
}

// AbandonIdempotent releases a claimed key whose request failed, so that a retry runs again.
func (s *Store) AbandonIdempotent(ctx context.Context, scope, key string) error {
	return s.db.WithContext(ctx).Where("scope = ? AND key = ? AND status IS NULL", scope, key).Delete(&idempotencyRow{}).Error
}

// PurgeIdempotencyKeys forgets the answers older than IdempotencyTTL.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", s.now().Add(-IdempotencyTTL)).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}
