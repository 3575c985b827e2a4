package store

// AtSchema makes Open build and upgrade databases up to schema n only (a database of an
// older version, as an upgrade finds it), until the returned function puts it back.
func AtSchema(n int) (restore func()) {
	all := migrations
	migrations = all[:n]
	return func() { migrations = all }
}
