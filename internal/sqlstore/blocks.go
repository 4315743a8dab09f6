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
// The encoding (before compression) is a version byte (blockVersion),
// then for each record:
//
//	uvarint  id - previous id (the block's id for the first record: 0)
//	varint   line
//	varint   offset
//	uvarint  length, bytes  locator
//	uvarint  length, bytes  kind
//	32 bytes                SHA-256 of raw, as the parser gave it
//	uvarint  0 (not collected) or 1 then varint Unix seconds  collected_at
//	uvarint  length, bytes  raw
//
// Reading a record checks its raw bytes against its SHA-256: a damaged
// block is an error naming the record, never different bytes.
const (
	blockRecords = 256
	blockBytes   = 64 << 10
	blockVersion = 1
)

// blockWriter gathers the records of one block.
type blockWriter struct {
	buf         []byte // the encoding, version byte first
	first, prev int64  // ids of the block's first and latest record
	n           int
	z           bytes.Buffer
	zw          *flate.Writer
}

// begin starts an empty block of id block.
func (w *blockWriter) begin(block int64) {
	w.buf = append(w.buf[:0], blockVersion)
	w.first, w.prev, w.n = block, block, 0
}

// add appends record id (greater than the last added) to the block, which
// a first record begins when none is begun.
func (w *blockWriter) add(id int64, r *tahqiq.RawRecord) {
	if w.n == 0 && len(w.buf) == 0 {
		w.begin(id)
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(id-w.prev))
	w.prev = id
	w.buf = binary.AppendVarint(w.buf, r.Line)
	w.buf = binary.AppendVarint(w.buf, r.Offset)
	w.buf = appendBytes(w.buf, r.Locator)
	w.buf = appendBytes(w.buf, string(r.Kind))
	w.buf = append(w.buf, r.SHA256[:]...)
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
func (w *blockWriter) full() bool { return w.n >= blockRecords || len(w.buf) >= blockBytes }

// compressed returns the block's stored form. The slice is the writer's
// until the next call.
func (w *blockWriter) compressed() ([]byte, error) {
	w.z.Reset()
	if w.zw == nil {
		zw, err := flate.NewWriter(&w.z, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		w.zw = zw
	} else {
		w.zw.Reset(&w.z)
	}
	if _, err := w.zw.Write(w.buf); err != nil {
		return nil, err
	}
	if err := w.zw.Close(); err != nil {
		return nil, err
	}
	return w.z.Bytes(), nil
}

// reset empties the block.
func (w *blockWriter) reset() { w.n, w.buf = 0, w.buf[:0] }

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
	zr := flate.NewReader(bytes.NewReader(data))
	defer zr.Close()
	d := blockDecoder{r: bufio.NewReaderSize(zr, 32<<10)}
	if v, err := d.r.ReadByte(); err != nil || v != blockVersion {
		return fmt.Errorf("block %d: %w (unknown version or not DEFLATE)", first, errBlock)
	}
	id := first
	for {
		delta, err := binary.ReadUvarint(d.r)
		if err == io.EOF {
			return nil // the end of the block
		}
		if err != nil {
			return fmt.Errorf("block %d: %w (after record %d: %v)", first, errBlock, id, err)
		}
		id += int64(delta)
		if id > hi {
			return nil
		}
		keep := id >= lo
		var r tahqiq.RawRecord
		r.Line = d.varint()
		r.Offset = d.varint()
		if keep {
			r.Locator = string(d.bytes())
			r.Kind = tahqiq.RecordKind(d.bytes())
			d.read(r.SHA256[:])
		} else {
			d.skip(d.uvarint())
			d.skip(d.uvarint())
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
