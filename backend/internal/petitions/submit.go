package petitions

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/duties"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// PetitionerInput is who submits a petition.
type PetitionerInput struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Location is where the matter of a petition is.
type Location struct {
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
	Address *string  `json:"address"`
}

// Input is a new petition (the contract's petition fields).
type Input struct {
	Channel          string           `json:"channel"`
	TownshipID       string           `json:"township_id"`
	VillageID        *string          `json:"village_id"`
	HouseholdID      *string          `json:"household_id"`
	Category         string           `json:"category"`
	Subject          string           `json:"subject"`
	Text             string           `json:"text"`
	Anonymous        bool             `json:"anonymous"`
	Petitioner       *PetitionerInput `json:"petitioner"`
	AboutOfficialIDs []string         `json:"about_official_ids"`
	AttachmentIDs    []string         `json:"attachment_ids"`
	ReceivedOn       *civil.Date      `json:"received_on"`
	Location         *Location        `json:"location"`
}

// Submitted is the answer to a submission: the tracking code and the PIN, which is shown this
// once and kept only as a hash.
type Submitted struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	PIN          string `json:"pin"`
}

// mayRegister refuses a submission through a channel the submitter may not use
// (access.MayRegister).
func mayRegister(a *domain.Actor, channel string) error {
	var v domain.Invalid
	v.Check(slices.Contains(Channels, channel), "channel", "must be one of online, reception, letter, phone, talk_day")
	if err := v.Err(); err != nil {
		return err
	}
	switch access.MayRegister(a, channel) {
	case access.NeedsLogin:
		return domain.Errorf(domain.KindUnauthenticated, "unauthenticated", "log in to register a petition received through the %s channel", channel)
	case access.Refused:
		return domain.Errorf(domain.KindForbidden, "forbidden", "your role may not register petitions through the %s channel", channel)
	}
	return nil
}

// Submit registers a petition through one of the channels. a is nil for a villager
// without an account; addr is the client's address, for the rate limits of online submissions.
func (s *Service) Submit(ctx context.Context, a *domain.Actor, in Input, addr string) (Submitted, error) {
	if err := mayRegister(a, in.Channel); err != nil {
		return Submitted{}, err
	}
	if err := checkPetitionInput(&in, s.st.Today()); err != nil {
		return Submitted{}, err
	}
	var attempts []store.Attempt
	if in.Channel == access.ChannelOnline {
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
	pin, err := petition.NewPIN(s.rand)
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
		PinHash: pinHash, State: string(petition.Submitted), ReceivedOn: *in.ReceivedOn, VillageID: in.VillageID,
	}
	// Who files: the petitioner themselves (no account, or a villager's), or staff registering
	// what someone brought in. An anonymous report keeps nothing of whoever sent it.
	actorID := anonymousActor
	switch {
	case !in.Anonymous && a == nil:
		actorID = petitionerActor
	case !in.Anonymous:
		actorID = a.UserID
		if access.FilesAsPetitioner(a) {
			row.PetitionerUserID = &a.UserID
		}
	case !access.FilesAsPetitioner(a):
		actorID = a.UserID // staff registering an anonymous letter: the staff member is no petitioner
	}
	if !in.Anonymous {
		row.sealIdentity(s.st.Keys(), strings.TrimSpace(in.Petitioner.Name), in.Petitioner.Phone)
		row.HouseholdID = in.HouseholdID
	}
	if actorID != anonymousActor && actorID != petitionerActor {
		row.CreatedBy = &actorID
	}
	if in.Location != nil {
		row.Lat, row.Lng, row.Location = in.Location.Lat, in.Location.Lng, in.Location.Address
	}
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		row.SubmittedAt, row.CreatedAt, row.UpdatedAt = tx.Now, tx.Now, tx.Now
		st, err := tx.SettingsOn(row.ReceivedOn)
		if err != nil {
			return err
		}
		p := paramsFrom(st)
		if err := checkPetitionRefs(tx, a, &row, in, st); err != nil {
			return err
		}
		seq, err := nextTrackingSeq(tx, row.ReceivedOn)
		if err != nil {
			return err
		}
		row.TrackingCode = petition.TrackingCode(row.ReceivedOn, seq)
		if err := linkDuplicate(tx, &row, in.Petitioner, p); err != nil {
			return err
		}
		row.derive(tx.Loc(), p)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// A petition from a household obliges a must-visit (六必访: 信访诉求必访). A report about
		// officials records none: the trigger names the petition and goes to the household's
		// contact official, who may be the one it is about.
		if row.HouseholdID != nil && len(in.AboutOfficialIDs) == 0 {
			if err := duties.RecordPetitionTrigger(tx, actorID, *row.HouseholdID, row.ReceivedOn, row.ID); err != nil {
				return err
			}
		}
		for _, id := range uniqueIDs(in.AboutOfficialIDs) {
			if err := tx.Create(&petitionAbout{PetitionID: row.ID, OfficialID: id, TownshipID: row.TownshipID}).Error; err != nil {
				return err
			}
		}
		if err := tx.LinkAttachments(access.UploadsLinkedAs(a, in.Anonymous), "attachment_ids", in.AttachmentIDs, row.TownshipID); err != nil {
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
		ev := petitionEventRow{ID: domain.NewID(), PetitionID: row.ID, TownshipID: row.TownshipID, At: tx.Now,
			ActorID: actorID, ActorKind: kind, Action: "submit", ToState: row.State}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return tx.Log(store.Change{Actor: actorID, Action: "submit", Entity: "petition", EntityID: row.ID,
			TownshipID: &row.TownshipID, After: petitionLog{row, uniqueIDs(in.AboutOfficialIDs), uniqueIDs(in.AttachmentIDs)}})
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

// checkPetitionInput checks the fields that need no database and fills received_on.
func checkPetitionInput(in *Input, today civil.Date) error {
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
	case in.Channel == access.ChannelOnline:
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
// a villager may petition any township (access.RegistrationScope).
func checkPetitionRefs(tx *store.Tx, a *domain.Actor, row *petitionRow, in Input, st domain.Settings) error {
	if err := store.CheckTownship(tx.DB, access.RegistrationScope(a), row.TownshipID); err != nil {
		return err
	}
	if row.Channel == access.ChannelReception {
		if err := linkReceptionDay(tx, *a, row); err != nil {
			return err
		}
	}
	var v domain.Invalid
	v.Check(row.HouseholdID == nil || !access.FilesAsPetitioner(a), "household_id", "only the office links a petition to a household")
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
		var roles []domain.Role
		if err := tx.Model(&domain.User{}).Where("id IN ?", ids).Pluck("role", &roles).Error; err != nil {
			return err
		}
		named := 0
		for _, r := range roles {
			if access.MayBeNamed(r) {
				named++
			}
		}
		v.Check(named == len(ids), "about_official_ids", "must be ids of officials")
	}
	return v.Err()
}

// linkReceptionDay links a petition received at the reception (定点接访) to the township's
// reception day of its date. An official registers only as that day's receiver; the office
// may register on the receiver's behalf, and a date without a reception day links nothing.
func linkReceptionDay(tx *store.Tx, a domain.Actor, row *petitionRow) error {
	day, found, err := duties.ReceptionDayOn(tx.DB, row.TownshipID, row.ReceivedOn)
	if err != nil {
		return err
	}
	if access.MustBeReceiver(a) && (!found || day.OfficialID == nil || *day.OfficialID != a.UserID) {
		return domain.Errorf(domain.KindForbidden, "not_receiver",
			"only the day's receiver registers petitions received at the reception on %s", row.ReceivedOn)
	}
	if found {
		row.ReceptionDayID = &day.ID
	}
	return nil
}

// nextTrackingSeq returns the next sequence number of the tracking codes of day d.
func nextTrackingSeq(tx *store.Tx, d civil.Date) (int, error) {
	var seq int
	err := tx.Raw(`INSERT INTO petition_sequences (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = petition_sequences.last + 1 RETURNING last`, d).Scan(&seq).Error
	return seq, err
}

// linkDuplicate flags a petition that may repeat an earlier one of the same township (same
// phone and category within the window, similar text) and links it to the latest such one.
// A possible duplicate is never refused: the petition officer decides. The same phone is found
// by its keyed index, under any key of the ring (during a rotation a petition's index may be
// under the old key); an equal index is an equal phone.
func linkDuplicate(tx *store.Tx, row *petitionRow, who *PetitionerInput, p petition.Params) error {
	if row.PetitionerPhone == nil || who == nil {
		return nil
	}
	var earlier []petitionRow
	err := tx.Select("id, category, received_on, subject, text").
		Where("petitioner_phone_index IN ? AND category = ? AND township_id = ? AND received_on >= ? AND received_on <= ?",
			phoneIndexes(tx.Keys(), who.Phone), row.Category, row.TownshipID,
			row.ReceivedOn.AddDays(-p.DuplicateWindowDays), row.ReceivedOn.AddDays(p.DuplicateWindowDays)).
		Order("received_on DESC, id DESC").Limit(100).Find(&earlier).Error
	if err != nil {
		return err
	}
	this := petition.DuplicateCandidate{Phone: who.Phone, Category: row.Category, ReceivedOn: row.ReceivedOn, Subject: row.Subject, Text: row.Text}
	for _, e := range earlier {
		other := petition.DuplicateCandidate{Phone: who.Phone, Category: e.Category, ReceivedOn: e.ReceivedOn, Subject: e.Subject, Text: e.Text}
		if petition.PossibleDuplicate(this, other, p) {
			row.PossibleDuplicate, row.DuplicateOf = true, &e.ID
			return nil
		}
	}
	return nil
}

// submitAttempts records an online submission against the limits per address and, when the
// petitioner gives one, per phone.
func (s *Service) submitAttempts(ctx context.Context, in Input, addr string) ([]store.Attempt, error) {
	byAddress, err := s.st.Attempt(ctx, SubmitAddressLimit, addr)
	if err != nil {
		return nil, err
	}
	if in.Petitioner == nil || in.Anonymous {
		return []store.Attempt{byAddress}, nil
	}
	byPhone, err := s.st.Attempt(ctx, SubmitPhoneLimit, phoneRateKey(s.st.Keys(), in.Petitioner.Phone))
	if err != nil {
		return nil, errors.Join(err, byAddress.Forgive(ctx))
	}
	return []store.Attempt{byAddress, byPhone}, nil
}
