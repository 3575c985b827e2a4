package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

func TestStartErrorWindowShowsTheMessageAndTheLogFile(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	for _, tc := range []struct{ lang, title, msg, logHint string }{
		{"en", "Watchpost cannot start", "Another Watchpost (process 4242) is already running on this data directory", "The details are in the log file:"},
		{"zh-CN", "守望无法启动", "另一个守望程序（进程 4242）正在使用此数据目录", "详细信息见日志文件："},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			SetLanguage(tc.lang)
			test.NewTempApp(t)
			w := test.NewTempWindow(t, nil)
			closed := 0
			err := app.Errorf(app.CodeConflict, "Another Watchpost (process {{.PID}}) is already running on this data directory", "PID", "4242")
			showStartErrorIn(w, err, "/var/lib/watchpost/logs/watchpost.log", func() { closed++ })

			texts := visibleTexts(w.Content())
			assert.Equal(t, tc.title, w.Title())
			assert.Contains(t, texts, tc.title)
			assert.Contains(t, texts, tc.msg, "the message, in the operator's language")
			assert.Contains(t, texts, tc.logHint)
			assert.Contains(t, texts, "/var/lib/watchpost/logs/watchpost.log")

			closeBtn := findButton(w.Content(), map[string]string{"en": "Close", "zh-CN": "关闭"}[tc.lang])
			require.NotNil(t, closeBtn)
			tap(closeBtn)
			assert.Equal(t, 1, closed, "Close ends it")
			w.Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
			assert.Equal(t, 1, closed, "once")
		})
	}
}

func TestStartErrorWindowWithoutALogFile(t *testing.T) {
	SetLanguage("en")
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	showStartErrorIn(w, app.Errorf(app.CodeInvalid, "The data directory is a file"), "", func() {})
	texts := visibleTexts(w.Content())
	assert.Contains(t, texts, "The data directory is a file")
	assert.NotContains(t, texts, "The details are in the log file:", "no log file to point at")
}
