package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fxgraph/gateway/internal/pgtest"
)

// runPGCluster starts a throwaway PostgreSQL (or uses TEST_DATABASE_URL),
// creates an empty database, prints "DATABASE_URL=<dsn>" on a line of its
// own, and waits for SIGTERM or SIGINT (or maxLife) to drop the database
// and stop the server.
func runPGCluster(maxLife time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	c, err := pgtest.Start(startCtx)
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "subload: stop PostgreSQL:", err)
		}
	}()
	dsn, err := c.NewDatabase(startCtx)
	if err != nil {
		return err
	}
	fmt.Printf("DATABASE_URL=%s\n", dsn)
	os.Stdout.Sync()
	select {
	case <-ctx.Done():
	case <-time.After(maxLife):
		fmt.Fprintf(os.Stderr, "subload: -pg-max-life %v reached; stopping PostgreSQL\n", maxLife)
	}
	dropCtx, cancelDrop := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelDrop()
	if err := c.DropDatabase(dropCtx, dsn); err != nil {
		fmt.Fprintln(os.Stderr, "subload:", err)
	}
	return nil
}
