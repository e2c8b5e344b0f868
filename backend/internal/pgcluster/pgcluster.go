// Package pgcluster makes PostgreSQL clusters of their own for tests and the failover proof:
// created with Debian's pg_createcluster on ports of their own (never the shared 5432),
// started, stopped (immediate mode, as in a crash), promoted and dropped; a primary with a
// synchronous standby streaming from it, made with pg_basebackup; an old primary rebuilt as
// the standby of the new one. Only tests use it.
//
// Clusters are named minxin_<port>; a port is reserved with a lock file under the temporary
// directory for as long as its cluster lives, so that two test processes never share one, and
// a cluster of that name left by a test that was killed is dropped before the port is used
// again. Connections are trusted on 127.0.0.1, as on the shared test server.
package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Cluster is one PostgreSQL cluster made by pg_createcluster.
type Cluster struct {
	Version string
	Name    string
	Port    int
	DataDir string // /var/lib/postgresql/<version>/<name>
	ConfDir string // /etc/postgresql/<version>/<name>
	lock    *os.File
}

// Settings are the server settings every cluster of this package gets (conf.d/minxin.conf):
// streaming replication, a hot standby that tells the primary what it reads (so that long
// reports are not cancelled by vacuum's replay), hint bits in the WAL (pg_rewind), and small
// memory: they share the machine with the tests.
var Settings = map[string]string{
	"listen_addresses":     "'127.0.0.1'",
	"wal_level":            "replica",
	"max_wal_senders":      "10",
	"wal_keep_size":        "'256MB'",
	"hot_standby":          "on",
	"hot_standby_feedback": "on",
	"wal_log_hints":        "on",
	"synchronous_commit":   "on",
	"shared_buffers":       "'32MB'",
	"max_connections":      "100",
	"log_min_messages":     "warning",
}

// Available reports why clusters cannot be made here (nil when they can): the commands of
// postgresql-common and a PostgreSQL server must be installed, and we must be root or the
// postgres user.
func Available() error {
	for _, cmd := range []string{"pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_lsclusters", "pg_basebackup"} {
		if _, err := exec.LookPath(cmd); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install postgresql postgresql-common)", cmd)
		}
	}
	if _, err := ServerVersion(); err != nil {
		return err
	}
	if os.Geteuid() != 0 && os.Getenv("USER") != "postgres" {
		return errors.New("pg_createcluster needs root or the postgres user")
	}
	return nil
}

// ServerVersion is the newest PostgreSQL server installed (under /usr/lib/postgresql).
func ServerVersion() (string, error) {
	entries, err := os.ReadDir("/usr/lib/postgresql")
	if err != nil {
		return "", fmt.Errorf("no PostgreSQL server installed: %v", err)
	}
	var versions []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			if _, err := os.Stat(filepath.Join("/usr/lib/postgresql", e.Name(), "bin", "postgres")); err == nil {
				versions = append(versions, n)
			}
		}
	}
	if len(versions) == 0 {
		return "", errors.New("no PostgreSQL server under /usr/lib/postgresql")
	}
	sort.Ints(versions)
	return strconv.Itoa(versions[len(versions)-1]), nil
}

// Reserve takes the first port from first to last that no other process of this package
// holds, no other cluster is configured on and nothing listens on; the port stays reserved
// until the cluster made on it is dropped (or the process ends).
func Reserve(first, last int) (int, *os.File, error) {
	used, err := clusterPorts()
	if err != nil {
		return 0, nil, err
	}
	for port := first; port <= last; port++ {
		if owner, ok := used[port]; ok && owner != name(port) {
			continue
		}
		f, err := os.OpenFile(filepath.Join(os.TempDir(), fmt.Sprintf("minxin-pgcluster-%d.lock", port)), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return 0, nil, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			continue
		}
		if _, ours := used[port]; !ours && listening(port) {
			f.Close()
			continue
		}
		return port, f, nil
	}
	return 0, nil, fmt.Errorf("no free port for a PostgreSQL cluster from %d to %d", first, last)
}

func name(port int) string { return "minxin_" + strconv.Itoa(port) }

func listening(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// clusterPorts are the ports of the clusters pg_lsclusters knows, with their names.
func clusterPorts() (map[int]string, error) {
	out, err := exec.Command("pg_lsclusters", "-h").Output()
	if err != nil {
		return nil, fmt.Errorf("pg_lsclusters: %v", err)
	}
	ports := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		if p, err := strconv.Atoi(f[2]); err == nil {
			ports[p] = f[1]
		}
	}
	return ports, nil
}

// Create makes a cluster on a port taken with Reserve (the lock passes to the cluster) and
// starts it: a primary, until Standby makes one of it.
func Create(port int, lock *os.File) (*Cluster, error) {
	version, err := ServerVersion()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Version: version, Name: name(port), Port: port, lock: lock,
		DataDir: filepath.Join("/var/lib/postgresql", version, name(port)),
		ConfDir: filepath.Join("/etc/postgresql", version, name(port))}
	// One left by a test that was killed.
	exec.Command("pg_dropcluster", "--stop", version, c.Name).Run()
	os.RemoveAll(c.DataDir)
	os.RemoveAll(c.ConfDir)
	if out, err := exec.Command("pg_createcluster", "--port", strconv.Itoa(port), "--start-conf", "manual",
		"--locale", "C.UTF-8", version, c.Name, "--", "--auth=trust").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_createcluster %s: %v\n%s", c.Name, err, out)
	}
	if err := c.configure(); err != nil {
		c.Drop()
		return nil, err
	}
	if err := c.Start(); err != nil {
		c.Drop()
		return nil, err
	}
	return c, nil
}

// configure writes the cluster's authentication (trust on 127.0.0.1 and the socket, for
// clients and for replication) and Settings.
func (c *Cluster) configure() error {
	hba := "local all all trust\nhost all all 127.0.0.1/32 trust\nlocal replication all trust\nhost replication all 127.0.0.1/32 trust\n"
	if err := c.writeConf("pg_hba.conf", hba); err != nil {
		return err
	}
	keys := make([]string, 0, len(Settings))
	for k := range Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, Settings[k])
	}
	return c.writeConf("conf.d/minxin.conf", b.String())
}

// writeConf writes a file of the cluster's configuration directory, owned by postgres.
func (c *Cluster) writeConf(rel, content string) error {
	path := filepath.Join(c.ConfDir, rel)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return err
	}
	return chownPostgres(path)
}

// URL is a connection URL to database db of the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Host is the cluster's host:port, for a URL that names several.
func (c *Cluster) Host() string { return "127.0.0.1:" + strconv.Itoa(c.Port) }

func (c *Cluster) ctl(args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"--skip-systemctl-redirect", c.Version, c.Name}, args...)
	out, err := exec.CommandContext(ctx, "pg_ctlcluster", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctlcluster %s: %v\n%s%s", strings.Join(args, " "), err, out, c.logTail())
	}
	return nil
}

// logTail is the end of the server's log, for an error.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join("/var/log/postgresql", fmt.Sprintf("postgresql-%s-%s.log", c.Version, c.Name)))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() error {
	if err := c.ctl("start"); err != nil {
		return err
	}
	return c.waitReady(time.Minute)
}

// Stop stops the cluster: mode "fast" (clients are disconnected, everything is flushed) or
// "immediate" (every process is killed at once: a crash, recovered from the WAL at the next
// start).
func (c *Cluster) Stop(mode string) error { return c.ctl("stop", "-m", mode) }

// Promote ends the standby's recovery: it becomes a primary that takes writes. It returns
// once the cluster accepts them.
func (c *Cluster) Promote() error {
	if err := c.ctl("promote"); err != nil {
		return err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		standby, err := c.InRecovery()
		if err == nil && !standby {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s still in recovery a minute after promote: %v", c.Name, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Drop stops and removes the cluster, its data and configuration, and frees its port.
func (c *Cluster) Drop() error {
	out, err := exec.Command("pg_dropcluster", "--stop", c.Version, c.Name).CombinedOutput()
	// pg_dropcluster leaves the configuration directory when it holds files of ours (conf.d).
	os.RemoveAll(c.ConfDir)
	os.Remove(filepath.Join("/var/log/postgresql", fmt.Sprintf("postgresql-%s-%s.log", c.Version, c.Name)))
	if c.lock != nil {
		c.lock.Close()
		c.lock = nil
	}
	if err != nil {
		return fmt.Errorf("pg_dropcluster %s: %v\n%s", c.Name, err, out)
	}
	return nil
}

func (c *Cluster) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := c.Exec(context.Background(), "SELECT 1")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not answer: %v\n%s", c.Name, err, c.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// open connects to the cluster's postgres database.
func (c *Cluster) open() (*sql.DB, error) {
	db, err := sql.Open("pgx", c.URL("postgres")+"&connect_timeout=5")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Exec runs statements on the cluster's postgres database.
func (c *Cluster) Exec(ctx context.Context, query string, args ...any) error {
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, query, args...)
	return err
}

// QueryRow scans the one row of a query on the cluster's postgres database into dest.
func (c *Cluster) QueryRow(ctx context.Context, query string, dest ...any) error {
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, query).Scan(dest...)
}

// InRecovery reports whether the cluster is a standby.
func (c *Cluster) InRecovery() (bool, error) {
	var standby bool
	err := c.QueryRow(context.Background(), "SELECT pg_is_in_recovery()", &standby)
	return standby, err
}

// Standby makes a new cluster on a port taken with Reserve into a hot standby of c:
// pg_basebackup of c's data, streaming from c under the new cluster's name as its
// application_name (what synchronous_standby_names names). It returns once it streams.
func (c *Cluster) Standby(port int, lock *os.File) (*Cluster, error) {
	s, err := Create(port, lock)
	if err != nil {
		return nil, err
	}
	if err := s.FollowAfresh(c); err != nil {
		s.Drop()
		return nil, err
	}
	return s, nil
}

// FollowAfresh makes c a hot standby of primary from a new base backup: c is stopped, its
// data replaced with primary's, and started streaming from primary. This is how an old
// primary is rebuilt after a failover (pg_rewind would copy less; a base backup needs nothing
// of the old data). It returns once c streams from primary.
func (c *Cluster) FollowAfresh(primary *Cluster) error {
	if err := c.Stop("fast"); err != nil {
		if _, statErr := os.Stat(filepath.Join(c.DataDir, "postmaster.pid")); statErr == nil {
			return err
		}
	}
	// Its own synchronous standby, if it was a primary that had one, would hold every commit
	// once it is promoted again with no standby of its own: that is set on a primary only,
	// when its standby streams (SetSynchronousStandby).
	os.Remove(filepath.Join(c.ConfDir, "conf.d", "synchronous.conf"))
	// Emptied, not removed: its parent may belong to root, and pg_basebackup fills an empty
	// directory of the postgres user.
	entries, err := os.ReadDir(c.DataDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(c.DataDir, e.Name())); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", "postgres", "-D", c.DataDir,
		"--checkpoint=fast", "--wal-method=stream", "--no-password"}
	if out, err := asPostgres(ctx, "pg_basebackup", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_basebackup from %s: %v\n%s", primary.Name, err, out)
	}
	if err := os.WriteFile(filepath.Join(c.DataDir, "standby.signal"), nil, 0o600); err != nil {
		return err
	}
	if err := chownPostgres(filepath.Join(c.DataDir, "standby.signal")); err != nil {
		return err
	}
	conninfo := fmt.Sprintf("primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=%s'\n", primary.Port, c.Name)
	if err := c.writeConf("conf.d/standby.conf", conninfo); err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return err
	}
	return primary.waitStandby(c.Name, "", time.Minute)
}

// SetSynchronousStandby makes c's commits wait until standby has them on disk too
// (synchronous_standby_names; "" for none), and returns once that is so.
func (c *Cluster) SetSynchronousStandby(standby string) error {
	path := filepath.Join(c.ConfDir, "conf.d", "synchronous.conf")
	if standby == "" {
		os.Remove(path)
	} else if err := c.writeConf("conf.d/synchronous.conf", fmt.Sprintf("synchronous_standby_names = '%s'\n", standby)); err != nil {
		return err
	}
	if err := c.Exec(context.Background(), "SELECT pg_reload_conf()"); err != nil {
		return err
	}
	if standby == "" {
		return nil
	}
	return c.waitStandby(standby, "sync", time.Minute)
}

// waitStandby waits until the standby of that application_name streams from c (and, with a
// sync state, is in it).
func (c *Cluster) waitStandby(name, syncState string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var state, sync string
		err := c.QueryRow(context.Background(), fmt.Sprintf(
			"SELECT state, sync_state FROM pg_stat_replication WHERE application_name = '%s'", name), &state, &sync)
		if err == nil && state == "streaming" && (syncState == "" || sync == syncState) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("standby %s of %s: state %q, sync %q (%v)", name, c.Name, state, sync, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// asPostgres runs a command as the postgres user when we are root.
func asPostgres(ctx context.Context, cmd string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", cmd}, args...)...)
	}
	return exec.CommandContext(ctx, cmd, args...)
}

func chownPostgres(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	out, err := exec.Command("chown", "postgres:postgres", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("chown %s: %v %s", path, err, bytes.TrimSpace(out))
	}
	return nil
}
