package civil

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Value stores a date as YYYY-MM-DD, which both PostgreSQL's DATE and SQLite read.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a DATE column as returned by PostgreSQL (time.Time) or SQLite (time or text).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = Of(v, time.UTC)
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	}
	return fmt.Errorf("civil: cannot scan %T into a date", src)
}
