package devices

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
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
	client  paho.Client
	handler Handler
	kindOf  KindOf
	health  *app.Health
	queue   chan paho.Message
	wg      sync.WaitGroup
	stop    chan struct{}
	ready   chan struct{} // closed once the first subscription is in place
	once    sync.Once
}

// Ready is closed once the client is subscribed to the device topics.
func (c *Client) Ready() <-chan struct{} { return c.ready }

// StartClient connects (retrying in the background until the broker answers).
func StartClient(cfg ClientConfig, h Handler, kindOf KindOf, health *app.Health) (*Client, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = app.DefaultClientID
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	c := &Client{cfg: cfg, handler: h, kindOf: kindOf, health: health,
		queue: make(chan paho.Message, 4096), stop: make(chan struct{}), ready: make(chan struct{})}
	opts := paho.NewClientOptions().
		AddBroker(cfg.URL).
		SetClientID(cfg.ClientID).
		SetUsername(cfg.Username).
		SetPassword(cfg.Password).
		SetCleanSession(false). // a persistent session: the broker keeps our messages while we are away
		SetAutoAckDisabled(true).
		SetOrderMatters(false).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(10 * time.Second).
		SetKeepAlive(15 * time.Second).
		SetMessageChannelDepth(4096).
		SetOnConnectHandler(c.onConnect).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			c.status(app.StateDown, app.Errorf(app.CodeUnavailable, "Connection to the broker lost").Wrap(err))
			cfg.Log.Warn("device broker connection lost", "url", app.RedactURL(cfg.URL), "err", err)
		}).
		SetReconnectingHandler(func(paho.Client, *paho.ClientOptions) { c.status(app.StateStarting, nil) })
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, app.Errorf(app.CodeInvalid, "The broker's CA file {{.Path}} cannot be read", "Path", cfg.CAFile).Wrap(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, app.Errorf(app.CodeInvalid, "The broker's CA file {{.Path}} holds no PEM certificate", "Path", cfg.CAFile)
		}
		opts.SetTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	}
	c.client = paho.NewClient(opts)
	for i := 0; i < cfg.Workers; i++ {
		c.wg.Add(1)
		go c.work()
	}
	c.status(app.StateStarting, nil)
	c.client.Connect() // retries in the background (SetConnectRetry)
	return c, nil
}

func (c *Client) topic() string { return fmt.Sprintf("%s/%s/+/+", TopicRoot, c.cfg.Site) }

func (c *Client) onConnect(cl paho.Client) {
	tok := cl.Subscribe(c.topic(), 1, func(_ paho.Client, m paho.Message) {
		// paho's handlers must not block: hand the message to the workers.
		select {
		case c.queue <- m:
		case <-c.stop:
		}
	})
	go func() {
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			err := tok.Error()
			if err == nil {
				err = errors.New("no answer")
			}
			c.status(app.StateDegraded, app.Errorf(app.CodeUnavailable, "Subscribing to the device topics failed").Wrap(err))
			return
		}
		c.status(app.StateOK, nil)
		c.once.Do(func() { close(c.ready) })
		c.cfg.Log.Info("device broker connected", "url", app.RedactURL(c.cfg.URL), "topic", c.topic())
	}()
}

func (c *Client) work() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case m := <-c.queue:
			c.handle(m)
		}
	}
}

// handle journals one message and only then acknowledges it.
func (c *Client) handle(m paho.Message) {
	topic := m.Topic()
	_, device, _, err := ParseTopic(topic)
	if err == nil {
		var r app.Reading
		r, err = Decode(topic, m.Payload(), c.kindOf(device), time.Now())
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
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

// Close disconnects; messages not yet acknowledged stay with the broker.
func (c *Client) Close() {
	close(c.stop)
	c.client.Disconnect(500)
	c.wg.Wait()
}
