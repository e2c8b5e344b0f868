package access

import (
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

// Parties are the people a petition's row names, as access decisions read them.
type Parties struct {
	TownshipID       string
	PetitionerUserID *string // the villager's account, when they filed with one
	HandlerID        *string
}

// SeesIdentity reports whether the actor may see who the petitioner is: the petitioner, the
// township's (or the district's) petition officers, the assigned handler and admins.
// Everyone else reads the petitioner masked (张** · 138****1234).
func SeesIdentity(a domain.Actor, p Parties) bool {
	switch {
	case a.Role == domain.RoleAdmin, a.Role == domain.RolePetitionOfficer && a.InScope(p.TownshipID):
		return true
	case p.PetitionerUserID != nil && *p.PetitionerUserID == a.UserID:
		return true
	case p.HandlerID != nil && *p.HandlerID == a.UserID:
		return true
	}
	return false
}

// ReadsPetitions reports whether the actor's role reads petitions at all: inspectors read
// petition figures, never petitions (their Petitions scope is Nothing, and they are told so).
func ReadsPetitions(a domain.Actor) bool { return a.Role != domain.RoleInspector }

// ReadsAsPetitioner reports whether the actor reads petitions as their petitioner: in full,
// but without the office's internal notes, handler or duplicate links.
func ReadsAsPetitioner(a domain.Actor) bool { return a.Role == domain.RoleVillager }

// PetitionRoles are the relations between a logged-in actor and a petition that the rules
// (petition.Decide) judge an action by. An actor with none acts as "staff".
func PetitionRoles(a domain.Actor, p Parties) []petition.ActorKind {
	var kinds []petition.ActorKind
	switch a.Role {
	case domain.RoleAdmin:
		kinds = append(kinds, petition.Admin)
	case domain.RolePetitionOfficer:
		kinds = append(kinds, petition.PetitionOfficer)
	case domain.RoleVillager:
		if p.PetitionerUserID != nil && *p.PetitionerUserID == a.UserID {
			kinds = append(kinds, petition.Petitioner)
		}
	}
	if p.HandlerID != nil && *p.HandlerID == a.UserID {
		kinds = append(kinds, petition.Handler)
	}
	return kinds
}

// MayRegister says who may register a petition through which channel: villagers, with or
// without an account (a nil actor), online; the township's officials at the reception (as
// the day's receiver, see MustBeReceiver); petition officers and admins through any office
// channel. Inspectors register nothing.
func MayRegister(a *domain.Actor, channel string) Verdict {
	if a == nil {
		if channel == ChannelOnline {
			return Allowed
		}
		return NeedsLogin
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
		return Refused
	}
	return Allowed
}

// MustBeReceiver reports whether the actor may register a reception petition only as the
// day's receiver; the office registers on the receiver's behalf.
func MustBeReceiver(a domain.Actor) bool { return a.Role == domain.RoleOfficial }

// FilesAsPetitioner reports whether a submitter is the petitioner themselves (no account, or
// a villager's account), rather than staff registering what someone brought in.
func FilesAsPetitioner(a *domain.Actor) bool { return a == nil || a.Role == domain.RoleVillager }

// RegistrationScope is where a submitter may file a petition: a petitioner anywhere in the
// district, staff in their own scope.
func RegistrationScope(a *domain.Actor) Scope {
	if FilesAsPetitioner(a) {
		return Scope{Reach: All}
	}
	return Of(*a, Organisation)
}

// UploadsLinkedAs is whose uploads a new petition may take: the submitter's, except that an
// anonymous report takes only uploads made without an account, so that no upload ties it to
// anyone (the zero Actor).
func UploadsLinkedAs(a *domain.Actor, anonymous bool) domain.Actor {
	if a == nil || anonymous && FilesAsPetitioner(a) {
		return domain.Actor{}
	}
	return *a
}

// MayHandle reports whether a user may be assigned a petition of townshipID: an official of
// that township, or a petition officer of it or of the district. (That the petition is not
// about them is checked against the petition.)
func MayHandle(u domain.User, townshipID string) bool {
	inTownship := u.TownshipID != nil && *u.TownshipID == townshipID
	return u.Role == domain.RoleOfficial && inTownship || u.Role == domain.RolePetitionOfficer && (inTownship || u.TownshipID == nil)
}

// MayBeNamed reports whether a user may be named among the officials a petition is about:
// anyone but a villager.
func MayBeNamed(role domain.Role) bool { return role != domain.RoleVillager }
