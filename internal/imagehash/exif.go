package imagehash

import (
	"bytes"
	"encoding/binary"
)

// Orientation returns the EXIF orientation of a JPEG (APP1 "Exif"
// segment), PNG (eXIf chunk) or WebP (EXIF chunk) file: 1 (upright) to 8,
// as TIFF tag 274 of the first image directory says. A file without one,
// or whose EXIF data is damaged or out of range, gives 1: the picture is
// hashed as stored. It reads only data, never past its end.
func Orientation(data []byte) int {
	var tiff []byte
	switch {
	case len(data) >= 2 && data[0] == 0xff && data[1] == 0xd8:
		tiff = jpegExif(data)
	case len(data) >= 8 && string(data[:8]) == "\x89PNG\r\n\x1a\n":
		tiff = pngExif(data)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		tiff = webpExif(data)
	}
	if o := tiffOrientation(tiff); o >= 1 && o <= 8 {
		return o
	}
	return 1
}

// jpegExif returns the TIFF data of a JPEG's Exif APP1 segment, reading
// marker segments up to the start of the scan.
func jpegExif(b []byte) []byte {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return nil // not a marker: damaged
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0x01 || (m >= 0xd0 && m <= 0xd8): // markers without a length
			i += 2
			continue
		case m == 0xda || m == 0xd9: // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		seg := b[i+4 : i+2+n]
		if m == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the data of a PNG's eXIf chunk.
func pngExif(b []byte) []byte {
	i := 8
	for i+12 <= len(b) {
		n := binary.BigEndian.Uint32(b[i:])
		typ := string(b[i+4 : i+8])
		if uint64(n) > uint64(len(b)-i-12) {
			return nil
		}
		if typ == "eXIf" {
			return b[i+8 : i+8+int(n)]
		}
		if typ == "IEND" {
			return nil
		}
		i += 12 + int(n)
	}
	return nil
}

// webpExif returns the data of a WebP's EXIF chunk (some writers put
// "Exif\0\0" before the TIFF header, as in JPEG).
func webpExif(b []byte) []byte {
	i := 12
	for i+8 <= len(b) {
		n := binary.LittleEndian.Uint32(b[i+4:])
		if uint64(n) > uint64(len(b)-i-8) {
			return nil
		}
		if string(b[i:i+4]) == "EXIF" {
			return bytes.TrimPrefix(b[i+8:i+8+int(n)], []byte("Exif\x00\x00"))
		}
		i += 8 + int(n) + int(n&1) // chunks are padded to an even size
	}
	return nil
}

// tiffOrientation reads tag 274 (Orientation, a SHORT) of the first image
// directory of TIFF data, or returns 0.
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
	off := uint64(bo.Uint32(t[4:]))
	if off+2 > uint64(len(t)) {
		return 0
	}
	n := uint64(bo.Uint16(t[off:]))
	for e := off + 2; e+12 <= uint64(len(t)) && n > 0; e, n = e+12, n-1 {
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(t[e+2:]) != 3 || bo.Uint32(t[e+4:]) < 1 { // a SHORT, at least one
			return 0
		}
		return int(bo.Uint16(t[e+8:])) // a short value sits at the start of the value field
	}
	return 0
}
