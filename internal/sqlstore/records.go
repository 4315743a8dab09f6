package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/tahqiq/tahqiq"
)

// The one place raw records are read: from their blocks (record_blocks,
// blocks.go) and from the one-row-a-record table of stores written before
// migration 0013 (records), which is read as it was and never converted.

// storedRecord is a raw record read from the store: its id, the block it
// is kept in (0: a row of the records table) and the record.
type storedRecord struct {
	id, block int64
	rec       tahqiq.RawRecord
}

// recordsByID returns the records of ids (any order, repeats allowed)
// with their files' names and formats, in id order. An id the store does
// not hold (or does not show the caller) is left out.
func (s *Store) recordsByID(ctx context.Context, q Conn, ids []int64) ([]tahqiq.RawRecord, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []storedRecord
	found := map[int64]bool{}
	// rows of the records table
	for rest := ids; len(rest) > 0; {
		n := min(len(rest), 500)
		args := make([]any, n)
		list := make([]byte, 0, n*5)
		for i, id := range rest[:n] {
			args[i] = id
			if i > 0 {
				list = append(list, ", "...)
			}
			list = fmt.Appendf(list, "$%d", i+1)
		}
		rest = rest[n:]
		rows, err := q.Query(ctx, `SELECT r.id, f.name, f.format, r.line, r."offset", r.locator, r.kind, r.sha256, r.raw, r.collected_at
			FROM records r JOIN files f ON f.id = r.file_id WHERE r.id IN (`+string(list)+`)`, args...)
		if err != nil {
			return nil, err
		}
		var x recordRow
		x.cols(&x.id, &x.r.SourceFile, &x.r.Format)
		for rows.Next() {
			r, err := x.scan(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, storedRecord{id: x.id, rec: r})
			found[x.id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	// blocks: the block of an id is the one with the greatest id not above
	// it; the ids a block holds are decoded in one pass, the others skipped
	var rest []int64
	for _, id := range ids {
		if !found[id] {
			rest = append(rest, id)
		}
	}
	for len(rest) > 0 {
		var block, last int64
		var name, format string
		var data []byte
		err := q.QueryRow(ctx, `SELECT b.id, b.last_id, f.name, f.format, b.data FROM record_blocks b JOIN files f ON f.id = b.file_id
			WHERE b.id = (SELECT max(id) FROM record_blocks WHERE id <= $1)`, rest[0]).Scan(&block, &last, &name, &format, &data)
		if errors.Is(err, sql.ErrNoRows) {
			rest = rest[1:] // in no block: not held
			continue
		}
		if err != nil {
			return nil, err
		}
		n := 1
		for n < len(rest) && rest[n] <= last {
			n++
		}
		want := map[int64]bool{}
		for _, id := range rest[:n] {
			want[id] = true
		}
		err = decodeBlockRange(block, data, rest[0], rest[n-1], func(id int64, r *tahqiq.RawRecord) error {
			if want[id] {
				r.SourceFile, r.Format = name, format
				out = append(out, storedRecord{id: id, block: block, rec: *r})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	slices.SortFunc(out, func(a, b storedRecord) int { return compareInt(a.id, b.id) })
	res := make([]tahqiq.RawRecord, len(out))
	for i := range out {
		res[i] = out[i].rec
	}
	return res, nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// recordsOfFile returns up to limit records of file with ids above after,
// in id order, without Format and SourceFile.
func recordsOfFile(ctx context.Context, q Conn, file, after int64, limit int) ([]storedRecord, error) {
	var out []storedRecord
	rows, err := q.Query(ctx, `SELECT id, line, "offset", locator, kind, sha256, raw, collected_at FROM records
		WHERE file_id = $1 AND id > $2 ORDER BY id LIMIT $3`, file, after, limit)
	if err != nil {
		return nil, err
	}
	var x recordRow
	x.cols(&x.id)
	for rows.Next() {
		r, err := x.scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, storedRecord{id: x.id, rec: r})
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT id, data FROM record_blocks WHERE file_id = $1 AND last_id > $2 ORDER BY id`, file, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var inBlocks []storedRecord
	var block int64
	var data []byte
	for len(inBlocks) < limit && rows.Next() {
		if err := rows.Scan(&block, &data); err != nil {
			return nil, err
		}
		err := decodeBlock(block, data, func(id int64, r *tahqiq.RawRecord) error {
			if id > after && len(inBlocks) < limit {
				inBlocks = append(inBlocks, storedRecord{id: id, block: block, rec: *r})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return inBlocks, nil
	}
	out = append(out, inBlocks...)
	slices.SortFunc(out, func(a, b storedRecord) int { return compareInt(a.id, b.id) })
	return out[:min(len(out), limit)], nil
}

// blockEdit is a change to a record of a block that re-deriving made: a
// new kind, or the record dropped (turned into a reject).
type blockEdit struct {
	kind tahqiq.RecordKind
	drop bool
}

// editBlocks rewrites the blocks of edits (block id -> record id -> edit)
// with their edits applied; a block left without records is deleted. Its
// id and last_id stay: the ranges of blocks never overlap either way.
func editBlocks(ctx context.Context, q Conn, edits map[int64]map[int64]blockEdit) error {
	for block, e := range edits {
		var data []byte
		if err := q.QueryRow(ctx, `SELECT data FROM record_blocks WHERE id = $1`, block).Scan(&data); err != nil {
			return fmt.Errorf("block %d: %w", block, err)
		}
		var keep []blockRecord
		err := decodeBlock(block, data, func(id int64, r *tahqiq.RawRecord) error {
			ed, ok := e[id]
			switch {
			case ok && ed.drop:
				return nil
			case ok:
				r.Kind = ed.kind
			}
			keep = append(keep, blockRecord{id: id, rec: *r})
			return nil
		})
		if err != nil {
			return err
		}
		if len(keep) == 0 {
			if _, err := q.Exec(ctx, `DELETE FROM record_blocks WHERE id = $1`, block); err != nil {
				return fmt.Errorf("block %d: %w", block, err)
			}
			continue
		}
		b, err := encodeBlockFrom(block, keep)
		if err != nil {
			return fmt.Errorf("block %d: %w", block, err)
		}
		if _, err := q.Exec(ctx, `UPDATE record_blocks SET data = $1, records = $2 WHERE id = $3`, b, len(keep), block); err != nil {
			return fmt.Errorf("block %d: %w", block, err)
		}
	}
	clear(edits)
	return nil
}
