package app

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"
)

// SeedOrderHistory plays the demo's past weeks of work orders (OrderHistory) through the
// core's own services, as the people concerned: residents report on the QR page, grid workers
// on their rounds, the duty operator logs calls and passes night orders on, the teams accept
// and finish them with proof, verifiers close or reopen them, the watch escalates the late
// ones (with their notices on the desk, which the duty operator handles), device faults
// become orders, residents rate. Each step runs at its own moment on a clock the script moves,
// so every journal entry carries the time it happened; the same script gives the same
// history relative to the first start (only residents' receipt numbers, random by design,
// differ).
//
// The services it plays on are its own (a bus, an alarm desk and work orders of the script's
// clock) over a journal kept in memory; once the whole history is played, its entries are
// written through the core's recorder in one transaction, with the sequence numbers they
// were given (alarms are named by them). So the first start pays one write, not one a step,
// and a history that fails halfway writes nothing. It runs before the core's services load
// and before anything else writes: nothing may take those numbers meanwhile. It returns how
// many orders it made.
func SeedOrderHistory(ctx context.Context, d HistoryDeps, h OrderHistory) (int, error) {
	base, err := d.Store.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	site := d.Inventory.Site()
	if site == nil {
		return 0, Errorf(CodeInvalid, "The demo's order history needs the site")
	}
	clock := &scriptClock{}
	mem := &memoryJournal{next: base + 1, clock: clock}
	rec := NewRecorder(mem, NewBus())
	desk := NewAlarmDesk(rec, d.Store, clock)
	orders := NewWorkOrders(d.Store, d.Store, rec, d.Inventory, desk, clock)
	if err := orders.Load(ctx); err != nil {
		return 0, err
	}
	r, err := newHistoryRun(ctx, d, &h, site, clock, orders, desk)
	if err != nil {
		return 0, err
	}
	if err := r.play(); err != nil {
		return 0, err
	}
	if len(mem.entries) == 0 {
		return 0, nil
	}
	if last, err := d.Store.LastSeq(ctx); err != nil {
		return 0, err
	} else if last != base {
		return 0, Errorf(CodeConflict, "The journal was written while the demo's order history was played: it is left out")
	}
	out, err := d.Recorder.Record(ctx, mem.entries...)
	if err != nil {
		return 0, err
	}
	for i := range out {
		if out[i].Seq != mem.entries[i].Seq {
			return r.made, Errorf(CodeCorrupt, "The demo's order history was written out of sequence at entry {{.Seq}}", "Seq", out[i].Seq)
		}
	}
	return r.made, nil
}

// HistoryDeps are what the history is played on and written to.
type HistoryDeps struct {
	Store     HistoryStore // the accounts, the set-up, where the journal stands
	Recorder  *Recorder    // the core's: the whole history is written through it at once
	Inventory *Inventory
	Photos    PhotoStore // the proof photos are stored here
	Setup     OrderSetup // the set-up in force (stored already)
	Now       time.Time  // the first start: the history ends here
}

// HistoryStore is what the history reads from the store.
type HistoryStore interface {
	Journal
	OrderStore
	OperatorStore
	AlarmStore
}

// scriptClock is the history's clock: it stands where the script put it.
type scriptClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *scriptClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *scriptClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// memoryJournal keeps the history's entries until they are written: it numbers them from
// where the real journal stands, as the store would, and stamps them with the script's clock.
type memoryJournal struct {
	mu      sync.Mutex
	next    int64
	clock   Clock
	entries []Entry
}

func (j *memoryJournal) Append(_ context.Context, entries ...Entry) ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, len(entries))
	for i, e := range entries {
		e.Seq = j.next
		j.next++
		if e.Time.IsZero() {
			e.Time = j.clock.Now()
		}
		e.Time = e.Time.UTC()
		if e.Kind == KindAlarmRaised {
			e.Subject = SubjectAlarm(e.Seq) // as the store names an alarm by its entry
		}
		out[i] = e
	}
	j.entries = append(j.entries, out...)
	return out, nil
}

func (j *memoryJournal) Query(context.Context, JournalQuery) ([]Entry, error) {
	return nil, Errorf(CodeUnavailable, "The demo's order history is not written yet")
}

func (j *memoryJournal) LastSeq(context.Context) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next - 1, nil
}

// step is one thing somebody does at a moment of the history.
type step struct {
	at  time.Time
	seq int // ties keep the order they were planned in
	do  func() error
}

type steps []*step

func (s steps) Len() int { return len(s) }
func (s steps) Less(i, j int) bool {
	if !s[i].at.Equal(s[j].at) {
		return s[i].at.Before(s[j].at)
	}
	return s[i].seq < s[j].seq
}
func (s steps) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *steps) Push(x any)   { *s = append(*s, x.(*step)) }
func (s *steps) Pop() any {
	old := *s
	x := old[len(old)-1]
	*s = old[:len(old)-1]
	return x
}

// at plans f at t, or at once when t has passed (a duplicate dealt with on its own after
// all), and nothing at or after the first start: the history ends there.
func (r *historyRun) at(t time.Time, f func() error) {
	if now := r.clock.Now(); t.Before(now) {
		t = now
	}
	if !t.Before(r.now) {
		return
	}
	r.seq++
	heap.Push(&r.queue, &step{at: t, seq: r.seq, do: f})
}

// play plans the weeks' reports, then runs every step in time order, the order watch's
// escalations at the moments they fall due in between.
func (r *historyRun) play() error {
	r.plan()
	for {
		due, escalate := r.nextEscalation()
		if len(r.queue) == 0 && !escalate {
			return nil
		}
		if escalate && !due.Before(r.now) {
			escalate = false
			if len(r.queue) == 0 {
				return nil
			}
		}
		if escalate && (len(r.queue) == 0 || !r.queue[0].at.Before(due)) {
			r.clock.set(due)
			if _, err := r.orders.Escalate(r.ctx); err != nil {
				return fmt.Errorf("demo history: escalation at %s: %w", due.Format(time.RFC3339), err)
			}
			r.noticeOverdue()
			continue
		}
		s := heap.Pop(&r.queue).(*step)
		r.clock.set(s.at)
		if err := s.do(); err != nil {
			return fmt.Errorf("demo history: at %s: %w", s.at.Format(time.RFC3339), err)
		}
	}
}

// nextEscalation is when the next escalation of an open order falls due.
func (r *historyRun) nextEscalation() (time.Time, bool) {
	var next time.Time
	found := false
	r.orders.mu.RLock()
	defer r.orders.mu.RUnlock()
	for _, o := range r.orders.orders {
		if !o.State.Open() {
			continue
		}
		for _, st := range []string{StageAccept, StageDone} {
			if due, _, ok := o.nextEscalation(&r.setup, st); ok && (!found || due.Before(next)) {
				next, found = due, true
			}
		}
	}
	return next, found
}
