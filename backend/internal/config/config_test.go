package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dataKey := strings.Repeat("0123456789abcdef", 4)
	vapid, err := NewVAPIDKey()
	if err != nil {
		t.Fatal(err)
	}
	vapidFile := filepath.Join(t.TempDir(), "vapid")
	if err := os.WriteFile(vapidFile, []byte(vapid+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "data-key")
	if err := os.WriteFile(keyFile, []byte(dataKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string // substring; empty for success
	}{
		{"defaults", map[string]string{}, ""},
		{"bad address", map[string]string{"MINXIN_ADDR": "8080"}, "MINXIN_ADDR"},
		{"bad time zone", map[string]string{"MINXIN_TIMEZONE": "Mars/Olympus"}, "MINXIN_TIMEZONE"},
		{"postgres needs a secret", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z"}, "MINXIN_JWT_SECRET: required"},
		{"short secret", map[string]string{"MINXIN_JWT_SECRET": "short"}, "at least 32 bytes"},
		{"not postgres", map[string]string{"MINXIN_DATABASE_URL": "mysql://x"}, "MINXIN_DATABASE_URL"},
		{"secret from file", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile, "MINXIN_DATA_KEY": dataKey, "MINXIN_VAPID_PRIVATE_KEY": vapid}, ""},
		{"postgres needs a data key", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile}, "MINXIN_DATA_KEY: required"},
		{"data key from file", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile, "MINXIN_DATA_KEY_FILE": keyFile, "MINXIN_VAPID_PRIVATE_KEY_FILE": vapidFile}, ""},
		{"postgres needs a VAPID key", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile, "MINXIN_DATA_KEY": dataKey}, "MINXIN_VAPID_PRIVATE_KEY: required"},
		{"VAPID key not base64url", map[string]string{"MINXIN_VAPID_PRIVATE_KEY": "not a key!"}, "MINXIN_VAPID_PRIVATE_KEY: not base64url"},
		{"short VAPID key", map[string]string{"MINXIN_VAPID_PRIVATE_KEY": vapid[:40]}, "MINXIN_VAPID_PRIVATE_KEY: a VAPID private key is 32 bytes"},
		{"VAPID key out of range", map[string]string{"MINXIN_VAPID_PRIVATE_KEY": strings.Repeat("_", 43)}, "MINXIN_VAPID_PRIVATE_KEY: not a P-256"},
		{"VAPID key and its file", map[string]string{"MINXIN_VAPID_PRIVATE_KEY": vapid, "MINXIN_VAPID_PRIVATE_KEY_FILE": vapidFile}, "both set"},
		{"VAPID subject https", map[string]string{"MINXIN_VAPID_SUBJECT": "https://minxin.example.cn/contact"}, ""},
		{"VAPID subject mailto", map[string]string{"MINXIN_VAPID_SUBJECT": "mailto:ops@minxin.example.cn"}, ""},
		{"VAPID subject bare address", map[string]string{"MINXIN_VAPID_SUBJECT": "ops@minxin.example.cn"}, "MINXIN_VAPID_SUBJECT"},
		{"VAPID subject http", map[string]string{"MINXIN_VAPID_SUBJECT": "http://minxin.example.cn"}, "MINXIN_VAPID_SUBJECT"},
		{"VAPID subject mailto nobody", map[string]string{"MINXIN_VAPID_SUBJECT": "mailto:"}, "MINXIN_VAPID_SUBJECT"},
		{"short data key", map[string]string{"MINXIN_DATA_KEY": dataKey[:62]}, "MINXIN_DATA_KEY: a data key is 32 bytes"},
		{"data key not hex", map[string]string{"MINXIN_DATA_KEY": strings.Repeat("s", 64)}, "MINXIN_DATA_KEY: a data key is 32 bytes"},
		{"bad data key file", map[string]string{"MINXIN_DATA_KEY_FILE": secretFile}, "MINXIN_DATA_KEY_FILE: " + secretFile},
		{"missing data key file", map[string]string{"MINXIN_DATA_KEY_FILE": "/nonexistent/key"}, "MINXIN_DATA_KEY_FILE"},
		{"both data keys", map[string]string{"MINXIN_DATA_KEY": dataKey, "MINXIN_DATA_KEY_FILE": keyFile}, "both set"},
		{"missing file", map[string]string{"MINXIN_JWT_SECRET_FILE": "/nonexistent/secret"}, "MINXIN_JWT_SECRET_FILE"},
		{"both set", map[string]string{"MINXIN_ADDR": "127.0.0.1:1", "MINXIN_ADDR_FILE": secretFile}, "both set"},
		{"proxies", map[string]string{"MINXIN_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16,::1"}, ""},
		{"bad proxy", map[string]string{"MINXIN_TRUSTED_PROXIES": "10.0.0.5,nginx"}, `MINXIN_TRUSTED_PROXIES: "nginx"`},
		{"bad connection limit", map[string]string{"MINXIN_MAX_CONNECTIONS": "8"}, "MINXIN_MAX_CONNECTIONS"},
		{"replica", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@h1:5432,h2:5432/z?target_session_attrs=read-write", "MINXIN_JWT_SECRET_FILE": secretFile,
			"MINXIN_DATABASE_REPLICA_URL": "postgres://x@h2:5432/z", "MINXIN_REPLICA_MAX_LAG": "5s", "MINXIN_DATA_KEY": strings.Repeat("ab", 32), "MINXIN_VAPID_PRIVATE_KEY": vapid}, ""},
		{"replica without primary", map[string]string{"MINXIN_DATABASE_REPLICA_URL": "postgres://x@h2/z"}, "MINXIN_DATABASE_REPLICA_URL: a standby"},
		{"replica not postgres", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile,
			"MINXIN_DATABASE_REPLICA_URL": "mysql://x"}, "MINXIN_DATABASE_REPLICA_URL: must start"},
		{"bad lag bound", map[string]string{"MINXIN_REPLICA_MAX_LAG": "30"}, "MINXIN_REPLICA_MAX_LAG"},
		{"negative lag bound", map[string]string{"MINXIN_REPLICA_MAX_LAG": "-1s"}, "MINXIN_REPLICA_MAX_LAG"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Load(env(c.env))
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if cfg.Location.String() == "" || cfg.Addr == "" {
					t.Fatalf("defaults missing: %+v", cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one mentioning %q", err, c.wantErr)
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.DataDir != "./data" || cfg.Location.String() != "Asia/Shanghai" || cfg.DatabaseURL != "" ||
		cfg.TrustedProxies != nil || cfg.MaxConnections != 2048 || cfg.ReplicaURL != "" || cfg.ReplicaMaxLag != 30*time.Second {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestTrustedProxies(t *testing.T) {
	cfg, err := Load(env(map[string]string{"MINXIN_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range cfg.TrustedProxies {
		got = append(got, n.String())
	}
	if strings.Join(got, " ") != "10.0.0.5/32 10.1.0.0/16 ::1/128" {
		t.Fatalf("trusted proxies: %v", got)
	}
}

func TestSecretIsGeneratedOnceAndKept(t *testing.T) {
	cfg := Config{DataDir: t.TempDir()}
	a, err := cfg.Secret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.Secret()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 32 || string(a) != string(b) {
		t.Fatalf("secret not kept: %q vs %q", a, b)
	}
	info, err := os.Stat(filepath.Join(cfg.DataDir, "jwt-secret"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode: %v %v", info.Mode(), err)
	}
}

func TestReplicaSettingsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := Load(env(map[string]string{
		"MINXIN_DATABASE_URL": "postgres://x@h1/z", "MINXIN_JWT_SECRET": strings.Repeat("s", 32), "MINXIN_DATA_KEY": strings.Repeat("ab", 32),
		"MINXIN_VAPID_PRIVATE_KEY":         testVAPIDKey,
		"MINXIN_DATABASE_REPLICA_URL_FILE": write("replica", "postgres://x@h2/z"),
		"MINXIN_REPLICA_MAX_LAG_FILE":      write("lag", "1m30s"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ReplicaURL != "postgres://x@h2/z" || cfg.ReplicaMaxLag != 90*time.Second {
		t.Fatalf("replica settings: %q %s", cfg.ReplicaURL, cfg.ReplicaMaxLag)
	}
}

func TestDataKeyIsGeneratedOnceAndKept(t *testing.T) {
	cfg, err := Load(env(map[string]string{"MINXIN_DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := cfg.Keys()
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if a.Current() != b.Current() || len(a.IDs()) != 1 {
		t.Fatalf("data key not kept: %v vs %v", a.IDs(), b.IDs())
	}
	info, err := os.Stat(filepath.Join(cfg.DataDir, "data-key"))
	if err != nil || info.Mode().Perm() != 0o600 || info.Size() != 65 {
		t.Fatalf("data key file: %v %v", info, err)
	}
	if cfg.KeyFile() != filepath.Join(cfg.DataDir, "data-key") {
		t.Fatalf("key file %q", cfg.KeyFile())
	}
}

func TestDataKeyGivenAsValueOrFile(t *testing.T) {
	k1, k2 := strings.Repeat("1", 64), strings.Repeat("2", 64)
	cfg, err := Load(env(map[string]string{"MINXIN_DATA_KEY": k1 + "," + k2, "MINXIN_DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Keys()
	if err != nil || len(r.IDs()) != 2 || cfg.KeyFile() != "" {
		t.Fatalf("keys from the value: %v %v %q", r, err, cfg.KeyFile())
	}
	if err := cfg.WriteKeys(nil); err == nil || !strings.Contains(err.Error(), "MINXIN_DATA_KEY_FILE") {
		t.Fatalf("a value is rotated in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "data-key")); !os.IsNotExist(err) {
		t.Fatalf("a key was generated beside a given one: %v", err)
	}

	file := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(file, []byte(k1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(env(map[string]string{"MINXIN_DATA_KEY_FILE": file, "MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET": strings.Repeat("s", 32),
		"MINXIN_VAPID_PRIVATE_KEY": testVAPIDKey}))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := cfg.Keys()
	if err != nil || len(ring.IDs()) != 1 {
		t.Fatalf("keys from the file: %v", err)
	}
	if changed, err := cfg.ReloadKeys(ring); changed || err != nil {
		t.Fatalf("reload of an unchanged file: %v %v", changed, err)
	}
	keys, _ := cfg.ReadKeys()
	two, _ := Load(env(map[string]string{"MINXIN_DATA_KEY": k2}))
	next, _ := two.ReadKeys()
	if err := cfg.WriteKeys(append(next, keys...)); err != nil {
		t.Fatal(err)
	}
	if changed, err := cfg.ReloadKeys(ring); !changed || err != nil || ring.Current() != next[0].ID() || len(ring.IDs()) != 2 {
		t.Fatalf("reload after a rotation: %v %v %v", changed, err, ring.IDs())
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("rewritten key file: %v %v", info, err)
	}
}

func TestLoadSMS(t *testing.T) {
	env := func(m map[string]string) Lookup {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if s, err := LoadSMS(env(nil)); err != nil || s.Enabled() {
		t.Fatalf("unset: %+v %v", s, err)
	}
	if _, err := LoadSMS(env(map[string]string{"MINXIN_SMS_ACCESS_KEY_ID": "LTAI"})); err == nil || !strings.Contains(err.Error(), "MINXIN_SMS_TEMPLATE_CODE") {
		t.Fatalf("half set: %v", err)
	}
	s, err := LoadSMS(env(map[string]string{"MINXIN_SMS_ACCESS_KEY_ID": "LTAI", "MINXIN_SMS_ACCESS_KEY_SECRET": "s",
		"MINXIN_SMS_SIGN_NAME": "民心工程", "MINXIN_SMS_TEMPLATE_CODE": "SMS_1"}))
	if err != nil || !s.Enabled() {
		t.Fatalf("set: %+v %v", s, err)
	}
}

// testVAPIDKey is a VAPID private key with the public key below, both as webpush-go's
// GenerateVAPIDKeys wrote them.
const (
	testVAPIDKey    = "OgTKiyMIevnC4hOJ5ElH1x0rZWnAe_h6AeKnMFapj2g"
	testVAPIDPublic = "BMCxsXgT6os_JATaOLmWP4w3h_-ZVOMgrwb6wfXsxOcIAqKZuO9WR4IT_TWk-wJrcG9tqxotRA_SA4yW9Jpevok"
)

// The VAPID key: given (value or file), its public key derived as webpush-go derives it; on
// the embedded database generated once in the data directory and kept; required on
// PostgreSQL; a data directory's file that holds no key is an error, never replaced.
func TestVAPID(t *testing.T) {
	cfg, err := Load(env(map[string]string{"MINXIN_VAPID_PRIVATE_KEY": testVAPIDKey, "MINXIN_DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	v, err := cfg.VAPID()
	if err != nil || v.PrivateKey != testVAPIDKey || v.PublicKey != testVAPIDPublic || v.Subject != DefaultVAPIDSubject {
		t.Fatalf("given: %+v %v", v, err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "vapid-private-key")); !os.IsNotExist(err) {
		t.Fatalf("a key was generated beside a given one: %v", err)
	}
	padded := testVAPIDKey + "="
	if pub, err := VAPIDPublicKey(padded); err != nil || pub != testVAPIDPublic {
		t.Fatalf("padded: %q %v", pub, err)
	}

	dir := t.TempDir()
	cfg, err = Load(env(map[string]string{"MINXIN_DATA_DIR": dir, "MINXIN_VAPID_SUBJECT": "mailto:ops@minxin.example.cn"}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := cfg.VAPID()
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.VAPID()
	if err != nil || a != b || a.Subject != "mailto:ops@minxin.example.cn" {
		t.Fatalf("generated key not kept: %+v %+v %v", a, b, err)
	}
	if pub, err := VAPIDPublicKey(a.PrivateKey); err != nil || pub != a.PublicKey || len(a.PublicKey) != 87 {
		t.Fatalf("generated key: %+v %v", a, err)
	}
	path := filepath.Join(dir, "vapid-private-key")
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.VAPID(); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken key file: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "garbage\n" {
		t.Fatalf("a broken key file was replaced: %q", b)
	}

	if _, err := (Config{DatabaseURL: "postgres://x@y/z", DataDir: t.TempDir()}).VAPID(); err == nil || !strings.Contains(err.Error(), "MINXIN_VAPID_PRIVATE_KEY: required") {
		t.Fatalf("generated on PostgreSQL: %v", err)
	}
}
