package organisation

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// Login limits: per account and per address, counted over failed attempts.
var (
	LoginAccountLimit = store.Limit{Bucket: "login_account", Max: 5, Window: 15 * time.Minute}
	LoginAddressLimit = store.Limit{Bucket: "login_address", Max: 20, Window: 15 * time.Minute}
)

// NewUser is a user to create, with its password in clear.
type NewUser struct {
	domain.User
	Password string
}

// CreateUser stores a new user with an argon2id password hash.
func (s *Service) CreateUser(ctx context.Context, actor string, in NewUser) (domain.User, error) {
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
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		if u.TownshipID != nil {
			if err := tx.Select("id").First(&domain.Township{}, "id = ?", *u.TownshipID).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return domain.InvalidField("township_id", "no such township")
				}
				return err
			}
		}
		if err := tx.Create(&u).Error; err != nil {
			return store.UniqueViolation(err, "username_taken", "this username is already taken")
		}
		return tx.Log(store.Change{Actor: actor, Action: "create", Entity: "user", EntityID: u.ID, TownshipID: u.TownshipID, After: u})
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
func (s *Service) Login(ctx context.Context, username, password, addr string) (domain.User, error) {
	account, err := s.st.Attempt(ctx, LoginAccountLimit, username)
	if err != nil {
		return domain.User{}, err
	}
	address, err := s.st.Attempt(ctx, LoginAddressLimit, addr)
	if err != nil {
		return domain.User{}, errors.Join(err, account.Forgive(ctx))
	}
	var u domain.User
	err = s.st.Reader(ctx).First(&u, "username = ?", username).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.User{}, err
	}
	if !auth.CheckPassword(password, u.PasswordHash) {
		return domain.User{}, domain.Unauthenticated("invalid_credentials", "wrong username or password")
	}
	// Only failures count: a right password takes its attempts back.
	return u, errors.Join(address.Forgive(ctx), s.st.ClearRate(ctx, LoginAccountLimit, username))
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
func (s *Service) IssueRefreshToken(ctx context.Context, userID, familyID string) (string, error) {
	return issueRefresh(s.st.Reader(ctx), userID, familyID)
}

func issueRefresh(tx *store.Tx, userID, familyID string) (string, error) {
	if familyID == "" {
		familyID = domain.NewID()
	}
	token := auth.RandomToken(32)
	err := tx.Create(&refreshToken{ID: domain.NewID(), FamilyID: familyID, UserID: userID,
		TokenHash: auth.HashToken(token), ExpiresAt: tx.Now.Add(auth.RefreshTTL), CreatedAt: tx.Now}).Error
	return token, err
}

var errRefreshInvalid = domain.Unauthenticated("invalid_refresh_token", "the refresh token is not valid; log in again")

// Refresh rotates a refresh token: the token is used up and a new one of the same family is
// returned. A token used a second time revokes its whole family.
func (s *Service) Refresh(ctx context.Context, token string) (domain.User, string, error) {
	var (
		u       domain.User
		next    string
		reused  bool
		current refreshToken
	)
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.First(&current, "token_hash = ?", auth.HashToken(token)).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errRefreshInvalid
			}
			return err
		}
		if current.RevokedAt != nil || !tx.Now.Before(current.ExpiresAt) {
			return errRefreshInvalid
		}
		res := tx.Model(&refreshToken{}).Where("id = ? AND used_at IS NULL", current.ID).Update("used_at", tx.Now)
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
		next, err = issueRefresh(tx, u.ID, current.FamilyID)
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

func (s *Service) revokeFamily(ctx context.Context, familyID string) error {
	tx := s.st.Reader(ctx)
	return tx.Model(&refreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", tx.Now).Error
}

// Logout revokes the family of a refresh token that belongs to userID; without a token it
// revokes every refresh token of the user (log out everywhere). An unknown token, or one of
// another user, changes nothing.
func (s *Service) Logout(ctx context.Context, userID, token string) error {
	tx := s.st.Reader(ctx)
	if token == "" {
		return tx.Model(&refreshToken{}).
			Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", tx.Now).Error
	}
	var t refreshToken
	err := tx.First(&t, "token_hash = ? AND user_id = ?", auth.HashToken(token), userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.revokeFamily(ctx, t.FamilyID)
}

// UserByID returns a user without scope checks (for the actor's own record).
func (s *Service) UserByID(ctx context.Context, id string) (domain.User, error) {
	var u domain.User
	err := s.st.Reader(ctx).First(&u, "id = ?", id).Error
	return u, store.NotFound(err, "user")
}
