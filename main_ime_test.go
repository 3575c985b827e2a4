package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
)

// Chinese is typed through an input method. The console runs in a real window under Xvfb
// with fcitx5 and its pinyin engine (Debian's fcitx5 and fcitx5-chinese-addons) over XIM,
// as on a guard-room desktop; pinyin typed into the sign-in screen's user name ("xiaofang",
// then space: the first candidate, 消防) must arrive in the field whole: the failed sign-in
// it causes is journaled with the user name as the field had it (masked: 消*). Every text field of the
// console is a Fyne entry and gets its text the same way (GLFW's XIM input context).
//
// Skipped when fcitx5, its pinyin engine, Xvfb, xdotool, dbus-launch or xprop is missing.
func TestPinyinThroughFcitx5ArrivesWhole(t *testing.T) {
	for _, bin := range []string{"fcitx5", "Xvfb", "xdotool", "dbus-launch", "xprop"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (apt-get install fcitx5 fcitx5-chinese-addons xvfb xdotool dbus-x11 x11-utils)", bin)
		}
	}
	if matches, _ := filepath.Glob("/usr/lib/*/fcitx5/libpinyin.so"); len(matches) == 0 {
		t.Skip("fcitx5's pinyin engine is not installed (apt-get install fcitx5-chinese-addons)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	// A display of our own.
	xvfb := exec.CommandContext(ctx, "Xvfb", "-displayfd", "3", "-screen", "0", "1600x900x24", "-nolisten", "tcp")
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	xvfb.ExtraFiles = []*os.File{pw}
	require.NoError(t, xvfb.Start())
	pw.Close()
	t.Cleanup(func() { _ = xvfb.Process.Kill(); _ = xvfb.Wait() })
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err, "Xvfb names its display")
	display := ":" + strings.TrimSpace(line)

	// A session bus and fcitx5 with pinyin switched on, as the guard room's desktop has them.
	env := append(os.Environ(), "DISPLAY="+display, "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"XDG_DATA_HOME="+filepath.Join(tmp, "data"), "XMODIFIERS=@im=fcitx", "GTK_IM_MODULE=fcitx", "QT_IM_MODULE=fcitx")
	out, err := exec.CommandContext(ctx, "dbus-launch", "--sh-syntax").Output()
	require.NoError(t, err)
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSuffix(l, ";"), "="); ok && !strings.HasPrefix(k, "export") {
			env = append(env, k+"="+strings.Trim(v, "'"))
			if k == "DBUS_SESSION_BUS_PID" {
				pid := v
				t.Cleanup(func() { _ = exec.Command("kill", pid).Run() })
			}
		}
	}
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "config", "fcitx5"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "config", "fcitx5", "profile"), []byte(fcitxProfile), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "config", "fcitx5", "config"), []byte(fcitxConfig), 0o644))
	fcitx := exec.CommandContext(ctx, "fcitx5", "--disable=wayland,waylandim,cloudpinyin")
	fcitx.Env = env
	var fcitxLog bytes.Buffer
	fcitx.Stdout, fcitx.Stderr = &fcitxLog, &fcitxLog
	require.NoError(t, fcitx.Start())
	t.Cleanup(func() { _ = fcitx.Process.Kill(); _ = fcitx.Wait() })
	run := func(name string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	// The console's window opens its input method once, when it starts: fcitx5 must serve
	// XIM by then.
	require.Eventually(t, func() bool {
		out, err := run("xprop", "-root", "XIM_SERVERS")
		return err == nil && strings.Contains(out, "@server=fcitx")
	}, 30*time.Second, 100*time.Millisecond, "fcitx5 serves XIM: %s", &fcitxLog)

	// The console in Chinese on the sign-in screen (its user name field has the focus).
	data := filepath.Join(tmp, "watchpost")
	require.NoError(t, os.MkdirAll(data, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(data, "config.json"), []byte(`{"language": "zh-CN", "demo_auto_sign_in": false}`), 0o600))
	console := exec.CommandContext(ctx, binary, "--data", data, "--no-sim")
	console.Env = env
	require.NoError(t, console.Start())
	t.Cleanup(func() { _ = console.Process.Signal(os.Interrupt); _ = console.Wait() })
	var win string
	require.Eventually(t, func() bool {
		win, err = run("xdotool", "search", "--onlyvisible", "--name", "守望")
		return err == nil && win != ""
	}, 60*time.Second, 200*time.Millisecond, "the window opens")
	win = strings.Fields(win)[0]
	_, err = run("xdotool", "windowfocus", "--sync", win)
	require.NoError(t, err)
	run("import", "-window", "root", "/tmp/dlg/imetest0.png")

	// 消防, typed in pinyin: fcitx5 shows its candidates while it composes, and hides them
	// when space commits the first one. Enter moves to the password (digits pass the input
	// method as they are), Enter signs in and fails. Enter is pressed once the candidates
	// are gone: GLFW hands a key like Enter (or Backspace) to the window the moment it is
	// pressed, while the input method commits its text a little later, so an Enter pressed
	// within a few milliseconds of the commit overtakes it (docs/input-method.md).
	xdo := func(args ...string) {
		t.Helper()
		_, err := run("xdotool", args...)
		require.NoError(t, err, "xdotool %v", args)
	}
	composing := func() bool {
		out, err := run("xdotool", "search", "--onlyvisible", "--class", "fcitx")
		return err == nil && out != ""
	}
	xdo("type", "--delay", "60", "xiaofang")
	require.Eventually(t, composing, 15*time.Second, 50*time.Millisecond, "fcitx5 composes the pinyin")
	xdo("key", "space")
	require.Eventually(t, func() bool { return !composing() }, 15*time.Second, 50*time.Millisecond, "space commits 消防")
	xdo("key", "Return")
	xdo("type", "--delay", "60", "20261207")
	xdo("key", "Return")
	var names []string
	require.Eventually(t, func() bool {
		out, errOut, code := cli(t, nil, "journal", "--json", "--data", data)
		if code != 0 {
			t.Log(errOut)
			return false
		}
		names = nil
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") { // one entry a line
			var e app.Entry
			if json.Unmarshal([]byte(l), &e) == nil && e.Kind == app.KindSignInFailed {
				var d app.FailedSignIn
				_ = json.Unmarshal(e.Data, &d)
				names = append(names, d.Masked)
			}
		}
		return len(names) > 0
	}, 30*time.Second, 250*time.Millisecond, "the sign-in with the typed name is journaled")
	// An unknown user name is journaled masked (it may be a password typed in the wrong
	// field): its first character and its length show that 消防 arrived whole.
	assert.Equal(t, []string{"消*"}, names, "the committed Chinese arrives whole, without the pinyin letters")
}

// fcitxProfile: pinyin is the input method of the only group, on by default.
const fcitxProfile = `[Groups/0]
Name=Default
Default Layout=us
DefaultIM=pinyin

[Groups/0/Items/0]
Name=keyboard-us
Layout=

[Groups/0/Items/1]
Name=pinyin
Layout=

[GroupOrder]
0=Default
`

// fcitxConfig: Control+Space switches the input method on and off; it starts on.
const fcitxConfig = `[Hotkey/TriggerKeys]
0=Control+space

[Behavior]
ActiveByDefault=True
ShareInputState=No
`
