package notify

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"watchpost/app"
)

// QueueLimit is how many messages may wait for one channel. Post refuses the next one (and
// reports it failed) rather than grow without bound while a robot is down: by then the
// waiting ones have been merged whenever their turn came, so a hundred waiting means the
// service has been unreachable for minutes.
const QueueLimit = 100

// DefaultMaxAttempts bounds the attempts of one message before it is reported failed.
const DefaultMaxAttempts = 5

// Backoff is the pause before the next attempt after a transient failure: First, doubling
// up to Max. (A rate-limited attempt waits for the rate window instead.)
type Backoff struct {
	First, Max time.Duration
}

// DefaultBackoff: 5 s, 10 s, 20 s, 40 s — a robot's hiccup passes; four pauses are about
// a minute and a quarter, after which the message is reported failed.
var DefaultBackoff = Backoff{First: 5 * time.Second, Max: 2 * time.Minute}

// after is the pause after the given number of failed attempts (1 for the first).
func (b Backoff) after(attempt int) time.Duration {
	d := b.First
	for i := 1; i < attempt && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Options are the Poster's dependencies and numbers; the zero value of each is a default.
type Options struct {
	Clock  app.Clock    // default: the system clock
	Client *http.Client // for robots; default: DefaultTimeout, no redirects
	// Report is told every change of a delivery's state, so that the core journals it. It
	// is called with the Poster's lock held, in order, from Post and from Run: it must return
	// quickly and must not call the Poster.
	Report func(Delivery)
	// Translate renders a template of ours in the site's language (merged messages' titles,
	// the "View details" link, the test message); default: English.
	Translate   func(key string, args map[string]any) string
	Rate        Rate // per channel; default RobotRate
	MaxAttempts int  // default DefaultMaxAttempts
	Backoff     Backoff
	QueueLimit  int           // default QueueLimit
	Every       time.Duration // Run's longest sleep, so a clock moved by hand is noticed; default 5 s
	Log         *slog.Logger
}

// Poster sends messages to channels in the background: Post queues, Run sends. See the
// package documentation for what it does on the way.
type Poster struct {
	o    Options
	wake chan struct{}

	mu    sync.Mutex
	lines map[string]*line
	order []*line // in the order added: Step serves them in turn
}

// line is one channel with its queue and its rate.
type line struct {
	ch      Channel
	lim     *limiter
	queue   []*item // queue[0] is the next to go (perhaps waiting for a retry)
	busy    bool    // queue[0] is being sent
	removed bool
}

// item is a message waiting, or a merged message carrying several.
type item struct {
	msg     Message
	parts   []Message // the messages merged into it; nil for a plain message
	attempt int       // attempts made
	due     time.Time // not before (after a failed attempt)
}

// NewPoster builds a Poster without channels; add them with AddRobot or AddChannel.
func NewPoster(o Options) *Poster {
	if o.Clock == nil {
		o.Clock = app.SystemClock{}
	}
	if o.Client == nil {
		o.Client = defaultClient()
	}
	if o.Report == nil {
		o.Report = func(Delivery) {}
	}
	if o.Translate == nil {
		o.Translate = app.RenderTemplate
	}
	o.Rate = o.Rate.orDefault()
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff.First <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Backoff.Max < o.Backoff.First {
		o.Backoff.Max = o.Backoff.First
	}
	if o.QueueLimit <= 0 {
		o.QueueLimit = QueueLimit
	}
	if o.Every <= 0 {
		o.Every = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Poster{o: o, wake: make(chan struct{}, 1), lines: map[string]*line{}}
}

// T renders one of our texts in the site's language.
func (p *Poster) T(key string, args map[string]any) string { return p.o.Translate(key, args) }

// AddRobot checks a robot's settings and adds (or replaces) its channel.
func (p *Poster) AddRobot(r Robot) error {
	ch, err := NewChannel(r, p.o.Client, p.o.Clock)
	if err != nil {
		return err
	}
	p.AddChannel(ch, p.o.Rate)
	return nil
}

// AddChannel adds a channel, or replaces the one of the same name (changed settings):
// what waits for it and what it sent in the rate window stay. A zero rate is the Poster's.
func (p *Poster) AddChannel(ch Channel, rate Rate) {
	if rate.N <= 0 || rate.Per <= 0 {
		rate = p.o.Rate
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.lines[ch.Name()]; l != nil {
		l.ch = ch
		l.lim.rate = rate
		return
	}
	l := &line{ch: ch, lim: newLimiter(rate)}
	p.lines[ch.Name()] = l
	p.order = append(p.order, l)
}

// RemoveChannel takes a channel away (a robot deleted in the settings). What waits for it
// is reported failed; a message being sent finishes.
func (p *Poster) RemoveChannel(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lines[name]
	if l == nil {
		return
	}
	delete(p.lines, name)
	for i, x := range p.order {
		if x == l {
			p.order = append(p.order[:i:i], p.order[i+1:]...)
			break
		}
	}
	l.removed = true
	keep := 0
	if l.busy {
		keep = 1
	}
	err := app.Errorf(app.CodeNotFound, "The robot {{.Robot}} was removed before the message was sent", "Robot", name)
	now := p.o.Clock.Now()
	for _, it := range l.queue[keep:] {
		p.report(Delivery{MessageID: it.msg.ID, Channel: name, State: StateFailed, Attempt: it.attempt, At: now, Merged: it.partIDs()}.withError(err))
	}
	l.queue = l.queue[:keep]
}

// Waiting is how many messages wait for the named channel (those merged counted each).
func (p *Poster) Waiting(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.lines[name]; l != nil {
		return l.waiting()
	}
	return 0
}

// waiting counts the messages in l's queue, each of a merged one too: the queue's bound is
// on messages, so a merged message cannot grow without bound while a robot is down.
func (l *line) waiting() int {
	n := 0
	for _, it := range l.queue {
		n += len(it.partsOrSelf())
	}
	return n
}

// Post queues m for the named channel and returns at once; Run sends it. A message that is
// not queued is refused with the reason: an invalid one only, one for an unknown channel or
// a full queue is also reported failed (the core journals that it was not sent).
func (p *Poster) Post(to string, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Link != "" && m.LinkText == "" {
		m.LinkText = p.T("View details", nil)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.o.Clock.Now()
	l := p.lines[to]
	var err error
	switch {
	case l == nil:
		err = app.Errorf(app.CodeNotFound, "There is no robot named {{.Robot}}", "Robot", to)
	case l.waiting() >= p.o.QueueLimit:
		err = app.Errorf(app.CodeUnavailable, "{{.Count}} messages wait for the robot {{.Robot}} already: this one was not queued", "Count", l.waiting(), "Robot", to)
	}
	if err != nil {
		p.report(Delivery{MessageID: m.ID, Channel: to, State: StateFailed, At: now}.withError(err))
		return err
	}
	l.queue = append(l.queue, &item{msg: m})
	p.report(Delivery{MessageID: m.ID, Channel: to, State: StateQueued, At: now})
	select {
	case p.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return nil
}

// Run sends what is due until ctx ends, then returns nil. What still waits stays queued
// (a later Run goes on with it).
func (p *Poster) Run(ctx context.Context) error {
	for {
		next := p.Step(ctx)
		wait := p.o.Every
		if !next.IsZero() {
			wait = min(wait, next.Sub(p.o.Clock.Now()))
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-p.wake:
			case <-t.C:
			}
			t.Stop()
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// job is one attempt in flight.
type job struct {
	l   *line
	it  *item
	err error
}

// Step sends everything that is due at the clock's time now — one attempt per channel at a
// time, channels side by side — and returns when something is next due (zero: nothing
// waits). Run calls it; tests call it with a clock they move, so nothing there sleeps.
func (p *Poster) Step(ctx context.Context) time.Time {
	for ctx.Err() == nil {
		jobs, next := p.pick()
		if len(jobs) == 0 {
			return next
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func() { // ends before Step returns
				defer wg.Done()
				j.err = j.l.ch.Send(ctx, j.it.msg)
			}()
		}
		wg.Wait()
		p.finish(ctx, jobs)
	}
	return time.Time{}
}

// pick takes the attempt each channel may make now, merging what waits beyond the rate, and
// says when the earliest one that may not go yet will be due.
func (p *Poster) pick() ([]*job, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.o.Clock.Now()
	var jobs []*job
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, l := range p.order {
		if l.busy || len(l.queue) == 0 {
			continue
		}
		if due := l.queue[0].due; due.After(now) {
			later(due)
			continue
		}
		left := l.lim.Remaining(now)
		if left == 0 {
			later(l.lim.NextFree(now))
			continue
		}
		if len(l.queue) > left {
			p.merge(l, now)
		}
		l.busy = true
		l.lim.Took(now)
		jobs = append(jobs, &job{l: l, it: l.queue[0]})
	}
	return jobs, next
}

// merge makes everything waiting for l one message: the first, when it is a merged message
// already, takes in the rest; otherwise a new merged message carries them all.
func (p *Poster) merge(l *line, now time.Time) {
	name := l.ch.Name()
	head, rest := l.queue[0], l.queue[1:]
	created := head.parts == nil
	if created {
		head = &item{msg: Message{ID: mergeID(head.msg.ID)}, parts: []Message{}, attempt: head.attempt}
		rest = l.queue
	}
	var merged []Delivery
	for _, it := range rest {
		head.parts = append(head.parts, it.partsOrSelf()...)
		merged = append(merged, Delivery{MessageID: it.msg.ID, Channel: name, State: StateMerged, Attempt: it.attempt, At: now, Into: head.msg.ID, Merged: it.partIDs()})
	}
	head.msg = p.mergedMessage(head.msg.ID, head.parts)
	l.queue = []*item{head}
	if created {
		// First what the new message carries, then each one's "merged into" it.
		p.report(Delivery{MessageID: head.msg.ID, Channel: name, State: StateQueued, Attempt: head.attempt, At: now, Merged: head.partIDs()})
	}
	for _, d := range merged {
		p.report(d)
	}
}

// finish records the attempts' outcomes: sent, tried again later, or failed.
func (p *Poster) finish(ctx context.Context, jobs []*job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.o.Clock.Now()
	for _, j := range jobs {
		l, it := j.l, j.it
		l.busy = false
		if j.err != nil && ctx.Err() != nil {
			continue // stopped mid-attempt: it stays first in line, its attempt not counted
		}
		it.attempt++
		d := Delivery{MessageID: it.msg.ID, Channel: l.ch.Name(), Attempt: it.attempt, At: now, Merged: it.partIDs()}
		f := FailureOf(j.err)
		switch {
		case j.err == nil:
			d.State = StateSent
		case !f.Retryable() || it.attempt >= p.o.MaxAttempts || l.removed:
			d.State = StateFailed
		case f == FailureRateLimited:
			// The service counts differently from us (another sender, a restart): believe it.
			l.lim.Block(now)
			it.due = l.lim.NextFree(now)
			d.State, d.Retry = StateRetrying, it.due
		default:
			it.due = now.Add(p.o.Backoff.after(it.attempt))
			d.State, d.Retry = StateRetrying, it.due
		}
		if d.State != StateRetrying && len(l.queue) > 0 && l.queue[0] == it {
			l.queue = l.queue[1:]
		}
		p.report(d.withError(j.err))
	}
}

// report hands a delivery to the core and logs a failure (the texts are masked already).
func (p *Poster) report(d Delivery) {
	switch d.State {
	case StateFailed:
		p.o.Log.Warn("notification failed", "message", d.MessageID, "channel", d.Channel, "attempt", d.Attempt, "err", d.Text())
	case StateRetrying:
		p.o.Log.Info("notification to be tried again", "message", d.MessageID, "channel", d.Channel, "attempt", d.Attempt, "retry", d.Retry, "err", d.Text())
	}
	p.o.Report(d)
}

// channelNames are the names of the channels added, in the order added.
func (p *Poster) channelNames() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.order))
	for _, l := range p.order {
		out = append(out, l.ch.Name())
	}
	return out
}
