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
		{"secret from file", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile, "MINXIN_DATA_KEY": dataKey}, ""},
		{"postgres needs a data key", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile}, "MINXIN_DATA_KEY: required"},
		{"data key from file", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile, "MINXIN_DATA_KEY_FILE": keyFile}, ""},
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
			"MINXIN_DATABASE_REPLICA_URL": "postgres://x@h2:5432/z", "MINXIN_REPLICA_MAX_LAG": "5s", "MINXIN_DATA_KEY": strings.Repeat("ab", 32)}, ""},
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
	cfg, err = Load(env(map[string]string{"MINXIN_DATA_KEY_FILE": file, "MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET": strings.Repeat("s", 32)}))
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
