package app

import (
	"context"
	"log/slog"
	"time"
)

// StatusJournal records the state changes of running components (a camera connecting,
// playing, failing and why) in the journal, off the caller's goroutine: a video or network
// goroutine must never wait for an fsync. Its queue is bounded; an overflow is logged. It is
// a runner: Run writes what is queued until its context ends, then what is left.
type StatusJournal struct {
	rec *Recorder
	log *slog.Logger
	q   chan Entry
}

// NewStatusJournal builds the queue; Run writes it.
func NewStatusJournal(rec *Recorder, log *slog.Logger) *StatusJournal {
	return &StatusJournal{rec: rec, log: log, q: make(chan Entry, 512)}
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

// Run journals the queued states until ctx ends, then those still queued.
func (j *StatusJournal) Run(ctx context.Context) error {
	for {
		select {
		case e := <-j.q:
			j.write(e)
		case <-ctx.Done():
			for {
				select {
				case e := <-j.q:
					j.write(e)
				default:
					return nil
				}
			}
		}
	}
}

func (j *StatusJournal) write(e Entry) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := j.rec.Record(ctx, e); err != nil {
		j.log.Error("status not journaled", "subject", e.Subject, "err", err)
	}
}
