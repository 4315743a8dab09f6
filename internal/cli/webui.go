package cli

import "net/http"

// webUI is the web UI mounted at / by tahqiq serve (nil: API only).
func webUI() http.Handler { return nil }
