package notify

import (
	"log/slog"
	"net/url"
	"strings"

	"watchpost/app"
)

// Kind is the service a group robot belongs to.
type Kind string

const (
	// KindWeCom is a WeCom group robot (企业微信群机器人): the webhook's key is its only secret.
	KindWeCom Kind = "wecom"
	// KindDingTalk is a DingTalk custom robot (钉钉自定义机器人): an access token in the
	// webhook and, when its security setting is 加签, a signing secret starting with SEC.
	KindDingTalk Kind = "dingtalk"
)

// Robot is a team's group robot as the administrator sets it up: the webhook address pasted
// from the group's robot settings and, for a signed DingTalk robot, its secret. Webhook and
// Secret are secrets: Robot prints itself masked (String, GoString, LogValue), and errors
// and deliveries never carry them.
type Robot struct {
	Name    string `json:"name"` // the team's label for it ("物业维修群"); deliveries carry it
	Kind    Kind   `json:"kind"`
	Webhook string `json:"webhook"`
	Secret  string `json:"secret,omitempty"` // DingTalk 加签 only
}

// Validate reports every problem of the robot's settings at once.
func (r Robot) Validate() error {
	var p app.Problems
	if strings.TrimSpace(r.Name) == "" {
		p.Add("name", "The robot needs a name")
	}
	u, err := url.Parse(strings.TrimSpace(r.Webhook))
	webhookOK := err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
	if !webhookOK {
		// https only: the key in the address is the robot's whole credential.
		p.Add("webhook", "The webhook address of {{.Robot}} is not an https address: copy the whole address from the group's robot settings", "Robot", r.Name)
	}
	switch r.Kind {
	case KindWeCom:
		if webhookOK && u.Query().Get("key") == "" {
			p.Add("webhook", "The webhook address of {{.Robot}} has no key: copy the whole address from the WeCom group's robot", "Robot", r.Name)
		}
		if r.Secret != "" {
			p.Add("secret", "A WeCom robot has no signing secret: leave the secret of {{.Robot}} empty", "Robot", r.Name)
		}
	case KindDingTalk:
		if webhookOK && u.Query().Get("access_token") == "" {
			p.Add("webhook", "The webhook address of {{.Robot}} has no access_token: copy the whole address from the DingTalk group's robot", "Robot", r.Name)
		}
		if webhookOK && (u.Query().Has("timestamp") || u.Query().Has("sign")) {
			// A signature pasted with the address expires within the hour.
			p.Add("webhook", "The webhook address of {{.Robot}} carries a timestamp and signature: paste the address without them and the secret separately", "Robot", r.Name)
		}
		if r.Secret != "" && !strings.HasPrefix(r.Secret, "SEC") {
			p.Add("secret", "The signing secret of {{.Robot}} starts with SEC: copy it from the robot's security settings (加签)", "Robot", r.Name)
		}
	default:
		p.Add("kind", "The robot {{.Robot}} must be a WeCom or a DingTalk robot", "Robot", r.Name)
	}
	return p.Err()
}

// secrets are the values that must never be shown: every value of the webhook's query (the
// key, the access token) and the signing secret.
func (r Robot) secrets() []string {
	out := []string{r.Secret}
	if u, err := url.Parse(strings.TrimSpace(r.Webhook)); err == nil {
		for _, vs := range u.Query() {
			out = append(out, vs...)
		}
	}
	return out
}

// MaskedWebhook is the webhook address with its key or token replaced by ***, for the
// settings window and the log.
func (r Robot) MaskedWebhook() string {
	u, err := url.Parse(strings.TrimSpace(r.Webhook))
	if err != nil {
		return hidden
	}
	q := u.Query()
	for k := range q {
		q.Set(k, hidden)
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), url.QueryEscape(hidden), hidden)
	u.User = nil
	return u.String()
}

// String shows the robot without its secrets, so that %v in a log line cannot leak them.
func (r Robot) String() string {
	s := string(r.Kind) + " robot " + r.Name + " " + r.MaskedWebhook()
	if r.Secret != "" {
		s += " (signed)"
	}
	return s
}

// GoString is String: %#v must not leak either.
func (r Robot) GoString() string { return r.String() }

// LogValue keeps slog from printing the secrets.
func (r Robot) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", r.Name), slog.String("kind", string(r.Kind)),
		slog.String("webhook", r.MaskedWebhook()), slog.Bool("signed", r.Secret != ""))
}
