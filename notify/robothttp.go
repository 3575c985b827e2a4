package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"watchpost/app"
)

// DefaultTimeout bounds one attempt: a robot answers within a second or two; a hung
// connection must not hold the queue for long.
const DefaultTimeout = 10 * time.Second

// maxReply bounds what is read of an answer: the robots answer a few dozen bytes.
const maxReply = 64 << 10

// robotBase is what both robots share: their settings, the HTTP client and the masker.
type robotBase struct {
	robot  Robot
	client *http.Client
	mask   masker
}

func (b *robotBase) Name() string { return b.robot.Name }

// reply is the answer both services give: {"errcode":0,"errmsg":"ok"}.
type reply struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// codes tells a service's error codes apart.
type codes struct {
	rateLimited int // the robot's 20-a-minute limit
	config      int // a check of the robot's settings failed (0: none)
}

// busyCode is the "system busy, try again later" both services document (-1).
const busyCode = -1

// encodeJSON writes v without escaping <, > and & (WeCom's <font> tags stay readable, and
// the size measured is the size sent).
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// post sends body to address and classifies the answer. Every text it returns is masked.
func (b *robotBase) post(ctx context.Context, address, contentType string, body []byte, c codes) error {
	name := b.robot.Name
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, address, bytes.NewReader(body))
	if err != nil {
		return fail(FailureConfig, app.Errorf(app.CodeInvalid,
			"The webhook address of {{.Robot}} is not an https address: copy the whole address from the group's robot settings", "Robot", name).Wrap(b.cause(err)))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.client.Do(req)
	if err != nil {
		return fail(FailureTransient, app.Errorf(app.CodeUnavailable,
			"The robot {{.Robot}} could not be reached", "Robot", name).Wrap(b.cause(err)))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fail(FailureTransient, app.Errorf(app.CodeUnavailable,
			"The robot {{.Robot}} could not be reached", "Robot", name).Wrap(b.cause(err)))
	}
	switch {
	case resp.StatusCode >= 500:
		return fail(FailureTransient, app.Errorf(app.CodeUnavailable, "The service of the robot {{.Robot}} is busy (HTTP {{.Status}})", "Robot", name, "Status", resp.StatusCode))
	case resp.StatusCode == http.StatusTooManyRequests:
		return b.rateLimited()
	case resp.StatusCode != http.StatusOK:
		// The robots answer 200 with an errcode; anything else is not their webhook.
		return fail(FailureConfig, app.Errorf(app.CodeInvalid, "The service of the robot {{.Robot}} answered HTTP {{.Status}}: check its webhook address", "Robot", name, "Status", resp.StatusCode))
	}
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil || r.ErrCode == nil {
		// A proxy's page or a truncated answer: perhaps better on the next try.
		return fail(FailureTransient, app.Errorf(app.CodeUnavailable, "The service of the robot {{.Robot}} gave an answer that could not be read", "Robot", name))
	}
	reason := b.mask.mask(r.ErrMsg)
	switch code := *r.ErrCode; {
	case code == 0:
		return nil
	case code == c.rateLimited:
		return b.rateLimited()
	case code == busyCode:
		return fail(FailureTransient, app.Errorf(app.CodeUnavailable, "The service of the robot {{.Robot}} is busy (error {{.Code}}: {{.Reason}})", "Robot", name, "Code", code, "Reason", reason))
	case c.config != 0 && code == c.config:
		return fail(FailureConfig, app.Errorf(app.CodeInvalid, "The robot {{.Robot}} refused the message's signature, keyword or address: check its secret and security settings (error {{.Code}}: {{.Reason}})", "Robot", name, "Code", code, "Reason", reason))
	default:
		return fail(FailureRefused, app.Errorf(app.CodeInvalid, "The robot {{.Robot}} refused the message (error {{.Code}}: {{.Reason}})", "Robot", name, "Code", code, "Reason", reason))
	}
}

func (b *robotBase) rateLimited() error {
	return fail(FailureRateLimited, app.Errorf(app.CodeUnavailable, "The robot {{.Robot}} reached its service's limit of about 20 messages a minute", "Robot", b.robot.Name))
}

// cause is err's text without the request URL (Go's *url.Error quotes it whole, key and
// all) and masked for good measure.
func (b *robotBase) cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errors.New(b.mask.mask(err.Error()))
}

// itoa keeps the signing code readable.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
