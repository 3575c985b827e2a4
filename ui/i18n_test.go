package ui

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"watchpost/app"
)

func TestLanguageSwitchesAtRunTime(t *testing.T) {
	t.Setenv("LANG", "C")
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	defer SetLanguage("en")

	assert.Equal(t, "en", SetLanguage(""), "English where the system says nothing")
	assert.Equal(t, "Site inventory", T("Site inventory"))

	assert.Equal(t, "zh-CN", SetLanguage("zh-CN"))
	assert.Equal(t, "小区设施", T("Site inventory"))
	assert.Equal(t, "取消", T("Cancel"), "Fyne's own texts follow")
	assert.Equal(t, "确定", T("OK"))
	assert.Equal(t, "找到 3 项", T("{{.N}} found", map[string]any{"N": 3}))

	assert.Equal(t, "en", SetLanguage("en"))
	assert.Equal(t, "Site inventory", T("Site inventory"))
	assert.Equal(t, "3 found", T("{{.N}} found", map[string]any{"N": 3}))

	t.Setenv("LANG", "zh_CN.UTF-8")
	assert.Equal(t, "zh-CN", SetLanguage(""), "following a Chinese system")
}

func TestErrorsAreShownInTheOperatorsLanguage(t *testing.T) {
	defer SetLanguage("en")
	SetLanguage("zh-CN")
	err := app.Authorize(&app.Operator{Username: "trainer", Role: app.RoleTrainer}, app.ActAckAlarm)
	assert.Equal(t, "培训员无权确认报警", ErrText(err), "no internal code in what the operator reads")
	site := &app.Site{ID: "x"}
	assert.Equal(t, "名称不能为空；小区边界至少需要三个点", ErrText(site.Validate()))
	assert.Equal(t, "意外错误: disk on fire", ErrText(errors.New("disk on fire")), "a foreign error follows a translated sentence, as detail")
	SetLanguage("en")
	assert.Equal(t, "A Trainer may not acknowledge alarms", ErrText(err))
}
