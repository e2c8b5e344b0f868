package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"minxin/backend/internal/civil"
)

// Setting is one value of a per-district setting, in force from EffectiveFrom until the next
// value of the same key. A change applies from its effective date onward and never rewrites
// past results, so effective dates before today are refused.
type Setting struct {
	Key           string          `json:"key"`
	EffectiveFrom civil.Date      `json:"effective_from"`
	Value         json.RawMessage `json:"value"`
	CreatedBy     *string         `json:"created_by"`
	CreatedAt     time.Time       `json:"created_at"`
}

// SettingKind says how a setting's value is checked.
type SettingKind int

// Setting kinds.
const (
	KindInteger    SettingKind = iota // a whole number within [Min, Max]
	KindClock                         // "HH:MM", 00:00 to 24:00
	KindCategories                    // [{code, name_zh, name_en, due_days?}]
	KindNames                         // ["name", …]: a non-empty list of distinct names
)

// SettingDef describes a known setting: its kind, bounds and the specification's default.
type SettingDef struct {
	Key      string
	Kind     SettingKind
	Min, Max int
	Default  string // JSON
}

// Category is an entry of a category list setting (petition categories, must-visit situations).
type Category struct {
	Code    string `json:"code"`
	NameZh  string `json:"name_zh"`
	NameEn  string `json:"name_en"`
	DueDays *int   `json:"due_days,omitempty"`
}

// SettingDefs lists every setting with the specification's default.
var SettingDefs = []SettingDef{
	{Key: "geofence.township_radius_m", Kind: KindInteger, Min: 50, Max: 100_000, Default: `3000`},
	{Key: "geofence.village_radius_m", Kind: KindInteger, Min: 50, Max: 100_000, Default: `1500`},
	{Key: "evidence.low_accuracy_m", Kind: KindInteger, Min: 1, Max: 10_000, Default: `200`},
	{Key: "evidence.late_sync_hours", Kind: KindInteger, Min: 1, Max: 24 * 365, Default: `72`},
	{Key: "evidence.max_future_minutes", Kind: KindInteger, Min: 0, Max: 24 * 60, Default: `5`},
	{Key: "reception.on_time_before", Kind: KindClock, Default: `"09:00"`},
	{Key: "overnight.nights_per_week", Kind: KindInteger, Min: 0, Max: 7, Default: `2`},
	{Key: "overnight.checkin_from", Kind: KindClock, Default: `"18:00"`},
	{Key: "overnight.checkin_until", Kind: KindClock, Default: `"24:00"`},
	{Key: "overnight.checkout_from", Kind: KindClock, Default: `"05:00"`},
	{Key: "overnight.checkout_until", Kind: KindClock, Default: `"10:00"`},
	{Key: "stationing.days_per_year", Kind: KindInteger, Min: 0, Max: 366, Default: `90`},
	{Key: "stationing.min_session_minutes", Kind: KindInteger, Min: 1, Max: 24 * 60, Default: `240`},
	{Key: "visits.categories", Kind: KindCategories, Default: `[
		{"code":"illness","name_zh":"生病住院必访","name_en":"Illness or hospital stay","due_days":7},
		{"code":"bereavement","name_zh":"家庭变故必访","name_en":"Family misfortune","due_days":7},
		{"code":"hardship","name_zh":"生活困难必访","name_en":"Hardship","due_days":7},
		{"code":"dispute","name_zh":"矛盾纠纷必访","name_en":"Dispute","due_days":7},
		{"code":"petition","name_zh":"信访诉求必访","name_en":"Petition","due_days":7},
		{"code":"disaster","name_zh":"遭受灾害必访","name_en":"Disaster","due_days":7}]`},
	{Key: "links.min_households", Kind: KindInteger, Min: 0, Max: 1000, Default: `10`},
	{Key: "talk_days.per_month", Kind: KindInteger, Min: 0, Max: 31, Default: `1`},
	{Key: "petition.accept_days", Kind: KindInteger, Min: 1, Max: 365, Default: `15`},
	{Key: "petition.reply_days", Kind: KindInteger, Min: 1, Max: 365, Default: `60`},
	{Key: "petition.max_extension_days", Kind: KindInteger, Min: 0, Max: 365, Default: `30`},
	{Key: "petition.review_request_days", Kind: KindInteger, Min: 1, Max: 365, Default: `30`},
	{Key: "petition.review_days", Kind: KindInteger, Min: 1, Max: 365, Default: `30`},
	{Key: "petition.rereview_request_days", Kind: KindInteger, Min: 1, Max: 365, Default: `30`},
	{Key: "petition.rereview_days", Kind: KindInteger, Min: 1, Max: 365, Default: `30`},
	{Key: "petition.auto_close_days", Kind: KindInteger, Min: 1, Max: 365, Default: `30`},
	{Key: "petition.duplicate_window_days", Kind: KindInteger, Min: 0, Max: 3650, Default: `90`},
	{Key: "petition.categories", Kind: KindCategories, Default: `[
		{"code":"land","name_zh":"土地","name_en":"Land"},
		{"code":"housing","name_zh":"住房","name_en":"Housing"},
		{"code":"social_security","name_zh":"社会保障","name_en":"Social security"},
		{"code":"environment","name_zh":"环境","name_en":"Environment"},
		{"code":"dispute","name_zh":"矛盾纠纷","name_en":"Dispute"},
		{"code":"conduct","name_zh":"干部作风","name_en":"Conduct of officials"},
		{"code":"other","name_zh":"其他","name_en":"Other"}]`},
	// The outside bodies a petition may be transferred to (转送, §7), by the names the notices print.
	{Key: "petition.agencies", Kind: KindNames, Default: `["县自然资源局","县人社局","县住建局","县市场监管局","县公安局",
		"县生态环境局","县农业农村局","县交通运输局"]`},
	{Key: "audit.explanation_days", Kind: KindInteger, Min: 1, Max: 365, Default: `7`},
	// SMS reminders wait through the quiet hours (from, until; across midnight when from is later).
	{Key: "sms.quiet_from", Kind: KindClock, Default: `"22:00"`},
	{Key: "sms.quiet_until", Kind: KindClock, Default: `"07:00"`},
}

// SettingDefFor returns the definition of key.
func SettingDefFor(key string) (SettingDef, bool) {
	for _, d := range SettingDefs {
		if d.Key == key {
			return d, true
		}
	}
	return SettingDef{}, false
}

var clockPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`)
var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// ValidateSetting checks a new value of a setting and returns it compacted.
func ValidateSetting(key string, value json.RawMessage, effectiveFrom, today civil.Date) (json.RawMessage, error) {
	var v Invalid
	def, ok := SettingDefFor(key)
	if !ok {
		return nil, InvalidField("key", "is not a known setting")
	}
	v.Check(!effectiveFrom.IsZero(), "effective_from", "is required (YYYY-MM-DD)")
	v.Check(effectiveFrom.IsZero() || !effectiveFrom.Before(today), "effective_from", "must be today or later: a change never rewrites past results")
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.DisallowUnknownFields()
	switch def.Kind {
	case KindInteger:
		var n int
		if err := dec.Decode(&n); err != nil || n < def.Min || n > def.Max {
			v.Add("value", "must be a whole number from %d to %d", def.Min, def.Max)
		}
	case KindClock:
		var s string
		if err := dec.Decode(&s); err != nil || !clockPattern.MatchString(s) {
			v.Add("value", "must be a time of day written HH:MM")
		}
	case KindCategories:
		var cs []Category
		if err := dec.Decode(&cs); err != nil || len(cs) == 0 {
			v.Add("value", "must be a non-empty list of {code, name_zh, name_en}")
			break
		}
		seen := map[string]bool{}
		for i, c := range cs {
			f := fmt.Sprintf("value[%d]", i)
			v.Check(codePattern.MatchString(c.Code) && !seen[c.Code], f+".code", "must be a unique lowercase code")
			seen[c.Code] = true
			ValidateName(&v, f+".name_zh", c.NameZh, 50)
			ValidateName(&v, f+".name_en", c.NameEn, 100)
			v.Check(c.DueDays == nil || *c.DueDays >= 0 && *c.DueDays <= 365, f+".due_days", "must be from 0 to 365")
		}
	case KindNames:
		var names []string
		if err := dec.Decode(&names); err != nil || len(names) == 0 || len(names) > maxNames {
			v.Add("value", "must be a list of 1 to %d names", maxNames)
			break
		}
		seen := map[string]bool{}
		for i, n := range names {
			f := fmt.Sprintf("value[%d]", i)
			ValidateName(&v, f, n, 50)
			v.Check(n == strings.TrimSpace(n), f, "must not begin or end with white space")
			v.Check(!seen[n], f, "is in the list twice")
			seen[n] = true
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, value); err != nil {
		return nil, InvalidField("value", "is not valid JSON")
	}
	return out.Bytes(), nil
}

// maxNames bounds a list of names (KindNames).
const maxNames = 200

// Settings are the values in force on one date, by key.
type Settings map[string]json.RawMessage

// Int returns an integer setting.
func (s Settings) Int(key string) int {
	var n int
	mustDecode(s, key, &n)
	return n
}

// Clock returns a "HH:MM" setting as the duration since midnight.
func (s Settings) Clock(key string) time.Duration {
	var c string
	mustDecode(s, key, &c)
	var h, m int
	fmt.Sscanf(c, "%d:%d", &h, &m)
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
}

// Categories returns a category list setting.
func (s Settings) Categories(key string) []Category {
	var cs []Category
	mustDecode(s, key, &cs)
	return cs
}

// Names returns a list-of-names setting.
func (s Settings) Names(key string) []string {
	var ns []string
	mustDecode(s, key, &ns)
	return ns
}

// mustDecode panics when a stored setting does not decode: values are validated on the way
// in and defaults are seeded by migration, so this is a programming error.
func mustDecode(s Settings, key string, dst any) {
	raw, ok := s[key]
	if !ok {
		panic("setting not loaded: " + key)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		panic(fmt.Sprintf("setting %s does not decode: %v", key, err))
	}
}
