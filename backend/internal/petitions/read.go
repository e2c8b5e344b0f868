package petitions

import (
	"context"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// visible limits q to the petitions the actor may know exist (access.Petitions): a villager
// their own; an official or petition officer those of their township, and district-wide
// staff all — in every case except the petitions the actor is named in (about), which do not
// exist for them. Inspectors read figures, never petitions.
func visible(q *gorm.DB, a domain.Actor) (*gorm.DB, error) {
	if !access.ReadsPetitions(a) {
		return nil, domain.Errorf(domain.KindForbidden, "forbidden", "inspectors read petition figures, not petitions")
	}
	return store.Scoped(q, a, access.Petitions, store.PetitionColumns), nil
}

// loadVisible reads one petition the actor may know exists, locked for the rest of the
// transaction on PostgreSQL (SQLite transactions are serialized already).
func loadVisible(tx *store.Tx, a domain.Actor, id string, lock bool) (petitionRow, error) {
	var row petitionRow
	q, err := visible(tx.DB, a)
	if err != nil {
		return row, err
	}
	if lock {
		q = tx.ForUpdate(q)
	}
	err = q.First(&row, "petitions.id = ?", id).Error
	return row, store.NotFound(err, "petition")
}

// Petition returns one petition with its history, as the actor may read it.
func (s *Service) Petition(ctx context.Context, a domain.Actor, id string) (Petition, error) {
	var out Petition
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := loadVisible(tx, a, id, false)
		if err != nil {
			return err
		}
		views, err := petitionViews(tx, a, []petitionRow{row})
		if err != nil {
			return err
		}
		out = views[0]
		var events []petitionEventRow
		if err := tx.Where("petition_id = ?", id).Order("at, id").Find(&events).Error; err != nil {
			return err
		}
		out.Events = make([]Event, len(events))
		for i, e := range events {
			out.Events[i] = eventView(e, out.PetitionerMasked, access.ReadsAsPetitioner(a))
		}
		return nil
	})
	return out, err
}

// eventView renders an event for a reader: the petitioner's own actions carry no account id
// for those who see the petitioner masked, and a petitioner reads no internal note, no handler
// and no office member's id.
func eventView(e petitionEventRow, masked, petitioner bool) Event {
	v := Event{ID: e.ID, At: e.At, ActorID: &e.ActorID, ActorKind: e.ActorKind, Action: e.Action,
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

// Filter narrows a petition list.
type Filter struct {
	TownshipID string
	HandlerID  string
	State      string
	Overdue    *bool
}

// Petitions lists the petitions the actor may know exist, in the order they were received
// by the system. Overdue is answered from the stored due_at, which the rules derive on every
// transition.
func (s *Service) Petitions(ctx context.Context, a domain.Actor, f Filter, p store.PageRequest) (store.Page[Petition], error) {
	tx := s.st.Reader(ctx)
	q, err := petitionsQuery(tx, a, f)
	if err != nil {
		return store.Page[Petition]{}, err
	}
	rows, err := store.ListPage(q, "petitions", p, func(r petitionRow) string { return r.ID })
	if err != nil {
		return store.Page[Petition]{}, err
	}
	views, err := petitionViews(tx, a, rows.Items)
	return store.Page[Petition]{Items: views, NextCursor: rows.NextCursor}, err
}

// petitionsQuery selects the petitions of a list: those the actor may know exist, filtered.
func petitionsQuery(tx *store.Tx, a domain.Actor, f Filter) (*gorm.DB, error) {
	if f.State != "" && !petition.State(f.State).Valid() {
		return nil, domain.InvalidField("state", "is not a petition state")
	}
	q, err := visible(tx.DB, a)
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
		if *f.Overdue {
			q = q.Where("petitions.due_at <= ?", tx.Now)
		} else {
			q = q.Where("(petitions.due_at IS NULL OR petitions.due_at > ?)", tx.Now)
		}
	}
	return q, nil
}

// petitionViews renders rows for the actor, with their about and attachment lists, deadlines
// and overdue flag, masking the petitioner for those who may not see them.
func petitionViews(tx *store.Tx, a domain.Actor, rows []petitionRow) ([]Petition, error) {
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
	paramsOn, err := ParamsByDate(tx)
	if err != nil {
		return nil, err
	}
	supervisions, err := supervisionsOf(tx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		p := paramsOn(r.ReceivedOn)
		v := Petition{
			ID: r.ID, TrackingCode: r.TrackingCode, TownshipID: r.TownshipID, VillageID: r.VillageID, HouseholdID: r.HouseholdID,
			Channel: r.Channel, Category: r.Category, Subject: r.Subject, Text: r.Text, Anonymous: r.Anonymous,
			AboutOfficialIDs: []string{}, AttachmentIDs: []string{}, State: r.State, ReceivedOn: r.ReceivedOn,
			Deadlines: petition.DeadlinesOf(r.facts(), tx.Loc(), p), SubmittedAt: r.SubmittedAt, AcceptedAt: r.AcceptedAt,
			RepliedAt: r.RepliedAt, ReviewRequestedAt: r.ReviewRequestedAt, ReviewedAt: r.ReviewedAt,
			RereviewRequestedAt: r.RereviewRequestedAt, RereviewedAt: r.RereviewedAt, FinishedAt: r.FinishedAt,
			ExtensionDays: r.ExtensionDays, HandlerID: r.HandlerID, Rating: r.Rating, ReceptionDayID: r.ReceptionDayID,
			PossibleDuplicate: r.PossibleDuplicate, DuplicateOf: r.DuplicateOf, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			TransferredOn: r.TransferredOn, TransferredFrom: r.TransferredFrom, TransferAgency: r.TransferAgency,
			Supervisions: []Supervision{},
		}
		if access.SeesSupervision(a, r.parties()) && supervisions[r.ID] != nil {
			v.Supervisions = supervisions[r.ID]
		}
		if step, late := petition.OverdueStep(r.facts(), tx.Now, tx.Loc(), p); late {
			v.Overdue, v.OverdueStep = true, ptrTo(string(step))
		}
		if r.Lat != nil || r.Location != nil {
			v.Location = &Location{Lat: r.Lat, Lng: r.Lng, Address: r.Location}
		}
		if r.DuplicateOf != nil && hidden[*r.DuplicateOf] {
			v.DuplicateOf = nil
		}
		// A villager reads only their own petitions (by account, or by code and PIN): in full,
		// but without the office's internal fields.
		petitioner := access.ReadsAsPetitioner(a)
		full := petitioner || access.SeesIdentity(a, r.parties())
		if petitioner {
			v.HandlerID, v.ReceptionDayID, v.DuplicateOf, v.PossibleDuplicate = nil, nil, nil, false
		}
		if !r.Anonymous {
			name, phone, err := r.identity(tx.Keys())
			if err != nil {
				return nil, err
			}
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
