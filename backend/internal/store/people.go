package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

// UserFilter narrows a user list.
type UserFilter struct {
	TownshipID string
	Role       domain.Role
}

// Users lists users in the actor's scope: district-wide actors see everyone, others their
// township's users.
func (s *Store) Users(ctx context.Context, a domain.Actor, f UserFilter, p PageRequest) (Page[domain.User], error) {
	q := scoped(s.conn(ctx), a, "township_id")
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	return listPage(q, "users", p, func(u domain.User) string { return u.ID })
}

// User returns a user in the actor's scope.
func (s *Store) User(ctx context.Context, a domain.Actor, id string) (domain.User, error) {
	var u domain.User
	err := scoped(s.conn(ctx), a, "township_id").First(&u, "id = ?", id).Error
	return u, notFound(err, "user")
}

// UserInput changes a user; nil fields are left as they are. Role, username and township
// are fixed once created.
type UserInput struct {
	DisplayName *string     `json:"display_name"`
	TeamMember  *bool       `json:"team_member"`
	Lead        *bool       `json:"lead"`
	AppointedOn *civil.Date `json:"appointed_on"`
	Password    *string     `json:"password"`
}

// UpdateUser changes a user in the actor's scope.
func (s *Store) UpdateUser(ctx context.Context, a domain.Actor, id string, in UserInput) (domain.User, error) {
	var u domain.User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := scoped(tx, a, "township_id").First(&u, "id = ?", id).Error; err != nil {
			return notFound(err, "user")
		}
		before := u
		set(&u.DisplayName, in.DisplayName)
		set(&u.TeamMember, in.TeamMember)
		set(&u.Lead, in.Lead)
		if in.AppointedOn != nil {
			u.AppointedOn = in.AppointedOn
		}
		var v domain.Invalid
		if in.Password != nil {
			domain.ValidatePassword(&v, *in.Password)
		}
		if err := mergeInvalid(u.Validate(), v.Err()); err != nil {
			return err
		}
		if in.Password != nil {
			hash, err := auth.HashPassword(*in.Password)
			if err != nil {
				return err
			}
			u.PasswordHash = hash
		}
		if err := tx.Save(&u).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "update", entity: "user", entityID: u.ID, townshipID: u.TownshipID, before: before, after: u})
	})
	return u, err
}

// CreateLeave records approved leave for an official of a township in the actor's scope.
func (s *Store) CreateLeave(ctx context.Context, a domain.Actor, l domain.Leave) (domain.Leave, error) {
	if err := l.Validate(); err != nil {
		return domain.Leave{}, err
	}
	l.ID, l.CreatedBy, l.CreatedAt = domain.NewID(), a.UserID, s.now()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u domain.User
		err := scoped(tx, a, "township_id").First(&u, "id = ? AND role = ?", l.UserID, domain.RoleOfficial).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.InvalidField("user_id", "must be an official you manage")
		} else if err != nil {
			return err
		}
		l.TownshipID = *u.TownshipID
		if err := tx.Create(&l).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "create", entity: "leave", entityID: l.ID, townshipID: &l.TownshipID, after: l})
	})
	return l, err
}

// DeleteLeave withdraws a leave record in the actor's scope.
func (s *Store) DeleteLeave(ctx context.Context, a domain.Actor, id string) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var l domain.Leave
		if err := scoped(tx, a, "township_id").First(&l, "id = ?", id).Error; err != nil {
			return notFound(err, "leave")
		}
		if err := tx.Delete(&l).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "delete", entity: "leave", entityID: l.ID, townshipID: &l.TownshipID, before: l})
	})
}

// LeaveFilter narrows a leave list.
type LeaveFilter struct{ UserID, TownshipID string }

// Leaves lists leave records in the actor's scope.
func (s *Store) Leaves(ctx context.Context, a domain.Actor, f LeaveFilter, p PageRequest) (Page[domain.Leave], error) {
	q := scoped(s.conn(ctx), a, "township_id")
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	return listPage(q, "leaves", p, func(l domain.Leave) string { return l.ID })
}

// Holidays returns the calendar's overrides of a year, by date.
func (s *Store) Holidays(ctx context.Context, year int) ([]domain.Holiday, error) {
	out := []domain.Holiday{}
	err := s.conn(ctx).Where("date >= ? AND date <= ?", civil.New(year, 1, 1), civil.New(year, 12, 31)).
		Order("date").Find(&out).Error
	return out, err
}

// PutHoliday sets the calendar for one date: a day off or a make-up working day.
func (s *Store) PutHoliday(ctx context.Context, a domain.Actor, h domain.Holiday) (domain.Holiday, error) {
	var v domain.Invalid
	v.Check(!h.Date.IsZero(), "date", "is required (YYYY-MM-DD)")
	if len([]rune(h.Name)) > 50 {
		v.Add("name", "must be at most 50 characters")
	}
	if err := v.Err(); err != nil {
		return h, err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var before *domain.Holiday
		var old domain.Holiday
		switch err := tx.First(&old, "date = ?", h.Date).Error; {
		case err == nil:
			before = &old
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		if err := tx.Save(&h).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "put", entity: "holiday", entityID: h.Date.String(), before: before, after: h})
	})
	return h, err
}

// DeleteHoliday returns a date to the default calendar (Saturday and Sunday off).
func (s *Store) DeleteHoliday(ctx context.Context, a domain.Actor, d civil.Date) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		var h domain.Holiday
		if err := tx.First(&h, "date = ?", d).Error; err != nil {
			return notFound(err, "holiday")
		}
		if err := tx.Delete(&h).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: a.UserID, action: "delete", entity: "holiday", entityID: d.String(), before: h})
	})
}

// UserCount counts every user; the demo loads only into a database without any.
func (s *Store) UserCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&domain.User{}).Count(&n).Error
	return n, err
}
