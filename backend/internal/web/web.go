// Package web embeds the built PWA. `npm run build` in pwa/ writes it to dist/; until then
// dist holds only .gitkeep and the server answers with a notice.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built PWA, or nil when it has not been built.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}
