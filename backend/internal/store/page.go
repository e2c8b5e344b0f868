package store

import (
	"gorm.io/gorm"

	"minxin/backend/internal/domain"
)

// Page is one page of a collection: {items, next_cursor}.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// PageRequest asks for up to Limit items after Cursor (the last id of the previous page).
type PageRequest struct {
	Limit  int
	Cursor string
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Validate checks the limit and cursor.
func (p *PageRequest) Validate() error {
	var v domain.Invalid
	if p.Limit == 0 {
		p.Limit = DefaultPageSize
	}
	v.Check(p.Limit >= 1 && p.Limit <= MaxPageSize, "limit", "must be from 1 to %d", MaxPageSize)
	v.Check(p.Cursor == "" || domain.ValidID(p.Cursor), "cursor", "is not a cursor this list gave")
	return v.Err()
}

// ListPage reads one page of q ordered by the id column. Ids are time-ordered UUIDs for
// server-made records, so pages follow creation order and never skip or repeat a record.
func ListPage[T any](q *gorm.DB, table string, p PageRequest, idOf func(T) string) (Page[T], error) {
	if err := p.Validate(); err != nil {
		return Page[T]{}, err
	}
	if p.Cursor != "" {
		q = q.Where(table+".id > ?", p.Cursor)
	}
	items := make([]T, 0, p.Limit+1)
	if err := q.Order(table + ".id").Limit(p.Limit + 1).Find(&items).Error; err != nil {
		return Page[T]{}, err
	}
	var page Page[T]
	if len(items) > p.Limit {
		items = items[:p.Limit]
		next := idOf(items[len(items)-1])
		page.NextCursor = &next
	}
	page.Items = items
	return page, nil
}
