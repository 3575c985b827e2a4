package devices

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
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
	Username string // the account devices (and tools like mosquitto_sub) use
	Password string
	Site     string // topics watchpost/<Site>/… are ingested
	Log      *slog.Logger
}

// Broker is the embedded MQTT broker (mochi). Devices publish to it directly. Messages on
// the site's device topics are decoded and handed to the core inside the broker before
// the device gets its PUBACK: a QoS 1 message that a device saw acknowledged is already in
// the journal, even if the console is killed the next instant.
type Broker struct {
	cfg     BrokerConfig
	server  *mqtt.Server
	handler Handler
	kindOf  KindOf
	health  *app.Health
	closing chan struct{} // closed by Close: Last Wills stop waiting for the journal
	once    sync.Once
}

// StartBroker starts listening.
func StartBroker(cfg BrokerConfig, h Handler, kindOf KindOf, health *app.Health) (*Broker, error) {
	if cfg.Listen == "" {
		cfg.Listen = app.DefaultBrokerListen
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	caps := mqtt.NewDefaultServerCapabilities()
	// The default inflight limit (8192) silently drops QoS 1 messages in a burst while the
	// publisher still gets its PUBACK (DESIGN.md): raise it to the protocol's maximum.
	caps.MaximumInflight = 65535
	caps.ReceiveMaximum = 65535
	srv := mqtt.New(&mqtt.Options{
		InlineClient: true,
		Capabilities: caps,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	b := &Broker{cfg: cfg, server: srv, handler: h, kindOf: kindOf, health: health, closing: make(chan struct{})}
	ledger := &auth.Ledger{
		Auth: auth.AuthRules{{Username: auth.RString(cfg.Username), Password: auth.RString(cfg.Password), Allow: true}},
		ACL: auth.ACLRules{{Username: auth.RString(cfg.Username), Filters: auth.Filters{
			auth.RString(TopicRoot + "/#"): auth.ReadWrite,
		}}},
	}
	if err := srv.AddHook(new(auth.Hook), &auth.Options{Ledger: ledger}); err != nil {
		return nil, err
	}
	if err := srv.AddHook(&ingestHook{b: b}, nil); err != nil {
		return nil, err
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "devices", Address: cfg.Listen})
	if err := srv.AddListener(tcp); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The device broker cannot listen on {{.Address}}", "Address", cfg.Listen).Wrap(err)
	}
	if host, port, err := net.SplitHostPort(cfg.Listen); err == nil && port == "0" {
		// The port the system chose, on the host asked for: devices and the log need it.
		if _, got, err := net.SplitHostPort(tcp.Address()); err == nil {
			cfg.Listen = net.JoinHostPort(host, got)
			b.cfg.Listen = cfg.Listen
		}
	}
	go func() {
		if err := srv.Serve(); err != nil {
			cfg.Log.Error("device broker stopped", "err", err)
		}
	}()
	b.status(app.StateOK, "")
	cfg.Log.Info("device broker listening", "address", cfg.Listen, "site", cfg.Site)
	return b, nil
}

func (b *Broker) status(state app.ComponentState, errText string) {
	if b.health != nil {
		b.health.Set(app.ComponentStatus{Name: "broker", Label: "Device broker", State: state, Detail: b.cfg.Listen, Error: errText})
	}
}

// Addr returns the address the broker listens on (host:port).
func (b *Broker) Addr() string { return b.cfg.Listen }

// Close stops the broker.
func (b *Broker) Close() error {
	b.once.Do(func() { close(b.closing) })
	b.status(app.StateDown, "")
	return b.server.Close()
}

// Clients returns how many clients are connected.
func (b *Broker) Clients() int64 { return b.server.Info.ClientsConnected }

// ingestHook decodes and ingests the device messages as they are published.
type ingestHook struct {
	mqtt.HookBase
	b *Broker
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
		case <-h.b.closing:
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, willRetryMax)
		if cur, ok := h.b.server.Clients.Get(cl.ID); ok && cur != cl {
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
		cl.Stop(err)
		return pk, packets.ErrRejectPacket
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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
