package access

import "minxin/backend/internal/domain"

// Casework (§7): who reads a petition's notices, who supervises (督办) and who answers.

// DistrictPetitionOffice reports whether the actor is the district petition office, which
// supervises petitions across townships: admins, and petition officers without a township.
func DistrictPetitionOffice(a domain.Actor) bool {
	return a.Role == domain.RoleAdmin || a.Role == domain.RolePetitionOfficer && a.DistrictWide()
}

// MayAnswerSupervision reports whether the actor answers the supervision instructions on a
// petition: the petition officers of its township, and its handler.
func MayAnswerSupervision(a domain.Actor, p Parties) bool {
	officer := a.Role == domain.RolePetitionOfficer && !a.DistrictWide() && a.TownshipID == p.TownshipID
	handler := p.HandlerID != nil && *p.HandlerID == a.UserID
	return officer || handler
}

// SeesSupervision reports whether the actor sees the supervision instructions on a petition
// they may read: the district petition office that issues them, the petition officers of its
// township and its handler, who answer them. Nobody else — no petitioner, no other official.
func SeesSupervision(a domain.Actor, p Parties) bool {
	return DistrictPetitionOffice(a) || MayAnswerSupervision(a, p)
}

// ReadsNotice reports whether an actor who may read a petition may read its notice. A notice
// names the petitioner in full (its addressee), so one with an addressee is for those who see
// the petitioner unmasked (SeesIdentity: the petitioner, the petition officers, the handler,
// admins); a notice of an anonymous report names nobody and is for every reader of the
// petition.
func ReadsNotice(a domain.Actor, p Parties, addressed bool) bool {
	return !addressed || SeesIdentity(a, p)
}
