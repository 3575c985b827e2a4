package ui

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"watchpost/assets"
	"watchpost/assets/i18n"
)

// Fyne's lang package picks its language from the environment (LANGUAGE, LC_ALL,
// LC_MESSAGES, LANG) when translations are added. To switch at run time the console sets
// those variables for its own process and adds its translations again, which makes Fyne
// choose anew; "follow the system" puts the original values back.

var (
	langMu      sync.Mutex
	currentLang = "en"
	savedEnv    map[string]*string
	loadedOnce  sync.Once
)

var langEnv = []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"}

func saveEnv() {
	savedEnv = map[string]*string{}
	for _, k := range langEnv {
		if v, ok := os.LookupEnv(k); ok {
			savedEnv[k] = &v
		} else {
			savedEnv[k] = nil
		}
	}
}

func restoreEnv() {
	for k, v := range savedEnv {
		if v == nil {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, *v)
		}
	}
}

// SetLanguage selects the console's language: "zh-CN", "en", or "" to follow the system
// (English where the system's language is neither). It returns the language in use.
func SetLanguage(pref string) string {
	langMu.Lock()
	defer langMu.Unlock()
	loadedOnce.Do(saveEnv)
	restoreEnv()
	switch pref {
	case "zh-CN":
		setLocaleEnv("zh_CN")
	case "en":
		setLocaleEnv("en_US")
	}
	if err := addTranslations(); err != nil {
		// Our own embedded files: a failure is a build mistake, shown in the log.
		fmt.Fprintln(os.Stderr, "watchpost: translations:", err)
	}
	if strings.HasPrefix(lang.SystemLocale().LanguageString(), "zh") {
		currentLang = "zh-CN"
	} else {
		currentLang = "en"
	}
	return currentLang
}

// translationTags maps our files to the tags Fyne's own translations use. go-i18n looks a
// message up in the first supported tag that matches the operator's locale; Fyne's
// Simplified Chinese is tagged zh-Hans, so ours (zh-CN) is added under the same tag, and
// both sets answer together (ours win where both define a text, e.g. "OK" → 确定).
var translationTags = map[string]fyne.Locale{"zh-CN.json": "zh-Hans", "en.json": "en"}

func addTranslations() error {
	for file, tag := range translationTags {
		b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + file)
		if err != nil {
			return err
		}
		if err := lang.AddTranslationsForLocale(b, tag); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// setLocaleEnv points the variables go-locale reads at loc. LC_ALL only when it was set
// (it outranks the others); LANGUAGE is only read when the locale is not C/POSIX, so the
// category variable is set too.
func setLocaleEnv(loc string) {
	os.Setenv("LANGUAGE", loc)
	if _, ok := os.LookupEnv("LC_ALL"); ok {
		os.Setenv("LC_ALL", loc+".UTF-8")
	}
	os.Setenv("LC_MESSAGES", loc+".UTF-8")
}

// Language returns the language in use ("zh-CN" or "en").
func Language() string {
	langMu.Lock()
	defer langMu.Unlock()
	return currentLang
}

// english reports whether names should be shown in English.
func english() bool { return Language() == "en" }

// tr is the lookup of our texts in the console's language.
func tr() i18n.Translator { return i18n.For(Language()) }

// T translates a message; data fills its {{.Name}} fields. Our texts are looked up in
// assets/i18n (the same lookup the reports use); anything else goes to Fyne's own
// translations.
func T(msg string, data ...any) string {
	if i18n.Known(msg) {
		return tr().T(msg, data...)
	}
	if len(data) == 0 {
		return lang.L(msg)
	}
	return lang.L(msg, data[0])
}

// ErrText renders an error for an operator, in their language (see i18n.ErrText): the
// core's errors are translated templates, a foreign error follows "Unexpected error".
func ErrText(err error) string { return tr().ErrText(err) }

// formatClock renders the header clock in the operator's language.
func formatClock(t time.Time) string {
	if Language() == "zh-CN" {
		wd := []string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()]
		return t.Format("2006年01月02日") + " 星期" + wd + " " + t.Format("15:04:05")
	}
	return t.Format("Mon 02 Jan 2006 15:04:05")
}

// formatDuration renders a supervision window or a time limit: "1 h", "10 min", "90 s".
func formatDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return T("{{.N}} h", map[string]any{"N": int(d / time.Hour)})
	case d >= time.Minute && d%time.Minute == 0:
		return T("{{.N}} min", map[string]any{"N": int(d / time.Minute)})
	}
	return T("{{.N}} s", map[string]any{"N": int(d.Seconds())})
}
