package app

import "time"

// RecordingConfig is the "recording" section of the configuration.
type RecordingConfig struct {
	// Pre and Post: a clip of an alarm runs from Pre before it was raised to Post after.
	Pre  Duration `json:"pre,omitempty"`
	Post Duration `json:"post,omitempty"`
	// Stream: "main" (the default) or "sub".
	Stream string `json:"stream,omitempty"`
	// MaxAge and MaxBytes: retention deletes the oldest clips beyond either.
	MaxAge   Duration `json:"max_age,omitempty"`
	MaxBytes int64    `json:"max_bytes,omitempty"`
}

// Defaults of the recording section (README).
const (
	DefaultRecordingPre      = 15 * time.Second
	DefaultRecordingPost     = 30 * time.Second
	DefaultRecordingMaxAge   = 30 * 24 * time.Hour
	DefaultRecordingMaxBytes = 20_000_000_000
)

// Limits: the seconds before an alarm are held in memory for every camera (a 2 Mbit/s
// main stream is about 250 kB a second), so they are bounded.
const (
	maxRecordingPre  = 2 * time.Minute
	maxRecordingPost = 10 * time.Minute
	minRecordingAge  = time.Hour
	minRecordingSize = 100_000_000
)

// PreD returns the time recorded before an alarm, with its default.
func (c RecordingConfig) PreD() time.Duration {
	if c.Pre > 0 {
		return c.Pre.D()
	}
	return DefaultRecordingPre
}

// PostD returns the time recorded after an alarm, with its default.
func (c RecordingConfig) PostD() time.Duration {
	if c.Post > 0 {
		return c.Post.D()
	}
	return DefaultRecordingPost
}

// Main reports whether the main stream is recorded. It is by default: a recording is
// evidence (a face, a plate, a hand), and only the main stream has the resolution to show
// it; the sub stream is for tiles on the wall. Recording does not decode, so the main
// stream costs its network traffic and a little memory, not CPU.
func (c RecordingConfig) Main() bool { return c.Stream != "sub" }

// StreamName returns "main" or "sub".
func (c RecordingConfig) StreamName() string {
	if c.Main() {
		return "main"
	}
	return "sub"
}

// MaxAgeD returns how long clips are kept, with its default.
func (c RecordingConfig) MaxAgeD() time.Duration {
	if c.MaxAge > 0 {
		return c.MaxAge.D()
	}
	return DefaultRecordingMaxAge
}

// MaxBytesN returns how much disk the clips may take, with its default.
func (c RecordingConfig) MaxBytesN() int64 {
	if c.MaxBytes > 0 {
		return c.MaxBytes
	}
	return DefaultRecordingMaxBytes
}

// Validate checks the values.
func (c RecordingConfig) Validate() error {
	var p Problems
	if c.Pre < 0 || c.Pre.D() > maxRecordingPre {
		p.Add("recording.pre", "recording.pre is between 1 and {{.Max}} seconds", "Max", int(maxRecordingPre.Seconds()))
	}
	if c.Post < 0 || c.Post.D() > maxRecordingPost {
		p.Add("recording.post", "recording.post is between 1 and {{.Max}} seconds", "Max", int(maxRecordingPost.Seconds()))
	}
	switch c.Stream {
	case "", "main", "sub":
	default:
		p.Add("recording.stream", "recording.stream is main or sub")
	}
	if c.MaxAge < 0 || (c.MaxAge > 0 && c.MaxAge.D() < minRecordingAge) {
		p.Add("recording.max_age", "recording.max_age is at least 1h (e.g. 720h for 30 days)")
	}
	if c.MaxBytes < 0 || (c.MaxBytes > 0 && c.MaxBytes < minRecordingSize) {
		p.Add("recording.max_bytes", "recording.max_bytes is at least 100000000 (100 MB)")
	}
	return p.Err()
}
