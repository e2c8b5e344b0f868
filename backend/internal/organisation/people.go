package organisation

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// UserFilter narrows a user list.
type UserFilter struct {
	TownshipID string
	Role       domain.Role
}

// Users lists users in the actor's scope: district-wide actors see everyone, others their
// township's users.
func (s *Service) Users(ctx context.Context, a domain.Actor, f UserFilter, p store.PageRequest) (store.Page[domain.User], error) {
	q := scoped(s.st.Reader(ctx).DB, a, "township_id")
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	return store.ListPage(q, "users", p, func(u domain.User) string { return u.ID })
}

// User returns a user in the actor's scope.
func (s *Service) User(ctx context.Context, a domain.Actor, id string) (domain.User, error) {
	var u domain.User
	err := scoped(s.st.Reader(ctx).DB, a, "township_id").First(&u, "id = ?", id).Error
	return u, store.NotFound(err, "user")
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
func (s *Service) UpdateUser(ctx context.Context, a domain.Actor, id string, in UserInput) (domain.User, error) {
	var u domain.User
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := scoped(tx.DB, a, "township_id").First(&u, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "user")
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
		return tx.Log(store.Change{Actor: a.UserID, Action: "update", Entity: "user", EntityID: u.ID, TownshipID: u.TownshipID, Before: before, After: u})
	})
	return u, err
}

// CreateLeave records approved leave for an official of a township in the actor's scope.
func (s *Service) CreateLeave(ctx context.Context, a domain.Actor, l domain.Leave) (domain.Leave, error) {
	if err := l.Validate(); err != nil {
		return domain.Leave{}, err
	}
	l.ID, l.CreatedBy = domain.NewID(), a.UserID
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		l.CreatedAt = tx.Now
		var u domain.User
		err := scoped(tx.DB, a, "township_id").First(&u, "id = ? AND role = ?", l.UserID, domain.RoleOfficial).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return domain.InvalidField("user_id", "must be an official you manage")
		} else if err != nil {
			return err
		}
		l.TownshipID = *u.TownshipID
		if err := tx.Create(&l).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "create", Entity: "leave", EntityID: l.ID, TownshipID: &l.TownshipID, After: l})
	})
	return l, err
}

// DeleteLeave withdraws a leave record in the actor's scope.
func (s *Service) DeleteLeave(ctx context.Context, a domain.Actor, id string) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		var l domain.Leave
		if err := scoped(tx.DB, a, "township_id").First(&l, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "leave")
		}
		if err := tx.Delete(&l).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "delete", Entity: "leave", EntityID: l.ID, TownshipID: &l.TownshipID, Before: l})
	})
}

// LeaveFilter narrows a leave list.
type LeaveFilter struct{ UserID, TownshipID string }

// Leaves lists leave records in the actor's scope.
func (s *Service) Leaves(ctx context.Context, a domain.Actor, f LeaveFilter, p store.PageRequest) (store.Page[domain.Leave], error) {
	q := scoped(s.st.Reader(ctx).DB, a, "township_id")
	if f.UserID != "" {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.TownshipID != "" {
		q = q.Where("township_id = ?", f.TownshipID)
	}
	return store.ListPage(q, "leaves", p, func(l domain.Leave) string { return l.ID })
}

// Holidays returns the calendar's overrides of a year, by date.
func (s *Service) Holidays(ctx context.Context, year int) ([]domain.Holiday, error) {
	out := []domain.Holiday{}
	err := s.st.Reader(ctx).Where("date >= ? AND date <= ?", civil.New(year, 1, 1), civil.New(year, 12, 31)).
		Order("date").Find(&out).Error
	return out, err
}

// PutHoliday sets the calendar for one date: a day off or a make-up working day.
func (s *Service) PutHoliday(ctx context.Context, a domain.Actor, h domain.Holiday) (domain.Holiday, error) {
	var v domain.Invalid
	v.Check(!h.Date.IsZero(), "date", "is required (YYYY-MM-DD)")
	if len([]rune(h.Name)) > 50 {
		v.Add("name", "must be at most 50 characters")
	}
	if err := v.Err(); err != nil {
		return h, err
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
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
		return tx.Log(store.Change{Actor: a.UserID, Action: "put", Entity: "holiday", EntityID: h.Date.String(), Before: before, After: h})
	})
	return h, err
}

// DeleteHoliday returns a date to the default calendar (Saturday and Sunday off).
func (s *Service) DeleteHoliday(ctx context.Context, a domain.Actor, d civil.Date) error {
	return s.st.Tx(ctx, func(tx *store.Tx) error {
		var h domain.Holiday
		if err := tx.First(&h, "date = ?", d).Error; err != nil {
			return store.NotFound(err, "holiday")
		}
		if err := tx.Delete(&h).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: a.UserID, Action: "delete", Entity: "holiday", EntityID: d.String(), Before: h})
	})
}

// UserCount counts every user; the demo loads only into a database without any.
func (s *Service) UserCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.st.Reader(ctx).Model(&domain.User{}).Count(&n).Error
	return n, err
}

// UserRequest is the body that creates a user.
type UserRequest struct {
	Username    string      `json:"username"`
	Password    string      `json:"password"`
	DisplayName string      `json:"display_name"`
	Role        domain.Role `json:"role"`
	TownshipID  *string     `json:"township_id"`
	TeamMember  bool        `json:"team_member"`
	Lead        bool        `json:"lead"`
	AppointedOn *civil.Date `json:"appointed_on"`
}

// NewUser is the user the request asks for.
func (r UserRequest) NewUser() NewUser {
	return NewUser{User: domain.User{Username: r.Username, DisplayName: r.DisplayName, Role: r.Role, TownshipID: r.TownshipID,
		TeamMember: r.TeamMember, Lead: r.Lead, AppointedOn: r.AppointedOn}, Password: r.Password}
}

// LeaveInput records leave for an official, both dates included.
type LeaveInput struct {
	UserID    string     `json:"user_id"`
	StartDate civil.Date `json:"start_date"`
	EndDate   civil.Date `json:"end_date"`
	Reason    string     `json:"reason"`
}

// Leave is the leave the input asks for.
func (in LeaveInput) Leave() domain.Leave {
	return domain.Leave{UserID: in.UserID, StartDate: in.StartDate, EndDate: in.EndDate, Reason: in.Reason}
}

// HolidayInput sets one date of the calendar.
type HolidayInput struct {
	Working *bool  `json:"working"`
	Name    string `json:"name"`
}

// Holiday is the calendar entry of date d the input asks for; working is required.
func (in HolidayInput) Holiday(d civil.Date) (domain.Holiday, error) {
	if in.Working == nil {
		return domain.Holiday{}, domain.InvalidField("working", "is required: false for a day off, true for a make-up working day")
	}
	return domain.Holiday{Date: d, Working: *in.Working, Name: in.Name}, nil
}
