package access

import (
	"testing"

	"minxin/backend/internal/domain"
	"minxin/backend/internal/rules/petition"
)

const (
	townA = "00000000-0000-7000-8000-00000000000a"
	townB = "00000000-0000-7000-8000-00000000000b"
	me    = "00000000-0000-7000-8000-0000000000f1"
	other = "00000000-0000-7000-8000-0000000000f2"
)

// actors are one actor of every kind the district has.
var actors = map[string]domain.Actor{
	"admin":             {UserID: me, Role: domain.RoleAdmin},
	"inspector":         {UserID: me, Role: domain.RoleInspector},
	"official":          {UserID: me, Role: domain.RoleOfficial, TownshipID: townA},
	"team member":       {UserID: me, Role: domain.RoleOfficial, TownshipID: townA, TeamMember: true},
	"lead":              {UserID: me, Role: domain.RoleOfficial, TownshipID: townA, TeamMember: true, Lead: true},
	"petition officer":  {UserID: me, Role: domain.RolePetitionOfficer, TownshipID: townA},
	"district petition": {UserID: me, Role: domain.RolePetitionOfficer},
	"villager":          {UserID: me, Role: domain.RoleVillager},
}

// TestScopeOfEveryRoleAndResource states the whole decision: for each kind of actor and each
// resource, how far they see, and whether petitions naming them vanish.
func TestScopeOfEveryRoleAndResource(t *testing.T) {
	type want struct {
		reach     Reach
		hideNamed bool
	}
	all, town, own, none := want{All, false}, want{Township, false}, want{Own, false}, want{Nothing, false}
	allHidden, townHidden := want{All, true}, want{Township, true}
	table := map[string]map[Resource]want{
		// The activity log: admins and inspectors only, and even they never find there the
		// entries of a petition that names them; officials never read it, so no official
		// learns of a petition about them from it.
		"admin": {Organisation: all, FieldRecords: all, Progress: all, Scorecards: all,
			Petitions: allHidden, PetitionFigures: allHidden, Findings: all, Activity: allHidden},
		"inspector": {Organisation: all, FieldRecords: all, Progress: all, Scorecards: all,
			Petitions: none, PetitionFigures: allHidden, Findings: all, Activity: allHidden},
		"official": {Organisation: town, FieldRecords: own, Progress: own, Scorecards: none,
			Petitions: townHidden, PetitionFigures: townHidden, Findings: own, Activity: none},
		"team member": {Organisation: town, FieldRecords: own, Progress: own, Scorecards: none,
			Petitions: townHidden, PetitionFigures: townHidden, Findings: own, Activity: none},
		"lead": {Organisation: town, FieldRecords: town, Progress: town, Scorecards: town,
			Petitions: townHidden, PetitionFigures: townHidden, Findings: own, Activity: none},
		"petition officer": {Organisation: town, FieldRecords: none, Progress: none, Scorecards: none,
			Petitions: townHidden, PetitionFigures: townHidden, Findings: none, Activity: none},
		"district petition": {Organisation: all, FieldRecords: none, Progress: none, Scorecards: none,
			Petitions: allHidden, PetitionFigures: allHidden, Findings: none, Activity: none},
		"villager": {Organisation: none, FieldRecords: none, Progress: none, Scorecards: none,
			Petitions: own, PetitionFigures: none, Findings: none, Activity: none},
	}
	for name, a := range actors {
		for _, r := range Resources {
			w, ok := table[name][r]
			if !ok {
				t.Fatalf("the table states nothing for %s × %s", name, r)
			}
			sc := Of(a, r)
			if sc.Reach != w.reach || sc.HideNamed != w.hideNamed {
				t.Errorf("%s × %s = %s (hide named %v), want %s (hide named %v)", name, r, sc.Reach, sc.HideNamed, w.reach, w.hideNamed)
			}
			if sc.Reach == Township && sc.TownshipID != a.TownshipID {
				t.Errorf("%s × %s: township %q, want the actor's %q", name, r, sc.TownshipID, a.TownshipID)
			}
			if sc.UserID != a.UserID {
				t.Errorf("%s × %s: user %q, want the actor", name, r, sc.UserID)
			}
		}
	}
}

func TestReadsPetitions(t *testing.T) {
	for name, a := range actors {
		if got, want := ReadsPetitions(a), name != "inspector"; got != want {
			t.Errorf("%s reads petitions: %v, want %v", name, got, want)
		}
	}
}

func TestScopeCovers(t *testing.T) {
	cases := []struct {
		scope           Scope
		township, owner string
		want            bool
	}{
		{Scope{Reach: All}, townB, other, true},
		{Scope{Reach: Township, TownshipID: townA}, townA, other, true},
		{Scope{Reach: Township, TownshipID: townA}, townB, me, false},
		{Scope{Reach: Own, UserID: me}, townB, me, true},
		{Scope{Reach: Own, UserID: me}, townA, other, false},
		{Scope{Reach: Nothing, UserID: me}, townA, me, false},
	}
	for _, c := range cases {
		if got := c.scope.Covers(c.township, c.owner); got != c.want {
			t.Errorf("%+v covers (%s, %s) = %v, want %v", c.scope, c.township, c.owner, got, c.want)
		}
	}
}

func TestSeesIdentity(t *testing.T) {
	mine, theirs := me, other
	cases := []struct {
		actor string
		p     Parties
		want  bool
	}{
		{"admin", Parties{TownshipID: townB}, true},
		{"petition officer", Parties{TownshipID: townA}, true},
		{"petition officer", Parties{TownshipID: townB}, false},
		{"district petition", Parties{TownshipID: townB}, true},
		{"official", Parties{TownshipID: townA}, false},
		{"official", Parties{TownshipID: townA, HandlerID: &mine}, true},
		{"official", Parties{TownshipID: townA, HandlerID: &theirs}, false},
		{"lead", Parties{TownshipID: townA}, false},
		{"villager", Parties{TownshipID: townA, PetitionerUserID: &mine}, true},
		{"villager", Parties{TownshipID: townA, PetitionerUserID: &theirs}, false},
		{"inspector", Parties{TownshipID: townA}, false},
	}
	for _, c := range cases {
		if got := SeesIdentity(actors[c.actor], c.p); got != c.want {
			t.Errorf("%s sees the petitioner of %+v: %v, want %v", c.actor, c.p, got, c.want)
		}
	}
}

func TestPetitionRoles(t *testing.T) {
	mine := me
	cases := []struct {
		actor string
		p     Parties
		want  []petition.ActorKind
	}{
		{"admin", Parties{}, []petition.ActorKind{petition.Admin}},
		{"petition officer", Parties{HandlerID: &mine}, []petition.ActorKind{petition.PetitionOfficer, petition.Handler}},
		{"official", Parties{HandlerID: &mine}, []petition.ActorKind{petition.Handler}},
		{"official", Parties{}, nil},
		{"villager", Parties{PetitionerUserID: &mine}, []petition.ActorKind{petition.Petitioner}},
		{"villager", Parties{}, nil},
	}
	for _, c := range cases {
		got := PetitionRoles(actors[c.actor], c.p)
		if len(got) != len(c.want) {
			t.Errorf("%s: roles %v, want %v", c.actor, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: roles %v, want %v", c.actor, got, c.want)
			}
		}
	}
}

func TestMayRegister(t *testing.T) {
	channels := []string{ChannelOnline, ChannelReception, ChannelLetter, ChannelPhone, ChannelTalkDay}
	table := map[string][5]Verdict{ // by channel, in the order above
		"":                 {Allowed, NeedsLogin, NeedsLogin, NeedsLogin, NeedsLogin},
		"villager":         {Allowed, Refused, Refused, Refused, Refused},
		"official":         {Refused, Allowed, Refused, Refused, Refused},
		"lead":             {Refused, Allowed, Refused, Refused, Refused},
		"petition officer": {Refused, Allowed, Allowed, Allowed, Allowed},
		"admin":            {Refused, Allowed, Allowed, Allowed, Allowed},
		"inspector":        {Refused, Refused, Refused, Refused, Refused},
	}
	for name, want := range table {
		var a *domain.Actor
		if name != "" {
			x := actors[name]
			a = &x
		}
		for i, ch := range channels {
			if got := MayRegister(a, ch); got != want[i] {
				t.Errorf("%q through %s: %v, want %v", name, ch, got, want[i])
			}
		}
	}
}

func TestUploadsLinkedAs(t *testing.T) {
	villager, officer := actors["villager"], actors["petition officer"]
	if got := UploadsLinkedAs(nil, false); got != (domain.Actor{}) {
		t.Errorf("no account: %+v", got)
	}
	if got := UploadsLinkedAs(&villager, true); got != (domain.Actor{}) {
		t.Errorf("a villager's anonymous report takes their uploads: %+v", got)
	}
	if got := UploadsLinkedAs(&villager, false); got != villager {
		t.Errorf("a villager's own petition: %+v", got)
	}
	if got := UploadsLinkedAs(&officer, true); got != officer {
		t.Errorf("the office registering an anonymous letter links its own scans: %+v", got)
	}
}

func TestMayHandle(t *testing.T) {
	a, b := townA, townB
	cases := []struct {
		u    domain.User
		want bool
	}{
		{domain.User{Role: domain.RoleOfficial, TownshipID: &a}, true},
		{domain.User{Role: domain.RoleOfficial, TownshipID: &b}, false},
		{domain.User{Role: domain.RolePetitionOfficer, TownshipID: &a}, true},
		{domain.User{Role: domain.RolePetitionOfficer}, true},
		{domain.User{Role: domain.RolePetitionOfficer, TownshipID: &b}, false},
		{domain.User{Role: domain.RoleAdmin}, false},
		{domain.User{Role: domain.RoleInspector}, false},
		{domain.User{Role: domain.RoleVillager}, false},
	}
	for _, c := range cases {
		if got := MayHandle(c.u, townA); got != c.want {
			t.Errorf("%s of %v handles a petition of A: %v, want %v", c.u.Role, c.u.TownshipID, got, c.want)
		}
	}
}

func TestDownload(t *testing.T) {
	mine, theirs, a, b := me, other, townA, townB
	cases := []struct {
		actor string
		x     Upload
		want  DownloadAnswer
	}{
		{"official", Upload{UploadedBy: &mine, TownshipID: &b}, DownloadAllowed},
		{"admin", Upload{UploadedBy: &theirs, OfPetition: true}, DownloadAllowed},
		{"inspector", Upload{UploadedBy: &theirs, TownshipID: &a, OfPetition: true}, DownloadRefused},
		{"official", Upload{UploadedBy: &theirs, TownshipID: &a, OfPetition: true}, DownloadIfPetitionVisible},
		{"villager", Upload{OfPetition: true}, DownloadIfPetitionVisible},
		{"official", Upload{UploadedBy: &theirs, TownshipID: &a}, DownloadAllowed},
		{"official", Upload{UploadedBy: &theirs, TownshipID: &b}, DownloadRefused},
		{"petition officer", Upload{UploadedBy: &theirs, TownshipID: &a}, DownloadAllowed},
		{"inspector", Upload{UploadedBy: &theirs, TownshipID: &b}, DownloadAllowed},
		{"official", Upload{UploadedBy: &theirs}, DownloadRefused},
		{"villager", Upload{UploadedBy: &theirs, TownshipID: &a}, DownloadRefused},
	}
	for _, c := range cases {
		if got := Download(actors[c.actor], c.x); got != c.want {
			t.Errorf("%s downloads %+v: %v, want %v", c.actor, c.x, got, c.want)
		}
	}
}

func TestMayLink(t *testing.T) {
	mine, theirs := me, other
	anon := domain.Actor{}
	cases := []struct {
		a    domain.Actor
		x    Upload
		want bool
	}{
		{actors["official"], Upload{UploadedBy: &mine}, true},
		{actors["official"], Upload{UploadedBy: &mine, Linked: true}, true},
		{actors["official"], Upload{UploadedBy: &theirs}, false},
		{actors["official"], Upload{}, false},
		{anon, Upload{}, true},
		{anon, Upload{Linked: true}, false},
		{anon, Upload{UploadedBy: &mine}, false},
	}
	for _, c := range cases {
		if got := MayLink(c.a, c.x); got != c.want {
			t.Errorf("%+v links %+v: %v, want %v", c.a, c.x, got, c.want)
		}
	}
}

func TestPolicies(t *testing.T) {
	cases := []struct {
		name   string
		policy Policy
		allows []string
	}{
		{"Admin", Admin, []string{"admin"}},
		{"Staff", Staff, []string{"admin", "inspector", "official", "team member", "lead", "petition officer", "district petition"}},
		{"TeamMember", TeamMember, []string{"team member", "lead"}},
		{"Lead", Lead, []string{"lead"}},
		{"Managers", Managers, []string{"admin", "lead"}},
		{"Office", Office, []string{"admin", "petition officer", "district petition"}},
		{"ScorecardReaders", ScorecardReaders, []string{"admin", "inspector", "lead"}},
		{"PetitionReaders", PetitionReaders, []string{"admin", "official", "team member", "lead", "petition officer", "district petition", "villager"}},
		{"FigureReaders", FigureReaders, []string{"admin", "inspector", "lead", "petition officer", "district petition"}},
		{"LeaveReaders", LeaveReaders, []string{"admin", "inspector", "lead"}},
		// The activity log and its verification: never an official, a petition officer or a
		// villager.
		{"LogReaders", LogReaders, []string{"admin", "inspector"}},
		// Accounts: anyone logged in changes their own password (Anyone); only admins reset
		// another's (Admin); the petition office re-issues a petitioner's PIN (Office).
		{"Anyone", Anyone, []string{"admin", "inspector", "official", "team member", "lead", "petition officer", "district petition", "villager"}},
		{"DistrictOffice", DistrictOffice, []string{"admin", "district petition"}},
		{"SupervisionAnswerers", SupervisionAnswerers, []string{"official", "team member", "lead", "petition officer", "district petition"}},
	}
	for _, c := range cases {
		allowed := map[string]bool{}
		for _, n := range c.allows {
			allowed[n] = true
		}
		for name, a := range actors {
			if got := c.policy(a); got != allowed[name] {
				t.Errorf("%s allows %s: %v, want %v", c.name, name, got, allowed[name])
			}
		}
	}
}

func TestPasswordChanged(t *testing.T) {
	for name, a := range actors {
		if !PasswordChanged(a) {
			t.Errorf("%s without a reset must change their password", name)
		}
		a.MustChangePassword = true
		if PasswordChanged(a) {
			t.Errorf("%s after a reset may act before changing the password", name)
		}
	}
}
