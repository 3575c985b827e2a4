package video_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/video"
	"watchpost/video/codec"
	"watchpost/video/sim"
)

// recordClip records a clip of the simulator's camera with the real recorder.
func recordClip(t *testing.T, c codec.Codec) app.ClipFile {
	t.Helper()
	s := startSim(t, sim.Config{Codec: c})
	f := newFeeds(t, video.Config{}, camera("gate", s.URL("gate", "main"), s.URL("gate", "sub")))
	r, _ := newRecorder(t, f)
	const pre, post = 2 * time.Second, time.Second
	r.Keep([]string{"gate"}, true, pre)
	waitHeld(t, r, "gate", pre+time.Second)
	at := time.Now()
	clip, err := r.Clip(context.Background(), app.ClipRequest{CameraID: "gate", From: at.Add(-pre), To: at.Add(post), Name: "gate-play"})
	require.NoError(t, err)
	return clip
}

// The console's player plays a clip the recorder wrote: every picture, in order, at its
// time, of the camera's size; a seek shows the same picture playing reached.
func TestThePlayerPlaysARecordedClip(t *testing.T) {
	for _, c := range []codec.Codec{codec.H264, codec.H265} {
		t.Run(c.String(), func(t *testing.T) {
			clip := recordClip(t, c)
			v, err := video.ClipPlayer{}.OpenClip(clip.File)
			require.NoError(t, err)
			defer v.Close()
			info := v.Info()
			assert.Equal(t, 640, info.Width, "the main stream's size")
			assert.Equal(t, 360, info.Height)
			assert.Equal(t, c.String(), info.Codec)
			assert.InDelta(t, clip.To.Sub(clip.From).Seconds(), info.Duration.Seconds(), 0.1, "the clip's length")
			if _, err := exec.LookPath("ffprobe"); err == nil {
				n, _ := strconv.Atoi(ffprobe(t, clip.File).Streams[0].NbFrames)
				assert.Equal(t, n, info.Frames, "as many pictures as ffprobe counts")
			} else {
				// A busy machine lets the camera send fewer, never more, than its 15 a second.
				assert.Positive(t, info.Frames)
				assert.LessOrEqual(t, float64(info.Frames), 15*info.Duration.Seconds()+1)
			}

			var frames []app.VideoFrame
			for {
				fr, err := v.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				frames = append(frames, fr)
			}
			require.Len(t, frames, info.Frames, "every picture plays")
			// The times are the file's own (the camera's clock): ffprobe, where there is
			// one, says when each picture is shown.
			var shown []float64
			if _, err := exec.LookPath("ffprobe"); err == nil {
				shown = ptsTimes(t, clip.File)
				require.Len(t, shown, len(frames))
			}
			for i, fr := range frames {
				assert.Equal(t, i, fr.Index)
				require.NotNil(t, fr.Image)
				assert.Equal(t, 640, fr.Image.Rect.Dx(), "picture %d", i)
				assert.Equal(t, 360, fr.Image.Rect.Dy(), "picture %d", i)
				if i == 0 {
					assert.Zero(t, fr.At, "the first picture at 0")
					continue
				}
				assert.Greater(t, fr.At, frames[i-1].At, "picture %d after the one before", i)
				if shown != nil {
					assert.InDelta(t, shown[i]-shown[0], fr.At.Seconds(), 0.001, "picture %d at the time the file gives it", i)
				}
			}
			last := frames[len(frames)-1]
			assert.Less(t, last.At, info.Duration, "the last picture is inside the clip")
			assert.Greater(t, last.At, info.Duration-time.Second/3, "…at its end")
			assert.Greater(t, spread(frames[0].Image.Pix), 40, "a picture, not a blank")

			// A seek to the middle shows the picture shown then, the same as playing reached.
			mid := info.Duration / 2
			fr, err := v.Seek(mid)
			require.NoError(t, err)
			require.Less(t, fr.Index, len(frames)-1)
			assert.LessOrEqual(t, fr.At, mid, "the picture shown at that time…")
			assert.Greater(t, frames[fr.Index+1].At, mid, "…is the last one before it")
			assert.Equal(t, frames[fr.Index].At, fr.At)
			assert.True(t, bytes.Equal(frames[fr.Index].Image.Pix, fr.Image.Pix), "the same picture as played")
			next, err := v.Next()
			require.NoError(t, err)
			assert.Equal(t, fr.Index+1, next.Index, "playing goes on from there")
			fr, err = v.Seek(0)
			require.NoError(t, err)
			assert.Zero(t, fr.Index)
			fr, err = v.Seek(time.Hour)
			require.NoError(t, err)
			assert.Equal(t, len(frames)-1, fr.Index, "past the end: the last picture")
			_, err = v.Next()
			assert.ErrorIs(t, err, io.EOF)
		})
	}
}

// ptsTimes asks ffprobe when each picture of a file is shown, in seconds.
func ptsTimes(t *testing.T, file string) []float64 {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
		"-of", "csv=p=0", file).Output()
	require.NoError(t, err)
	var ts []float64
	for _, line := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(line, ","), 64)
		require.NoError(t, err, line)
		ts = append(ts, v)
	}
	sort.Float64s(ts)
	return ts
}

// spread is the range of a picture's byte values (a blank picture has none).
func spread(pix []byte) int {
	lo, hi := 255, 0
	for _, b := range pix {
		lo, hi = min(lo, int(b)), max(hi, int(b))
	}
	return hi - lo
}

// What cannot be played says why, in words an operator reads.
func TestThePlayerSaysWhyAClipCannotBePlayed(t *testing.T) {
	dir := t.TempDir()
	_, err := video.ClipPlayer{}.OpenClip(filepath.Join(dir, "gone.mp4"))
	assert.True(t, app.IsCode(err, app.CodeNotFound), "%v", err)
	assert.ErrorContains(t, err, "is missing")

	junk := filepath.Join(dir, "junk.mp4")
	require.NoError(t, os.WriteFile(junk, []byte("this is not a video"), 0o600))
	_, err = video.ClipPlayer{}.OpenClip(junk)
	assert.True(t, app.IsCode(err, app.CodeInvalid), "%v", err)
	assert.ErrorContains(t, err, "cannot be played")
}
