// Command minxin is the one binary of Minxin (民心): the API and PWA server and the operator's
// commands. Run `minxin help` for the list.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the server embeds its time-zone data

	"golang.org/x/net/netutil"

	"minxin/backend/internal/aliyunsms"
	"minxin/backend/internal/app"
	"minxin/backend/internal/auth"
	"minxin/backend/internal/config"
	"minxin/backend/internal/demo"
	"minxin/backend/internal/domain"
	"minxin/backend/internal/httpapi"
	"minxin/backend/internal/organisation"
	"minxin/backend/internal/qrtoken"
	"minxin/backend/internal/remind"
	"minxin/backend/internal/sampler"
	"minxin/backend/internal/store"
	"minxin/backend/internal/web"
	"minxin/backend/internal/webpush"
	"minxin/docs"
)

const usage = `minxin <command>

  serve                 migrate if needed, then serve the API and the PWA
  migrate               apply pending migrations and exit
  demo                  load a demo district into an empty database and print its logins
  user create --role R --username U [--township-id ID] [--team-member] [--lead] [--display-name N] --password-stdin
  audit verify --seed S --manifest FILE --size N [--min-per-township K]
  log verify            check the activity log's hash chain (exit 1 when broken)
  remind [--at RFC3339] run every reminder job once as of that moment (default now) and exit
  keys rotate [--wait D] [--reseal-only]
                        add a new data key, re-seal everything under it while the service
                        runs, then retire the old key (docs/deployment.md)
  keys status           the data keys and how many rows each one seals
  keys vapid            print a new VAPID private key for MINXIN_VAPID_PRIVATE_KEY (Web Push)

Environment: MINXIN_ADDR, MINXIN_DATABASE_URL, MINXIN_DATABASE_REPLICA_URL, MINXIN_REPLICA_MAX_LAG,
MINXIN_DATA_DIR, MINXIN_JWT_SECRET, MINXIN_DATA_KEY, MINXIN_VAPID_PRIVATE_KEY, MINXIN_VAPID_SUBJECT,
MINXIN_TIMEZONE, MINXIN_TRUSTED_PROXIES, MINXIN_MAX_CONNECTIONS, MINXIN_SMS_* (docs/reminders.md)
(each also as NAME_FILE).
`

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	code, err := run(os.Args[1:], os.Stdin, os.Stdout, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "minxin:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(args []string, stdin io.Reader, stdout io.Writer, logger *slog.Logger) (int, error) {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return 2, nil
	}
	cmd := strings.Join(args[:min(2, len(args))], " ")
	switch {
	case args[0] == "serve":
		return 0, serve(logger)
	case args[0] == "migrate":
		return 0, migrate(stdout)
	case args[0] == "demo":
		return 0, loadDemo(stdout)
	case args[0] == "remind":
		return 0, runReminders(args[1:], stdout)
	case cmd == "user create":
		return 0, userCreate(args[2:], stdin, stdout)
	case cmd == "audit verify":
		return 0, auditVerify(args[2:], stdout)
	case cmd == "log verify":
		return logVerify(stdout)
	case cmd == "keys rotate":
		return 0, keysRotate(args[2:], stdout)
	case cmd == "keys status":
		return 0, keysStatus(stdout)
	case cmd == "keys vapid":
		return 0, vapidKey(stdout)
	case args[0] == "help", args[0] == "-h", args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return 0, nil
	}
	fmt.Fprint(os.Stderr, usage)
	return 2, fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func openStore() (config.Config, *store.Store, error) {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return cfg, nil, fmt.Errorf("configuration:\n%w", err)
	}
	st, err := store.Open(store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Location: cfg.Location,
		ReplicaURL: cfg.ReplicaURL, ReplicaMaxLag: cfg.ReplicaMaxLag})
	if err != nil {
		return cfg, nil, err
	}
	// Petitioners' identities are sealed under the data keys (MINXIN_DATA_KEY), which every
	// command's services use through the store.
	keys, err := cfg.Keys()
	if err != nil {
		st.Close()
		return cfg, nil, err
	}
	st.UseKeys(keys)
	return cfg, st, nil
}

func migrate(stdout io.Writer) error {
	_, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := app.New(st, app.Options{}).Migrate(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: %d\n", len(applied))
	return nil
}

// runReminders runs every reminder job once, as of --at (default now); serve runs them every
// minute. Running them again, here or on another instance, notifies nobody twice.
func runReminders(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	at := fs.String("at", "", "the moment the jobs run as of (RFC 3339); default now")
	if err := fs.Parse(args); err != nil {
		return err
	}
	moment := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("--at: %q is not an RFC 3339 time such as 2026-12-04T12:00:00+08:00", *at)
		}
		moment = t
	}
	_, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	services := app.New(st, app.Options{})
	ctx := context.Background()
	if _, err := services.Migrate(ctx); err != nil {
		return err
	}
	n, err := services.Reminders.Run(ctx, moment)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "notifications written: %d\n", n)
	return nil
}

func loadDemo(stdout io.Writer) error {
	_, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	services := app.New(st, app.Options{})
	if _, err := services.Migrate(ctx); err != nil {
		return err
	}
	logins, err := demo.Load(ctx, services, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo district loaded. Every login's password is %s\n\n", demo.Password)
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-16s %-17s %s\n", l.Username, l.Role, l.Note)
	}
	return nil
}

func serve(logger *slog.Logger) error {
	cfg, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	secret, err := cfg.Secret()
	if err != nil {
		return err
	}
	// Web Push is signed with the VAPID key (generated once in the data directory on the
	// embedded database); browsers subscribe with its public key.
	vapid, err := cfg.VAPID()
	if err != nil {
		return err
	}
	qrKey := qrtoken.NewKey(secret)
	services := app.New(st, app.Options{QRKey: &qrKey, Keys: st.Keys(), PushKey: vapid.PublicKey})
	if _, err := services.Migrate(ctx); err != nil {
		return err
	}
	// Replied petitions close by themselves (§4); the job is safe on several instances at once.
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		services.Petitions.CloseEvery(ctx, time.Minute, func(n int, err error) {
			if err != nil {
				logger.Error("closing petitions due", "error", err)
				return
			}
			logger.Info("petitions closed by themselves", "count", n)
		})
	}()
	// The reminders (§8) run every minute: on Friday at noon and on the 1st they find their
	// events within the minute; each event notifies each recipient once across instances.
	remindersDone := make(chan struct{})
	go func() {
		defer close(remindersDone)
		services.Reminders.Every(ctx, time.Minute, func(n int, err error) {
			if err != nil {
				logger.Error("running the reminder jobs", "error", err)
				return
			}
			logger.Info("notifications written", "count", n)
		})
	}()
	// The outbox of reminders (SMS, Web Push) is sent every 10 seconds; rows are leased, so
	// instances share it, and each SMS goes out once (docs/reminders.md).
	smsCfg, err := config.LoadSMS(os.LookupEnv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	var sms remind.SMS
	if smsCfg.Enabled() {
		sms = aliyunsms.New(aliyunsms.Config{Endpoint: smsCfg.Endpoint, Region: smsCfg.Region, AccessKeyID: smsCfg.AccessKeyID,
			AccessKeySecret: smsCfg.AccessKeySecret, SignName: smsCfg.SignName, TemplateCode: smsCfg.TemplateCode}, nil)
	}
	host, _ := os.Hostname()
	push := webpush.New(webpush.Config{PrivateKey: vapid.PrivateKey, PublicKey: vapid.PublicKey, Subject: vapid.Subject}, services.Reminders)
	sender := services.Reminders.NewSender(fmt.Sprintf("%s/%d/%s", host, os.Getpid(), domain.NewID()), sms, push)
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		sender.Every(ctx, 10*time.Second, func(n int, err error) {
			if err != nil {
				logger.Error("sending reminders", "error", err)
				return
			}
			logger.Info("reminders sent", "count", n)
		})
	}()
	go func() {
		// A rotation (`minxin keys rotate`) rewrites the key file: every instance reads it again.
		reloadKeysEvery(ctx, cfg, st.Keys(), keyReload, logger)
	}()
	go func() {
		// Changes are chained onto the activity log a second after they are made.
		st.SealLogEvery(ctx, time.Second, func(err error) { logger.Error("sealing the activity log", "error", err) })
	}()
	go func() {
		// Answers kept for Idempotency-Key are forgotten after a day.
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if _, err := st.PurgeIdempotencyKeys(ctx); err != nil && ctx.Err() == nil {
				logger.Error("purging idempotency keys", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	defer func() { stop(); <-jobsDone; <-remindersDone; <-senderDone }()
	signer, err := auth.NewSigner(secret, time.Now)
	if err != nil {
		return err
	}
	files, err := store.OpenFiles(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		return err
	}
	api := httpapi.New(httpapi.Deps{App: services, Signer: signer, Secret: secret, Logger: logger, OpenAPI: docs.OpenAPI, Web: web.FS(), Files: files,
		TrustedProxies: cfg.TrustedProxies})
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           api.Echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(netutil.LimitListener(ln, cfg.MaxConnections)) }()
	logger.Info("minxin serving", "addr", cfg.Addr, "database", st.Dialect(), "timezone", cfg.Location.String(),
		"replica", cfg.ReplicaURL != "", "replica_max_lag", cfg.ReplicaMaxLag.String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish in-flight requests before closing the database.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func userCreate(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	role := fs.String("role", "", "admin, inspector, official, petition_officer or villager")
	username := fs.String("username", "", "login name")
	township := fs.String("township-id", "", "township id (officials and township petition officers)")
	display := fs.String("display-name", "", "name shown to others (default: the username)")
	team := fs.Bool("team-member", false, "the official is a team member (班子成员)")
	lead := fs.Bool("lead", false, "the official is the township's lead (主要领导)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*pwStdin {
		return errors.New("--password-stdin is required: the password is never taken from the command line")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if *display == "" {
		*display = *username
	}
	u := domain.User{Username: *username, DisplayName: *display, Role: domain.Role(*role), TeamMember: *team, Lead: *lead}
	if *township != "" {
		u.TownshipID = township
	}
	_, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := app.New(st, app.Options{}).Migrate(ctx); err != nil {
		return err
	}
	created, err := organisation.New(st, nil).CreateUser(ctx, store.SystemActor, organisation.NewUser{User: u, Password: password})
	if err != nil {
		return describe(err)
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"id": created.ID})
}

// describe turns field errors into a message an operator can act on.
func describe(err error) error {
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return errors.New(b.String())
}

func logVerify(stdout io.Writer) (int, error) {
	_, st, err := openStore()
	if err != nil {
		return 1, err
	}
	defer st.Close()
	broken, n, err := st.VerifyLog(context.Background())
	if err != nil {
		return 1, err
	}
	if broken != nil {
		fmt.Fprintf(stdout, "activity log BROKEN at entry %d: %s (%d entries read)\n", broken.Seq, broken.Reason, n)
		return 1, nil
	}
	fmt.Fprintf(stdout, "activity log intact: %d entries\n", n)
	return 0, nil
}

func auditVerify(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	seed := fs.String("seed", "", "the round's seed string, exactly as shown")
	manifest := fs.String("manifest", "", "the round's manifest CSV file")
	size := fs.Int("size", 0, "sample size")
	minPer := fs.Int("min-per-township", 0, "minimum per township")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *seed == "" || *manifest == "" || *size <= 0 {
		return errors.New("--seed, --manifest and --size (above 0) are required")
	}
	f, err := os.Open(*manifest)
	if err != nil {
		return err
	}
	defer f.Close()
	items, err := sampler.ReadManifest(f)
	if err != nil {
		return err
	}
	sum, err := sampler.ManifestSHA256(items)
	if err != nil {
		return err
	}
	draws, err := sampler.Sample(*seed, items, *size, *minPer)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "algorithm %s\nseed %s\nmanifest_sha256 %s\npopulation %d\nsample %d\n", sampler.Algorithm, *seed, sum, len(items), len(draws))
	for i, d := range draws {
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", i+1, d.ID, d.Township, d.Ticket)
	}
	return nil
}
