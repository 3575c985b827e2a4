package video_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
)

// serveTCP answers every connection with answer (after reading the request), then closes it.
func serveTCP(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Read(buf)
				if answer != "" {
					_, _ = c.Write([]byte(answer))
				}
			}()
		}
	}()
	return "rtsp://" + ln.Addr().String() + "/stream"
}

// Something that is not a camera answers on the camera's address: the probe (the camera
// settings' test, `watchpost probe`) and the wall say what it is, not "unreachable".
func TestAttackNotAnRTSPCameraIsNamedAsSuch(t *testing.T) {
	for _, c := range []struct{ name, answer, reason string }{
		{"garbage", "\x16\x03\x01 binary garbage \x00\xff\r\n\r\n", app.ReasonNotRTSP},
		{"a web server", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", app.ReasonHTTP},
		{"a server that hangs up", "", app.ReasonClosed},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := video.Probe(context.Background(), serveTCP(t, c.answer), false, time.Second)
			assert.Equal(t, c.reason, res.Reason, "detail: %s", res.Detail)
		})
	}
}
