//go:build proof

// Package proof holds the measurements and fault tests that run real `minxin serve` processes
// on PostgreSQL: write throughput against pgbench, the soak that SIGKILLs servers and restarts
// PostgreSQL, and two instances behind nginx. They build only with -tags proof (make bench,
// make soak; make test runs a short soak and the two-instance checks).
package proof

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
)

var (
	replicas = flag.Int("replicas", 1, "minxin serve instances; 2 or more put nginx in front, round-robin")
	duration = flag.Duration("duration", 20*time.Second, "how long the load or the soak sends new requests")
	clients  = flag.Int("clients", 16, "concurrent clients")
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds `minxin` once per test process.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "minxin-proof-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "minxin")
		out, err := exec.Command("go", "build", "-o", binPath, "minxin/backend/cmd/minxin").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// instance is one `minxin serve` process; it keeps its address across restarts.
type instance struct {
	t       testing.TB
	name    string
	addr    string
	env     []string
	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
}

func newInstance(t testing.TB, name string, env *apitest.Env, extra ...string) *instance {
	dir := t.TempDir()
	i := &instance{t: t, name: name, addr: freeAddr(t), logPath: filepath.Join(dir, "serve.log")}
	i.env = append(os.Environ(), "MINXIN_ADDR="+i.addr, "MINXIN_DATABASE_URL="+env.DatabaseURL,
		"MINXIN_DATA_DIR="+filepath.Join(dir, "data"), "MINXIN_JWT_SECRET="+string(env.Secret),
		"MINXIN_DATA_KEY_FILE="+env.KeyFile, "MINXIN_VAPID_PRIVATE_KEY="+env.VAPID.PrivateKey)
	i.env = append(i.env, extra...)
	t.Cleanup(i.stop)
	return i
}

func (i *instance) url() string { return "http://" + i.addr }

// start runs the process and waits until it answers /readyz.
func (i *instance) start() {
	i.t.Helper()
	if err := i.tryStart(); err != nil {
		i.t.Fatal(err)
	}
}

// tryStart is start for goroutines other than the test's.
func (i *instance) tryStart() error {
	if err := i.launch(); err != nil {
		return err
	}
	return i.waitReady()
}

// launch starts the process without waiting for it.
func (i *instance) launch() error {
	log, err := os.OpenFile(i.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(binary(i.t), "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = i.env, log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(exited) }()
	i.mu.Lock()
	i.cmd, i.exited = cmd, exited
	i.mu.Unlock()
	return nil
}

// waitReady waits until the process answers /readyz.
func (i *instance) waitReady() error {
	i.mu.Lock()
	exited := i.exited
	i.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			out, _ := os.ReadFile(i.logPath)
			return fmt.Errorf("%s exited while starting:\n%s", i.name, tail(out))
		default:
		}
		if r, err := http.Get(i.url() + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after 60 s", i.name)
}

// kill ends the process with SIGKILL: nothing of it runs after this returns.
func (i *instance) kill() { i.signal(syscall.SIGKILL) }

// stop ends the process with SIGTERM (a graceful shutdown).
func (i *instance) stop() { i.signal(syscall.SIGTERM) }

func (i *instance) signal(sig syscall.Signal) {
	i.mu.Lock()
	cmd, exited := i.cmd, i.exited
	i.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

func tail(b []byte) string {
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// cluster is what clients talk to: one instance, or several behind nginx.
type cluster struct {
	URL       string
	Instances []*instance
}

// startCluster starts n instances on env's database; with n > 1, nginx balances them
// round-robin and is what the cluster's URL points at.
func startCluster(t testing.TB, env *apitest.Env, n int, extra ...string) *cluster {
	t.Helper()
	if n > 1 {
		// Attachments live under the data directory: replicas share it (a network volume in
		// production, see docs/deployment.md).
		extra = append(extra, "MINXIN_TRUSTED_PROXIES="+nginxAddress, "MINXIN_DATA_DIR="+t.TempDir())
	}
	c := &cluster{}
	// All start at once: their migrations and first scheduled jobs race, as in a rollout.
	for k := range n {
		i := newInstance(t, fmt.Sprintf("minxin-%d", k+1), env, extra...)
		if err := i.launch(); err != nil {
			t.Fatal(err)
		}
		c.Instances = append(c.Instances, i)
	}
	for _, i := range c.Instances {
		if err := i.waitReady(); err != nil {
			t.Fatal(err)
		}
	}
	if n == 1 {
		c.URL = c.Instances[0].url()
		return c
	}
	c.URL = startNginx(t, c.Instances)
	return c
}

// nginxAddress is the loopback address nginx connects to the instances from, which they
// trust with X-Forwarded-For; clients connect from 127.0.0.1, which they do not.
const nginxAddress = "127.0.0.2"

// nginxConf is the proxy of docs/deployment.md: round-robin, keep-alive to the upstreams, a
// POST is passed to the other instance only when it could not be sent at all.
const nginxConf = `worker_processes 1;
daemon off;
pid {{dir}}/nginx.pid;
error_log {{dir}}/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path {{dir}}/body;
    proxy_temp_path {{dir}}/proxy;
    fastcgi_temp_path {{dir}}/fastcgi;
    uwsgi_temp_path {{dir}}/uwsgi;
    scgi_temp_path {{dir}}/scgi;
    client_max_body_size 12m;
    upstream minxin {
{{servers}}        keepalive 64;
    }
    server {
        listen {{addr}};
        location / {
            proxy_pass http://minxin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout;
            # The instances trust X-Forwarded-For from this address only (MINXIN_TRUSTED_PROXIES).
            proxy_bind {{bind}};
        }
    }
}
`

func startNginx(t testing.TB, instances []*instance) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Fatal("nginx is not installed (apt-get install nginx)")
	}
	dir := t.TempDir()
	for _, d := range []string{"body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		// nginx's workers may run as another user.
		if err := os.Mkdir(filepath.Join(dir, d), 0o777); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, d), 0o777)
	}
	os.Chmod(dir, 0o755)
	var servers strings.Builder
	for _, i := range instances {
		fmt.Fprintf(&servers, "        server %s max_fails=0;\n", i.addr)
	}
	addr := freeAddr(t)
	conf := strings.NewReplacer("{{dir}}", dir, "{{servers}}", servers.String(), "{{addr}}", addr, "{{bind}}", nginxAddress).Replace(nginxConf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", path, "-p", dir)
	out, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGQUIT); cmd.Wait() })
	for range 200 {
		if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			return "http://" + addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	t.Fatalf("nginx did not start:\n%s", log)
	return ""
}

// restartPostgres restarts the PostgreSQL server the tests use, in immediate mode: what is not
// flushed to its write-ahead log is lost, as in a crash.
func restartPostgres(t testing.TB) {
	t.Helper()
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Fatalf("no PostgreSQL cluster under /etc/postgresql: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart", "-m", "immediate").CombinedOutput()
	if err != nil {
		t.Fatalf("restart PostgreSQL: %v\n%s", err, out)
	}
}
