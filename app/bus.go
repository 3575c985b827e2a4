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
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Subscription]struct{}{}} }

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

// Publish offers the entries to every subscriber without ever blocking.
func (b *Bus) Publish(entries ...Entry) {
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
	out, err := r.Journal.Append(ctx, entries...)
	if err != nil {
		return nil, err
	}
	r.Bus.Publish(out...)
	return out, nil
}

// RecordThen is Record for a service that keeps the recorded change in memory: apply (the
// service taking the change into its state) runs once the entries are durable and before
// they are published, so that a subscriber that reads the service back when an entry
// arrives sees the change, never the state before it.
func (r *Recorder) RecordThen(ctx context.Context, apply func(), entries ...Entry) ([]Entry, error) {
	for i := range entries {
		if err := entries[i].Validate(); err != nil {
			return nil, err
		}
	}
	out, err := r.Journal.Append(ctx, entries...)
	if err != nil {
		return nil, err
	}
	apply()
	r.Bus.Publish(out...)
	return out, nil
}

// Published tells subscribers about entries that a store wrote together with its own
// tables (operator accounts), already durable.
func (r *Recorder) Published(entries ...Entry) { r.Bus.Publish(entries...) }
