package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"watchpost/app"
)

// Every write an operator triggers (a journal entry, which waits for the disk's fsync; a
// password, which bcrypt takes a moment to hash) runs off the UI thread through
// Console.write, so that the window keeps answering while the disk is slow, and every write
// shows its progress and its outcome the same way:
//   - in place, when the write has a place (a dialog, a section of the settings: a
//     writeStatus): an activity indicator and "Saving…" while it runs, the error in red when
//     it fails (a dialog stays open with what was typed), a confirmation when there is one;
//   - otherwise in the status bar ("Saving…" while a write takes longer than a moment), and
//     an error dialog when it fails.
// The buttons that started a write are disabled while it runs: a second press does not
// write twice.

// writeTimeout bounds a write: a disk that does not answer becomes an error the operator
// sees, not a button that stays grey.
const writeTimeout = 15 * time.Second

// progressAfter: a write shorter than this shows no progress in the status bar. A journal
// entry takes milliseconds; a flash of "Saving…" on every acknowledgement would distract.
var progressAfter = 300 * time.Millisecond

// write is one write an operator triggered.
type write struct {
	// run writes, off the UI thread, as the operator who was signed in when it was asked.
	run func(ctx context.Context, op *app.Operator) error
	// status, when set, shows the progress and the outcome in place.
	status *writeStatus
	// busy is what the status says while it runs (default "Saving…").
	busy string
	// lock are disabled while it runs and enabled again after.
	lock []fyne.Disableable
	// done runs on the UI thread once it succeeded.
	done func()
	// saved is what the status says once it succeeded (default: nothing; done shows it).
	saved string
	// nothingChanged runs on the UI thread when the core found nothing to change (default:
	// done, then "Nothing changed" in the status, or in a dialog when there is none).
	nothingChanged func()
	// notSaved, when set, tells a failure with its reason ("The plan was not saved:
	// {{.Why}}"); default: the reason alone.
	notSaved func(why string) string
	// failed runs on the UI thread once it failed, after the error is shown (to put back
	// what the panel showed ahead of the write).
	failed func(err error)
}

// write runs w off the UI thread (see above). Call it on the UI thread.
func (c *Console) write(w write) {
	op := c.Operator()
	for _, l := range w.lock {
		l.Disable()
	}
	if w.status != nil {
		busy := w.busy
		if busy == "" {
			busy = T("Saving…")
		}
		w.status.busy(busy)
	}
	c.writeStarted()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		err := w.run(ctx, op)
		cancel()
		c.onUI(func() {
			for _, l := range w.lock {
				l.Enable()
			}
			c.wrote(w, err)
			c.writeEnded() // last: a test waiting for no write under way sees all of it done
		})
	}()
}

// wrote shows the outcome of a write (on the UI thread).
func (c *Console) wrote(w write, err error) {
	switch {
	case err == nil:
		if w.status != nil {
			w.status.ok(w.saved)
		}
		if w.done != nil {
			w.done()
		}
	case unchanged(err):
		if w.nothingChanged != nil {
			if w.status != nil {
				w.status.clear()
			}
			w.nothingChanged()
			return
		}
		if w.done != nil {
			w.done()
		}
		if w.status != nil {
			w.status.say(T("Nothing changed"))
		} else {
			c.showNothingChanged()
		}
	default:
		text := ErrText(err)
		if w.notSaved != nil {
			text = w.notSaved(text)
		}
		c.core.Log.Warn("action failed", "err", err)
		if w.status != nil {
			w.status.failText(text)
		} else {
			dialog.ShowError(errors.New(text), c.win)
		}
		if w.failed != nil {
			w.failed(err)
		}
	}
}

// writeStarted and writeEnded count the writes under way (on the UI thread): the status
// bar shows "Saving…" while one has run longer than progressAfter.
func (c *Console) writeStarted() {
	c.writes++
	time.AfterFunc(progressAfter, func() {
		c.onUI(func() {
			if c.writes > 0 && c.shell != nil {
				c.shell.status.showWriting(true)
			}
		})
	})
}

func (c *Console) writeEnded() {
	c.writes--
	if c.writes == 0 && c.shell != nil {
		c.shell.status.showWriting(false)
	}
}

// said is an error already in the operator's words (several reasons, each translated).
type said string

func (s said) Error() string { return string(s) }

// writeStatus shows a write's progress and outcome in place: an activity indicator while
// it runs, then the error (red) or a confirmation (green); empty until the first write.
type writeStatus struct {
	content *fyne.Container
	spin    *widget.Activity
	text    *widget.Label
	// shown runs when the status appears or changes (a dialog lays itself out again, or
	// the text would lie over its fields).
	shown func()
}

func newWriteStatus() *writeStatus {
	s := newWriteStatusInline()
	s.text.Wrapping = fyne.TextWrapWord
	return s
}

// newWriteStatusInline is a writeStatus on one line, beside a button.
func newWriteStatusInline() *writeStatus {
	s := &writeStatus{spin: widget.NewActivity(), text: widget.NewLabel("")}
	s.spin.Hide()
	s.content = container.NewBorder(nil, nil, s.spin, nil, s.text)
	s.content.Hide()
	return s
}

func (s *writeStatus) busy(text string) {
	s.spin.Show()
	s.spin.Start()
	s.set(text, widget.MediumImportance)
}

// fail shows why the write failed (or what is wrong with what was typed).
func (s *writeStatus) fail(err error) {
	var text said
	if errors.As(err, &text) {
		s.failText(string(text))
		return
	}
	s.failText(ErrText(err))
}

func (s *writeStatus) failText(text string) { s.stop(); s.set(text, widget.DangerImportance) }

// ok shows a confirmation (nothing when text is empty).
func (s *writeStatus) ok(text string) {
	s.stop()
	if text == "" {
		s.clear()
		return
	}
	s.set(text, widget.SuccessImportance)
}

// say shows a neutral note (a connection test's result, "Nothing changed").
func (s *writeStatus) say(text string) { s.stop(); s.set(text, widget.MediumImportance) }

// clear hides the status.
func (s *writeStatus) clear() {
	s.stop()
	s.text.SetText("")
	s.content.Hide()
}

// running reports whether the activity indicator runs (a write or a test under way).
func (s *writeStatus) running() bool { return s.spin.Visible() }

func (s *writeStatus) stop() {
	s.spin.Stop()
	s.spin.Hide()
}

func (s *writeStatus) set(text string, imp widget.Importance) {
	s.text.Importance = imp
	s.text.SetText(text)
	s.content.Show()
	s.content.Refresh()
	if s.shown != nil {
		s.shown()
	}
}
