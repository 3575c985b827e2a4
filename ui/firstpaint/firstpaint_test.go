package firstpaint

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The probe says "painted" once the window's content is painted, not when it is built or
// set on the window, and only once.
func TestTheProbeSaysPaintedOnceAfterTheFirstPaint(t *testing.T) {
	test.NewTempApp(t)
	var calls int
	var at time.Time
	content := Over(widget.NewLabel("守望"), func(t time.Time) { calls++; at = t })
	w := test.NewTempWindow(t, content)
	assert.Zero(t, calls, "set on the window, not painted yet")

	before := time.Now()
	w.Canvas().Capture() // the test driver paints the window
	require.Eventually(t, func() bool { return calls == 1 }, 15*time.Second, 10*time.Millisecond)
	assert.False(t, at.Before(before), "the time of the paint")
	w.Canvas().Capture()
	w.Canvas().Refresh(content)
	w.Canvas().Capture()
	assert.Equal(t, 1, calls, "once")
}
