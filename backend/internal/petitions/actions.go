package petitions

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"minxin/backend/internal/access"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
	"minxin/backend/internal/store"
)

// Credentials are the tracking code and PIN with which a petitioner without an account shows
// that they submitted a petition.
type Credentials struct {
	TrackingCode string
	PIN          string
}

// ActionInput is the body of a petition action (the contract's petition actions).
type ActionInput struct {
	Note      string
	Reason    string
	Guidance  string
	HandlerID string
	Days      int
	Text      string
	Rating    string
	Opinion   string
	// A transfer (转送): to a township of the district or to an outside body, with Reason.
	ToTownshipID string
	ToAgency     string
}

// Act takes one action on a petition as the logged-in actor. The petition must exist for the
// actor: one of another township or one the actor is named in answers not found. The rules
// (petition.Decide) then say whether the actor may take the action in the petition's state
// at this time; the change, its event and its activity-log entry commit together.
func (s *Service) Act(ctx context.Context, a domain.Actor, id string, action petition.Action, in ActionInput) (Petition, error) {
	var out Petition
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		row, err := loadVisible(tx, a, id, true)
		if err != nil {
			return err
		}
		kinds := access.PetitionRoles(a, row.parties())
		actorKind := "staff"
		if len(kinds) > 0 {
			actorKind = string(kinds[0])
		}
		if err := transition(tx, &row, a.UserID, actorKind, kinds, action, in); err != nil {
			return err
		}
		views, err := petitionViews(tx, a, []petitionRow{row})
		if err != nil {
			return err
		}
		out = views[0]
		return nil
	})
	return out, err
}

// ActWithPIN takes a petitioner's action on a petition known by its tracking code and PIN,
// checked once, and answers what tracking shows. A code and PIN of another petition answer
// not found.
func (s *Service) ActWithPIN(ctx context.Context, cred Credentials, addr, id string, action petition.Action, in ActionInput) (TrackedPetition, error) {
	found, err := s.checkPIN(ctx, cred, addr)
	if err != nil {
		return TrackedPetition{}, err
	}
	if found.ID != id {
		return TrackedPetition{}, domain.NotFound("petition")
	}
	var out TrackedPetition
	err = s.st.Tx(ctx, func(tx *store.Tx) error {
		var row petitionRow
		if err := tx.ForUpdate(tx.DB).First(&row, "id = ?", id).Error; err != nil {
			return store.NotFound(err, "petition")
		}
		kinds := []petition.ActorKind{petition.Petitioner}
		if err := transition(tx, &row, petitionerActor, string(petition.Petitioner), kinds, action, in); err != nil {
			return err
		}
		out, err = tracked(tx, row)
		return err
	})
	return out, err
}

// transition takes one action on a loaded petition, if the rules allow it to an actor of
// these kinds, and writes, in the transaction: the row, its event, the written notice the
// action issues (§7; notices.go), a transfer's move to its new township (transfer.go), and the
// activity-log entries. This is the one place a petition changes state by an action.
func transition(tx *store.Tx, row *petitionRow, actorID, actorKind string, kinds []petition.ActorKind, action petition.Action, in ActionInput) error {
	p, err := paramsOn(tx, row.ReceivedOn)
	if err != nil {
		return err
	}
	if action == petition.Transfer { // the outside bodies of the day of the transfer
		if p.Agencies, err = agenciesOn(tx); err != nil {
			return err
		}
	}
	rin := petition.Input{Note: in.Note, Reason: in.Reason, Guidance: in.Guidance, HandlerID: in.HandlerID,
		Days: in.Days, Text: in.Text, Rating: petition.Rating(in.Rating), Opinion: in.Opinion,
		ToTownshipID: strings.TrimSpace(in.ToTownshipID), ToAgency: strings.TrimSpace(in.ToAgency)}
	next, refusal := petition.Decide(action, rin, row.facts(), petition.As(kinds...), tx.Now, tx.Loc(), p)
	if refusal != nil {
		return refusalError(refusal)
	}
	var dest destination
	switch action {
	case petition.Assign:
		if err := checkHandler(tx, *row, in.HandlerID); err != nil {
			return err
		}
	case petition.Transfer:
		if dest, err = destinationOf(tx, rin); err != nil {
			return err
		}
	}
	before := *row
	ev := petitionEventRow{ID: domain.NewID(), PetitionID: row.ID, TownshipID: row.TownshipID, At: tx.Now,
		ActorID: actorID, ActorKind: actorKind, Action: string(action), FromState: &before.State, ToState: string(next)}
	apply(row, &ev, action, in, tx.Now)
	if action == petition.Transfer {
		dest.apply(row, &ev, tx.Today(), tx.Now)
	}
	row.State, row.UpdatedAt = string(next), tx.Now
	row.derive(tx.Loc(), p)
	if err := tx.Save(row).Error; err != nil {
		return err
	}
	if err := tx.Create(&ev).Error; err != nil {
		return err
	}
	issued, err := issueNotice(tx, *row, ev, dest.name, in, p)
	if err != nil {
		return err
	}
	var after any = *row
	if action == petition.Transfer && dest.townshipID != "" {
		moved, err := moveHistory(tx, row.ID, dest.townshipID)
		if err != nil {
			return err
		}
		after = transferLog{Petition: *row, AttachmentIDs: moved}
	}
	if err := tx.Log(store.Change{Actor: actorID, Action: string(action), Entity: "petition", EntityID: row.ID,
		TownshipID: &row.TownshipID, Before: before, After: after}); err != nil {
		return err
	}
	if issued != nil {
		return tx.Log(store.Change{Actor: actorID, Action: "issue", Entity: "notice", EntityID: issued.ID,
			TownshipID: &row.TownshipID, After: issued.logged()})
	}
	return nil
}

// apply writes the action's instant and fields into the row and its event.
func apply(row *petitionRow, ev *petitionEventRow, action petition.Action, in ActionInput, now time.Time) {
	t := &now
	switch action {
	case petition.Accept:
		row.AcceptedAt, ev.Note = t, strings.TrimSpace(in.Note)
	case petition.Reject:
		row.FinishedAt, ev.Reason, ev.Guidance = t, strings.TrimSpace(in.Reason), strings.TrimSpace(in.Guidance)
	case petition.Assign:
		row.HandlerID, ev.HandlerID = ptrTo(in.HandlerID), ptrTo(in.HandlerID)
	case petition.Extend:
		row.ExtensionDays, ev.Days, ev.Reason = in.Days, ptrTo(in.Days), strings.TrimSpace(in.Reason)
	case petition.Reply:
		row.RepliedAt, ev.Text = t, strings.TrimSpace(in.Text)
	case petition.Feedback:
		row.Rating, ev.Rating = ptrTo(in.Rating), ptrTo(in.Rating)
	case petition.RequestReview:
		row.ReviewRequestedAt, ev.Reason = t, strings.TrimSpace(in.Reason)
	case petition.Review:
		row.ReviewedAt, ev.Text = t, strings.TrimSpace(in.Opinion)
	case petition.RequestRereview:
		row.RereviewRequestedAt, ev.Reason = t, strings.TrimSpace(in.Reason)
	case petition.Rereview:
		row.RereviewedAt, row.FinishedAt, ev.Text = t, t, strings.TrimSpace(in.Opinion)
	case petition.Withdraw:
		row.FinishedAt, ev.Reason = t, strings.TrimSpace(in.Reason)
	case petition.Transfer:
		ev.Reason = strings.TrimSpace(in.Reason) // where it went: destination.apply
	}
}

// refusalError translates a refusal of the rules into the domain's error: a conflict (409)
// with the rules' code, or field errors (422).
func refusalError(r *petition.Refusal) error {
	if r.Kind == petition.Conflict {
		return domain.Conflict(r.Code, r.Format, r.Args...)
	}
	var v domain.Invalid
	for _, f := range r.Fields {
		v.Add(f.Field, f.Format, f.Args...)
	}
	return v.Err()
}

// checkHandler requires the handler to be someone who may handle a petition of its township
// (access.MayHandle) and who is not named in the petition.
func checkHandler(tx *store.Tx, row petitionRow, handlerID string) error {
	bad := domain.InvalidField("handler_id", "must be the id of an official of the petition's township")
	if !domain.ValidID(handlerID) {
		return bad
	}
	var u domain.User
	err := tx.First(&u, "id = ?", handlerID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return bad
	} else if err != nil {
		return err
	}
	if !access.MayHandle(u, row.TownshipID) {
		return bad
	}
	var named int64
	if err := tx.Model(&petitionAbout{}).Where("petition_id = ? AND official_id = ?", row.ID, handlerID).Count(&named).Error; err != nil {
		return err
	}
	if named > 0 {
		return domain.InvalidField("handler_id", "the petition is about this official, who may not handle it or learn of it")
	}
	return nil
}

// checkPIN finds the petition of a tracking code and checks its PIN. A wrong PIN, an unknown
// code and a string that is no tracking code at all answer the same not-found, take the same
// time (the PIN hash is compared against a dummy when there is no petition) and count alike
// against the limits per code and per address.
func (s *Service) checkPIN(ctx context.Context, cred Credentials, addr string) (petitionRow, error) {
	var v domain.Invalid
	v.Check(strings.TrimSpace(cred.TrackingCode) != "", "tracking_code", "is required")
	v.Check(cred.PIN != "", "pin", "is required")
	if err := v.Err(); err != nil {
		return petitionRow{}, err
	}
	key := strings.ToUpper(strings.TrimSpace(cred.TrackingCode))
	if len(key) > 40 {
		key = key[:40]
	}
	byCode, err := s.st.Attempt(ctx, PINCodeLimit, key)
	if err != nil {
		return petitionRow{}, err
	}
	byAddress, err := s.st.Attempt(ctx, PINAddressLimit, addr)
	if err != nil {
		return petitionRow{}, errors.Join(err, byCode.Forgive(ctx))
	}
	var row petitionRow
	if date, seq, err := petition.ParseTrackingCode(cred.TrackingCode); err == nil {
		err := s.st.Reader(ctx).First(&row, "tracking_code = ?", petition.TrackingCode(date, seq)).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return petitionRow{}, err
		}
	}
	if !auth.CheckPassword(cred.PIN, row.PinHash) {
		return petitionRow{}, domain.NotFound("petition")
	}
	// Only wrong PINs count: the right one takes its attempts back.
	return row, errors.Join(byCode.Forgive(ctx), byAddress.Forgive(ctx))
}

// TrackedEvent is a step of a petition as its petitioner sees it: never internal notes, who
// in the office took the step, or the handler.
type TrackedEvent struct {
	At        time.Time `json:"at"`
	Action    string    `json:"action"`
	FromState *string   `json:"from_state"`
	ToState   string    `json:"to_state"`
	Reason    string    `json:"reason,omitempty"`
	Guidance  string    `json:"guidance,omitempty"`
	Text      string    `json:"text,omitempty"`
	Days      *int      `json:"days,omitempty"`
	Rating    *string   `json:"rating,omitempty"`
}

// TrackedPetition is what the tracking code and PIN show: status, the deadlines that concern
// the petitioner, the replies and opinions, and what the petitioner may do now.
type TrackedPetition struct {
	ID            string             `json:"id"`
	TrackingCode  string             `json:"tracking_code"`
	Channel       string             `json:"channel"`
	Category      string             `json:"category"`
	Subject       string             `json:"subject"`
	Text          string             `json:"text"`
	State         string             `json:"state"`
	ReceivedOn    civil.Date         `json:"received_on"`
	Deadlines     petition.Deadlines `json:"deadlines"`
	Overdue       bool               `json:"overdue"`
	ExtensionDays int                `json:"extension_days"`
	Rating        *string            `json:"rating"`
	Events        []TrackedEvent     `json:"events"`
	Options       []string           `json:"options"`
	// Transfer is where the petition was transferred (转送), or null.
	Transfer *TrackedTransfer `json:"transfer"`
}

// Track shows a petition to whoever holds its tracking code and PIN.
func (s *Service) Track(ctx context.Context, cred Credentials, addr string) (TrackedPetition, error) {
	row, err := s.checkPIN(ctx, cred, addr)
	if err != nil {
		return TrackedPetition{}, err
	}
	return tracked(s.st.Reader(ctx), row)
}

// tracked renders a petition as tracking shows it.
func tracked(tx *store.Tx, row petitionRow) (TrackedPetition, error) {
	p, err := paramsOn(tx, row.ReceivedOn)
	if err != nil {
		return TrackedPetition{}, err
	}
	var events []petitionEventRow
	if err := tx.Where("petition_id = ?", row.ID).Order("at, id").Find(&events).Error; err != nil {
		return TrackedPetition{}, err
	}
	f := row.facts()
	out := TrackedPetition{ID: row.ID, TrackingCode: row.TrackingCode, Channel: row.Channel, Category: row.Category,
		Subject: row.Subject, Text: row.Text, State: row.State, ReceivedOn: row.ReceivedOn,
		Deadlines: petition.DeadlinesOf(f, tx.Loc(), p), Overdue: petition.Overdue(f, tx.Now, tx.Loc(), p),
		ExtensionDays: row.ExtensionDays, Rating: row.Rating, Events: make([]TrackedEvent, len(events)), Options: []string{}}
	for i, e := range events {
		out.Events[i] = TrackedEvent{At: e.At, Action: e.Action, FromState: e.FromState, ToState: e.ToState,
			Reason: e.Reason, Guidance: e.Guidance, Text: e.Text, Days: e.Days, Rating: e.Rating}
	}
	if out.Transfer, err = trackedTransfer(tx, row); err != nil {
		return TrackedPetition{}, err
	}
	// What the petitioner may do now, as the rules say, with a body that passes their checks.
	probe := petition.Input{Reason: "-", Rating: petition.Satisfied}
	for _, act := range []petition.Action{petition.Feedback, petition.RequestReview, petition.RequestRereview, petition.Withdraw} {
		if _, r := petition.Decide(act, probe, f, petition.As(petition.Petitioner), tx.Now, tx.Loc(), p); r == nil {
			out.Options = append(out.Options, string(act))
		}
	}
	return out, nil
}

// closedRow is what the close job reads back of each petition it closed.
type closedRow struct {
	ID         string
	TownshipID string
}

// CloseDue closes every replied petition whose review-request window and auto-close
// period have passed with no review requested, and returns how many it closed. It is one
// UPDATE guarded by the state, so that instances running it at once close each petition once:
// on PostgreSQL a second UPDATE waits for the first and then finds the petition closed; SQLite
// runs one writer at a time. Each closed petition gets one event and one activity-log entry in
// the same transaction.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	var closed []closedRow
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		now := tx.Now
		err := tx.Raw(`UPDATE petitions SET state = ?, finished_at = ?, closes_at = NULL, due_at = NULL, updated_at = ?
			WHERE state = ? AND closes_at <= ? RETURNING id, township_id`,
			petition.Closed, now, now, petition.Replied, now).Scan(&closed).Error
		if err != nil {
			return err
		}
		from := string(petition.Replied)
		for _, c := range closed {
			ev := petitionEventRow{ID: domain.NewID(), PetitionID: c.ID, TownshipID: c.TownshipID, At: now,
				ActorID: store.SystemActor, ActorKind: string(petition.System), Action: string(petition.Close),
				FromState: &from, ToState: string(petition.Closed)}
			if err := tx.Create(&ev).Error; err != nil {
				return err
			}
			if err := tx.Log(store.Change{Actor: store.SystemActor, Action: string(petition.Close), Entity: "petition", EntityID: c.ID,
				TownshipID: &c.TownshipID, Before: map[string]string{"state": from}, After: map[string]any{"state": petition.Closed, "finished_at": now}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(closed), nil
}

// CloseEvery runs CloseDue now and then every interval until ctx ends,
// reporting each run that closed something or failed.
func (s *Service) CloseEvery(ctx context.Context, every time.Duration, report func(closed int, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.CloseDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if n > 0 || err != nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
