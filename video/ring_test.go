package video

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fill adds n packets at 10 fps from t0, a key frame every gop.
func fill(r *ring, t0 time.Time, n, gop int, conn uint64, pts0 int64) {
	for i := 0; i < n; i++ {
		r.add(Packet{Key: i%gop == 0, PTS: pts0 + int64(i)*ptsHz/10, Conn: conn, Size: 100,
			Received: t0.Add(time.Duration(i) * 100 * time.Millisecond)})
	}
}

func TestRingKeepsWholeGroupsBackToTheHorizon(t *testing.T) {
	r := newRing(2*time.Second, 0)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	fill(r, t0, 100, 10, 1, 0) // 10 s, a key frame a second
	require.True(t, r.pkts[0].Key, "the ring starts at a key frame")
	last := r.pkts[len(r.pkts)-1].Received
	assert.False(t, r.pkts[0].Received.After(last.Add(-2*time.Second)), "it reaches back at least keep")
	assert.True(t, r.pkts[0].Received.After(last.Add(-3*time.Second)), "and no more than a group beyond it")
	assert.Equal(t, int64(100*len(r.pkts)), r.bytes)
}

func TestRingPinsKeepAWaitingClipsStart(t *testing.T) {
	r := newRing(time.Second, 0)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	fill(r, t0, 20, 10, 1, 0)
	pin := r.pin(t0.Add(1500 * time.Millisecond))
	fill(r, t0.Add(2*time.Second), 50, 10, 1, 20*ptsHz/10)
	got := r.between(t0.Add(1500*time.Millisecond), t0.Add(4*time.Second))
	require.NotEmpty(t, got)
	assert.True(t, got[0].Key)
	assert.Equal(t, t0.Add(time.Second), got[0].Received, "from the key frame at or before the start")
	assert.True(t, got[len(got)-1].Received.Before(t0.Add(4*time.Second)))
	r.unpin(pin)
	fill(r, t0.Add(7*time.Second), 10, 10, 1, 70*ptsHz/10)
	assert.True(t, r.pkts[0].Received.After(t0.Add(4*time.Second)), "unpinned, it is trimmed again")
}

func TestRingBoundsItsBytes(t *testing.T) {
	r := newRing(time.Hour, 2500)
	t0 := time.Now()
	fill(r, t0, 100, 10, 1, 0)
	assert.LessOrEqual(t, r.bytes, int64(2500))
	assert.True(t, r.pkts[0].Key)
	assert.Positive(t, r.overflow)
}

// After a reconnection the camera's PTS starts again; the ring's runs on by the time that
// passed, so a clip across the gap plays with the pause the camera had.
func TestRingTimeRunsOnAcrossAReconnection(t *testing.T) {
	r := newRing(time.Hour, 0)
	t0 := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	fill(r, t0, 10, 10, 1, 5_000_000)
	lastPTS := r.last.PTS
	r.add(Packet{Key: true, PTS: 42, Conn: 2, Gap: true, Size: 100, Received: r.last.Received.Add(3 * time.Second)})
	assert.Equal(t, lastPTS+3*ptsHz, r.last.PTS)
	assert.Equal(t, int64(0), r.pkts[0].PTS, "the ring's time starts at 0")
}

func TestJPEGSize(t *testing.T) {
	// SOI, APP0 (length 4), SOF0 with height 360 and width 640.
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x68, 0x02, 0x80, 0x03}
	w, h, ok := jpegSize(b)
	require.True(t, ok)
	assert.Equal(t, 640, w)
	assert.Equal(t, 360, h)
}
