package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/seal"
)

// Personal data at rest (product §10): the features seal it in their rows (seal.Portable, so
// that copies open wherever they are); the store keeps the copies in its own tables sealed too
// — the activity log's before and after, the answers kept for an Idempotency-Key — and here
// seals what an older version wrote in clear and re-seals everything under a new key.

// resealBatch is how many rows one re-sealing transaction rewrites.
const resealBatch = 500

// AnswerContext binds a kept answer to its Idempotency-Key, so that it opens for no other.
func AnswerContext(scope, key string) string { return "idempotency:" + scope + ":" + key }

// sealMark records how far the log has been searched for values kept in clear.
type sealMark struct {
	Name    string `gorm:"primaryKey"`
	LastSeq int64
}

func (sealMark) TableName() string { return "seal_progress" }

// sealFields seals, in a JSON text, the string values of the named fields that are in clear,
// and reports whether it changed anything. It rewrites only those values, so that the rest of
// the text stays byte for byte what it was.
func sealFields(k *seal.Keyring, text string, fields []string) (string, bool, error) {
	found := false
	for _, f := range fields {
		found = found || strings.Contains(text, `"`+f+`":"`)
	}
	if !found {
		return text, false, nil
	}
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return text, false, err
	}
	type pair struct{ field, value string }
	clear := map[pair]bool{}
	walkJSON(v, func(field string, value any) {
		if s, ok := value.(string); ok && !seal.IsSealed(s) && contains(fields, field) {
			clear[pair{field, s}] = true
		}
	})
	out := text
	for p := range clear {
		plain, _ := json.Marshal(p.value)
		sealed, _ := json.Marshal(k.Seal(p.value, seal.Portable))
		out = strings.ReplaceAll(out, `"`+p.field+`":`+string(plain), `"`+p.field+`":`+string(sealed))
	}
	if len(clear) > 0 {
		// What was written as encoding/json writes it is replaced; anything else is an error
		// rather than a value left in clear.
		var check any
		if err := json.Unmarshal([]byte(out), &check); err != nil {
			return text, false, err
		}
		left := false
		walkJSON(check, func(field string, value any) {
			if s, ok := value.(string); ok && !seal.IsSealed(s) && contains(fields, field) {
				left = true
			}
		})
		if left {
			return text, false, errors.New("a value in clear is written in an unexpected form")
		}
	}
	return out, len(clear) > 0, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// walkJSON calls fn for every member of every object in v.
func walkJSON(v any, fn func(field string, value any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			fn(k, val)
			walkJSON(val, fn)
		}
	case []any:
		for _, val := range x {
			walkJSON(val, fn)
		}
	}
}

// resealText re-seals under the current key every sealed value of a JSON text that is under
// another key, and reports whether it changed anything.
func resealText(k *seal.Keyring, text string) (string, bool, error) {
	cur := k.Current()
	out, changed := text, false
	for _, old := range seal.FindAll(text) {
		if kid, _ := seal.KeyOf(old); kid == cur {
			continue
		}
		plain, err := k.Open(old, seal.Portable)
		if err != nil {
			return text, false, err
		}
		out, changed = strings.ReplaceAll(out, old, k.Seal(plain, seal.Portable)), true
	}
	return out, changed, nil
}

// likeFields is a condition true for entries whose before or after names one of the fields.
func likeFields(db *gorm.DB, fields []string) *gorm.DB {
	cond := db.Session(&gorm.Session{NewDB: true})
	for i, f := range fields {
		pattern := `%"` + f + `":"%`
		if i == 0 {
			cond = cond.Where("before LIKE ? OR after LIKE ?", pattern, pattern)
		} else {
			cond = cond.Or("before LIKE ? OR after LIKE ?", pattern, pattern)
		}
	}
	return cond
}

// SealLogFields seals the values of the named fields that the activity log's entries of entity
// keep in clear, as versions before sealing wrote them, and answers how many entries it
// changed. Pending entries are simply rewritten. Chained entries hashed their values in clear:
// the chain is verified from the first changed entry to the head and, when it is whole,
// hashed again over the sealed entries (blinded, see entryHash), and a log entry records it
// with the head's previous hash; a chain already broken keeps its hashes, so that `log verify`
// still names the break. Each run searches only what was chained since the last one.
func (s *Store) SealLogFields(ctx context.Context, entity string, fields ...string) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var pending []pendingEntry
		if err := tx.Where("entity = ?", entity).Where(likeFields(tx, fields)).Find(&pending).Error; err != nil {
			return err
		}
		for _, p := range pending {
			before, b, err := sealFields(s.keys, p.Before, fields)
			if err != nil {
				return fmt.Errorf("activity log pending %s: %w", p.ID, err)
			}
			after, a, err := sealFields(s.keys, p.After, fields)
			if err != nil {
				return fmt.Errorf("activity log pending %s: %w", p.ID, err)
			}
			if b || a {
				if err := tx.Model(&pendingEntry{}).Where("id = ?", p.ID).Updates(map[string]any{"before": before, "after": after}).Error; err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	chained, err := s.sealChained(ctx, entity, fields)
	return n + chained, err
}

func (s *Store) sealChained(ctx context.Context, entity string, fields []string) (int, error) {
	n := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var head activityHead
		q := tx
		if s.dialect == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.First(&head, 1).Error; err != nil {
			return fmt.Errorf("activity log head: %w", err)
		}
		markName := "activity_log:" + entity
		var mark sealMark
		if err := tx.Where("name = ?", markName).Limit(1).Find(&mark).Error; err != nil {
			return err
		}
		// The first entry that keeps a value in clear.
		first := int64(0)
		var batch []LogEntry
		err := tx.Where("seq > ? AND seq <= ? AND entity = ?", mark.LastSeq, head.Seq, entity).Where(likeFields(tx, fields)).
			Order("seq").FindInBatches(&batch, resealBatch, func(_ *gorm.DB, _ int) error {
			for _, e := range batch {
				_, b, err := sealFields(s.keys, e.Before, fields)
				if err != nil {
					return err
				}
				_, a, err := sealFields(s.keys, e.After, fields)
				if err != nil {
					return err
				}
				if b || a {
					first = e.Seq
					return errStopBatches
				}
			}
			return nil
		}).Error
		if err != nil && !errors.Is(err, errStopBatches) {
			return err
		}
		if first > 0 {
			var changed int
			if changed, err = s.rechain(tx, entity, fields, first, head); err != nil {
				return err
			}
			n = changed
		}
		return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"last_seq"})}).
			Create(&sealMark{Name: markName, LastSeq: head.Seq}).Error
	})
	return n, err
}

// rechain seals the entries of entity from seq first to the head and, when the chain from
// there is whole, hashes it again.
func (s *Store) rechain(tx *gorm.DB, entity string, fields []string, first int64, head activityHead) (int, error) {
	var prev LogEntry
	if first > 1 {
		if err := tx.First(&prev, "seq = ?", first-1).Error; err != nil {
			return 0, fmt.Errorf("activity log entry %d: %w", first-1, err)
		}
	}
	// Is the chain whole from first to the head, as it stands?
	whole, prevHash, next := true, prev.Hash, first
	var batch []LogEntry
	err := tx.Where("seq >= ? AND seq <= ?", first, head.Seq).Order("seq").FindInBatches(&batch, 1000, func(_ *gorm.DB, _ int) error {
		for _, e := range batch {
			if e.Seq != next || e.PrevHash != prevHash || entryHash(e) != e.Hash {
				whole = false
				return errStopBatches
			}
			prevHash, next = e.Hash, next+1
		}
		return nil
	}).Error
	if err != nil && !errors.Is(err, errStopBatches) {
		return 0, err
	}
	whole = whole && prevHash == head.Hash && next == head.Seq+1
	changed := 0
	prevHash = prev.Hash
	err = tx.Where("seq >= ? AND seq <= ?", first, head.Seq).Order("seq").FindInBatches(&batch, 1000, func(btx *gorm.DB, _ int) error {
		for _, e := range batch {
			set := map[string]any{}
			if e.Entity == entity {
				before, b, err := sealFields(s.keys, e.Before, fields)
				if err != nil {
					return fmt.Errorf("activity log entry %d: %w", e.Seq, err)
				}
				after, a, err := sealFields(s.keys, e.After, fields)
				if err != nil {
					return fmt.Errorf("activity log entry %d: %w", e.Seq, err)
				}
				if b || a {
					e.Before, e.After = before, after
					set["before"], set["after"] = before, after
					changed++
				}
			}
			if whole {
				e.PrevHash = prevHash
				e.Hash = entryHash(e)
				set["prev_hash"], set["hash"] = e.PrevHash, e.Hash
				prevHash = e.Hash
			}
			if len(set) > 0 {
				if err := tx.Model(&LogEntry{}).Where("seq = ?", e.Seq).Updates(set).Error; err != nil {
					return err
				}
			}
		}
		return nil
	}).Error
	if err != nil {
		return changed, err
	}
	if whole {
		if err := tx.Model(&activityHead{}).Where("id = 1").Update("hash", prevHash).Error; err != nil {
			return changed, err
		}
	}
	// The log records that it was rewritten, and from where.
	note := pendingEntry{ID: domain.NewID(), At: s.now(), ActorID: SystemActor, Action: "seal_in_clear", Entity: "activity_log", EntityID: entity,
		Before: JSONText(map[string]any{"head_seq": head.Seq, "head_hash": head.Hash}),
		After:  JSONText(map[string]any{"from_seq": first, "entries_sealed": changed, "fields": fields, "rehashed": whole, "head_hash": prevHash})}
	return changed, tx.Create(&note).Error
}

// ResealLog re-seals under the current key every sealed value of the activity log (chained
// and pending) that is under another key, in batches, and answers how many entries it
// rewrote. The hash chain is untouched: it hashes sealed values blinded. A row changed since
// it was read is left for the next pass.
func (s *Store) ResealLog(ctx context.Context) (int, error) {
	n := 0
	var last int64
	for {
		var batch []LogEntry
		err := s.db.WithContext(ctx).Where("seq > ? AND (before LIKE ? OR after LIKE ?)", last, `%"v1:%`, `%"v1:%`).
			Order("seq").Limit(resealBatch).Find(&batch).Error
		if err != nil {
			return n, err
		}
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for _, e := range batch {
				last = e.Seq
				before, b, err := resealText(s.keys, e.Before)
				if err != nil {
					return fmt.Errorf("activity log entry %d: %w", e.Seq, err)
				}
				after, a, err := resealText(s.keys, e.After)
				if err != nil {
					return fmt.Errorf("activity log entry %d: %w", e.Seq, err)
				}
				if !b && !a {
					continue
				}
				res := tx.Model(&LogEntry{}).Where("seq = ? AND before = ? AND after = ?", e.Seq, e.Before, e.After).
					Updates(map[string]any{"before": before, "after": after})
				if res.Error != nil {
					return res.Error
				}
				n += int(res.RowsAffected)
			}
			return nil
		})
		if err != nil || len(batch) < resealBatch {
			if err != nil {
				return n, err
			}
			break
		}
	}
	var pending []pendingEntry
	if err := s.db.WithContext(ctx).Where("before LIKE ? OR after LIKE ?", `%"v1:%`, `%"v1:%`).Find(&pending).Error; err != nil {
		return n, err
	}
	for _, p := range pending {
		before, b, err := resealText(s.keys, p.Before)
		if err != nil {
			return n, fmt.Errorf("activity log pending %s: %w", p.ID, err)
		}
		after, a, err := resealText(s.keys, p.After)
		if err != nil {
			return n, fmt.Errorf("activity log pending %s: %w", p.ID, err)
		}
		if b || a {
			res := s.db.WithContext(ctx).Model(&pendingEntry{}).Where("id = ? AND before = ? AND after = ?", p.ID, p.Before, p.After).
				Updates(map[string]any{"before": before, "after": after})
			if res.Error != nil {
				return n, res.Error
			}
			n += int(res.RowsAffected)
		}
	}
	return n, nil
}

// ResealAnswers re-seals under the current key the answers kept for Idempotency-Keys that are
// under another key, and answers how many it rewrote.
func (s *Store) ResealAnswers(ctx context.Context) (int, error) {
	// Answers of a version before these keys were sealed otherwise; they are forgotten
	// within a day.
	cur := []byte(seal.Sealed(s.keys.Current()))
	var rows []idempotencyRow
	err := s.db.WithContext(ctx).Where("response IS NOT NULL AND substr(response, 1, 3) = ? AND substr(response, 1, ?) <> ?",
		[]byte(seal.AnySealed), len(cur), cur).Find(&rows).Error
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		plain, err := s.keys.OpenBytes(r.Response, AnswerContext(r.Scope, r.Key))
		if err != nil {
			return n, fmt.Errorf("kept answer %s: %w", r.Key, err)
		}
		res := s.db.WithContext(ctx).Model(&idempotencyRow{}).Where("scope = ? AND key = ? AND response = ?", r.Scope, r.Key, r.Response).
			Update("response", s.keys.SealBytes(plain, AnswerContext(r.Scope, r.Key)))
		if res.Error != nil {
			return n, res.Error
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}

// SealedUnder counts the rows of the store's own tables (the activity log, chained and
// pending, and the kept answers) that hold a value sealed under the key kid.
func (s *Store) SealedUnder(ctx context.Context, kid string) (int64, error) {
	pattern := `%"` + seal.Sealed(kid) + `%`
	var total int64
	for _, table := range []string{"activity_log", "activity_pending"} {
		var n int64
		if err := s.conn(ctx).Table(table).Where("before LIKE ? OR after LIKE ?", pattern, pattern).Count(&n).Error; err != nil {
			return 0, err
		}
		total += n
	}
	prefix := []byte(seal.Sealed(kid))
	var answers int64
	err := s.conn(ctx).Model(&idempotencyRow{}).Where("response IS NOT NULL AND substr(response, 1, ?) = ?", len(prefix), prefix).Count(&answers).Error
	return total + answers, err
}

// RekeyRate rewrites the keys of a rate limit's events with fn, which answers the new key and
// whether to change it: for limits counted by a personal value, kept as its keyed index.
func (s *Store) RekeyRate(ctx context.Context, l Limit, fn func(key string) (string, bool)) (int, error) {
	var keys []string
	if err := s.db.WithContext(ctx).Model(&rateEvent{}).Where("bucket = ?", l.Bucket).Distinct("key").Pluck("key", &keys).Error; err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		if nk, ok := fn(k); ok && nk != k {
			res := s.db.WithContext(ctx).Model(&rateEvent{}).Where("bucket = ? AND key = ?", l.Bucket, k).Update("key", nk)
			if res.Error != nil {
				return n, res.Error
			}
			n += int(res.RowsAffected)
		}
	}
	return n, nil
}
