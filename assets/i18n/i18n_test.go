package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"watchpost/app"
	"watchpost/assets"
)

func TestTextsInBothLanguages(t *testing.T) {
	require.NoError(t, LoadError())
	zh, en := For("zh-CN"), For("en")
	assert.Equal(t, "小区设施", zh.T("Site inventory"))
	assert.Equal(t, "Site inventory", en.T("Site inventory"), "English is the key")
	assert.Equal(t, "找到 3 项", zh.T("{{.N}} found", map[string]any{"N": 3}))
	assert.Equal(t, "3 found", en.T("{{.N}} found", map[string]any{"N": 3}))
	assert.Equal(t, "找到 3 项", T("zh-CN", "{{.N}} found", map[string]any{"N": 3}))

	assert.Equal(t, "Skipped", en.T("Skipped (status)"), "en.json overrides a key that is not the English to show")
	assert.Equal(t, "已跳过", zh.T("Skipped (status)"))

	assert.Equal(t, "3号楼 12F", zh.T("3号楼 12F"), "a text that is not ours is shown as it is")
	assert.Equal(t, "#5 open", en.T("#{{.N}} open", map[string]any{"N": 5}), "and its fields are filled")
	assert.Equal(t, "确定", zh.T("OK"), "our Chinese for Fyne's dialog buttons")
}

func TestLanguageTags(t *testing.T) {
	for tag, want := range map[string]string{"zh-CN": Chinese, "zh_CN.UTF-8": Chinese, "zh-Hans": Chinese, "en": English, "en_US": English, "": English, "fr": English} {
		assert.Equal(t, want, Normalize(tag), tag)
		assert.Equal(t, want, For(tag).Lang(), tag)
	}
	var zero Translator
	assert.Equal(t, English, zero.Lang())
	assert.Equal(t, "Site inventory", zero.T("Site inventory"), "the zero value speaks English")
	assert.True(t, For("en").English())
	assert.False(t, For("zh-CN").English())
}

// The core's messages: values that are our texts are translated, messages nested in a
// message (a duration) are rendered first; T itself shows values as given.
func TestMessagesTranslateTheirParts(t *testing.T) {
	zh, en := For("zh-CN"), For("en")
	m := app.Message{Key: "Silent for {{.Duration}}", Args: map[string]any{"Duration": app.DurationMessage(time.Hour)}}
	assert.Equal(t, "已 1 小时 无消息", zh.Message(m))
	assert.Equal(t, "Silent for 1 h", en.Message(m))

	args := map[string]any{"Role": "Trainer", "Action": "Site inventory"}
	assert.Equal(t, "培训员无权小区设施", zh.Translate("A {{.Role}} may not {{.Action}}", args))
	assert.Equal(t, "Trainer", args["Role"], "the caller's values are left as they were")
	assert.Equal(t, "Trainer无权Site inventory", zh.T("A {{.Role}} may not {{.Action}}", args), "T does not translate values")
	assert.Equal(t, "Plain", zh.Message(app.Message{Literal: "Plain"}), "a literal is a name, shown as it is")
}

func TestErrorsInBothLanguages(t *testing.T) {
	zh, en := For("zh-CN"), For("en")
	err := app.Authorize(&app.Operator{Username: "trainer", Role: app.RoleTrainer}, app.ActAckAlarm)
	assert.Equal(t, "培训员无权确认报警", zh.ErrText(err), "no internal code in what the operator reads")
	assert.Equal(t, "A Trainer may not acknowledge alarms", en.ErrText(err))
	wrapped := fmt.Errorf("saving: %w", err)
	assert.Equal(t, "培训员无权确认报警", zh.ErrText(wrapped), "found through wrapping")

	site := &app.Site{ID: "x"}
	assert.Equal(t, "名称不能为空；小区边界至少需要三个点", zh.ErrText(site.Validate()), "a list of problems as one line")
	assert.Equal(t, "A name is required; The site needs a boundary of at least three points", en.ErrText(site.Validate()))

	assert.Equal(t, "意外错误: disk on fire", zh.ErrText(errors.New("disk on fire")), "a foreign error follows a translated sentence, as detail")
	assert.Equal(t, "Unexpected error: disk on fire", en.ErrText(errors.New("disk on fire")))
	assert.Equal(t, "", zh.ErrText(nil))
}

// A translation whose template does not parse would silently read in English: every
// translation of our files parses, and keeps the fields of its key.
func TestEveryTranslationIsATemplate(t *testing.T) {
	for _, name := range []string{"zh-CN.json", "en.json"} {
		b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
		require.NoError(t, err)
		var m map[string]string
		require.NoError(t, json.Unmarshal(b, &m))
		require.NotEmpty(t, m)
		for k, v := range m {
			for _, s := range []string{k, v} {
				if _, err := template.New("").Parse(s); err != nil {
					t.Errorf("%s: %q does not parse: %v", name, s, err)
				}
			}
			assert.True(t, Known(k), k)
		}
	}
	assert.False(t, Known("smoke-b03-u2-12"), "an ID is not one of our texts")
}

// Panels, reports and runners ask from many goroutines at once, in both languages.
func TestLookupFromManyGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tr, want := For("en"), "%d found"
			if i%2 == 0 {
				tr, want = For("zh-CN"), "找到 %d 项"
			}
			for n := 0; n < 200; n++ {
				if got := tr.T("{{.N}} found", map[string]any{"N": n}); got != fmt.Sprintf(want, n) {
					errs <- got
					return
				}
				_ = tr.ErrText(errors.New("x"))
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	var bad []string
	for s := range errs {
		bad = append(bad, s)
	}
	assert.Empty(t, bad, strings.Join(bad, "\n"))
}
