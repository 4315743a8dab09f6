package sqlstore

import (
	"context"

	"github.com/tahqiq/tahqiq"
)

// mediaColumns are the columns of a media row, in the order eachMedia
// reads and AddMedia writes them.
const mediaColumns = `f.name, m.file_id, m.name, m.status, m.detail, m.sha256, m.size, m.width, m.height, m.orientation,
	m.pdq, m.pdq_quality, m.pdq_dihedral, m.pdq_trimmed, m.dhash, m.object, m.distance, m.hashing`

// eachMedia calls fn for every media row of a dataset, in the order
// stored, through q (scoped on PostgreSQL: media rows are under
// row-level security).
func (s *Store) eachMedia(ctx context.Context, q Conn, dataset int64, fn func(tahqiq.MediaFile) error) error {
	rows, err := q.Query(ctx, `SELECT `+mediaColumns+` FROM media m JOIN files f ON f.id = m.file_id WHERE m.dataset_id = $1 ORDER BY m.id`, dataset)
	if err != nil {
		return s.errorf("media: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m tahqiq.MediaFile
		var status string
		if err := rows.Scan(&m.File, &m.FileID, &m.Name, &status, &m.Detail, &m.SHA256, &m.Size, &m.Width, &m.Height, &m.Orientation,
			&m.PDQ, &m.Quality, &m.Dihedral, &m.Trimmed, &m.DHash, &m.Object, &m.Distance, &m.Hashing); err != nil {
			return s.errorf("media: %w", err)
		}
		m.Status = tahqiq.MediaStatus(status)
		if err := fn(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.errorf("media: %w", err)
	}
	return nil
}

// FindMedia returns the media files of a dataset in the order stored.
func (s *Store) FindMedia(ctx context.Context, dataset string) ([]tahqiq.MediaFile, error) {
	out := []tahqiq.MediaFile{}
	err := s.e.Scoped(ctx, func(q Conn) error {
		id, err := s.datasetID(ctx, q, dataset)
		if err != nil {
			return err
		}
		return s.eachMedia(ctx, q, id, func(m tahqiq.MediaFile) error {
			out = append(out, m)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

var _ tahqiq.MediaStore = (*Store)(nil)
