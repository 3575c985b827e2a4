package codec

// NAL unit types used here (ITU-T H.264 table 7-1, H.265 table 7-1).
const (
	h264NALSEI = 6
	h264NALIDR = 5
	h264NALSPS = 7
	h264NALPPS = 8

	h265NALIRAPFirst = 16 // BLA_W_LP
	h265NALIRAPLast  = 21 // CRA_NUT
	h265NALVPS       = 32
	h265NALSPS       = 33
	h265NALPPS       = 34
	h265NALPrefixSEI = 39
)

// nalType returns the NAL unit type of one unit (without start code), or -1 when it is too
// short to have one. H.265 has a 2-byte header with the type in bits 1..6 of the first byte.
func nalType(c Codec, nalu []byte) int {
	switch c {
	case H264:
		if len(nalu) >= 1 {
			return int(nalu[0] & 0x1f)
		}
	case H265:
		if len(nalu) >= 2 {
			return int(nalu[0]>>1) & 0x3f
		}
	}
	return -1
}

// IsKeyFrame reports whether a decoder can start at this access unit: an IDR picture for
// H.264, an IRAP picture (BLA, IDR or CRA, types 16-21) for H.265; every MJPEG picture.
// Unlike mediacommon's IsRandomAccess it tolerates empty NAL units.
func IsKeyFrame(c Codec, au [][]byte) bool {
	if c == MJPEG {
		return len(au) > 0
	}
	for _, n := range au {
		t := nalType(c, n)
		switch c {
		case H264:
			if t == h264NALIDR {
				return true
			}
		case H265:
			if t >= h265NALIRAPFirst && t <= h265NALIRAPLast {
				return true
			}
		}
	}
	return false
}

// appendAnnexB appends the NAL units to buf, each behind a 4-byte start code, which is the
// form libavcodec's H.264/H.265 parsers take without extradata. Empty units are skipped.
func appendAnnexB(buf []byte, au [][]byte) []byte {
	for _, n := range au {
		if len(n) > 0 {
			buf = append(buf, 0, 0, 0, 1)
			buf = append(buf, n...)
		}
	}
	return buf
}

// addEmulationPrevention inserts 0x03 after every two zero bytes that are followed by a byte
// <= 3, so that a payload can never imitate a start code (H.264 7.4.1, H.265 7.4.2).
func addEmulationPrevention(dst, rbsp []byte) []byte {
	zeros := 0
	for _, b := range rbsp {
		if zeros >= 2 && b <= 3 {
			dst = append(dst, 3)
			zeros = 0
		}
		dst = append(dst, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return dst
}

// removeEmulationPrevention drops the 0x03 that follows two zero bytes.
func removeEmulationPrevention(ebsp []byte) []byte {
	out := make([]byte, 0, len(ebsp))
	zeros := 0
	for _, b := range ebsp {
		if zeros >= 2 && b == 3 {
			zeros = 0
			continue
		}
		out = append(out, b)
		if b == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}
