package video

import (
	"context"
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/internal/runtest"
	"watchpost/video/codec"
)

// These tests hand a stream its access units themselves (as its source would), so that
// what the decoder is given and when is known exactly: no network, no timing.

// fakeGOP encodes n pictures of 160×90 with one key frame (the first) and stamps picture i
// with the send time t0+i×100 ms.
func fakeGOP(t *testing.T, n int, t0 time.Time) []accessUnit { return fakeUnits(t, n, 1000, t0) }

// fakeUnits is like fakeGOP with a key frame every gop pictures.
func fakeUnits(t *testing.T, n, gop int, t0 time.Time) []accessUnit {
	t.Helper()
	enc, err := codec.NewEncoder(codec.EncoderConfig{Codec: codec.H264, Width: 160, Height: 90, FPS: 10, GOP: gop, BitrateKbps: 200})
	require.NoError(t, err)
	defer enc.Close()
	img := image.NewYCbCr(image.Rect(0, 0, 160, 90), image.YCbCrSubsampleRatio420)
	var out []accessUnit
	for pts := int64(0); len(out) < n; pts++ {
		for i := range img.Y {
			img.Y[i] = byte(int(pts)*7 + i%160) // moving content: every picture differs
		}
		au, key, err := enc.Encode(img, pts)
		require.NoError(t, err)
		if au == nil {
			continue
		}
		require.Equal(t, len(out)%gop == 0, key, "a key frame every %d pictures", gop)
		sent := t0.Add(time.Duration(len(out)) * 100 * time.Millisecond)
		au = append([][]byte{codec.StampNAL(codec.H264, sent)}, au...)
		out = append(out, accessUnit{codec: codec.H264, nalus: au, key: key, received: time.Now(), size: 1000,
			pts: int64(len(out)) * 9000, hasPTS: true, conn: 1})
	}
	return out
}

// recordedStream returns the main stream of a camera that only a tap (the recorder) uses.
// Its camera cannot be reached: the test is its only source.
func recordedStream(t *testing.T) (*Feeds, *stream) {
	t.Helper()
	f := NewFeeds([]app.Camera{{ID: "gate", MainURL: "rtsp://127.0.0.1:1/gate/main", SubURL: "rtsp://127.0.0.1:1/gate/sub"}},
		Config{}, nil, nil)
	runtest.Run(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(t, f.WaitRunning(ctx))
	tap, err := f.Tap("gate", true)
	require.NoError(t, err)
	t.Cleanup(tap.Close)
	f.mu.Lock()
	s := f.streams[streamKey{"gate", true}]
	f.mu.Unlock()
	require.NotNil(t, s)
	return f, s
}

func sentAt(t *testing.T, fr *app.Frame) time.Time {
	t.Helper()
	require.False(t, fr.Captured.IsZero(), "the send time is carried")
	return fr.Captured
}

// A viewer that comes to a recorded stream gets the current picture at once, decoded from
// the last key frame kept: without waiting for a new key frame, nor even for the next
// unit (none comes here), however long the group of pictures is (longer than the
// decoder's queue here), and without the pictures before it.
func TestAViewerStartsFromTheKeptGroupOfPictures(t *testing.T) {
	f, s := recordedStream(t)
	t0 := time.Now().Truncate(time.Millisecond)
	gop := fakeGOP(t, 2*auQueue, t0)
	for _, au := range gop {
		s.push(au)
	}
	require.Zero(t, s.decoded.Load(), "nobody watched: nothing decoded")

	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	var fr *app.Frame
	select {
	case fr = <-v.Frames():
	case <-time.After(15 * time.Second):
		t.Fatalf("no picture without a new unit; status %+v", v.Status())
	}
	defer fr.Release()
	assert.True(t, sentAt(t, fr).Equal(gop[len(gop)-1].sentAt(t)), "the first picture is the newest kept (%v), not %v",
		gop[len(gop)-1].sentAt(t).Sub(t0), fr.Captured.Sub(t0))
	assert.Equal(t, int64(len(gop)), s.decoded.Load(), "every unit from the key frame on was decoded")
	assert.Zero(t, v.Status().Dropped, "no earlier picture was handed to the viewer")

	// Then it goes on live.
	next := fakeGOP(t, 1, t0.Add(time.Hour))[0] // a key frame
	s.push(next)
	live := waitFor(t, v)
	defer live.Release()
	assert.True(t, sentAt(t, live).Equal(next.sentAt(t)), "the next unit is shown next")
}

// Units that arrive while a joining viewer is caught up are decoded on the way: the viewer
// is handed the newest picture only, never a quick run of the stale ones before it.
func TestACatchUpShowsOnlyTheNewestPicture(t *testing.T) {
	f, s := recordedStream(t)
	t0 := time.Now().Truncate(time.Millisecond)
	units := fakeGOP(t, 30, t0)
	kept, live := units[:20], units[20:]
	for _, au := range kept {
		s.push(au)
	}

	// Hold the decoder (a snapshot whose answer is not read yet) while the viewer joins
	// and more units arrive, as they do while a long group is being decoded.
	held := make(chan snapResult)
	s.snaps <- held
	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	for _, au := range live {
		s.push(au)
	}
	<-held

	fr := waitFor(t, v)
	defer fr.Release()
	assert.True(t, sentAt(t, fr).Equal(live[len(live)-1].sentAt(t)), "the first picture shown is the newest (%v), not %v",
		live[len(live)-1].sentAt(t).Sub(t0), fr.Captured.Sub(t0))
	require.Eventually(t, func() bool { return s.decoded.Load() == int64(len(units)) }, 15*time.Second, 10*time.Millisecond,
		"every unit was decoded")
	assert.Zero(t, v.Status().Dropped, "no stale picture was handed to the viewer")
	assert.Equal(t, uint64(1), fr.Seq, "it is the first picture the stream showed")
}

// A viewer who comes back to a stream (the view enlarged again) while the decoder still has
// units queued from before it left is not shown them: its first picture is the current one.
func TestARejoiningViewerIsNotShownWhatWasQueuedBefore(t *testing.T) {
	f, s := recordedStream(t)
	t0 := time.Now().Truncate(time.Millisecond)
	units := fakeUnits(t, 10, 5, t0)
	before, after := units[:5], units[5:] // a group each

	first, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	held := make(chan snapResult)
	s.snaps <- held // the decoder is busy while the first group comes
	for _, au := range before {
		s.push(au)
	}
	first.Close()
	for _, au := range after { // nobody watches: kept, not queued
		s.push(au)
	}
	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	<-held

	fr := waitFor(t, v)
	defer fr.Release()
	assert.True(t, sentAt(t, fr).Equal(after[len(after)-1].sentAt(t)), "the first picture is the newest (%v), not %v",
		after[len(after)-1].sentAt(t).Sub(t0), fr.Captured.Sub(t0))
	assert.Zero(t, v.Status().Dropped, "no picture from before was handed to the viewer")
}

// A decoder that fell behind (its queue full when the last viewer left) still has room for
// the catch-up of the next viewer: what it had queued from before is let go.
func TestACatchUpFindsRoomBehindADecoderThatFellBehind(t *testing.T) {
	f, s := recordedStream(t)
	t0 := time.Now().Truncate(time.Millisecond)
	units := fakeUnits(t, auQueue+13, auQueue+8, t0)
	before, after := units[:auQueue+8], units[auQueue+8:] // more than the queue holds; then a group

	first, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	held := make(chan snapResult)
	s.snaps <- held // the decoder is stuck while the first group comes: its queue fills up
	for _, au := range before {
		s.push(au)
	}
	require.Len(t, s.aus, auQueue, "the decoder's queue is full")
	first.Close()
	for _, au := range after {
		s.push(au)
	}
	v, err := f.Watch("gate", true, 160, 90)
	require.NoError(t, err)
	defer v.Close()
	<-held

	fr := waitFor(t, v)
	defer fr.Release()
	assert.True(t, sentAt(t, fr).Equal(after[len(after)-1].sentAt(t)), "the first picture is the newest (%v), not %v",
		after[len(after)-1].sentAt(t).Sub(t0), fr.Captured.Sub(t0))
}

func waitFor(t *testing.T, v app.Viewer) *app.Frame {
	t.Helper()
	select {
	case fr := <-v.Frames():
		return fr
	case <-time.After(15 * time.Second):
		t.Fatalf("no picture; status %+v", v.Status())
		return nil
	}
}

func (au accessUnit) sentAt(t *testing.T) time.Time {
	t.Helper()
	at, ok := codec.SendTime(au.codec, au.nalus)
	require.True(t, ok)
	return at
}
