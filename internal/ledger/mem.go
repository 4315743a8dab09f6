package ledger

import (
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// MemStore is an in-memory Store, used by tests, exports and Verify.
type MemStore struct {
	mu      sync.RWMutex
	hashes  []tlog.Hash
	entries [][]byte
}

var _ Store = (*MemStore)(nil)

// ReadHashes implements tlog.HashReader.
func (m *MemStore) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("ledger: memstore: no hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// Size implements Store.
func (m *MemStore) Size() (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return int64(len(m.entries)), nil
}

// Append implements Store.
func (m *MemStore) Append(n int64, entries [][]byte, hashes []tlog.Hash) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n != int64(len(m.entries)) {
		return fmt.Errorf("ledger: memstore: append at %d, size is %d", n, len(m.entries))
	}
	m.entries = append(m.entries, entries...)
	m.hashes = append(m.hashes, hashes...)
	return nil
}

// ReadEntries implements Store.
func (m *MemStore) ReadEntries(from, to int64) ([][]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if from < 0 || to > int64(len(m.entries)) || from > to {
		return nil, fmt.Errorf("ledger: memstore: entries [%d,%d) out of range %d", from, to, len(m.entries))
	}
	return m.entries[from:to], nil
}

// appendLeafHash adds the stored hashes of leaf n, known only by its leaf
// hash (an entry withheld from the holder); its bytes stay unknown.
func (m *MemStore) appendLeafHash(n int64, h tlog.Hash) error {
	hs, err := tlog.StoredHashesForRecordHash(n, h, m)
	if err != nil {
		return fmt.Errorf("ledger: leaf %d: %w", n, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n != int64(len(m.entries)) {
		return fmt.Errorf("ledger: memstore: append at %d, size is %d", n, len(m.entries))
	}
	m.entries = append(m.entries, nil)
	m.hashes = append(m.hashes, hs...)
	return nil
}
