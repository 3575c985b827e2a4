package notify

import (
	"context"

	"watchpost/app"
)

// TestMessageID is the ID of the message Test sends; it is not journaled as a delivery.
const TestMessageID = "robot-test"

// Test sends a short test message to r at once — the administrator's "send a test message"
// button, before or after the robot is saved — and returns why it did not arrive: an
// *app.Error (inside a *SendError) whose template says what to check. It counts against the
// robot's rate when the robot is one of the Poster's.
func (p *Poster) Test(ctx context.Context, r Robot) error {
	ch, err := NewChannel(r, p.o.Client, p.o.Clock)
	if err != nil {
		return err
	}
	p.mu.Lock()
	if l := p.lines[r.Name]; l != nil {
		now := p.o.Clock.Now()
		if l.lim.Remaining(now) == 0 {
			p.mu.Unlock()
			return fail(FailureRateLimited, app.Errorf(app.CodeUnavailable, "The robot {{.Robot}} reached its service's limit of about 20 messages a minute", "Robot", r.Name))
		}
		l.lim.Took(now)
	}
	p.mu.Unlock()
	return ch.Send(ctx, Message{
		ID:    TestMessageID,
		Title: p.T("Test message from Watchpost", nil),
		Text:  p.T("The robot {{.Robot}} is set up: messages from Watchpost reach this group.", map[string]any{"Robot": r.Name}),
	})
}
