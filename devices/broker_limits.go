package devices

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"watchpost/app"
)

// limitsHook counts what the broker refuses (oversized packets, expired sessions) and keeps
// the retained messages within their budget: one per topic (MQTT's own rule) and
// MaxRetainedBytes in all. A retained message over the budget is still delivered and
// journaled; only its keeping is refused.
type limitsHook struct {
	mqtt.HookBase
	watch *app.BrokerWatch
	log   *slog.Logger
	max   int

	mu       sync.Mutex
	retained map[string]int // topic → payload bytes retained
	total    int
}

func newLimitsHook(l app.BrokerLimits, w *app.BrokerWatch, log *slog.Logger) *limitsHook {
	return &limitsHook{watch: w, log: log, max: l.RetainedBytes(), retained: map[string]int{}}
}

func (h *limitsHook) ID() string { return "watchpost-limits" }

func (h *limitsHook) Provides(b byte) bool {
	return b == mqtt.OnPublish || b == mqtt.OnDisconnect || b == mqtt.OnClientExpired || b == mqtt.OnRetainedExpired
}

// OnPublish keeps a retained message within the budget (an empty one clears its topic).
func (h *limitsHook) OnPublish(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if !pk.FixedHeader.Retain {
		return pk, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	size := len(pk.Payload)
	old := h.retained[pk.TopicName]
	if size == 0 {
		delete(h.retained, pk.TopicName)
		h.total -= old
		return pk, nil
	}
	if h.total-old+size > h.max {
		pk.FixedHeader.Retain = false
		h.watch.Note(app.RefusedRetained, time.Now(), "A retained message of {{.Size}} bytes on {{.Topic}} is over the {{.Max}} bytes retained in all: delivered, not retained",
			"Size", size, "Topic", pk.TopicName, "Max", h.max)
		return pk, nil
	}
	h.retained[pk.TopicName] = size
	h.total += size - old
	return pk, nil
}

// OnRetainedExpired forgets a retained message the broker dropped (message expiry).
func (h *limitsHook) OnRetainedExpired(topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.total -= h.retained[topic]
	delete(h.retained, topic)
}

// RetainedBytes returns the payload bytes retained.
func (h *limitsHook) RetainedBytes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// OnDisconnect counts a client disconnected for an oversized packet.
func (h *limitsHook) OnDisconnect(cl *mqtt.Client, err error, _ bool) {
	if errors.Is(err, packets.ErrPacketTooLarge) {
		h.watch.Note(app.RefusedOversized, time.Now(), "{{.Client}} ({{.Remote}}) sent a packet over the size limit: disconnected before it was read",
			"Client", cl.ID, "Remote", cl.Net.Remote)
		h.log.Warn("device disconnected: packet over the size limit", "client", cl.ID, "remote", cl.Net.Remote)
	}
}

// OnClientExpired counts an offline session dropped at its expiry.
func (h *limitsHook) OnClientExpired(cl *mqtt.Client) {
	h.watch.Note(app.RefusedSessionExpiry, time.Now(), "The offline session of {{.Client}} expired: its subscriptions and queued messages are dropped", "Client", cl.ID)
	h.log.Info("offline session expired", "client", cl.ID)
}
