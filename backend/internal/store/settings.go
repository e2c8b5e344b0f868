package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
)

type settingRow struct {
	Key           string
	EffectiveFrom civil.Date
	Value         string
	CreatedBy     *string
	CreatedAt     time.Time
}

func (settingRow) TableName() string { return "settings" }

// Today is the current date in the district's time zone.
func (s *Store) Today() civil.Date { return civil.Of(s.now(), s.loc) }

// SettingsOn returns the settings in force on date d.
func (s *Store) SettingsOn(ctx context.Context, d civil.Date) (domain.Settings, error) {
	return s.Reader(ctx).SettingsOn(d)
}

// SettingHistory returns every value of the settings whose key starts with prefix ("" for
// all), by key and effective date.
func (tx *Tx) SettingHistory(prefix string) ([]domain.Setting, error) {
	var rows []settingRow
	if err := tx.Where("key LIKE ?", prefix+"%").Order("key, effective_from").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]domain.Setting, len(rows))
	for i, r := range rows {
		out[i] = domain.Setting{Key: r.Key, EffectiveFrom: r.EffectiveFrom, Value: json.RawMessage(r.Value), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ByDate returns what derive reads out of the settings under prefix in force on any date
// (a feature's parameters), reading their history once: reports judge records of many dates
// in one request. Each date is derived once.
func ByDate[T any](tx *Tx, prefix string, derive func(domain.Settings) T) (func(civil.Date) T, error) {
	history, err := tx.SettingHistory(prefix)
	if err != nil {
		return nil, err
	}
	cache := map[civil.Date]T{}
	return func(d civil.Date) T {
		if v, ok := cache[d]; ok {
			return v
		}
		st := domain.Settings{}
		for _, h := range history { // by key, then effective date: later dates overwrite earlier ones
			if !h.EffectiveFrom.After(d) {
				st[h.Key] = h.Value
			}
		}
		v := derive(st)
		cache[d] = v
		return v
	}, nil
}

// SettingHistory returns every value of every setting, by key and effective date.
func (s *Store) SettingHistory(ctx context.Context) ([]domain.Setting, error) {
	return s.Reader(ctx).SettingHistory("")
}

// SettingInput is a new value of a setting from a date on.
type SettingInput struct {
	Key           string          `json:"key"`
	Value         json.RawMessage `json:"value"`
	EffectiveFrom civil.Date      `json:"effective_from"`
}

// PutSetting records a new value of a setting from its effective date on (today or later).
// A second value for the same key and date replaces the first, as long as that date has not come.
func (s *Store) PutSetting(ctx context.Context, a domain.Actor, in SettingInput) (domain.Setting, error) {
	var out domain.Setting
	err := s.Tx(ctx, func(tx *Tx) error {
		value, err := domain.ValidateSetting(in.Key, in.Value, in.EffectiveFrom, tx.Today())
		if err != nil {
			return err
		}
		row := settingRow{Key: in.Key, EffectiveFrom: in.EffectiveFrom, Value: string(value), CreatedBy: &a.UserID, CreatedAt: tx.Now}
		var before *settingRow
		var old settingRow
		switch err := tx.First(&old, "key = ? AND effective_from = ?", in.Key, in.EffectiveFrom).Error; {
		case err == nil:
			before = &old
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		if err := tx.Where("key = ? AND effective_from = ?", in.Key, in.EffectiveFrom).Delete(&settingRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.TouchConfig(); err != nil {
			return err
		}
		out = domain.Setting{Key: row.Key, EffectiveFrom: row.EffectiveFrom, Value: value, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt}
		return tx.Log(Change{Actor: a.UserID, Action: "put", Entity: "setting", EntityID: in.Key + "@" + in.EffectiveFrom.String(), Before: before, After: row})
	})
	return out, err
}
