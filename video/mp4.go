package video

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/mp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/pmp4"

	"watchpost/app"
	"watchpost/video/codec"
)

// A clip is written as a plain (progressive) MP4 with its index first ("fast start"): the
// format every desktop player, browser and phone opens, and the one the police and a
// court expect. The camera's access units go in as they came (no decoding, no encoding):
// in decode order, the parameter sets moved into the track's header, times in the RTP
// clock's 1/90000 s.

// errNoVideo: nothing of the asked time is held (it is before what the camera's buffer
// holds, or the camera sent nothing then). Not a failure of recording: the alarm says so.
var errNoVideo = app.Errorf(app.CodeNotFound, "The camera's buffer held no video of that time")

// mp4Clip is what writeMP4 wrote.
type mp4Clip struct {
	duration time.Duration
	samples  int
	cut      bool // ended early: the camera changed its codec or parameter sets
}

// writeMP4 writes pkts (starting at a key frame) to w.
func writeMP4(w io.Writer, pkts []*Packet) (mp4Clip, error) {
	if len(pkts) == 0 || !pkts[0].Key {
		return mp4Clip{}, errNoVideo
	}
	cdc := pkts[0].Codec
	ps := paramsOf(cdc, pkts[0].NALUs)
	var track mp4.Codec
	switch cdc {
	case codec.H264:
		if ps.sps == nil || ps.pps == nil {
			return mp4Clip{}, fmt.Errorf("the camera sent no SPS/PPS with its key frame")
		}
		track = &mp4.CodecH264{SPS: ps.sps, PPS: ps.pps}
	case codec.H265:
		if ps.vps == nil || ps.sps == nil || ps.pps == nil {
			return mp4Clip{}, fmt.Errorf("the camera sent no VPS/SPS/PPS with its key frame")
		}
		track = &mp4.CodecH265{VPS: ps.vps, SPS: ps.sps, PPS: ps.pps}
	case codec.MJPEG:
		wd, ht, ok := jpegSize(pkts[0].NALUs[0])
		if !ok {
			return mp4Clip{}, fmt.Errorf("the camera's JPEG picture has no size")
		}
		track = &mp4.CodecMJPEG{Width: wd, Height: ht}
	default:
		return mp4Clip{}, fmt.Errorf("no clips of %s video", cdc)
	}

	dts := newDTS(cdc)
	type timed struct {
		p        *Packet
		dts, pts int64
		payload  [][]byte
	}
	var units []timed
	out := mp4Clip{}
	for i, p := range pkts {
		if p.Codec != cdc {
			out.cut = true
			break
		}
		if i > 0 && p.Key && cdc != codec.MJPEG && !paramsOf(cdc, p.NALUs).sameAs(ps) {
			out.cut = true // a new stream configuration: the header above no longer fits
			break
		}
		d := dts.next(p)
		payload := p.NALUs
		if cdc != codec.MJPEG {
			payload = videoNALUs(cdc, p.NALUs)
			if len(payload) == 0 {
				continue
			}
		}
		units = append(units, timed{p, d, max(p.PTS, d), payload})
	}
	if len(units) == 0 {
		return mp4Clip{}, errNoVideo
	}
	frame := int64(ptsHz / 15) // the last unit's duration when there is nothing to learn it from
	if len(units) > 1 {
		frame = max((units[len(units)-1].dts-units[0].dts)/int64(len(units)-1), 1)
	}
	samples := make([]*pmp4.Sample, len(units))
	for i, u := range units {
		dur := frame
		if i+1 < len(units) {
			dur = units[i+1].dts - u.dts
		}
		payload := u.payload
		size := 0
		if cdc == codec.MJPEG {
			size = len(payload[0])
		} else {
			for _, n := range payload {
				size += 4 + len(n)
			}
		}
		samples[i] = &pmp4.Sample{
			Duration:        uint32(dur),
			PTSOffset:       int32(u.pts - u.dts),
			IsNonSyncSample: !u.p.Key,
			PayloadSize:     uint32(size),
			GetPayload: func() ([]byte, error) {
				if cdc == codec.MJPEG {
					return payload[0], nil
				}
				return h264.AVCC(payload).Marshal() // length-prefixed NAL units (the same for H.265)
			},
		}
	}
	pres := pmp4.Presentation{Tracks: []*pmp4.Track{{
		ID:        1,
		TimeScale: ptsHz,
		// The first picture shown is at 0 (with B-frames it is decoded a little earlier).
		TimeOffset: int32(units[0].dts - units[0].pts),
		Codec:      track,
		Samples:    samples,
	}}}
	if err := pres.Marshal(w); err != nil {
		return mp4Clip{}, err
	}
	last := units[len(units)-1]
	out.duration = time.Duration((last.dts - units[0].dts + frame) * int64(time.Second) / ptsHz)
	out.samples = len(units)
	return out, nil
}

// params are a key frame's parameter sets.
type params struct{ vps, sps, pps []byte }

func (a params) sameAs(b params) bool {
	return bytes.Equal(a.vps, b.vps) && bytes.Equal(a.sps, b.sps) && bytes.Equal(a.pps, b.pps)
}

func paramsOf(cdc codec.Codec, nalus [][]byte) params {
	var ps params
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch cdc {
		case codec.H264:
			switch h264.NALUType(n[0] & 0x1f) {
			case h264.NALUTypeSPS:
				ps.sps = n
			case h264.NALUTypePPS:
				ps.pps = n
			}
		case codec.H265:
			switch h265.NALUType((n[0] >> 1) & 0x3f) {
			case h265.NALUType_VPS_NUT:
				ps.vps = n
			case h265.NALUType_SPS_NUT:
				ps.sps = n
			case h265.NALUType_PPS_NUT:
				ps.pps = n
			}
		}
	}
	return ps
}

// videoNALUs leaves out what the MP4 header carries (parameter sets) or the format does
// without (access unit delimiters).
func videoNALUs(cdc codec.Codec, nalus [][]byte) [][]byte {
	out := make([][]byte, 0, len(nalus))
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch cdc {
		case codec.H264:
			switch h264.NALUType(n[0] & 0x1f) {
			case h264.NALUTypeSPS, h264.NALUTypePPS, h264.NALUTypeAccessUnitDelimiter:
				continue
			}
		case codec.H265:
			switch h265.NALUType((n[0] >> 1) & 0x3f) {
			case h265.NALUType_VPS_NUT, h265.NALUType_SPS_NUT, h265.NALUType_PPS_NUT, h265.NALUType_AUD_NUT:
				continue
			}
		}
		out = append(out, n)
	}
	return out
}

// dtsOf works out decode times: with B-frames a picture is decoded before it is shown,
// and MP4 wants both. Cameras rarely use B-frames; when the extractor cannot tell, the
// picture is taken as decoded when shown (and never before the previous one).
type dtsOf struct {
	h264 *h264.DTSExtractor
	h265 *h265.DTSExtractor
	prev int64
	any  bool
}

func newDTS(cdc codec.Codec) *dtsOf {
	d := &dtsOf{}
	switch cdc {
	case codec.H264:
		d.h264 = &h264.DTSExtractor{}
		d.h264.Initialize()
	case codec.H265:
		d.h265 = &h265.DTSExtractor{}
		d.h265.Initialize()
	}
	return d
}

func (d *dtsOf) next(p *Packet) int64 {
	var v int64
	var err error
	switch {
	case d.h264 != nil:
		v, err = d.h264.Extract(p.NALUs, p.PTS)
	case d.h265 != nil:
		v, err = d.h265.Extract(p.NALUs, p.PTS)
	default:
		v = p.PTS
	}
	if err != nil || v > p.PTS {
		v = p.PTS
	}
	if d.any && v <= d.prev {
		v = d.prev + 1
	}
	d.prev, d.any = v, true
	return v
}

// jpegSize reads a JPEG's size from its start-of-frame marker.
func jpegSize(b []byte) (w, h int, ok bool) {
	for i := 2; i+9 < len(b); {
		if b[i] != 0xff {
			return 0, 0, false
		}
		m := b[i+1]
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			return int(b[i+7])<<8 | int(b[i+8]), int(b[i+5])<<8 | int(b[i+6]), true
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return 0, 0, false
}
