package remind

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/remind"
	"minxin/backend/internal/store"
)

// preferenceRow is a user's choice for one kind of notification.
type preferenceRow struct {
	UserID    string `gorm:"primaryKey"`
	Kind      string `gorm:"primaryKey"`
	Push      bool   `gorm:"column:push"`
	SMS       bool   `gorm:"column:sms"`
	UpdatedAt time.Time
}

func (preferenceRow) TableName() string { return "notification_preferences" }

// KindPreference is one kind's delivery for a user: the inbox always, push and SMS as chosen;
// locked kinds cannot be switched off.
type KindPreference struct {
	Kind   string `json:"kind"`
	Inbox  bool   `json:"inbox"`
	Push   bool   `json:"push"`
	SMS    bool   `json:"sms"`
	Locked bool   `json:"locked"`
}

// Preferences are a user's delivery choices and the number SMS goes to.
type Preferences struct {
	Phone string           `json:"phone"`
	Items []KindPreference `json:"items"`
}

// PreferencesInput changes some kinds' choices, and the phone when given.
type PreferencesInput struct {
	Phone *string `json:"phone"`
	Items []struct {
		Kind string `json:"kind"`
		Push *bool  `json:"push"`
		SMS  *bool  `json:"sms"`
	} `json:"items"`
}

// mobile is a mainland Chinese mobile number, the numbers Aliyun SMS delivers to.
var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// userContact is what delivery reads of a user.
type userContact struct {
	ID    string
	Lead  bool
	Phone string
}

func contactOf(db *gorm.DB, userID string) (userContact, error) {
	var u userContact
	err := db.Table("users").Select("id, lead, phone").Where("id = ?", userID).Take(&u).Error
	return u, err
}

// preferencesOf are a user's preferences by kind, defaults filled in.
func preferencesOf(db *gorm.DB, u userContact) (map[string]remind.Preference, error) {
	var rows []preferenceRow
	if err := db.Where("user_id = ?", u.ID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]remind.Preference{}
	for _, k := range remind.Kinds {
		out[k] = remind.DefaultPreference(k, u.Lead)
	}
	for _, r := range rows {
		if remind.Locked(r.Kind, u.Lead) { // made a lead after choosing: locked again
			continue
		}
		out[r.Kind] = remind.Preference{Push: r.Push, SMS: r.SMS}
	}
	return out, nil
}

func answerPreferences(u userContact, prefs map[string]remind.Preference) Preferences {
	out := Preferences{Phone: u.Phone, Items: []KindPreference{}}
	for _, k := range remind.Kinds {
		p := prefs[k]
		out.Items = append(out.Items, KindPreference{Kind: k, Inbox: true, Push: p.Push, SMS: p.SMS, Locked: remind.Locked(k, u.Lead)})
	}
	return out
}

// Preferences answers the actor's delivery preferences.
func (s *Service) Preferences(ctx context.Context, a domain.Actor) (Preferences, error) {
	db := s.st.Reader(ctx).DB
	u, err := contactOf(db, a.UserID)
	if err != nil {
		return Preferences{}, store.NotFound(err, "user")
	}
	prefs, err := preferencesOf(db, u)
	return answerPreferences(u, prefs), err
}

// SetPreferences changes the actor's preferences. A lead switching off a locked kind is
// refused naming the field.
func (s *Service) SetPreferences(ctx context.Context, a domain.Actor, in PreferencesInput) (Preferences, error) {
	var out Preferences
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		u, err := contactOf(tx.DB, a.UserID)
		if err != nil {
			return store.NotFound(err, "user")
		}
		prefs, err := preferencesOf(tx.DB, u)
		if err != nil {
			return err
		}
		var v domain.Invalid
		if in.Phone != nil {
			v.Check(*in.Phone == "" || mobile.MatchString(*in.Phone), "phone", "must be a mobile number of 11 digits starting with 1, or empty for none")
		}
		seen := map[string]bool{}
		for i, it := range in.Items {
			f := fmt.Sprintf("items[%d]", i)
			if !remind.KnownKind(it.Kind) || seen[it.Kind] {
				v.Add(f+".kind", "must be a kind of notification, each once: %v", remind.Kinds)
				continue
			}
			seen[it.Kind] = true
			p := prefs[it.Kind]
			if it.Push != nil {
				p.Push = *it.Push
			}
			if it.SMS != nil {
				p.SMS = *it.SMS
			}
			if remind.Locked(it.Kind, u.Lead) {
				v.Check(p.Push, f+".push", "cannot be switched off: a township's lead is always told of overdue petitions")
				v.Check(p.SMS, f+".sms", "cannot be switched off: a township's lead is always told of overdue petitions")
			}
			prefs[it.Kind] = p
		}
		if err := v.Err(); err != nil {
			return err
		}
		if in.Phone != nil && *in.Phone != u.Phone {
			if err := tx.Table("users").Where("id = ?", u.ID).Update("phone", *in.Phone).Error; err != nil {
				return err
			}
			u.Phone = *in.Phone
		}
		for _, it := range in.Items {
			p := prefs[it.Kind]
			row := preferenceRow{UserID: u.ID, Kind: it.Kind, Push: p.Push, SMS: p.SMS, UpdatedAt: tx.Now}
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "user_id"}, {Name: "kind"}},
				DoUpdates: clause.AssignmentColumns([]string{"push", "sms", "updated_at"})}).Create(&row).Error; err != nil {
				return err
			}
		}
		out = answerPreferences(u, prefs)
		return nil
	})
	return out, err
}
