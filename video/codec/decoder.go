package codec

// #include <errno.h>
// #include <libavcodec/avcodec.h>
// #include <libavutil/error.h>
//
// // wp_send hands one packet to the decoder; data == NULL starts draining. data may be Go
// // memory: it sits in pkt (C memory) only during this call, and avcodec_send_packet copies
// // a packet that has no reference-counted buffer (av_packet_ref), into a buffer with the
// // input padding the parsers need, so nothing points at it afterwards.
// static int wp_send(AVCodecContext *c, AVPacket *pkt, uint8_t *data, int size) {
//     if (!data) return avcodec_send_packet(c, NULL);
//     pkt->data = data;
//     pkt->size = size;
//     int ret = avcodec_send_packet(c, pkt);
//     pkt->data = NULL;
//     pkt->size = 0;
//     return ret;
// }
//
// // wp_receive takes every picture that is ready and keeps only the newest in cur (a live
// // wall wants the latest picture). It returns how many arrived; *err gets a failure other
// // than "needs more input" / "drained".
// static int wp_receive(AVCodecContext *c, AVFrame *cur, AVFrame *tmp, int *err) {
//     int n = 0;
//     *err = 0;
//     for (;;) {
//         int ret = avcodec_receive_frame(c, tmp);
//         if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return n;
//         if (ret < 0) { *err = ret; return n; }
//         av_frame_unref(cur);
//         av_frame_move_ref(cur, tmp);
//         n++;
//     }
// }
import "C"

import (
	"fmt"
	"unsafe"
)

// Decoder decodes one stream. It is not safe for concurrent use.
type Decoder struct {
	codec  Codec
	ctx    *C.AVCodecContext
	pkt    *C.AVPacket
	frame  *C.AVFrame // the last picture, owned until the next picture replaces it
	tmp    *C.AVFrame // receives, then swapped into frame
	has    bool       // frame holds a picture
	frames uint64     // pictures decoded, including ones replaced before being read
	buf    []byte     // Annex-B of the current access unit, reused
	rgba   scaler     // cached conversion to the tile's RGBA
	gray   scaler     // cached conversion of the luma plane
}

var decoderIDs = map[Codec]C.enum_AVCodecID{
	H264:  C.AV_CODEC_ID_H264,
	H265:  C.AV_CODEC_ID_HEVC,
	MJPEG: C.AV_CODEC_ID_MJPEG,
}

// NewDecoder opens FFmpeg's software decoder for c with one thread: frame threads would add
// a frame of delay per thread, and the console runs one decoder per camera anyway.
func NewDecoder(c Codec) (*Decoder, error) {
	id, ok := decoderIDs[c]
	if !ok {
		return nil, fmt.Errorf("codec: decoder for %v: %w", c, ErrUnsupported)
	}
	dec := C.avcodec_find_decoder(id)
	if dec == nil {
		return nil, fmt.Errorf("codec: this FFmpeg has no %v decoder: %w", c, ErrUnsupported)
	}
	d := &Decoder{codec: c}
	d.ctx = C.avcodec_alloc_context3(dec)
	d.pkt = C.av_packet_alloc()
	d.frame = C.av_frame_alloc()
	d.tmp = C.av_frame_alloc()
	if d.ctx == nil || d.pkt == nil || d.frame == nil || d.tmp == nil {
		d.Close()
		return nil, fmt.Errorf("codec: %v decoder: out of memory", c)
	}
	d.ctx.thread_count = 1
	if ret := C.avcodec_open2(d.ctx, dec, nil); ret < 0 {
		d.Close()
		return nil, fmt.Errorf("codec: opening the %v decoder: %s: %w", c, avError(ret), ErrUnsupported)
	}
	return d, nil
}

// Decode sends one access unit: for H.264/H.265 its NAL units without start codes (as
// gortsplib delivers them), for MJPEG one element holding a whole JPEG. It returns true when
// a new picture is ready (see Size, ConvertRGBA, ConvertGray). A unit the decoder rejects
// returns an error wrapping ErrCorrupt (with true if a concealed picture came out anyway);
// the decoder stays usable and recovers at the next key frame.
func (d *Decoder) Decode(au [][]byte) (bool, error) {
	if d.ctx == nil {
		return false, ErrClosed
	}
	d.buf = d.buf[:0]
	if d.codec == MJPEG {
		for _, part := range au { // normally one part; joined if the caller split it
			d.buf = append(d.buf, part...)
		}
	} else {
		d.buf = appendAnnexB(d.buf, au)
	}
	if len(d.buf) == 0 {
		return false, nil
	}
	ret := C.wp_send(d.ctx, d.pkt, (*C.uint8_t)(unsafe.Pointer(&d.buf[0])), C.int(len(d.buf)))
	got, err := d.receive()
	if ret < 0 && ret != -C.EAGAIN {
		return got, fmt.Errorf("codec: %v decoder rejected an access unit of %d bytes: %s: %w",
			d.codec, len(d.buf), avError(ret), ErrCorrupt)
	}
	return got, err
}

// Flush drains the pictures the decoder holds back for reordering (streams with B-frames;
// at the end of a file, or before switching streams) and resets it, so that it then takes a
// new stream from a key frame. It returns true when that produced a new picture.
func (d *Decoder) Flush() (bool, error) {
	if d.ctx == nil {
		return false, ErrClosed
	}
	C.wp_send(d.ctx, d.pkt, nil, 0)
	got, err := d.receive()
	C.avcodec_flush_buffers(d.ctx)
	return got, err
}

func (d *Decoder) receive() (bool, error) {
	var cerr C.int
	n := C.wp_receive(d.ctx, d.frame, d.tmp, &cerr)
	if n > 0 {
		d.has = true
		d.frames += uint64(n)
	}
	if cerr < 0 {
		return n > 0, fmt.Errorf("codec: %v decoder: %s: %w", d.codec, avError(cerr), ErrCorrupt)
	}
	return n > 0, nil
}

// Size is the size of the last decoded picture (0, 0 before the first).
func (d *Decoder) Size() (w, h int) {
	if !d.has {
		return 0, 0
	}
	return int(d.frame.width), int(d.frame.height)
}

// Frames counts the pictures decoded so far, including those replaced by a newer one within
// the same Decode (for fps figures).
func (d *Decoder) Frames() uint64 { return d.frames }

// Close frees the decoder; it may be called more than once.
func (d *Decoder) Close() {
	d.rgba.free()
	d.gray.free()
	if d.frame != nil {
		C.av_frame_free(&d.frame)
	}
	if d.tmp != nil {
		C.av_frame_free(&d.tmp)
	}
	if d.pkt != nil {
		C.av_packet_free(&d.pkt)
	}
	if d.ctx != nil {
		C.avcodec_free_context(&d.ctx)
	}
	d.has = false
}
