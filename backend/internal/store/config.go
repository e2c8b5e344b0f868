package store

import (
	"encoding/json"
	"sync"

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
	derived  map[string]map[civil.Date]any // by name: what a feature reads out of the settings
	fences   map[string]TownshipFences
}

// TownshipFences are a township's seat geofence, and its area: the seat and its villages;
// Villages are the villages' fences by village id.
type TownshipFences struct {
	Seat, Area []duty.Geofence
	Villages   map[string]duty.Geofence
}

// cachedDates bounds the dates kept per map: any date can be asked for (progress on a date,
// scorecards week by week), and the cache must not grow with them.
const cachedDates = 512

// configToken is the token tx reads the cache under, read once per transaction.
func (tx *Tx) configToken() (string, error) {
	if tx.token == nil {
		var token string
		if err := tx.Raw("SELECT token FROM config_token WHERE id = 1").Scan(&token).Error; err != nil {
			return "", err
		}
		tx.token = &token
	}
	return *tx.token, nil
}

// TouchConfig gives the config token a new value; every change to settings, townships and
// villages calls it in its transaction.
func (tx *Tx) TouchConfig() error {
	if tx.optimistic {
		return errNeedsTx
	}
	token := domain.NewID()
	if err := tx.Exec("UPDATE config_token SET token = ? WHERE id = 1", token).Error; err != nil {
		return err
	}
	tx.token = &token
	return nil
}

// lookup runs read under the cache's lock for tx's token, starting an empty cache when the
// token has changed.
func (tx *Tx) lookup(read func(*configCache)) error {
	token, err := tx.configToken()
	if err != nil {
		return err
	}
	cc := &tx.st.cache
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.token != token && tx.optimistic {
		return errNotCached // the cache moved on since the Tx took its token
	}
	if cc.token != token {
		cc.token, cc.settings, cc.derived, cc.fences = token, map[civil.Date]domain.Settings{}, map[string]map[civil.Date]any{}, map[string]TownshipFences{}
	}
	read(cc)
	return nil
}

// onDate answers the value for date d from one of the cache's maps, or loads it and keeps it.
func onDate[T any](tx *Tx, byDate func(*configCache) map[civil.Date]T, d civil.Date, load func() (T, error)) (T, error) {
	var (
		v  T
		ok bool
	)
	if err := tx.lookup(func(cc *configCache) { v, ok = byDate(cc)[d] }); err != nil || ok {
		return v, err
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	return v, tx.lookup(func(cc *configCache) {
		m := byDate(cc)
		if len(m) >= cachedDates {
			clear(m)
		}
		m[d] = v
	})
}

// SettingsOn returns the value of every setting in force on date d. The answer is shared:
// callers must not change it.
func (tx *Tx) SettingsOn(d civil.Date) (domain.Settings, error) {
	return onDate(tx, func(cc *configCache) map[civil.Date]domain.Settings { return cc.settings }, d, func() (domain.Settings, error) {
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

// CachedOn answers what derive reads out of the settings in force on date d (a feature's
// parameters), kept under name until a setting changes.
func CachedOn[T any](tx *Tx, name string, d civil.Date, derive func(domain.Settings) T) (T, error) {
	byDate := func(cc *configCache) map[civil.Date]any {
		if cc.derived[name] == nil {
			cc.derived[name] = map[civil.Date]any{}
		}
		return cc.derived[name]
	}
	v, err := onDate(tx, byDate, d, func() (any, error) {
		st, err := tx.SettingsOn(d)
		if err != nil {
			return nil, err
		}
		return derive(st), nil
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// TownshipFences returns a township's seat geofence and its area.
func (tx *Tx) TownshipFences(townshipID string) (TownshipFences, error) {
	var (
		f  TownshipFences
		ok bool
	)
	if err := tx.lookup(func(cc *configCache) { f, ok = cc.fences[townshipID] }); err != nil || ok {
		return f, err
	}
	var t domain.Township
	if err := tx.First(&t, "id = ?", townshipID).Error; err != nil {
		return f, err
	}
	f.Seat = []duty.Geofence{{Lat: t.Lat, Lng: t.Lng, RadiusM: t.RadiusM}}
	var villages []domain.Village
	if err := tx.Where("township_id = ?", townshipID).Find(&villages).Error; err != nil {
		return f, err
	}
	f.Area = append(f.Area, f.Seat...)
	f.Villages = make(map[string]duty.Geofence, len(villages))
	for _, v := range villages {
		g := duty.Geofence{Lat: v.Lat, Lng: v.Lng, RadiusM: v.RadiusM}
		f.Area = append(f.Area, g)
		f.Villages[v.ID] = g
	}
	return f, tx.lookup(func(cc *configCache) { cc.fences[townshipID] = f })
}
