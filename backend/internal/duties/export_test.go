package duties

// CheckVisitQR runs checkVisitQR, for the tests of package duties_test.
func (s *Service) CheckVisitQR(token *string, householdID string) (bool, error) {
	return s.checkVisitQR(token, householdID)
}
