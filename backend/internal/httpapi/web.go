package httpapi

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

func init() {
	// Go's type table lacks the web app manifest's extension.
	mime.AddExtensionType(".webmanifest", "application/manifest+json")
}

// webHandler serves the built PWA: hashed assets are cached for a year, everything else is
// revalidated, and unknown paths fall back to index.html for the client-side router.
func webHandler(web fs.FS) echo.HandlerFunc {
	var files http.Handler
	if web != nil {
		files = http.FileServerFS(web)
	}
	return func(c echo.Context) error {
		if web == nil {
			return c.HTML(http.StatusServiceUnavailable, notBuilt)
		}
		name := strings.TrimPrefix(path.Clean(c.Request().URL.Path), "/")
		h := c.Response().Header()
		if strings.HasPrefix(name, "assets/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		if st, err := fs.Stat(web, name); name == "" || err != nil || st.IsDir() {
			if _, err := fs.Stat(web, "index.html"); err != nil {
				return c.HTML(http.StatusServiceUnavailable, notBuilt)
			}
			if path.Ext(name) != "" {
				return echo.ErrNotFound // a missing file, not a client route
			}
			c.Request().URL.Path = "/"
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>民心 Minxin</title>
<p>民心的手机端尚未构建。运行 <code>make run</code>。</p><p>The PWA is not built yet: run <code>make run</code>.</p>`
