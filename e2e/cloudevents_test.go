package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/evtrigger/evtrigger/ingress/httpin"
	"github.com/evtrigger/evtrigger/internal/testenv"
)

func TestCloudEventsBothModesAndSizeLimit(t *testing.T) {
	sk := newSink(t)
	st := testenv.NewStack(t, temporal, httpRule(sk.srv.URL), testenv.Options{})
	post := func(contentType string, header http.Header, body string) int {
		req, _ := http.NewRequest(http.MethodPost, st.API.URL+httpin.Path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	structured := `{"specversion":"1.0","id":"ce-struct-1","source":"/orders","type":"order.created",
	  "datacontenttype":"application/json","traceid":"t-1","data":{"orderId":"o-1","amount":2500}}`
	if code := post("application/cloudevents+json", nil, structured); code != http.StatusAccepted {
		t.Fatalf("structured: %d", code)
	}
	binary := http.Header{"Ce-Specversion": {"1.0"}, "Ce-Id": {"ce-bin-1"}, "Ce-Source": {"/orders"},
		"Ce-Type": {"order.created"}}
	if code := post("application/json", binary, `{"orderId":"o-2","amount":3000}`); code != http.StatusAccepted {
		t.Fatalf("binary: %d", code)
	}
	testenv.Eventually(t, 30*time.Second, "both CloudEvents ran their task", func() bool {
		return sk.count("ce-struct-1/notify-inventory") == 1 && sk.count("ce-bin-1/notify-inventory") == 1
	})
	huge := `{"messageId":"big","eventType":"order.created","payload":{"blob":"` + strings.Repeat("x", 1<<20) + `"}}`
	if code := post("application/json", nil, huge); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("over the size limit: %d, want 413", code)
	}
}
