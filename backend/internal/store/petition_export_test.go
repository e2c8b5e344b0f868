package store

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
)

// DBForTest is the store's database, for tests that check what is kept.
func (s *Store) DBForTest() *gorm.DB { return s.db }

// ExplainPetitions returns the query plan, with timings, of the first page of a petition list.
func (s *Store) ExplainPetitions(ctx context.Context, a domain.Actor, f PetitionFilter) (string, error) {
	q, err := s.petitionsQuery(s.db.WithContext(ctx), a, f)
	if err != nil {
		return "", err
	}
	query := q.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var rows []petitionRow
		return tx.Order("petitions.id").Limit(DefaultPageSize + 1).Find(&rows)
	})
	var lines []string
	if err := s.db.WithContext(ctx).Raw("EXPLAIN (ANALYZE, BUFFERS) " + query).Scan(&lines).Error; err != nil {
		return "", fmt.Errorf("explain %s: %w", query, err)
	}
	return query + "\n" + strings.Join(lines, "\n"), nil
}
