package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Writes in one round trip (issue 12, part 4). A check-in writes its record, its evidence and
// its pending log entry; through gorm in a transaction that is BEGIN, the config token, the
// inserts and COMMIT, each a round trip. On PostgreSQL the hot paths send those writes instead
// as one Statement of data-modifying CTEs, outside gorm and outside any transaction (one
// statement is atomic by itself), after an Optimistic Tx has prepared them from the config
// cache. The Statement writes only while the config token is still the one the cache was read
// under, and each of its steps only when the step before it wrote; so when its first insert
// conflicts (a re-sent record) it writes nothing, and the caller answers through its gorm
// transaction as before. Apart from the tests' RawExec, this is the only place the store
// writes around gorm.

var (
	// errNotCached answers an optimistic Tx that asks the cache for something after the cache
	// moved to another config token.
	errNotCached = errors.New("store: the config cache moved to another token")
	// errNeedsTx answers a write asked of an optimistic Tx other than through a Statement.
	errNeedsTx = errors.New("store: this write needs a transaction")
)

// Optimistic returns a Tx to prepare a Statement with, and false where a Statement cannot be
// sent: on SQLite, inside a request's transaction (an Idempotency-Key claim), or while the
// config cache is empty. The Tx is no transaction: it reads through the pool as of now, and
// reads settings and geofences through the cache under the token the cache holds at this
// moment, without reading the token itself (what it loads is kept under that token, which is
// harmless: the Statement writes nothing unless the database still has that token, and a
// transaction reads the token first). When the cache moves to another token meanwhile, its
// reads fail. It writes only through Statement.
func (s *Store) Optimistic(ctx context.Context) (*Tx, bool) {
	if s.dialect != "postgres" {
		return nil, false
	}
	if _, inRequest := ctx.Value(requestTx{}).(*gorm.DB); inRequest {
		return nil, false
	}
	s.cache.mu.Lock()
	token := s.cache.token
	s.cache.mu.Unlock()
	if token == "" {
		return nil, false
	}
	return &Tx{DB: s.db.WithContext(ctx), Now: s.now(), st: s, token: &token, optimistic: true}, true
}

// Optimistic reports whether tx is from Store.Optimistic.
func (tx *Tx) Optimistic() bool { return tx.optimistic }

// ConfigCurrent is the first step of every Statement: it yields a row while the database's
// config token is the one the Tx read the cache under.
const ConfigCurrent = "config_current"

// Statement is one SQL statement of data-modifying CTEs, built step by step and sent in one
// round trip. Each step writes only when the step it follows yielded a row.
type Statement struct {
	tx      *Tx
	ctes    []string
	steps   []string
	asserts []string
	args    []any
}

// NewStatement starts a statement on an optimistic Tx (from Store.Optimistic).
func (tx *Tx) NewStatement() *Statement {
	if !tx.optimistic {
		panic("store: NewStatement on a Tx that is not optimistic")
	}
	st := &Statement{tx: tx}
	st.ctes = append(st.ctes, ConfigCurrent+" AS (SELECT 1 FROM config_token WHERE id = 1 AND token = "+st.arg(*tx.token)+")")
	st.steps = append(st.steps, ConfigCurrent)
	return st
}

func (st *Statement) arg(v any) string {
	st.args = append(st.args, v)
	return "$" + strconv.Itoa(len(st.args))
}

// model is what a Statement needs of a gorm model: its table and the fields gorm's Create
// writes, with their column names joined.
type model struct {
	table   string
	fields  []*schema.Field
	columns string
}

// models caches model by Go type: a check-in's statement is built on every request.
var models sync.Map // reflect.Type → *model

func (st *Statement) model(row any) (*model, error) {
	t := reflect.TypeOf(row)
	if m, ok := models.Load(t); ok {
		return m.(*model), nil
	}
	s := &gorm.Statement{DB: st.tx.DB}
	if err := s.Parse(row); err != nil {
		return nil, err
	}
	m := &model{table: s.Schema.Table}
	var cols []string
	for _, f := range s.Schema.Fields {
		if f.DBName != "" && f.Creatable {
			m.fields, cols = append(m.fields, f), append(cols, f.DBName)
		}
	}
	m.columns = strings.Join(cols, ", ")
	models.Store(t, m)
	return m, nil
}

// Insert adds step name: the insert of row (a pointer to a gorm model, its columns and
// values as gorm's Create writes them, serializers and valuers included) when step after has
// yielded a row. Rows must carry every value themselves: no hooks run, and no time is filled
// in. With onConflictDoNothing a row whose key exists already is not written, and the step
// yields nothing.
func (st *Statement) Insert(name, after string, row any, onConflictDoNothing bool) error {
	m, err := st.model(row)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + m.table + " (" + m.columns + ") SELECT ")
	rv := reflect.ValueOf(row)
	for i, f := range m.fields {
		v, _ := f.ValueOf(st.tx.DB.Statement.Context, rv)
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(st.arg(v))
	}
	b.WriteString(" FROM " + after)
	if onConflictDoNothing {
		b.WriteString(" ON CONFLICT DO NOTHING")
	}
	b.WriteString(" RETURNING 1")
	st.add(name, b.String())
	return nil
}

// Update adds step name: the update of the columns set of the table of row's model, on the
// rows where holds (a condition with ? for each of args), when step after has yielded a row;
// it yields a row for each row it changed.
func (st *Statement) Update(name, after string, row any, set map[string]any, where string, args ...any) error {
	m, err := st.model(row)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same text every time, for the server's prepared statements
	assign := make([]string, len(keys))
	for i, k := range keys {
		assign[i] = k + " = " + st.arg(set[k])
	}
	var cond strings.Builder
	parts := strings.Split(where, "?")
	if len(parts)-1 != len(args) {
		return fmt.Errorf("store: update condition %q takes %d arguments, not %d", where, len(parts)-1, len(args))
	}
	for i, part := range parts {
		cond.WriteString(part)
		if i < len(args) {
			cond.WriteString(st.arg(args[i]))
		}
	}
	st.add(name, fmt.Sprintf("UPDATE %s SET %s WHERE (%s) AND EXISTS (SELECT 1 FROM %s) RETURNING 1",
		m.table, strings.Join(assign, ", "), cond.String(), after))
	return nil
}

// Log adds the pending log entry of c (see Tx.Log), written when step after has yielded a
// row.
func (st *Statement) Log(after string, c Change) error {
	return st.Insert("log_"+after, after, st.tx.pending(c), false)
}

// OnlyWith makes the statement fail, writing nothing, if step did yield a row while step with
// did not: for a step that must not stand alone, such as closing a trigger for a visit that
// was not stored.
func (st *Statement) OnlyWith(step, with string) {
	st.asserts = append(st.asserts, fmt.Sprintf(
		"(CASE WHEN EXISTS (SELECT 1 FROM %s) AND NOT EXISTS (SELECT 1 FROM %s) THEN '%s' ELSE '0' END)::int",
		step, with, abortMark+step+"_without_"+with))
}

// abortMark begins the text that OnlyWith makes the server fail to read as a number.
const abortMark = "minxin_abort:"

func (st *Statement) add(name, sql string) {
	st.ctes = append(st.ctes, name+" AS ("+sql+")")
	st.steps = append(st.steps, name)
}

// SQL is the statement's text.
func (st *Statement) SQL() string {
	cols := make([]string, 0, len(st.steps)+len(st.asserts))
	for _, s := range st.steps {
		cols = append(cols, "EXISTS (SELECT 1 FROM "+s+")")
	}
	cols = append(cols, st.asserts...)
	return "WITH " + strings.Join(st.ctes, ",\n") + "\nSELECT " + strings.Join(cols, ", ")
}

// Wrote is what a Statement's steps did: whether each yielded a row.
type Wrote map[string]bool

// Run sends the statement in one round trip and answers, step by step, whether each yielded a
// row. A statement that OnlyWith failed answers an error for which Aborted is true; it wrote
// nothing.
func (st *Statement) Run() (Wrote, error) {
	dest := make([]any, len(st.steps)+len(st.asserts))
	flags := make([]bool, len(st.steps))
	var ignored int
	for i := range dest {
		if i < len(flags) {
			dest[i] = &flags[i]
		} else {
			dest[i] = &ignored
		}
	}
	if err := st.tx.st.sqlDB.QueryRowContext(st.tx.DB.Statement.Context, st.SQL(), st.args...).Scan(dest...); err != nil {
		return nil, err
	}
	out := make(Wrote, len(st.steps))
	for i, s := range st.steps {
		out[s] = flags[i]
	}
	return out, nil
}

// Aborted reports whether err is a Statement failed by its OnlyWith condition.
func Aborted(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "22P02" && strings.Contains(pg.Message, abortMark)
}
