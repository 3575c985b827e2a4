package devices

// The embedded broker is a runner, like every long-running part of Watchpost (DESIGN.md):
// NewBroker checks its configuration and binds its listener (so that Addr is known at once,
// port 0 included) and starts nothing; Run serves until its context ends and returns only
// when everything it started has stopped. One supervisor runs every part the same way,
// restarts one whose Run failed with one backoff policy, and stops them in the reverse order
// of their start (the broker after the parts that publish to it). A failed Run cleans up
// and returns its error; the next Run binds the same address again.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"watchpost/app"
)

// Handler is what the device path delivers decoded messages to: Handle must return only
// when the reading is durable (the broker acknowledges the message after it returns).
type Handler interface {
	Handle(ctx context.Context, r app.Reading, topic string) error
	NoteMalformed(topic, reason string, size int)
}

// KindOf tells the registered kind of a device ("" for an unknown device).
type KindOf func(deviceID string) app.DeviceKind

// BrokerConfig configures the embedded broker.
type BrokerConfig struct {
	Listen   string // default 127.0.0.1:1883; port 0: any free port (Broker.Addr says which)
	Username string // the console's and tools' account (mosquitto_sub); devices have their own (auth.go)
	Password string
	Site     string // topics watchpost/<Site>/… are ingested
	Log      *slog.Logger

	// Devices checks each device's own account (auth.go); nil: none, the console's only.
	Devices DeviceAccounts
	// TLSListen is the TLS listener's address ("" for none), with the administrator's
	// certificate and key (PEM) or neither: a self-signed pair is then made in DataDir.
	TLSListen, TLSCertFile, TLSKeyFile string
	// AllowPlainOn allows the plain listener beyond loopback on exactly this address.
	AllowPlainOn string
	Limits       app.BrokerLimits
	// DataDir is the data directory: the self-signed certificate and the journal's reserve
	// (journal_guard.go) are kept there ("" for neither).
	DataDir string
	// Watch receives what the broker refused and its exposure (nil: not shown).
	Watch *app.BrokerWatch
	// Desk raises the system's P1 fault alarms: the journal full, the broker unable to
	// listen again after a failure (nil: none raised).
	Desk FaultDesk
}

// Broker is the embedded MQTT broker (mochi). Devices publish to it directly. Messages on
// the site's device topics are decoded and handed to the core inside the broker before
// the device gets its PUBACK: a QoS 1 message that a device saw acknowledged is already in
// the journal, even if the console is killed the next instant.
type Broker struct {
	cfg     BrokerConfig
	handler Handler
	kindOf  KindOf
	health  *app.Health

	tls   *tls.Config   // of the TLS listener (nil without one)
	guard *journalGuard // the journal's failures and recovery

	mu      sync.Mutex
	lns     []net.Listener // bound, not yet served: by NewBroker for the first Run, by each Run for itself after
	server  *mqtt.Server   // the Run in progress's (nil between runs)
	running bool
}

// listenerID names the broker's one listener inside mochi.
const listenerID = "devices"

// NewBroker checks the configuration and binds the listener; Run serves it.
func NewBroker(cfg BrokerConfig, h Handler, kindOf KindOf, health *app.Health) (*Broker, error) {
	if cfg.Listen == "" {
		cfg.Listen = app.DefaultBrokerListen
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if h == nil || kindOf == nil || cfg.Site == "" || cfg.Username == "" || cfg.Password == "" {
		// The configuration was validated by app (and main refuses to start a broker
		// without a password): this is a caller's mistake, never an open broker.
		return nil, errors.New("devices: the broker needs a handler, a device registry, a site, a user name and a password")
	}
	// A broker reachable beyond this machine is encrypted and guarded by a strong password,
	// unless the administrator allowed a plain listener on one device-network address.
	exposure := app.BrokerConfig{Listen: cfg.Listen, TLSListen: cfg.TLSListen, AllowPlainOn: cfg.AllowPlainOn}
	if err := exposure.CheckExposure(cfg.Password); err != nil {
		return nil, err
	}
	b := &Broker{cfg: cfg, handler: h, kindOf: kindOf, health: health}
	fingerprint := ""
	if cfg.TLSListen != "" {
		host, _, err := net.SplitHostPort(cfg.TLSListen)
		if err != nil {
			return nil, app.Errorf(app.CodeInvalid, "The broker address {{.A}} must be host:port", "A", cfg.TLSListen).Wrap(err)
		}
		cert, fp, err := loadCertificate(cfg.TLSCertFile, cfg.TLSKeyFile, cfg.DataDir, host)
		if err != nil {
			return nil, err
		}
		fingerprint = fp
		b.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	plain, err := bindAddr(&b.cfg.Listen)
	if err != nil {
		return nil, err
	}
	b.lns = []net.Listener{plain}
	if b.tls != nil {
		ln, err := bindAddr(&b.cfg.TLSListen)
		if err != nil {
			plain.Close()
			return nil, err
		}
		b.lns = append(b.lns, ln)
	}
	// Said where the addresses are bound (here, and by a Run after the first): devices can
	// connect from now on, their connections waiting in the backlog until Run accepts them.
	cfg.Log.Info("device broker listening", "address", b.cfg.Listen, "site", cfg.Site)
	if b.tls != nil {
		cfg.Log.Info("device broker listening with TLS", "address", b.cfg.TLSListen, "fingerprint_sha256", fingerprint)
	}
	plainOn := ""
	if !app.LoopbackAddress(b.cfg.Listen) {
		plainOn = b.cfg.Listen
		cfg.Log.Warn("device broker listening WITHOUT encryption beyond this machine (allow_plain_on): passwords and messages cross the network in clear", "address", plainOn)
	}
	cfg.Watch.SetExposure(fingerprint, plainOn)
	b.guard = &journalGuard{dir: cfg.DataDir, desk: cfg.Desk, health: health, watch: cfg.Watch, log: cfg.Log}
	if err := b.guard.makeReserve(); err != nil {
		cfg.Log.Warn("the journal's reserve cannot be made", "dir", cfg.DataDir, "err", err)
	}
	return b, nil
}

// bindAddr listens on *addr; port 0 is replaced by the port the system chose, on the host
// asked for (devices, the log and the next Run, which binds this address again, need it).
func bindAddr(addr *string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return nil, app.Errorf(app.CodeInvalid, "The broker address {{.A}} must be host:port", "A", *addr).Wrap(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The device broker cannot listen on {{.Address}}", "Address", *addr).Wrap(err)
	}
	if port == "0" {
		if _, got, err := net.SplitHostPort(ln.Addr().String()); err == nil {
			*addr = net.JoinHostPort(host, got)
		}
	}
	return ln, nil
}

// Addr returns the address the broker listens on (host:port), known from NewBroker on.
func (b *Broker) Addr() string { return b.cfg.Listen }

// TLSAddr returns the TLS listener's address ("" without one).
func (b *Broker) TLSAddr() string { return b.cfg.TLSListen }

// Clients returns how many clients are connected (0 while the broker is not running).
func (b *Broker) Clients() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.server == nil {
		return 0
	}
	return atomic.LoadInt64(&b.server.Info.ClientsConnected)
}

// Run serves devices until ctx ends, then disconnects them, stops the broker and returns
// nil. When accepting connections fails it stops the same way and returns the error (the
// supervisor runs it again: the next Run binds the address again). Every goroutine it
// starts has ended when it returns.
func (b *Broker) Run(ctx context.Context) error {
	lns, err := b.begin()
	if err != nil {
		b.status(app.StateDown, err)
		b.listenFailed(err)
		return err
	}
	defer b.end()
	closing := make(chan struct{}) // closed when this Run stops: Last Wills stop waiting for the journal
	// The messages being journaled when the Run stops get stopGrace to finish; then their
	// context ends (a message not journaled is not acknowledged: its device sends it again).
	handling, stopHandling := context.WithCancel(context.Background())
	defer stopHandling()
	srv, err := b.newServer(closing, handling)
	if err == nil {
		err = srv.Serve() // mochi's housekeeping; the connections are accepted below
	}
	if err != nil {
		close(closing)
		closeAll(lns)
		_ = srv.Close()
		b.status(app.StateDown, err)
		return err
	}
	b.mu.Lock()
	b.server = srv
	b.mu.Unlock()

	// Connections are accepted here rather than by a mochi listener, so that this Run knows
	// every connection and goroutine it starts (it ends them all before returning) and sees
	// when accepting fails (mochi's own listeners stop silently).
	conns := &connSet{open: map[net.Conn]struct{}{}}
	failed := make(chan error, len(lns))
	stopping := make(chan struct{})
	var accepting sync.WaitGroup
	for i, ln := range lns {
		secure := b.tls != nil && i == 1
		accepting.Add(1)
		go func() {
			defer accepting.Done()
			for {
				conn, err := ln.Accept()
				if err != nil {
					select {
					case <-stopping:
					default:
						failed <- err
					}
					return
				}
				if secure {
					conn = tls.Server(conn, b.tls)
				}
				conns.serve(conn, func() { b.serveConn(srv, conn) })
			}
		}()
	}
	b.status(app.StateOK, nil)
	b.listening()

	var result error
	select {
	case <-ctx.Done():
	case err := <-failed:
		result = app.Errorf(app.CodeUnavailable, "The device broker cannot listen on {{.Address}}", "Address", b.cfg.Listen).Wrap(err)
		b.cfg.Log.Error("device broker stopped accepting connections", "address", b.cfg.Listen, "err", err)
	}
	close(stopping)
	closeAll(lns)
	accepting.Wait() // no connection comes after this
	close(closing)
	grace := time.AfterFunc(stopGrace, stopHandling)
	defer grace.Stop()
	// Tell the devices the broker is going away, without waiting on one that reads nothing,
	// then close every connection, those that had not yet sent their CONNECT included (mochi
	// disconnects only the clients it has registered), and wait for their goroutines.
	conns.deadline(time.Now().Add(time.Second))
	for _, cl := range srv.Clients.GetAll() {
		if !cl.Net.Inline {
			_ = srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
		}
	}
	conns.closeAll()
	conns.wg.Wait()
	_ = srv.Close() // its housekeeping and hooks; no client is left
	b.mu.Lock()
	b.server = nil
	b.mu.Unlock()
	b.status(app.StateDown, result)
	return result
}

// serveConn serves one connection until the device disconnects or is disconnected (its
// Last Will, if any, handled by then). It must send its CONNECT (after the TLS handshake)
// within the connect timeout: mochi waits for it without a deadline, and a connection that
// sends nothing would be held for ever. mochi replaces the deadline with the client's
// keep-alive once it is connected.
func (b *Broker) serveConn(srv *mqtt.Server, conn net.Conn) {
	_ = conn.SetReadDeadline(time.Now().Add(b.cfg.Limits.Connect()))
	err := srv.EstablishConnection(listenerID, conn)
	if err == nil {
		return
	}
	remote := conn.RemoteAddr().String()
	if strings.HasPrefix(err.Error(), "read connection") && errors.Is(err, os.ErrDeadlineExceeded) {
		b.cfg.Watch.Note(app.RefusedNoConnect, time.Now(), "{{.Remote}} sent no CONNECT within {{.Timeout}}", "Remote", remote, "Timeout", b.cfg.Limits.Connect().String())
		b.cfg.Log.Debug("device connection closed: no CONNECT in time", "remote", remote)
		return
	}
	b.cfg.Log.Debug("device connection ended", "remote", remote, "err", err)
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// begin marks the broker running and hands over bound listeners: the ones NewBroker bound,
// or new ones on the same addresses (a Run closes its listeners when it ends).
func (b *Broker) begin() ([]net.Listener, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		return nil, errors.New("devices: the broker is running already")
	}
	lns := b.lns
	b.lns = nil
	if lns == nil {
		addrs := []string{b.cfg.Listen}
		if b.tls != nil {
			addrs = append(addrs, b.cfg.TLSListen)
		}
		for _, a := range addrs {
			ln, err := net.Listen("tcp", a)
			if err != nil {
				closeAll(lns)
				return nil, app.Errorf(app.CodeUnavailable, "The device broker cannot listen on {{.Address}}", "Address", a).Wrap(err)
			}
			lns = append(lns, ln)
			b.cfg.Log.Info("device broker listening", "address", a, "site", b.cfg.Site)
		}
	}
	b.running = true
	return lns, nil
}

// listenFailed raises the P1 system alarm of a broker that cannot listen again (a Run after
// a failure: the console is up, devices cannot reach it). A start that cannot listen is
// refused before (NewBroker's error stops the console).
func (b *Broker) listenFailed(err error) {
	if b.cfg.Desk == nil || b.cfg.Desk.HasOpen(app.AlarmBrokerDown) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, rerr := b.cfg.Desk.RaiseSystemFault(ctx, app.AlarmBrokerDown, time.Now(), map[string]string{"address": b.cfg.Listen}); rerr != nil {
		b.cfg.Log.Error("the broker's alarm cannot be journaled", "err", rerr, "cause", err)
	}
}

// listening resolves that alarm once the broker listens again.
func (b *Broker) listening() {
	if b.cfg.Desk == nil || !b.cfg.Desk.HasOpen(app.AlarmBrokerDown) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := b.cfg.Desk.ClearFault(ctx, app.AlarmBrokerDown, "", "The device broker listens again"); err != nil {
		b.cfg.Log.Error("the broker's alarm cannot be resolved", "err", err)
	}
}

func (b *Broker) end() {
	b.mu.Lock()
	b.running = false
	b.mu.Unlock()
}

// newServer builds the mochi server of one Run: its capabilities, the devices' account and
// the ingest hook. Its one listener is only a name: Run accepts the connections itself.
func (b *Broker) newServer(closing <-chan struct{}, handling context.Context) (*mqtt.Server, error) {
	caps := mqtt.NewDefaultServerCapabilities()
	lim := b.cfg.Limits
	// A packet larger than the limit is refused from its fixed header, before its body is
	// read (without it mochi reads a 256 MB packet whole before any hook sees it).
	caps.MaximumPacketSize = uint32(lim.PacketBytes())
	// An offline persistent session (a subscriber to # that never comes back) keeps its
	// subscriptions and queue this long, then is dropped (mochi's default: for ever).
	caps.MaximumSessionExpiryInterval = uint32(lim.Expiry() / time.Second)
	// In flight per client, each way. Inbound, a device's QoS 1 message is acknowledged
	// only once journaled (OnPublish) whatever this limit: it bounds the QoS 2 messages a
	// client may leave unreleased (more is a protocol error: the client is disconnected and
	// sends them again). Outbound, it bounds what the broker queues for one subscriber: a
	// subscriber that does not keep up (or is offline) loses the excess, counted in
	// Info.InflightDropped, never a publisher's message (the journal has it).
	caps.MaximumInflight = uint16(lim.Inflight())
	caps.ReceiveMaximum = uint16(lim.Inflight())
	srv := mqtt.New(&mqtt.Options{
		InlineClient: true,
		Capabilities: caps,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err := srv.AddHook(b.newAuthHook(), nil); err != nil { // auth.go: the console's account and each device's own
		return srv, err
	}
	if err := srv.AddHook(&ingestHook{b: b, srv: srv, closing: closing, handling: handling}, nil); err != nil {
		return srv, err
	}
	// After the ingest: only a message the journal took counts against the retained budget.
	if err := srv.AddHook(newLimitsHook(b.cfg.Limits, b.cfg.Watch, b.cfg.Log), nil); err != nil {
		return srv, err
	}
	return srv, srv.AddListener(namedListener{addr: b.cfg.Listen})
}

// namedListener is the mochi listener the devices' connections are registered under. It
// accepts nothing itself (Run does); its Close is mochi's way to disconnect its clients.
type namedListener struct{ addr string }

func (namedListener) ID() string                           { return listenerID }
func (l namedListener) Address() string                    { return l.addr }
func (namedListener) Protocol() string                     { return "tcp" }
func (namedListener) Init(*slog.Logger) error              { return nil }
func (namedListener) Serve(listeners.EstablishFn)          {}
func (namedListener) Close(closeClients listeners.CloseFn) { closeClients(listenerID) }

// connSet is the connections of one Run, each served on its own goroutine.
type connSet struct {
	mu   sync.Mutex
	open map[net.Conn]struct{}
	wg   sync.WaitGroup
}

func (s *connSet) serve(c net.Conn, serve func()) {
	s.mu.Lock()
	s.open[c] = struct{}{}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		serve()
		c.Close()
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
	}()
}

func (s *connSet) deadline(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.open {
		_ = c.SetWriteDeadline(t)
	}
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.open {
		c.Close()
	}
}

func (b *Broker) status(state app.ComponentState, err error) {
	if b.health != nil {
		st := app.ComponentStatus{Name: "broker", Label: "Device broker", State: state, Detail: b.cfg.Listen}
		if b.cfg.TLSListen != "" {
			st.Detail += " · TLS " + b.cfg.TLSListen
		}
		st.SetError(err)
		if state == app.StateOK && !app.LoopbackAddress(b.cfg.Listen) {
			// Allowed on purpose (allow_plain_on), said on every start where operators look.
			st.State = app.StateDegraded
			st.SetError(app.Errorf(app.CodeInvalid, "The device broker listens without encryption on {{.Address}} (allowed by allow_plain_on): passwords and messages cross the network in clear", "Address", b.cfg.Listen))
		}
		b.health.Set(st)
	}
}

// ingestHook decodes and ingests the device messages as they are published.
type ingestHook struct {
	mqtt.HookBase
	b        *Broker
	srv      *mqtt.Server    // of this Run
	closing  <-chan struct{} // closed when this Run stops
	handling context.Context // of the Handle calls; ends stopGrace after the Run stops
}

func (h *ingestHook) ID() string { return "watchpost-ingest" }

func (h *ingestHook) Provides(b byte) bool { return b == mqtt.OnPublish || b == mqtt.OnWillSent }

// Waits between tries of a Last Will the journal could not take.
const (
	willRetryFirst = 200 * time.Millisecond
	willRetryMax   = 5 * time.Second
)

// OnWillSent ingests a Last Will the broker published for a client that vanished: it does
// not pass through OnPublish. Nobody sends a will again, so when the journal cannot take
// it, it is tried again (on the vanished client's own goroutine) until it is journaled,
// the device is back (the will is then out of date: it must not mark the device offline
// after it said it is online), or the broker closes.
func (h *ingestHook) OnWillSent(cl *mqtt.Client, pk packets.Packet) {
	at := time.Now() // when the device was found gone, whenever the journal takes it
	wait := willRetryFirst
	for {
		if err := h.ingest(cl, pk, at); err == nil {
			return
		}
		select {
		case <-h.closing:
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, willRetryMax)
		if cur, ok := h.srv.Clients.Get(cl.ID); ok && cur != cl {
			h.b.cfg.Log.Info("device back before its Last Will was journaled: the will is dropped", "client", cl.ID)
			return
		}
	}
}

// OnPublish runs on the publishing client's goroutine, before the PUBACK: Handle returns
// when the reading is durable. A message that cannot be read is noted and passed on (it is
// acknowledged: sending it again would not make it readable). When the journal cannot be
// written the message is rejected without an acknowledgement and the client is
// disconnected (an MQTT 3.1.1 client sends an unacknowledged message again only after it
// reconnects), without its Last Will: the device is not gone, the journal is.
func (h *ingestHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if err := h.ingest(cl, pk, time.Now()); err != nil {
		atomic.StoreUint32(&cl.Properties.Will.Flag, 0)
		if h.handling.Err() == nil { // not the broker stopping: the journal refused it
			h.b.guard.failed(pk.TopicName, err)
		}
		if cl.Properties.ProtocolVersion == 5 {
			// MQTT 5: the device is told why (a DISCONNECT with a reason code) rather than
			// sent a negative PUBACK, which would end the message's exchange: without a
			// PUBACK it stays in the device's session and is sent again when it reconnects.
			_ = h.srv.DisconnectClient(cl, packets.ErrServerBusy)
		} else {
			cl.Stop(err)
		}
		return pk, packets.ErrRejectPacket
	}
	h.b.guard.written()
	return pk, nil
}

// ingest decodes and journals one message; it returns an error only when the message must
// be sent again (the journal could not take it).
func (h *ingestHook) ingest(cl *mqtt.Client, pk packets.Packet, received time.Time) error {
	topic := pk.TopicName
	prefix := TopicRoot + "/" + h.b.cfg.Site + "/"
	if !strings.HasPrefix(topic, prefix) || cl.Net.Inline {
		return nil
	}
	_, device, _, err := ParseTopic(topic)
	if err != nil {
		h.b.handler.NoteMalformed(topic, err.Error(), len(pk.Payload))
		return nil
	}
	r, err := Decode(topic, bytes.Clone(pk.Payload), h.b.kindOf(device), received)
	if err != nil {
		h.b.handler.NoteMalformed(topic, err.Error(), len(pk.Payload))
		return nil
	}
	ctx, cancel := context.WithTimeout(h.handling, 30*time.Second)
	defer cancel()
	if err := h.b.handler.Handle(ctx, r, topic); err != nil {
		var m *Malformed
		if errors.As(err, &m) || app.IsCode(err, app.CodeInvalid) {
			h.b.handler.NoteMalformed(topic, err.Error(), len(pk.Payload))
			return nil
		}
		h.b.cfg.Log.Error("device message not journaled: it is not acknowledged", "topic", topic, "err", err)
		return err
	}
	return nil
}
