package domain

// Role is what a user is in the programme (§1 of the specification).
type Role string

// Roles.
const (
	RoleAdmin           Role = "admin"            // district administrator
	RoleInspector       Role = "inspector"        // 区委组织部 organization-department inspector, district-wide
	RoleOfficial        Role = "official"         // township official (镇乡/街道 干部); may be a team member and/or the lead
	RolePetitionOfficer Role = "petition_officer" // 信访办 petition officer, of one township or of the district
	RoleVillager        Role = "villager"         // 村民 petitioner account
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAdmin, RoleInspector, RoleOfficial, RolePetitionOfficer, RoleVillager}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// TownshipBound reports whether users of this role must belong to one township.
func (r Role) TownshipBound() bool { return r == RoleOfficial }

// Actor is the authenticated user making a request, as carried by the access token.
type Actor struct {
	UserID     string
	Role       Role
	TownshipID string // empty for district-wide actors
	TeamMember bool   // 班子成员
	Lead       bool   // 主要领导 of the township
	// MustChangePassword: the password was reset by an admin; until the user changes it,
	// every route but changing it, logging out and reading oneself is refused.
	MustChangePassword bool
}

// DistrictWide reports whether the actor's scope is the whole district.
func (a Actor) DistrictWide() bool { return a.TownshipID == "" }

// InScope reports whether a record of townshipID is inside the actor's scope.
func (a Actor) InScope(townshipID string) bool {
	return a.DistrictWide() || a.TownshipID == townshipID
}
