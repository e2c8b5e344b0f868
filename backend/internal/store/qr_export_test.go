package store

// CheckVisitQR runs checkVisitQR, for the tests of the package's users (store_test).
func (s *Store) CheckVisitQR(token *string, householdID string) (bool, error) {
	return s.checkVisitQR(token, householdID)
}
