package rules

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// pair is one key and value of a mapping node.
type pair struct {
	key, value *yaml.Node
}

// mappingPairs returns the entries of a mapping node in order, aliases resolved and merge keys
// ("<<") expanded: an explicit key wins over a merged one. A key written twice is reported.
func mappingPairs(n *yaml.Node, field string, rep *reporter) []pair {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		rep.addf(field, "want a mapping, got %s", nodeKind(n))
		return nil
	}
	var own, merged []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, mergedPairs(v, field, rep)...)
			continue
		}
		if seen[k.Value] {
			rep.add(joinField(field, k.Value), k.Line, k.Column, "field written twice")
			continue
		}
		seen[k.Value] = true
		own = append(own, pair{k, v})
	}
	for _, p := range merged {
		if !seen[p.key.Value] {
			seen[p.key.Value] = true
			own = append(own, p)
		}
	}
	return own
}

// mergedPairs returns the entries a merge key brings: a mapping's, or those of a list of
// mappings, earlier mappings winning.
func mergedPairs(v *yaml.Node, field string, rep *reporter) []pair {
	if v.Kind != yaml.SequenceNode {
		return mappingPairs(v, field, rep)
	}
	var out []pair
	for _, e := range v.Content {
		out = append(out, mappingPairs(e, field, rep)...)
	}
	return out
}

// joinField appends key to a field path.
func joinField(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// resolveAlias follows aliases to the node they name.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is a null scalar (written null, ~ or nothing).
func isNull(n *yaml.Node) bool {
	n = resolveAlias(n)
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// nodeKind names the kind of n, for messages.
func nodeKind(n *yaml.Node) string {
	switch resolveAlias(n).Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "nothing"
}

// nodeText shows n in a message: a scalar's text, quoted, or its kind.
func nodeText(n *yaml.Node) string {
	if n = resolveAlias(n); n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", n.Value)
	}
	return nodeKind(n)
}
