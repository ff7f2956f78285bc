// Command gateway serves the currency-exchange and identity graph over
// GraphQL, with the legacy REST routes on top of the same resolvers.
//
//	gateway [serve] [flags]   run the server (migrates first)
//	gateway migrate [flags]   apply pending migrations and exit
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "gateway: %v\n", err)
		stop()
		os.Exit(1)
	}
}
