// Package codec decodes and encodes the cameras' video through FFmpeg (libavcodec,
// libswscale) via cgo: H.264, H.265 and MJPEG decoding with colour conversion scaled
// straight into a tile-sized image, H.264/H.265 encoding for the simulator, and the
// send-time stamps (an SEI NAL unit) that let latency be measured end to end.
//
// Memory rule (cgo): Go memory is handed to C only as call arguments and C never keeps a
// Go pointer after the call returns; pictures stay in FFmpeg's own buffers.
package codec

// #cgo pkg-config: libavcodec libavutil libswscale
// #include <stdlib.h>
// #include <libavutil/log.h>
// #include <libavutil/error.h>
//
// // wp_strerror writes FFmpeg's message for an error code into buf (C memory).
// static void wp_strerror(int err, char *buf, int size) { av_strerror(err, buf, size); }
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Codec names a video compression format.
type Codec int

// The codecs that cameras send and the decoder accepts.
const (
	H264 Codec = iota + 1
	H265
	MJPEG
)

// String returns the name an operator knows the codec by.
func (c Codec) String() string {
	switch c {
	case H264:
		return "H.264"
	case H265:
		return "H.265"
	case MJPEG:
		return "MJPEG"
	}
	return fmt.Sprintf("Codec(%d)", int(c))
}

// Sentinel errors, wrapped by every error of this package, so that the layers above can tell
// an operator "the camera's stream is corrupt" from "this codec is not supported here".
var (
	// ErrUnsupported: the codec, or its FFmpeg encoder/decoder, is not available.
	ErrUnsupported = errors.New("unsupported codec")
	// ErrCorrupt: the data could not be decoded (damaged or not a video stream).
	ErrCorrupt = errors.New("corrupt video stream")
	// ErrNoPicture: a conversion was asked for before any picture was decoded.
	ErrNoPicture = errors.New("no decoded picture yet")
	// ErrClosed: the decoder or encoder was used after Close.
	ErrClosed = errors.New("codec closed")
)

// init quiets FFmpeg: at its default level every lost packet prints several lines to
// stderr (DESIGN.md, known pitfalls), and even at the error level a corrupt stream prints
// one line per broken macroblock row, hundreds a second per camera. Decode errors are
// counted per stream instead (StreamStatus.DecodeErrors) and shown to the operator; only
// fatal messages reach stderr.
func init() {
	C.av_log_set_level(C.AV_LOG_FATAL)
}

// avError turns an FFmpeg return code into readable text.
func avError(code C.int) string {
	buf := (*C.char)(C.malloc(128))
	defer C.free(unsafe.Pointer(buf))
	C.wp_strerror(code, buf, 128)
	return C.GoString(buf)
}
