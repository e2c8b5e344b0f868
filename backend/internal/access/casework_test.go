package access

import "testing"

// Casework (§7), for every kind of actor: who is the district petition office, who answers and
// who sees supervision instructions, and who reads a notice of a petition they may read, with
// an addressee and without (an anonymous report).
func TestCasework(t *testing.T) {
	mine, theirs := me, other
	onA := Parties{TownshipID: townA}
	handledByMe := Parties{TownshipID: townA, HandlerID: &mine}
	handledByOther := Parties{TownshipID: townA, HandlerID: &theirs}
	filedByMe := Parties{TownshipID: townA, PetitionerUserID: &mine}
	onB := Parties{TownshipID: townB}
	type want struct{ district, answers, sees, readsAddressed, readsAnonymous bool }
	cases := []struct {
		actor string
		p     Parties
		want  want
	}{
		{"admin", onA, want{true, false, true, true, true}},
		{"district petition", onB, want{true, false, true, true, true}},
		{"district petition", handledByMe, want{true, true, true, true, true}},
		{"petition officer", onA, want{false, true, true, true, true}},
		{"petition officer", onB, want{false, false, false, false, true}},
		{"official", onA, want{false, false, false, false, true}},
		{"official", handledByMe, want{false, true, true, true, true}},
		{"official", handledByOther, want{false, false, false, false, true}},
		{"lead", onA, want{false, false, false, false, true}},
		{"team member", handledByMe, want{false, true, true, true, true}},
		{"villager", filedByMe, want{false, false, false, true, true}},
		{"inspector", onA, want{false, false, false, false, true}},
	}
	for _, c := range cases {
		a := actors[c.actor]
		got := want{DistrictPetitionOffice(a), MayAnswerSupervision(a, c.p), SeesSupervision(a, c.p),
			ReadsNotice(a, c.p, true), ReadsNotice(a, c.p, false)}
		if got != c.want {
			t.Errorf("%s on %+v: %+v, want %+v", c.actor, c.p, got, c.want)
		}
	}
}
