package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen starts a goroutine that LISTENs on notifyChannel over a connection of its own and
// feeds s.changed, reconnecting with backoff (1 s doubling to 30 s) when the connection fails.
// Readers poll the revision anyway, so a lost connection only slows change detection down.
func (s *sqlStore) listen(dsn string, logger *slog.Logger) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		backoff := time.Second
		for ctx.Err() == nil {
			err := s.listenOnce(ctx, dsn)
			if ctx.Err() != nil {
				return
			}
			logger.Warn("rule store: LISTEN connection lost; polling meanwhile", "error", err, "retry_in", backoff)
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
		}
	}()
}

// listenOnce listens until the connection fails or ctx ends.
func (s *sqlStore) listenOnce(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	s.signal() // changes made before LISTEN took effect are not lost: readers look once more
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.signal()
	}
}

// signal wakes a reader without blocking; one pending wake-up is enough.
func (s *sqlStore) signal() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}
