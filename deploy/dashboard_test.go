package deploy

import (
	"encoding/json"
	"slices"
	"testing"
)

// Dashboard is the part of deploy/grafana/dashboard.json the tests read.
type dashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		Title      string `json:"title"`
		Type       string `json:"type"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestDashboard: the seed's four panels and the per-rule ones are there, every panel queries
// the provisioned datasource with at least one expression.
func TestDashboard(t *testing.T) {
	var d dashboard
	if err := json.Unmarshal(readFile(t, "grafana/dashboard.json"), &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	uids := yamlValues(t, "grafana/provisioning/datasources/prometheus.yml", "uid")
	var titles []string
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		titles = append(titles, p.Title)
		if !slices.Contains(uids, p.Datasource.UID) {
			t.Errorf("panel %q uses datasource %q; provisioned: %v", p.Title, p.Datasource.UID, uids)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Expr == "" {
				t.Errorf("panel %q has an empty query", p.Title)
			}
		}
	}
	for _, want := range []string{"Throughput and error rate", "Processing latency P95 / P99", "Queue backlog",
		"Tasks triggered and success rate", "Rule matches", "Task attempts by outcome",
		"Trigger latency P95 (event timestamp to task start)"} {
		if !slices.Contains(titles, want) {
			t.Errorf("dashboard lacks panel %q", want)
		}
	}
}
