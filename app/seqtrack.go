package app

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"sort"
	"sync"
	"time"
)

// A device that numbers its messages ("seq", docs/devices.md) lets the core see two things
// the broker hides: a message it never received (a gap: a broker that dropped what it
// queued for the console, a device that gave up resending) and a message it received twice
// (a QoS 1 resend after a lost PUBACK, a site broker's redelivery after the console
// restarted). The first is counted and journaled (device.gap); the second is acknowledged
// and not journaled again.

// KindDeviceGap records messages a device numbered that never arrived. Data: SeqGap.
const KindDeviceGap EntryKind = "device.gap"

// SeqGap is a run of a device's messages that never arrived: From to To, in its run Boot.
type SeqGap struct {
	Device  string `json:"device"`
	Boot    string `json:"boot,omitempty"`
	From    uint64 `json:"from"`
	To      uint64 `json:"to"`
	Missing uint64 `json:"missing"`
}

const (
	// GapGrace is how long a missing number may be late before it counts as lost: the
	// site-broker client journals with several workers, so a device's messages may arrive
	// out of order by a few.
	GapGrace = 5 * time.Second
	// gapReorder: a number this far behind the device's latest is lost, however recent.
	gapReorder = 256
	// seenKeep and seenFor bound what is remembered of each device's journaled numbers
	// (to know a redelivery): the latest seenKeep, forgotten after seenFor except the
	// newest seenMin. A redelivery comes within the broker's in-flight window of the newest.
	seenKeep = 2048
	seenFor  = 24 * time.Hour
	seenMin  = 64
	// seenLoad is how many of a device's latest readings are read back on its first
	// numbered message after a start (a redelivery after a restart is one of the messages
	// in flight when the console went: the broker's window, 100 in the documented settings).
	seenLoad = 256
)

type seenSeq struct {
	seq, fp uint64
	at      time.Time
}

type seqRange struct {
	from, to uint64
	noticed  time.Time
}

// seqStream is what the core knows of one device's numbering.
type seqStream struct {
	mu       sync.Mutex
	loaded   bool   // its recent journal was read (once, on its first numbered message here)
	boot     string // its current run
	high     uint64 // the highest number of the run
	started  bool   // a run began here (a restart): numbers before the first are missing too
	seen     []seenSeq
	pending  []seqRange // missing, possibly only late, oldest first
	inflight map[uint64]chan struct{}
}

// SeqTracker keeps every numbering device's stream.
type SeqTracker struct {
	mu      sync.Mutex
	streams map[string]*seqStream
	journal Journal
}

// NewSeqTracker reads each device's recent journal from j when it first sends a number.
func NewSeqTracker(j Journal) *SeqTracker {
	return &SeqTracker{streams: map[string]*seqStream{}, journal: j}
}

func (t *SeqTracker) stream(id string) *seqStream {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.streams[id]
	if s == nil {
		s = &seqStream{inflight: map[uint64]chan struct{}{}}
		t.streams[id] = s
	}
	return s
}

// readingPrint is what a redelivery repeats exactly: the same message, byte for byte, so
// the same type, event, device time, run and fields (a device that restarted without a
// run ID and numbers from 1 again says something else under an old number).
func readingPrint(r *Reading) uint64 {
	h := fnv.New64a()
	var b [8]byte
	if r.DeviceClock {
		binary.LittleEndian.PutUint64(b[:], uint64(r.Time.UnixNano()))
	}
	h.Write(b[:])
	h.Write([]byte(string(r.Type) + "\x00" + r.Event + "\x00" + r.Boot + "\x00"))
	v, _ := json.Marshal(r.Values) // map keys sorted: the same fields give the same text
	h.Write(v)
	return h.Sum64()
}

// seqCheck is what begin found: a redelivery, or gaps now counted as lost.
type seqCheck struct {
	dup  bool
	gaps []SeqGap
	done func()
}

// begin checks a numbered reading before it is journaled. A reading with a number already
// journaled (the same message) is a redelivery. Otherwise the reading holds its number
// until done is called (a second delivery of it waits for the first's outcome), and gaps
// that are now lost are returned to be journaled with it.
func (t *SeqTracker) begin(ctx context.Context, r *Reading, now time.Time) (seqCheck, error) {
	s := t.stream(r.DeviceID)
	fp := readingPrint(r)
	s.mu.Lock()
	if !s.loaded {
		if err := s.load(ctx, t.journal, r.DeviceID); err != nil {
			s.mu.Unlock()
			return seqCheck{}, err
		}
	}
	for {
		wait, ok := s.inflight[r.Seq]
		if !ok {
			break
		}
		s.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return seqCheck{}, Errorf(CodeUnavailable, "The device's message is being journaled already").Wrap(ctx.Err())
		}
		s.mu.Lock()
	}
	defer s.mu.Unlock()
	if (r.Seq <= s.high || r.Retained) && s.wasSeen(r.Boot, r.Seq, fp) { // above the highest: new, no need to look
		return seqCheck{dup: true}, nil
	}
	if r.Retained {
		// An old copy: journaled unless it is there already, and no news of the count.
		return seqCheck{done: func() {}}, nil
	}
	var lost []SeqGap
	restart := (r.Boot != "" && s.boot != "" && r.Boot != s.boot) || // a new run
		(r.Boot == "" && r.Seq <= 1 && s.high >= 1) // counting from the start again
	if restart {
		lost = s.confirm(r.DeviceID) // what the old run lost is lost
		s.high, s.seen, s.started = 0, nil, true
	}
	if r.Boot != "" {
		s.boot = r.Boot
	}
	switch {
	case s.high == 0 && !s.started:
		// The first number heard of this device: what came before is not known.
	case r.Seq > s.high+1:
		s.pending = append(s.pending, seqRange{from: s.high + 1, to: r.Seq - 1, noticed: now})
	case r.Seq <= s.high:
		s.fill(r.Seq) // late, or sent again after its journal failed
	}
	s.high = max(s.high, r.Seq)
	s.started = false
	lost = append(lost, s.due(r.DeviceID, now)...)
	ch := make(chan struct{})
	s.inflight[r.Seq] = ch
	seq := r.Seq
	return seqCheck{gaps: lost, done: func() {
		s.mu.Lock()
		delete(s.inflight, seq)
		s.mu.Unlock()
		close(ch)
	}}, nil
}

// load reads the device's latest journaled readings: its run, its highest number, and the
// numbers journaled (so that a redelivery after a restart is known).
func (s *seqStream) load(ctx context.Context, j Journal, id string) error {
	es, err := j.Query(ctx, JournalQuery{Subject: SubjectDevice(id), Kinds: []EntryKind{KindDeviceReading}, Latest: seenLoad})
	if err != nil {
		return err
	}
	for i := len(es) - 1; i >= 0; i-- { // the newest names the run
		var r Reading
		if es[i].Drill || es[i].Decode(&r) != nil || r.Seq == 0 {
			continue
		}
		if !s.loaded {
			s.loaded, s.boot = true, r.Boot
		}
		if r.Boot == s.boot {
			s.high = max(s.high, r.Seq)
		}
	}
	s.loaded = true
	for _, e := range es {
		var r Reading
		if !e.Drill && e.Decode(&r) == nil && r.Seq != 0 && r.Boot == s.boot {
			s.remember(r.Seq, readingPrint(&r), e.Time)
		}
	}
	return nil
}

func (s *seqStream) wasSeen(boot string, seq, fp uint64) bool {
	if boot != "" && s.boot != "" && boot != s.boot {
		return false
	}
	for i := len(s.seen) - 1; i >= 0; i-- {
		if s.seen[i].seq == seq && s.seen[i].fp == fp {
			return true
		}
	}
	return false
}

// remember notes a journaled number, forgetting the oldest beyond the bounds.
func (s *seqStream) remember(seq, fp uint64, at time.Time) {
	s.seen = append(s.seen, seenSeq{seq: seq, fp: fp, at: at})
	if len(s.seen) <= seenMin || (len(s.seen) < seenKeep+seenKeep/4 && at.Sub(s.seen[0].at) <= seenFor) {
		return // forgotten in batches: one copy per seenKeep/4 numbers, not one per number
	}
	drop := max(0, len(s.seen)-seenKeep)
	for drop < len(s.seen)-seenMin && at.Sub(s.seen[drop].at) > seenFor {
		drop++
	}
	if drop > 0 {
		s.seen = append(s.seen[:0], s.seen[drop:]...)
	}
}

// fill takes a late number out of the missing ones.
func (s *seqStream) fill(seq uint64) {
	for i, g := range s.pending {
		if seq < g.from || seq > g.to {
			continue
		}
		var parts []seqRange
		if seq > g.from {
			parts = append(parts, seqRange{from: g.from, to: seq - 1, noticed: g.noticed})
		}
		if seq < g.to {
			parts = append(parts, seqRange{from: seq + 1, to: g.to, noticed: g.noticed})
		}
		s.pending = append(s.pending[:i], append(parts, s.pending[i+1:]...)...)
		return
	}
}

// due returns the missing runs that are lost by now (late past GapGrace, or far behind the
// latest number) and forgets them.
func (s *seqStream) due(id string, now time.Time) []SeqGap {
	var out []SeqGap
	keep := s.pending[:0]
	for _, g := range s.pending {
		if now.Sub(g.noticed) >= GapGrace || s.high-g.to >= gapReorder {
			out = append(out, SeqGap{Device: id, Boot: s.boot, From: g.from, To: g.to, Missing: g.to - g.from + 1})
		} else {
			keep = append(keep, g)
		}
	}
	s.pending = keep
	return out
}

// confirm returns every missing run (the run ended: none can arrive any more).
func (s *seqStream) confirm(id string) []SeqGap {
	var out []SeqGap
	for _, g := range s.pending {
		out = append(out, SeqGap{Device: id, Boot: s.boot, From: g.from, To: g.to, Missing: g.to - g.from + 1})
	}
	s.pending = nil
	return out
}

// journaled notes a numbered reading that is in the journal (the fold, whoever wrote it).
func (t *SeqTracker) journaled(r *Reading, at time.Time) {
	s := t.stream(r.DeviceID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Boot != "" && s.boot != "" && r.Boot != s.boot {
		return // an old run's message, journaled late: nothing of it is kept
	}
	s.remember(r.Seq, readingPrint(r), at)
}

// Due returns, for every device, the missing runs lost by now (supervision calls it).
func (t *SeqTracker) Due(now time.Time) []SeqGap {
	t.mu.Lock()
	ids := make([]string, 0, len(t.streams))
	for id := range t.streams {
		ids = append(ids, id)
	}
	t.mu.Unlock()
	sort.Strings(ids)
	var out []SeqGap
	for _, id := range ids {
		s := t.stream(id)
		s.mu.Lock()
		out = append(out, s.due(id, now)...)
		s.mu.Unlock()
	}
	return out
}
