package textnorm_test

import (
	"sync"
	"testing"

	"github.com/tahqiq/tahqiq/internal/textnorm"
)

// Fold runs on several goroutines at once (importers, coordination's
// parser a batch ahead): every goroutine must get what one alone gets.
// Under -race (.ci/run) this also checks that no state is shared.
func TestFoldConcurrent(t *testing.T) {
	inputs := []string{
		"ÉLECTION Commission", "الیکشن کمیشن آف پاکستان", "Straße ﬁnal", "ﻻ ﷲ", "ΣΊΣΥΦΟΣ",
		"\xff\xfe broken", "ووٹوں کی دوبارہ گنتی", "FORM-45 ٤٥", "İstanbul",
	}
	want := make([]string, len(inputs))
	for i, s := range inputs {
		want[i] = textnorm.Fold(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 500; n++ {
				i := (g + n) % len(inputs)
				if got := textnorm.Fold(inputs[i]); got != want[i] {
					errs <- inputs[i] + " -> " + got + ", alone " + want[i]
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
