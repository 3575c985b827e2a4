package app

import "context"

// DemoAccount is an operator of the demo community with its published password.
type DemoAccount struct {
	Operator
	Password string `json:"password"`
}

// DemoDutyOperator is signed in automatically on the demo site.
const DemoDutyOperator = "duty"

// SeedDemo sets up the demo community on an empty database: its accounts (those missing),
// then its site. It is safe to run again after a crash halfway: accounts come first and
// are skipped when present, and the site is seeded only while there is none.
func SeedDemo(ctx context.Context, inv *Inventory, acc *Accounts, site *Site, accounts []DemoAccount) error {
	if !site.Demo {
		return Errorf(CodeInvalid, "The demo site file is not marked as a demo")
	}
	if _, err := seedDemoAccounts(ctx, acc, accounts); err != nil {
		return err
	}
	if inv.Site() != nil {
		return nil
	}
	return inv.Seed(ctx, site)
}

// seedDemoAccounts adds the demo's accounts that are missing and returns how many it added.
// The demo's accounts keep their published password (sunshine-demo), which the policy
// refuses everywhere else: seeding them is the one way past it. All of them share it, so it
// is hashed once and the hash shared (the password is printed in the README: one salt for
// all hides nothing), which keeps bcrypt's tens of milliseconds an account out of the first
// start.
func seedDemoAccounts(ctx context.Context, acc *Accounts, accounts []DemoAccount) (int, error) {
	hashes := map[string][]byte{}
	n := 0
	for _, da := range accounts {
		if _, err := acc.Get(ctx, da.Username); err == nil {
			continue
		} else if !IsCode(err, CodeNotFound) {
			return n, err
		}
		by, op, err := acc.checkNew(ctx, nil, da.Operator, da.Password, false)
		if err != nil {
			return n, err
		}
		hash, ok := hashes[da.Password]
		if !ok {
			if hash, err = acc.hash(da.Password); err != nil {
				return n, err
			}
			hashes[da.Password] = hash
		}
		if _, err := acc.insert(ctx, by, op, hash); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SignInDemo signs an operator in without a password, which only the demo site allows
// (the console shows a DEMO badge all the while).
func (a *Accounts) SignInDemo(ctx context.Context, site *Site, username string) (*Operator, error) {
	if site == nil || !site.Demo {
		return nil, Errorf(CodeForbidden, "Automatic sign-in is only available on the demo site")
	}
	op, _, err := a.store.Operator(ctx, username)
	if err != nil {
		return nil, err
	}
	if op.Disabled {
		return nil, Errorf(CodeUnauthenticated, "The account {{.U}} is disabled", "U", username)
	}
	if err := ConsoleAccess(op.Role, ""); err != nil { // its role was changed to one of the phone pages'
		return nil, err
	}
	e := NewEntry(KindSignedIn, SubjectOperator(username), username, map[string]bool{"automatic": true})
	if _, err := a.rec.Record(ctx, e); err != nil {
		return nil, err
	}
	return &op, nil
}
