package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/evtrigger/evtrigger/rules/store/storetest"
)

const orderRule = `{"ruleId":"big-orders","eventType":"order.created","condition":"payload.amount > 1000",
  "taskType":"shell","parameters":{"script":"/bin/echo","args":["${payload.orderId}"]},"priority":"HIGH"}`

func TestRulesCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newRulesAPI(t, dsn, Options{})
		a := c.do("POST", RulesPath, orderRule)
		a.want(t, "create", http.StatusCreated, "ruleId=big-orders", "version=1", "enabled=true", "taskName=big-orders", "timeout=10m0s")
		if a.header.Get("Location") != RulesPath+"/big-orders" || a.header.Get("ETag") != `"1"` {
			t.Errorf("create headers %v", a.header)
		}
		c.do("POST", RulesPath, orderRule).want(t, "create again", http.StatusConflict, "field=ruleId")
		c.do("GET", RulesPath+"/big-orders", "").want(t, "get", http.StatusOK, "version=1", "condition=payload.amount > 1000")
		c.do("GET", RulesPath+"/nope", "").want(t, "get unknown", http.StatusNotFound)

		changed := strings.Replace(orderRule, "1000", "2000", 1)
		c.do("PUT", RulesPath+"/big-orders", changed).want(t, "update without version", http.StatusPreconditionRequired, "field=version")
		c.do("PUT", RulesPath+"/big-orders", changed, `If-Match: "1"`).want(t, "update", http.StatusOK, "version=2", "condition=payload.amount > 2000")
		c.do("PUT", RulesPath+"/big-orders", changed, `If-Match: "1"`).want(t, "stale update", http.StatusConflict, "currentVersion=2", "field=version")
		withVersion := strings.Replace(changed, `"priority"`, `"version":2,"priority"`, 1)
		c.do("PUT", RulesPath+"/big-orders", withVersion).want(t, "update with body version", http.StatusOK, "version=3")
		c.do("PUT", RulesPath+"/big-orders", withVersion, `If-Match: "3"`).want(t, "If-Match and body differ", http.StatusBadRequest, "field=version")
		c.do("PUT", RulesPath+"/other", changed, `If-Match: "1"`).want(t, "id differs from path", http.StatusBadRequest, "field=ruleId")
		c.do("PUT", RulesPath+"/nope", strings.Replace(changed, "big-orders", "nope", 1), `If-Match: "1"`).want(t, "update unknown", http.StatusNotFound)

		c.do("POST", RulesPath+"/big-orders/disable", "").want(t, "disable", http.StatusOK, "enabled=false", "version=4")
		c.do("POST", RulesPath+"/big-orders/disable", "").want(t, "disable again", http.StatusOK, "version=4")
		c.do("POST", RulesPath+"/big-orders/enable", "", `If-Match: 3`).want(t, "stale enable", http.StatusConflict)
		c.do("POST", RulesPath+"/big-orders/enable", "").want(t, "enable", http.StatusOK, "enabled=true", "version=5")
		c.do("POST", RulesPath+"/nope/enable", "").want(t, "enable unknown", http.StatusNotFound)
		c.do("POST", RulesPath+"/nope/disable", "").want(t, "disable unknown", http.StatusNotFound)

		c.do("DELETE", RulesPath+"/big-orders", "", `If-Match: "4"`).want(t, "stale delete", http.StatusConflict)
		c.do("DELETE", RulesPath+"/big-orders", "").want(t, "delete", http.StatusNoContent)
		c.do("DELETE", RulesPath+"/big-orders", "").want(t, "delete again", http.StatusNotFound)
		c.do("GET", RulesPath+"/big-orders", "").want(t, "get deleted", http.StatusNotFound)

		v := c.do("GET", RulesPath+"/big-orders/versions", "")
		if !strings.Contains(v.raw, `"op":"create"`) || !strings.Contains(v.raw, `"op":"delete"`) || strings.Count(v.raw, `"op"`) != 6 {
			t.Errorf("versions: %d %s", v.status, v.raw)
		}
		c.do("GET", RulesPath+"/nope/versions", "").want(t, "versions unknown", http.StatusNotFound)
	})
}

func TestRulesValidationNamesFieldLineColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newRulesAPI(t, dsn, Options{})
		cases := []struct {
			name, from, to string
			want           []string
		}{
			{"CEL syntax", `payload.amount > 1000`, `payload.amount >`, []string{"field=condition", "line=1", "column=17"}},
			{"CEL unknown name", `payload.amount > 1000`, `payload.amount > 1 \u0026\u0026 amount`, []string{"field=condition", "line=1", "column=23"}},
			{"CEL not bool", `payload.amount > 1000`, `'yes'`, []string{"field=condition"}},
			{"unknown task type", `"taskType":"shell"`, `"taskType":"ftp"`, []string{"field=taskType"}},
			{"bad URL", `"taskType":"shell","parameters":{"script":"/bin/echo","args":["${payload.orderId}"]}`,
				`"taskType":"http","parameters":{"url":"ftp//nowhere"}`, []string{"field=parameters.url"}},
			{"bad duration", `"priority"`, `"timeout":"soon","priority"`, []string{"field=timeout"}},
			{"bad retry duration", `"priority"`, `"retry":{"initialInterval":"x"},"priority"`, []string{"field=retry.initialInterval"}},
			{"unknown field", `"priority"`, `"conditon":"x","priority"`, []string{"field=conditon"}},
			{"bad ruleId", `big-orders`, `big orders`, []string{"field=ruleId"}},
		}
		for _, tc := range cases {
			body := strings.Replace(orderRule, tc.from, tc.to, 1)
			if body == orderRule {
				t.Fatalf("%s: replacement did not apply", tc.name)
			}
			c.do("POST", RulesPath, body).want(t, tc.name, http.StatusBadRequest, tc.want...)
		}
		c.do("POST", RulesPath, `{"ruleId":`).want(t, "not JSON", http.StatusBadRequest)
		c.do("POST", RulesPath, orderRule).want(t, "create", http.StatusCreated)
		bad := strings.Replace(orderRule, "payload.amount > 1000", "payload.amount >", 1)
		c.do("PUT", RulesPath+"/big-orders", bad, `If-Match: "1"`).want(t, "invalid update", http.StatusBadRequest, "field=condition", "column=17")
		c.do("GET", RulesPath+"/big-orders", "").want(t, "unchanged after invalid update", http.StatusOK, "version=1")
	})
}

func TestRulesList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newRulesAPI(t, dsn, Options{})
		for _, id := range []string{"a", "b", "c"} {
			body := strings.Replace(orderRule, "big-orders", id, 1)
			if id == "c" {
				body = strings.Replace(body, "order.created", "payment.completed", 1)
			}
			c.do("POST", RulesPath, body).want(t, "create "+id, http.StatusCreated)
		}
		c.do("POST", RulesPath+"/b/disable", "").want(t, "disable b", http.StatusOK)
		ids := func(q string) string {
			a := c.do("GET", RulesPath+q, "")
			if a.status != http.StatusOK {
				t.Fatalf("list %s: %d %s", q, a.status, a.raw)
			}
			var out []string
			for _, r := range a.body["content"].([]any) {
				out = append(out, r.(map[string]any)["ruleId"].(string))
			}
			return strings.Join(out, ",") + " of " + a.get("totalElements") + " in " + a.get("totalPages")
		}
		for q, want := range map[string]string{
			"":                                      "a,b,c of 3 in 1",
			"?page=1&size=2":                        "c of 3 in 2",
			"?eventType=order.created":              "a,b of 2 in 1",
			"?enabled=false":                        "b of 1 in 1",
			"?eventType=order.created&enabled=true": "a of 1 in 1",
		} {
			if got := ids(q); got != want {
				t.Errorf("list %q = %s, want %s", q, got, want)
			}
		}
		for _, q := range []string{"?page=-1", "?size=0", "?size=1000", "?enabled=maybe"} {
			c.do("GET", RulesPath+q, "").want(t, "list "+q, http.StatusBadRequest)
		}
	})
}

// TestConcurrentUpdatesOverHTTP: two PUTs based on the same version at once; one wins with 200,
// the other gets 409, against each store.
func TestConcurrentUpdatesOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dsn string) {
		c := newRulesAPI(t, dsn, Options{})
		c.do("POST", RulesPath, orderRule).want(t, "create", http.StatusCreated)
		for base := 1; base <= 5; base++ {
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := strings.Replace(orderRule, "1000", strings.Repeat("9", i+4), 1)
					codes[i] = c.do("PUT", RulesPath+"/big-orders", body, `If-Match: "`+strconv.Itoa(base)+`"`).status
				}()
			}
			wg.Wait()
			if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
				t.Fatalf("base %d: statuses %v, want one 200 and one 409", base, codes)
			}
		}
	})
}

// TestRuleWithCompensationOverTheAPI: a compensation is saved and read back; a bad one is a 400
// naming its field.
func TestRuleWithCompensationOverTheAPI(t *testing.T) {
	c := newRulesAPI(t, t.TempDir()+"/rules.db", Options{})
	withComp := strings.Replace(orderRule, `"priority":"HIGH"`, `"priority":"HIGH",
	  "compensation":{"taskType":"http","parameters":{"url":"http://inventory/release/${payload.orderId}"},"retry":{"maxAttempts":5}}`, 1)
	c.do("POST", RulesPath, withComp).want(t, "create with compensation", http.StatusCreated)
	got := c.do("GET", RulesPath+"/big-orders", "")
	if !strings.Contains(got.raw, `"compensation":{`) || !strings.Contains(got.raw, "inventory/release") {
		t.Fatalf("get: %s", got.raw)
	}
	bad := strings.Replace(withComp, `"taskType":"http","parameters"`, `"taskType":"ftp","parameters"`, 1)
	bad = strings.Replace(bad, "big-orders", "bad-comp", 1)
	c.do("POST", RulesPath, bad).want(t, "bad compensation", http.StatusBadRequest, "field=compensation.taskType")
}
