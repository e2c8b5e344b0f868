package store

import (
	"context"
	"time"

	"minxin/backend/internal/access"
)

// LogFilter narrows a read of the activity log. Zero fields do not narrow.
type LogFilter struct {
	ActorID    string
	Action     string
	Entity     string
	EntityID   string
	TownshipID string
	From, To   *time.Time // From included, To excluded
	BeforeSeq  int64      // only entries older than this one (the cursor of the page before)
	Limit      int
}

// ReadLog seals what is pending, then answers up to f.Limit entries of the activity log that
// the scope covers, newest first. The scope is access.Activity's: all of it, or nothing; and
// with HideNamed, no entry about a petition that names the reader among the officials it is
// about — neither the petition's own entries nor any other whose record names that petition
// (by its id, anywhere in the record before or after).
func (s *Store) ReadLog(ctx context.Context, sc access.Scope, f LogFilter) ([]LogEntry, error) {
	if _, err := s.SealLog(ctx); err != nil {
		return nil, err
	}
	q := s.conn(ctx).Model(&LogEntry{})
	switch sc.Reach {
	case access.All:
	case access.Township:
		q = q.Where("activity_log.township_id = ?", sc.TownshipID)
	default:
		return []LogEntry{}, nil
	}
	if sc.HideNamed {
		q = q.Where(`NOT EXISTS (SELECT 1 FROM petition_about pa WHERE pa.official_id = ? AND (
			activity_log.entity_id = CAST(pa.petition_id AS TEXT)
			OR activity_log.before LIKE '%' || CAST(pa.petition_id AS TEXT) || '%'
			OR activity_log.after LIKE '%' || CAST(pa.petition_id AS TEXT) || '%'))`, sc.UserID)
	}
	if f.ActorID != "" {
		q = q.Where("activity_log.actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("activity_log.action = ?", f.Action)
	}
	if f.Entity != "" {
		q = q.Where("activity_log.entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("activity_log.entity_id = ?", f.EntityID)
	}
	if f.TownshipID != "" {
		q = q.Where("activity_log.township_id = ?", f.TownshipID)
	}
	if f.From != nil {
		q = q.Where("activity_log.at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("activity_log.at < ?", f.To.UTC())
	}
	if f.BeforeSeq > 0 {
		q = q.Where("activity_log.seq < ?", f.BeforeSeq)
	}
	out := make([]LogEntry, 0, f.Limit)
	err := q.Order("activity_log.seq DESC").Limit(f.Limit).Find(&out).Error
	return out, err
}

// LogHead answers the newest chained entry: its number and hash (0 and "" for an empty log).
func (s *Store) LogHead(ctx context.Context) (int64, string, error) {
	var head activityHead
	err := s.conn(ctx).First(&head, 1).Error
	return head.Seq, head.Hash, err
}
