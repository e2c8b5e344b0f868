package store

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/domain"
)

// Columns name where a table keeps what a scope looks at. A column a scope needs and the
// table lacks is a programming error.
type Columns struct {
	Township string // the record's township, e.g. "township_id"
	Owner    string // the user the record is someone's own of, e.g. "official_id"
	Petition string // the petition's id, for the petitions that name the actor
}

// Scoped limits q to what actor a may see of resource r (access.Of): the one place where a
// query is narrowed to the reader.
func Scoped(q *gorm.DB, a domain.Actor, r access.Resource, c Columns) *gorm.DB {
	return Apply(q, access.Of(a, r), c)
}

// Apply limits q to a scope.
func Apply(q *gorm.DB, sc access.Scope, c Columns) *gorm.DB {
	need := func(col, what string) string {
		if col == "" {
			panic(fmt.Sprintf("store: a %s scope on a query without a %s column", sc.Reach, what))
		}
		return col
	}
	switch sc.Reach {
	case access.Nothing:
		return q.Where("1 = 0")
	case access.Own:
		q = q.Where(need(c.Owner, "owner")+" = ?", sc.UserID)
	case access.Township:
		q = q.Where(need(c.Township, "township")+" = ?", sc.TownshipID)
	}
	if sc.HideNamed {
		q = q.Where("NOT EXISTS (SELECT 1 FROM petition_about pa WHERE pa.petition_id = "+need(c.Petition, "petition")+" AND pa.official_id = ?)", sc.UserID)
	}
	return q
}

// PetitionColumns are the petitions table's columns for scopes: a villager's own petitions
// are those filed with their account.
var PetitionColumns = Columns{Township: "petitions.township_id", Owner: "petitions.petitioner_user_id", Petition: "petitions.id"}

// CheckTownship fails with a field error on township_id when the township does not exist in
// the scope (a reference a request makes to a township).
func CheckTownship(db *gorm.DB, sc access.Scope, id string) error {
	if !domain.ValidID(id) {
		return domain.InvalidField("township_id", "must be the id of a township")
	}
	err := Apply(db, sc, Columns{Township: "id"}).Select("id").First(&domain.Township{}, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.InvalidField("township_id", "no such township")
	}
	return err
}
