package store

import (
	"encoding/json"
	"sync"

	"gorm.io/gorm"

	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/duty"
)

// configCache keeps the settings and geofences read under one config token (see migration
// 00009): exact on every instance, since any change to them gives the token a new value.
type configCache struct {
	mu       sync.Mutex
	token    string
	settings map[civil.Date]domain.Settings
	duty     map[civil.Date]duty.Params
	fences   map[string]townFences
}

type townFences struct{ seat, area []duty.Geofence }

// cachedDates bounds the dates kept per map: any date can be asked for (progress on a date,
// scorecards week by week), and the cache must not grow with them.
const cachedDates = 512

// config is the cache as of tx's view of the config token.
type config struct {
	s     *Store
	token string
}

func (s *Store) config(tx *gorm.DB) (config, error) {
	var token string
	err := tx.Raw("SELECT token FROM config_token WHERE id = 1").Scan(&token).Error
	return config{s: s, token: token}, err
}

// touchConfig gives the config token a new value; every change to settings, townships and
// villages calls it in its transaction.
func (s *Store) touchConfig(tx *gorm.DB) error {
	return tx.Exec("UPDATE config_token SET token = ? WHERE id = 1", domain.NewID()).Error
}

// lookup runs read under the cache's lock for c's token, starting an empty cache when the
// token has changed.
func (c config) lookup(read func(*configCache)) {
	cc := &c.s.cache
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.token != c.token {
		cc.token, cc.settings, cc.duty, cc.fences = c.token, map[civil.Date]domain.Settings{}, map[civil.Date]duty.Params{}, map[string]townFences{}
	}
	read(cc)
}

// onDate answers the value for date d from one of the cache's maps, or loads it and keeps it.
func onDate[T any](c config, byDate func(*configCache) map[civil.Date]T, d civil.Date, load func() (T, error)) (T, error) {
	var (
		v  T
		ok bool
	)
	c.lookup(func(cc *configCache) { v, ok = byDate(cc)[d] })
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.lookup(func(cc *configCache) {
		m := byDate(cc)
		if len(m) >= cachedDates {
			clear(m)
		}
		m[d] = v
	})
	return v, nil
}

// settingsOn returns the value of every setting in force on date d. The answer is shared:
// callers must not change it.
func (c config) settingsOn(tx *gorm.DB, d civil.Date) (domain.Settings, error) {
	return onDate(c, func(cc *configCache) map[civil.Date]domain.Settings { return cc.settings }, d, func() (domain.Settings, error) {
		var rows []settingRow
		if err := tx.Where("effective_from <= ?", d).Order("key, effective_from").Find(&rows).Error; err != nil {
			return nil, err
		}
		out := domain.Settings{}
		for _, r := range rows {
			out[r.Key] = json.RawMessage(r.Value) // later effective dates overwrite earlier ones
		}
		return out, nil
	})
}

// dutyParamsOn returns the duty rules' numbers in force on date d.
func (c config) dutyParamsOn(tx *gorm.DB, d civil.Date) (duty.Params, error) {
	return onDate(c, func(cc *configCache) map[civil.Date]duty.Params { return cc.duty }, d, func() (duty.Params, error) {
		st, err := c.settingsOn(tx, d)
		if err != nil {
			return duty.Params{}, err
		}
		return dutyParams(st), nil
	})
}

// townshipFences returns a township's seat geofence, and its area: the seat and its villages.
func (c config) townshipFences(tx *gorm.DB, townshipID string) (seat, area []duty.Geofence, err error) {
	var (
		f  townFences
		ok bool
	)
	c.lookup(func(cc *configCache) { f, ok = cc.fences[townshipID] })
	if ok {
		return f.seat, f.area, nil
	}
	var t domain.Township
	if err := tx.First(&t, "id = ?", townshipID).Error; err != nil {
		return nil, nil, err
	}
	f.seat = []duty.Geofence{{Lat: t.Lat, Lng: t.Lng, RadiusM: t.RadiusM}}
	var villages []domain.Village
	if err := tx.Where("township_id = ?", townshipID).Find(&villages).Error; err != nil {
		return nil, nil, err
	}
	f.area = append(f.area, f.seat...)
	for _, v := range villages {
		f.area = append(f.area, duty.Geofence{Lat: v.Lat, Lng: v.Lng, RadiusM: v.RadiusM})
	}
	c.lookup(func(cc *configCache) { cc.fences[townshipID] = f })
	return f.seat, f.area, nil
}
