package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"
)

// The migrations written in Go, for what one SQL file cannot say on both engines. Each is
// registered with the goose provider beside the SQL files and numbered among them.

// goMigrations are the Go migrations for the dialect ("postgres" or "sqlite").
func goMigrations(dialect string) []*goose.Migration {
	sqlite := dialect == "sqlite"
	return []*goose.Migration{
		goose.NewGoMigration(13,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return petitionTransferUp(ctx, tx, sqlite) }},
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return petitionTransferDown(ctx, tx, sqlite) }}),
	}
}

// goMigrationNames name the Go migrations in what Migrate reports, as the SQL files are named.
var goMigrationNames = map[int64]string{13: "00013_petition_transfer (Go)"}

// The states of a petition as migration 00003 wrote them, and with transferred (转送 to an
// outside body, rules/petition.Transferred) as migration 00013 widens them.
const (
	petitionStatesBefore = `'rereview_requested', 'rereviewed', 'withdrawn'))`
	petitionStatesAfter  = `'rereview_requested', 'rereviewed', 'withdrawn', 'transferred'))`
	petitionStateList    = `'submitted', 'accepted', 'not_accepted', 'assigned', 'replied', 'closed', 'review_requested', 'reviewed', 'rereview_requested', 'rereviewed', 'withdrawn'`
)

// petitionTransferColumns are the columns of a transfer (转送): the date, the township of the
// district the petition came from (its history moved with it), or the outside body it went to.
var petitionTransferColumns = []string{
	"ADD COLUMN transferred_on DATE",
	"ADD COLUMN transferred_from UUID REFERENCES townships (id)",
	"ADD COLUMN transfer_agency TEXT",
}

// petitionTransferUp (00013) adds the transfer columns and widens the CHECK on a petition's
// state by `transferred`.
//
// PostgreSQL drops the constraint and adds the wider one. SQLite cannot alter a CHECK; since
// every row satisfies the wider constraint, the change touches no stored row, and SQLite's
// documented procedure for such changes applies (https://www.sqlite.org/lang_altertable.html,
// "making other kinds of table schema changes", the simpler procedure): with writable_schema
// on, the table's CREATE statement in sqlite_schema is rewritten in the same transaction, the
// schema version is incremented so that every connection reads the schema again, and
// integrity_check must pass before the transaction commits. The columns are added before the
// rewrite, by ALTER TABLE, which edits the same statement.
func petitionTransferUp(ctx context.Context, tx *sql.Tx, sqlite bool) error {
	for _, col := range petitionTransferColumns {
		stmt := "ALTER TABLE petitions " + col
		if sqlite {
			stmt = strings.ReplaceAll(stmt, "UUID", "TEXT")
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "CREATE INDEX petitions_transferred_from ON petitions (transferred_from) WHERE transferred_from IS NOT NULL"); err != nil {
		return err
	}
	if sqlite {
		return rewriteSQLiteTable(ctx, tx, "petitions", petitionStatesBefore, petitionStatesAfter)
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE petitions DROP CONSTRAINT petitions_state_check,
		ADD CONSTRAINT petitions_state_check CHECK (state IN (`+petitionStateList+`, 'transferred'))`)
	return err
}

// petitionTransferDown undoes 00013; it fails while a petition is transferred.
func petitionTransferDown(ctx context.Context, tx *sql.Tx, sqlite bool) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM petitions WHERE state = 'transferred'").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d petitions are transferred: the state cannot be narrowed", n)
	}
	if sqlite {
		if err := rewriteSQLiteTable(ctx, tx, "petitions", petitionStatesAfter, petitionStatesBefore); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `ALTER TABLE petitions DROP CONSTRAINT petitions_state_check,
		ADD CONSTRAINT petitions_state_check CHECK (state IN (`+petitionStateList+`))`); err != nil {
		return err
	}
	for _, stmt := range []string{"DROP INDEX petitions_transferred_from", "ALTER TABLE petitions DROP COLUMN transfer_agency",
		"ALTER TABLE petitions DROP COLUMN transferred_from", "ALTER TABLE petitions DROP COLUMN transferred_on"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// rewriteSQLiteTable replaces, once, the text from by to in the CREATE TABLE statement of
// table, for a change of constraints that every stored row already satisfies. It refuses when
// from does not occur exactly once, and checks the database's integrity afterwards.
func rewriteSQLiteTable(ctx context.Context, tx *sql.Tx, table, from, to string) error {
	var create string
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&create); err != nil {
		return fmt.Errorf("read the schema of %s: %w", table, err)
	}
	if n := strings.Count(create, from); n != 1 {
		return fmt.Errorf("the schema of %s holds %q %d times, not once", table, from, n)
	}
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	steps := []struct {
		stmt string
		args []any
	}{
		{"PRAGMA writable_schema = ON", nil},
		{"UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", []any{strings.Replace(create, from, to, 1), table}},
		{fmt.Sprintf("PRAGMA schema_version = %d", version+1), nil},
		{"PRAGMA writable_schema = OFF", nil},
	}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, s.stmt, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.stmt, err)
		}
	}
	var result string
	if err := tx.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil {
		return err
	}
	if result != "ok" {
		return fmt.Errorf("integrity check after rewriting %s: %s", table, result)
	}
	return nil
}
