// Package i18n is the lookup of Watchpost's own texts (assets/translations) and the
// rendering of the core's messages and errors in an operator's language. It is Fyne-free,
// so that every part that writes for people (the console, the reports, and later the
// phone pages and notifications) reads the same translations the same way.
//
// A text's key is its English template ("{{.N}} found"); zh-CN.json gives its Chinese,
// en.json overrides the English where the key is not itself the English to show
// ("Skipped (status)" → "Skipped"). Templates are text/template with {{.Name}} fields.
package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"watchpost/app"
	"watchpost/assets"
)

// The languages Watchpost speaks.
const (
	Chinese = "zh-CN"
	English = "en"
)

// table is one language's texts and the templates parsed from them (parsed when first
// used, then kept).
type table struct {
	lang  string
	texts map[string]string
	tmpl  sync.Map // text → *template.Template, or error when it does not parse
}

var (
	loadOnce sync.Once
	tables   map[string]*table
	known    map[string]bool
	loadErr  error
)

// load reads the embedded translation files once.
func load() {
	loadOnce.Do(func() {
		read := func(name string) map[string]string {
			b, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
			if err != nil {
				loadErr = errors.Join(loadErr, err)
				return nil
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				loadErr = errors.Join(loadErr, fmt.Errorf("%s: %w", name, err))
				return nil
			}
			return m
		}
		zh, en := read("zh-CN.json"), read("en.json")
		known = make(map[string]bool, len(zh)+len(en))
		for k := range zh {
			known[k] = true
		}
		for k := range en {
			known[k] = true
		}
		tables = map[string]*table{
			Chinese: {lang: Chinese, texts: zh},
			English: {lang: English, texts: en},
		}
	})
}

// LoadError is what went wrong reading the embedded files (nil when they are fine): a
// build mistake, for the log; the lookup then shows the keys.
func LoadError() error {
	load()
	return loadErr
}

// Known reports whether s is one of our texts (an argument such as a role or a reason is
// translated; an ID, a name or a path is not).
func Known(s string) bool {
	load()
	return known[s]
}

// Normalize maps a language tag to one Watchpost speaks: Chinese for any "zh" tag
// ("zh-CN", "zh_CN.UTF-8", "zh-Hans"), English otherwise.
func Normalize(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "zh") {
		return Chinese
	}
	return English
}

// Translator renders our texts in one language. The zero value speaks English.
type Translator struct {
	t *table
}

// For returns the translator of a language (see Normalize).
func For(lang string) Translator {
	load()
	return Translator{t: tables[Normalize(lang)]}
}

// T translates key in lang and fills its fields from args.
func T(lang, key string, args map[string]any) string { return For(lang).T(key, args) }

// Lang is the translator's language ("zh-CN" or "en").
func (tr Translator) Lang() string {
	if tr.t == nil {
		return English
	}
	return tr.t.lang
}

// English reports whether names are shown in English (the site's, the plans' and the
// devices' English names).
func (tr Translator) English() bool { return tr.Lang() == English }

// text is key's translation: the language's own, else the English override, else the key.
func (tr Translator) text(key string) string {
	if tr.t == nil {
		tr = For(English)
	}
	if s, ok := tr.t.texts[key]; ok && s != "" {
		return s
	}
	if tr.t.lang != English {
		return For(English).text(key)
	}
	return key
}

// T translates a text; data (a map or a struct) fills its {{.Name}} fields. Values are
// shown as given: Translate also translates values that are our texts.
func (tr Translator) T(key string, data ...any) string {
	var d any
	if len(data) > 0 {
		d = data[0]
	}
	s := tr.text(key)
	if !strings.Contains(s, "{{") {
		return s
	}
	if out, ok := tr.render(s, d); ok {
		return out
	}
	if s != key {
		// A translation that does not render says the key's English rather than nothing.
		if out, ok := tr.render(key, d); ok {
			return out
		}
	}
	return key
}

// render fills the template s with data; ok is false when s does not parse or run.
func (tr Translator) render(s string, data any) (string, bool) {
	tb := tr.t
	if tb == nil {
		tb = For(English).t
	}
	v, ok := tb.tmpl.Load(s)
	if !ok {
		t, err := template.New("").Parse(s)
		if err != nil {
			v = err
		} else {
			v = t
		}
		v, _ = tb.tmpl.LoadOrStore(s, v)
	}
	t, ok := v.(*template.Template)
	if !ok {
		return "", false
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", false
	}
	return b.String(), true
}

// Translate is T for the core's messages (an app.Translator): values that are our texts
// (a role, a reason, a supply kind) are translated too. args is not changed.
func (tr Translator) Translate(key string, args map[string]any) string {
	if len(args) == 0 {
		return tr.T(key)
	}
	own := make(map[string]any, len(args))
	for k, v := range args {
		if s, ok := v.(string); ok && Known(s) {
			v = tr.T(s)
		}
		own[k] = v
	}
	return tr.T(key, own)
}

// Message renders a message of the core (with the messages nested in it).
func (tr Translator) Message(m app.Message) string { return m.Text(tr.Translate) }

// ListSep joins the parts of a list in a sentence: "; " or "；".
func (tr Translator) ListSep() string {
	if tr.Lang() == Chinese {
		return "；"
	}
	return "; "
}

// ErrText renders an error for an operator. The core's errors carry an English template
// that is also the translation key, with its values (those that are our texts are
// translated too); a list of problems reads as one line. Any other error (a library's or
// the system's words) follows a sentence the operator reads, as detail.
func (tr Translator) ErrText(err error) string {
	if err == nil {
		return ""
	}
	var e *app.Error
	if !errors.As(err, &e) {
		return tr.T("Unexpected error") + ": " + err.Error()
	}
	if e.Message == "{{.List}}" {
		if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
			var parts []string
			for _, x := range j.Unwrap() {
				parts = append(parts, tr.ErrText(x))
			}
			return strings.Join(parts, tr.ListSep())
		}
	}
	return tr.Translate(e.Message, e.Args)
}
