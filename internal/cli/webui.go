package cli

import (
	"net/http"

	"github.com/tahqiq/tahqiq/internal/webui"
)

// webUI is the web UI mounted at / by tahqiq serve.
func webUI() http.Handler { return webui.Handler() }
