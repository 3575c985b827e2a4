package devices

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"syscall"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"

	"watchpost/app"
)

// A connection to the site's broker that fails is shown with its reason on the status bar
// while paho keeps retrying (SetConnectRetry): without it the status said "starting" for
// ever, whether the certificate was not trusted, the password wrong or nothing listened.

// onNotification is paho's connection notification handler: a failed attempt sets the
// broker's status to down with the reason; the next success sets it back (onConnect).
func (c *Client) onNotification(_ paho.Client, n paho.ConnectionNotification) {
	if f, ok := n.(paho.ConnectionNotificationFailed); ok && f.Reason != nil {
		err := connectError(f.Reason)
		c.status(app.StateDown, err)
		c.cfg.Log.Warn("device broker: cannot connect", "url", app.RedactURL(c.cfg.URL), "err", f.Reason)
	}
}

// connectError puts why a connection to the broker failed in an operator's words; the
// technical cause stays as the detail.
func connectError(err error) error {
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &verify) && errors.As(verify.Err, &unknownCA):
		return app.Errorf(app.CodeUnavailable, "The broker's TLS certificate is not trusted: give the CA that signed it in broker.ca_file").Wrap(err)
	case errors.As(err, &hostname):
		return app.Errorf(app.CodeUnavailable, "The broker's TLS certificate is for another name than the address given").Wrap(err)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return app.Errorf(app.CodeUnavailable, "The broker's TLS certificate is not valid (expired, or not for a server)").Wrap(err)
	case errors.As(err, &record):
		return app.Errorf(app.CodeUnavailable, "The broker does not speak TLS at this address: use tcp:// or the broker's TLS port").Wrap(err)
	case errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword), errors.Is(err, packets.ErrorRefusedNotAuthorised):
		return app.Errorf(app.CodeUnauthenticated, "The broker refused the user name or password").Wrap(err)
	case errors.Is(err, packets.ErrorRefusedIDRejected):
		return app.Errorf(app.CodeUnavailable, "The broker refused the client ID").Wrap(err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return app.Errorf(app.CodeUnavailable, "Nothing listens at the broker's address (connection refused)").Wrap(err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, packets.ErrorRefusedBadProtocolVersion):
		return app.Errorf(app.CodeUnavailable, "The server at the broker's address closed the connection: is it an MQTT broker, and does it expect TLS (ssl://)?").Wrap(err)
	}
	return app.Errorf(app.CodeUnavailable, "Cannot connect to the broker").Wrap(err)
}
