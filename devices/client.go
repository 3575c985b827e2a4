package devices

// The site-broker client is a runner, like every long-running part of Watchpost
// (DESIGN.md): NewClient checks its configuration and reads the CA file, and starts nothing;
// Run connects, subscribes and journals what arrives until its context ends, then
// disconnects and returns once its own goroutines have ended. One supervisor runs every part
// the same way, restarts a failed one with one backoff policy and stops them in the reverse
// order of their start. Run can be called again after it returned: the broker keeps the
// persistent session (and the messages not acknowledged) in between.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"watchpost/app"
)

// ClientConfig configures the connection to a site's own broker (Mosquitto, EMQX).
type ClientConfig struct {
	URL      string // tcp://host:1883, ssl://host:8883
	Username string
	Password string
	CAFile   string // PEM of the CA that signed the broker's certificate (ssl://)
	ClientID string
	Site     string
	Workers  int // concurrent journal writers (default 32)
	Log      *slog.Logger
}

// Client subscribes to the site's device topics on an external broker with a persistent
// session at QoS 1: what devices publish while the console is away is kept by the broker
// and delivered when it is back. Each message is acknowledged only once its reading is
// durable, so a console killed mid-way gets the unacknowledged ones again.
type Client struct {
	cfg     ClientConfig
	tls     *tls.Config // from CAFile; nil: the system's roots
	handler Handler
	kindOf  KindOf
	health  *app.Health

	mu      sync.Mutex
	running bool
	ready   chan struct{} // closed once the first subscription is in place
	once    sync.Once
}

// Ready is closed once the client is subscribed to the device topics (the first time).
func (c *Client) Ready() <-chan struct{} { return c.ready }

// NewClient checks the configuration and reads the CA file; Run connects.
func NewClient(cfg ClientConfig, h Handler, kindOf KindOf, health *app.Health) (*Client, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = app.DefaultClientID
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if h == nil || kindOf == nil || cfg.Site == "" {
		return nil, errors.New("devices: the site-broker client needs a handler, a device registry and a site")
	}
	if cfg.URL == "" {
		return nil, app.Errorf(app.CodeInvalid, "Give the address of the site's broker (tcp://host:1883 or ssl://host:8883)")
	}
	if u, err := url.Parse(cfg.URL); err != nil || u.Host == "" {
		return nil, app.Errorf(app.CodeInvalid, "The broker address {{.A}} cannot be read", "A", app.RedactURL(cfg.URL)).Wrap(err)
	}
	c := &Client{cfg: cfg, handler: h, kindOf: kindOf, health: health, ready: make(chan struct{})}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, app.Errorf(app.CodeInvalid, "The broker's CA file {{.Path}} cannot be read", "Path", cfg.CAFile).Wrap(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, app.Errorf(app.CodeInvalid, "The broker's CA file {{.Path}} holds no PEM certificate", "Path", cfg.CAFile)
		}
		c.tls = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return c, nil
}

// clientRun is the state of one Run: its paho client, its queue and its goroutines.
type clientRun struct {
	client   paho.Client
	queue    chan paho.Message
	stop     chan struct{}   // closed when the Run stops: the queue takes nothing more
	handling context.Context // of the Handle calls; ends stopGrace after the Run stops
	mu       sync.Mutex
	stopping bool
	wg       sync.WaitGroup // the workers and the subscription watchers
}

// goTracked runs f on a goroutine the Run waits for, unless the Run is stopping.
func (r *clientRun) goTracked(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}

// Run connects (paho retries until the broker answers, and reconnects after a loss),
// subscribes, and journals the messages with its workers until ctx ends. Then it takes no
// more messages, lets the workers finish (each acknowledges what it journaled), disconnects
// and returns nil; messages not acknowledged stay with the broker for the next Run.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("devices: the site-broker client is running already")
	}
	c.running = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running = false
		c.mu.Unlock()
	}()

	// The messages being journaled when the Run stops get stopGrace to finish; then their
	// context ends (a message not journaled is not acknowledged: the broker sends it again).
	handling, stopHandling := context.WithCancel(context.Background())
	defer stopHandling()
	r := &clientRun{queue: make(chan paho.Message, 4096), stop: make(chan struct{}), handling: handling}
	r.client = paho.NewClient(c.options(r))
	// The route is in place before the first connection: the broker delivers what it kept
	// for the persistent session right after it accepts us, before onConnect subscribes, and
	// paho drops a message that matches no route without acknowledging it (it would wait
	// for the next reconnection).
	r.client.AddRoute(c.topic(), r.deliver)
	for i := 0; i < c.cfg.Workers; i++ {
		r.goTracked(func() { c.work(r) })
	}
	c.status(app.StateStarting, nil)
	r.client.Connect() // retries in the background (SetConnectRetry)

	<-ctx.Done()
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	close(r.stop)
	grace := time.AfterFunc(stopGrace, stopHandling)
	defer grace.Stop()
	r.wg.Wait()              // the messages being journaled are journaled and acknowledged
	r.client.Disconnect(500) // and their acknowledgements sent
	c.status(app.StateDown, nil)
	return nil
}

// options are the paho options of one Run, its handlers bound to it.
func (c *Client) options(r *clientRun) *paho.ClientOptions {
	opts := paho.NewClientOptions().
		AddBroker(c.cfg.URL).
		SetClientID(c.cfg.ClientID).
		SetUsername(c.cfg.Username).
		SetPassword(c.cfg.Password).
		SetCleanSession(false). // a persistent session: the broker keeps our messages while we are away
		SetAutoAckDisabled(true).
		SetOrderMatters(false).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(10 * time.Second).
		SetKeepAlive(15 * time.Second).
		SetMessageChannelDepth(4096).
		SetOnConnectHandler(func(cl paho.Client) { c.onConnect(r, cl) }).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			c.status(app.StateDown, app.Errorf(app.CodeUnavailable, "Connection to the broker lost").Wrap(err))
			c.cfg.Log.Warn("device broker connection lost", "url", app.RedactURL(c.cfg.URL), "err", err)
		}).
		SetReconnectingHandler(func(paho.Client, *paho.ClientOptions) { c.status(app.StateStarting, nil) }).
		SetConnectionNotificationHandler(c.onNotification) // a failed attempt's reason (client_errors.go)
	if c.tls != nil {
		opts.SetTLSConfig(c.tls)
	}
	return opts
}

func (c *Client) topic() string { return fmt.Sprintf("%s/%s/+/+", TopicRoot, c.cfg.Site) }

// onConnect subscribes after each (re)connection; paho calls it on a goroutine of its own.
func (c *Client) onConnect(r *clientRun, cl paho.Client) {
	tok := cl.Subscribe(c.topic(), 1, r.deliver)
	r.goTracked(func() {
		timeout := time.NewTimer(10 * time.Second)
		defer timeout.Stop()
		var err error
		select {
		case <-r.stop:
			return
		case <-tok.Done():
			err = tok.Error()
		case <-timeout.C:
			err = errors.New("no answer")
		}
		if err != nil {
			c.status(app.StateDegraded, app.Errorf(app.CodeUnavailable, "Subscribing to the device topics failed").Wrap(err))
			return
		}
		c.status(app.StateOK, nil)
		c.once.Do(func() { close(c.ready) })
		c.cfg.Log.Info("device broker connected", "url", app.RedactURL(c.cfg.URL), "topic", c.topic())
	})
}

// deliver hands a message to the workers (paho's handlers must not block). A message that
// arrives while the Run stops is not acknowledged: the broker delivers it again.
func (r *clientRun) deliver(_ paho.Client, m paho.Message) {
	select {
	case r.queue <- m:
	case <-r.stop:
	}
}

func (c *Client) work(r *clientRun) {
	for {
		select {
		case <-r.stop:
			return
		case m := <-r.queue:
			c.handle(r.handling, m)
		}
	}
}

// handle journals one message and only then acknowledges it.
func (c *Client) handle(handling context.Context, m paho.Message) {
	topic := m.Topic()
	_, device, _, err := ParseTopic(topic)
	if err == nil {
		var r app.Reading
		r, err = Decode(topic, m.Payload(), c.kindOf(device), time.Now())
		if err == nil {
			r.Retained = m.Retained() // the broker's kept copy, sent on subscribing
			ctx, cancel := context.WithTimeout(handling, 30*time.Second)
			err = c.handler.Handle(ctx, r, topic)
			cancel()
			if err != nil && !app.IsCode(err, app.CodeInvalid) {
				// Not acknowledged: the broker delivers it again after a reconnect.
				c.cfg.Log.Error("device message not journaled", "topic", topic, "err", err)
				return
			}
		}
	}
	if err != nil {
		c.handler.NoteMalformed(topic, err.Error(), len(m.Payload()))
	}
	m.Ack()
}

func (c *Client) status(state app.ComponentState, err error) {
	if c.health != nil {
		st := app.ComponentStatus{Name: "broker", Label: "Device broker", State: state, Detail: app.RedactURL(c.cfg.URL)}
		st.SetError(err)
		c.health.Set(st)
	}
}
