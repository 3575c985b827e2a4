package photo

import (
	"bytes"
	"encoding/binary"
)

// A phone's camera stores the picture as the sensor saw it and says in EXIF's Orientation
// tag (0x0112) how to turn it for display; browsers and viewers apply it, a decoder does
// not. Re-encoding drops every EXIF field (the location among them), so the turn has to be
// applied to the pixels first. Only the Orientation tag of IFD0 is read here: a few dozen
// lines with bounds checks on every read are smaller than a dependency, and nothing else of
// EXIF is kept.

const tagOrientation = 0x0112

// orientation returns the EXIF orientation (1–8) of a JPEG, PNG or WebP file, or 1 when it
// has none or it cannot be read (a damaged EXIF block is no reason to refuse a photo).
func orientation(data []byte) int {
	var tiff []byte
	switch {
	case bytes.HasPrefix(data, jpegMagic):
		tiff = jpegExif(data)
	case bytes.HasPrefix(data, pngMagic):
		tiff = pngExif(data)
	case isWebP(data):
		tiff = webpExif(data)
	}
	if o := tiffOrientation(tiff); o >= 1 && o <= 8 {
		return o
	}
	return 1
}

var exifHeader = []byte("Exif\x00\x00")

// jpegExif returns the TIFF block of the first APP1 Exif segment before the image data.
func jpegExif(data []byte) []byte {
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no more metadata
			return nil
		}
		if marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) { // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, exifHeader) {
			return seg[len(exifHeader):]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the data of the eXIf chunk (a TIFF block).
func pngExif(data []byte) []byte {
	i := len(pngMagic)
	for i+8 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if n < 0 || i+8+n > len(data) {
			return nil
		}
		if typ == "eXIf" {
			return data[i+8 : i+8+n]
		}
		if typ == "IDAT" || typ == "IEND" {
			return nil // eXIf must come before the image data
		}
		i += 12 + n // length, type, data, CRC
	}
	return nil
}

// webpExif returns the data of the EXIF chunk of an extended WebP (a TIFF block, which
// some writers start with JPEG's "Exif\0\0").
func webpExif(data []byte) []byte {
	i := 12 // "RIFF", size, "WEBP"
	for i+8 <= len(data) {
		typ := string(data[i : i+4])
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || i+8+n > len(data) {
			return nil
		}
		if typ == "EXIF" {
			return bytes.TrimPrefix(data[i+8:i+8+n], exifHeader)
		}
		i += 8 + n + n%2 // chunks are padded to an even size
	}
	return nil
}

// tiffOrientation reads the Orientation entry of IFD0 of a TIFF block; 0 when absent.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0
	}
	count := int64(bo.Uint16(t[ifd:]))
	for k := int64(0); k < count; k++ {
		e := ifd + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 0
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		const typeShort = 3
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) < 1 {
			return 0
		}
		return int(bo.Uint16(t[e+8:])) // a SHORT value sits at the start of the value field
	}
	return 0
}
