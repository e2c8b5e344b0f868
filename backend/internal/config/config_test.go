package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoad(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
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
		{"secret from file", map[string]string{"MINXIN_DATABASE_URL": "postgres://x@y/z", "MINXIN_JWT_SECRET_FILE": secretFile}, ""},
		{"missing file", map[string]string{"MINXIN_JWT_SECRET_FILE": "/nonexistent/secret"}, "MINXIN_JWT_SECRET_FILE"},
		{"both set", map[string]string{"MINXIN_ADDR": "127.0.0.1:1", "MINXIN_ADDR_FILE": secretFile}, "both set"},
		{"proxies", map[string]string{"MINXIN_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16,::1"}, ""},
		{"bad proxy", map[string]string{"MINXIN_TRUSTED_PROXIES": "10.0.0.5,nginx"}, `MINXIN_TRUSTED_PROXIES: "nginx"`},
		{"bad connection limit", map[string]string{"MINXIN_MAX_CONNECTIONS": "8"}, "MINXIN_MAX_CONNECTIONS"},
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
		cfg.TrustedProxies != nil || cfg.MaxConnections != 2048 {
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
