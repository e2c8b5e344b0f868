// Package docs embeds docs/openapi.yaml, the API's source of truth, so that the binary serves
// exactly the document in the repository. It is the only Go file outside backend/.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
