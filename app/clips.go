package app

import (
	"context"
	"strings"
	"time"
)

// Journal kinds of recording. A clip is journaled once its file is complete (written,
// synced and renamed), so an entry always names a file that plays; replay finds the clips
// of an instant by querying these entries.
const (
	KindClip        EntryKind = "video.clip"         // Data: Clip
	KindClipDeleted EntryKind = "video.clip_deleted" // Data: ClipDeletion (retention)
	KindClipOpened  EntryKind = "video.clip_opened"  // Data: ClipDeletion's fields Clip and File: who looked at evidence
	// KindClipMissing notes on an alarm (its subject) that a camera's clip could not be made
	// because there was no video of that time; Data: ClipMissing.
	KindClipMissing EntryKind = "video.clip_missing"
)

// ClipMissing says why a clip an alarm asked for does not exist (the time is before what
// the camera's buffer holds, the camera is not recorded). Why is an English template, the
// translation key, with its values in Args.
type ClipMissing struct {
	Clip     string         `json:"clip"`
	CameraID string         `json:"camera"`
	AlarmID  int64          `json:"alarm,omitempty"`
	DrillRun int64          `json:"drill_run,omitempty"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Why      string         `json:"why"`
	Args     map[string]any `json:"args,omitempty"`
}

// Why a clip was recorded.
const (
	ClipForAlarm = "alarm" // the cameras that see an alarm, from before it was raised
	ClipForDrill = "drill" // the cameras of a running drill, in segments
)

// SubjectClip is the journal subject of a clip's entries.
func SubjectClip(id string) string { return "clip:" + id }

// Clip is a piece of a camera's recorded stream: a standard video file (MP4) cut from the
// camera's own compressed stream, starting at a key frame.
type Clip struct {
	ID         string    `json:"id"`
	CameraID   string    `json:"camera"`
	From       time.Time `json:"from"` // its first picture (a key frame)
	To         time.Time `json:"to"`   // the end of its last picture
	File       string    `json:"file"`
	Bytes      int64     `json:"bytes,omitempty"`
	AlarmID    int64     `json:"alarm,omitempty"`
	IncidentID int64     `json:"incident,omitempty"` // the incident its alarm was part of when it was written
	DrillRun   int64     `json:"drill_run,omitempty"`
	Reason     string    `json:"reason,omitempty"` // ClipForAlarm or ClipForDrill
	Stream     string    `json:"stream,omitempty"` // "main" or "sub"
	Codec      string    `json:"codec,omitempty"`
}

// Validate checks a clip before it is journaled.
func (c *Clip) Validate() error {
	var p Problems
	if strings.TrimSpace(c.ID) == "" {
		p.Add("id", "A clip needs an ID")
	}
	if c.CameraID == "" {
		p.Add("camera", "A clip needs its camera")
	}
	if c.File == "" {
		p.Add("file", "A clip needs its file")
	}
	if c.From.IsZero() || c.To.Before(c.From) {
		p.Add("to", "A clip must end after it starts")
	}
	return p.Err()
}

// Duration is how long the clip plays.
func (c *Clip) Duration() time.Duration { return c.To.Sub(c.From) }

// Covers reports whether the clip shows the instant t.
func (c *Clip) Covers(t time.Time) bool { return !t.Before(c.From) && t.Before(c.To) }

// ClipDeletion is the data of a video.clip_deleted entry (and, with Clip and File only, of
// a video.clip_opened entry).
type ClipDeletion struct {
	Clip     string `json:"clip"`
	File     string `json:"file"`
	CameraID string `json:"camera,omitempty"`
	Bytes    int64  `json:"bytes,omitempty"`
	Why      string `json:"why,omitempty"` // ClipTooOld or ClipOverSize
}

// Why retention deleted a clip.
const (
	ClipTooOld   = "age"  // older than recording.max_age
	ClipOverSize = "size" // the clips took more than recording.max_bytes
)

// ClipStore reads the clips that are kept (written and not deleted), oldest first. Writes
// go through the journal: the store projects video.clip and video.clip_deleted entries.
type ClipStore interface {
	Clips(ctx context.Context) ([]Clip, error)
}

// ClipRequest asks the video side for a clip of one camera.
type ClipRequest struct {
	CameraID string
	From, To time.Time
	Name     string // the file's name without extension (the clip's ID)
}

// ClipFile is what the video side wrote.
type ClipFile struct {
	File     string
	Bytes    int64
	From, To time.Time // what the file holds: From is its first key frame
	Codec    string
	Main     bool // cut from the main stream
}

// TapStatus is one recorded camera: its stream and how much of it is held in memory.
type TapStatus struct {
	CameraID string        `json:"camera"`
	Main     bool          `json:"main"`
	State    StreamState   `json:"state"`
	Reason   string        `json:"reason,omitempty"`
	Codec    string        `json:"codec,omitempty"`
	Held     time.Duration `json:"held"`  // how far back its ring buffer reaches now
	Bytes    int64         `json:"bytes"` // the ring buffer's size
	Dropped  int64         `json:"dropped,omitempty"`
}

// ClipSource is the video side of recording: it keeps the last seconds of each camera's
// compressed stream and writes clips from them without decoding or encoding.
type ClipSource interface {
	// Keep records these cameras' main (or sub) streams, each holding at least pre of
	// video (from a key frame); other cameras are let go.
	Keep(cameraIDs []string, main bool, pre time.Duration)
	// Clip writes a clip from the key frame at or before req.From to req.To. It waits
	// until req.To has passed; when ctx ends first, the clip ends with what was received
	// until then (it is still written: it is evidence).
	Clip(ctx context.Context, req ClipRequest) (ClipFile, error)
	// Remove deletes a clip's file (a file already gone is not an error).
	Remove(file string) error
	// Taps reports the recorded cameras.
	Taps() []TapStatus
}
