package codec

// #include <libavcodec/avcodec.h>
// #include <libavutil/pixdesc.h>
// #include <libswscale/swscale.h>
//
// // wp_sws creates a scaler and tells it the source's YUV matrix and range, which
// // sws_getContext cannot know for the non-"J" formats (H.264/H.265 signal them in the VUI).
// static struct SwsContext *wp_sws(int sw, int sh, int sfmt, int dw, int dh, int dfmt,
//                                  int flags, int matrix, int fullRange) {
//     struct SwsContext *s = sws_getContext(sw, sh, sfmt, dw, dh, dfmt, flags, NULL, NULL, NULL);
//     if (!s || dfmt == AV_PIX_FMT_GRAY8) return s;
//     int *inv, *tab, srcRange, dstRange, bri, con, sat;
//     if (sws_getColorspaceDetails(s, &inv, &srcRange, &tab, &dstRange, &bri, &con, &sat) >= 0)
//         sws_setColorspaceDetails(s, sws_getCoefficients(matrix), fullRange || srcRange,
//                                  tab, dstRange, bri, con, sat);
//     return s;
// }
//
// // wp_scale converts picture f (or only its luma plane) into dst, which may be Go memory:
// // it is passed as an argument and written during this call only.
// static int wp_scale(struct SwsContext *s, const AVFrame *f, int lumaOnly,
//                     uint8_t *dst, int dstStride) {
//     uint8_t *d[4] = {dst, NULL, NULL, NULL};
//     int ds[4] = {dstStride, 0, 0, 0};
//     if (lumaOnly) {
//         const uint8_t *src[4] = {f->data[0], NULL, NULL, NULL};
//         int ss[4] = {f->linesize[0], 0, 0, 0};
//         return sws_scale(s, src, ss, 0, f->height, d, ds);
//     }
//     return sws_scale(s, (const uint8_t *const *)f->data, f->linesize, 0, f->height, d, ds);
// }
//
// static int wp_is_rgb(int fmt) {
//     const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
//     return d && (d->flags & AV_PIX_FMT_FLAG_RGB);
// }
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// scalerKey is everything a SwsContext is built from; the context is re-created only when
// it changes (a camera changing resolution, a tile being resized).
type scalerKey struct {
	sw, sh, sfmt, dw, dh, dfmt int
	matrix, full               int
}

// scaler caches one SwsContext.
type scaler struct {
	key scalerKey
	ctx *C.struct_SwsContext
}

func (s *scaler) get(k scalerKey) (*C.struct_SwsContext, error) {
	if s.ctx != nil && s.key == k {
		return s.ctx, nil
	}
	s.free()
	// Fast bilinear when shrinking (the usual case: a 1080p camera in a small tile) costs
	// least; when enlarging it shows blocks, so bilinear there.
	flags := C.SWS_BILINEAR
	if k.dw <= k.sw && k.dh <= k.sh && (k.dw < k.sw || k.dh < k.sh) {
		flags = C.SWS_FAST_BILINEAR
	}
	ctx := C.wp_sws(C.int(k.sw), C.int(k.sh), C.int(k.sfmt), C.int(k.dw), C.int(k.dh),
		C.int(k.dfmt), C.int(flags), C.int(k.matrix), C.int(k.full))
	if ctx == nil {
		return nil, fmt.Errorf("codec: no conversion from %dx%d (pixel format %d) to %dx%d: %w",
			k.sw, k.sh, k.sfmt, k.dw, k.dh, ErrUnsupported)
	}
	s.key, s.ctx = k, ctx
	return ctx, nil
}

func (s *scaler) free() {
	if s.ctx != nil {
		C.sws_freeContext(s.ctx)
		s.ctx = nil
	}
}

// matrixOf picks the YUV->RGB coefficients the stream signals; unsignalled HD is taken as
// BT.709 and SD as BT.601, as players do.
func matrixOf(f *C.AVFrame) int {
	switch f.colorspace {
	case C.AVCOL_SPC_BT709:
		return C.SWS_CS_ITU709
	case C.AVCOL_SPC_BT2020_NCL, C.AVCOL_SPC_BT2020_CL:
		return C.SWS_CS_BT2020
	case C.AVCOL_SPC_UNSPECIFIED:
		if f.height >= 720 {
			return C.SWS_CS_ITU709
		}
	}
	return C.SWS_CS_DEFAULT
}

// ConvertRGBA scales and colour-converts the last picture into dst, whatever its size (pass
// an image of the tile's size: scaling here is far cheaper than letting the GUI do it).
func (d *Decoder) ConvertRGBA(dst *image.RGBA) error {
	if d.ctx == nil {
		return ErrClosed
	}
	if !d.has {
		return ErrNoPicture
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if w <= 0 || h <= 0 || dst.Stride < 4*w || len(dst.Pix) < (h-1)*dst.Stride+4*w {
		return fmt.Errorf("codec: RGBA target %v with stride %d does not hold its pixels", dst.Rect, dst.Stride)
	}
	f := d.frame
	full := 0
	if f.color_range == C.AVCOL_RANGE_JPEG {
		full = 1
	}
	s, err := d.rgba.get(scalerKey{int(f.width), int(f.height), int(f.format), w, h,
		C.AV_PIX_FMT_RGBA, matrixOf(f), full})
	if err != nil {
		return err
	}
	if C.wp_scale(s, f, 0, (*C.uint8_t)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride)) < 0 {
		return fmt.Errorf("codec: converting a %dx%d picture to RGBA failed", f.width, f.height)
	}
	return nil
}

// ConvertGray writes the luma plane of the last picture, scaled, into dst (for analytics).
// The values are the stream's own luma (limited range for most cameras), not converted.
func (d *Decoder) ConvertGray(dst *image.Gray) error {
	if d.ctx == nil {
		return ErrClosed
	}
	if !d.has {
		return ErrNoPicture
	}
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	if w <= 0 || h <= 0 || dst.Stride < w || len(dst.Pix) < (h-1)*dst.Stride+w {
		return fmt.Errorf("codec: gray target %v with stride %d does not hold its pixels", dst.Rect, dst.Stride)
	}
	f := d.frame
	// Every YUV format keeps luma alone in plane 0, so that plane is scaled as GRAY8; an RGB
	// picture (rare: H.264 4:4:4 RGB) is converted whole instead.
	luma, sfmt := 1, C.AV_PIX_FMT_GRAY8
	if C.wp_is_rgb(C.int(f.format)) != 0 {
		luma, sfmt = 0, int(f.format)
	}
	s, err := d.gray.get(scalerKey{int(f.width), int(f.height), sfmt, w, h, C.AV_PIX_FMT_GRAY8, 0, 0})
	if err != nil {
		return err
	}
	if C.wp_scale(s, f, C.int(luma), (*C.uint8_t)(unsafe.Pointer(&dst.Pix[0])), C.int(dst.Stride)) < 0 {
		return fmt.Errorf("codec: converting a %dx%d picture to gray failed", f.width, f.height)
	}
	return nil
}
