package seal

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func key(t *testing.T, c byte) Key {
	t.Helper()
	k, err := ParseKey(strings.Repeat(string([]byte{c}), 64))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ring(t *testing.T, keys ...Key) *Keyring {
	t.Helper()
	r, err := NewKeyring(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealOpens(t *testing.T) {
	r := ring(t, key(t, 'a'))
	for _, plain := range []string{"", "张三", "13800001234", "=cmd|' /C calc'!A0", strings.Repeat("长", 5000), "\x00\xff"} {
		s := r.Seal(plain, "petition:1")
		if !IsSealed(s) || !strings.HasPrefix(s, Sealed(r.Current())) {
			t.Fatalf("%q sealed as %q", plain, s)
		}
		if strings.Contains(s, plain) && plain != "" {
			t.Fatalf("the sealed value shows the plain text: %q", s)
		}
		got, err := r.Open(s, "petition:1")
		if err != nil || got != plain {
			t.Fatalf("open %q: %q %v", plain, got, err)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	r := ring(t, key(t, 'a'))
	if a, b := r.Seal("张三", "x"), r.Seal("张三", "x"); a == b {
		t.Fatalf("the same value sealed twice alike: %q", a)
	}
}

func TestOpenRefuses(t *testing.T) {
	a, b := key(t, 'a'), key(t, 'b')
	r := ring(t, a)
	good := r.Seal("13800001234", "petition:1")
	kid, body, _ := split(good)
	raw, _ := base64.RawURLEncoding.DecodeString(string(body))
	flip := func(i int) string {
		c := append([]byte(nil), raw...)
		c[i] ^= 1
		return Sealed(string(kid)) + base64.RawURLEncoding.EncodeToString(c)
	}
	cases := []struct {
		name    string
		ring    *Keyring
		sealed  string
		context string
		want    error
	}{
		{"plain text", r, "13800001234", "petition:1", ErrNotSealed},
		{"empty", r, "", "petition:1", ErrNotSealed},
		{"an index", r, r.PhoneIndex("13800001234"), "petition:1", ErrNotSealed},
		{"a kid that is not hex", r, "v1:zzzzzzzz:" + string(body), "petition:1", ErrNotSealed},
		{"unknown kid", ring(t, b), good, "petition:1", ErrUnknownKey},
		{"wrong key under the same kid", r, Sealed(string(kid)) + string(ring(t, b).SealBytes([]byte("x"), "petition:1")[len(Sealed(ring(t, b).Current())):]), "petition:1", ErrTampered},
		{"another record", r, good, "petition:2", ErrTampered},
		{"nonce flipped", r, flip(0), "petition:1", ErrTampered},
		{"ciphertext flipped", r, flip(14), "petition:1", ErrTampered},
		{"tag flipped", r, flip(len(raw) - 1), "petition:1", ErrTampered},
		{"cut short", r, Sealed(string(kid)) + base64.RawURLEncoding.EncodeToString(raw[:20]), "petition:1", ErrTampered},
		{"truncated by one", r, good[:len(good)-1], "petition:1", ErrTampered},
		{"not base64", r, Sealed(string(kid)) + "!!!!" + string(body), "petition:1", ErrTampered},
		{"kid rewritten", ring(t, a, b), Sealed(ring(t, b).Current()) + string(body), "petition:1", ErrTampered},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.ring.Open(c.sealed, c.context)
			if !errors.Is(err, c.want) {
				t.Fatalf("open: %q, %v; want %v", got, err, c.want)
			}
			if got != "" {
				t.Fatalf("a refused value answered %q", got)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old, next := key(t, 'a'), key(t, 'b')
	before := ring(t, old)
	sealedOld := before.Seal("张三", "petition:1")
	during := ring(t, next, old)
	if during.Current() != next.ID() || !during.Has(old.ID()) {
		t.Fatalf("ring order: %v", during.IDs())
	}
	if got, err := during.Open(sealedOld, "petition:1"); err != nil || got != "张三" {
		t.Fatalf("the old key no longer opens: %q %v", got, err)
	}
	sealedNew := during.Seal("张三", "petition:1")
	if k, _ := KeyOf(sealedNew); k != next.ID() {
		t.Fatalf("sealed under %s, want the new key %s", k, next.ID())
	}
	after := ring(t, next)
	if _, err := after.Open(sealedOld, "petition:1"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a retired key still opens: %v", err)
	}
	// Replace swaps the keys of a ring in use.
	before.Replace(next, old)
	if before.Current() != next.ID() {
		t.Fatal("Replace did not change the current key")
	}
}

func TestPhoneIndex(t *testing.T) {
	a, b := key(t, 'a'), key(t, 'b')
	r := ring(t, a)
	x := r.PhoneIndex("13800001234")
	if strings.Contains(x, "1380000") || !strings.HasPrefix(x, IndexedWith(a.ID())) || len(x) != len(IndexedWith(a.ID()))+32 {
		t.Fatalf("index %q", x)
	}
	for _, same := range []string{"138 0000 1234", "138-0000-1234", " 13800001234\t", "138\u30000000\u30001234"} {
		if r.PhoneIndex(same) != x {
			t.Errorf("%q indexes differently from 13800001234", same)
		}
	}
	if r.PhoneIndex("13800001235") == x {
		t.Error("two phones index alike")
	}
	if ring(t, b).PhoneIndex("13800001234") == x {
		t.Error("the index does not depend on the key")
	}
	both := ring(t, b, a).PhoneIndexes("13800001234")
	if len(both) != 2 || both[1] != x || both[0] != ring(t, b).PhoneIndex("13800001234") {
		t.Errorf("indexes under the ring: %v", both)
	}
	// The index key is not the sealing key, nor the key itself.
	if k, ok := KeyOf(x); !ok || k != a.ID() {
		t.Errorf("KeyOf(index) = %q %v", k, ok)
	}
}

func TestParseKeys(t *testing.T) {
	a, b := key(t, 'a').String(), key(t, 'b').String()
	cases := []struct {
		text string
		n    int
		ok   bool
	}{
		{a, 1, true},
		{a + "\n", 1, true},
		{"# current first\n" + b + "\n" + a + "\n", 2, true},
		{b + "," + a, 2, true},
		{a + "\n" + a, 1, true},
		{"", 0, false},
		{"# only a comment", 0, false},
		{a[:63], 0, false},
		{a + "0", 0, false},
		{strings.Repeat("g", 64), 0, false},
		{strings.Repeat("s", 40), 0, false},
	}
	for _, c := range cases {
		keys, err := ParseKeys(c.text)
		if (err == nil) != c.ok || len(keys) != c.n {
			t.Errorf("ParseKeys(%q) = %d keys, %v", c.text, len(keys), err)
		}
	}
	keys, _ := ParseKeys(FormatKeys([]Key{key(t, 'b'), key(t, 'a')}))
	if len(keys) != 2 || keys[0] != key(t, 'b') {
		t.Errorf("FormatKeys does not round-trip: %v", keys)
	}
	if key(t, 'a').ID() == key(t, 'b').ID() || len(key(t, 'a').ID()) != 8 || strings.Contains(a, key(t, 'a').ID()) {
		t.Errorf("key ids: %s %s", key(t, 'a').ID(), key(t, 'b').ID())
	}
}

func BenchmarkSealOpen(b *testing.B) {
	k, _ := NewKey()
	r, _ := NewKeyring(k)
	for b.Loop() {
		s := r.Seal("13800001234", "petition:0b7f3c1e-5d2a-4c1b-9e8f-2a3b4c5d6e7f")
		if _, err := r.Open(s, "petition:0b7f3c1e-5d2a-4c1b-9e8f-2a3b4c5d6e7f"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	k, _ := NewKey()
	r, _ := NewKeyring(k)
	s := r.Seal("13800001234", Portable)
	for b.Loop() {
		if _, err := r.Open(s, Portable); err != nil {
			b.Fatal(err)
		}
	}
}
