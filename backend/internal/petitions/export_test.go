package petitions

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// ExplainPetitions returns the query plan, with timings, of the first page of a petition list.
func (s *Service) ExplainPetitions(ctx context.Context, a domain.Actor, f Filter) (string, error) {
	tx := s.st.Reader(ctx)
	q, err := petitionsQuery(tx, a, f)
	if err != nil {
		return "", err
	}
	query := q.ToSQL(func(db *gorm.DB) *gorm.DB {
		var rows []petitionRow
		return db.Order("petitions.id").Limit(store.DefaultPageSize + 1).Find(&rows)
	})
	var lines []string
	if err := tx.Raw("EXPLAIN (ANALYZE, BUFFERS) " + query).Scan(&lines).Error; err != nil {
		return "", fmt.Errorf("explain %s: %w", query, err)
	}
	return query + "\n" + strings.Join(lines, "\n"), nil
}
