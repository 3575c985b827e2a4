package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
	"watchpost/assets/i18n"
)

// Messages a device numbered that never arrived read on a timeline (the replay, the
// incident's documents) in the reader's language.
func TestAGapReadsOnTheTimeline(t *testing.T) {
	e := app.NewEntry(app.KindDeviceGap, app.SubjectDevice("smoke-b03-u2-12"), app.SystemActor,
		app.SeqGap{Device: "smoke-b03-u2-12", From: 2, To: 4, Missing: 3})
	assert.Equal(t, "Messages 2–4 of smoke-b03-u2-12 never arrived (3)", DrillEntry(i18n.For("en"), e, nil))
	assert.Equal(t, "smoke-b03-u2-12 的第 2–4 条消息未收到（共 3 条）", IncidentEntry(i18n.For("zh-CN"), e, nil))
}
