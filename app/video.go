package app

import (
	"image"
	"sync"
	"time"
)

// StreamState is where a camera stream stands.
type StreamState string

const (
	StreamIdle       StreamState = "idle"       // nobody watches it: not connected, not decoded
	StreamConnecting StreamState = "connecting" // connecting, or waiting for the first key frame
	StreamPlaying    StreamState = "playing"
	StreamFailed     StreamState = "failed" // with a Reason; it retries with backoff
)

// Reasons a stream fails, in words an operator understands (English, translated when shown).
const (
	ReasonUnreachable   = "Camera unreachable"
	ReasonWrongPassword = "Wrong user name or password for the camera"
	ReasonNoCodec       = "The camera offers no supported video codec (H.264, H.265, MJPEG)"
	ReasonTimeout       = "The camera stopped sending video"
	ReasonBadURL        = "The camera address is not a valid RTSP URL"
	ReasonRefused       = "The camera refused the stream"
	ReasonCorrupt       = "The stream cannot be decoded"
	ReasonNotRTSP       = "Not an RTSP camera: it answered something else"
	ReasonHTTP          = "Not an RTSP camera: a web server (HTTP) answers there"
	ReasonClosed        = "The camera closed the connection without answering"
)

// StreamStatus is what the wall and the status bar show for one stream.
type StreamStatus struct {
	CameraID     string      `json:"camera"`
	Main         bool        `json:"main"` // the main (full resolution) stream, else the sub stream
	State        StreamState `json:"state"`
	Reason       string      `json:"reason,omitempty"` // why it failed (one of the Reason… texts)
	Detail       string      `json:"detail,omitempty"` // the technical cause, for the log and support
	Codec        string      `json:"codec,omitempty"`
	Width        int         `json:"width,omitempty"`
	Height       int         `json:"height,omitempty"`
	FPS          float64     `json:"fps,omitempty"`
	BitrateKbps  float64     `json:"bitrate_kbps,omitempty"`
	DecodeErrors int64       `json:"decode_errors,omitempty"`
	Dropped      int64       `json:"dropped,omitempty"` // frames a consumer was too slow for
	Skipped      int64       `json:"skipped,omitempty"` // frames a sampling viewer left out on purpose (analytics)
	Since        time.Time   `json:"since"`
}

// Frame is one decoded picture, converted to the size its viewer asked for. The viewer
// calls Release when it no longer shows it, so that its buffer can be reused.
type Frame struct {
	Image    *image.RGBA // for display
	Gray     *image.Gray // for analytics (a viewer gets one or the other)
	Seq      uint64
	Captured time.Time // when the camera sent it, if the stream carries send times; else zero
	Received time.Time // when its last packet arrived
	Decoded  time.Time
	release  func()
	once     sync.Once
}

// NewFrame wraps a picture; release (may be nil) returns its buffer to the producer.
func NewFrame(img *image.RGBA, release func()) *Frame { return &Frame{Image: img, release: release} }

// NewGrayFrame wraps a luma picture (analytics).
func NewGrayFrame(img *image.Gray, release func()) *Frame { return &Frame{Gray: img, release: release} }

// Release hands the buffer back; safe to call more than once.
func (f *Frame) Release() {
	if f == nil {
		return
	}
	f.once.Do(func() {
		if f.release != nil {
			f.release()
		}
	})
}

// Viewer is one consumer's view of a camera stream: the latest frames at its own size,
// through a small drop-oldest queue, and the stream's status.
type Viewer interface {
	Frames() <-chan *Frame
	Status() StreamStatus
	// Resize changes the size of the frames to come (the tile was resized).
	Resize(w, h int)
	// Snapshot returns the current picture at the stream's full resolution.
	Snapshot() (*image.RGBA, error)
	// SetMaxFPS limits the frames delivered per second (0: every frame).
	SetMaxFPS(fps float64)
	Close()
}

// CameraFeeds opens viewers on cameras. A stream is connected and decoded only while it has
// viewers (and for a short grace period after the last one leaves, so paging back is quick).
type CameraFeeds interface {
	Watch(cameraID string, main bool, w, h int) (Viewer, error)
	// WatchGray opens a viewer of a camera's sub stream delivering luma frames of w×h at
	// most fps per second, for video analytics.
	WatchGray(cameraID string, w, h int, fps float64) (Viewer, error)
	// Statuses returns the status of every stream that is or was recently in use.
	Statuses() []StreamStatus
}

// ProbeResult is what `watchpost probe` and the camera dialog's "test connection" report.
type ProbeResult struct {
	URL          string        `json:"url"` // without the password
	Codec        string        `json:"codec,omitempty"`
	Width        int           `json:"width,omitempty"`
	Height       int           `json:"height,omitempty"`
	FPS          float64       `json:"fps,omitempty"`
	BitrateKbps  float64       `json:"bitrate_kbps,omitempty"`
	KeyInterval  time.Duration `json:"key_interval,omitempty"` // between key frames
	FirstFrame   time.Duration `json:"first_frame,omitempty"`  // from connecting to the first picture
	Frames       int           `json:"frames"`
	DecodeErrors int           `json:"decode_errors"`
	LatencyP50   time.Duration `json:"latency_p50,omitempty"` // send → decoded, when the stream carries send times
	LatencyP95   time.Duration `json:"latency_p95,omitempty"`
	Reason       string        `json:"reason,omitempty"` // why it failed, in an operator's words
	Detail       string        `json:"detail,omitempty"`
}

// OK reports whether pictures were decoded.
func (r ProbeResult) OK() bool { return r.Frames > 0 && r.Reason == "" }
