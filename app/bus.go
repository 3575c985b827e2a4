package app

import (
	"context"
	"sync"
	"sync/atomic"
)

// Bus hands journal entries, once they are durable, to whoever is interested (the UI
// panels, sound, the map). Each subscriber has its own bounded queue: when a subscriber
// falls behind, its oldest entries are dropped and counted, and nobody else waits.
type Bus struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}

	// folds are the services' own state updates: each published entry is handed to every
	// fold, in the order published, before any subscriber sees it (a subscriber that reads a
	// service back when an entry arrives sees the entry's change). An entry written by another
	// process reaches the folds the same way, through the Tail.
	foldMu sync.Mutex
	folds  []func(Entry)
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Subscription]struct{}{}} }

// Fold registers a service's state update; it is called for every entry published, one
// entry at a time, and must not block nor record anything itself.
func (b *Bus) Fold(f func(Entry)) {
	b.foldMu.Lock()
	b.folds = append(b.folds, f)
	b.foldMu.Unlock()
}

// Subscription is one subscriber's queue.
type Subscription struct {
	bus     *Bus
	ch      chan Entry
	filter  func(*Entry) bool
	mu      sync.Mutex // serialises drop-oldest against concurrent publishers
	dropped atomic.Int64
	once    sync.Once
}

// Subscribe returns a queue of capacity size (at least 1) receiving the entries for which
// filter returns true (all entries when filter is nil).
func (b *Bus) Subscribe(size int, filter func(*Entry) bool) *Subscription {
	if size < 1 {
		size = 1
	}
	s := &Subscription{bus: b, ch: make(chan Entry, size), filter: filter}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// C is the channel to receive from; it is closed by Close.
func (s *Subscription) C() <-chan Entry { return s.ch }

// Dropped returns how many entries were dropped because the subscriber was behind.
func (s *Subscription) Dropped() int64 { return s.dropped.Load() }

// Close unsubscribes and closes the channel.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		s.mu.Lock()
		close(s.ch)
		s.mu.Unlock()
	})
}

// Publish hands the entries to the folds, then offers them to every subscriber without ever
// blocking.
func (b *Bus) Publish(entries ...Entry) {
	b.foldMu.Lock()
	for _, e := range entries {
		for _, f := range b.folds {
			f(e)
		}
	}
	b.foldMu.Unlock()
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs {
		for i := range entries {
			if s.filter == nil || s.filter(&entries[i]) {
				s.offer(entries[i])
			}
		}
	}
}

func (s *Subscription) offer(e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		select {
		case s.ch <- e:
			return
		default:
		}
		select { // full: drop the oldest and try again
		case <-s.ch:
			s.dropped.Add(1)
		default:
		}
	}
}

// Recorder is the one way the core records what happens: it appends entries to the
// journal (durable when Append returns) and only then publishes them on the bus. Nobody is
// shown anything that is not on disk.
type Recorder struct {
	Journal Journal
	Bus     *Bus

	// writing is held (shared) while this process writes to the journal and notes what it
	// wrote, and exclusively by the Tail while it reads what others wrote: the Tail never
	// takes an entry of ours, half written, for somebody else's.
	writing sync.RWMutex
	oursMu  sync.Mutex
	ours    map[int64]bool // sequence numbers this process wrote that the Tail has not passed yet (tracked while tailed)
	tailed  bool
}

// NewRecorder ties a journal and a bus.
func NewRecorder(j Journal, b *Bus) *Recorder { return &Recorder{Journal: j, Bus: b} }

// Record validates, appends and publishes entries; they are one transaction.
func (r *Recorder) Record(ctx context.Context, entries ...Entry) ([]Entry, error) {
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return nil, err
		}
	}
	out, err := r.append(ctx, entries)
	if err != nil {
		return nil, err
	}
	r.Bus.Publish(out...)
	return out, nil
}

// append writes entries to the journal as this process's own.
func (r *Recorder) append(ctx context.Context, entries []Entry) ([]Entry, error) {
	r.writing.RLock()
	defer r.writing.RUnlock()
	out, err := r.Journal.Append(ctx, entries...)
	if err == nil {
		r.noteOurs(out)
	}
	return out, err
}

func (r *Recorder) noteOurs(entries []Entry) {
	r.oursMu.Lock()
	defer r.oursMu.Unlock()
	if !r.tailed {
		return
	}
	for _, e := range entries {
		r.ours[e.Seq] = true
	}
}

// Stored publishes entries that a store wrote itself together with its own tables (operator
// accounts with their password hashes, the site with its camera passwords): write runs the
// store's call as this process's write, and what it returns is published.
func (r *Recorder) Stored(write func() ([]Entry, error)) ([]Entry, error) {
	r.writing.RLock()
	out, err := write()
	if err == nil {
		r.noteOurs(out)
	}
	r.writing.RUnlock()
	if err != nil {
		return nil, err
	}
	r.Bus.Publish(out...)
	return out, nil
}

// Published tells subscribers about entries that a store wrote together with its own
// tables (operator accounts), already durable.
func (r *Recorder) Published(entries ...Entry) {
	r.noteOurs(entries)
	r.Bus.Publish(entries...)
}
