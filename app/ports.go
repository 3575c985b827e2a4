package app

import (
	"context"
	"time"
)

// Clock tells the time; tests and replay drive their own.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// SiteStore reads the site inventory. Writes go through the journal (site.* entries), which
// the store projects into its tables in the same transaction.
type SiteStore interface {
	// LoadSite returns the site, or an error with CodeNotFound when none was set up yet.
	LoadSite(ctx context.Context) (*Site, error)
	// ReplaceSite sets up the site and journals e in the same transaction. e carries the
	// site without camera passwords, which only the store keeps.
	ReplaceSite(ctx context.Context, s *Site, e Entry) (Entry, error)
	// UpdateCamera changes one camera and journals e (without passwords) with it.
	UpdateCamera(ctx context.Context, c Camera, e Entry) (Entry, error)
}

// AlarmQuery selects alarms. Zero fields do not filter.
type AlarmQuery struct {
	OpenOnly bool
	Since    time.Time // raised at or after
	Limit    int
}

// AlarmStore reads alarms. Writes go through the journal (alarm.* entries).
type AlarmStore interface {
	Alarms(ctx context.Context, q AlarmQuery) ([]Alarm, error)
	Alarm(ctx context.Context, id int64) (Alarm, error)
}

// OperatorStore keeps operator accounts. Password hashes are stored here and never in the
// journal; each write also appends its journal entry in the same transaction.
type OperatorStore interface {
	Operators(ctx context.Context) ([]Operator, error)
	// Operator returns the account and its password hash (CodeNotFound if none).
	Operator(ctx context.Context, username string) (Operator, []byte, error)
	CreateOperator(ctx context.Context, op Operator, hash []byte, e Entry) (Entry, error)
	// SetPassword sets the operator's own new password (and clears MustChange).
	SetPassword(ctx context.Context, username string, hash []byte, e Entry) (Entry, error)
	// ResetPassword sets a password an administrator gave, which the operator must change (MustChange).
	ResetPassword(ctx context.Context, username string, hash []byte, e Entry) (Entry, error)
	// UpdateOperator saves an account's name, phone, role and state (not its password).
	UpdateOperator(ctx context.Context, op Operator, e Entry) (Entry, error)
}
