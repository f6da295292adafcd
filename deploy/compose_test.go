package deploy

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const composeFile = "../docker-compose.yml"

// TestComposeConfigValidates: docker-compose accepts the file (no engine needed).
func TestComposeConfigValidates(t *testing.T) {
	run(t, tool(t, "docker-compose", "docker-compose"), "-f", composeFile, "config", "-q")
}

// composeService is the part of a service the tests read.
type composeService struct {
	Image          string         `yaml:"image"`
	Build          any            `yaml:"build"`
	Command        []string       `yaml:"command"`
	Healthcheck    map[string]any `yaml:"healthcheck"`
	NoHealthReason string         `yaml:"x-healthcheck-none"`
	DependsOn      map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
}

func composeServices(t *testing.T) map[string]composeService {
	t.Helper()
	var doc struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(readFile(t, composeFile), &doc); err != nil {
		t.Fatalf("%s: %v", composeFile, err)
	}
	return doc.Services
}

// TestComposeServicesHaveHealthChecks: every service has a health check with a test, or says
// in x-healthcheck-none why not; a service others wait for as healthy has one.
func TestComposeServicesHaveHealthChecks(t *testing.T) {
	services := composeServices(t)
	for name, s := range services {
		_, hasTest := s.Healthcheck["test"]
		switch {
		case hasTest && s.NoHealthReason != "":
			t.Errorf("service %s has a health check and x-healthcheck-none", name)
		case !hasTest && strings.TrimSpace(s.NoHealthReason) == "":
			t.Errorf("service %s has no health check and no x-healthcheck-none reason", name)
		}
		for dep, cond := range s.DependsOn {
			d, ok := services[dep]
			switch {
			case !ok:
				t.Errorf("service %s depends on unknown service %s", name, dep)
			case cond.Condition == "service_healthy" && d.Healthcheck["test"] == nil:
				t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
			}
		}
	}
}

// TestComposeRunsTheProductionShape: the services the issue names are all there, and
// evtrigger's run from the Dockerfile as separate services.
func TestComposeRunsTheProductionShape(t *testing.T) {
	services := composeServices(t)
	for _, want := range []string{"postgresql", "temporal", "temporal-ui", "kafka", "rabbitmq", "prometheus",
		"grafana", "evtrigger-worker", "evtrigger-ingress", "evtrigger-api"} {
		if _, ok := services[want]; !ok {
			t.Errorf("docker-compose.yml lacks service %s", want)
		}
	}
	for name, cmd := range map[string]string{"evtrigger-worker": "worker", "evtrigger-ingress": "ingress", "evtrigger-api": "ingress"} {
		s := services[name]
		if s.Build == nil || len(s.Command) == 0 || s.Command[0] != cmd {
			t.Errorf("service %s: build %v, command %v; want built from the Dockerfile running %q", name, s.Build, s.Command, cmd)
		}
	}
}
