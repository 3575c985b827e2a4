package codec

// #include <stdlib.h>
// #include <errno.h>
// #include <libavcodec/avcodec.h>
// #include <libavutil/imgutils.h>
// #include <libavutil/opt.h>
//
//
// // wp_encode copies one 4:2:0 picture (Go memory, read during this call only) into the
// // encoder's own frame and sends it. The frame may still be referenced by the encoder from
// // the previous call, hence av_frame_make_writable.
// static int wp_encode(AVCodecContext *c, AVFrame *f, int64_t pts,
//                      const uint8_t *y, int ys, const uint8_t *cb, const uint8_t *cr, int cs) {
//     int ret = av_frame_make_writable(f);
//     if (ret < 0) return ret;
//     int cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
//     av_image_copy_plane(f->data[0], f->linesize[0], y, ys, f->width, f->height);
//     av_image_copy_plane(f->data[1], f->linesize[1], cb, cs, cw, ch);
//     av_image_copy_plane(f->data[2], f->linesize[2], cr, cs, cw, ch);
//     f->pts = pts;
//     return avcodec_send_frame(c, f);
// }
//
// static int wp_set(void *obj, const char *key, const char *val) {
//     return av_opt_set(obj, key, val, AV_OPT_SEARCH_CHILDREN);
// }
import "C"

import (
	"fmt"
	"image"
	"unsafe"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// EncoderConfig describes the stream an Encoder produces.
type EncoderConfig struct {
	Codec         Codec // H264 or H265
	Width, Height int   // even
	FPS           int   // frames per second; Encode's pts counts frames
	GOP           int   // a key frame every GOP frames
	BitrateKbps   int   // target (and cap) bitrate
}

// Encoder encodes raw pictures for the camera simulator: x264/x265 at preset ultrafast, tune
// zerolatency (no B-frames, no lookahead: one picture in, one access unit out).
type Encoder struct {
	cfg      EncoderConfig
	ctx      *C.AVCodecContext
	frame    *C.AVFrame
	pkt      *C.AVPacket
	vps, sps []byte
	pps      []byte
}

// NewEncoder opens libx264 or libx265 for cfg.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) {
	var name, params string
	gop := max(cfg.GOP, 1)
	switch cfg.Codec {
	case H264:
		// repeat-headers: SPS/PPS before every IDR even though they are also in extradata
		// (global header), so a client joining mid-stream starts at the next key frame.
		// scenecut=0 keeps key frames on the GOP grid.
		name, params = "libx264", "repeat-headers=1:scenecut=0"
	case H265:
		// open-gop=0: key frames are IDR, not CRA. x265 logs to stderr itself: quiet it.
		name, params = "libx265", "repeat-headers=1:scenecut=0:open-gop=0:log-level=error"
	default:
		return nil, fmt.Errorf("codec: encoder for %v: %w", cfg.Codec, ErrUnsupported)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width%2 != 0 || cfg.Height%2 != 0 || cfg.FPS <= 0 || cfg.BitrateKbps <= 0 {
		return nil, fmt.Errorf("codec: invalid encoder config %+v (even size, positive fps and bitrate)", cfg)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	enc := C.avcodec_find_encoder_by_name(cname)
	if enc == nil {
		return nil, fmt.Errorf("codec: this FFmpeg has no %s encoder: %w", name, ErrUnsupported)
	}

	e := &Encoder{cfg: cfg}
	e.ctx = C.avcodec_alloc_context3(enc)
	e.frame = C.av_frame_alloc()
	e.pkt = C.av_packet_alloc()
	if e.ctx == nil || e.frame == nil || e.pkt == nil {
		e.Close()
		return nil, fmt.Errorf("codec: %s encoder: out of memory", name)
	}
	c := e.ctx
	c.width, c.height = C.int(cfg.Width), C.int(cfg.Height)
	c.pix_fmt = C.AV_PIX_FMT_YUV420P
	c.time_base = C.AVRational{num: 1, den: C.int(cfg.FPS)}
	c.framerate = C.AVRational{num: C.int(cfg.FPS), den: 1}
	c.gop_size = C.int(gop)
	c.keyint_min = C.int(gop)
	c.max_b_frames = 0
	c.thread_count = 1 // one per simulated camera; zerolatency threads would add little
	// Constant bitrate target: average = cap, with a one-second buffer.
	bps := C.int64_t(cfg.BitrateKbps) * 1000
	c.bit_rate, c.rc_max_rate = bps, bps
	c.rc_buffer_size = C.int(bps)
	c.flags |= C.AV_CODEC_FLAG_GLOBAL_HEADER // parameter sets in extradata, for the SDP

	opts := [][2]string{{"preset", "ultrafast"}, {"tune", "zerolatency"}, {name[3:] + "-params", params}}
	for _, o := range opts {
		k, v := C.CString(o[0]), C.CString(o[1])
		ret := C.wp_set(c.priv_data, k, v)
		C.free(unsafe.Pointer(k))
		C.free(unsafe.Pointer(v))
		if ret < 0 {
			e.Close()
			return nil, fmt.Errorf("codec: %s option %s=%s: %s", name, o[0], o[1], avError(ret))
		}
	}
	if ret := C.avcodec_open2(c, enc, nil); ret < 0 {
		e.Close()
		return nil, fmt.Errorf("codec: opening %s for %dx%d: %s", name, cfg.Width, cfg.Height, avError(ret))
	}

	e.frame.format = C.AV_PIX_FMT_YUV420P
	e.frame.width, e.frame.height = c.width, c.height
	if ret := C.av_frame_get_buffer(e.frame, 0); ret < 0 {
		e.Close()
		return nil, fmt.Errorf("codec: %s frame: %s", name, avError(ret))
	}
	if c.extradata != nil && c.extradata_size > 0 {
		e.parseParameterSets(C.GoBytes(unsafe.Pointer(c.extradata), c.extradata_size))
	}
	return e, nil
}

// parseParameterSets picks VPS/SPS/PPS out of the Annex-B extradata.
func (e *Encoder) parseParameterSets(extradata []byte) {
	var nalus h264.AnnexB
	if nalus.Unmarshal(extradata) != nil {
		return
	}
	for _, n := range nalus {
		switch t := nalType(e.cfg.Codec, n); {
		case e.cfg.Codec == H264 && t == h264NALSPS, e.cfg.Codec == H265 && t == h265NALSPS:
			e.sps = n
		case e.cfg.Codec == H264 && t == h264NALPPS, e.cfg.Codec == H265 && t == h265NALPPS:
			e.pps = n
		case e.cfg.Codec == H265 && t == h265NALVPS:
			e.vps = n
		}
	}
}

// ParameterSets returns the stream's parameter sets for an SDP (vps is nil for H.264).
func (e *Encoder) ParameterSets() (vps, sps, pps []byte) { return e.vps, e.sps, e.pps }

// Encode encodes one planar 4:2:0 picture of the configured size and returns the access unit
// as NAL units without start codes (nil while the encoder has nothing yet), and whether it is
// a key frame (IDR, with the parameter sets in front). pts counts frames.
func (e *Encoder) Encode(img *image.YCbCr, pts int64) (au [][]byte, key bool, err error) {
	if e.ctx == nil {
		return nil, false, ErrClosed
	}
	w, h := e.cfg.Width, e.cfg.Height
	cw, ch := (w+1)/2, (h+1)/2
	if img.SubsampleRatio != image.YCbCrSubsampleRatio420 || img.Rect.Dx() != w || img.Rect.Dy() != h ||
		len(img.Y) < (h-1)*img.YStride+w || len(img.Cb) < (ch-1)*img.CStride+cw || len(img.Cr) < (ch-1)*img.CStride+cw {
		return nil, false, fmt.Errorf("codec: encoder wants a %dx%d 4:2:0 picture, got %v %v", w, h, img.Rect, img.SubsampleRatio)
	}
	ret := C.wp_encode(e.ctx, e.frame, C.int64_t(pts),
		(*C.uint8_t)(unsafe.Pointer(&img.Y[0])), C.int(img.YStride),
		(*C.uint8_t)(unsafe.Pointer(&img.Cb[0])), (*C.uint8_t)(unsafe.Pointer(&img.Cr[0])), C.int(img.CStride))
	if ret < 0 {
		return nil, false, fmt.Errorf("codec: %v encoder: %s", e.cfg.Codec, avError(ret))
	}
	for {
		ret = C.avcodec_receive_packet(e.ctx, e.pkt)
		if ret == -C.EAGAIN {
			break
		}
		if ret < 0 {
			return nil, false, fmt.Errorf("codec: %v encoder: %s", e.cfg.Codec, avError(ret))
		}
		data := C.GoBytes(unsafe.Pointer(e.pkt.data), e.pkt.size)
		C.av_packet_unref(e.pkt)
		var nalus h264.AnnexB // Annex-B framing is the same for H.265
		if err := nalus.Unmarshal(data); err != nil {
			return nil, false, fmt.Errorf("codec: %v encoder output: %w", e.cfg.Codec, err)
		}
		au = append(au, nalus...)
	}
	return au, IsKeyFrame(e.cfg.Codec, au), nil
}

// Close frees the encoder; it may be called more than once.
func (e *Encoder) Close() {
	if e.frame != nil {
		C.av_frame_free(&e.frame)
	}
	if e.pkt != nil {
		C.av_packet_free(&e.pkt)
	}
	if e.ctx != nil {
		C.avcodec_free_context(&e.ctx)
	}
}
