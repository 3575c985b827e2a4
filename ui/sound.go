package ui

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"
)

// The alarm sound: a two-tone chime repeated while a P1/P2 alarm waits for acknowledgement,
// with a mute that expires on its own. Many guard-room PCs have no sound card (and these
// test machines have none): then the console runs on silently and says so once.

const sampleRate = 44100

var (
	soundOnce   sync.Once
	soundCtx    *oto.Context
	soundReason string // why there is no sound, in words
)

// initSound opens the audio device once per process (oto allows one context).
func initSound() {
	soundOnce.Do(func() {
		b, err := os.ReadFile("/proc/asound/cards")
		if err != nil || strings.Contains(string(b), "no soundcards") || len(strings.TrimSpace(string(b))) == 0 {
			// Opening ALSA without a card only prints errors; do not try.
			soundReason = "No sound card: alarms are shown, not heard"
			return
		}
		ctx, ready, err := oto.NewContext(&oto.NewContextOptions{SampleRate: sampleRate, ChannelCount: 1, Format: oto.FormatSignedInt16LE})
		if err != nil {
			soundReason = "The sound device cannot be opened: alarms are shown, not heard"
			return
		}
		<-ready
		soundCtx = ctx
	})
}

// chime renders the alarm tone: urgent alarms alternate quickly, the others chime once.
func chime(urgent bool) []byte {
	var buf bytes.Buffer
	tone := func(freq float64, d time.Duration) {
		n := int(d.Seconds() * sampleRate)
		for i := 0; i < n; i++ {
			env := math.Min(1, math.Min(float64(i), float64(n-i))/400) // no clicks
			v := int16(0.35 * 32767 * env * math.Sin(2*math.Pi*freq*float64(i)/sampleRate))
			_ = binary.Write(&buf, binary.LittleEndian, v)
		}
	}
	if urgent {
		for i := 0; i < 3; i++ {
			tone(988, 140*time.Millisecond)
			tone(740, 140*time.Millisecond)
		}
	} else {
		tone(880, 200*time.Millisecond)
		tone(660, 300*time.Millisecond)
	}
	return buf.Bytes()
}

// alarmSound plays the chime and keeps the mute. The console owns it (alarm_watch.go), so
// it sounds on every panel and on the sign-in screen.
type alarmSound struct {
	mu         sync.Mutex
	mutedUntil time.Time
	player     *oto.Player
	asked      int // chimes asked for while not muted (with or without a sound card)
}

func newAlarmSound() *alarmSound {
	initSound()
	return &alarmSound{}
}

// Available reports whether sound can be played, and why not.
func (s *alarmSound) Available() (bool, string) { return soundCtx != nil, soundReason }

// Mute silences the chime for d (0 unmutes).
func (s *alarmSound) Mute(d time.Duration) {
	s.mu.Lock()
	s.mutedUntil = time.Now().Add(d)
	s.mu.Unlock()
}

// Muted returns how long the mute still lasts (0: not muted).
func (s *alarmSound) Muted() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := time.Until(s.mutedUntil); d > 0 {
		return d
	}
	return 0
}

// Play starts the chime unless muted or already playing; it never blocks.
func (s *alarmSound) Play(urgent bool) {
	if s.Muted() > 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked++
	if soundCtx == nil {
		return
	}
	if s.player != nil && s.player.IsPlaying() {
		return
	}
	s.player = soundCtx.NewPlayer(bytes.NewReader(chime(urgent)))
	s.player.Play()
}

// Asked is how many chimes were asked for while not muted: what the operator hears where
// there is a sound card (tests have none).
func (s *alarmSound) Asked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}
