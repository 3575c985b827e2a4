package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"watchpost/app"
)

// The fake services below check each request the way WeCom's and DingTalk's documentation
// describes it and answer the way the real services do. A request that breaks the
// documented form fails the test (and is answered 400, so nothing passes by accident).

const (
	weComKey      = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa" // the shape of a real key
	dingTalkToken = "e9a8118c8a3dc4f2b6f1d0a685fab41df25b9dc865fd74"
	dingTalkSec   = "SEC10d6e79b42bd94be0d0d603843651aa2ccd7186db6edbc0cf421cd"
)

// fakeClock stands still until a test moves it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// answer is what the fake service does with the next request.
type answer int

const (
	answerOK        answer = iota // errcode 0, unless the service's own checks fail
	answerRateLimit               // the robot's 20-a-minute errcode
	answerHTTP500                 // the service is down
	answerCheckFail               // DingTalk 310000, errmsg echoing the token
	answerBusy                    // errcode -1
)

// received is one request the service accepted as well formed.
type received struct {
	Content     string // WeCom
	Title, Text string // DingTalk
	Timestamp   time.Time
	BodyBytes   int
}

type fakeService struct {
	t      *testing.T
	kind   Kind
	clock  *fakeClock
	secret string // DingTalk: the robot's real secret (the service's side)
	srv    *httptest.Server

	mu      sync.Mutex
	answers []answer // scripted answers, in turn; then always answerOK
	always  answer   // answer when the script is done
	got     []received
	calls   int
	sends   []time.Time // what the service counts against its own 20 a minute
}

// newWeCom starts a fake WeCom service; robot() gives the robot that posts to it.
func newWeCom(t *testing.T, clock *fakeClock) *fakeService {
	f := &fakeService{t: t, kind: KindWeCom, clock: clock}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.handle))
	t.Cleanup(f.srv.Close)
	return f
}

// newDingTalk starts a fake DingTalk service whose robot signs with secret ("" = 关键词
// or IP security, no signature).
func newDingTalk(t *testing.T, clock *fakeClock, secret string) *fakeService {
	f := &fakeService{t: t, kind: KindDingTalk, clock: clock, secret: secret}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.handle))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeService) robot(name string) Robot {
	if f.kind == KindWeCom {
		return Robot{Name: name, Kind: KindWeCom, Webhook: f.srv.URL + "/cgi-bin/webhook/send?key=" + weComKey}
	}
	return Robot{Name: name, Kind: KindDingTalk, Webhook: f.srv.URL + "/robot/send?access_token=" + dingTalkToken, Secret: f.secret}
}

func (f *fakeService) script(a ...answer) {
	f.mu.Lock()
	f.answers = append(f.answers, a...)
	f.mu.Unlock()
}

func (f *fakeService) setAlways(a answer) { f.mu.Lock(); f.always = a; f.mu.Unlock() }

func (f *fakeService) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

// requests counts every request, well formed or not.
func (f *fakeService) requests() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

func (f *fakeService) reply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
}

func (f *fakeService) bad(w http.ResponseWriter, format string, args ...any) {
	f.t.Errorf("%s request breaks the documented form: "+format, append([]any{f.kind}, args...)...)
	http.Error(w, "bad request", http.StatusBadRequest)
}

func (f *fakeService) handle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if r.Method != http.MethodPost {
		f.bad(w, "method %s", r.Method)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && params["charset"] != "utf-8") {
		f.bad(w, "Content-Type %q", r.Header.Get("Content-Type"))
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil || !utf8.Valid(raw) {
		f.bad(w, "body is not UTF-8")
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var rec received
	rec.BodyBytes = len(raw)
	q := r.URL.Query()
	switch f.kind {
	case KindWeCom:
		if r.URL.Path != "/cgi-bin/webhook/send" || q.Get("key") != weComKey || len(q) != 1 {
			f.bad(w, "path %s query %v", r.URL.Path, q)
			return
		}
		var body struct {
			MsgType  string `json:"msgtype"`
			Markdown *struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if err := dec.Decode(&body); err != nil || body.MsgType != "markdown" || body.Markdown == nil || body.Markdown.Content == "" {
			f.bad(w, "body %s (%v)", raw, err)
			return
		}
		if n := len(body.Markdown.Content); n > WeComContentLimit {
			f.reply(w, 40058, "markdown.content exceed max length 4096. invalid Request Parameter")
			f.t.Errorf("content of %d bytes sent to WeCom", n)
			return
		}
		rec.Content = body.Markdown.Content
	case KindDingTalk:
		if r.URL.Path != "/robot/send" || q.Get("access_token") != dingTalkToken {
			f.bad(w, "path %s query %v", r.URL.Path, q)
			return
		}
		var body struct {
			MsgType  string `json:"msgtype"`
			Markdown *struct {
				Title string `json:"title"`
				Text  string `json:"text"`
			} `json:"markdown"`
		}
		if err := dec.Decode(&body); err != nil || body.MsgType != "markdown" || body.Markdown == nil || body.Markdown.Title == "" || body.Markdown.Text == "" {
			f.bad(w, "body %s (%v)", raw, err)
			return
		}
		if len(raw) > DingTalkBodyLimit {
			f.reply(w, 460101, "message too long, exceed 20000 bytes")
			f.t.Errorf("body of %d bytes sent to DingTalk", len(raw))
			return
		}
		rec.Title, rec.Text = body.Markdown.Title, body.Markdown.Text
		if f.secret != "" {
			ts, sign := q.Get("timestamp"), q.Get("sign")
			ms, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || len(q) != 3 {
				f.reply(w, 310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]")
				return
			}
			rec.Timestamp = time.UnixMilli(ms).UTC()
			if d := f.clock.Now().Sub(rec.Timestamp); d > time.Hour || d < -time.Hour {
				f.reply(w, 310000, "invalid timestamp "+ts)
				return
			}
			mac := hmac.New(sha256.New, []byte(f.secret))
			mac.Write([]byte(ts + "\n" + f.secret))
			if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); sign != want {
				// The real errmsg does not echo the token; this one does, to prove it is masked.
				f.reply(w, 310000, "sign not match, token "+dingTalkToken)
				return
			}
		} else if len(q) != 1 {
			f.bad(w, "query %v", q)
			return
		}
	}
	a := f.always
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	// The service's own count: more than 20 in a minute is refused, as the real ones do.
	now := f.clock.Now()
	recent := f.sends[:0]
	for _, t := range f.sends {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	f.sends = recent
	if a == answerOK && len(f.sends) >= 20 {
		a = answerRateLimit
	}
	switch a {
	case answerRateLimit:
		if f.kind == KindWeCom {
			f.reply(w, 45009, "api freq out of limit")
		} else {
			f.reply(w, 130101, "send too fast, exceed 20 times per minute")
		}
	case answerHTTP500:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case answerCheckFail:
		f.reply(w, 310000, "keywords not in content, token "+dingTalkToken)
	case answerBusy:
		f.reply(w, -1, "system busy")
	default:
		f.sends = append(f.sends, now)
		f.got = append(f.got, rec)
		f.reply(w, 0, "ok")
	}
}

// recorder keeps the deliveries reported, in order.
type recorder struct {
	mu sync.Mutex
	d  []Delivery
}

func (r *recorder) report(d Delivery) { r.mu.Lock(); r.d = append(r.d, d); r.mu.Unlock() }

func (r *recorder) all() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.d...)
}

// of are the deliveries of one message, in order.
func (r *recorder) of(id string) []Delivery {
	var out []Delivery
	for _, d := range r.all() {
		if d.MessageID == id {
			out = append(out, d)
		}
	}
	return out
}

// states are the states of one message's deliveries, in order.
func (r *recorder) states(id string) []State {
	var out []State
	for _, d := range r.of(id) {
		out = append(out, d.State)
	}
	return out
}

// syncBuffer is a log sink the Poster may write from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// testPoster is a Poster on the test's clock, reporting to rec and logging to log.
type testPoster struct {
	*Poster
	rec *recorder
	log *syncBuffer
}

func newTestPoster(t *testing.T, clock app.Clock, client *http.Client, o Options) *testPoster {
	t.Helper()
	tp := &testPoster{rec: &recorder{}, log: &syncBuffer{}}
	o.Clock, o.Client, o.Report = clock, client, tp.rec.report
	o.Log = slog.New(slog.NewTextHandler(tp.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	tp.Poster = NewPoster(o)
	return tp
}
