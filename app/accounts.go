package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Accounts signs operators in and manages their accounts. Passwords are hashed with
// bcrypt; repeated failures for one user name lock it out for a while.
type Accounts struct {
	store OperatorStore
	rec   *Recorder
	clock Clock
	Cost  int // bcrypt cost; tests lower it

	admin    sync.Mutex // administrators' changes, one at a time (operators_admin.go)
	mu       sync.Mutex
	failures map[string][]time.Time // by the subject a failed sign-in is journaled under
	loaded   bool                   // failures read back from the journal (loadFailures)
	dummy    []byte                 // see dummyHash
	stored   int                    // the highest cost of the stored hashes; 0: not read yet
	nameKey  []byte                 // keys the hash of an unknown user name (unknownSubject)
	// compare is bcrypt's comparison; a test counts the calls and the cost they pay.
	compare func(hash, password []byte) error
}

// NameKeyer is a store that keeps a secret outside the database for the hash under which a
// failed sign-in with an unknown user name is journaled (the site key's "sign-in-names").
type NameKeyer interface{ SignInNameKey() []byte }

// Lockout policy: this many failures within the window lock the name for the window.
const (
	MaxSignInFailures = 5
	SignInLockout     = 2 * time.Minute
)

// NewAccounts builds the service.
func NewAccounts(store OperatorStore, rec *Recorder, clock Clock) *Accounts {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // replaced by the store's key (NewCore); this one lasts the process
	return &Accounts{store: store, rec: rec, clock: clock, Cost: bcrypt.DefaultCost, failures: map[string][]time.Time{},
		nameKey: key, compare: bcrypt.CompareHashAndPassword}
}

// SetNameKey sets the key of the hash under which unknown user names are journaled; it must
// outlive a restart for a lockout of an unknown name to survive one.
func (a *Accounts) SetNameKey(key []byte) {
	if len(key) > 0 {
		a.nameKey = append([]byte(nil), key...)
	}
}

var errBadCredentials = Errorf(CodeUnauthenticated, "Wrong user name or password")

// SignIn checks the password and records the sign-in (or the failure) in the journal.
func (a *Accounts) SignIn(ctx context.Context, username, password string) (*Operator, error) {
	username = strings.TrimSpace(username)
	op, err := a.Authenticate(ctx, username, password)
	if err != nil {
		return nil, err
	}
	if _, err := a.rec.Record(ctx, NewEntry(KindSignedIn, SubjectOperator(username), username, nil)); err != nil {
		return nil, err
	}
	return op, nil
}

// Authenticate checks the password of an operator who acts without opening a session on a
// console (a command-line write): a refusal is journaled as a failed sign-in, as SignIn
// journals it, and counts towards the lockout; a success records nothing, since the action
// itself is journaled as the operator's.
func (a *Accounts) Authenticate(ctx context.Context, username, password string) (*Operator, error) {
	username = strings.TrimSpace(username)
	op, who, rejected, err := a.check(ctx, username, password)
	if rejected {
		e := NewEntry(KindSignInFailed, who.subject, SystemActor, who.data)
		e.Time = who.at // the lockout counts from this time, after a restart too (loadFailures)
		if _, rerr := a.rec.Record(ctx, e); rerr != nil {
			return nil, rerr
		}
	}
	return op, err
}

// Verify checks a password and records nothing: a command-line read, whose database is open
// read-only, signs in so (the lockout counts its failures all the same).
func (a *Accounts) Verify(ctx context.Context, username, password string) (*Operator, error) {
	op, _, _, err := a.check(ctx, strings.TrimSpace(username), password)
	return op, err
}

// FailedSignIn is the data of a failed sign-in (KindSignInFailed). A known user name is
// journaled as it is; an unknown one may be a password typed into the user-name field, so
// only its first character and its length are kept (Masked), and the entry's subject is
// "operator:?" and a keyed hash of the name (the lockout of that name, after a restart too).
type FailedSignIn struct {
	Username string `json:"username,omitempty"`
	Unknown  bool   `json:"unknown,omitempty"`
	Masked   string `json:"masked,omitempty"`
}

// attempt is who a sign-in names, as the journal and the lockout know them.
type attempt struct {
	subject string
	data    FailedSignIn
	at      time.Time
}

// UnknownNamePrefix starts the subject of a failed sign-in whose user name does not exist.
const UnknownNamePrefix = "operator:?"

func (a *Accounts) attemptOf(username string, known bool, now time.Time) attempt {
	if known {
		return attempt{subject: SubjectOperator(username), data: FailedSignIn{Username: username}, at: now}
	}
	m := hmac.New(sha256.New, a.nameKey)
	m.Write([]byte(username))
	return attempt{subject: UnknownNamePrefix + hex.EncodeToString(m.Sum(nil)[:12]),
		data: FailedSignIn{Unknown: true, Masked: MaskUserName(username)}, at: now}
}

// MaskUserName keeps a user name's first character and its length: "p********" for a
// nine-character name. An unknown name may be a password typed in the wrong field.
func MaskUserName(s string) string {
	if s == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(s)
	n := utf8.RuneCountInString(s[size:])
	if n > 31 {
		n = 31
	}
	return string(r) + strings.Repeat("*", n)
}

// check verifies a user name and password without recording anything: SignIn journals
// what it means, a shift handover journals only the handover. Both share the lockout, so
// the handover dialog is no way around it. rejected: the name and password were compared
// and refused (a failure that counts), as opposed to a lockout or a store error.
func (a *Accounts) check(ctx context.Context, username, password string) (op *Operator, who attempt, rejected bool, err error) {
	now := a.clock.Now()
	found, hash, lerr := a.store.Operator(ctx, username)
	if lerr != nil && !IsCode(lerr, CodeNotFound) {
		return nil, who, false, lerr
	}
	who = a.attemptOf(username, lerr == nil, now)
	if err := a.loadFailures(ctx, now); err != nil {
		return nil, who, false, err
	}
	if wait := a.lockedFor(who.subject, now); wait > 0 {
		return nil, who, false, Errorf(CodeUnauthenticated, "Too many failed attempts for {{.U}}: try again in {{.S}} s", "U", username, "S", int(wait.Seconds()+0.5))
	}
	ok := lerr == nil && !found.Disabled && a.compare(hash, []byte(password)) == nil
	if lerr != nil {
		// Spend the same time as a real comparison so a caller cannot tell names that exist.
		_ = a.compare(a.dummyHash(ctx), []byte(password))
	}
	if !ok {
		a.fail(who.subject, now)
		if lerr == nil && found.Disabled {
			return nil, who, true, Errorf(CodeUnauthenticated, "The account {{.U}} is disabled", "U", username)
		}
		return nil, who, true, errBadCredentials
	}
	a.mu.Lock()
	delete(a.failures, who.subject)
	a.mu.Unlock()
	return &found, who, false, nil
}

// loadFailures reads the failed sign-ins of the last SignInLockout back from the journal,
// once: a restart does not lift a lockout. A sign-in since clears its name's failures.
func (a *Accounts) loadFailures(ctx context.Context, now time.Time) error {
	a.mu.Lock()
	loaded := a.loaded
	a.mu.Unlock()
	if loaded || a.rec == nil || a.rec.Journal == nil {
		return nil
	}
	from := now.Add(-SignInLockout)
	es, err := a.rec.Journal.Query(ctx, JournalQuery{Since: from, Kinds: []EntryKind{KindSignInFailed, KindSignedIn}})
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.loaded {
		return nil
	}
	for _, e := range es {
		if e.Time.Before(from) || e.Time.After(now) {
			continue
		}
		switch e.Kind {
		case KindSignInFailed:
			a.failures[e.Subject] = append(a.failures[e.Subject], e.Time)
		case KindSignedIn:
			delete(a.failures, e.Subject)
		}
	}
	a.loaded = true
	return nil
}

// dummyHash is a bcrypt hash of nothing useful, compared against for unknown names. It has
// the cost the stored hashes have (the highest of them, and at least the accounts' own): a
// cheaper one would tell by its speed which names exist.
func (a *Accounts) dummyHash(ctx context.Context) []byte {
	cost := max(a.Cost, a.storedCost(ctx))
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, err := bcrypt.Cost(a.dummy); err != nil || c != cost {
		a.dummy, _ = bcrypt.GenerateFromPassword([]byte("watchpost-no-such-user"), cost)
	}
	return a.dummy
}

// storedCost is the highest bcrypt cost among the stored hashes, read once (hashes made
// since have the accounts' own cost, which dummyHash takes as well).
func (a *Accounts) storedCost(ctx context.Context) int {
	a.mu.Lock()
	if a.stored != 0 {
		defer a.mu.Unlock()
		return a.stored
	}
	a.mu.Unlock()
	ops, err := a.store.Operators(ctx)
	if err != nil {
		return 0 // the accounts' own cost; read again next time
	}
	highest := bcrypt.MinCost
	for _, op := range ops {
		if _, h, err := a.store.Operator(ctx, op.Username); err == nil {
			if c, err := bcrypt.Cost(h); err == nil && c > highest {
				highest = c
			}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stored = highest
	return highest
}

func (a *Accounts) fail(u string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failures[u] = append(recent(a.failures[u], now), now)
}

func (a *Accounts) lockedFor(u string, now time.Time) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := recent(a.failures[u], now)
	a.failures[u] = f
	if len(f) < MaxSignInFailures {
		return 0
	}
	return f[len(f)-1].Add(SignInLockout).Sub(now)
}

func recent(ts []time.Time, now time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if now.Sub(t) < SignInLockout {
			out = append(out, t)
		}
	}
	return out
}

// SignOut records that the operator left.
func (a *Accounts) SignOut(ctx context.Context, op *Operator) error {
	if op == nil {
		return nil
	}
	_, err := a.rec.Record(ctx, NewEntry(KindSignedOut, SubjectOperator(op.Username), op.Username, nil))
	return err
}

// Create adds an account. actor is the administrator doing it; nil means the system
// (seeding the demo site or the first administrator). The password must meet the policy
// (CheckPasswordFor).
func (a *Accounts) Create(ctx context.Context, actor *Operator, op Operator, password string) (Operator, error) {
	return a.create(ctx, actor, op, password, true)
}

// create is Create; policy false skips the password policy, which only seeding the demo's
// accounts does (their password is the published sunshine-demo: SeedDemo).
func (a *Accounts) create(ctx context.Context, actor *Operator, op Operator, password string, policy bool) (Operator, error) {
	by, op, err := a.checkNew(ctx, actor, op, password, policy)
	if err != nil {
		return Operator{}, err
	}
	hash, err := a.hash(password)
	if err != nil {
		return Operator{}, err
	}
	return a.insert(ctx, by, op, hash)
}

// checkNew checks a new account (and who adds it) before its password is hashed; it returns
// whom the journal names and the account as it is to be stored.
func (a *Accounts) checkNew(ctx context.Context, actor *Operator, op Operator, password string, policy bool) (string, Operator, error) {
	by := SystemActor
	if actor != nil {
		if err := Authorize(actor, ActManageOperators); err != nil {
			return "", Operator{}, err
		}
		by = actor.Username
	}
	op.Username = strings.TrimSpace(op.Username)
	if op.CreatedAt.IsZero() {
		op.CreatedAt = a.clock.Now()
	}
	if err := op.Validate(); err != nil {
		return "", Operator{}, err
	}
	if policy {
		if err := CheckPasswordFor(op.Username, password); err != nil {
			return "", Operator{}, err
		}
	}
	op.MustChange = false
	if _, _, err := a.store.Operator(ctx, op.Username); err == nil {
		return "", Operator{}, Errorf(CodeConflict, "The user name {{.U}} is taken", "U", op.Username)
	}
	return by, op, nil
}

// insert stores a checked new account with its password's hash and publishes its entry.
func (a *Accounts) insert(ctx context.Context, by string, op Operator, hash []byte) (Operator, error) {
	e, err := a.store.CreateOperator(ctx, op, hash, NewEntry(KindOperatorCreated, SubjectOperator(op.Username), by, op))
	if err != nil {
		return Operator{}, err
	}
	a.rec.Published(e)
	return op, nil
}

// ChangePassword sets a new password. Operators change their own (giving the old one; a
// password an administrator reset is changed so, and no longer must be); administrators may
// reset anyone else's, which the operator must then change at the next sign-in
// (ResetPassword).
func (a *Accounts) ChangePassword(ctx context.Context, actor *Operator, username, old, new string) error {
	if actor == nil {
		return Errorf(CodeUnauthenticated, "Please sign in first")
	}
	if actor.Username != username {
		return a.ResetPassword(ctx, actor, username, new)
	}
	cur, hash, err := a.store.Operator(ctx, username)
	if err != nil {
		return err
	}
	if cur.Disabled {
		return Errorf(CodeForbidden, "The account {{.U}} is disabled", "U", username)
	}
	if a.compare(hash, []byte(old)) != nil {
		return Errorf(CodeUnauthenticated, "The current password is wrong").On("old")
	}
	if err := CheckPasswordFor(username, new); err != nil {
		return err
	}
	if old == new {
		return Errorf(CodeInvalid, "Choose a password other than the current one").On("password")
	}
	nh, err := a.hash(new)
	if err != nil {
		return err
	}
	e, err := a.store.SetPassword(ctx, cur.Username, nh, NewEntry(KindPasswordChanged, SubjectOperator(cur.Username), actor.Username, nil))
	if err != nil {
		return err
	}
	a.rec.Published(e)
	return nil
}

func (a *Accounts) hash(pw string) ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), a.Cost)
	if err != nil {
		return nil, Errorf(CodeInternal, "Cannot hash the password").Wrap(err)
	}
	return h, nil
}

// List returns all accounts (administrators only).
func (a *Accounts) List(ctx context.Context, actor *Operator) ([]Operator, error) {
	if err := Authorize(actor, ActManageOperators); err != nil {
		return nil, err
	}
	return a.store.Operators(ctx)
}

// Get returns one account without its password.
func (a *Accounts) Get(ctx context.Context, username string) (Operator, error) {
	op, _, err := a.store.Operator(ctx, username)
	return op, err
}

// Count returns how many accounts exist (the console asks for a first administrator when none do).
func (a *Accounts) Count(ctx context.Context) (int, error) {
	ops, err := a.store.Operators(ctx)
	return len(ops), err
}
