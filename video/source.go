package video

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtpmjpeg"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/pion/rtp"

	"watchpost/video/codec"
)

// accessUnit is one compressed picture as it arrived.
type accessUnit struct {
	codec    codec.Codec
	nalus    [][]byte // NAL units without start codes; for MJPEG one JPEG
	key      bool
	received time.Time
	size     int
	// pts is the presentation time in 1/90000 s, counted from the connection's first key
	// frame (hasPTS false before it); conn numbers the connection, so that a consumer that
	// keeps time across reconnections (the recorder) sees where the count restarts.
	pts    int64
	hasPTS bool
	conn   uint64
}

// Backoff between connection attempts: it starts near a second and stays short for network
// failures (a camera that comes back plays again within about 2 s), and is longer for
// failures that need someone to change something (a wrong password, no usable codec).
const (
	backoffFirst     = 800 * time.Millisecond
	backoffMax       = 1500 * time.Millisecond
	backoffPermanent = 10 * time.Second
	readTimeout      = 5 * time.Second
)

// sourceConfig configures one stream's connection.
type sourceConfig struct {
	URL string
	UDP bool // RTP over UDP instead of interleaved in the RTSP TCP connection
}

// source keeps one RTSP stream connected: connect, describe, set up, play, hand the access
// units on, and when anything fails, say why and try again after a pause.
type source struct {
	cfg     sourceConfig
	onAU    func(accessUnit)
	onState func(state sourceState)
	lost    *atomic.Int64 // RTP packets lost or units broken (shared with the stream, which outlives a source)

	// conn numbers the connections; ptsOf decodes a packet's RTP time of the current one.
	// Both are set in once before Play, so the handlers (called after) see them.
	conn  uint64
	ptsOf func(*rtp.Packet) (int64, bool)
}

// sourceState is what the source reports of the connection.
type sourceState struct {
	connected bool   // the stream is set up and playing (pictures may still be awaited)
	reason    string // why it is not, in app.Reason… words
	detail    string // the technical cause, scrubbed of credentials
	codec     codec.Codec
}

// run connects until ctx ends.
func (s *source) run(ctx context.Context) {
	wait := backoffFirst
	for {
		started := time.Now()
		err := s.once(ctx)
		if ctx.Err() != nil {
			return
		}
		reason := classify(err)
		s.onState(sourceState{reason: reason, detail: scrub(fmt.Sprint(err), s.cfg.URL)})
		var pause time.Duration
		pause, wait = backoff(wait, reason, time.Since(started))
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
	}
}

// backoff returns the pause before the next attempt after a connection that lasted
// `lasted` failed for reason, and the wait to go on from: a camera that played a while
// starts afresh, the wait grows by half up to backoffMax, and a failure that needs someone
// to change something (a wrong password) waits backoffPermanent.
func backoff(wait time.Duration, reason string, lasted time.Duration) (pause, next time.Duration) {
	if lasted > 10*time.Second {
		wait = backoffFirst // it played a while: start the backoff afresh
	}
	pause = wait
	if permanent(reason) {
		pause = backoffPermanent
	}
	return pause, min(wait*3/2, backoffMax)
}

// once runs one connection until it fails or ctx ends.
func (s *source) once(ctx context.Context) error {
	u, err := base.ParseURL(s.cfg.URL)
	if err != nil {
		return errBadURL{err}
	}
	transport := gortsplib.TransportTCP
	if s.cfg.UDP {
		transport = gortsplib.TransportUDP
	}
	var sniffed sniff // what answered, when the first request fails (sniff.go)
	c := &gortsplib.Client{
		Scheme:       u.Scheme,
		Host:         u.Host,
		DialContext:  sniffed.dial,
		Transport:    &transport,
		ReadTimeout:  readTimeout,
		WriteTimeout: readTimeout,
		OnPacketsLost: func(n uint64) {
			s.lost.Add(int64(n))
		},
		OnDecodeError: func(error) {},
	}
	if err := c.Start2(); err != nil {
		return err
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
			c.Close()
		case <-stop:
		}
	}()
	defer c.Close()

	desc, _, err := c.Describe(u)
	if err != nil {
		return sniffed.explain(err)
	}
	medi, forma, handler, cdc, err := s.pick(desc)
	if err != nil {
		return err
	}
	if _, err := c.Setup(desc.BaseURL, medi, 0, 0); err != nil {
		return err
	}
	s.conn++
	s.ptsOf = func(pkt *rtp.Packet) (int64, bool) { return c.PacketPTS2(medi, pkt) }
	c.OnPacketRTP(medi, forma, handler)
	if _, err := c.Play(nil); err != nil {
		return err
	}
	s.onState(sourceState{connected: true, codec: cdc})
	return c.Wait()
}

// pick chooses the video format (H.264, then H.265, then MJPEG) and builds its handler.
func (s *source) pick(desc *description.Session) (*description.Media, format.Format, func(*rtp.Packet), codec.Codec, error) {
	var f264 *format.H264
	if medi := desc.FindFormat(&f264); medi != nil {
		h, err := s.h264Handler(f264)
		return medi, f264, h, codec.H264, err
	}
	var f265 *format.H265
	if medi := desc.FindFormat(&f265); medi != nil {
		h, err := s.h265Handler(f265)
		return medi, f265, h, codec.H265, err
	}
	var fmj *format.MJPEG
	if medi := desc.FindFormat(&fmj); medi != nil {
		h, err := s.mjpegHandler(fmj)
		return medi, fmj, h, codec.MJPEG, err
	}
	return nil, nil, nil, 0, errNoCodec
}

// h264Handler depacketizes H.264. SPS/PPS come from the SDP and may be missing or stale:
// the latest seen (in the SDP or in-band) are kept and put in front of every key frame
// that lacks them, so the decoder can always start there.
func (s *source) h264Handler(f *format.H264) (func(*rtp.Packet), error) {
	dec, err := f.CreateDecoder()
	if err != nil {
		return nil, err
	}
	sps, pps := f.SPS, f.PPS
	var ts timestamps
	return func(pkt *rtp.Packet) {
		ts.see(s, pkt)
		au, err := dec.Decode(pkt)
		if err != nil {
			if !errors.Is(err, rtph264.ErrMorePacketsNeeded) && !errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) {
				s.lost.Add(1) // a broken unit: the decoder must wait for the next key frame
			}
			return
		}
		hasSPS, hasPPS := false, false
		size := 0
		for _, n := range au {
			size += len(n)
			if len(n) == 0 {
				continue
			}
			switch h264.NALUType(n[0] & 0x1f) {
			case h264.NALUTypeSPS:
				sps, hasSPS = n, true
			case h264.NALUTypePPS:
				pps, hasPPS = n, true
			}
		}
		key := h264.IsRandomAccess(au)
		if key && (!hasSPS || !hasPPS) && sps != nil && pps != nil {
			au = append([][]byte{sps, pps}, au...)
		}
		s.onAU(ts.stamp(s, accessUnit{codec: codec.H264, nalus: au, key: key, received: time.Now(), size: size}))
	}, nil
}

// h265Handler depacketizes H.265, keeping VPS/SPS/PPS like h264Handler.
func (s *source) h265Handler(f *format.H265) (func(*rtp.Packet), error) {
	dec, err := f.CreateDecoder()
	if err != nil {
		return nil, err
	}
	vps, sps, pps := f.VPS, f.SPS, f.PPS
	var ts timestamps
	return func(pkt *rtp.Packet) {
		ts.see(s, pkt)
		au, err := dec.Decode(pkt)
		if err != nil {
			if !errors.Is(err, rtph265.ErrMorePacketsNeeded) && !errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious) {
				s.lost.Add(1)
			}
			return
		}
		var hv, hs, hp bool
		size := 0
		for _, n := range au {
			size += len(n)
			if len(n) == 0 {
				continue
			}
			switch h265.NALUType((n[0] >> 1) & 0x3f) {
			case h265.NALUType_VPS_NUT:
				vps, hv = n, true
			case h265.NALUType_SPS_NUT:
				sps, hs = n, true
			case h265.NALUType_PPS_NUT:
				pps, hp = n, true
			}
		}
		key := h265.IsRandomAccess(au)
		if key && !(hv && hs && hp) && vps != nil && sps != nil && pps != nil {
			au = append([][]byte{vps, sps, pps}, au...)
		}
		s.onAU(ts.stamp(s, accessUnit{codec: codec.H265, nalus: au, key: key, received: time.Now(), size: size}))
	}, nil
}

// mjpegHandler reassembles JPEG pictures; every one is a key frame.
func (s *source) mjpegHandler(f *format.MJPEG) (func(*rtp.Packet), error) {
	dec, err := f.CreateDecoder()
	if err != nil {
		return nil, err
	}
	var ts timestamps
	return func(pkt *rtp.Packet) {
		ts.see(s, pkt)
		img, err := dec.Decode(pkt)
		if err != nil {
			if !errors.Is(err, rtpmjpeg.ErrMorePacketsNeeded) && !errors.Is(err, rtpmjpeg.ErrNonStartingPacketAndNoPrevious) {
				s.lost.Add(1)
			}
			return
		}
		s.onAU(ts.stamp(s, accessUnit{codec: codec.MJPEG, nalus: [][]byte{img}, key: true, received: time.Now(), size: len(img)}))
	}, nil
}

// timestamps follows the presentation time of one connection's packets. gortsplib's time
// decoder must see every packet (it starts counting at the first key frame and follows
// the RTP clock's wrap-around); all packets of an access unit carry the same time.
type timestamps struct {
	pts int64
	ok  bool
}

func (t *timestamps) see(s *source, pkt *rtp.Packet) {
	if s.ptsOf == nil {
		return
	}
	if v, ok := s.ptsOf(pkt); ok {
		t.pts, t.ok = v, true
	}
}

func (t *timestamps) stamp(s *source, au accessUnit) accessUnit {
	au.pts, au.hasPTS, au.conn = t.pts, t.ok, s.conn
	return au
}
