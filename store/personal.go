package store

// Personal fields and secrets are encrypted at rest, field by field, wherever they are
// written: the journal's entries, the site's tables, the operators' accounts, the alarms.
// The core (app) never sees ciphertext: the store seals what it writes and opens what it
// reads, so the services, the folds, replay and the read-only command line work on the
// clear record, and the database file, its WAL and its backups hold only ciphertext.
//
// Each person has a random data key of their own, kept wrapped (AES-GCM under the site key's
// "personal-data" purpose, store/keys.go) in the person_keys table. Deleting a person's key
// erases their fields everywhere at once, in the journal too, without rewriting a single
// entry: the journal (and its chain) stays intact and what was sealed under the key can no
// longer be opened; it reads as erased. Camera passwords (stream addresses) are sealed under
// the site's own "secrets" key: a camera is nobody's to erase.
//
// What is personal is found by shape in the JSON of what is written, so every entry kind that
// carries a device (site.seeded, site.imported, device.*), an operator, a grid or a vehicle
// is covered without each service knowing about encryption:
//
//	{"person": {…}} beside an "id"    the whole Person, under the key "device:<id>"
//	{"device": id, "params": {"person": name}}  an alarm's resident, under the same key
//	{"username": u, "phone": p}       an operator's phone, under "operator:<u>"
//	{"id": g, "worker": {"phone": p}} a grid worker's phone, under "grid:<g>"
//	{"plate": p, "owner", "phone"}    a vehicle's owner and phone, under "vehicle:<p>"
//	{"contact": "family:<id>", "name", "phone"}  a call to a resident's family, under "device:<id>"
//	{"main_url", "sub_url"}           a camera's addresses (passwords), under the site's secrets key
//	{"reporter_key": K, "name", "phone"}  a work order's reporter (a resident, a caller), under K (order:<id>)
//	{"webhook", "secret"}             a group robot's address and signing secret, under the site's secrets key
//
// The sealed form replaces the fields with {"sealed": {"key": K, "box": base64(nonce|ciphertext)}}.

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"watchpost/app"
)

// secretsKeyID seals what belongs to the site, not to a person (camera passwords).
const secretsKeyID = "site:secrets"

// sealedField is the member that holds an object's sealed fields.
const sealedField = "sealed"

// conn is what sealing needs of a transaction or of the database: person keys are found,
// and made, in the same transaction as the fields they seal.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// personal seals and opens with the site key's derived keys.
type personal struct {
	kek    cipher.AEAD // wraps the person keys
	secret cipher.AEAD // seals the site's own secrets
}

func newPersonal(k *Keys) *personal {
	return &personal{kek: mustGCM(k.Derive("personal-data")), secret: mustGCM(k.Derive("secrets"))}
}

func mustGCM(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic("store: " + err.Error()) // 32-byte keys always make a cipher
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic("store: " + err.Error())
	}
	return g
}

func seal(a cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("store: no randomness: " + err.Error())
	}
	return a.Seal(nonce, nonce, plain, ad)
}

func open(a cipher.AEAD, box, ad []byte) ([]byte, error) {
	if len(box) < a.NonceSize() {
		return nil, errors.New("too short")
	}
	return a.Open(nil, box[:a.NonceSize()], box[a.NonceSize():], ad)
}

// errErased: the person's key was deleted; their fields read as erased.
var errErased = errors.New("erased")

// keyRing holds the data keys one read or one write has opened (never across calls, so a key
// deleted by another process is never used from a stale copy).
type keyRing struct {
	p    *personal
	q    conn
	keys map[string]cipher.AEAD
	make bool // a missing key is made (writes); reads report the person erased
	// wrapped, when loaded (preloaded), holds every wrapped key: no query is made while a
	// read's rows are open (a pooled connection waiting on another would deadlock the pool).
	wrapped map[string][]byte
}

func (p *personal) ring(q conn, create bool) *keyRing {
	return &keyRing{p: p, q: q, keys: map[string]cipher.AEAD{}, make: create}
}

func (r *keyRing) key(ctx context.Context, id string) (cipher.AEAD, error) {
	if id == secretsKeyID {
		return r.p.secret, nil
	}
	if k, ok := r.keys[id]; ok {
		return k, nil
	}
	var wrapped []byte
	var err error
	if r.wrapped != nil {
		var ok bool
		if wrapped, ok = r.wrapped[id]; !ok {
			err = sql.ErrNoRows
		}
	} else {
		err = r.q.QueryRowContext(ctx, "SELECT wrapped FROM person_keys WHERE id = ?", id).Scan(&wrapped)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows) && r.make:
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		if _, err := r.q.ExecContext(ctx, "INSERT INTO person_keys (id, wrapped, created) VALUES (?, ?, ?)",
			id, seal(r.p.kek, raw, []byte(id)), time.Now().UTC().Format(time.RFC3339)); err != nil {
			return nil, err
		}
		k := mustGCM(raw)
		r.keys[id] = k
		return k, nil
	case errors.Is(err, sql.ErrNoRows):
		return nil, errErased
	case err != nil:
		return nil, app.Errorf(app.CodeUnavailable, "The personal-data keys cannot be read").Wrap(err)
	}
	raw, err := open(r.p.kek, wrapped, []byte(id))
	if err != nil {
		// Never garbage: a key that does not open under the site key is refused by name.
		return nil, app.Errorf(app.CodeCorrupt, "The personal-data key {{.ID}} cannot be opened with this site's key: the key file or the database is not the one it was made with", "ID", id)
	}
	k := mustGCM(raw)
	r.keys[id] = k
	return k, nil
}

// hints are the members whose presence makes a JSON text worth walking for sealing.
var hints = [][]byte{[]byte(`"person"`), []byte(`"phone"`), []byte(`"plate"`), []byte(`"main_url"`), []byte(`"family:`),
	[]byte(`"reporter_key"`), []byte(`"webhook"`)}

func needsSealing(b []byte) bool {
	for _, h := range hints {
		if bytes.Contains(b, h) {
			return true
		}
	}
	return false
}

// sealJSON returns data with its personal fields and secrets sealed.
func (r *keyRing) sealJSON(ctx context.Context, data []byte) ([]byte, error) {
	if len(data) == 0 || !needsSealing(data) {
		return data, nil
	}
	v, err := decodeAny(data)
	if err != nil {
		return data, nil // not JSON of ours to seal (Validate refuses non-JSON before)
	}
	changed, err := r.walk(ctx, v, true)
	if err != nil || !changed {
		return data, err
	}
	return json.Marshal(v)
}

// openJSON returns data with sealed fields opened; an erased person's fields read as erased.
func (r *keyRing) openJSON(ctx context.Context, data []byte) ([]byte, error) {
	if r == nil || len(data) == 0 || !bytes.Contains(data, []byte(`"`+sealedField+`"`)) {
		return data, nil
	}
	v, err := decodeAny(data)
	if err != nil {
		return data, nil
	}
	changed, err := r.walk(ctx, v, false)
	if err != nil || !changed {
		return data, err
	}
	return json.Marshal(v)
}

func decodeAny(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // numbers come back as written
	var v any
	err := d.Decode(&v)
	return v, err
}

// walk seals (or opens) every object of v in place; it reports whether anything changed.
func (r *keyRing) walk(ctx context.Context, v any, sealing bool) (bool, error) {
	changed := false
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			c, err := r.walk(ctx, e, sealing)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
	case map[string]any:
		if sealing {
			c, err := r.sealObject(ctx, x)
			if err != nil {
				return false, err
			}
			changed = c
		} else if box, ok := x[sealedField].(map[string]any); ok {
			if err := r.openObject(ctx, x, box); err != nil {
				return false, err
			}
			changed = true
		}
		for k, e := range x {
			if k == sealedField {
				continue
			}
			c, err := r.walk(ctx, e, sealing)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
	}
	return changed, nil
}

// sealObject seals the personal members of obj (or of its person/worker/params child).
func (r *keyRing) sealObject(ctx context.Context, obj map[string]any) (bool, error) {
	id, _ := obj["id"].(string)
	changed := false
	do := func(target map[string]any, keyID string, fields ...string) error {
		if _, done := target[sealedField]; done || keyID == "" {
			return nil
		}
		ok, err := r.sealFields(ctx, target, keyID, fields)
		changed = changed || ok
		return err
	}
	if p, ok := obj["person"].(map[string]any); ok && id != "" {
		if err := do(p, "device:"+id); err != nil { // every field of the person
			return false, err
		}
	}
	if dev, ok := obj["device"].(string); ok {
		if params, ok := obj["params"].(map[string]any); ok {
			if err := do(params, "device:"+dev, "person"); err != nil {
				return false, err
			}
		}
	}
	if u, ok := obj["username"].(string); ok {
		if err := do(obj, "operator:"+u, "phone"); err != nil {
			return false, err
		}
	}
	if w, ok := obj["worker"].(map[string]any); ok && id != "" {
		if err := do(w, "grid:"+id, "phone"); err != nil {
			return false, err
		}
	}
	if c, ok := obj["contact"].(string); ok && strings.HasPrefix(c, "family:") { // a call to a resident's family
		if err := do(obj, "device:"+strings.TrimPrefix(c, "family:"), "name", "phone"); err != nil {
			return false, err
		}
	}
	if plate, ok := obj["plate"].(string); ok {
		if err := do(obj, "vehicle:"+plate, "owner", "phone"); err != nil {
			return false, err
		}
	}
	if _, ok := obj["main_url"]; ok {
		if err := do(obj, secretsKeyID, "main_url", "sub_url"); err != nil {
			return false, err
		}
	}
	if k, ok := obj["reporter_key"].(string); ok {
		if err := do(obj, k, "name", "phone"); err != nil {
			return false, err
		}
	}
	if _, ok := obj["webhook"]; ok {
		if err := do(obj, secretsKeyID, "webhook", "secret"); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// sealFields moves fields (all of them when none are named) of obj into a sealed box.
func (r *keyRing) sealFields(ctx context.Context, obj map[string]any, keyID string, fields []string) (bool, error) {
	whole := len(fields) == 0
	if whole {
		for k := range obj {
			fields = append(fields, k)
		}
		sort.Strings(fields)
	}
	plain := map[string]any{}
	for _, f := range fields {
		if v, ok := obj[f]; ok && v != "" && v != nil {
			plain[f] = v
		}
	}
	if len(plain) == 0 {
		return false, nil
	}
	k, err := r.key(ctx, keyID)
	if err != nil {
		return false, err
	}
	b, _ := json.Marshal(plain)
	for f := range plain {
		delete(obj, f)
	}
	box := map[string]any{"key": keyID, "box": base64.StdEncoding.EncodeToString(seal(k, b, []byte(keyID)))}
	if whole {
		box["whole"] = true // a whole record: erased, it reads {"erased": true}
	}
	obj[sealedField] = box
	return true, nil
}

// openObject puts the fields of box back into obj; an erased key marks obj erased.
func (r *keyRing) openObject(ctx context.Context, obj, box map[string]any) error {
	delete(obj, sealedField)
	keyID, _ := box["key"].(string)
	enc, _ := box["box"].(string)
	k, err := r.key(ctx, keyID)
	if errors.Is(err, errErased) {
		if whole, _ := box["whole"].(bool); whole {
			obj["erased"] = true // app.Person.Erased: the console shows "erased"
		}
		return nil // a field sealed beside others (an alarm's resident, a phone) is left out
	}
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err == nil {
		raw, err = open(k, raw, []byte(keyID))
	}
	if err != nil {
		return app.Errorf(app.CodeCorrupt, "Sealed personal data under {{.ID}} cannot be opened: it was changed, or the key is not the one it was sealed with", "ID", keyID)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		return app.Errorf(app.CodeCorrupt, "Sealed personal data under {{.ID}} cannot be read", "ID", keyID)
	}
	for f, v := range fields {
		obj[f] = v
	}
	return nil
}

// sealedJSON marshals v with its personal fields and secrets sealed, inside the write's
// transaction tx (a person's key is made there, with what it seals, or not at all).
func (p *personal) sealedJSON(ctx context.Context, tx execer, v any) (string, error) {
	if p == nil {
		return mustJSON(v), nil // a database of an older schema (only tests write one)
	}
	q, ok := tx.(conn)
	if !ok {
		return "", errors.New("store: sealing needs a transaction that can query")
	}
	b, err := p.ring(q, true).sealJSON(ctx, []byte(mustJSON(v)))
	return string(b), err
}

// sealedData is an entry's data as the journal keeps it.
func (p *personal) sealedData(ctx context.Context, tx conn, data []byte) ([]byte, error) {
	if p == nil {
		return data, nil
	}
	return p.ring(tx, true).sealJSON(ctx, data)
}

// openRing opens sealed fields for one read (its keys are not kept beyond it). It queries
// a key when it needs one: use it only once the read's rows are closed.
func (s *Store) openRing() *keyRing {
	if s.personal == nil {
		return nil
	}
	return s.personal.ring(s.db, false)
}

// preloadedRing is openRing with every wrapped key read first (one query), for reads that
// open sealed fields while their rows are open (a long journal range, a site's tables).
func (s *Store) preloadedRing(ctx context.Context) (*keyRing, error) {
	r := s.openRing()
	if r == nil {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id, wrapped FROM person_keys")
	if err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The personal-data keys cannot be read").Wrap(err)
	}
	defer rows.Close()
	r.wrapped = map[string][]byte{}
	for rows.Next() {
		var id string
		var w []byte
		if err := rows.Scan(&id, &w); err != nil {
			return nil, app.Errorf(app.CodeUnavailable, "The personal-data keys cannot be read").Wrap(err)
		}
		r.wrapped[id] = w
	}
	if err := rows.Err(); err != nil {
		return nil, app.Errorf(app.CodeUnavailable, "The personal-data keys cannot be read").Wrap(err)
	}
	return r, nil
}

// loadPersonal gives the store its sealer, or none on a database of an older schema than
// person keys (only tests open one without upgrading it: it is sealed when upgraded).
func (s *Store) loadPersonal(ctx context.Context) (*personal, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'person_keys'").Scan(&n); err != nil {
		return nil, s.openError(err)
	}
	if n == 0 {
		return nil, nil
	}
	return newPersonal(s.keys), nil
}
