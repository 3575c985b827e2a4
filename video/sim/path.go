package sim

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"image"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/pion/rtp"

	"watchpost/video/codec"
)

// path is one stream of a simulated camera: its RTSP stream and, while it has readers, the
// goroutine that renders, encodes and sends its pictures.
type path struct {
	srv     *Server
	cam     Camera
	name    string // "main" or "sub"
	prof    Profile
	stream  *gortsplib.ServerStream
	media   *description.Media
	encoder func() (rtpEncoder, error)

	// paused freezes the camera: it stays connected and sends nothing (Server.Pause).
	paused atomic.Bool

	mu      sync.Mutex
	readers map[*gortsplib.ServerSession]struct{}
	cancel  context.CancelFunc // of the sending goroutine running now
	closed  bool               // the server's Run ended: nothing is sent any more
	// sending counts the sending goroutines, the one running now and those still ending
	// (a reader left, another came before the first one ended): close waits for them all.
	sending sync.WaitGroup
}

// rtpEncoder is the part of gortsplib's RTP packetizers we use.
type rtpEncoder interface {
	Encode(au [][]byte) ([]*rtp.Packet, error)
}

// newPath sets up a stream of a camera on srv (running), described with the parameter
// sets New learnt.
func newPath(s *Server, srv *gortsplib.Server, cam Camera, name string, prof Profile) (*path, error) {
	ps := s.params[name]
	vps, sps, pps := ps.vps, ps.sps, ps.pps
	p := &path{srv: s, cam: cam, name: name, prof: prof, readers: map[*gortsplib.ServerSession]struct{}{}}
	var forma format.Format
	switch s.cfg.Codec {
	case codec.H265:
		f := &format.H265{PayloadTyp: 96, VPS: vps, SPS: sps, PPS: pps}
		forma = f
		p.encoder = func() (rtpEncoder, error) { return f.CreateEncoder() }
	default:
		f := &format.H264{PayloadTyp: 96, PacketizationMode: 1, SPS: sps, PPS: pps}
		forma = f
		p.encoder = func() (rtpEncoder, error) { return f.CreateEncoder() }
	}
	p.media = &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{forma}}
	p.stream = &gortsplib.ServerStream{Server: srv, Desc: &description.Session{Medias: []*description.Media{p.media}}}
	if err := p.stream.Initialize(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *path) readerCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.readers)
}

func (p *path) addReader(ss *gortsplib.ServerSession) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.readers[ss] = struct{}{}
	if p.cancel == nil && !p.closed {
		ctx, cancel := context.WithCancel(context.Background())
		p.cancel = cancel
		p.sending.Add(1)
		go func() { defer p.sending.Done(); p.run(ctx) }()
	}
}

func (p *path) removeReader(ss *gortsplib.ServerSession) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.readers[ss]; !ok {
		return
	}
	delete(p.readers, ss)
	if len(p.readers) == 0 && p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// close stops sending and waits for every sending goroutine (their ffmpeg processes
// killed and waited for).
func (p *path) close() {
	p.mu.Lock()
	p.closed = true
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
	p.mu.Unlock()
	p.sending.Wait()
	p.stream.Close()
}

// run renders, encodes and sends pictures at the profile's frame rate until ctx ends.
func (p *path) run(ctx context.Context) {
	log := p.srv.cfg.Log.With("camera", p.cam.ID, "stream", p.name)
	w, h, fps := p.prof.Width, p.prof.Height, p.prof.FPS
	enc, err := codec.NewEncoder(codec.EncoderConfig{Codec: p.srv.cfg.Codec, Width: w, Height: h, FPS: fps, GOP: p.prof.gop(), BitrateKbps: p.prof.BitrateKbps})
	if err != nil {
		log.Error("simulated camera cannot encode", "err", err)
		return
	}
	defer enc.Close()
	rtpEnc, err := p.encoder()
	if err != nil {
		log.Error("simulated camera cannot packetize", "err", err)
		return
	}
	var sc scene
	footage := p.srv.cfg.Footage
	if p.cam.Footage != "" {
		footage = p.cam.Footage
	}
	at := p.cam.Start
	if at == 0 && p.cam.Footage == "" {
		// Where the shared footage has got to (live_position.go); a test's Start, and a
		// camera's own clip (a test's labelled scene), start where they say.
		_, offset := variantFilter(p.cam.Variant)
		at = p.srv.clock.position(footage, offset, time.Now())
	}
	if fs, err := newFootageScene(ctx, footage, p.cam.Variant, at, w, h, fps); err == nil {
		sc = fs
	} else {
		log.Info("playing a synthetic scene", "reason", err)
		sc = &syntheticScene{variant: p.cam.Variant}
	}
	defer func() { sc.close() }()
	ov := newOverlay(p.cam.Name, h)
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)

	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	tsBase := binary.BigEndian.Uint32(rnd[:])
	interval := time.Second / time.Duration(fps)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	start := time.Now()
	for pts := int64(0); ; pts++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if p.paused.Load() {
			continue
		}
		if err := sc.next(img); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Warn("footage ended, switching to a synthetic scene", "err", err)
			sc.close()
			sc = &syntheticScene{variant: p.cam.Variant}
			continue
		}
		now := time.Now()
		ov.draw(img, now.Format("2006-01-02 15:04:05"))
		au, _, err := enc.Encode(img, pts)
		if err != nil {
			log.Warn("encoding failed", "err", err)
			continue
		}
		if au == nil {
			continue
		}
		// The send time goes in front, in its own SEI NAL unit.
		au = append([][]byte{codec.StampNAL(p.srv.cfg.Codec, time.Now())}, au...)
		pkts, err := rtpEnc.Encode(au)
		if err != nil {
			log.Warn("packetizing failed", "err", err)
			continue
		}
		ts := tsBase + uint32(now.Sub(start)*90000/time.Second)
		for _, pkt := range pkts {
			pkt.Timestamp = ts
			if err := p.stream.WritePacketRTPWithNTP(p.media, pkt, now); err != nil {
				return
			}
		}
	}
}
