//go:build proof

package proof

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"minxin/backend/internal/apitest"
)

// TestConnectionLimit: an instance with MINXIN_MAX_CONNECTIONS=16 answers on 16 open
// connections; the 17th waits until one of them closes.
func TestConnectionLimit(t *testing.T) {
	env := apitest.New(t, "postgres")
	i := newInstance(t, "minxin-limited", env, "MINXIN_MAX_CONNECTIONS=16")
	i.start()
	healthz := func(c net.Conn) error {
		c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: minxin\r\n\r\n")); err != nil {
			return err
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil && !strings.Contains(line, " 200 ") {
			t.Errorf("healthz: %q", line)
		}
		return err
	}
	var open []net.Conn
	for k := range 16 {
		c, err := net.Dial("tcp", i.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := healthz(c); err != nil {
			t.Fatalf("connection %d: %v", k+1, err)
		}
		open = append(open, c)
	}
	extra, err := net.Dial("tcp", i.addr) // the kernel accepts it into the backlog
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetDeadline(time.Now().Add(time.Second))
	if _, err := extra.Write([]byte("GET /healthz HTTP/1.1\r\nHost: minxin\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	answer := bufio.NewReader(extra)
	if line, err := answer.ReadString('\n'); err == nil {
		t.Fatalf("a 17th connection was answered while 16 were open: %q", line)
	}
	// Once one of the 16 closes, the waiting connection is accepted and its request answered.
	open[0].Close()
	extra.SetDeadline(time.Now().Add(5 * time.Second))
	if line, err := answer.ReadString('\n'); err != nil || !strings.Contains(line, " 200 ") {
		t.Fatalf("after a connection closed: %q %v", line, err)
	}
}
