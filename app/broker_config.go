package app

import (
	"net/netip"
	"strings"
	"time"
)

// The embedded broker's exposure and limits (issue 15). The console process is the
// broker: every limit here bounds what one client can make the console hold in memory or
// on disk, and a listener beyond loopback must be encrypted and guarded by a strong
// password unless the administrator allows one plain address on purpose.

// BrokerLimits bound what devices and tools can make the embedded broker hold. Each has a
// default (the Default… constants); a zero value means the default.
type BrokerLimits struct {
	// MaxPacketBytes: a larger packet is refused from its header, before it is read
	// (default 64 KiB, the payload contract's own bound plus room for the topic).
	MaxPacketBytes int `json:"max_packet_bytes,omitempty"`
	// SessionExpiry: how long an offline persistent session (its subscriptions and queued
	// messages) is kept (default 24 h).
	SessionExpiry Duration `json:"session_expiry,omitempty"`
	// MaxInflight: QoS 1/2 messages in flight per client, each way (default 1,024).
	MaxInflight int `json:"max_inflight,omitempty"`
	// MaxRetainedBytes: all retained messages together (one per topic); a retained message
	// beyond it is delivered and journaled but not retained (default 1 MiB).
	MaxRetainedBytes int `json:"max_retained_bytes,omitempty"`
	// MaxUnknownDevices: unregistered devices kept (listed to adopt, their messages
	// journaled); messages of further ones are counted and dropped (default 1,000).
	MaxUnknownDevices int `json:"max_unknown_devices,omitempty"`
	// ConnectTimeout: a connection must send its CONNECT (after TLS) within it (default 10 s).
	ConnectTimeout Duration `json:"connect_timeout,omitempty"`
}

// The broker limits' defaults.
const (
	DefaultMaxPacketBytes    = 64 << 10
	DefaultSessionExpiry     = 24 * time.Hour
	DefaultMaxInflight       = 1024
	DefaultMaxRetainedBytes  = 1 << 20
	DefaultMaxUnknownDevices = 1000
	DefaultConnectTimeout    = 10 * time.Second
	// MinBrokerPassword is the shortest password a broker listening beyond loopback accepts.
	MinBrokerPassword = 16
)

// PacketBytes returns the packet limit with its default.
func (l BrokerLimits) PacketBytes() int { return orInt(l.MaxPacketBytes, DefaultMaxPacketBytes) }

// Expiry returns the offline session expiry with its default.
func (l BrokerLimits) Expiry() time.Duration {
	if l.SessionExpiry > 0 {
		return l.SessionExpiry.D()
	}
	return DefaultSessionExpiry
}

// Inflight returns the per-client inflight limit with its default.
func (l BrokerLimits) Inflight() int { return orInt(l.MaxInflight, DefaultMaxInflight) }

// RetainedBytes returns the retained budget with its default.
func (l BrokerLimits) RetainedBytes() int { return orInt(l.MaxRetainedBytes, DefaultMaxRetainedBytes) }

// UnknownDevices returns how many unregistered devices are kept, with its default.
func (l BrokerLimits) UnknownDevices() int {
	return orInt(l.MaxUnknownDevices, DefaultMaxUnknownDevices)
}

// Connect returns the CONNECT timeout with its default.
func (l BrokerLimits) Connect() time.Duration {
	if l.ConnectTimeout > 0 {
		return l.ConnectTimeout.D()
	}
	return DefaultConnectTimeout
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// validate checks the limits' ranges.
func (l BrokerLimits) validate(p *Problems) {
	if n := l.MaxPacketBytes; n < 0 || (n > 0 && (n < 1<<10 || n > 16<<20)) {
		p.Add("broker.limits.max_packet_bytes", "The broker's packet limit is between 1 KiB and 16 MiB")
	}
	if d := l.SessionExpiry; d < 0 || (d > 0 && d.D() < time.Second) || d.D() > 30*24*time.Hour {
		p.Add("broker.limits.session_expiry", "The broker's session expiry is between 1 s and 30 days")
	}
	if n := l.MaxInflight; n < 0 || n > 65535 {
		p.Add("broker.limits.max_inflight", "The broker's inflight limit is between 1 and 65535")
	}
	if n := l.MaxRetainedBytes; n < 0 || n > 256<<20 {
		p.Add("broker.limits.max_retained_bytes", "The broker's retained budget is between 1 byte and 256 MiB")
	}
	if n := l.MaxUnknownDevices; n < 0 || n > 100000 {
		p.Add("broker.limits.max_unknown_devices", "At most 100,000 unknown devices can be kept")
	}
	if d := l.ConnectTimeout; d < 0 || d.D() > 5*time.Minute {
		p.Add("broker.limits.connect_timeout", "The broker's CONNECT timeout is between 1 ms and 5 min")
	}
}

// LoopbackAddress reports whether host:port is bound to loopback only ("localhost",
// 127.0.0.0/8, ::1). An empty host, 0.0.0.0, :: and any other address are beyond loopback.
func LoopbackAddress(hostport string) bool {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return false
	}
	host := strings.Trim(hostport[:i], "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// unspecifiedHost reports whether host:port listens on every address (0.0.0.0, ::, "").
func unspecifiedHost(hostport string) bool {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return true
	}
	host := strings.Trim(hostport[:i], "[]")
	if host == "" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsUnspecified()
}

// weakBrokerPasswords are passwords found in manuals, demos and guesses' first tries.
var weakBrokerPasswords = []string{"1", "12345678", "123456789", "1234567890", "password", "password123", "admin", "admin123",
	"public", "mqtt", "mosquitto", "watchpost", "sunshine-demo", "changeme", "default", "qwertyuiop", "iot", "device"}

// WeakBrokerPassword reports whether a broker password is too weak for a listener beyond
// loopback: shorter than MinBrokerPassword, a well-known one, or one character repeated.
func WeakBrokerPassword(pw string) bool {
	if len([]rune(pw)) < MinBrokerPassword {
		return true
	}
	for _, w := range weakBrokerPasswords {
		if strings.EqualFold(pw, w) {
			return true
		}
	}
	return strings.Count(pw, pw[:1]) == len(pw)
}

// PlainAllowed reports whether the embedded broker's plain listener may listen on addr
// beyond loopback: only when the administrator named exactly that address in allow_plain_on.
func (b BrokerConfig) PlainAllowed(addr string) bool {
	return b.AllowPlainOn != "" && b.AllowPlainOn == addr
}

// CheckExposure refuses an embedded broker reachable beyond loopback without protection:
// a plain listener beyond loopback not allowed on purpose (allow_plain_on), or any
// listener beyond loopback with a weak password. password is the one in force (the
// demo's when the configuration names none).
func (b BrokerConfig) CheckExposure(password string) error {
	plain := b.ListenAddr()
	exposed := false
	if !LoopbackAddress(plain) {
		exposed = true
		if !b.PlainAllowed(plain) {
			return Errorf(CodeInvalid, "The device broker would listen on {{.Address}} without encryption: use tls_listen for devices beyond this machine, or allow one device-network address with allow_plain_on", "Address", plain)
		}
	}
	if b.TLSListen != "" && !LoopbackAddress(b.TLSListen) {
		exposed = true
	}
	if exposed && WeakBrokerPassword(password) {
		return Errorf(CodeInvalid, "The device broker listens beyond this machine: its password must have at least {{.N}} characters and not be a well-known one", "N", MinBrokerPassword)
	}
	return nil
}

// validateExposure checks the TLS and plain-listener settings (the settings panel refuses
// them as it saves; a start refuses them too, with the password in force: CheckExposure).
func (b BrokerConfig) validateExposure(p *Problems) {
	if l := b.ListenAddr(); validHostPort(l) && !LoopbackAddress(l) && !b.PlainAllowed(l) {
		p.Add("broker.listen", "The device broker would listen on {{.Address}} without encryption: use tls_listen for devices beyond this machine, or allow one device-network address with allow_plain_on", "Address", l)
	}
	if b.Password != "" && b.CheckExposure(b.Password) != nil && (b.PlainAllowed(b.ListenAddr()) || b.TLSListen != "") {
		p.Add("broker.password", "The device broker listens beyond this machine: its password must have at least {{.N}} characters and not be a well-known one", "N", MinBrokerPassword)
	}
	if b.TLSListen != "" && !validHostPort(b.TLSListen) {
		p.Add("broker.tls_listen", "The broker address {{.A}} must be host:port", "A", b.TLSListen)
	}
	if (b.TLSCertFile == "") != (b.TLSKeyFile == "") {
		p.Add("broker.tls_cert_file", "Give both the certificate and the key file of the broker's TLS listener, or neither (a self-signed certificate is made)")
	}
	if (b.TLSCertFile != "" || b.TLSKeyFile != "") && b.TLSListen == "" {
		p.Add("broker.tls_listen", "The broker's certificate is set but tls_listen is not: give the TLS listener's address")
	}
	if a := b.AllowPlainOn; a != "" {
		switch {
		case !validHostPort(a):
			p.Add("broker.allow_plain_on", "The broker address {{.A}} must be host:port", "A", a)
		case unspecifiedHost(a) || strings.HasSuffix(a, ":0"):
			p.Add("broker.allow_plain_on", "allow_plain_on names one address of the device network with its port (such as 192.168.10.2:1883), never 0.0.0.0 or port 0")
		case a != b.ListenAddr():
			p.Add("broker.allow_plain_on", "allow_plain_on ({{.A}}) is not the broker's listen address ({{.L}})", "A", a, "L", b.ListenAddr())
		}
	}
	b.Limits.validate(p)
}
