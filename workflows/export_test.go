package workflows

// SetSequencerServedPerRun changes sequencerServedPerRun for a test and returns a func that
// restores it.
func SetSequencerServedPerRun(n int) (restore func()) {
	old := sequencerServedPerRun
	sequencerServedPerRun = n
	return func() { sequencerServedPerRun = old }
}
