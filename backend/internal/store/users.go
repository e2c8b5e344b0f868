package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
)

// Login limits: per account and per address, counted over failed attempts.
var (
	LoginAccountLimit = Limit{Bucket: "login_account", Max: 5, Window: 15 * time.Minute}
	LoginAddressLimit = Limit{Bucket: "login_address", Max: 20, Window: 15 * time.Minute}
)

// NewUser is a user to create, with its password in clear.
type NewUser struct {
	domain.User
	Password string
}

// CreateUser stores a new user with an argon2id password hash.
func (s *Store) CreateUser(ctx context.Context, actor string, in NewUser) (domain.User, error) {
	u := in.User
	u.ID = domain.NewID()
	var v domain.Invalid
	domain.ValidatePassword(&v, in.Password)
	if err := mergeInvalid(u.Validate(), v.Err()); err != nil {
		return domain.User{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return domain.User{}, err
	}
	u.PasswordHash = hash
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if u.TownshipID != nil {
			if err := tx.Select("id").First(&domain.Township{}, "id = ?", *u.TownshipID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return domain.InvalidField("township_id", "no such township")
				}
				return err
			}
		}
		if err := tx.Create(&u).Error; err != nil {
			return uniqueViolation(err, "username_taken", "this username is already taken")
		}
		return s.appendLog(tx, change{actor: actor, action: "create", entity: "user", entityID: u.ID, townshipID: u.TownshipID, after: u})
	})
	return u, err
}

// mergeInvalid joins the field errors of several validation results into one error.
func mergeInvalid(errs ...error) error {
	var out *domain.Error
	for _, err := range errs {
		e, ok := domain.AsError(err)
		if !ok {
			continue
		}
		if out == nil {
			c := *e
			out = &c
			continue
		}
		out.Fields = append(out.Fields, e.Fields...)
	}
	if out == nil {
		return nil
	}
	return out
}

// Login checks a username and password, with per-account and per-address limits on failed
// attempts. A locked account answers KindTooMany even for the right password.
func (s *Store) Login(ctx context.Context, username, password, addr string) (domain.User, error) {
	account, err := s.Attempt(ctx, LoginAccountLimit, username)
	if err != nil {
		return domain.User{}, err
	}
	address, err := s.Attempt(ctx, LoginAddressLimit, addr)
	if err != nil {
		return domain.User{}, errors.Join(err, account.Forgive(ctx))
	}
	var u domain.User
	err = s.conn(ctx).First(&u, "username = ?", username).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, err
	}
	if !auth.CheckPassword(password, u.PasswordHash) {
		return domain.User{}, domain.Unauthenticated("invalid_credentials", "wrong username or password")
	}
	// Only failures count: a right password takes its attempts back.
	return u, errors.Join(address.Forgive(ctx), s.ClearRate(ctx, LoginAccountLimit, username))
}

type refreshToken struct {
	ID        string
	FamilyID  string
	UserID    string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

// IssueRefreshToken stores a new refresh token of a family (a new family when familyID is
// empty) and returns the token, which is never stored in clear.
func (s *Store) IssueRefreshToken(ctx context.Context, userID, familyID string) (string, error) {
	return s.issueRefresh(s.conn(ctx), userID, familyID)
}

func (s *Store) issueRefresh(tx *gorm.DB, userID, familyID string) (string, error) {
	if familyID == "" {
		familyID = domain.NewID()
	}
	token := auth.RandomToken(32)
	now := s.now()
	err := tx.Create(&refreshToken{ID: domain.NewID(), FamilyID: familyID, UserID: userID,
		TokenHash: auth.HashToken(token), ExpiresAt: now.Add(auth.RefreshTTL), CreatedAt: now}).Error
	return token, err
}

var errRefreshInvalid = domain.Unauthenticated("invalid_refresh_token", "the refresh token is not valid; log in again")

// Refresh rotates a refresh token: the token is used up and a new one of the same family is
// returned. A token used a second time revokes its whole family.
func (s *Store) Refresh(ctx context.Context, token string) (domain.User, string, error) {
	var (
		u       domain.User
		next    string
		reused  bool
		current refreshToken
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&current, "token_hash = ?", auth.HashToken(token)).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errRefreshInvalid
			}
			return err
		}
		now := s.now()
		if current.RevokedAt != nil || !now.Before(current.ExpiresAt) {
			return errRefreshInvalid
		}
		res := tx.Model(&refreshToken{}).Where("id = ? AND used_at IS NULL", current.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			reused = true
			return errRefreshInvalid
		}
		if err := tx.First(&u, "id = ?", current.UserID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errRefreshInvalid
			}
			return err
		}
		var err error
		next, err = s.issueRefresh(tx, u.ID, current.FamilyID)
		return err
	})
	if reused {
		if rerr := s.revokeFamily(ctx, current.FamilyID); rerr != nil {
			return domain.User{}, "", rerr
		}
		return domain.User{}, "", domain.Unauthenticated("refresh_token_reused", "this refresh token was already used; every session of its login is now closed")
	}
	return u, next, err
}

func (s *Store) revokeFamily(ctx context.Context, familyID string) error {
	return s.conn(ctx).Model(&refreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", s.now()).Error
}

// Logout revokes the family of a refresh token that belongs to userID; without a token it
// revokes every refresh token of the user (log out everywhere). An unknown token, or one of
// another user, changes nothing.
func (s *Store) Logout(ctx context.Context, userID, token string) error {
	if token == "" {
		return s.conn(ctx).Model(&refreshToken{}).
			Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", s.now()).Error
	}
	var t refreshToken
	err := s.conn(ctx).First(&t, "token_hash = ? AND user_id = ?", auth.HashToken(token), userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.revokeFamily(ctx, t.FamilyID)
}

// UserByID returns a user without scope checks (for the actor's own record).
func (s *Store) UserByID(ctx context.Context, id string) (domain.User, error) {
	var u domain.User
	err := s.conn(ctx).First(&u, "id = ?", id).Error
	return u, notFound(err, "user")
}
