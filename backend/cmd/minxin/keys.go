package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"minxin/backend/internal/app"
	"minxin/backend/internal/config"
	"minxin/backend/internal/seal"
)

// keyReload is how often `serve` reads the key file again, so that a rotation reaches every
// instance without a restart.
var keyReload = 5 * time.Second

// reloadKeysEvery reads the key file every interval and gives the keyring its keys when they
// changed; keys given as a value (MINXIN_DATA_KEY) never change while running.
func reloadKeysEvery(ctx context.Context, cfg config.Config, ring *seal.Keyring, every time.Duration, logger *slog.Logger) {
	if cfg.KeyFile() == "" {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := cfg.ReloadKeys(ring)
		switch {
		case err != nil:
			logger.Error("reading the data keys", "error", err)
		case changed:
			logger.Info("data keys changed", "current", ring.Current(), "keys", ring.IDs())
		}
	}
}

// keysRotate rotates the data keys while the service runs (docs/deployment.md):
//  1. a new key is added to the key file after the current one: every instance, reading the
//     file again within keyReload, can open values sealed under it before any is;
//  2. it becomes the current key: from then on every instance seals under it;
//  3. everything sealed under the old keys is re-sealed under it, in batches, until nothing
//     is left under them (values an instance wrote meanwhile are taken by the next round);
//  4. the old keys leave the file.
//
// With --reseal-only the keys are left as they are (the operator has put a new key first,
// everywhere): steps 3 and 4 only.
func keysRotate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	wait := fs.Duration("wait", 3*keyReload, "how long every instance gets to read the key file again, at each step")
	resealOnly := fs.Bool("reseal-only", false, "keep the keys as they are: re-seal under the current key and retire the others")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	services := app.New(st, app.Options{})
	if _, err := services.Migrate(ctx); err != nil {
		return err
	}
	keys, err := cfg.ReadKeys()
	if err != nil {
		return err
	}
	if !*resealOnly {
		if cfg.KeyFile() == "" {
			return errors.New("MINXIN_DATA_KEY gives the keys as a value, which cannot be rotated in place: put a new key first in it on every instance, restart them, then run `minxin keys rotate --reseal-only` (docs/deployment.md)")
		}
		next, err := seal.NewKey()
		if err != nil {
			return err
		}
		if err := cfg.WriteKeys(append([]seal.Key{keys[0], next}, keys[1:]...)); err != nil {
			return fmt.Errorf("writing the key file: %w", err)
		}
		fmt.Fprintf(stdout, "added key %s; waiting %v for every instance to read it\n", next.ID(), *wait)
		time.Sleep(*wait)
		keys = append([]seal.Key{next}, keys...)
		if err := cfg.WriteKeys(keys); err != nil {
			return fmt.Errorf("writing the key file: %w", err)
		}
		if err := st.Keys().Replace(keys...); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s is current; waiting %v for every instance to seal under it\n", next.ID(), *wait)
		time.Sleep(*wait)
	}
	current, old := keys[0], keys[1:]
	for round := 1; ; round++ {
		n, err := services.Reseal(ctx)
		if err != nil {
			return fmt.Errorf("re-sealing: %w", err)
		}
		var left int64
		for _, k := range old {
			c, err := services.SealedUnder(ctx, k.ID())
			if err != nil {
				return err
			}
			left += c
		}
		fmt.Fprintf(stdout, "round %d: re-sealed %d rows under %s; %d rows left under older keys\n", round, n, current.ID(), left)
		if left == 0 {
			break
		}
		if round == 5 {
			return fmt.Errorf("%d rows are still sealed under older keys after %d rounds: an instance may still seal under an old key; run `minxin keys rotate --reseal-only` once every instance has the new key", left, round)
		}
		time.Sleep(*wait)
	}
	if len(old) == 0 {
		fmt.Fprintln(stdout, "one key only: nothing to retire")
		return nil
	}
	var ids []string
	for _, k := range old {
		ids = append(ids, k.ID())
	}
	if cfg.KeyFile() == "" {
		fmt.Fprintf(stdout, "nothing is sealed under %v any more: remove them from MINXIN_DATA_KEY on every instance; keep them with the backups taken before\n", ids)
		return nil
	}
	if err := cfg.WriteKeys([]seal.Key{current}); err != nil {
		return fmt.Errorf("writing the key file: %w", err)
	}
	fmt.Fprintf(stdout, "retired %v: nothing is sealed under them any more; backups taken before need them, keep them with those backups\n", ids)
	return nil
}

// keysStatus prints the data keys, the current one first, and how many rows each one seals.
func keysStatus(stdout io.Writer) error {
	cfg, st, err := openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	services := app.New(st, app.Options{})
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	keys, err := cfg.ReadKeys()
	if err != nil {
		return err
	}
	source := cfg.KeyFile()
	if source == "" {
		source = "MINXIN_DATA_KEY"
	}
	fmt.Fprintf(stdout, "data keys from %s\n", source)
	for i, k := range keys {
		n, err := services.SealedUnder(ctx, k.ID())
		if err != nil {
			return err
		}
		role := "older"
		if i == 0 {
			role = "current"
		}
		fmt.Fprintf(stdout, "  %s  %-7s  %d rows\n", k.ID(), role, n)
	}
	return nil
}

// vapidKey prints a new VAPID private key (base64url of a P-256 scalar, as webpush-go's
// GenerateVAPIDKeys writes it) for MINXIN_VAPID_PRIVATE_KEY; the public key is derived from
// it. It touches no database: run it once and give every instance the same key.
func vapidKey(stdout io.Writer) error {
	k, err := config.NewVAPIDKey()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, k)
	return err
}
