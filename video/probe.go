package video

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"watchpost/app"
	"watchpost/video/codec"
)

// Probe connects to a stream, decodes for the given time and measures it.
func Probe(ctx context.Context, url string, udp bool, d time.Duration) app.ProbeResult {
	res := app.ProbeResult{URL: app.RedactURL(url)}
	ctx, cancel := context.WithTimeout(ctx, d+readTimeout)
	defer cancel()

	var mu sync.Mutex
	var dec *codec.Decoder
	defer func() {
		if dec != nil {
			dec.Close()
		}
	}()
	var (
		start         = time.Now()
		measureFrom   time.Time
		frames, bytes int
		keys          []time.Time
		lat           []time.Duration
		waitingKey    = true
		failed        = make(chan sourceState, 1)
	)
	src := &source{cfg: sourceConfig{URL: url, UDP: udp}, lost: new(atomic.Int64)}
	src.onState = func(st sourceState) {
		if !st.connected {
			select {
			case failed <- st:
			default:
			}
			cancel()
		}
	}
	src.onAU = func(au accessUnit) {
		mu.Lock()
		defer mu.Unlock()
		if dec == nil {
			var err error
			if dec, err = codec.NewDecoder(au.codec); err != nil {
				res.Reason, res.Detail = app.ReasonNoCodec, err.Error()
				cancel()
				return
			}
			res.Codec = au.codec.String()
		}
		if au.key {
			keys = append(keys, au.received)
		}
		if waitingKey && !au.key {
			return
		}
		waitingKey = false
		ok, err := dec.Decode(au.nalus)
		if err != nil {
			res.DecodeErrors++
			waitingKey = true
			return
		}
		if !ok {
			return
		}
		now := time.Now()
		if frames == 0 {
			res.FirstFrame = now.Sub(start)
			res.Width, res.Height = dec.Size()
			measureFrom = now
		} else {
			bytes += au.size
		}
		frames++
		if t, ok := codec.SendTime(au.codec, au.nalus); ok {
			lat = append(lat, now.Sub(t))
		}
		if frames > 1 && now.Sub(measureFrom) >= d {
			cancel()
		}
	}
	src.run(ctx) // returns when ctx ends: the time is up, or the stream failed
	mu.Lock()
	defer mu.Unlock()
	select {
	case st := <-failed:
		if frames == 0 && res.Reason == "" {
			res.Reason, res.Detail = st.reason, st.detail
		}
	default:
	}
	res.Frames = frames
	if frames == 0 && res.Reason == "" {
		res.Reason = app.ReasonTimeout
	}
	if frames > 1 {
		secs := time.Since(measureFrom).Seconds()
		res.FPS = float64(frames-1) / secs
		res.BitrateKbps = float64(bytes) * 8 / 1000 / secs
	}
	if len(keys) > 1 {
		res.KeyInterval = keys[len(keys)-1].Sub(keys[0]) / time.Duration(len(keys)-1)
	}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		res.LatencyP50 = lat[len(lat)/2]
		res.LatencyP95 = lat[len(lat)*95/100]
	}
	return res
}

// ProbeText formats a probe's result for people (the CLI).
func ProbeText(r app.ProbeResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "camera      %s\n", r.URL)
	if !r.OK() {
		fmt.Fprintf(&b, "FAILED      %s\n", r.Reason)
		if r.Detail != "" {
			fmt.Fprintf(&b, "cause       %s\n", r.Detail)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "codec       %s\n", r.Codec)
	fmt.Fprintf(&b, "resolution  %dx%d\n", r.Width, r.Height)
	fmt.Fprintf(&b, "frame rate  %.1f fps\n", r.FPS)
	fmt.Fprintf(&b, "bitrate     %.0f kbit/s\n", r.BitrateKbps)
	if r.KeyInterval > 0 {
		fmt.Fprintf(&b, "key frames  every %.2f s\n", r.KeyInterval.Seconds())
	}
	fmt.Fprintf(&b, "first frame %d ms after connecting\n", r.FirstFrame.Milliseconds())
	if r.LatencyP50 > 0 {
		fmt.Fprintf(&b, "latency     p50 %.1f ms, p95 %.1f ms (camera send → decoded)\n", ms(r.LatencyP50), ms(r.LatencyP95))
	} else {
		fmt.Fprintf(&b, "latency     not measurable (the stream carries no send times)\n")
	}
	fmt.Fprintf(&b, "frames      %d decoded, %d decode errors\n", r.Frames, r.DecodeErrors)
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
