package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
)

// Channels through which a petition (信访件) arrives (§4).
const (
	ChannelOnline    = "online"    // a villager in the PWA, with or without an account
	ChannelReception = "reception" // registered by the day's receiver (定点接访)
	ChannelLetter    = "letter"
	ChannelPhone     = "phone"
	ChannelTalkDay   = "talk_day" // raised at a village talk day (民情恳谈日)
)

// PetitionChannels lists the channels in a stable order.
var PetitionChannels = []string{ChannelOnline, ChannelReception, ChannelLetter, ChannelPhone, ChannelTalkDay}

// Rate limits of petitions: online submissions per client address and per phone, and wrong
// tracking PINs per tracking code and per address. A wrong PIN and an unknown code count alike.
var (
	SubmitAddressLimit = Limit{Bucket: "petition_submit_address", Max: 10, Window: time.Hour}
	SubmitPhoneLimit   = Limit{Bucket: "petition_submit_phone", Max: 5, Window: 24 * time.Hour}
	PINCodeLimit       = Limit{Bucket: "petition_pin_code", Max: 5, Window: time.Hour}
	PINAddressLimit    = Limit{Bucket: "petition_pin_address", Max: 20, Window: time.Hour}
)

// Actor ids written into petition events and the activity log for those without an account.
const (
	petitionerActor = "petitioner" // the petitioner acting with the tracking code and PIN
	anonymousActor  = "anonymous"  // whoever submitted an anonymous report: nothing of them is kept
)

// petitionRow is a row of the petitions table.
type petitionRow struct {
	ID                  string     `json:"id"`
	TownshipID          string     `json:"township_id"`
	VillageID           *string    `json:"village_id"`
	HouseholdID         *string    `json:"household_id"`
	Channel             string     `json:"channel"`
	Category            string     `json:"category"`
	Subject             string     `json:"subject"`
	Text                string     `json:"text"`
	Anonymous           bool       `json:"anonymous"`
	PetitionerName      *string    `json:"petitioner_name"`
	PetitionerPhone     *string    `json:"petitioner_phone"`
	PetitionerUserID    *string    `json:"petitioner_user_id"`
	Lat                 *float64   `json:"lat"`
	Lng                 *float64   `json:"lng"`
	Location            *string    `json:"location"`
	TrackingCode        string     `json:"tracking_code"`
	PinHash             string     `json:"-"`
	State               string     `json:"state"`
	ReceivedOn          civil.Date `json:"received_on"`
	SubmittedAt         time.Time  `json:"submitted_at"`
	AcceptedAt          *time.Time `json:"accepted_at"`
	RepliedAt           *time.Time `json:"replied_at"`
	ReviewRequestedAt   *time.Time `json:"review_requested_at"`
	ReviewedAt          *time.Time `json:"reviewed_at"`
	RereviewRequestedAt *time.Time `json:"rereview_requested_at"`
	RereviewedAt        *time.Time `json:"rereviewed_at"`
	FinishedAt          *time.Time `json:"finished_at"`
	ExtensionDays       int        `json:"extension_days"`
	HandlerID           *string    `json:"handler_id"`
	Rating              *string    `json:"rating"`
	ReceptionDayID      *string    `json:"reception_day_id"`
	DuplicateOf         *string    `json:"duplicate_of"`
	PossibleDuplicate   bool       `json:"possible_duplicate"`
	DueAt               *time.Time `json:"due_at"`
	ClosesAt            *time.Time `json:"closes_at"`
	CreatedBy           *string    `json:"created_by"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

func (petitionRow) TableName() string { return "petitions" }

// facts are the events of the petition as the rules read them.
func (r petitionRow) facts() petition.Facts {
	return petition.Facts{
		State: petition.State(r.State), ReceivedOn: r.ReceivedOn, AcceptedAt: r.AcceptedAt,
		RepliedAt: r.RepliedAt, ReviewRequestedAt: r.ReviewRequestedAt, ReviewedAt: r.ReviewedAt,
		RereviewRequestedAt: r.RereviewRequestedAt, RereviewedAt: r.RereviewedAt, ExtensionDays: r.ExtensionDays,
	}
}

// derive sets the instants kept only so that they can be indexed: when the pending office step
// becomes overdue and when a replied petition closes by itself. Both come from the rules.
func (r *petitionRow) derive(loc *time.Location, p petition.Params) {
	f := r.facts()
	_, r.DueAt = petition.PendingStep(f, loc, p)
	r.ClosesAt = petition.AutoCloseAt(f, loc, p)
	r.DueAt, r.ClosesAt = utcPtr(r.DueAt), utcPtr(r.ClosesAt)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type petitionAbout struct {
	PetitionID string
	OfficialID string
	TownshipID string
}

func (petitionAbout) TableName() string { return "petition_about" }

type petitionAttachment struct {
	PetitionID   string
	AttachmentID string
	TownshipID   string
}

func (petitionAttachment) TableName() string { return "petition_attachments" }

// petitionEventRow is one entry of a petition's append-only history.
type petitionEventRow struct {
	ID         string
	PetitionID string
	TownshipID string
	At         time.Time
	ActorID    string
	ActorKind  string
	Action     string
	FromState  *string
	ToState    string
	Note       string
	Reason     string
	Guidance   string
	Text       string
	Days       *int
	Rating     *string
	HandlerID  *string
}

func (petitionEventRow) TableName() string { return "petition_events" }

// PetitionerInput is who submits a petition.
type PetitionerInput struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// PetitionLocation is where the matter of a petition is.
type PetitionLocation struct {
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	Address *string  `json:"address"`
}

// PetitionInput is a new petition (the contract's petition fields).
type PetitionInput struct {
	Channel          string            `json:"channel"`
	TownshipID       string            `json:"township_id"`
	VillageID        *string           `json:"village_id"`
	HouseholdID      *string           `json:"household_id"`
	Category         string            `json:"category"`
	Subject          string            `json:"subject"`
	Text             string            `json:"text"`
	Anonymous        bool              `json:"anonymous"`
	Petitioner       *PetitionerInput  `json:"petitioner"`
	AboutOfficialIDs []string          `json:"about_official_ids"`
	AttachmentIDs    []string          `json:"attachment_ids"`
	ReceivedOn       *civil.Date       `json:"received_on"`
	Location         *PetitionLocation `json:"location"`
}

// Submitted is the answer to a submission: the tracking code and the PIN, which is shown this
// once and kept only as a hash.
type Submitted struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	PIN          string `json:"pin"`
}

// Petitioner is the petitioner as a reader may see them: in full, or masked (张** · 138****1234).
type Petitioner struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// PetitionEvent is one step of a petition's history, as staff read it.
type PetitionEvent struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	ActorID   *string   `json:"actor_id"`
	ActorKind string    `json:"actor_kind"`
	Action    string    `json:"action"`
	FromState *string   `json:"from_state"`
	ToState   string    `json:"to_state"`
	Note      string    `json:"note"`
	Reason    string    `json:"reason"`
	Guidance  string    `json:"guidance"`
	Text      string    `json:"text"`
	Days      *int      `json:"days"`
	Rating    *string   `json:"rating"`
	HandlerID *string   `json:"handler_id"`
}

// Petition is a petition as staff, or the petitioner with an account, read it.
type Petition struct {
	ID                  string             `json:"id"`
	TrackingCode        string             `json:"tracking_code"`
	TownshipID          string             `json:"township_id"`
	VillageID           *string            `json:"village_id"`
	HouseholdID         *string            `json:"household_id"`
	Channel             string             `json:"channel"`
	Category            string             `json:"category"`
	Subject             string             `json:"subject"`
	Text                string             `json:"text"`
	Anonymous           bool               `json:"anonymous"`
	Petitioner          *Petitioner        `json:"petitioner"`
	PetitionerMasked    bool               `json:"petitioner_masked"`
	AboutOfficialIDs    []string           `json:"about_official_ids"`
	AttachmentIDs       []string           `json:"attachment_ids"`
	Location            *PetitionLocation  `json:"location"`
	State               string             `json:"state"`
	ReceivedOn          civil.Date         `json:"received_on"`
	Deadlines           petition.Deadlines `json:"deadlines"`
	Overdue             bool               `json:"overdue"`
	OverdueStep         *string            `json:"overdue_step"`
	SubmittedAt         time.Time          `json:"submitted_at"`
	AcceptedAt          *time.Time         `json:"accepted_at"`
	RepliedAt           *time.Time         `json:"replied_at"`
	ReviewRequestedAt   *time.Time         `json:"review_requested_at"`
	ReviewedAt          *time.Time         `json:"reviewed_at"`
	RereviewRequestedAt *time.Time         `json:"rereview_requested_at"`
	RereviewedAt        *time.Time         `json:"rereviewed_at"`
	FinishedAt          *time.Time         `json:"finished_at"`
	ExtensionDays       int                `json:"extension_days"`
	HandlerID           *string            `json:"handler_id"`
	Rating              *string            `json:"rating"`
	ReceptionDayID      *string            `json:"reception_day_id"`
	PossibleDuplicate   bool               `json:"possible_duplicate"`
	DuplicateOf         *string            `json:"duplicate_of"`
	CreatedAt           time.Time          `json:"created_at"`
	UpdatedAt           time.Time          `json:"updated_at"`
	Events              []PetitionEvent    `json:"events,omitempty"`
}

// petitionParams reads the petition settings into the rules' parameters.
func petitionParams(st domain.Settings) petition.Params {
	return petition.Params{
		AcceptDays:          st.Int("petition.accept_days"),
		ReplyDays:           st.Int("petition.reply_days"),
		MaxExtensionDays:    st.Int("petition.max_extension_days"),
		ReviewRequestDays:   st.Int("petition.review_request_days"),
		ReviewDays:          st.Int("petition.review_days"),
		RereviewRequestDays: st.Int("petition.rereview_request_days"),
		RereviewDays:        st.Int("petition.rereview_days"),
		AutoCloseDays:       st.Int("petition.auto_close_days"),
		DuplicateWindowDays: st.Int("petition.duplicate_window_days"),
	}
}

// paramsOn returns the petition parameters in force on date d. A petition's deadlines all use
// the settings in force on the day it was received, so a later change of a setting never
// moves the deadlines of petitions already received.
func (s *Store) paramsOn(tx *gorm.DB, d civil.Date) (petition.Params, error) {
	st, err := s.settingsOn(tx, d)
	if err != nil {
		return petition.Params{}, err
	}
	return petitionParams(st), nil
}

// paramsByDate returns the petition parameters in force on any date, reading the petition
// settings' history once: pages and figures judge petitions received on many dates.
func (s *Store) paramsByDate(tx *gorm.DB) (func(civil.Date) petition.Params, error) {
	var rows []settingRow
	if err := tx.Where("key LIKE ?", "petition.%").Order("effective_from").Find(&rows).Error; err != nil {
		return nil, err
	}
	cache := map[civil.Date]petition.Params{}
	return func(d civil.Date) petition.Params {
		if p, ok := cache[d]; ok {
			return p
		}
		st := domain.Settings{}
		for _, r := range rows {
			if !r.EffectiveFrom.After(d) {
				st[r.Key] = json.RawMessage(r.Value) // later effective dates overwrite earlier ones
			}
		}
		p := petitionParams(st)
		cache[d] = p
		return p
	}, nil
}

// SubmitPetition registers a petition through one of the channels. a is nil for a villager
// without an account; addr is the client's address, for the rate limits of online submissions.
func (s *Store) SubmitPetition(ctx context.Context, a *domain.Actor, in PetitionInput, addr string) (Submitted, error) {
	return s.submitPetition(ctx, a, in, addr, s.now())
}

// submitPetition registers a petition as of now (the demo passes instants in the past).
func (s *Store) submitPetition(ctx context.Context, a *domain.Actor, in PetitionInput, addr string, now time.Time) (Submitted, error) {
	now = now.UTC()
	if err := mayRegister(a, in.Channel); err != nil {
		return Submitted{}, err
	}
	today := civil.Of(now, s.loc)
	if err := checkPetitionInput(&in, today); err != nil {
		return Submitted{}, err
	}
	var attempts []Attempt
	if in.Channel == ChannelOnline {
		var err error
		if attempts, err = s.submitAttempts(ctx, in, addr); err != nil {
			return Submitted{}, err
		}
	}
	ok := false
	defer func() {
		if !ok { // a submission that came to nothing does not count
			for _, at := range attempts {
				at.Forgive(context.WithoutCancel(ctx))
			}
		}
	}()
	pin, err := petition.NewPIN(rand.Reader)
	if err != nil {
		return Submitted{}, err
	}
	pinHash, err := auth.HashPassword(pin)
	if err != nil {
		return Submitted{}, err
	}
	row := petitionRow{
		ID: domain.NewID(), TownshipID: in.TownshipID, Channel: in.Channel, Category: in.Category,
		Subject: strings.TrimSpace(in.Subject), Text: strings.TrimSpace(in.Text), Anonymous: in.Anonymous,
		PinHash: pinHash, State: string(petition.Submitted), ReceivedOn: *in.ReceivedOn, SubmittedAt: now,
		CreatedAt: now, UpdatedAt: now,
	}
	actorID := anonymousActor
	if !in.Anonymous {
		row.PetitionerName, row.PetitionerPhone = ptrTo(strings.TrimSpace(in.Petitioner.Name)), ptrTo(in.Petitioner.Phone)
		row.HouseholdID = in.HouseholdID
		if a != nil {
			actorID = a.UserID
			if a.Role == domain.RoleVillager {
				row.PetitionerUserID = &a.UserID
			}
		} else {
			actorID = petitionerActor
		}
	} else if a != nil && a.Role != domain.RoleVillager {
		actorID = a.UserID // staff registering an anonymous letter: the staff member is no petitioner
	}
	if actorID != anonymousActor && actorID != petitionerActor {
		row.CreatedBy = &actorID
	}
	row.VillageID = in.VillageID
	if in.Location != nil {
		row.Lat, row.Lng, row.Location = in.Location.Lat, in.Location.Lng, in.Location.Address
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		st, err := s.settingsOn(tx, row.ReceivedOn)
		if err != nil {
			return err
		}
		p := petitionParams(st)
		if err := s.checkPetitionRefs(tx, a, &row, in, st); err != nil {
			return err
		}
		seq, err := s.nextTrackingSeq(tx, row.ReceivedOn)
		if err != nil {
			return err
		}
		row.TrackingCode = petition.TrackingCode(row.ReceivedOn, seq)
		if err := s.linkDuplicate(tx, &row, p); err != nil {
			return err
		}
		row.derive(s.loc, p)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// A petition from a household obliges a must-visit (六必访: 信访诉求必访). A report about
		// officials records none: the trigger names the petition and goes to the household's
		// contact official, who may be the one it is about.
		if row.HouseholdID != nil && len(in.AboutOfficialIDs) == 0 {
			if err := s.recordPetitionTrigger(tx, actorID, *row.HouseholdID, row.ReceivedOn, row.ID); err != nil {
				return err
			}
		}
		for _, id := range uniqueIDs(in.AboutOfficialIDs) {
			if err := tx.Create(&petitionAbout{PetitionID: row.ID, OfficialID: id, TownshipID: row.TownshipID}).Error; err != nil {
				return err
			}
		}
		// Attachments are uploads of the submitter. An anonymous report takes only uploads made
		// without an account, so that no upload ties it to anyone.
		linker := domain.Actor{}
		if a != nil && !(in.Anonymous && a.Role == domain.RoleVillager) {
			linker = *a
		}
		if err := s.linkAttachments(tx, linker, "attachment_ids", in.AttachmentIDs, row.TownshipID); err != nil {
			return err
		}
		for _, id := range uniqueIDs(in.AttachmentIDs) {
			if err := tx.Create(&petitionAttachment{PetitionID: row.ID, AttachmentID: id, TownshipID: row.TownshipID}).Error; err != nil {
				return err
			}
		}
		kind := string(petition.Petitioner)
		if row.CreatedBy != nil {
			kind = "staff"
		}
		ev := petitionEventRow{ID: domain.NewID(), PetitionID: row.ID, TownshipID: row.TownshipID, At: now,
			ActorID: actorID, ActorKind: kind, Action: "submit", ToState: row.State}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return s.appendLog(tx, change{actor: actorID, action: "submit", entity: "petition", entityID: row.ID,
			townshipID: &row.TownshipID, after: petitionLog{row, uniqueIDs(in.AboutOfficialIDs), uniqueIDs(in.AttachmentIDs)}})
	})
	if err != nil {
		return Submitted{}, err
	}
	ok = true
	return Submitted{ID: row.ID, TrackingCode: row.TrackingCode, PIN: pin}, nil
}

// petitionLog is what the activity log keeps of a new petition.
type petitionLog struct {
	Petition      petitionRow `json:"petition"`
	About         []string    `json:"about_official_ids"`
	AttachmentIDs []string    `json:"attachment_ids"`
}

func ptrTo[T any](v T) *T { return &v }

// mayRegister says who may register a petition through which channel: villagers, with or
// without an account, online; the township's officials at the reception (the day's receiver);
// petition officers and admins through any office channel. Inspectors register nothing.
func mayRegister(a *domain.Actor, channel string) error {
	var v domain.Invalid
	v.Check(contains(PetitionChannels, channel), "channel", "must be one of online, reception, letter, phone, talk_day")
	if err := v.Err(); err != nil {
		return err
	}
	if a == nil {
		if channel != ChannelOnline {
			return domain.Unauthenticated("unauthenticated", "log in to register a petition received through the "+channel+" channel")
		}
		return nil
	}
	var ok bool
	switch a.Role {
	case domain.RoleVillager:
		ok = channel == ChannelOnline
	case domain.RoleOfficial:
		ok = channel == ChannelReception
	case domain.RolePetitionOfficer, domain.RoleAdmin:
		ok = channel != ChannelOnline
	}
	if !ok {
		return domain.Errorf(domain.KindForbidden, "forbidden", "your role may not register petitions through the %s channel", channel)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkPetitionInput checks the fields that need no database and fills received_on.
func checkPetitionInput(in *PetitionInput, today civil.Date) error {
	var v domain.Invalid
	v.Check(domain.ValidID(in.TownshipID), "township_id", "must be the id of a township")
	v.Check(in.VillageID == nil || domain.ValidID(*in.VillageID), "village_id", "must be the id of a village")
	v.Check(in.HouseholdID == nil || domain.ValidID(*in.HouseholdID), "household_id", "must be the id of a household")
	v.Check(in.Category != "", "category", "is required")
	domain.ValidateName(&v, "subject", in.Subject, 200)
	domain.ValidateName(&v, "text", in.Text, 5000)
	if in.Anonymous {
		v.Check(in.Petitioner == nil, "petitioner", "an anonymous report keeps no petitioner data: leave it out")
		v.Check(in.HouseholdID == nil, "household_id", "an anonymous report keeps no petitioner data: leave it out")
	} else if in.Petitioner == nil {
		v.Add("petitioner", "is required, with name and phone, unless the report is anonymous")
	} else {
		domain.ValidateName(&v, "petitioner.name", in.Petitioner.Name, 50)
		v.Check(domain.ValidPhone(in.Petitioner.Phone), "petitioner.phone", "must be a phone number of 7 to 15 digits")
	}
	v.Check(len(in.AboutOfficialIDs) <= 20, "about_official_ids", "at most 20 officials")
	for _, id := range in.AboutOfficialIDs {
		v.Check(domain.ValidID(id), "about_official_ids", "must be ids of officials")
	}
	v.Check(len(in.AttachmentIDs) <= 20, "attachment_ids", "at most 20 attachments")
	switch {
	case in.ReceivedOn == nil:
		in.ReceivedOn = &today
	case in.Channel == ChannelOnline:
		v.Check(*in.ReceivedOn == today, "received_on", "an online petition is received the day it is sent; leave it out")
	default:
		v.Check(!in.ReceivedOn.After(today), "received_on", "must not be in the future")
		v.Check(!in.ReceivedOn.Before(today.AddDays(-365)), "received_on", "must be within the last year")
	}
	if l := in.Location; l != nil {
		v.Check((l.Lat == nil) == (l.Lng == nil), "location.lat", "lat and lng go together")
		if l.Lat != nil && l.Lng != nil {
			v.Check(*l.Lat >= -90 && *l.Lat <= 90, "location.lat", "must be a latitude between -90 and 90")
			v.Check(*l.Lng >= -180 && *l.Lng <= 180, "location.lng", "must be a longitude between -180 and 180")
		}
		v.Check(l.Address == nil || utf8.RuneCountInString(*l.Address) <= 200, "location.address", "must be at most 200 characters")
	}
	return v.Err()
}

// checkPetitionRefs checks the township, village, household, category and the officials the
// petition is about against the database. Staff register petitions of their own township only;
// a villager may petition any township.
func (s *Store) checkPetitionRefs(tx *gorm.DB, a *domain.Actor, row *petitionRow, in PetitionInput, st domain.Settings) error {
	scope := domain.Actor{Role: domain.RoleAdmin}
	if a != nil && a.Role != domain.RoleVillager {
		scope = *a
	}
	if err := s.checkTownship(tx, scope, row.TownshipID); err != nil {
		return err
	}
	if row.Channel == ChannelReception {
		if err := s.linkReceptionDay(tx, *a, row); err != nil {
			return err
		}
	}
	var v domain.Invalid
	v.Check(row.HouseholdID == nil || a != nil && a.Role != domain.RoleVillager, "household_id",
		"only the office links a petition to a household")
	known := false
	for _, c := range st.Categories("petition.categories") {
		known = known || c.Code == row.Category
	}
	v.Check(known, "category", "is not a petition category in force on %s", row.ReceivedOn)
	if row.HouseholdID != nil {
		var h domain.Household
		err := tx.First(&h, "id = ? AND township_id = ?", *row.HouseholdID, row.TownshipID).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			v.Add("household_id", "no such household in the township")
		case err != nil:
			return err
		case row.VillageID == nil:
			row.VillageID = &h.VillageID
		case *row.VillageID != h.VillageID:
			v.Add("household_id", "is not a household of the village")
		}
	}
	if row.VillageID != nil {
		var n int64
		if err := tx.Model(&domain.Village{}).Where("id = ? AND township_id = ?", *row.VillageID, row.TownshipID).Count(&n).Error; err != nil {
			return err
		}
		v.Check(n == 1, "village_id", "no such village in the township")
	}
	if ids := uniqueIDs(in.AboutOfficialIDs); len(ids) > 0 {
		var n int64
		if err := tx.Model(&domain.User{}).Where("id IN ? AND role <> ?", ids, domain.RoleVillager).Count(&n).Error; err != nil {
			return err
		}
		v.Check(int(n) == len(ids), "about_official_ids", "must be ids of officials")
	}
	return v.Err()
}

// linkReceptionDay links a petition received at the reception (定点接访) to the township's
// reception day of its date. An official registers only as that day's receiver; the office
// may register on the receiver's behalf, and a date without a reception day links nothing.
func (s *Store) linkReceptionDay(tx *gorm.DB, a domain.Actor, row *petitionRow) error {
	var day receptionRow
	err := tx.Where("township_id = ? AND date = ?", row.TownshipID, row.ReceivedOn).First(&day).Error
	found := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	if a.Role == domain.RoleOfficial && (!found || day.OfficialID == nil || *day.OfficialID != a.UserID) {
		return domain.Errorf(domain.KindForbidden, "not_receiver",
			"only the day's receiver registers petitions received at the reception on %s", row.ReceivedOn)
	}
	if found {
		row.ReceptionDayID = &day.ID
	}
	return nil
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// nextTrackingSeq returns the next sequence number of the tracking codes of day d.
func (s *Store) nextTrackingSeq(tx *gorm.DB, d civil.Date) (int, error) {
	var seq int
	err := tx.Raw(`INSERT INTO petition_sequences (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = petition_sequences.last + 1 RETURNING last`, d).Scan(&seq).Error
	return seq, err
}

// linkDuplicate flags a petition that may repeat an earlier one of the same township (same
// phone and category within the window, similar text) and links it to the latest such one.
// A possible duplicate is never refused: the petition officer decides.
func (s *Store) linkDuplicate(tx *gorm.DB, row *petitionRow, p petition.Params) error {
	if row.PetitionerPhone == nil {
		return nil
	}
	var earlier []petitionRow
	err := tx.Select("id, petitioner_phone, category, received_on, subject, text").
		Where("petitioner_phone = ? AND category = ? AND township_id = ? AND received_on >= ? AND received_on <= ?",
			*row.PetitionerPhone, row.Category, row.TownshipID,
			row.ReceivedOn.AddDays(-p.DuplicateWindowDays), row.ReceivedOn.AddDays(p.DuplicateWindowDays)).
		Order("received_on DESC, id DESC").Limit(100).Find(&earlier).Error
	if err != nil {
		return err
	}
	this := petition.DuplicateCandidate{Phone: *row.PetitionerPhone, Category: row.Category, ReceivedOn: row.ReceivedOn, Subject: row.Subject, Text: row.Text}
	for _, e := range earlier {
		other := petition.DuplicateCandidate{Phone: *e.PetitionerPhone, Category: e.Category, ReceivedOn: e.ReceivedOn, Subject: e.Subject, Text: e.Text}
		if petition.PossibleDuplicate(this, other, p) {
			row.PossibleDuplicate, row.DuplicateOf = true, &e.ID
			return nil
		}
	}
	return nil
}

// submitAttempts records an online submission against the limits per address and, when the
// petitioner gives one, per phone.
func (s *Store) submitAttempts(ctx context.Context, in PetitionInput, addr string) ([]Attempt, error) {
	byAddress, err := s.Attempt(ctx, SubmitAddressLimit, addr)
	if err != nil {
		return nil, err
	}
	if in.Petitioner == nil || in.Anonymous {
		return []Attempt{byAddress}, nil
	}
	byPhone, err := s.Attempt(ctx, SubmitPhoneLimit, in.Petitioner.Phone)
	if err != nil {
		return nil, errors.Join(err, byAddress.Forgive(ctx))
	}
	return []Attempt{byAddress, byPhone}, nil
}

// visiblePetitions limits q to the petitions the actor may know exist: a villager their own; an
// official or petition officer those of their township, and district-wide staff all — in every
// case except the petitions the actor is named in (about), which do not exist for them.
// Inspectors read figures, never petitions.
func visiblePetitions(q *gorm.DB, a domain.Actor) (*gorm.DB, error) {
	switch a.Role {
	case domain.RoleInspector:
		return nil, domain.Errorf(domain.KindForbidden, "forbidden", "inspectors read petition figures, not petitions")
	case domain.RoleVillager:
		return q.Where("petitions.petitioner_user_id = ?", a.UserID), nil
	}
	q = scoped(q, a, "petitions.township_id")
	return q.Where("NOT EXISTS (SELECT 1 FROM petition_about pa WHERE pa.petition_id = petitions.id AND pa.official_id = ?)", a.UserID), nil
}

// loadVisible reads one petition the actor may know exists, locked for the rest of the
// transaction on PostgreSQL (SQLite transactions are serialized already).
func (s *Store) loadVisible(tx *gorm.DB, a domain.Actor, id string, lock bool) (petitionRow, error) {
	var row petitionRow
	q, err := visiblePetitions(tx, a)
	if err != nil {
		return row, err
	}
	if lock && s.dialect == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "petitions"}})
	}
	err = q.First(&row, "petitions.id = ?", id).Error
	return row, notFound(err, "petition")
}

// Petition returns one petition with its history, as the actor may read it.
func (s *Store) Petition(ctx context.Context, a domain.Actor, id string) (Petition, error) {
	var out Petition
	err := s.tx(ctx, func(tx *gorm.DB) error {
		row, err := s.loadVisible(tx, a, id, false)
		if err != nil {
			return err
		}
		views, err := s.petitionViews(tx, a, []petitionRow{row})
		if err != nil {
			return err
		}
		out = views[0]
		var events []petitionEventRow
		if err := tx.Where("petition_id = ?", id).Order("at, id").Find(&events).Error; err != nil {
			return err
		}
		out.Events = make([]PetitionEvent, len(events))
		for i, e := range events {
			out.Events[i] = eventView(e, out.PetitionerMasked, a.Role == domain.RoleVillager)
		}
		return nil
	})
	return out, err
}

// eventView renders an event for a reader: the petitioner's own actions carry no account id
// for those who see the petitioner masked, and a petitioner reads no internal note, no handler
// and no office member's id.
func eventView(e petitionEventRow, masked, petitioner bool) PetitionEvent {
	v := PetitionEvent{ID: e.ID, At: e.At, ActorID: &e.ActorID, ActorKind: e.ActorKind, Action: e.Action,
		FromState: e.FromState, ToState: e.ToState, Note: e.Note, Reason: e.Reason, Guidance: e.Guidance,
		Text: e.Text, Days: e.Days, Rating: e.Rating, HandlerID: e.HandlerID}
	if masked && e.ActorKind == string(petition.Petitioner) {
		v.ActorID = nil
	}
	if petitioner {
		v.Note, v.HandlerID = "", nil
		if e.ActorKind != string(petition.Petitioner) {
			v.ActorID = nil
		}
	}
	return v
}

// PetitionFilter narrows a petition list.
type PetitionFilter struct {
	TownshipID string
	HandlerID  string
	State      string
	Overdue    *bool
}

// Petitions lists the petitions the actor may know exist, in the order they were received
// by the system. Overdue is answered from the stored due_at, which the rules derive on every
// transition.
func (s *Store) Petitions(ctx context.Context, a domain.Actor, f PetitionFilter, p PageRequest) (Page[Petition], error) {
	q, err := s.petitionsQuery(s.conn(ctx), a, f)
	if err != nil {
		return Page[Petition]{}, err
	}
	rows, err := listPage(q, "petitions", p, func(r petitionRow) string { return r.ID })
	if err != nil {
		return Page[Petition]{}, err
	}
	views, err := s.petitionViews(s.conn(ctx), a, rows.Items)
	return Page[Petition]{Items: views, NextCursor: rows.NextCursor}, err
}

// petitionsQuery selects the petitions of a list: those the actor may know exist, filtered.
func (s *Store) petitionsQuery(db *gorm.DB, a domain.Actor, f PetitionFilter) (*gorm.DB, error) {
	if f.State != "" && !petition.State(f.State).Valid() {
		return nil, domain.InvalidField("state", "is not a petition state")
	}
	q, err := visiblePetitions(db, a)
	if err != nil {
		return nil, err
	}
	if f.TownshipID != "" {
		q = q.Where("petitions.township_id = ?", f.TownshipID)
	}
	if f.HandlerID != "" {
		q = q.Where("petitions.handler_id = ?", f.HandlerID)
	}
	if f.State != "" {
		q = q.Where("petitions.state = ?", f.State)
	}
	if f.Overdue != nil {
		now := s.now()
		if *f.Overdue {
			q = q.Where("petitions.due_at <= ?", now)
		} else {
			q = q.Where("(petitions.due_at IS NULL OR petitions.due_at > ?)", now)
		}
	}
	return q, nil
}

// seesIdentity reports whether the actor may see who the petitioner is: the petitioner, the
// township's (or the district's) petition officers, the assigned handler and admins.
func seesIdentity(a domain.Actor, r petitionRow) bool {
	switch {
	case a.Role == domain.RoleAdmin, a.Role == domain.RolePetitionOfficer && a.InScope(r.TownshipID):
		return true
	case r.PetitionerUserID != nil && *r.PetitionerUserID == a.UserID:
		return true
	case r.HandlerID != nil && *r.HandlerID == a.UserID:
		return true
	}
	return false
}

// petitionViews renders rows for the actor, with their about and attachment lists, deadlines
// and overdue flag, masking the petitioner for those who may not see them.
func (s *Store) petitionViews(tx *gorm.DB, a domain.Actor, rows []petitionRow) ([]Petition, error) {
	out := make([]Petition, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	dups := []string{}
	for i, r := range rows {
		ids[i] = r.ID
		if r.DuplicateOf != nil {
			dups = append(dups, *r.DuplicateOf)
		}
	}
	var about []petitionAbout
	if err := tx.Where("petition_id IN ?", ids).Order("official_id").Find(&about).Error; err != nil {
		return nil, err
	}
	var atts []petitionAttachment
	if err := tx.Where("petition_id IN ?", ids).Order("attachment_id").Find(&atts).Error; err != nil {
		return nil, err
	}
	// A linked duplicate the actor is named in must not show through the link.
	hidden := map[string]bool{}
	if len(dups) > 0 && domain.ValidID(a.UserID) {
		var names []string
		if err := tx.Model(&petitionAbout{}).Where("petition_id IN ? AND official_id = ?", dups, a.UserID).Pluck("petition_id", &names).Error; err != nil {
			return nil, err
		}
		for _, n := range names {
			hidden[n] = true
		}
	}
	now := s.now()
	paramsOn, err := s.paramsByDate(tx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p := paramsOn(r.ReceivedOn)
		v := Petition{
			ID: r.ID, TrackingCode: r.TrackingCode, TownshipID: r.TownshipID, VillageID: r.VillageID, HouseholdID: r.HouseholdID,
			Channel: r.Channel, Category: r.Category, Subject: r.Subject, Text: r.Text, Anonymous: r.Anonymous,
			AboutOfficialIDs: []string{}, AttachmentIDs: []string{}, State: r.State, ReceivedOn: r.ReceivedOn,
			Deadlines: petition.DeadlinesOf(r.facts(), s.loc, p), SubmittedAt: r.SubmittedAt, AcceptedAt: r.AcceptedAt,
			RepliedAt: r.RepliedAt, ReviewRequestedAt: r.ReviewRequestedAt, ReviewedAt: r.ReviewedAt,
			RereviewRequestedAt: r.RereviewRequestedAt, RereviewedAt: r.RereviewedAt, FinishedAt: r.FinishedAt,
			ExtensionDays: r.ExtensionDays, HandlerID: r.HandlerID, Rating: r.Rating, ReceptionDayID: r.ReceptionDayID,
			PossibleDuplicate: r.PossibleDuplicate, DuplicateOf: r.DuplicateOf, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
		if step, late := petition.OverdueStep(r.facts(), now, s.loc, p); late {
			v.Overdue, v.OverdueStep = true, ptrTo(string(step))
		}
		if r.Lat != nil || r.Location != nil {
			v.Location = &PetitionLocation{Lat: r.Lat, Lng: r.Lng, Address: r.Location}
		}
		if r.DuplicateOf != nil && hidden[*r.DuplicateOf] {
			v.DuplicateOf = nil
		}
		// A villager reads only their own petitions (by account, or by code and PIN): in full,
		// but without the office's internal fields.
		petitioner := a.Role == domain.RoleVillager
		full := petitioner || seesIdentity(a, r)
		if petitioner {
			v.HandlerID, v.ReceptionDayID, v.DuplicateOf, v.PossibleDuplicate = nil, nil, nil, false
		}
		if !r.Anonymous {
			name, phone := deref(r.PetitionerName), deref(r.PetitionerPhone)
			if full {
				v.Petitioner = &Petitioner{Name: name, Phone: phone}
			} else {
				v.Petitioner = &Petitioner{Name: petition.MaskName(name), Phone: petition.MaskPhone(phone)}
				v.PetitionerMasked, v.HouseholdID = true, nil
			}
		}
		for _, x := range about {
			if x.PetitionID == r.ID && full {
				v.AboutOfficialIDs = append(v.AboutOfficialIDs, x.OfficialID)
			}
		}
		for _, x := range atts {
			if x.PetitionID == r.ID {
				v.AttachmentIDs = append(v.AttachmentIDs, x.AttachmentID)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
