package video

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"

	"watchpost/app"
)

// errNoCodec: the camera offers no stream we can decode.
var errNoCodec = errors.New("no H.264, H.265 or MJPEG video in the camera's description")

// errBadURL wraps a URL that cannot be used.
type errBadURL struct{ err error }

func (e errBadURL) Error() string { return "invalid RTSP URL: " + e.err.Error() }

// permanent reports whether retrying soon is pointless (the configuration must change):
// such failures are retried slowly.
func permanent(reason string) bool {
	return reason == app.ReasonWrongPassword || reason == app.ReasonNoCodec || reason == app.ReasonBadURL || reason == app.ReasonRefused ||
		reason == app.ReasonHTTP || reason == app.ReasonNotRTSP
}

// classify turns a connection error into an operator's reason (app.Reason…).
func classify(err error) string {
	var bad liberrors.ErrClientBadStatusCode
	var badURL errBadURL
	var netErr net.Error
	var notRTSP errNotRTSP
	switch {
	case err == nil:
		return ""
	case errors.As(err, &notRTSP):
		return notRTSP.reason
	case errors.As(err, &badURL):
		return app.ReasonBadURL
	case errors.Is(err, errNoCodec):
		return app.ReasonNoCodec
	case errors.As(err, &bad):
		switch bad.Code {
		case 401, 403:
			return app.ReasonWrongPassword
		}
		return app.ReasonRefused
	case errors.As(err, new(liberrors.ErrClientTCPTimeout)), errors.As(err, new(liberrors.ErrClientUDPTimeout)),
		errors.As(err, new(liberrors.ErrClientRequestTimedOut)), errors.Is(err, context.DeadlineExceeded):
		return app.ReasonTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.As(err, new(*net.DNSError)):
		return app.ReasonUnreachable
	case errors.As(err, &netErr) && netErr.Timeout():
		return app.ReasonUnreachable
	case errors.As(err, new(liberrors.ErrClientUnsupportedScheme)):
		return app.ReasonBadURL
	}
	msg := err.Error()
	if strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") {
		return app.ReasonUnreachable
	}
	return app.ReasonUnreachable
}

// scrub removes a URL's password from an error text.
func scrub(text, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return text
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		text = strings.ReplaceAll(text, pw, "xxxxx")
	}
	return text
}
