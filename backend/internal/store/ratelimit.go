package store

import (
	"context"
	"errors"
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
	ID     string
	Bucket string
	Key    string
	At     time.Time
}

func (rateEvent) TableName() string { return "rate_events" }

// Attempt is one recorded attempt against a limit.
type Attempt struct {
	s  *Store
	id string
}

// Attempt records an attempt of key before anything else is checked, then refuses it
// (KindTooMany, with the seconds to wait) when the attempts in the window, this one included,
// exceed the limit. Recording first means parallel attempts cannot all slip past a count
// taken before any of them was recorded. A refused attempt is taken back, so hammering on a
// locked key does not lengthen the lock. Events live in the database, so every instance
// sees the same counts.
func (s *Store) Attempt(ctx context.Context, l Limit, key string) (Attempt, error) {
	now := s.now()
	db := s.independent(ctx)
	if err := db.Where("bucket = ? AND key = ? AND at <= ?", l.Bucket, key, now.Add(-l.Window)).Delete(&rateEvent{}).Error; err != nil {
		return Attempt{}, err
	}
	at := Attempt{s: s, id: domain.NewID()}
	if err := db.Create(&rateEvent{ID: at.id, Bucket: l.Bucket, Key: key, At: now}).Error; err != nil {
		return Attempt{}, err
	}
	var times []time.Time
	err := db.Model(&rateEvent{}).Where("bucket = ? AND key = ? AND at > ? AND id <> ?", l.Bucket, key, now.Add(-l.Window), at.id).
		Order("at DESC").Pluck("at", &times).Error
	if err != nil || len(times) < l.Max {
		return at, err
	}
	wait := int(math.Ceil(times[l.Max-1].Add(l.Window).Sub(now).Seconds()))
	e := domain.Errorf(domain.KindTooMany, "rate_limited", "too many attempts; try again in %d seconds", max(1, wait))
	e.RetryAfter = max(1, wait)
	return Attempt{}, errors.Join(e, at.Forgive(ctx))
}

// Forgive takes the attempt back: it was allowed (a right password) or came to nothing.
func (a Attempt) Forgive(ctx context.Context) error {
	if a.s == nil {
		return nil
	}
	return a.s.independent(ctx).Where("id = ?", a.id).Delete(&rateEvent{}).Error
}

// ClearRate forgets every event of key.
func (s *Store) ClearRate(ctx context.Context, l Limit, key string) error {
	return s.independent(ctx).Where("bucket = ? AND key = ?", l.Bucket, key).Delete(&rateEvent{}).Error
}
