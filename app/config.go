package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is the console's configuration file (config.json in the data directory, or the
// file given with --config). Every key is optional; an unknown key is an error, so a typo
// never goes unnoticed.
type Config struct {
	// Language of the console: "" follows the system, "zh-CN" or "en".
	Language string `json:"language,omitempty"`
	// Theme: "dark" (the default, for control rooms) or "light".
	Theme string `json:"theme,omitempty"`
	// DemoAutoSignIn signs the duty operator in automatically on the demo site.
	DemoAutoSignIn *bool        `json:"demo_auto_sign_in,omitempty"`
	Broker         BrokerConfig `json:"broker"`
	Rules          RulesConfig  `json:"rules"`
	// Site is the site ID in device topics (watchpost/<site>/<device>/…); default the site's own.
	Site      string          `json:"site,omitempty"`
	Analytics AnalyticsConfig `json:"analytics"`
	Recording RecordingConfig `json:"recording"` // video clips around alarms and drills (recording.go)
	Backup    BackupConfig    `json:"backup"`    // the daily backup (backup.go)
	// Web is where the phone pages are served (web.Config has the same fields, its defaults
	// and checks: the composition root converts it).
	Web WebConfig `json:"web"`
	// Operators holds each operator's own preferences, by user name. Anyone signed in
	// changes their own entry (like the language); only administrators change another's.
	Operators map[string]OperatorPrefs `json:"operators,omitempty"`
}

// WebConfig is the phone pages' part of the configuration: where they are served (default
// 127.0.0.1:8443, this machine only), whether beyond loopback, the installer's certificate
// (else one the console makes), the host names phones use, and the address links carry.
type WebConfig struct {
	Listen      string   `json:"listen,omitempty"`
	AllowRemote bool     `json:"allow_remote,omitempty"`
	CertFile    string   `json:"cert_file,omitempty"`
	KeyFile     string   `json:"key_file,omitempty"`
	Hosts       []string `json:"hosts,omitempty"`
	BaseURL     string   `json:"base_url,omitempty"`
}

// OperatorPrefs are one operator's preferences for how the console reacts.
type OperatorPrefs struct {
	// WallFollowsAlarms turns the camera wall to the cameras of each new P1/P2 alarm.
	WallFollowsAlarms bool `json:"wall_follows_alarms,omitempty"`
}

// PrefsOf returns an operator's preferences (the defaults when they set none).
func (c Config) PrefsOf(username string) OperatorPrefs { return c.Operators[username] }

// WithPrefs returns the configuration with an operator's preferences replaced. The map is
// copied: a Config from Settings.Get shares its map with the one in force, and changing
// that in place would hide the change from Update.
func (c Config) WithPrefs(username string, p OperatorPrefs) Config {
	m := make(map[string]OperatorPrefs, len(c.Operators)+1)
	for k, v := range c.Operators {
		m[k] = v
	}
	if p == (OperatorPrefs{}) {
		delete(m, username)
	} else {
		m[username] = p
	}
	if len(m) == 0 {
		m = nil
	}
	c.Operators = m
	return c
}

// AnalyticsConfig is how much of the machine video analytics may use.
type AnalyticsConfig struct {
	// CPUBudget in cores (1.5: one and a half cores); 0: half the machine's cores.
	CPUBudget float64 `json:"cpu_budget,omitempty"`
	// WarmUp is how long each camera's analysis learns its scene before what it sees counts
	// (default 1 min).
	WarmUp Duration `json:"warm_up,omitempty"`
}

// WarmUpD returns the learning time, with its default.
func (a AnalyticsConfig) WarmUpD() time.Duration {
	if a.WarmUp > 0 {
		return a.WarmUp.D()
	}
	return DefaultAnalyticsWarmUp
}

// Budget returns the CPU budget in cores, with its default.
func (a AnalyticsConfig) Budget() float64 {
	if a.CPUBudget > 0 {
		return a.CPUBudget
	}
	return float64(runtime.NumCPU()) / 2
}

// BrokerConfig says where devices publish: the embedded broker (default) or a site's own
// (Mosquitto, EMQX).
type BrokerConfig struct {
	// Embedded: run the built-in broker on Listen; otherwise connect to URL.
	Embedded *bool  `json:"embedded,omitempty"`
	Listen   string `json:"listen,omitempty"` // embedded broker address, default 127.0.0.1:1883 (port 0: any free port, logged)
	URL      string `json:"url,omitempty"`    // external broker: tcp://host:1883 or ssl://host:8883
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	CAFile   string `json:"ca_file,omitempty"` // PEM file of the CA that signed an external broker's certificate
	ClientID string `json:"client_id,omitempty"`
	// TLSListen: the embedded broker's TLS listener (e.g. 0.0.0.0:8883), for devices beyond
	// this machine; with TLSCertFile and TLSKeyFile (PEM), or neither: a self-signed
	// certificate is then made on first use in the data directory (broker_config.go).
	TLSListen   string `json:"tls_listen,omitempty"`
	TLSCertFile string `json:"tls_cert_file,omitempty"`
	TLSKeyFile  string `json:"tls_key_file,omitempty"`
	// AllowPlainOn allows the plain listener on one device-network address (host:port,
	// equal to Listen) for gateways that cannot do TLS; the console warns on every start.
	AllowPlainOn string       `json:"allow_plain_on,omitempty"`
	Limits       BrokerLimits `json:"limits"`
}

// Languages the console is translated into.
var Languages = []string{"zh-CN", "en"}

// Defaults for the embedded broker.
const (
	DefaultBrokerListen = "127.0.0.1:1883"
	DefaultClientID     = "watchpost-console"
)

// IsEmbedded reports whether the embedded broker is used (the default).
func (b BrokerConfig) IsEmbedded() bool { return b.Embedded == nil || *b.Embedded }

// ListenAddr returns the embedded broker's address with its default.
func (b BrokerConfig) ListenAddr() string {
	if b.Listen == "" {
		return DefaultBrokerListen
	}
	return b.Listen
}

// AutoSignIn reports whether the demo signs the duty operator in (default yes).
func (c Config) AutoSignIn() bool { return c.DemoAutoSignIn == nil || *c.DemoAutoSignIn }

// ThemeName returns the theme with its default.
func (c Config) ThemeName() string {
	if c.Theme == "" {
		return "dark"
	}
	return c.Theme
}

// ParseConfig reads a configuration file's content. Unknown keys, wrong types and invalid
// values are reported with the key's name.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, configError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Config{}, Errorf(CodeInvalid, "The configuration has extra text after its closing brace")
	}
	return c, c.Validate()
}

func configError(err error) error {
	msg := err.Error()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case strings.HasPrefix(msg, "json: unknown field "):
		key := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return Errorf(CodeInvalid, "Unknown setting {{.Key}} in the configuration", "Key", key).Wrap(err)
	case errors.As(err, &syn):
		return Errorf(CodeInvalid, "The configuration is not valid JSON (at byte {{.Off}})", "Off", syn.Offset).Wrap(err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(CodeInvalid, "The configuration is not valid JSON (it ends too early)").Wrap(err)
	case errors.As(err, &typ):
		return Errorf(CodeInvalid, "The setting {{.Key}} has the wrong type (expected {{.Want}})", "Key", typ.Field, "Want", typ.Type.String()).Wrap(err)
	}
	return Errorf(CodeInvalid, "The configuration cannot be read").Wrap(err)
}

// Validate checks the values.
func (c Config) Validate() error {
	var p Problems
	if c.Language != "" {
		ok := false
		for _, l := range Languages {
			ok = ok || l == c.Language
		}
		if !ok {
			p.Add("language", "Language {{.L}} is not available (use zh-CN or en, or leave it empty to follow the system)", "L", c.Language)
		}
	}
	switch c.Theme {
	case "", "dark", "light":
	default:
		p.Add("theme", "Theme {{.T}} is not available (use dark or light)", "T", c.Theme)
	}
	for u := range c.Operators {
		if !ValidID(u) {
			p.Add("operators", "{{.U}} cannot be a user name: use letters, digits, '-', '_' or '.'", "U", u)
		}
	}
	if err := c.Rules.Validate(); err != nil {
		p = append(p, err.(*Error))
	}
	if err := c.Recording.Validate(); err != nil {
		p = append(p, err.(*Error))
	}
	if err := c.Backup.Validate(); err != nil {
		p = append(p, err.(*Error))
	}
	if w := c.Analytics.WarmUp; w < 0 || w.D() > 10*time.Minute {
		p.Add("analytics.warm_up", "The analytics warm-up is between 0 and 10 min")
	}
	if b := c.Analytics.CPUBudget; b < 0 || b > float64(runtime.NumCPU()) {
		p.Add("analytics.cpu_budget", "The analytics budget is between 0.1 core and the machine's {{.N}} cores", "N", runtime.NumCPU())
	}
	b := c.Broker
	if b.IsEmbedded() {
		if !validHostPort(b.ListenAddr()) {
			p.Add("broker.listen", "The broker address {{.A}} must be host:port", "A", b.ListenAddr())
		}
		b.validateExposure(&p)
	} else {
		u, err := url.Parse(b.URL)
		switch {
		case b.URL == "":
			p.Add("broker.url", "Give the address of the site's broker (tcp://host:1883 or ssl://host:8883)")
		case err != nil || u.Host == "":
			p.Add("broker.url", "The broker address {{.A}} cannot be read", "A", b.URL)
		case u.Scheme != "tcp" && u.Scheme != "ssl" && u.Scheme != "tls" && u.Scheme != "mqtt" && u.Scheme != "mqtts":
			p.Add("broker.url", "The broker address must start with tcp:// or ssl://")
		}
	}
	return p.Err()
}

// MarshalConfig writes the configuration as indented JSON.
func MarshalConfig(c Config) []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}

// validHostPort checks "host:port" or "[v6]:port" with a port of 0–65535 (no lookups: app
// does no I/O); port 0 asks the system for any free port (tests, a second console).
func validHostPort(s string) bool {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return false
	}
	host, port := s[:i], s[i+1:]
	if strings.Contains(host, ":") && !(strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]")) {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}
