package store

import (
	"context"

	"gorm.io/gorm"

	"minxin/backend/internal/domain"
)

// LinkAttachments runs linkAttachments in a transaction of its own, for the tests of the
// package's users (store_test): the records that call it come with their own features.
func (s *Store) LinkAttachments(ctx context.Context, a domain.Actor, field string, ids []string, townshipID string) error {
	return s.tx(ctx, func(tx *gorm.DB) error { return s.linkAttachments(tx, a, field, ids, townshipID) })
}
