package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRouteTable fails when a route exists that the OpenAPI document lacks, or
// the document describes a route that does not exist.
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	var inDoc, inTable []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	for _, rt := range routeTable() {
		inTable = append(inTable, rt.method+" "+rt.path)
	}
	slices.Sort(inDoc)
	slices.Sort(inTable)
	for _, r := range inTable {
		if !slices.Contains(inDoc, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, r := range inDoc {
		if !slices.Contains(inTable, r) {
			t.Errorf("openapi.json describes %s, which is no route", r)
		}
	}
}

// TestOpenAPIRefsResolve: every $ref names a schema of the document.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for _, part := range strings.Split(string(openAPIDoc), `"$ref": "#/components/schemas/`)[1:] {
		name := part[:strings.IndexByte(part, '"')]
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("$ref to missing schema %q", name)
		}
	}
}

func TestOpenAPIServedWithoutToken(t *testing.T) {
	srv := httptest.NewServer(NewHandler(Options{Token: "s3cret"}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + OpenAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != string(openAPIDoc) {
		t.Errorf("GET %s = %d, %d bytes", OpenAPIPath, resp.StatusCode, len(body))
	}
}
