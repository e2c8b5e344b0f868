package store

import (
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Stream reads the rows of query as the transaction sees the database, in the query's order,
// without holding them: it calls row for every row, with the function that scans it, and after
// every batch of rows (and after the last) calls between. Memory is that of the rows being
// read, whatever the size of the result.
//
// On PostgreSQL the rows are read on a connection of their own, in a read-only transaction that
// imports tx's snapshot (pg_export_snapshot): the same committed data tx sees, without tx's own
// uncommitted changes, streamed as the server produces them. So tx is free for other statements
// throughout the stream, from any goroutine. On SQLite, with its one connection, the query's
// statement stays open in tx beside the others: tx may be used from row and between.
func (tx *Tx) Stream(query string, args []any, batch int, row func(scan func(dest ...any) error) error, between func() error) error {
	if batch < 1 {
		return fmt.Errorf("store: stream batch %d is below 1", batch)
	}
	if !tx.Postgres() {
		return streamRows(tx.DB, query, args, batch, row, between)
	}
	var snapshot string
	if err := tx.Raw(`SELECT pg_export_snapshot()`).Scan(&snapshot).Error; err != nil {
		return err
	}
	// The pool, not the request's transaction that tx may be part of.
	return tx.st.db.WithContext(tx.Statement.Context).Transaction(func(apart *gorm.DB) error {
		if err := apart.Exec(`SET TRANSACTION SNAPSHOT '` + strings.ReplaceAll(snapshot, "'", "''") + `'`).Error; err != nil {
			return err
		}
		return streamRows(apart, query, args, batch, row, between)
	}, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

func streamRows(db *gorm.DB, query string, args []any, batch int, row func(scan func(dest ...any) error) error, between func() error) error {
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		if err := row(rows.Scan); err != nil {
			return err
		}
		if n%batch == 0 {
			if err := between(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return between()
}
