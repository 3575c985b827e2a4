package video

import (
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"

	"watchpost/app"
	"watchpost/video/codec"
)

// ClipPlayer opens the recorder's clips for the console's player: the MP4 is read with
// the library that wrote it (mediacommon's pmp4), its pictures decoded with libavcodec.
// It implements app.ClipPlayer.
type ClipPlayer struct{}

// clipSample is one picture of the file, in decode order.
type clipSample struct {
	s   *pmp4.Sample
	dts int64 // in the track's time scale
	pts int64
	key bool
}

// clipVideo is an opened clip. It implements app.ClipVideo.
type clipVideo struct {
	file    *os.File
	name    string
	cdc     codec.Codec
	params  [][]byte // the parameter sets, sent before every key frame
	dec     *codec.Decoder
	scale   uint32
	samples []clipSample
	shown   []int64 // every picture's pts, in the order they are shown
	t0      int64   // the first picture's pts
	info    app.ClipVideoInfo

	next    int     // the next sample to decode
	waiting []int64 // pts of pictures sent but not out of the decoder yet (sorted)
	flushed bool
	first   *app.VideoFrame // decoded when opened, returned by the first Next
}

// OpenClip opens a clip's MP4 file and decodes its first picture.
func (ClipPlayer) OpenClip(file string) (app.ClipVideo, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, app.Errorf(app.CodeNotFound, "The clip's file {{.File}} is missing", "File", file).Wrap(err)
		}
		return nil, app.Errorf(app.CodeUnavailable, "The clip's file {{.File}} cannot be read: {{.Why}}", "File", file, "Why", err.Error()).Wrap(err)
	}
	v, err := openClip(f, file)
	if err != nil {
		f.Close()
		return nil, err
	}
	return v, nil
}

func unreadable(file string, why error) error {
	return app.Errorf(app.CodeInvalid, "The clip {{.File}} cannot be played: {{.Why}}", "File", file, "Why", why.Error()).Wrap(why)
}

func openClip(f *os.File, file string) (*clipVideo, error) {
	var pres pmp4.Presentation
	if err := pres.Unmarshal(f); err != nil {
		return nil, unreadable(file, fmt.Errorf("not an MP4 clip (%w)", err))
	}
	v := &clipVideo{file: f, name: file}
	var track *pmp4.Track
tracks:
	for _, t := range pres.Tracks {
		switch c := t.Codec.(type) {
		case *mp4.CodecH264:
			v.cdc, v.params = codec.H264, [][]byte{c.SPS, c.PPS}
		case *mp4.CodecH265:
			v.cdc, v.params = codec.H265, [][]byte{c.VPS, c.SPS, c.PPS}
		case *mp4.CodecMJPEG:
			v.cdc = codec.MJPEG
		default:
			continue
		}
		track = t
		break tracks // the first video track
	}
	if track == nil || len(track.Samples) == 0 {
		return nil, unreadable(file, errors.New("it holds no H.264, H.265 or MJPEG video"))
	}
	if track.TimeScale == 0 {
		return nil, unreadable(file, errors.New("its video has no time scale"))
	}
	v.scale = track.TimeScale
	var dts int64
	for _, s := range track.Samples {
		v.samples = append(v.samples, clipSample{s: s, dts: dts, pts: dts + int64(s.PTSOffset), key: !s.IsNonSyncSample})
		v.shown = append(v.shown, dts+int64(s.PTSOffset))
		dts += int64(s.Duration)
	}
	sort.Slice(v.shown, func(i, j int) bool { return v.shown[i] < v.shown[j] })
	v.t0 = v.shown[0]
	end := dts
	if last := v.samples[len(v.samples)-1]; last.pts+int64(last.s.Duration) > end {
		end = last.pts + int64(last.s.Duration)
	}
	v.info = app.ClipVideoInfo{Duration: v.since(end), Frames: len(v.samples), Codec: v.cdc.String()}
	dec, err := codec.NewDecoder(v.cdc)
	if err != nil {
		return nil, unreadable(file, err)
	}
	v.dec = dec
	fr, err := v.decode(true)
	if err != nil {
		v.dec.Close()
		if errors.Is(err, io.EOF) {
			err = errors.New("none of its pictures decodes")
		}
		return nil, unreadable(file, err)
	}
	v.first = &fr
	v.info.Width, v.info.Height = fr.Image.Rect.Dx(), fr.Image.Rect.Dy()
	return v, nil
}

// since converts a time of the track into the time from the first picture.
func (v *clipVideo) since(t int64) time.Duration {
	return time.Duration((t - v.t0) * int64(time.Second) / int64(v.scale))
}

func (v *clipVideo) Info() app.ClipVideoInfo { return v.info }

// Next returns the next picture shown.
func (v *clipVideo) Next() (app.VideoFrame, error) {
	if v.first != nil {
		fr := *v.first
		v.first = nil
		return fr, nil
	}
	return v.decode(true)
}

// decode feeds the decoder until a picture comes out; convert false skips its colour
// conversion (pictures passed over on the way to a seek's target).
func (v *clipVideo) decode(convert bool) (app.VideoFrame, error) {
	if v.dec == nil {
		return app.VideoFrame{}, errors.New("the clip is closed")
	}
	for {
		var got bool
		var err error
		switch {
		case v.next < len(v.samples):
			s := v.samples[v.next]
			v.next++
			au, perr := v.accessUnit(s)
			if perr != nil {
				return app.VideoFrame{}, fmt.Errorf("picture %d cannot be read: %w", v.next, perr)
			}
			v.waiting = insertSorted(v.waiting, s.pts)
			got, err = v.dec.Decode(au)
			if err != nil && !got {
				// A picture the decoder rejects never comes out: its time goes too.
				v.waiting = removeValue(v.waiting, s.pts)
				if errors.Is(err, codec.ErrCorrupt) {
					continue
				}
				return app.VideoFrame{}, err
			}
		case !v.flushed:
			v.flushed = true
			got, err = v.dec.Flush()
			if err != nil && !got {
				return app.VideoFrame{}, io.EOF
			}
		default:
			return app.VideoFrame{}, io.EOF
		}
		if !got || len(v.waiting) == 0 {
			continue
		}
		pts := v.waiting[0]
		v.waiting = v.waiting[1:]
		fr := app.VideoFrame{At: v.since(pts), Index: sort.Search(len(v.shown), func(i int) bool { return v.shown[i] >= pts })}
		if convert {
			w, h := v.dec.Size()
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			if err := v.dec.ConvertRGBA(img); err != nil {
				return app.VideoFrame{}, err
			}
			fr.Image = img
		}
		return fr, nil
	}
}

// accessUnit reads a sample: a JPEG, or the NAL units of an H.264/H.265 picture (the
// parameter sets, which the file keeps in its header, put back before a key frame).
func (v *clipVideo) accessUnit(s clipSample) ([][]byte, error) {
	b, err := s.s.GetPayload()
	if err != nil {
		return nil, err
	}
	if v.cdc == codec.MJPEG {
		return [][]byte{b}, nil
	}
	var avcc h264.AVCC // length-prefixed NAL units, the same for H.265
	if err := avcc.Unmarshal(b); err != nil {
		return nil, err
	}
	if s.key {
		return append(append([][]byte(nil), v.params...), avcc...), nil
	}
	return avcc, nil
}

// Seek decodes from the key frame before the picture shown at t up to it.
func (v *clipVideo) Seek(t time.Duration) (app.VideoFrame, error) {
	if v.dec == nil {
		return app.VideoFrame{}, errors.New("the clip is closed")
	}
	target := v.t0 + int64(t)*int64(v.scale)/int64(time.Second)
	i := sort.Search(len(v.shown), func(i int) bool { return v.shown[i] > target }) - 1
	if i < 0 {
		i = 0
	}
	want := v.shown[i]
	// The sample of that picture, then the key frame at or before it.
	k := 0
	for j, s := range v.samples {
		if s.pts == want {
			k = j
			break
		}
	}
	for k > 0 && !v.samples[k].key {
		k--
	}
	_, _ = v.dec.Flush() // resets it for a new start at a key frame
	v.next, v.waiting, v.flushed, v.first = k, v.waiting[:0], false, nil
	for {
		fr, err := v.decode(false)
		if err != nil {
			return app.VideoFrame{}, err
		}
		if fr.Index < i {
			continue
		}
		w, h := v.dec.Size()
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		if err := v.dec.ConvertRGBA(img); err != nil {
			return app.VideoFrame{}, err
		}
		fr.Image = img
		return fr, nil
	}
}

func (v *clipVideo) Close() error {
	if v.dec != nil {
		v.dec.Close()
		v.dec = nil
	}
	return v.file.Close()
}

func insertSorted(s []int64, x int64) []int64 {
	i := sort.Search(len(s), func(i int) bool { return s[i] >= x })
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = x
	return s
}

func removeValue(s []int64, x int64) []int64 {
	for i, y := range s {
		if y == x {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}
