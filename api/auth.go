package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/evtrigger/evtrigger/internal/httpjson"
)

// guard applies the token check a route's access level asks for.
func (s *server) guard(a access, h http.Handler) http.Handler {
	switch {
	case a == public, a == read && s.opts.OpenReads:
		return h
	}
	return requireToken(s.opts.Token, h)
}

// requireToken wraps next so that it answers 401 without an "Authorization: Bearer" header and
// 403 with a wrong token. Tokens are compared in constant time (of their SHA-256, so the
// length does not leak either) and never logged. An empty token lets every request through.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || got == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="evtrigger"`)
			httpjson.WriteError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			httpjson.WriteError(w, http.StatusForbidden, "wrong token")
			return
		}
		next.ServeHTTP(w, r)
	})
}
