package apitest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Wire is a TCP proxy in front of PostgreSQL that reads what clients send and counts their
// round trips: in PostgreSQL's protocol a client waits for the server after each Sync (the
// end of an extended-protocol request: Parse/Bind/Execute…) and after each simple Query,
// and only then. The pool's liveness check (pgx's "-- ping", sent before reusing a
// connection idle for more than a second) is counted apart. The connection must not use TLS
// (sslmode=disable).
type Wire struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	trips []Trip
	pings int
}

// Trip is one round trip: the statements the client sent before it waited.
type Trip struct{ Statements []string }

// NewWire starts a proxy to the PostgreSQL of PostgresURL, closed when the test ends.
func NewWire(t testing.TB) *Wire {
	t.Helper()
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &Wire{ln: ln, target: u.Host}
	t.Cleanup(func() { ln.Close() })
	go w.accept()
	return w
}

// Via answers a database URL that connects through the proxy.
func (w *Wire) Via(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		panic(err)
	}
	u.Host = w.ln.Addr().String()
	return u.String()
}

// Take answers the round trips and pings counted since the last Take, and starts again.
func (w *Wire) Take() (trips []Trip, pings int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	trips, pings = w.trips, w.pings
	w.trips, w.pings = nil, 0
	return trips, pings
}

func (w *Wire) accept() {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		go w.serve(c)
	}
}

func (w *Wire) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", w.target)
	if err != nil {
		return
	}
	defer server.Close()
	go func() { io.Copy(client, server); client.Close() }()
	w.read(bufio.NewReader(client), server)
}

// read forwards what the client sends, message by message, and notes its round trips.
func (w *Wire) read(r *bufio.Reader, server io.Writer) {
	// Start-up messages have no type byte: a length, then a code (SSLRequest, GSSENCRequest,
	// CancelRequest, or the protocol version of the StartupMessage).
	for {
		head := make([]byte, 8)
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(head[:4])
		rest := make([]byte, int(n)-8)
		if _, err := io.ReadFull(r, rest); err != nil {
			return
		}
		if _, err := server.Write(append(head, rest...)); err != nil {
			return
		}
		if code := binary.BigEndian.Uint32(head[4:]); code == 196608 {
			break // StartupMessage, protocol 3.0
		}
	}
	prepared := map[string]string{} // statement name → text, from Parse
	var sent []string
	for {
		head := make([]byte, 5)
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint32(head[1:]))-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch head[0] {
		case 'P': // Parse: name, text, parameter types
			name, rest := cstring(body)
			text, _ := cstring(rest)
			prepared[name] = text
			sent = append(sent, "PARSE "+text)
		case 'B': // Bind: portal, statement, …
			_, rest := cstring(body)
			name, _ := cstring(rest)
			sent = append(sent, prepared[name])
		case 'Q': // simple query
			text, _ := cstring(body)
			w.mu.Lock()
			if strings.TrimSpace(text) == "-- ping" && len(sent) == 0 {
				w.pings++
			} else {
				w.trips = append(w.trips, Trip{Statements: append(sent, text)})
			}
			w.mu.Unlock()
			sent = nil
		case 'S': // Sync
			w.mu.Lock()
			w.trips = append(w.trips, Trip{Statements: sent})
			w.mu.Unlock()
			sent = nil
		}
		if _, err := server.Write(append(head, body...)); err != nil {
			return
		}
	}
}

// cstring splits a NUL-terminated string off b.
func cstring(b []byte) (string, []byte) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return string(b), nil
	}
	return string(b[:i]), b[i+1:]
}
