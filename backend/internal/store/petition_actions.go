package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"minxin/backend/internal/auth"
	"minxin/backend/internal/civil"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
)

// PetitionCredentials are the tracking code and PIN with which a petitioner without an
// account shows that they submitted a petition.
type PetitionCredentials struct {
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
}

// ActOnPetition takes one action on a petition, as the logged-in actor (a non-nil) or as the
// petitioner known by code and PIN (cred non-nil). The petition must exist for the actor: one
// of another township, one the actor is named in, or one whose code and PIN do not match
// answers not found. The rules (petition.Decide) then say whether the actor may take the
// action in the petition's state at this time; the change, its event and its activity-log
// entry commit together.
func (s *Store) ActOnPetition(ctx context.Context, a *domain.Actor, cred *PetitionCredentials, addr, id string, action petition.Action, in ActionInput) (Petition, error) {
	return s.actOnPetition(ctx, a, cred, addr, id, action, in, s.now())
}

func (s *Store) actOnPetition(ctx context.Context, a *domain.Actor, cred *PetitionCredentials, addr, id string, action petition.Action, in ActionInput, now time.Time) (Petition, error) {
	now = now.UTC()
	if cred != nil {
		row, err := s.checkPIN(ctx, *cred, addr)
		if err != nil {
			return Petition{}, err
		}
		if row.ID != id {
			return Petition{}, domain.NotFound("petition")
		}
	} else if a == nil {
		return Petition{}, domain.Unauthenticated("unauthenticated", "log in, or send the petition's tracking_code and pin")
	}
	reader := domain.Actor{UserID: petitionerActor, Role: domain.RoleVillager}
	if a != nil && cred == nil {
		reader = *a
	}
	var out Petition
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var row petitionRow
		var err error
		if cred != nil {
			q := tx
			if s.dialect == "postgres" {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			err = notFound(q.First(&row, "id = ?", id).Error, "petition")
		} else {
			row, err = s.loadVisible(tx, *a, id, true)
		}
		if err != nil {
			return err
		}
		kinds, actorID, actorKind := petitionActorKinds(a, cred, row)
		p, err := s.paramsOn(tx, row.ReceivedOn)
		if err != nil {
			return err
		}
		rin := petition.Input{Note: in.Note, Reason: in.Reason, Guidance: in.Guidance, HandlerID: in.HandlerID,
			Days: in.Days, Text: in.Text, Rating: petition.Rating(in.Rating), Opinion: in.Opinion}
		next, refusal := petition.Decide(action, rin, row.facts(), petition.As(kinds...), now, s.loc, p)
		if refusal != nil {
			return refusalError(refusal)
		}
		if action == petition.Assign {
			if err := s.checkHandler(tx, row, in.HandlerID); err != nil {
				return err
			}
		}
		before := row
		ev := petitionEventRow{ID: domain.NewID(), PetitionID: row.ID, TownshipID: row.TownshipID, At: now,
			ActorID: actorID, ActorKind: actorKind, Action: string(action), FromState: &before.State, ToState: string(next)}
		apply(&row, &ev, action, in, now)
		row.State, row.UpdatedAt = string(next), now
		row.derive(s.loc, p)
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		if err := s.appendLog(tx, change{actor: actorID, action: string(action), entity: "petition", entityID: row.ID,
			townshipID: &row.TownshipID, before: before, after: row}); err != nil {
			return err
		}
		views, err := s.petitionViews(tx, reader, []petitionRow{row})
		if err != nil {
			return err
		}
		out = views[0]
		return nil
	})
	return out, err
}

// petitionActorKinds establishes the relations between whoever acts and the petition.
func petitionActorKinds(a *domain.Actor, cred *PetitionCredentials, row petitionRow) (kinds []petition.ActorKind, actorID, actorKind string) {
	if cred != nil {
		return []petition.ActorKind{petition.Petitioner}, petitionerActor, string(petition.Petitioner)
	}
	actorID = a.UserID
	switch a.Role {
	case domain.RoleAdmin:
		kinds = append(kinds, petition.Admin)
	case domain.RolePetitionOfficer:
		kinds = append(kinds, petition.PetitionOfficer)
	case domain.RoleVillager:
		if row.PetitionerUserID != nil && *row.PetitionerUserID == a.UserID {
			kinds = append(kinds, petition.Petitioner)
		}
	}
	if row.HandlerID != nil && *row.HandlerID == a.UserID {
		kinds = append(kinds, petition.Handler)
	}
	actorKind = "staff"
	if len(kinds) > 0 {
		actorKind = string(kinds[0])
	}
	return kinds, actorID, actorKind
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
	}
}

// refusalError translates a refusal of the rules into the domain's error: a conflict (409)
// with the rules' code, or field errors (422).
func refusalError(r *petition.Refusal) error {
	if r.Kind == petition.Conflict {
		return domain.Conflict(r.Code, "%s", r.Message)
	}
	var v domain.Invalid
	for _, f := range r.Fields {
		v.Add(f.Field, "%s", f.Message)
	}
	return v.Err()
}

// checkHandler requires the handler to be an official or petition officer of the petition's
// township (or a district petition officer) who is not named in the petition.
func (s *Store) checkHandler(tx *gorm.DB, row petitionRow, handlerID string) error {
	if !domain.ValidID(handlerID) {
		return domain.InvalidField("handler_id", "must be the id of an official of the petition's township")
	}
	var u domain.User
	err := tx.First(&u, "id = ?", handlerID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.InvalidField("handler_id", "must be the id of an official of the petition's township")
	} else if err != nil {
		return err
	}
	inTownship := u.TownshipID != nil && *u.TownshipID == row.TownshipID
	ok := u.Role == domain.RoleOfficial && inTownship || u.Role == domain.RolePetitionOfficer && (inTownship || u.TownshipID == nil)
	if !ok {
		return domain.InvalidField("handler_id", "must be the id of an official of the petition's township")
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

// checkPIN finds the petition of a tracking code and checks its PIN. A wrong PIN and an
// unknown code answer the same not-found, take the same time (the PIN hash is compared
// against a dummy when the code is unknown) and count alike against the limits per code and
// per address.
func (s *Store) checkPIN(ctx context.Context, cred PetitionCredentials, addr string) (petitionRow, error) {
	var v domain.Invalid
	v.Check(strings.TrimSpace(cred.TrackingCode) != "", "tracking_code", "is required")
	v.Check(cred.PIN != "", "pin", "is required")
	if err := v.Err(); err != nil {
		return petitionRow{}, err
	}
	code := strings.ToUpper(strings.TrimSpace(cred.TrackingCode))
	if len(code) > 40 {
		code = code[:40]
	}
	byCode, err := s.Attempt(ctx, PINCodeLimit, code)
	if err != nil {
		return petitionRow{}, err
	}
	byAddress, err := s.Attempt(ctx, PINAddressLimit, addr)
	if err != nil {
		return petitionRow{}, errors.Join(err, byCode.Forgive(ctx))
	}
	var row petitionRow
	err = s.conn(ctx).First(&row, "tracking_code = ?", code).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return petitionRow{}, err
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
}

// TrackPetition shows a petition to whoever holds its tracking code and PIN.
func (s *Store) TrackPetition(ctx context.Context, cred PetitionCredentials, addr string) (TrackedPetition, error) {
	row, err := s.checkPIN(ctx, cred, addr)
	if err != nil {
		return TrackedPetition{}, err
	}
	db := s.conn(ctx)
	p, err := s.paramsOn(db, row.ReceivedOn)
	if err != nil {
		return TrackedPetition{}, err
	}
	var events []petitionEventRow
	if err := db.Where("petition_id = ?", row.ID).Order("at, id").Find(&events).Error; err != nil {
		return TrackedPetition{}, err
	}
	now := s.now()
	f := row.facts()
	out := TrackedPetition{ID: row.ID, TrackingCode: row.TrackingCode, Channel: row.Channel, Category: row.Category,
		Subject: row.Subject, Text: row.Text, State: row.State, ReceivedOn: row.ReceivedOn,
		Deadlines: petition.DeadlinesOf(f, s.loc, p), Overdue: petition.Overdue(f, now, s.loc, p),
		ExtensionDays: row.ExtensionDays, Rating: row.Rating, Events: make([]TrackedEvent, len(events)), Options: []string{}}
	for i, e := range events {
		out.Events[i] = TrackedEvent{At: e.At, Action: e.Action, FromState: e.FromState, ToState: e.ToState,
			Reason: e.Reason, Guidance: e.Guidance, Text: e.Text, Days: e.Days, Rating: e.Rating}
	}
	// What the petitioner may do now, as the rules say, with a body that passes their checks.
	probe := petition.Input{Reason: "-", Rating: petition.Satisfied}
	for _, act := range []petition.Action{petition.Feedback, petition.RequestReview, petition.RequestRereview, petition.Withdraw} {
		if _, r := petition.Decide(act, probe, f, petition.As(petition.Petitioner), now, s.loc, p); r == nil {
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

// ClosePetitionsDue closes every replied petition whose review-request window and auto-close
// period have passed with no review requested, and returns how many it closed. It is one
// UPDATE guarded by the state, so that instances running it at once close each petition once:
// on PostgreSQL a second UPDATE waits for the first and then finds the petition closed; SQLite
// runs one writer at a time. Each closed petition gets one event and one activity-log entry in
// the same transaction.
func (s *Store) ClosePetitionsDue(ctx context.Context) (int, error) {
	return s.closePetitionsDue(ctx, s.now())
}

func (s *Store) closePetitionsDue(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	var closed []closedRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		err := tx.Raw(`UPDATE petitions SET state = ?, finished_at = ?, closes_at = NULL, due_at = NULL, updated_at = ?
			WHERE state = ? AND closes_at <= ? RETURNING id, township_id`,
			petition.Closed, now, now, petition.Replied, now).Scan(&closed).Error
		if err != nil {
			return err
		}
		from := string(petition.Replied)
		for _, c := range closed {
			ev := petitionEventRow{ID: domain.NewID(), PetitionID: c.ID, TownshipID: c.TownshipID, At: now,
				ActorID: SystemActor, ActorKind: string(petition.System), Action: string(petition.Close),
				FromState: &from, ToState: string(petition.Closed)}
			if err := tx.Create(&ev).Error; err != nil {
				return err
			}
			if err := s.appendLog(tx, change{actor: SystemActor, action: string(petition.Close), entity: "petition", entityID: c.ID,
				townshipID: &c.TownshipID, before: map[string]string{"state": from}, after: map[string]any{"state": petition.Closed, "finished_at": now}}); err != nil {
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

// ClosePetitionsEvery runs ClosePetitionsDue now and then every interval until ctx ends,
// reporting each run that closed something or failed.
func (s *Store) ClosePetitionsEvery(ctx context.Context, every time.Duration, report func(closed int, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.ClosePetitionsDue(ctx)
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
