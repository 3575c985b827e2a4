package store_test

import (
	"context"
	"testing"

	"watchpost/app"
)

// The journal benchmarks print entries/s: one entry per transaction (one fsync each), a
// batch of 100 per transaction, and many concurrent writers of single entries, which the
// group commit folds into shared transactions.

func benchEntry() app.Entry {
	return app.NewEntry("bench.reading", "device:smoke-b03-u2-12", app.SystemActor,
		map[string]any{"smoke": true, "temperature": 41.5, "battery": 87})
}

func BenchmarkJournalAppendSingle(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	e := benchEntry()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkJournalAppendBatch100(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	batch := make([]app.Entry, 100)
	for i := range batch {
		batch[i] = benchEntry()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkJournalAppendConcurrent64(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	e := benchEntry()
	b.SetParallelism(32) // 64 writers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Append(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
