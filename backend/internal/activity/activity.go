// Package activity reads the hash-chained activity log (§6) for the people who oversee the
// district — admins and inspectors (access.Activity) — and answers whether its chain is whole.
// What it answers never tells who a petitioner is: a petition's entries show only its state,
// channel and category; a petitioner acting (with an account, or by code and PIN) is "a
// petitioner", never an id or a name; villagers' accounts show only their role; and no key that
// holds a petitioner's data, a PIN, a password or a token is ever answered. Entries about a
// petition that names the reader do not exist for them (the store applies the scope).
package activity

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minxin/backend/internal/access"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/store"
)

// Service reads the activity log of one district.
type Service struct{ st *store.Store }

// New returns the activity service over a store.
func New(st *store.Store) *Service { return &Service{st: st} }

// Actor is who made a change, as the log's reader may see it.
type Actor struct {
	// Kind: "user" (a member of staff, named), "petitioner" (a villager with an account, or
	// a petitioner by tracking code and PIN, or an anonymous submitter: never said which or
	// who) or "system" (the command line and scheduled jobs).
	Kind string  `json:"kind"`
	ID   *string `json:"id"`
	Name *string `json:"name"`
	Role *string `json:"role"`
}

// Entry is one entry of the activity log as an overseer reads it.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      Actor     `json:"actor"`
	Action     string    `json:"action"`
	Entity     string    `json:"entity"`
	EntityID   string    `json:"entity_id"`
	TownshipID *string   `json:"township_id"`
	Before     any       `json:"before"`
	After      any       `json:"after"`
	// Masked: parts of the record before or after are withheld (a petition's content, a
	// petitioner's data, a villager's account).
	Masked bool   `json:"masked"`
	Hash   string `json:"hash"`
}

// Filter narrows the log: who (a user id, or "system"), what (action, entity, one record),
// where (township) and when (dates in the district's time zone, both included).
type Filter struct {
	ActorID    string
	Action     string
	Entity     string
	EntityID   string
	TownshipID string
	From, To   *civil.Date
}

// PageRequest asks for up to Limit entries older than Cursor (the seq of the last entry of
// the page before, as next_cursor gave it).
type PageRequest struct {
	Limit  int
	Cursor string
}

var word = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

func (f Filter) validate(p *PageRequest) (int64, error) {
	var v domain.Invalid
	v.Check(f.ActorID == "" || f.ActorID == store.SystemActor || domain.ValidID(f.ActorID), "actor", "must be the id of a user, or system")
	v.Check(f.Action == "" || word.MatchString(f.Action), "action", "must be an action's name, such as create or accept")
	v.Check(f.Entity == "" || word.MatchString(f.Entity), "entity", "must be a kind of record, such as petition or user")
	v.Check(len(f.EntityID) <= 100 && utf8.ValidString(f.EntityID) && strings.IndexFunc(f.EntityID, unicode.IsControl) < 0,
		"entity_id", "must be a record's id: at most 100 characters, no control characters")
	v.Check(f.TownshipID == "" || domain.ValidID(f.TownshipID), "township_id", "must be the id of a township")
	if f.From != nil && f.To != nil {
		v.Check(!f.To.Before(*f.From), "to", "must not be before from")
	}
	if p.Limit == 0 {
		p.Limit = store.DefaultPageSize
	}
	v.Check(p.Limit >= 1 && p.Limit <= store.MaxPageSize, "limit", "must be from 1 to %d", store.MaxPageSize)
	var before int64
	if p.Cursor != "" {
		n, err := strconv.ParseInt(p.Cursor, 10, 64)
		v.Check(err == nil && n > 0 && strconv.FormatInt(n, 10) == p.Cursor, "cursor", "is not a cursor this list gave")
		before = n
	}
	return before, v.Err()
}

// List answers one page of the log, newest first, as the actor may read it.
func (s *Service) List(ctx context.Context, a domain.Actor, f Filter, p PageRequest) (store.Page[Entry], error) {
	before, err := f.validate(&p)
	if err != nil {
		return store.Page[Entry]{}, err
	}
	sc := access.Of(a, access.Activity)
	if sc.Reach == access.Nothing {
		return store.Page[Entry]{}, domain.Forbidden()
	}
	page := store.Page[Entry]{Items: []Entry{}}
	tx := s.st.Reader(ctx)
	if f.ActorID != "" && f.ActorID != store.SystemActor {
		// A villager's own changes are not picked out by their id: a petitioner stays unnamed.
		var role []string
		if err := tx.Model(&domain.User{}).Where("id = ?", f.ActorID).Pluck("role", &role).Error; err != nil {
			return page, err
		}
		if len(role) == 1 && domain.Role(role[0]) == domain.RoleVillager {
			return page, nil
		}
	}
	lf := store.LogFilter{ActorID: f.ActorID, Action: f.Action, Entity: f.Entity, EntityID: f.EntityID, TownshipID: f.TownshipID,
		BeforeSeq: before, Limit: p.Limit + 1}
	if f.From != nil {
		t := f.From.Start(tx.Loc())
		lf.From = &t
	}
	if f.To != nil {
		t := f.To.End(tx.Loc())
		lf.To = &t
	}
	rows, err := s.st.ReadLog(ctx, sc, lf)
	if err != nil {
		return page, err
	}
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next := strconv.FormatInt(rows[len(rows)-1].Seq, 10)
		page.NextCursor = &next
	}
	entries := make([]Entry, len(rows))
	ids := map[string]bool{}
	for i, r := range rows {
		e := Entry{Seq: r.Seq, At: r.At, Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, TownshipID: r.TownshipID, Hash: r.Hash,
			Before: parse(r.Before), After: parse(r.After)}
		e.Actor.ID = &r.ActorID
		collectIDs(r.ActorID, ids)
		collectIDs(e.Before, ids)
		collectIDs(e.After, ids)
		entries[i] = e
	}
	people, err := usersOf(tx, ids)
	if err != nil {
		return page, err
	}
	for i := range entries {
		mask(&entries[i], people)
	}
	page.Items = entries
	return page, nil
}

// person is what the log's reader may learn of a user named in it.
type person struct {
	ID          string
	DisplayName string
	Role        domain.Role
}

func usersOf(tx *store.Tx, ids map[string]bool) (map[string]person, error) {
	out := map[string]person{}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for len(list) > 0 {
		n := min(len(list), 500)
		var found []person
		if err := tx.Model(&domain.User{}).Select("id, display_name, role").Where("id IN ?", list[:n]).Find(&found).Error; err != nil {
			return nil, err
		}
		for _, p := range found {
			out[p.ID] = p
		}
		list = list[n:]
	}
	return out, nil
}

func parse(text string) any {
	var v any
	if json.Unmarshal([]byte(text), &v) != nil {
		return nil
	}
	return v
}

func collectIDs(v any, into map[string]bool) {
	switch x := v.(type) {
	case string:
		if domain.ValidID(x) {
			into[x] = true
		}
	case []any:
		for _, y := range x {
			collectIDs(y, into)
		}
	case map[string]any:
		for _, y := range x {
			collectIDs(y, into)
		}
	}
}

// petitionKeys are all that a petition's entries show of it: nothing of the petitioner,
// the text, the officials it is about, its handler or its attachments.
var petitionKeys = map[string]bool{
	"state": true, "channel": true, "category": true, "received_on": true, "extension_days": true,
	"township_id": true, "anonymous": true, "possible_duplicate": true,
}

// secretKeys are never answered, whatever the record: a petitioner's data, PINs, passwords,
// tokens.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	if strings.HasPrefix(k, "petitioner") {
		return true
	}
	switch k {
	case "pin", "pin_hash", "password", "password_hash", "temporary_password", "token", "token_hash", "refresh_token", "access_token", "secret", "identity_note":
		return true
	}
	return false
}

// mask withholds from an entry what its reader may not learn: who a petitioner is, what a
// petition says, and the secrets of any record.
func mask(e *Entry, people map[string]person) {
	masked := false
	id := *e.Actor.ID
	p, known := people[id]
	switch {
	case id == store.SystemActor:
		e.Actor = Actor{Kind: "system"}
	case known && p.Role == domain.RoleVillager, !known && !domain.ValidID(id):
		// A villager's account, or a petitioner by code and PIN ("petitioner"), or whoever
		// submitted an anonymous report or uploaded without an account ("anonymous").
		e.Actor = Actor{Kind: "petitioner"}
	case known:
		role := string(p.Role)
		e.Actor = Actor{Kind: "user", ID: &p.ID, Name: &p.DisplayName, Role: &role}
	default:
		e.Actor = Actor{Kind: "user", ID: &id}
	}
	villager := func(s string) bool {
		p, ok := people[s]
		return ok && p.Role == domain.RoleVillager
	}
	var clean func(v any) any
	clean = func(v any) any {
		switch x := v.(type) {
		case string:
			if villager(x) {
				masked = true
				return nil
			}
			return x
		case []any:
			out := make([]any, len(x))
			for i, y := range x {
				out[i] = clean(y)
			}
			return out
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, y := range x {
				if secretKey(k) {
					masked = true
					continue
				}
				out[k] = clean(y)
			}
			return out
		}
		return v
	}
	keepOnly := func(v any, keys map[string]bool) any {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		if inner, ok := m["petition"].(map[string]any); ok { // a submission: {petition, about_official_ids, attachment_ids}
			m, masked = inner, true
		}
		out := map[string]any{}
		for k, y := range m {
			if keys[k] {
				out[k] = y
			} else {
				masked = true
			}
		}
		return out
	}
	switch {
	case e.Entity == "petition":
		e.Before, e.After = keepOnly(e.Before, petitionKeys), keepOnly(e.After, petitionKeys)
	case e.Entity == "user" && (villager(e.EntityID) || roleOf(e.Before) == domain.RoleVillager || roleOf(e.After) == domain.RoleVillager):
		keys := map[string]bool{"role": true, "must_change_password": true}
		e.Before, e.After = keepOnly(e.Before, keys), keepOnly(e.After, keys)
		if villager(e.EntityID) { // the account itself is not named either
			e.EntityID, masked = "", true
		}
	}
	e.Before, e.After = clean(e.Before), clean(e.After)
	e.Masked = masked
}

func roleOf(v any) domain.Role {
	if m, ok := v.(map[string]any); ok {
		if r, ok := m["role"].(string); ok {
			return domain.Role(r)
		}
	}
	return ""
}

// Verification is the answer of the chain's check, as a person reads it: whether the log is
// whole, how many entries were checked, the newest entry's number and hash (to write down
// and compare later), and the first broken entry if any.
type Verification struct {
	Intact     bool      `json:"intact"`
	Entries    int64     `json:"entries"`
	HeadSeq    int64     `json:"head_seq"`
	HeadHash   string    `json:"head_hash"`
	Broken     *Break    `json:"broken"`
	VerifiedAt time.Time `json:"verified_at"`
}

// Break names the first entry where the chain is broken, and how.
type Break struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// Verify checks the whole chain, as `minxin log verify` does.
func (s *Service) Verify(ctx context.Context, a domain.Actor) (Verification, error) {
	if access.Of(a, access.Activity).Reach == access.Nothing {
		return Verification{}, domain.Forbidden()
	}
	broken, n, err := s.st.VerifyLog(ctx)
	if err != nil {
		return Verification{}, err
	}
	seq, hash, err := s.st.LogHead(ctx)
	if err != nil {
		return Verification{}, err
	}
	out := Verification{Intact: broken == nil, Entries: n, HeadSeq: seq, HeadHash: hash, VerifiedAt: s.st.Reader(ctx).Now}
	if broken != nil {
		out.Broken = &Break{Seq: broken.Seq, Reason: broken.Reason}
	}
	return out, nil
}
