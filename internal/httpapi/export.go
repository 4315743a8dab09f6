package httpapi

import (
	"fmt"
	"net/http"
)

// getExport sends a case as a zip bundle (a logged export), written by
// casework.ExportZip: the same function as `tahqiq case export --out
// X.zip`, so `tahqiq verify` checks the download as it checks a local
// export.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	zw := &zipResponse{w: w, name: "case-" + id + ".zip"}
	if _, err := s.Cases.ExportZip(r.Context(), c.user, id, zw); err != nil {
		if !zw.started {
			return err // access or lookup failed: nothing sent yet
		}
		// Headers are sent: the truncated zip fails its own check.
		s.Log.Error("export: zip", "case", id, "err", err)
	}
	return nil
}

// zipResponse sets the zip headers at the first byte, so that errors
// before it (no access, no such case) still get their own status.
type zipResponse struct {
	w       http.ResponseWriter
	name    string
	started bool
}

func (z *zipResponse) Write(p []byte) (int, error) {
	if !z.started {
		z.started = true
		z.w.Header().Set("Content-Type", "application/zip")
		z.w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", z.name))
	}
	return z.w.Write(p)
}
