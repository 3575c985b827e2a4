package testkit

import (
	"testing"
	"time"

	"watchpost/app"
)

func TestFeedsPlayTheLiveCamerasAndFailTheOthers(t *testing.T) {
	f := NewFeeds([]app.Camera{{ID: "a"}, {ID: "b"}}, 1)
	defer f.Close()
	if _, err := f.Watch("nowhere", false, 10, 10); err == nil {
		t.Fatal("an unknown camera is refused")
	}
	live, err := f.Watch("a", true, 64, 36)
	if err != nil {
		t.Fatal(err)
	}
	next := func(v app.Viewer) *app.Frame {
		t.Helper()
		select {
		case fr := <-v.Frames():
			return fr
		case <-time.After(15 * time.Second):
			t.Fatal("no frame")
			return nil
		}
	}
	fr := next(live)
	if b := fr.Image.Bounds(); b.Dx() != 64 || b.Dy() != 36 {
		t.Fatalf("frames at the viewer's size, got %v", b)
	}
	if !fr.Captured.Before(fr.Decoded) {
		t.Fatal("sent before decoded")
	}
	if st := live.Status(); st.State != app.StreamPlaying || st.Width != Main.X {
		t.Fatalf("playing the main stream: %+v", st)
	}
	live.Resize(32, 18)
	for deadline := time.Now().Add(15 * time.Second); ; {
		if b := next(live).Image.Bounds(); b.Dx() == 32 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not resized")
		}
	}
	snap, err := live.Snapshot()
	if err != nil || snap.Bounds().Dx() != Main.X {
		t.Fatalf("a snapshot at the stream's resolution: %v %v", snap, err)
	}

	gray, err := f.WatchGray("a", 16, 9, 5)
	if err != nil {
		t.Fatal(err)
	}
	if g := next(gray); g.Gray == nil || g.Gray.Bounds().Dx() != 16 {
		t.Fatal("luma frames for analytics")
	}

	off, err := f.Watch("b", false, 64, 36)
	if err != nil {
		t.Fatal(err)
	}
	if st := off.Status(); st.State != app.StreamFailed || st.Reason != app.ReasonUnreachable {
		t.Fatalf("a camera that is off: %+v", st)
	}
	if f.Viewers() != 3 {
		t.Fatalf("3 viewers open, got %d", f.Viewers())
	}
	off.Close()
	live.Close()
	gray.Close()
	if f.Viewers() != 0 {
		t.Fatal("closed")
	}
	failed := 0
	for _, st := range f.Statuses() {
		if st.State == app.StreamFailed {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("the statuses of the streams used: %+v", f.Statuses())
	}
}
