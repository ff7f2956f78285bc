// Command benchbare is the floor of the peer benchmark (scripts/bench-peers):
// a bare hand-written handler — net/http, pgx, encoding/json, one join —
// that answers the benchmark's operations with the same JSON as the
// gateway's GraphQL queries, over the same PostgreSQL tables. No parsing of
// GraphQL, no authentication, no limits: what is left is the database
// round trip and the encoding, the least any server must pay.
//
//	benchbare -addr 127.0.0.1:9000 -database-url postgres://…
//
// Routes (POST or GET, the body is ignored):
//
//	/typename        {"data":{"__typename":"Query"}}
//	/rates?first=N   exchangeRates(first: N) { totalCount edges { node { rate base { code name } target { code name } } } }
//	/convert         convert(from: "USD", to: "EUR", amount: "100") { rate convertedAmount }: one row read
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchbare:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:9000", "listen address")
	dsn := flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := pgxpool.ParseConfig(*dsn)
	if err != nil {
		return fmt.Errorf("database URL: %w", err)
	}
	cfg.MaxConns = 32
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/typename", func(w http.ResponseWriter, r *http.Request) {
		write(w, map[string]any{"data": map[string]any{"__typename": "Query"}})
	})
	mux.HandleFunc("/rates", func(w http.ResponseWriter, r *http.Request) { rates(w, r, pool) })
	mux.HandleFunc("/convert", func(w http.ResponseWriter, r *http.Request) { convert(w, r, pool) })
	srv := &http.Server{Addr: *addr, Handler: mux}
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	log.Printf("benchbare: listening on %s", *addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

type currency struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type rateNode struct {
	Rate   string   `json:"rate"`
	Base   currency `json:"base"`
	Target currency `json:"target"`
}

type edge struct {
	Node rateNode `json:"node"`
}

func rates(w http.ResponseWriter, r *http.Request, pool *pgxpool.Pool) {
	first, err := strconv.Atoi(r.URL.Query().Get("first"))
	if err != nil || first < 1 {
		first = 100
	}
	rows, err := pool.Query(r.Context(), `SELECT r.rate::text, b.code, b.name, t.code, t.name, count(*) OVER ()
		FROM exchange_rates r JOIN currencies b ON b.id = r.base_id JOIN currencies t ON t.id = r.target_id
		ORDER BY r.id LIMIT $1`, first)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	edges := make([]edge, 0, first)
	total := 0
	for rows.Next() {
		var e edge
		if err := rows.Scan(&e.Node.Rate, &e.Node.Base.Code, &e.Node.Base.Name, &e.Node.Target.Code, &e.Node.Target.Name, &total); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		edges = append(edges, e)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	write(w, map[string]any{"data": map[string]any{"exchangeRates": map[string]any{"totalCount": total, "edges": edges}}})
}

func convert(w http.ResponseWriter, r *http.Request, pool *pgxpool.Pool) {
	var rate string
	err := pool.QueryRow(r.Context(), `SELECT r.rate::text FROM exchange_rates r
		JOIN currencies b ON b.id = r.base_id JOIN currencies t ON t.id = r.target_id
		WHERE b.code = 'USD' AND t.code = 'EUR'`).Scan(&rate)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	d, err := decimal.NewFromString(rate)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	converted := d.Mul(decimal.NewFromInt(100)).Round(2).StringFixed(2)
	write(w, map[string]any{"data": map[string]any{"convert": map[string]any{"rate": d.String(), "convertedAmount": converted}}})
}

func write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
