package access

import "minxin/backend/internal/domain"

// Policy decides from the actor alone whether an endpoint may be called at all; the route
// table gives each route one. What the actor then sees of the records is their Scope.
type Policy func(domain.Actor) bool

// Roles allows the listed roles.
func Roles(rs ...domain.Role) Policy {
	return func(a domain.Actor) bool {
		for _, r := range rs {
			if a.Role == r {
				return true
			}
		}
		return false
	}
}

// AnyOf allows whoever one of the policies allows.
func AnyOf(ps ...Policy) Policy {
	return func(a domain.Actor) bool {
		for _, p := range ps {
			if p(a) {
				return true
			}
		}
		return false
	}
}

// The policies of the route table.
var (
	Anyone    Policy = func(domain.Actor) bool { return true }
	Admin            = Roles(domain.RoleAdmin)
	Staff            = Roles(domain.RoleAdmin, domain.RoleInspector, domain.RoleOfficial, domain.RolePetitionOfficer)
	Overseer         = Roles(domain.RoleAdmin, domain.RoleInspector)
	Inspector        = Roles(domain.RoleInspector)
	Official         = Roles(domain.RoleOfficial)
	// Lead is the township's 主要领导.
	Lead Policy = func(a domain.Actor) bool { return a.Role == domain.RoleOfficial && a.Lead }
	// TeamMember is an official carrying the duties of §3 (班子成员).
	TeamMember Policy = func(a domain.Actor) bool { return a.Role == domain.RoleOfficial && a.TeamMember }
	// Managers record leave and contact links: admins and the township's lead.
	Managers = AnyOf(Admin, Lead)
	// Office is the petition office (信访办) and admins.
	Office = Roles(domain.RoleAdmin, domain.RolePetitionOfficer)
	// FieldReaders read field records and progress.
	FieldReaders = Roles(domain.RoleAdmin, domain.RoleInspector, domain.RoleOfficial)
	// HouseholdEditors add and change households.
	HouseholdEditors = Roles(domain.RoleAdmin, domain.RoleOfficial)
	// TriggerRecorders record must-visit situations.
	TriggerRecorders = Roles(domain.RoleOfficial, domain.RolePetitionOfficer)
	// ScorecardReaders read scorecards.
	ScorecardReaders = AnyOf(Overseer, Lead)
	// LeaveReaders read leave records.
	LeaveReaders = AnyOf(Managers, Inspector)
	// PetitionReaders read petitions (never inspectors: they read figures).
	PetitionReaders = Roles(domain.RoleAdmin, domain.RoleOfficial, domain.RolePetitionOfficer, domain.RoleVillager)
	// PetitionHandlers reply to petitions assigned to them.
	PetitionHandlers = Roles(domain.RoleAdmin, domain.RolePetitionOfficer, domain.RoleOfficial)
	// LogReaders read the activity log and its chain's verification: admins and inspectors.
	// What they read of it is the Activity scope: never who a petitioner is, never a
	// petition that names the reader.
	LogReaders = Overseer
	// DistrictOffice is the district petition office, which supervises (督办): admins and
	// petition officers without a township.
	DistrictOffice Policy = DistrictPetitionOffice
	// SupervisionAnswerers answer supervision instructions: the township's petition officers
	// and the handler (an official, or a petition officer), as the petition then decides.
	SupervisionAnswerers = Roles(domain.RolePetitionOfficer, domain.RoleOfficial)
	// FigureReaders read petition figures.
	FigureReaders = AnyOf(Roles(domain.RoleAdmin, domain.RoleInspector, domain.RolePetitionOfficer), Lead)
)

// PasswordChanged is false for an actor whose password an admin reset to a temporary one:
// until they change it, their token opens only the routes that change it, log out and read
// themselves (the route table's guard answers every other route 403
// password_change_required).
func PasswordChanged(a domain.Actor) bool { return !a.MustChangePassword }
