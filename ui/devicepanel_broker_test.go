package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

// The device panel's diagnostics show what the broker refused (counts with the latest
// reason, in the operator's language), the TLS fingerprint to pin, and the warning of a
// plain listener allowed beyond this machine.
func TestDevicePanelShowsWhatTheBrokerRefused(t *testing.T) {
	c := newTestConsole(t, enConfig())
	w := c.core.Ingest.Monitor().Broker()
	w.SetExposure("AB:CD:EF", "192.168.10.2:1883")
	now := time.Now()
	w.Note(app.RefusedOversized, now, "{{.Client}} ({{.Remote}}) sent a packet over the size limit: disconnected before it was read", "Client", "evil", "Remote", "10.0.0.9:5555")
	w.Note(app.RefusedOversized, now, "{{.Client}} ({{.Remote}}) sent a packet over the size limit: disconnected before it was read", "Client", "evil2", "Remote", "10.0.0.9:5556")
	w.Note(app.RefusedNoConnect, now.Add(-time.Second), "{{.Remote}} sent no CONNECT within {{.Timeout}}", "Remote", "10.0.0.8:1", "Timeout", "10s")

	c.shell.show("devices")
	p := c.shell.built["devices"].(*devicePanel)
	p.content.(*container.AppTabs).SelectIndex(2)
	p.Tick()
	texts := strings.Join(visibleTexts(p.broker.box), "\n")
	assert.Contains(t, texts, "Oversized packets: 2 (latest")
	assert.Contains(t, texts, "evil2 (10.0.0.9:5556) sent a packet over the size limit")
	assert.Contains(t, texts, "Connections without CONNECT: 1")
	assert.Contains(t, texts, "AB:CD:EF")
	assert.Contains(t, texts, "Warning: the broker listens without encryption on 192.168.10.2:1883")

	SetLanguage("zh-CN")
	defer SetLanguage("en")
	p.Tick()
	texts = strings.Join(visibleTexts(p.broker.box), "\n")
	assert.Contains(t, texts, "超大数据包：2")
}
