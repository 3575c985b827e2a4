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
	for _, da := range accounts {
		if _, err := acc.Get(ctx, da.Username); err == nil {
			continue
		} else if !IsCode(err, CodeNotFound) {
			return err
		}
		// The demo's accounts keep their published password (sunshine-demo), which the
		// policy refuses everywhere else: seeding them is the one way past it.
		if _, err := acc.create(ctx, nil, da.Operator, da.Password, false); err != nil {
			return err
		}
	}
	if inv.Site() != nil {
		return nil
	}
	return inv.Seed(ctx, site)
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
	e := NewEntry(KindSignedIn, SubjectOperator(username), username, map[string]bool{"automatic": true})
	if _, err := a.rec.Record(ctx, e); err != nil {
		return nil, err
	}
	return &op, nil
}
