package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// OpenAPI returns the OpenAPI 3.1 document of the routes.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes() {
		op := map[string]any{
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"operationId": strings.ToLower(rt.method) + opName(rt.path),
			"x-access":    rt.level.String(),
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.level == public {
			op["security"] = []any{}
		}
		switch rt.body {
		case "json":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}}
		case "binary":
			op["requestBody"] = map[string]any{"content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]string{"type": "string", "format": "binary"}}}}
		case "multipart":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{"file": map[string]any{"type": "array", "items": map[string]string{"type": "string", "format": "binary"}}}}}}}
		}
		ok := map[string]any{"description": "success"}
		if !rt.raw {
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]string{"type": "object"}}}
		}
		status := "200"
		switch {
		case rt.status != 0:
			status = strconv.Itoa(rt.status)
		case rt.method == "POST" && strings.HasSuffix(rt.path, "/runs"), rt.path == "/api/v1/imports", rt.path == "/api/v1/verify":
			status = "202"
		case rt.method == "POST" && rt.path != "/api/v1/login" && !strings.HasSuffix(rt.path, "/cancel") && !strings.HasSuffix(rt.path, "/decision") && !strings.HasSuffix(rt.path, "/claims") && rt.path != "/api/v1/logout" && !strings.HasSuffix(rt.path, "/shares"):
			status = "201"
		case rt.method == "DELETE", rt.path == "/api/v1/logout", strings.HasSuffix(rt.path, "/shares"):
			status = "204"
		}
		op["responses"] = map[string]any{status: ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "tahqiq API", "version": s.Version,
			"description": "Coordination analysis, election-results audit and cases with a verifiable custody log. See docs/api.md.",
			"license":     map[string]string{"name": "Apache-2.0", "identifier": "Apache-2.0"}},
		"servers":  []map[string]string{{"url": "/"}},
		"paths":    paths,
		"security": []map[string][]string{{"session": {}}, {"token": {}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"session": map[string]string{"type": "apiKey", "in": "cookie", "name": sessionCookie,
					"description": "from POST /api/v1/login; state changes also need the header X-CSRF-Token"},
				"token": map[string]string{"type": "http", "scheme": "bearer", "description": "from POST /api/v1/tokens"},
			},
			"responses": map[string]any{"Error": map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
				"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object", "properties": map[string]any{
					"code": map[string]string{"type": "string"}, "message": map[string]string{"type": "string"}}}}}}}}},
		},
	}
}

func opName(path string) string {
	var b strings.Builder
	for _, part := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		part = strings.ReplaceAll(part, ".", "_")
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request, c *call) error {
	return writeJSON(w, http.StatusOK, s.OpenAPI())
}
