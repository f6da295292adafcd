package metrics

import (
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
)

// TemporalBuckets are the histogram buckets, in seconds, of the Temporal SDK's timers.
var temporalBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// NewTemporalHandler returns a client.MetricsHandler (for client.Options.MetricsHandler) that
// exports the Temporal SDK's own metrics into reg: a counter NAME as NAME_total (NAME when it
// already ends in _total), a timer NAME as
// the histogram NAME_seconds, a gauge under its name. The SDK's tags become labels. The SDK may
// tag one metric with different tag sets; a series then has the empty value for the labels it
// lacks, so every series of a name has the same label names, as Prometheus requires.
func NewTemporalHandler(reg prometheus.Registerer) (client.MetricsHandler, error) {
	c := &sdkCollector{families: map[string]*sdkFamily{}}
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	return sdkHandler{c: c}, nil
}

type sdkKind int

const (
	sdkCounter sdkKind = iota
	sdkGauge
	sdkTimer
)

// sdkHandler is one tag set of the SDK's metrics.
type sdkHandler struct {
	c    *sdkCollector
	tags map[string]string
}

func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return sdkHandler{c: h.c, tags: merged}
}

func (h sdkHandler) Counter(name string) client.MetricsCounter {
	if s := h.c.series(sdkCounter, name, h.tags); s != nil {
		return s
	}
	return client.MetricsNopHandler.Counter(name)
}

func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	if s := h.c.series(sdkGauge, name, h.tags); s != nil {
		return s
	}
	return client.MetricsNopHandler.Gauge(name)
}

func (h sdkHandler) Timer(name string) client.MetricsTimer {
	if s := h.c.series(sdkTimer, name, h.tags); s != nil {
		return s
	}
	return client.MetricsNopHandler.Timer(name)
}

// sdkSeries is one labelled series: a counter, a gauge or a timer.
type sdkSeries struct {
	labels map[string]string
	bits   atomic.Uint64 // counter: the count; gauge: the float64 bits
	hist   prometheus.Histogram
}

func (s *sdkSeries) Inc(d int64)             { s.bits.Add(uint64(d)) }
func (s *sdkSeries) Update(v float64)        { s.bits.Store(math.Float64bits(v)) }
func (s *sdkSeries) Record(d time.Duration)  { s.hist.Observe(d.Seconds()) }
func (s *sdkSeries) value(k sdkKind) float64 { return seriesValue(k, s.bits.Load()) }

func seriesValue(k sdkKind, bits uint64) float64 {
	if k == sdkCounter {
		return float64(bits)
	}
	return math.Float64frombits(bits)
}

// sdkFamily is every series of one exported name.
type sdkFamily struct {
	kind   sdkKind
	name   string
	series map[string]*sdkSeries
}

// sdkCollector holds the SDK's series and exports them on each scrape. It is unchecked (it
// describes nothing up front): the SDK decides its names as it goes.
type sdkCollector struct {
	mu       sync.Mutex
	families map[string]*sdkFamily
}

// series returns the series of name under tags, creating it; nil when name is already
// exported as another kind.
func (c *sdkCollector) series(k sdkKind, name string, tags map[string]string) *sdkSeries {
	exported := exportedName(k, name)
	key := seriesKey(tags)
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.families[exported]
	if f == nil {
		f = &sdkFamily{kind: k, name: exported, series: map[string]*sdkSeries{}}
		c.families[exported] = f
	}
	if f.kind != k {
		return nil
	}
	s := f.series[key]
	if s == nil {
		s = &sdkSeries{labels: sanitizedLabels(tags)}
		if k == sdkTimer {
			s.hist = prometheus.NewHistogram(prometheus.HistogramOpts{Name: exported, Buckets: temporalBuckets})
		}
		f.series[key] = s
	}
	return s
}

func (c *sdkCollector) Describe(chan<- *prometheus.Desc) {}

func (c *sdkCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.families {
		f.collect(ch)
	}
}

// collect exports f's series under the union of their label names.
func (f *sdkFamily) collect(ch chan<- prometheus.Metric) {
	names := map[string]bool{}
	for _, s := range f.series {
		for k := range s.labels {
			names[k] = true
		}
	}
	labelNames := slices.Sorted(maps.Keys(names))
	desc := prometheus.NewDesc(f.name, "Temporal SDK metric "+f.name+".", labelNames, nil)
	for _, s := range f.series {
		values := make([]string, len(labelNames))
		for i, n := range labelNames {
			values[i] = s.labels[n]
		}
		switch f.kind {
		case sdkCounter:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, s.value(f.kind), values...)
		case sdkGauge:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, s.value(f.kind), values...)
		case sdkTimer:
			ch <- constHistogram(desc, s.hist, values)
		}
	}
}

// constHistogram is a snapshot of h under desc.
func constHistogram(desc *prometheus.Desc, h prometheus.Histogram, values []string) prometheus.Metric {
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	buckets := map[float64]uint64{}
	for _, b := range m.GetHistogram().GetBucket() {
		buckets[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	hist := m.GetHistogram()
	return prometheus.MustNewConstHistogram(desc, hist.GetSampleCount(), hist.GetSampleSum(), buckets, values...)
}

func exportedName(k sdkKind, name string) string {
	name = sanitize(name)
	switch k {
	case sdkCounter:
		if strings.HasSuffix(name, "_total") {
			return name
		}
		return name + "_total"
	case sdkTimer:
		return name + "_seconds"
	}
	return name
}

func sanitizedLabels(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[sanitize(k)] = v
	}
	return out
}

// sanitize maps a name onto Prometheus's [a-zA-Z_][a-zA-Z0-9_]*.
func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

func seriesKey(tags map[string]string) string {
	var sb strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		sb.WriteString(k)
		sb.WriteByte(0)
		sb.WriteString(tags[k])
		sb.WriteByte(0)
	}
	return sb.String()
}
