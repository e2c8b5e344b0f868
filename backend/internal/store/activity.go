package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// LogEntry is one entry of the append-only, hash-chained activity log: who changed what, when,
// with the record before and after.
type LogEntry struct {
	Seq        int64     `json:"seq" gorm:"primaryKey"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	Action     string    `json:"action"`
	Entity     string    `json:"entity"`
	EntityID   string    `json:"entity_id"`
	TownshipID *string   `json:"township_id"`
	Before     string    `json:"before"`
	After      string    `json:"after"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

func (LogEntry) TableName() string { return "activity_log" }

type activityHead struct {
	ID   int `gorm:"primaryKey"`
	Seq  int64
	Hash string
}

func (activityHead) TableName() string { return "activity_head" }

// Change describes one change to record in the log.
type Change struct {
	Actor, Action, Entity, EntityID string
	TownshipID                      *string
	Before, After                   any // marshalled to JSON; nil for none
}

// SystemActor is the actor id of changes made by the command line and scheduled jobs.
const SystemActor = "system"

// entryHash is SHA-256 over the JSON array of the previous hash and every field of the entry,
// so that no two different entries hash alike. Values sealed at rest (seal) are hashed
// blinded: a rotation re-seals them under a new key without breaking the chain, and each
// sealed value is authenticated by its own tag.
func entryHash(e LogEntry) string {
	township := ""
	if e.TownshipID != nil {
		township = *e.TownshipID
	}
	fields := []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.ActorID, e.Action, e.Entity, e.EntityID, township, seal.Blind(e.Before), seal.Blind(e.After)}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// JSONText is v as JSON text, "null" for nil; a value that cannot be marshalled is a
// programming error.
func JSONText(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("activity log: marshal %T: %v", v, err))
	}
	return string(b)
}

// pendingEntry is a change written with its transaction but not yet chained (see SealLog).
type pendingEntry struct {
	ID         string
	At         time.Time
	ActorID    string
	Action     string
	Entity     string
	EntityID   string
	TownshipID *string
	Before     string
	After      string
}

func (pendingEntry) TableName() string { return "activity_pending" }

// Log writes c inside the transaction, at its instant, to be chained by the sealer once the
// transaction has committed.
func (tx *Tx) Log(c Change) error {
	if tx.optimistic {
		return errNeedsTx // a Statement logs with Statement.Log
	}
	if err := tx.Create(tx.pending(c)).Error; err != nil {
		return fmt.Errorf("activity log: %w", err)
	}
	return nil
}

// pending is the pending entry of c, at the transaction's instant.
func (tx *Tx) pending(c Change) *pendingEntry {
	return &pendingEntry{ID: domain.NewID(), At: tx.Now, ActorID: c.Actor, Action: c.Action, Entity: c.Entity,
		EntityID: c.EntityID, TownshipID: c.TownshipID, Before: JSONText(c.Before), After: JSONText(c.After)}
}

// sealBatch is the most pending entries one sealing transaction chains.
const sealBatch = 1000

// SealLog chains the pending entries onto the log, oldest first, and answers how many it
// chained. The head row is locked for each batch, so sealers on several instances take turns
// and every entry is chained once; an entry committed later than a newer one is simply chained
// after it.
func (s *Store) SealLog(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var head activityHead
			q := tx
			if s.dialect == "postgres" {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			if err := q.First(&head, 1).Error; err != nil {
				return fmt.Errorf("activity log head: %w", err)
			}
			var pending []pendingEntry
			if err := tx.Order("id").Limit(sealBatch).Find(&pending).Error; err != nil || len(pending) == 0 {
				return err
			}
			entries := make([]LogEntry, len(pending))
			ids := make([]string, len(pending))
			for i, p := range pending {
				e := LogEntry{Seq: head.Seq + 1, At: p.At, ActorID: p.ActorID, Action: p.Action, Entity: p.Entity,
					EntityID: p.EntityID, TownshipID: p.TownshipID, Before: p.Before, After: p.After, PrevHash: head.Hash}
				e.Hash = entryHash(e)
				entries[i], ids[i] = e, p.ID
				head.Seq, head.Hash = e.Seq, e.Hash
			}
			if err := tx.CreateInBatches(entries, 200).Error; err != nil {
				return fmt.Errorf("activity log: %w", err)
			}
			if err := tx.Where("id IN ?", ids).Delete(&pendingEntry{}).Error; err != nil {
				return err
			}
			n = len(pending)
			return tx.Model(&activityHead{}).Where("id = 1").Updates(map[string]any{"seq": head.Seq, "hash": head.Hash}).Error
		})
		total += n
		if err != nil || n < sealBatch {
			return total, err
		}
	}
}

// SealLogEvery seals the pending entries every interval until ctx ends.
func (s *Store) SealLogEvery(ctx context.Context, every time.Duration, report func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.SealLog(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// LogBreak names the first entry where the chain is broken.
type LogBreak struct {
	Seq    int64
	Reason string
}

// VerifyLog seals what is pending, then walks the whole activity log and returns the first
// break, or nil when the chain is whole. It also returns the number of entries checked.
func (s *Store) VerifyLog(ctx context.Context) (*LogBreak, int64, error) {
	if _, err := s.SealLog(ctx); err != nil {
		return nil, 0, err
	}
	var (
		prevSeq  int64
		prevHash string
		count    int64
		broken   *LogBreak
	)
	var batch []LogEntry
	err := s.conn(ctx).Order("seq").FindInBatches(&batch, 1000, func(tx *gorm.DB, _ int) error {
		for _, e := range batch {
			count++
			switch {
			case e.Seq != prevSeq+1:
				broken = &LogBreak{Seq: prevSeq + 1, Reason: fmt.Sprintf("entry %d is missing (next entry is %d)", prevSeq+1, e.Seq)}
			case e.PrevHash != prevHash:
				broken = &LogBreak{Seq: e.Seq, Reason: "its previous-hash does not match the entry before it"}
			case entryHash(e) != e.Hash:
				broken = &LogBreak{Seq: e.Seq, Reason: "its content does not match its hash (edited)"}
			}
			if broken != nil {
				return errStopBatches
			}
			prevSeq, prevHash = e.Seq, e.Hash
		}
		return nil
	}).Error
	if err != nil && err != errStopBatches {
		return nil, count, err
	}
	if broken != nil {
		return broken, count, nil
	}
	var head activityHead
	if err := s.conn(ctx).First(&head, 1).Error; err != nil {
		return nil, count, err
	}
	if head.Seq != prevSeq || head.Hash != prevHash {
		return &LogBreak{Seq: prevSeq + 1, Reason: fmt.Sprintf("the log ends at entry %d but its head records entry %d (entries deleted from the end)", prevSeq, head.Seq)}, count, nil
	}
	return nil, count, nil
}

var errStopBatches = fmt.Errorf("stop")

// ActivityFor seals what is pending, then returns the log entries about one record, oldest
// first.
func (s *Store) ActivityFor(ctx context.Context, entity, id string) ([]LogEntry, error) {
	if _, err := s.SealLog(ctx); err != nil {
		return nil, err
	}
	var out []LogEntry
	err := s.conn(ctx).Where("entity = ? AND entity_id = ?", entity, id).Order("seq").Find(&out).Error
	return out, err
}

// RawExec runs a statement directly; tests use it to tamper with history as an attacker would.
func (s *Store) RawExec(ctx context.Context, sql string, args ...any) error {
	return s.conn(ctx).Exec(sql, args...).Error
}

// RawCount counts the rows of a table; tests use it to check what was stored.
func (s *Store) RawCount(ctx context.Context, table string, n *int64) error {
	return s.conn(ctx).Table(table).Count(n).Error
}

// RawScan runs a query directly and scans its rows into dest; tests use it to check what was
// stored.
func (s *Store) RawScan(ctx context.Context, dest any, sql string, args ...any) error {
	return s.conn(ctx).Raw(sql, args...).Scan(dest).Error
}
