package codec

import (
	"bytes"
	"encoding/binary"
	"time"
)

// stampUUID identifies Watchpost's send-time SEI among other "user data unregistered"
// messages (x264 writes its version string in one). Random bytes, fixed forever; no two
// zero bytes in a row, so the UUID itself never needs emulation prevention.
var stampUUID = [16]byte{
	0x57, 0x50, 0x9d, 0x2e, 0x6b, 0x41, 0x4c, 0x8a,
	0xb3, 0x17, 0xe5, 0x62, 0x0f, 0xc4, 0x93, 0x5a,
}

const (
	seiUserDataUnregistered = 5
	stampPayloadSize        = 16 + 8 // UUID + Unix nanoseconds
)

// StampNAL builds an SEI NAL unit (without start code) carrying t as the send time: one
// "user data unregistered" message (payloadType 5) of Watchpost's UUID followed by t as
// 8 bytes big-endian Unix nanoseconds. It goes into the access unit before the picture;
// decoders skip it. For H.265 it is a prefix SEI (type 39) with a 2-byte header.
func StampNAL(c Codec, t time.Time) []byte {
	rbsp := make([]byte, 0, 2+stampPayloadSize+1)
	rbsp = append(rbsp, seiUserDataUnregistered, stampPayloadSize)
	rbsp = append(rbsp, stampUUID[:]...)
	rbsp = binary.BigEndian.AppendUint64(rbsp, uint64(t.UnixNano()))
	rbsp = append(rbsp, 0x80) // rbsp_trailing_bits: stop bit, then byte alignment

	var nal []byte
	switch c {
	case H265:
		// forbidden_zero_bit 0, type 39, nuh_layer_id 0, nuh_temporal_id_plus1 1
		nal = []byte{h265NALPrefixSEI << 1, 0x01}
	default:
		// forbidden_zero_bit 0, nal_ref_idc 0 (SEI is never a reference), type 6
		nal = []byte{h264NALSEI}
	}
	return addEmulationPrevention(nal, rbsp)
}

// SendTime finds a Watchpost stamp among an access unit's NAL units and returns the send
// time it carries.
func SendTime(c Codec, au [][]byte) (time.Time, bool) {
	hdr, typ := 1, h264NALSEI
	if c == H265 {
		hdr, typ = 2, h265NALPrefixSEI
	} else if c != H264 {
		return time.Time{}, false
	}
	for _, n := range au {
		if nalType(c, n) != typ || len(n) <= hdr {
			continue
		}
		if t, ok := parseStampSEI(removeEmulationPrevention(n[hdr:])); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseStampSEI walks the SEI messages of one SEI RBSP (H.264 7.3.2.3.1: type and size are
// each a run of 0xFF bytes plus a final byte) looking for our stamp.
func parseStampSEI(rbsp []byte) (time.Time, bool) {
	p := 0
	readVar := func() (int, bool) {
		v := 0
		for p < len(rbsp) {
			b := rbsp[p]
			p++
			v += int(b)
			if b != 0xff {
				return v, true
			}
		}
		return 0, false
	}
	// A message needs at least 2 bytes; what is left after the last one is the trailing 0x80.
	for len(rbsp)-p >= 2 {
		pt, ok1 := readVar()
		size, ok2 := readVar()
		if !ok1 || !ok2 || size > len(rbsp)-p {
			return time.Time{}, false
		}
		payload := rbsp[p : p+size]
		p += size
		if pt == seiUserDataUnregistered && size >= stampPayloadSize &&
			bytes.Equal(payload[:16], stampUUID[:]) {
			ns := int64(binary.BigEndian.Uint64(payload[16:24]))
			return time.Unix(0, ns), true
		}
	}
	return time.Time{}, false
}
