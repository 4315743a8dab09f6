package httpapi

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// getExport sends a case as a zip of the bundle casework exports (a
// logged export): the bundle directory's files at the zip's root.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	tmp, err := os.MkdirTemp(s.Uploads.Dir, ".export-")
	if err != nil {
		return fmt.Errorf("httpapi: export: %w", err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "bundle")
	if _, err := s.Cases.Export(r.Context(), c.user, id, dir); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "case-"+id+".zip"))
	zw := zip.NewWriter(w)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		zf, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate})
		if err != nil {
			return err
		}
		_, err = io.Copy(zf, f)
		return err
	})
	if err != nil {
		// Headers are sent: the broken zip fails its own check on the client.
		s.Log.Error("export: zip", "case", id, "err", err)
		return nil
	}
	if err := zw.Close(); err != nil {
		s.Log.Error("export: zip", "case", id, "err", err)
	}
	return nil
}
