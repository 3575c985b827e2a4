package video

import (
	"bytes"
	"context"
	"net"
	"sync"

	"watchpost/app"
)

// A camera address may lead to something that is not an RTSP camera: a web server (the
// camera's own web page on the wrong port, a router), some other service, or a server that
// hangs up at once. gortsplib then only says EOF, which an operator reads as "unreachable".
// sniff keeps the first bytes the server sent on the connection, so that the failure of
// the first request can be named (errNotRTSP).

// sniff records the start of what a connection received.
type sniff struct {
	mu        sync.Mutex
	head      []byte
	total     int
	connected bool
}

func (s *sniff) dial(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.connected = true
	s.mu.Unlock()
	return &sniffConn{Conn: c, s: s}, nil
}

type sniffConn struct {
	net.Conn
	s *sniff
}

func (c *sniffConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.s.mu.Lock()
		if len(c.s.head) < 16 {
			c.s.head = append(c.s.head, p[:min(n, 16-len(c.s.head))]...)
		}
		c.s.total += n
		c.s.mu.Unlock()
	}
	return n, err
}

// errNotRTSP: the server at the camera's address did not answer as an RTSP camera.
type errNotRTSP struct {
	reason string // app.ReasonHTTP, app.ReasonNotRTSP or app.ReasonClosed
	err    error  // what the RTSP client said
}

func (e errNotRTSP) Error() string { return e.reason + ": " + e.err.Error() }
func (e errNotRTSP) Unwrap() error { return e.err }

// explain names a failed first request by what the server sent: nothing (it closed the
// connection), an HTTP answer, or anything that does not start as an RTSP answer. Other
// failures (no connection at all, a timeout, an RTSP answer) are left as they are.
func (s *sniff) explain(err error) error {
	s.mu.Lock()
	head, total, connected := append([]byte(nil), s.head...), s.total, s.connected
	s.mu.Unlock()
	if err == nil || !connected || classify(err) != app.ReasonUnreachable {
		return err
	}
	rtsp := []byte("RTSP/")
	switch {
	case total == 0:
		return errNotRTSP{app.ReasonClosed, err}
	case bytes.HasPrefix(head, []byte("HTTP/")):
		return errNotRTSP{app.ReasonHTTP, err}
	case !bytes.HasPrefix(head, rtsp) && !bytes.HasPrefix(rtsp, head):
		return errNotRTSP{app.ReasonNotRTSP, err}
	}
	return err
}
