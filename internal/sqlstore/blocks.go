package sqlstore

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/tahqiq/tahqiq"
)

// Raw records are kept in blocks (table record_blocks, migration 0013):
// the records of one file, consecutive in input order, up to
// blockRecords of them or blockBytes of encoding, in one row whose data
// is the records' encoding compressed with DEFLATE (compress/flate,
// BestSpeed). A block's id is the id of the first record it was written
// with and last_id that of its last, so the block of a record is the one
// with the greatest id not above the record's; records keep their ids
// (posts, post_records and rejects name them). Stores written before
// 0013 keep their records table, one row a record; readers read both
// (readRecords, recordsOfFile: the one place raw records are read), and
// an import writes only blocks.
//
// A block's stored form (version 2, written since the branch importq) is
//
//	byte     blockMark (0xFE: its low bits, BFINAL 0 and BTYPE 11, can
//	         begin no DEFLATE stream, so it tells version 2 from 1)
//	uvarint  n, the number of records
//	n × 32 bytes  the records' SHA-256s, as the parser gave them, in order
//	DEFLATE  the records' fields, for each record:
//
//	uvarint  id - previous id (the block's id for the first record: 0)
//	varint   line - previous line (the first record: its line)
//	varint   offset - previous offset (the first record: its offset)
//	uvarint  length, bytes  locator
//	uvarint  length, bytes  kind
//	uvarint  0 (not collected) or 1 then varint Unix seconds  collected_at
//	uvarint  length, bytes  raw
//
// The SHA-256s, which do not compress, stay out of DEFLATE, which then
// reads about a third fewer bytes (docs/benchmarks.md, branch importq).
// Version 1 (stores written before) is the DEFLATE of a version byte (1)
// then, for each record, the same fields with the line and offset as
// they are and the record's SHA-256 after its kind; it is read as ever,
// never rewritten but by a re-derivation's edit of its block.
//
// Reading a record checks its raw bytes against its SHA-256: a damaged
// block is an error naming the record, never different bytes.
const (
	blockRecords = 256
	blockBytes   = 64 << 10
	blockVersion = 1    // the version byte of version 1, inside its DEFLATE
	blockMark    = 0xFE // the first byte of version 2
)

// blockWriter gathers the records of one block: their fields (buf) and
// their SHA-256s (sums), apart.
type blockWriter struct {
	buf, sums   []byte
	first, prev int64 // ids of the block's first and latest record
	line, off   int64 // line and offset of the latest record
	n           int
	begun       bool // begin was called for the block being filled
	z           bytes.Buffer
	zw          *flate.Writer
}

// begin starts an empty block of id block.
func (w *blockWriter) begin(block int64) {
	w.buf, w.sums = w.buf[:0], w.sums[:0]
	w.first, w.prev, w.n = block, block, 0
	w.line, w.off = 0, 0
	w.begun = true
}

// add appends record id (greater than the last added) to the block, which
// a first record begins when none is begun.
func (w *blockWriter) add(id int64, r *tahqiq.RawRecord) {
	if !w.begun {
		w.begin(id)
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(id-w.prev))
	w.prev = id
	w.buf = binary.AppendVarint(w.buf, r.Line-w.line)
	w.buf = binary.AppendVarint(w.buf, r.Offset-w.off)
	w.line, w.off = r.Line, r.Offset
	w.buf = appendBytes(w.buf, r.Locator)
	w.buf = appendBytes(w.buf, string(r.Kind))
	w.sums = append(w.sums, r.SHA256[:]...)
	if r.CollectedAt.IsZero() {
		w.buf = binary.AppendUvarint(w.buf, 0)
	} else {
		w.buf = binary.AppendUvarint(w.buf, 1)
		w.buf = binary.AppendVarint(w.buf, r.CollectedAt.Unix())
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(len(r.Raw)))
	w.buf = append(w.buf, r.Raw...)
	w.n++
}

func appendBytes(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// full reports whether the block should be written before another record
// is added.
func (w *blockWriter) full() bool {
	return w.n >= blockRecords || len(w.buf)+len(w.sums) >= blockBytes
}

// compressed returns the block's stored form. The slice is the writer's
// until the next call.
func (w *blockWriter) compressed() ([]byte, error) {
	w.z.Reset()
	var err error
	w.zw, err = compressBlock(&w.z, w.zw, w.n, w.sums, w.buf)
	return w.z.Bytes(), err
}

// compressBlock writes the stored form of a block of n records, their
// SHA-256s sums and their fields buf, to z, with zw (made when nil, and
// returned for the next block).
func compressBlock(z *bytes.Buffer, zw *flate.Writer, n int, sums, buf []byte) (*flate.Writer, error) {
	z.WriteByte(blockMark)
	z.Write(binary.AppendUvarint(z.AvailableBuffer(), uint64(n)))
	z.Write(sums)
	if zw == nil {
		var err error
		if zw, err = flate.NewWriter(z, flate.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		zw.Reset(z)
	}
	if _, err := zw.Write(buf); err != nil {
		return zw, err
	}
	return zw, zw.Close()
}

// reset empties the block.
func (w *blockWriter) reset() { w.n, w.buf, w.sums, w.begun = 0, w.buf[:0], w.sums[:0], false }

// encodeBlockFrom returns the stored form of block id block holding recs
// (ids ascending, none below block).
func encodeBlockFrom(block int64, recs []blockRecord) ([]byte, error) {
	var w blockWriter
	w.begin(block)
	for i := range recs {
		w.add(recs[i].id, &recs[i].rec)
	}
	b, err := w.compressed()
	return bytes.Clone(b), err
}

// blockRecord is a record of a block with its id.
type blockRecord struct {
	id  int64
	rec tahqiq.RawRecord
}

// errBlock is a block whose bytes do not decode.
var errBlock = errors.New("damaged block of raw records")

// decodeBlock calls fn for every record of the block with id first, in
// order. Raw and Locator are fn's to keep (each record has its own
// slices).
func decodeBlock(first int64, data []byte, fn func(id int64, r *tahqiq.RawRecord) error) error {
	return decodeBlockRange(first, data, 0, math.MaxInt64, fn)
}

// decodeBlockRange is decodeBlock for the records with ids from lo to hi:
// the records before lo are skipped without being kept or checked, and
// decompressing stops after hi (reading one record of a block costs half
// a block's decompression on average, not the whole block's records).
func decodeBlockRange(first int64, data []byte, lo, hi int64, fn func(id int64, r *tahqiq.RawRecord) error) error {
	var sums []byte // version 2: the SHA-256s, outside DEFLATE
	v2 := len(data) > 0 && data[0] == blockMark
	if v2 {
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || n > blockRecordsMax || uint64(len(data)-1-k) < 32*n {
			return fmt.Errorf("block %d: %w (its count of records or their SHA-256s are cut)", first, errBlock)
		}
		sums = data[1+k : 1+k+32*int(n)]
		data = data[1+k+32*int(n):]
	}
	zr := flate.NewReader(bytes.NewReader(data))
	defer zr.Close()
	d := blockDecoder{r: bufio.NewReaderSize(zr, 32<<10)}
	if !v2 {
		if v, err := d.r.ReadByte(); err != nil || v != blockVersion {
			return fmt.Errorf("block %d: %w (unknown version or not DEFLATE)", first, errBlock)
		}
	}
	id := first
	var line, off int64
	for i := 0; ; i++ {
		delta, err := binary.ReadUvarint(d.r)
		if err == io.EOF {
			if v2 && i != len(sums)/32 {
				return fmt.Errorf("block %d: %w (%d records of %d)", first, errBlock, i, len(sums)/32)
			}
			return nil // the end of the block
		}
		if err != nil {
			return fmt.Errorf("block %d: %w (after record %d: %v)", first, errBlock, id, err)
		}
		if v2 && i >= len(sums)/32 {
			return fmt.Errorf("block %d: %w (more records than its count, %d)", first, errBlock, len(sums)/32)
		}
		id += int64(delta)
		if id > hi {
			return nil
		}
		keep := id >= lo
		var r tahqiq.RawRecord
		r.Line = d.varint()
		r.Offset = d.varint()
		if v2 {
			r.Line += line
			r.Offset += off
			line, off = r.Line, r.Offset
		}
		if keep {
			r.Locator = string(d.bytes())
			r.Kind = tahqiq.RecordKind(d.bytes())
		} else {
			d.skip(d.uvarint())
			d.skip(d.uvarint())
		}
		switch {
		case v2 && keep:
			copy(r.SHA256[:], sums[32*i:])
		case keep:
			d.read(r.SHA256[:])
		case !v2:
			d.skip(32)
		}
		if d.uvarint() == 1 {
			r.CollectedAt = time.Unix(d.varint(), 0).UTC()
		}
		if keep {
			r.Raw = d.bytes()
		} else {
			d.skip(d.uvarint())
		}
		if d.err != nil {
			return fmt.Errorf("block %d: %w (record %d is cut short: %v)", first, errBlock, id, d.err)
		}
		if !keep {
			continue
		}
		if r.Raw == nil {
			r.Raw = []byte{}
		}
		if sha256.Sum256(r.Raw) != r.SHA256 {
			return fmt.Errorf("block %d: %w (record %d: its raw bytes do not match their SHA-256)", first, errBlock, id)
		}
		if err := fn(id, &r); err != nil {
			return err
		}
		if id == hi {
			return nil
		}
	}
}

// blockRecordsMax bounds the count of records a version 2 block's header
// may give (a re-derivation's block holds at most what an import wrote).
const blockRecordsMax = 1 << 20

// blockDecoder reads the fields of a block's encoding; err is set, and
// zero values returned, once a field cannot be read.
type blockDecoder struct {
	r   *bufio.Reader
	err error
}

func (d *blockDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	d.fail(err)
	return v
}

func (d *blockDecoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d.r)
	d.fail(err)
	return v
}

func (d *blockDecoder) fail(err error) {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if d.err == nil {
		d.err = err
	}
}

// bytes reads a length and as many bytes, into a slice of their own.
func (d *blockDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > maxRecordBytes {
		d.fail(fmt.Errorf("a field of %d bytes", n))
		return nil
	}
	b := make([]byte, n)
	d.read(b)
	return b
}

func (d *blockDecoder) read(b []byte) {
	if d.err != nil {
		return
	}
	_, err := io.ReadFull(d.r, b)
	d.fail(err)
}

func (d *blockDecoder) skip(n uint64) {
	if d.err != nil {
		return
	}
	if n > maxRecordBytes {
		d.fail(fmt.Errorf("a field of %d bytes", n))
		return
	}
	_, err := d.r.Discard(int(n))
	d.fail(err)
}

// maxRecordBytes bounds a field's length read from a block, so that a
// damaged length is an error, not an allocation of any size.
const maxRecordBytes = 1 << 30
