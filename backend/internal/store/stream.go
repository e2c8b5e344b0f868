package store

import (
	"fmt"
	"sync/atomic"
)

// streamCursors numbers the cursors Stream declares, so that two streams of one transaction
// never share a name.
var streamCursors atomic.Uint64

// Stream reads the rows of query in the transaction, in the query's order, without holding
// them: it calls row for every row, with the function that scans it, and after every batch of
// rows (and after the last) calls between, when the transaction is free for other statements
// — such as writing what the rows were turned into. On PostgreSQL the rows come from a cursor
// fetched batch rows at a time (the connection is busy while a result is read); on SQLite from
// the query itself, whose statement stays open beside the others. Memory is that of one batch
// of rows, whatever the size of the result.
func (tx *Tx) Stream(query string, args []any, batch int, row func(scan func(dest ...any) error) error, between func() error) error {
	if batch < 1 {
		return fmt.Errorf("store: stream batch %d is below 1", batch)
	}
	if !tx.Postgres() {
		return tx.streamRows(query, args, batch, row, between)
	}
	cursor := fmt.Sprintf("minxin_stream_%d", streamCursors.Add(1))
	if err := tx.Exec("DECLARE "+cursor+" NO SCROLL CURSOR FOR "+query, args...).Error; err != nil {
		return err
	}
	fetch := fmt.Sprintf("FETCH FORWARD %d FROM %s", batch, cursor)
	for {
		n, err := tx.fetch(fetch, row)
		if err != nil {
			return err
		}
		if err := between(); err != nil {
			return err
		}
		if n < batch {
			return tx.Exec("CLOSE " + cursor).Error
		}
	}
}

// fetch reads one batch of a cursor and reports how many rows it had.
func (tx *Tx) fetch(fetch string, row func(scan func(dest ...any) error) error) (int, error) {
	rows, err := tx.Raw(fetch).Rows()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		if err := row(rows.Scan); err != nil {
			return n, err
		}
	}
	return n, rows.Err()
}

func (tx *Tx) streamRows(query string, args []any, batch int, row func(scan func(dest ...any) error) error, between func() error) error {
	rows, err := tx.Raw(query, args...).Rows()
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
