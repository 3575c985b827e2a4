package app

import (
	"context"
	"strings"
	"sync"
	"time"

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
	failures map[string][]time.Time
	dummy    []byte // see dummyHash
}

// Lockout policy: this many failures within the window lock the name for the window.
const (
	MaxSignInFailures = 5
	SignInLockout     = 2 * time.Minute
)

// NewAccounts builds the service.
func NewAccounts(store OperatorStore, rec *Recorder, clock Clock) *Accounts {
	return &Accounts{store: store, rec: rec, clock: clock, Cost: bcrypt.DefaultCost, failures: map[string][]time.Time{}}
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
	op, rejected, err := a.check(ctx, username, password)
	if rejected {
		e := NewEntry(KindSignInFailed, SubjectOperator(username), SystemActor, map[string]string{"username": username})
		if _, rerr := a.rec.Record(ctx, e); rerr != nil {
			return nil, rerr
		}
	}
	return op, err
}

// Verify checks a password and records nothing: a command-line read, whose database is open
// read-only, signs in so (the lockout counts its failures all the same).
func (a *Accounts) Verify(ctx context.Context, username, password string) (*Operator, error) {
	op, _, err := a.check(ctx, strings.TrimSpace(username), password)
	return op, err
}

// check verifies a user name and password without recording anything: SignIn journals
// what it means, a shift handover journals only the handover. Both share the lockout, so
// the handover dialog is no way around it. rejected: the name and password were compared
// and refused (a failure that counts), as opposed to a lockout or a store error.
func (a *Accounts) check(ctx context.Context, username, password string) (op *Operator, rejected bool, err error) {
	now := a.clock.Now()
	if wait := a.lockedFor(username, now); wait > 0 {
		return nil, false, Errorf(CodeUnauthenticated, "Too many failed attempts for {{.U}}: try again in {{.S}} s", "U", username, "S", int(wait.Seconds()+0.5))
	}
	found, hash, err := a.store.Operator(ctx, username)
	if err != nil && !IsCode(err, CodeNotFound) {
		return nil, false, err
	}
	ok := err == nil && !found.Disabled && bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
	if err != nil {
		// Spend the same time as a real comparison so a caller cannot tell names that exist.
		_ = bcrypt.CompareHashAndPassword(a.dummyHash(), []byte(password))
	}
	if !ok {
		a.fail(username, now)
		if err == nil && found.Disabled {
			return nil, true, Errorf(CodeUnauthenticated, "The account {{.U}} is disabled", "U", username)
		}
		return nil, true, errBadCredentials
	}
	a.mu.Lock()
	delete(a.failures, username)
	a.mu.Unlock()
	return &found, false, nil
}

// dummyHash is a bcrypt hash of nothing useful, compared against for unknown names. It has
// the cost real hashes have: a cheaper one would tell by its speed which names exist.
func (a *Accounts) dummyHash() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, err := bcrypt.Cost(a.dummy); err != nil || c != a.Cost {
		a.dummy, _ = bcrypt.GenerateFromPassword([]byte("watchpost-no-such-user"), a.Cost)
	}
	return a.dummy
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
	by := SystemActor
	if actor != nil {
		if err := Authorize(actor, ActManageOperators); err != nil {
			return Operator{}, err
		}
		by = actor.Username
	}
	op.Username = strings.TrimSpace(op.Username)
	if op.CreatedAt.IsZero() {
		op.CreatedAt = a.clock.Now()
	}
	if err := op.Validate(); err != nil {
		return Operator{}, err
	}
	if policy {
		if err := CheckPasswordFor(op.Username, password); err != nil {
			return Operator{}, err
		}
	}
	op.MustChange = false
	if _, _, err := a.store.Operator(ctx, op.Username); err == nil {
		return Operator{}, Errorf(CodeConflict, "The user name {{.U}} is taken", "U", op.Username)
	}
	hash, err := a.hash(password)
	if err != nil {
		return Operator{}, err
	}
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
	if bcrypt.CompareHashAndPassword(hash, []byte(old)) != nil {
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
