package store

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"minxin/backend/internal/domain"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// sqliteTypes rewrites the PostgreSQL type names that SQLite would read with another meaning:
// the SQLite driver turns DATETIME columns into times, and UUIDs are kept as text.
var sqliteTypes = []struct{ from, to []byte }{
	{[]byte("TIMESTAMPTZ"), []byte("DATETIME")},
	{[]byte("UUID"), []byte("TEXT")},
	{[]byte("BYTEA"), []byte("BLOB")},
}

// postgresOnly matches a line that SQLite skips: a statement that only PostgreSQL has (a
// column's storage, say), marked at the end of its line.
var postgresOnly = regexp.MustCompile(`(?m)^.*-- PostgreSQL only\.?\n`)

// dialectFS serves the migration files, rewritten for SQLite when needed.
type dialectFS struct {
	fs.FS
	sqlite bool
}

func (d dialectFS) Open(name string) (fs.File, error) {
	f, err := d.FS.Open(name)
	if err != nil || !d.sqlite {
		return f, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		return d.FS.Open(name)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	b = postgresOnly.ReplaceAll(b, nil)
	for _, r := range sqliteTypes {
		b = bytes.ReplaceAll(b, r.from, r.to)
	}
	return &memFile{Reader: bytes.NewReader(b), info: info}, nil
}

type memFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (m *memFile) Stat() (fs.FileInfo, error) { return m.info, nil }
func (m *memFile) Close() error               { return nil }

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	dialect, opts := goose.DialectSQLite3, []goose.ProviderOption{goose.WithGoMigrations(goMigrations(s.dialect)...)}
	if s.dialect == "postgres" {
		dialect = goose.DialectPostgres
		// Several instances may start at once: one migrates, the others wait for it.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, s.sqlDB, dialectFS{FS: sub, sqlite: s.dialect == "sqlite"}, opts...)
}

// Migrate applies pending migrations and seeds the specification's default settings.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []string
	for _, r := range results {
		name := r.Source.Path
		if name == "" {
			name = goMigrationNames[r.Source.Version]
		}
		applied = append(applied, name)
	}
	return applied, s.seedSettings(ctx)
}

// CheckSchema fails when a migration is pending: the server refuses to run on an old schema.
func (s *Store) CheckSchema(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if pending {
		return fmt.Errorf("the database schema is not current: run `minxin migrate`")
	}
	return nil
}

// seedSettings stores the default of every known setting that has no value yet, in force
// since the start of time (year 1), so that every rule reads its numbers from the settings
// table whatever date it is asked about.
func (s *Store) seedSettings(ctx context.Context) error {
	since := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, def := range domain.SettingDefs {
		err := s.db.WithContext(ctx).Exec(
			`INSERT INTO settings (key, effective_from, value, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			def.Key, "0001-01-01", compactJSON(def.Default), since).Error
		if err != nil {
			return fmt.Errorf("seed setting %s: %w", def.Key, err)
		}
	}
	return nil
}
