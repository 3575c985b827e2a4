package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/csv"
	"sort"
	"strings"
	"sync"
	"time"
)

// Every device has broker credentials of its own (issue 15): its user name is its ID, its
// password a random one the core makes when the device is added, adopted or imported, or
// when an administrator regenerates it. The password is handed back once, to be shown (and
// exported for the installer) at that moment; the store keeps only a keyed hash of it (an
// HMAC under a key derived from the site key, which is kept outside the database: a fast
// hash is enough for a random 120-bit password, where bcrypt would cost minutes of both
// cores when 2,000 devices reconnect). Nothing can read a password back: a lost one is
// regenerated.
//
// The hashes are kept out of the journal, as the cameras' passwords are: the journal is
// printed by `journal --json`, copied into reports and kept for years, while a verifier
// belongs only where it is checked, and regenerating must leave nothing of the old one
// behind. The entry (device.credentials_set: which devices, why, by whom) is written in
// the same transaction as the hashes, and the service folds by reading the table back when
// it sees one (reloadOn), whichever process wrote it.

// KindDeviceCredentials records devices given new broker credentials (never the password
// nor its hash).
const KindDeviceCredentials EntryKind = "device.credentials_set" // Data: CredentialsSet

// Why credentials were made.
const (
	CredentialsAdded       = "added"
	CredentialsAdopted     = "adopted"
	CredentialsImported    = "imported"
	CredentialsRegenerated = "regenerated"
)

// CredentialsSet is the journal's record of new credentials.
type CredentialsSet struct {
	Devices []string `json:"devices"`
	Reason  string   `json:"reason"`
}

// DeviceCredential is what the store keeps of a device's credentials.
type DeviceCredential struct {
	DeviceID string
	Hash     []byte // keyed hash of the password (CredentialStore.DevicePasswordHash)
	SetAt    time.Time
	SetBy    string
}

// DeviceSecret is a device's credentials as made: shown once, never stored.
type DeviceSecret struct {
	DeviceID string `json:"id"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// CredentialStore keeps the devices' credential hashes; store.Store implements it.
type CredentialStore interface {
	// DevicePasswordHash is the keyed hash of a device's password (the key never leaves
	// the store).
	DevicePasswordHash(deviceID, password string) []byte
	// SaveDeviceCredentials replaces the hashes of these devices and journals e, in one
	// transaction.
	SaveDeviceCredentials(ctx context.Context, creds []DeviceCredential, e Entry) (Entry, error)
	// DeviceCredentials returns every device's hash.
	DeviceCredentials(ctx context.Context) ([]DeviceCredential, error)
}

// DemoDevicePassword is the published password of a demo device (README): the demo's
// devices that were never given credentials of their own connect with it. It is accepted
// on the demo site only.
func DemoDevicePassword(deviceID string) string { return "demo-" + deviceID }

// DeviceCredentials makes and checks the devices' broker credentials.
type DeviceCredentials struct {
	store CredentialStore // nil: this store cannot keep credentials
	rec   *Recorder
	inv   *Inventory
	clock Clock

	mu    sync.RWMutex
	creds map[string]DeviceCredential
}

// NewDeviceCredentials builds the service on a store of credentials (nil: a store that
// keeps none; every device is refused, and Generate says the store cannot).
func NewDeviceCredentials(cs CredentialStore, rec *Recorder, inv *Inventory, clock Clock) *DeviceCredentials {
	dc := &DeviceCredentials{store: cs, rec: rec, inv: inv, clock: clock, creds: map[string]DeviceCredential{}}
	if rec != nil {
		rec.Bus.Fold(reloadOn("device-credentials", dc.Load, KindDeviceCredentials, KindDeviceDeleted))
	}
	return dc
}

// Load reads the hashes back from the store.
func (dc *DeviceCredentials) Load(ctx context.Context) error {
	if dc.store == nil {
		return nil
	}
	list, err := dc.store.DeviceCredentials(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]DeviceCredential, len(list))
	for _, c := range list {
		m[c.DeviceID] = c
	}
	dc.mu.Lock()
	dc.creds = m
	dc.mu.Unlock()
	return nil
}

// Generate makes new credentials for registered devices (administrators), replacing any
// they had (the old password stops working at once for new connections), and returns them
// once. reason is one of the Credentials… constants.
func (dc *DeviceCredentials) Generate(ctx context.Context, op *Operator, reason string, ids ...string) ([]DeviceSecret, error) {
	if err := Authorize(op, ActEditSite); err != nil {
		return nil, err
	}
	return dc.generate(ctx, op.Username, reason, ids)
}

func (dc *DeviceCredentials) generate(ctx context.Context, actor, reason string, ids []string) ([]DeviceSecret, error) {
	if dc.store == nil {
		return nil, Errorf(CodeUnavailable, "This store cannot keep device credentials")
	}
	if len(ids) == 0 {
		return nil, Errorf(CodeInvalid, "Name the devices to give credentials")
	}
	seen := map[string]bool{}
	var p Problems
	for _, id := range ids {
		if _, ok := dc.inv.Device(id); !ok {
			p.Add("id", "There is no device {{.ID}}", "ID", id)
		}
		seen[id] = true
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	ids = ids[:0:0]
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	now := dc.clock.Now()
	secrets := make([]DeviceSecret, 0, len(ids))
	creds := make([]DeviceCredential, 0, len(ids))
	for _, id := range ids {
		pw := NewDevicePassword()
		secrets = append(secrets, DeviceSecret{DeviceID: id, Username: id, Password: pw})
		creds = append(creds, DeviceCredential{DeviceID: id, Hash: dc.store.DevicePasswordHash(id, pw), SetAt: now, SetBy: actor})
	}
	subject := SubjectDevice(ids[0])
	if len(ids) > 1 {
		subject = "devices"
	}
	e := NewEntry(KindDeviceCredentials, subject, actor, CredentialsSet{Devices: ids, Reason: reason})
	if _, err := dc.rec.Stored(func() ([]Entry, error) {
		out, err := dc.store.SaveDeviceCredentials(ctx, creds, e)
		return []Entry{out}, err
	}); err != nil {
		return nil, err
	}
	// The fold read them back already (Stored publishes); this makes them good at once
	// even where the bus is not folded (a command-line core).
	dc.mu.Lock()
	for _, c := range creds {
		dc.creds[c.DeviceID] = c
	}
	dc.mu.Unlock()
	return secrets, nil
}

// AddDevice adds a device to the site and makes its credentials (adopted: an unregistered
// device that was already sending). The device stays added if the credentials cannot be
// made: they are regenerated then.
func (dc *DeviceCredentials) AddDevice(ctx context.Context, op *Operator, d Device, adopted bool) (DeviceSecret, error) {
	if err := dc.inv.AddDevice(ctx, op, d); err != nil {
		return DeviceSecret{}, err
	}
	reason := CredentialsAdded
	if adopted {
		reason = CredentialsAdopted
	}
	s, err := dc.Generate(ctx, op, reason, strings.TrimSpace(d.ID))
	if err != nil {
		return DeviceSecret{}, err
	}
	return s[0], nil
}

// ImportSite replaces the site (Inventory.ImportSite) and makes credentials for its devices
// that have none yet (those kept from before keep theirs), returned once. The demo's devices
// keep their published demo passwords.
func (dc *DeviceCredentials) ImportSite(ctx context.Context, op *Operator, s *Site) ([]DeviceSecret, error) {
	if err := dc.inv.ImportSite(ctx, op, s); err != nil {
		return nil, err
	}
	if site := dc.inv.Site(); site == nil || site.Demo {
		return nil, nil
	}
	missing := dc.Missing()
	if len(missing) == 0 {
		return nil, nil
	}
	return dc.Generate(ctx, op, CredentialsImported, missing...)
}

// Info returns when and by whom a device's credentials were made (false: it has none).
func (dc *DeviceCredentials) Info(deviceID string) (DeviceCredential, bool) {
	dc.mu.RLock()
	defer dc.mu.RUnlock()
	c, ok := dc.creds[deviceID]
	c.Hash = nil
	return c, ok
}

// Missing lists the registered devices without credentials of their own.
func (dc *DeviceCredentials) Missing() []string {
	s := dc.inv.Site()
	if s == nil {
		return nil
	}
	dc.mu.RLock()
	defer dc.mu.RUnlock()
	var out []string
	for _, d := range s.Devices {
		if _, ok := dc.creds[d.ID]; !ok {
			out = append(out, d.ID)
		}
	}
	return out
}

// VerifyDevice reports whether password is the current password of a registered device.
// A device deleted from the site is refused whatever it knows. On the demo site, a device
// never given credentials of its own is let in with its published demo password.
func (dc *DeviceCredentials) VerifyDevice(deviceID, password string) bool {
	site := dc.inv.Site()
	if site == nil {
		return false
	}
	if _, ok := site.Device(deviceID); !ok {
		return false
	}
	dc.mu.RLock()
	c, ok := dc.creds[deviceID]
	dc.mu.RUnlock()
	if ok {
		return dc.store != nil && subtle.ConstantTimeCompare(dc.store.DevicePasswordHash(deviceID, password), c.Hash) == 1
	}
	return site.Demo && subtle.ConstantTimeCompare([]byte(password), []byte(DemoDevicePassword(deviceID))) == 1
}

// devicePasswordEncoding: lower-case letters and digits 2–7, easy to type into a device's
// set-up page, no padding.
var devicePasswordEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewDevicePassword returns a random password of 120 bits (24 characters).
func NewDevicePassword() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return devicePasswordEncoding.EncodeToString(b)
}

// CredentialsCSV is credentials as the installer's CSV file: a header, then
// id,username,password a line.
func CredentialsCSV(secrets []DeviceSecret) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "username", "password"})
	for _, s := range secrets {
		_ = w.Write([]string{s.DeviceID, s.Username, s.Password})
	}
	w.Flush()
	return b.Bytes()
}
