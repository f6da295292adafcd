package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"
)

// TopicSpec is one topic to create.
type TopicSpec struct {
	Name              string            `yaml:"name"`
	Partitions        int32             `yaml:"partitions"`
	ReplicationFactor int16             `yaml:"replicationFactor"`
	Configs           map[string]string `yaml:"configs"`
}

// LoadTopicSpecs reads a topics file ({topics: [...]}, see deploy/kafka/topics.yaml).
func LoadTopicSpecs(path string) ([]TopicSpec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read topics %s: %w", path, err)
	}
	var doc struct {
		Topics []TopicSpec `yaml:"topics"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse topics %s: %w", path, err)
	}
	for i, t := range doc.Topics {
		if t.Name == "" || t.Partitions < 1 || t.ReplicationFactor < 1 {
			return nil, fmt.Errorf("topics %s: topic %d: name, partitions >= 1 and replicationFactor >= 1 are required", path, i+1)
		}
	}
	return doc.Topics, nil
}

// TopicResult says what CreateTopics did with one topic.
type TopicResult struct {
	Name    string
	Created bool
	// Exists: the topic was there already (left as it is).
	Exists bool
	Err    error
}

// CreateTopics creates the topics that do not exist yet, with their partitions, replication
// factor and configs. It is idempotent: an existing topic is reported, not changed.
func CreateTopics(ctx context.Context, conn Conn, specs []TopicSpec) ([]TopicResult, error) {
	opts, err := conn.clientOpts()
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: create admin client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	out := make([]TopicResult, 0, len(specs))
	for _, s := range specs {
		configs := make(map[string]*string, len(s.Configs))
		for k, v := range s.Configs {
			configs[k] = kadm.StringPtr(v)
		}
		resp, err := adm.CreateTopic(ctx, s.Partitions, s.ReplicationFactor, configs, s.Name)
		if err == nil {
			err = resp.Err
		}
		switch {
		case errors.Is(err, kerr.TopicAlreadyExists):
			out = append(out, TopicResult{Name: s.Name, Exists: true})
		case err != nil:
			out = append(out, TopicResult{Name: s.Name, Err: fmt.Errorf("create topic %s: %w", s.Name, err)})
		default:
			out = append(out, TopicResult{Name: s.Name, Created: true})
		}
	}
	return out, nil
}
