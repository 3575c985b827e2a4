package devices

// Who may connect to the embedded broker, and what each may do (issue 15).
//
// Two kinds of account, kept apart:
//   - the console/tool account (broker.username / broker.password in the configuration): the
//     console's own clients and tools such as mosquitto_sub; full access to watchpost/#,
//     but never under a device's client ID (a tool cannot knock a device off);
//   - a device account: the user name is the device's ID, the password its own (made by the
//     core when the device is added or adopted, app.DeviceCredentials). It may connect only
//     with its ID as client ID, or <ID>/<anything> (a second connection of the same device,
//     or an installer's test with mosquitto_pub -i <ID>/test); publish only under
//     watchpost/<site>/<ID>/…; subscribe only to watchpost/<site>/<ID>/command; and set a
//     Last Will only on its own topics (mochi publishes a will without any ACL check).
//
// A device not registered in the site (never added, adopted, or deleted since) has no
// account: it is refused. Its messages can only come through the console account (a
// gateway), which is how the device panel still lists unregistered devices to adopt;
// adopting one makes its credentials.
//
// Failed sign-ins are logged (user name, client ID and address, never the password) and
// throttled per remote address: after 10 failures an address gets at most 5 attempts a
// second, the excess refused without being checked.

import (
	"crypto/subtle"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// DeviceAccounts checks a device's own credentials (app.DeviceCredentials implements it).
type DeviceAccounts interface {
	// VerifyDevice reports whether password is the current password of the registered
	// device deviceID.
	VerifyDevice(deviceID, password string) bool
}

// ClientIDOf tells whether a client ID is the device's own: its ID, or <ID>/<anything>.
func ClientIDOf(clientID, deviceID string) bool {
	return clientID == deviceID || strings.HasPrefix(clientID, deviceID+"/")
}

// deviceOfClientID returns the device ID a client ID claims (what precedes the first "/").
func deviceOfClientID(clientID string) string {
	if i := strings.IndexByte(clientID, '/'); i >= 0 {
		return clientID[:i]
	}
	return clientID
}

// Throttle's numbers (issue 15): free tries, then a rate.
const (
	authFreeFailures = 10
	authRatePerSec   = 5
	authForgetAfter  = 10 * time.Minute // an address without a failure this long starts afresh
	authMaxAddresses = 10000            // addresses remembered at most
)

// authHook is the broker's authentication and ACL hook.
type authHook struct {
	mqtt.HookBase
	site                   string
	consoleUser, consolePw string
	devices                DeviceAccounts // nil: no device account (the console account only)
	registered             func(id string) bool
	throttle               *authThrottle
	log                    *slog.Logger
}

// newAuthHook builds the hook of one Run of the broker.
func (b *Broker) newAuthHook() *authHook {
	h := &authHook{site: b.cfg.Site, consoleUser: b.cfg.Username, consolePw: b.cfg.Password, devices: b.cfg.Devices,
		registered: func(id string) bool { return id != "" && b.kindOf(id) != "" },
		throttle:   newAuthThrottle(time.Now), log: b.cfg.Log}
	h.throttle.log = func(addr string, refused int) {
		h.log.Warn("device broker: sign-ins throttled after repeated failures", "remote", addr, "refused", refused)
	}
	return h
}

func (h *authHook) ID() string { return "watchpost-auth" }

func (h *authHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

// OnConnectAuthenticate decides whether a client may connect.
func (h *authHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	addr := remoteHost(cl.Net.Remote)
	user := string(pk.Connect.Username)
	if !h.throttle.allow(addr) {
		return false // refused unchecked; the throttle logs now and then how many
	}
	if user == h.consoleUser {
		if subtle.ConstantTimeCompare(pk.Connect.Password, []byte(h.consolePw)) != 1 {
			h.failed(addr, user, cl.ID, "wrong password")
			return false
		}
		if h.registered(deviceOfClientID(cl.ID)) {
			// The console account is trusted with every topic, but a device's client ID is the
			// device's: taking it would disconnect the device (MQTT's session takeover).
			h.log.Warn("device broker: refused the console account under a device's client ID", "user", user, "client", cl.ID, "remote", addr)
			return false
		}
		return true
	}
	if h.devices == nil || user == "" || !h.devices.VerifyDevice(user, string(pk.Connect.Password)) {
		h.failed(addr, user, cl.ID, "unknown device or wrong password")
		return false
	}
	if !ClientIDOf(cl.ID, user) {
		h.log.Warn("device broker: refused a device under another client ID", "user", user, "client", cl.ID, "remote", addr)
		return false
	}
	if pk.Connect.WillFlag && !h.deviceMayWrite(user, pk.Connect.WillTopic) {
		h.log.Warn("device broker: refused a device whose Last Will is on another's topic", "user", user, "client", cl.ID,
			"will", pk.Connect.WillTopic, "remote", addr)
		return false
	}
	return true
}

func (h *authHook) failed(addr, user, clientID, why string) {
	n := h.throttle.failed(addr)
	h.log.Warn("device broker: authentication failed", "user", user, "client", clientID, "remote", addr, "reason", why, "failures", n)
}

// OnACLCheck limits a device account to its own topics; the console account may do
// anything under watchpost/.
func (h *authHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	user := string(cl.Properties.Username)
	if user == h.consoleUser {
		return strings.HasPrefix(topic, TopicRoot+"/") // watchpost/#, as before devices had accounts
	}
	if write {
		return h.deviceMayWrite(user, topic)
	}
	return topic == h.devicePrefix(user)+"command"
}

func (h *authHook) devicePrefix(id string) string { return TopicRoot + "/" + h.site + "/" + id + "/" }

func (h *authHook) deviceMayWrite(id, topic string) bool {
	p := h.devicePrefix(id)
	return len(topic) > len(p) && strings.HasPrefix(topic, p) && !strings.ContainsAny(topic, "+#")
}

func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// authThrottle counts failed sign-ins per remote address.
type authThrottle struct {
	mu    sync.Mutex
	now   func() time.Time
	addrs map[string]*addrFailures
	log   func(addr string, refused int) // said at most every 10 s per address
}

type addrFailures struct {
	failures int
	last     time.Time // the last failure
	tokens   float64   // attempts allowed now, once throttled
	refilled time.Time
	refused  int // refused unchecked since the last log line
	logged   time.Time
}

func newAuthThrottle(now func() time.Time) *authThrottle {
	return &authThrottle{now: now, addrs: map[string]*addrFailures{}}
}

// allow reports whether an attempt from addr may be checked (and spends it).
func (t *authThrottle) allow(addr string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.addrs[addr]
	now := t.now()
	if a == nil {
		return true
	}
	if now.Sub(a.last) > authForgetAfter {
		delete(t.addrs, addr)
		return true
	}
	if a.failures < authFreeFailures {
		return true
	}
	a.tokens = min(float64(authRatePerSec), a.tokens+now.Sub(a.refilled).Seconds()*authRatePerSec)
	a.refilled = now
	if a.tokens >= 1 {
		a.tokens--
		return true
	}
	a.refused++
	if t.log != nil && now.Sub(a.logged) >= 10*time.Second {
		t.log(addr, a.refused)
		a.refused, a.logged = 0, now
	}
	return false
}

// failed counts a failure from addr and returns how many there were.
func (t *authThrottle) failed(addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	a := t.addrs[addr]
	if a == nil || now.Sub(a.last) > authForgetAfter {
		if len(t.addrs) >= authMaxAddresses {
			t.forget(now)
		}
		a = &addrFailures{}
		t.addrs[addr] = a
	}
	a.failures++
	a.last = now
	if a.failures == authFreeFailures {
		a.tokens, a.refilled = 0, now // throttled from now on: 5 a second
	}
	return a.failures
}

// forget drops the addresses not heard of for a while, or one at random when all are recent
// (a flood from many addresses must not grow memory without bound).
func (t *authThrottle) forget(now time.Time) {
	for addr, a := range t.addrs {
		if now.Sub(a.last) > authForgetAfter {
			delete(t.addrs, addr)
		}
	}
	for addr := range t.addrs {
		if len(t.addrs) < authMaxAddresses {
			break
		}
		delete(t.addrs, addr)
	}
}
