package domain

import "github.com/google/uuid"

// NewID returns a new time-ordered id (UUIDv7), so that ordering by id follows creation.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s is a UUID in its canonical lowercase form.
func ValidID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.String() == s
}
