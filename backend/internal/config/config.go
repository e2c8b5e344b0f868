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

	"minxin/backend/internal/seal"
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
	// DataKey is the keyring of the data sealed at rest when MINXIN_DATA_KEY gives it as a
	// value; DataKeyFile the file that holds it when MINXIN_DATA_KEY_FILE names one. With
	// neither, the embedded database keeps a key generated once in the data directory (Keys).
	DataKey     string
	DataKeyFile string
	// VAPIDPrivateKey signs Web Push (MINXIN_VAPID_PRIVATE_KEY, base64url); empty on the
	// embedded database: one is generated once in the data directory (VAPID).
	VAPIDPrivateKey string
	// VAPIDSubject is the contact given to push services (MINXIN_VAPID_SUBJECT).
	VAPIDSubject string
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
		Addr:            get("MINXIN_ADDR", "127.0.0.1:8080"),
		DatabaseURL:     get("MINXIN_DATABASE_URL", ""),
		ReplicaURL:      get("MINXIN_DATABASE_REPLICA_URL", ""),
		DataDir:         get("MINXIN_DATA_DIR", "./data"),
		JWTSecret:       []byte(get("MINXIN_JWT_SECRET", "")),
		VAPIDPrivateKey: get("MINXIN_VAPID_PRIVATE_KEY", ""),
		VAPIDSubject:    get("MINXIN_VAPID_SUBJECT", DefaultVAPIDSubject),
	}
	var keyErr error
	c.DataKey, c.DataKeyFile, keyErr = dataKey(env)
	if keyErr != nil {
		errs = append(errs, keyErr)
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
	if c.DatabaseURL != "" && c.DataKey == "" && c.DataKeyFile == "" && keyErr == nil {
		errs = append(errs, errors.New("MINXIN_DATA_KEY: required when MINXIN_DATABASE_URL is set (or MINXIN_DATA_KEY_FILE), so that every instance opens the same data; keep it apart from the database and its backups"))
	}
	if c.VAPIDPrivateKey != "" {
		if _, err := VAPIDPublicKey(c.VAPIDPrivateKey); err != nil {
			errs = append(errs, fmt.Errorf("MINXIN_VAPID_PRIVATE_KEY: %v (base64url of 32 bytes, as `minxin keys vapid` prints)", err))
		}
	} else if c.DatabaseURL != "" {
		errs = append(errs, errors.New("MINXIN_VAPID_PRIVATE_KEY: required when MINXIN_DATABASE_URL is set (or MINXIN_VAPID_PRIVATE_KEY_FILE), so that every instance pushes under the key browsers subscribed to; `minxin keys vapid` prints a new one"))
	}
	if err := checkVAPIDSubject(c.VAPIDSubject); err != nil {
		errs = append(errs, err)
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

// dataKey reads MINXIN_DATA_KEY (a keyring given as a value) or MINXIN_DATA_KEY_FILE (the
// file holding it, kept by name so that it can be read again and rotated), and checks it.
func dataKey(env Lookup) (value, file string, err error) {
	v, _ := env("MINXIN_DATA_KEY")
	f, _ := env("MINXIN_DATA_KEY_FILE")
	switch {
	case v != "" && f != "":
		return "", "", errors.New("MINXIN_DATA_KEY and MINXIN_DATA_KEY_FILE are both set: set one")
	case v != "":
		if _, err := seal.ParseKeys(v); err != nil {
			return "", "", fmt.Errorf("MINXIN_DATA_KEY: %v", err)
		}
		return v, "", nil
	case f != "":
		b, err := os.ReadFile(f)
		if err != nil {
			return "", "", fmt.Errorf("MINXIN_DATA_KEY_FILE: %v", err)
		}
		if _, err := seal.ParseKeys(string(b)); err != nil {
			return "", "", fmt.Errorf("MINXIN_DATA_KEY_FILE: %s: %v", f, err)
		}
		return "", f, nil
	}
	return "", "", nil
}

// dataKeyName is the file of the embedded mode's generated data key in the data directory.
const dataKeyName = "data-key"

// KeyFile is the file that holds the data keys: MINXIN_DATA_KEY_FILE, or on the embedded
// database without MINXIN_DATA_KEY the key generated in the data directory. It is empty when
// MINXIN_DATA_KEY gives the keys as a value, which cannot be rotated in place.
func (c Config) KeyFile() string {
	switch {
	case c.DataKeyFile != "":
		return c.DataKeyFile
	case c.DataKey != "" || c.DatabaseURL != "":
		return ""
	}
	return filepath.Join(c.DataDir, dataKeyName)
}

// ReadKeys reads the data keys, the current one first: from MINXIN_DATA_KEY, from its file,
// or on the embedded database from the data directory, where a key is generated the first
// time (as the JWT secret is).
func (c Config) ReadKeys() ([]seal.Key, error) {
	if c.DataKey != "" {
		return seal.ParseKeys(c.DataKey)
	}
	path := c.KeyFile()
	if path == "" {
		return nil, errors.New("MINXIN_DATA_KEY: required when MINXIN_DATABASE_URL is set")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && c.DataKeyFile == "" {
		return c.generateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("data key: %v", err)
	}
	keys, err := seal.ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("data key %s: %v", path, err)
	}
	return keys, nil
}

func (c Config) generateKey(path string) ([]seal.Key, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	k, err := seal.NewKey()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		return c.ReadKeys()
	}
	if err != nil {
		return nil, fmt.Errorf("MINXIN_DATA_DIR: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(seal.FormatKeys([]seal.Key{k})); err != nil {
		return nil, err
	}
	return []seal.Key{k}, f.Sync()
}

// Keys returns the keyring of the data sealed at rest (see ReadKeys).
func (c Config) Keys() (*seal.Keyring, error) {
	keys, err := c.ReadKeys()
	if err != nil {
		return nil, err
	}
	return seal.NewKeyring(keys...)
}

// ReloadKeys reads the key file again and gives the keyring its keys when they changed, as
// after `minxin keys rotate`; it reports whether they did.
func (c Config) ReloadKeys(r *seal.Keyring) (bool, error) {
	if c.KeyFile() == "" {
		return false, nil
	}
	keys, err := c.ReadKeys()
	if err != nil {
		return false, err
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID()
	}
	if strings.Join(ids, ",") == strings.Join(r.IDs(), ",") {
		return false, nil
	}
	return true, r.Replace(keys...)
}

// WriteKeys replaces the key file with keys, the current one first, at once: a reader sees
// the old file or the new one, never half of one.
func (c Config) WriteKeys(keys []seal.Key) error {
	path := c.KeyFile()
	if path == "" {
		return errors.New("MINXIN_DATA_KEY gives the keys as a value, which cannot be rotated in place: give them in a file with MINXIN_DATA_KEY_FILE")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".data-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(seal.FormatKeys(keys)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
