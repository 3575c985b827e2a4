package app

import (
	"context"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// ConfigStore saves and reads back the configuration file.
type ConfigStore interface {
	SaveConfig(Config) error
	LoadConfig() (Config, error)
}

// Settings holds the configuration and applies changes: each is checked against the
// operator's role, saved, and journaled (the names of the changed keys, never a password).
type Settings struct {
	store ConfigStore
	rec   *Recorder

	write    sync.Mutex // one change at a time; never taken by the fold
	mu       sync.RWMutex
	cfg      Config
	watchers []func(Config)
}

// Watch calls fn with each new configuration once it is saved (components that follow a
// setting, such as the analytics budget).
func (s *Settings) Watch(fn func(Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// NewSettings starts from the loaded configuration and follows the settings.changed
// entries on the bus.
func NewSettings(cfg Config, store ConfigStore, rec *Recorder) *Settings {
	s := &Settings{cfg: cfg, store: store, rec: rec}
	rec.Bus.Fold(s.apply)
	return s
}

// apply is the settings' fold: a settings.changed entry (journaled with the names of the
// keys only, never a password) says the file changed, whoever changed it (this console,
// another process on the same data); the configuration is read back from the file and the
// watchers follow it. A file that cannot be read leaves the configuration as it was.
func (s *Settings) apply(e Entry) {
	if e.Kind != KindSettingsChanged {
		return
	}
	next, err := s.store.LoadConfig()
	if err != nil {
		slog.Default().Error("settings not read back after a change", "entry", e.Seq, "err", err)
		return
	}
	s.mu.Lock()
	s.cfg = next
	watchers := append([](func(Config))(nil), s.watchers...)
	s.mu.Unlock()
	for _, fn := range watchers {
		fn(next)
	}
}

// Get returns the current configuration.
func (s *Settings) Get() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

// personalKeys may be changed by anyone signed in: they only change how the console looks.
var personalKeys = map[string]bool{"language": true, "theme": true}

// personal reports whether the actor may change key without the settings permission: the
// console's look, and their own preferences (operators.<their user name>).
func personal(key string, actor *Operator) bool {
	return personalKeys[key] || (actor != nil && key == "operators."+actor.Username)
}

// Update replaces the configuration. Changing anything but the language or the theme needs
// the settings permission (administrators). A configuration as saved already writes
// nothing (ErrUnchanged).
func (s *Settings) Update(ctx context.Context, actor *Operator, next Config) error {
	if err := Authorize(actor, ActView); err != nil {
		return err
	}
	if err := next.Validate(); err != nil {
		return err
	}
	s.write.Lock()
	defer s.write.Unlock()
	changed := changedKeys(s.Get(), next)
	if len(changed) == 0 {
		return ErrUnchanged()
	}
	for _, k := range changed {
		if !personal(k, actor) {
			if err := Authorize(actor, ActChangeSettings); err != nil {
				return err
			}
			break
		}
	}
	if err := s.store.SaveConfig(next); err != nil {
		return Errorf(CodeUnavailable, "The settings cannot be saved").Wrap(err)
	}
	// The fold reads the configuration back before subscribers see the entry: a subscriber
	// that reads the settings when it arrives sees the change.
	_, err := s.rec.Record(ctx, NewEntry(KindSettingsChanged, "settings", actor.Username, map[string]any{"keys": changed}))
	return err
}

// changedKeys lists the JSON keys (broker.url…) whose values differ; a map's entries are
// keys of their own (operators.duty).
func changedKeys(a, b Config) []string {
	var out []string
	var walk func(prefix string, va, vb reflect.Value)
	walk = func(prefix string, va, vb reflect.Value) {
		t := va.Type()
		for i := 0; i < t.NumField(); i++ {
			name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			fa, fb := va.Field(i), vb.Field(i)
			if fa.Kind() == reflect.Struct {
				walk(prefix+name+".", fa, fb)
				continue
			}
			if fa.Kind() == reflect.Map && fa.Type().Key().Kind() == reflect.String {
				out = append(out, changedEntries(prefix+name+".", fa, fb)...)
				continue
			}
			if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
				out = append(out, prefix+name)
			}
		}
	}
	walk("", reflect.ValueOf(a), reflect.ValueOf(b))
	sort.Strings(out)
	return out
}

// changedEntries lists the keys of two maps whose entries differ (added, removed, changed).
func changedEntries(prefix string, a, b reflect.Value) []string {
	keys := map[string]bool{}
	for _, m := range []reflect.Value{a, b} {
		for _, k := range m.MapKeys() {
			keys[k.String()] = true
		}
	}
	var out []string
	for k := range keys {
		kv := reflect.ValueOf(k).Convert(a.Type().Key())
		va, vb := a.MapIndex(kv), b.MapIndex(kv)
		if va.IsValid() != vb.IsValid() || (va.IsValid() && !reflect.DeepEqual(va.Interface(), vb.Interface())) {
			out = append(out, prefix+k)
		}
	}
	return out
}
