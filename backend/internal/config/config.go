// Package config reads Minxin's configuration from the environment. Every variable can also
// be read from a file named by the same variable with _FILE appended (for secrets); an invalid
// value stops start-up with a message naming the variable.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the validated configuration.
type Config struct {
	Addr        string
	DatabaseURL string
	// ReplicaURL is a hot standby of DatabaseURL that serves reports (scorecards, figures,
	// exports) while it is up and ReplicaMaxLag behind at most; empty: reports read the primary.
	ReplicaURL    string
	ReplicaMaxLag time.Duration
	DataDir       string
	JWTSecret     []byte
	Location      *time.Location
	// TrustedProxies are the addresses of the proxies in front of Minxin (nginx, a load
	// balancer): only from them is X-Forwarded-For believed, for the client's address that
	// rate limits count against. Empty: the peer's address is the client's.
	TrustedProxies []*net.IPNet
	// MaxConnections bounds the open client connections; more wait to be accepted.
	MaxConnections int
}

// Lookup reads one environment variable (os.LookupEnv in production, a map in tests).
type Lookup func(string) (string, bool)

// Load reads and validates the configuration. It does not create anything: the generated JWT
// secret of the embedded mode is made by Secret.
func Load(env Lookup) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		v, err := value(env, name)
		if err != nil {
			errs = append(errs, err)
			return def
		}
		if v == "" {
			return def
		}
		return v
	}
	c := Config{
		Addr:        get("MINXIN_ADDR", "127.0.0.1:8080"),
		DatabaseURL: get("MINXIN_DATABASE_URL", ""),
		ReplicaURL:  get("MINXIN_DATABASE_REPLICA_URL", ""),
		DataDir:     get("MINXIN_DATA_DIR", "./data"),
		JWTSecret:   []byte(get("MINXIN_JWT_SECRET", "")),
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("MINXIN_ADDR: %q is not host:port", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("MINXIN_DATABASE_URL: must start with postgres:// (leave it empty for the embedded database)"))
	}
	if c.ReplicaURL != "" && !strings.HasPrefix(c.ReplicaURL, "postgres://") && !strings.HasPrefix(c.ReplicaURL, "postgresql://") {
		errs = append(errs, errors.New("MINXIN_DATABASE_REPLICA_URL: must start with postgres://"))
	}
	if c.ReplicaURL != "" && c.DatabaseURL == "" {
		errs = append(errs, errors.New("MINXIN_DATABASE_REPLICA_URL: a standby of MINXIN_DATABASE_URL, which must be set too"))
	}
	maxLag := get("MINXIN_REPLICA_MAX_LAG", "30s")
	if d, err := time.ParseDuration(maxLag); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("MINXIN_REPLICA_MAX_LAG: %q is not a positive duration (like 30s or 2m)", maxLag))
	} else {
		c.ReplicaMaxLag = d
	}
	if len(c.JWTSecret) > 0 && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("MINXIN_JWT_SECRET: must be at least 32 bytes"))
	}
	if c.DatabaseURL != "" && len(c.JWTSecret) == 0 {
		errs = append(errs, errors.New("MINXIN_JWT_SECRET: required when MINXIN_DATABASE_URL is set, so that every instance signs with the same key"))
	}
	for _, p := range strings.Split(get("MINXIN_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		_, n, err := net.ParseCIDR(p)
		if ip := net.ParseIP(p); ip != nil {
			n, err = &net.IPNet{IP: ip, Mask: net.CIDRMask(len(ip)*8, len(ip)*8)}, nil
			if ip4 := ip.To4(); ip4 != nil {
				n = &net.IPNet{IP: ip4, Mask: net.CIDRMask(32, 32)}
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("MINXIN_TRUSTED_PROXIES: %q is not an address or a CIDR range", p))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, n)
	}
	maxConns := get("MINXIN_MAX_CONNECTIONS", "2048")
	if n, err := strconv.Atoi(maxConns); err != nil || n < 16 {
		errs = append(errs, fmt.Errorf("MINXIN_MAX_CONNECTIONS: %q is not a number of at least 16", maxConns))
	} else {
		c.MaxConnections = n
	}
	tz := get("MINXIN_TIMEZONE", "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		errs = append(errs, fmt.Errorf("MINXIN_TIMEZONE: %q is not a known time zone", tz))
	}
	c.Location = loc
	return c, errors.Join(errs...)
}

// value reads NAME, or the file named by NAME_FILE; setting both is an error.
func value(env Lookup, name string) (string, error) {
	v, hasV := env(name)
	file, hasFile := env(name + "_FILE")
	switch {
	case hasV && hasFile && v != "" && file != "":
		return "", fmt.Errorf("%s and %s_FILE are both set: set one", name, name)
	case hasFile && file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s_FILE: %v", name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return v, nil
}

// Secret returns the JWT secret: the configured one, or in embedded mode one generated once
// and kept in the data directory.
func (c Config) Secret() ([]byte, error) {
	if len(c.JWTSecret) > 0 {
		return c.JWTSecret, nil
	}
	path := filepath.Join(c.DataDir, "jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(raw))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		return os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(secret); err != nil {
		return nil, err
	}
	return secret, f.Sync()
}
