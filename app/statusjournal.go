package app

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// StatusJournal records the state changes of running components (a camera connecting,
// playing, failing and why) in the journal, off the caller's goroutine: a video or network
// goroutine must never wait for an fsync. Its queue is bounded; an overflow is logged.
type StatusJournal struct {
	rec  *Recorder
	log  *slog.Logger
	q    chan Entry
	done chan struct{}
	once sync.Once
}

// NewStatusJournal starts the recorder goroutine.
func NewStatusJournal(rec *Recorder, log *slog.Logger) *StatusJournal {
	j := &StatusJournal{rec: rec, log: log, q: make(chan Entry, 512), done: make(chan struct{})}
	go j.run()
	return j
}

// Camera queues a camera stream's state change.
func (j *StatusJournal) Camera(st StreamStatus) {
	stream := "sub"
	if st.Main {
		stream = "main"
	}
	if st.State == StreamFailed {
		j.log.Warn("camera stream failed", "camera", st.CameraID, "stream", stream, "reason", st.Reason, "detail", st.Detail)
	} else {
		j.log.Info("camera stream", "camera", st.CameraID, "stream", stream, "state", st.State)
	}
	e := NewEntry(KindCameraStatus, SubjectCamera(st.CameraID), SystemActor, st)
	select {
	case j.q <- e:
	default:
		j.log.Error("camera status not journaled: queue full", "camera", st.CameraID)
	}
}

func (j *StatusJournal) run() {
	defer close(j.done)
	for e := range j.q {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := j.rec.Record(ctx, e); err != nil {
			j.log.Error("status not journaled", "subject", e.Subject, "err", err)
		}
		cancel()
	}
}

// Close records what is queued and stops.
func (j *StatusJournal) Close() {
	j.once.Do(func() { close(j.q) })
	<-j.done
}
