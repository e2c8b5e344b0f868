package store

import (
	"context"
	"math"
	"time"

	"minxin/backend/internal/domain"
)

// Limit is a rate limit: at most Max events per Window for one key of a bucket.
type Limit struct {
	Bucket string
	Max    int
	Window time.Duration
}

type rateEvent struct {
	Bucket string
	Key    string
	At     time.Time
}

func (rateEvent) TableName() string { return "rate_events" }

// CheckRate returns a KindTooMany error, with the seconds to wait, when key has reached the
// limit. Events live in the database so that every instance sees the same counts.
func (s *Store) CheckRate(ctx context.Context, l Limit, key string) error {
	now := s.now()
	var times []time.Time
	err := s.db.WithContext(ctx).Model(&rateEvent{}).
		Where("bucket = ? AND key = ? AND at > ?", l.Bucket, key, now.Add(-l.Window)).
		Order("at DESC").Limit(l.Max).Pluck("at", &times).Error
	if err != nil {
		return err
	}
	if len(times) < l.Max {
		return nil
	}
	wait := times[len(times)-1].Add(l.Window).Sub(now)
	e := domain.Errorf(domain.KindTooMany, "rate_limited", "too many attempts; try again in %d seconds", int(math.Ceil(wait.Seconds())))
	e.RetryAfter = max(1, int(math.Ceil(wait.Seconds())))
	return e
}

// HitRate records an event for key and forgets the key's events older than the window.
func (s *Store) HitRate(ctx context.Context, l Limit, key string) error {
	now := s.now()
	db := s.db.WithContext(ctx)
	if err := db.Where("bucket = ? AND key = ? AND at <= ?", l.Bucket, key, now.Add(-l.Window)).Delete(&rateEvent{}).Error; err != nil {
		return err
	}
	return db.Create(&rateEvent{Bucket: l.Bucket, Key: key, At: now}).Error
}

// ClearRate forgets every event of key.
func (s *Store) ClearRate(ctx context.Context, l Limit, key string) error {
	return s.db.WithContext(ctx).Where("bucket = ? AND key = ?", l.Bucket, key).Delete(&rateEvent{}).Error
}
