package pgcluster

import (
	"fmt"
	"os"
	"testing"
)

// Ports is the range tests take clusters' ports from: MINXIN_TEST_CLUSTER_PORTS, "first-last"
// (5450-5455 by default; never 5432).
func Ports() (first, last int, err error) {
	first, last = 5450, 5455
	if v := os.Getenv("MINXIN_TEST_CLUSTER_PORTS"); v != "" {
		if _, err := fmt.Sscanf(v, "%d-%d", &first, &last); err != nil || first > last || first <= 5432 && last >= 5432 {
			return 0, 0, fmt.Errorf("MINXIN_TEST_CLUSTER_PORTS=%q: want first-last, without 5432", v)
		}
	}
	return first, last, nil
}

// Require skips t when clusters cannot be made on this machine, and fails it instead when
// MINXIN_REQUIRE_CLUSTERS=1 (CI sets it, so that a missing package is not a silent skip).
func Require(t testing.TB) {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("MINXIN_REQUIRE_CLUSTERS") == "1" {
			t.Fatalf("MINXIN_REQUIRE_CLUSTERS=1, but: %v", err)
		}
		t.Skipf("no PostgreSQL clusters of our own here: %v", err)
	}
}

// New makes a running primary for t on a port of its own, dropped when t ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	Require(t)
	first, last, err := Ports()
	if err != nil {
		t.Fatal(err)
	}
	port, lock, err := Reserve(first, last)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Create(port, lock)
	if err != nil {
		lock.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Drop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// Replicated makes a primary and a hot standby streaming from it for t, the standby
// synchronous (a commit is acknowledged once it is on both disks), dropped when t ends.
func Replicated(t testing.TB) (primary, standby *Cluster) {
	t.Helper()
	primary = New(t)
	first, last, _ := Ports()
	port, lock, err := Reserve(first, last)
	if err != nil {
		t.Fatal(err)
	}
	standby, err = primary.Standby(port, lock)
	if err != nil {
		lock.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := standby.Drop(); err != nil {
			t.Error(err)
		}
	})
	if err := primary.SetSynchronousStandby(standby.Name); err != nil {
		t.Fatal(err)
	}
	return primary, standby
}
