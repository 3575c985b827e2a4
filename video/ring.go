package video

import (
	"sync"
	"time"
)

// ring keeps the last seconds of one camera's compressed stream, so that a clip can start
// before the instant it is asked for (an alarm is raised after what caused it). It holds
// whole groups of pictures: it always starts at a key frame, at or before now-keep (or at
// or before the earliest instant a pending clip still needs).
type ring struct {
	mu       sync.Mutex
	pkts     []*Packet
	bytes    int64
	keep     time.Duration
	maxBytes int64
	pins     map[int]time.Time // pending clips: their start must not be dropped
	nextPin  int
	overflow int64 // groups dropped over maxBytes although kept or pinned

	// Time: packets are filed with a PTS that runs on across reconnections and gaps (a
	// new connection restarts the camera's count), so that a clip spanning one plays with
	// the pause the camera really had.
	offset int64
	last   *Packet
	// arrived is closed (and replaced) whenever a packet is filed: clips waiting for the
	// end of their window wake up on it.
	arrived chan struct{}
	ended   bool // no packet will come any more (the tap's queue ended)
}

// ptsHz is the clock of Packet.PTS (RTP's video clock).
const ptsHz = 90000

func newRing(keep time.Duration, maxBytes int64) *ring {
	return &ring{keep: keep, maxBytes: maxBytes, pins: map[int]time.Time{}, arrived: make(chan struct{})}
}

// setKeep changes how long the ring reaches back.
func (r *ring) setKeep(d time.Duration) {
	r.mu.Lock()
	r.keep = d
	r.mu.Unlock()
}

// add files a packet from the tap (copied: the ring rewrites its PTS).
func (r *ring) add(p Packet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return
	}
	if r.last == nil || p.Gap || p.Conn != r.last.Conn {
		// Start of the ring, a reconnection or lost units: continue the time line by the
		// wall-clock time that passed (at least one tick, never backwards).
		if r.last == nil {
			r.offset = -p.PTS
		} else {
			ticks := max(int64(p.Received.Sub(r.last.Received))*ptsHz/int64(time.Second), 1)
			r.offset = r.last.PTS + ticks - p.PTS
		}
	}
	p.PTS += r.offset
	if r.last != nil && p.PTS <= r.last.PTS && p.Key && !p.Gap {
		// A camera whose clock jumped back without a reconnection: keep time going forward.
		shift := r.last.PTS + 1 - p.PTS
		r.offset += shift
		p.PTS += shift
	}
	if len(r.pkts) == 0 && !p.Key {
		return // a ring starts at a key frame
	}
	pp := &p
	r.pkts = append(r.pkts, pp)
	r.bytes += int64(p.Size)
	r.last = pp
	r.trimLocked(p.Received)
	close(r.arrived)
	r.arrived = make(chan struct{})
}

// trimLocked drops the oldest groups of pictures no longer needed.
func (r *ring) trimLocked(now time.Time) {
	horizon := now.Add(-r.keep)
	for _, t := range r.pins {
		if t.Before(horizon) {
			horizon = t
		}
	}
	for {
		// The next key frame after the first packet: everything before it is one group.
		k := 1
		for k < len(r.pkts) && !r.pkts[k].Key {
			k++
		}
		if k >= len(r.pkts) {
			return // a single group: keep it
		}
		over := r.maxBytes > 0 && r.bytes > r.maxBytes
		if !over && r.pkts[k].Received.After(horizon) {
			return // the second group starts after the horizon: the first is still needed
		}
		if over && !r.pkts[k].Received.After(horizon) {
			over = false // would have gone anyway
		}
		if over {
			r.overflow++
		}
		for _, p := range r.pkts[:k] {
			r.bytes -= int64(p.Size)
		}
		clear(r.pkts[:k]) // let the backing array forget them
		r.pkts = r.pkts[k:]
	}
}

// pin keeps the packets from t on until unpin (a clip waiting for its end).
func (r *ring) pin(t time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextPin++
	r.pins[r.nextPin] = t
	return r.nextPin
}

func (r *ring) unpin(id int) {
	r.mu.Lock()
	delete(r.pins, id)
	r.mu.Unlock()
}

// waitPast returns a channel closed when a packet is filed, and whether a packet received
// at or after t is already there, or none will come any more (the ring ended).
func (r *ring) waitPast(t time.Time) (<-chan struct{}, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrived, r.ended || (r.last != nil && !r.last.Received.Before(t))
}

// end says no packet will come any more: clips waiting for one end with what is held.
func (r *ring) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ended {
		r.ended = true
		close(r.arrived)
	}
}

// between returns the packets of a clip from `from` to `to`: from the last key frame at or
// before from (the first key frame held, when the ring starts later), up to the last
// packet received before to.
func (r *ring) between(from, to time.Time) []*Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := -1
	for i, p := range r.pkts {
		if p.Received.After(from) && start >= 0 {
			break
		}
		if p.Key {
			start = i
		}
	}
	if start < 0 {
		return nil
	}
	end := start
	for end < len(r.pkts) && r.pkts[end].Received.Before(to) {
		end++
	}
	return append([]*Packet(nil), r.pkts[start:end]...)
}

// held returns how far back the ring reaches and its size in bytes.
func (r *ring) held(now time.Time) (time.Duration, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pkts) == 0 {
		return 0, 0
	}
	return now.Sub(r.pkts[0].Received), r.bytes
}
