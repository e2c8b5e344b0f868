// Package access decides who may see and do what (§1, §4, §6): for an actor and a kind of
// record, how far their view reaches — nothing, their own, their township's, the whole
// district — and, for petitions, who they are to it. It is the one place where roles and
// townships are compared; the store applies its scopes to every query, and the route table
// takes its policies. It does no I/O.
package access

import (
	"minxin/backend/internal/domain"
)

// Reach is how far an actor's view of a kind of record extends.
type Reach int

// Reaches, from none to all.
const (
	Nothing  Reach = iota // the actor sees none of these records
	Own                   // only the records the actor made or is the subject of
	Township              // the records of the actor's township
	All                   // the whole district
)

func (r Reach) String() string {
	return [...]string{"nothing", "own", "township", "all"}[r]
}

// Resource is a kind of record whose visibility is decided here.
type Resource int

// Resources.
const (
	// Organisation: townships, villages, households, users, leaves, the reception rota,
	// must-visit triggers, talk days and contact links — the township's shared records.
	Organisation Resource = iota
	// FieldRecords: overnight stays, stationing sessions and visits, each an official's own
	// evidence.
	FieldRecords
	// Progress: an official's progress against the rules (§3.7).
	Progress
	// Scorecards: a township's table of officials (§3.8).
	Scorecards
	// Petitions: petitions (信访件) and everything of them — events, attachments, notices.
	Petitions
	// PetitionFigures: counts of petitions, never the petitions themselves.
	PetitionFigures
	// Findings: audit findings on an official's records.
	Findings
	// Activity: the activity log (§6), read by admins and inspectors only; entries about a
	// petition that names the reader do not exist for them.
	Activity
)

// Resources lists every resource, for tables of decisions.
var Resources = []Resource{Organisation, FieldRecords, Progress, Scorecards, Petitions, PetitionFigures, Findings, Activity}

func (r Resource) String() string {
	return [...]string{"organisation", "field_records", "progress", "scorecards", "petitions", "petition_figures", "findings", "activity"}[r]
}

// Scope is what an actor may see of one resource.
type Scope struct {
	Reach      Reach
	TownshipID string // the township, when Reach is Township
	UserID     string // the actor: the owner when Reach is Own, and the official named in petitions
	// HideNamed: petitions that name UserID among the officials they are about do not exist
	// for the actor (不得将检举、揭发材料透露或者转给被检举、揭发的人员).
	HideNamed bool
}

// Of decides the scope of actor a over resource r.
func Of(a domain.Actor, r Resource) Scope {
	sc := Scope{UserID: a.UserID}
	district := Scope{Reach: All, UserID: a.UserID}
	township := Scope{Reach: Township, TownshipID: a.TownshipID, UserID: a.UserID}
	if a.DistrictWide() {
		township = district
	}
	official, lead := a.Role == domain.RoleOfficial, a.Role == domain.RoleOfficial && a.Lead
	overseer := a.Role == domain.RoleAdmin || a.Role == domain.RoleInspector
	switch r {
	case Organisation:
		if a.Role != domain.RoleVillager {
			sc = township
		}
	case FieldRecords, Progress:
		switch {
		case overseer:
			sc = district
		case lead:
			sc = township
		case official:
			sc.Reach = Own
		}
	case Scorecards:
		switch {
		case overseer:
			sc = district
		case lead:
			sc = township
		}
	case Petitions:
		switch a.Role {
		case domain.RoleVillager:
			sc.Reach = Own // their own petitions, by account
		case domain.RoleInspector:
			// inspectors read petition figures, not petitions
		default:
			sc = township
			sc.HideNamed = true
		}
	case PetitionFigures:
		switch {
		case a.Role == domain.RoleInspector:
			sc = district
		case a.Role == domain.RoleVillager:
		default:
			sc = township
		}
		sc.HideNamed = sc.Reach != Nothing
	case Findings:
		switch {
		case overseer:
			sc = district
		case official:
			sc.Reach = Own
		}
	case Activity:
		if overseer {
			sc = district
			sc.HideNamed = true
		}
	}
	return sc
}

// Covers reports whether a record of townshipID, owned by ownerID, is inside the scope.
func (s Scope) Covers(townshipID, ownerID string) bool {
	switch s.Reach {
	case All:
		return true
	case Township:
		return townshipID == s.TownshipID
	case Own:
		return ownerID == s.UserID
	}
	return false
}

// Verdict answers whether an actor may do something, and if not, why.
type Verdict int

// Verdicts.
const (
	Allowed    Verdict = iota
	NeedsLogin         // an account is needed
	Refused            // the actor's role may never do this
)
