package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The report: latency percentiles, the gateway's memory, threads and CPU,
// its runtime view through pprof, and the profiles saved.

// vmRSS returns the resident set size of pid, in bytes.
func vmRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, errors.New("no VmRSS")
}

// threads returns the number of OS threads of pid.
func threads(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(rest))
			return n
		}
	}
	return 0
}

// cpuTicks returns utime+stime of pid in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// runtimeView is what the gateway's pprof endpoint tells of its memory,
// after a garbage collection.
type runtimeView struct {
	ok                                  bool
	goroutines                          int
	heapInuse, stackInuse, sys, heapObj int64
}

func readRuntime(ctx context.Context, base string) runtimeView {
	var v runtimeView
	if base == "" {
		return v
	}
	c := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) string {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+path, nil)
		if err != nil {
			return ""
		}
		resp, err := c.Do(req)
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		return string(b)
	}
	// gc=1 collects first, so that the figures are of live memory.
	heap := get("/debug/pprof/heap?debug=1&gc=1")
	stats := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(heap))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "# ") {
			continue
		}
		k, val, ok := strings.Cut(line[2:], " = ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(strings.Fields(val + " x")[0], 10, 64); err == nil {
			stats[k] = n
		}
	}
	g := get("/debug/pprof/goroutine?debug=1")
	if rest, ok := strings.CutPrefix(g, "goroutine profile: total "); ok {
		line, _, _ := strings.Cut(rest, "\n")
		v.goroutines, _ = strconv.Atoi(strings.TrimSpace(line))
	}
	v.heapInuse, v.stackInuse, v.sys, v.heapObj = stats["HeapInuse"], stats["Stack"], stats["Sys"], stats["HeapObjects"]
	v.ok = v.goroutines > 0 && v.sys > 0
	return v
}

// ---------------------------------------------------------------------------
// subscribers

func percentile(sorted []int64, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	k = max(0, min(k, len(sorted)-1))
	return time.Duration(sorted[k])
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }

// machineBusy is the CPU time all CPUs spent outside idle and iowait
// (/proc/stat), assuming 100 clock ticks a second.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is in user already
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

// selfCPU is the CPU time this process used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// saveProfile saves what url answers to dir/name.
func saveProfile(ctx context.Context, url, dir, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, io.LimitReader(resp.Body, 256<<20)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func goroutinesPerSub(a, b runtimeView, n int) string {
	if !a.ok || !b.ok {
		return "na"
	}
	return strconv.FormatFloat(float64(b.goroutines-a.goroutines)/float64(n), 'f', 2, 64)
}
