package health

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"

	"github.com/evtrigger/evtrigger/rules"
)

// Temporal checks that c's frontend answers a health check.
func Temporal(c client.Client) Check {
	return Check{Name: "temporal", Func: func(ctx context.Context) error {
		if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			return fmt.Errorf("temporal unreachable: %w", err)
		}
		return nil
	}}
}

// Rules checks that rs holds a rule set (it may be empty).
func Rules(rs rules.Source) Check {
	return Check{Name: "rules", Func: func(context.Context) error {
		if rs == nil || rs.Current() == nil {
			return errors.New("no rules loaded")
		}
		return nil
	}}
}
