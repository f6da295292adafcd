package e2e

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// exposition is one scrape of a /metrics endpoint.
type exposition struct {
	raw      []byte
	families map[string]*dto.MetricFamily
}

// scrape GETs url (a /metrics endpoint) and parses the text exposition.
func scrape(t *testing.T, url string) exposition {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: %d %v\n%s", url, resp.StatusCode, err, raw)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return exposition{raw: raw, families: fams}
}

// value sums the series of family name whose labels include want: counter and gauge values,
// histogram sample counts. A missing family or series counts 0.
func (e exposition) value(name string, want map[string]string) float64 {
	var sum float64
	for _, m := range e.series(name, want) {
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// histogramSum sums the sample sums of the histogram series of name whose labels include want.
func (e exposition) histogramSum(name string, want map[string]string) float64 {
	var sum float64
	for _, m := range e.series(name, want) {
		sum += m.GetHistogram().GetSampleSum()
	}
	return sum
}

func (e exposition) series(name string, want map[string]string) []*dto.Metric {
	f := e.families[name]
	if f == nil {
		return nil
	}
	var out []*dto.Metric
	for _, m := range f.Metric {
		if hasLabels(m, want) {
			out = append(out, m)
		}
	}
	return out
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	got := map[string]string{}
	for _, l := range m.Label {
		got[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// expect is one expected value of a series in a scrape.
type expect struct {
	name   string
	labels map[string]string
	want   float64
}

// check fails the test for every expectation e does not meet exactly.
func (e exposition) check(t *testing.T, exps []expect) {
	t.Helper()
	for _, x := range exps {
		if got := e.value(x.name, x.labels); got != x.want {
			t.Errorf("%s%v = %v, want %v", x.name, x.labels, got, x.want)
		}
	}
}

type labels = map[string]string
