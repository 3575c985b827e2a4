package cli

import "flag"

// parseArgs parses a command's arguments with its flag set and returns the words that are
// not flags, in their order: flags may come before or after the words (plans import FILE
// --data DIR, replay --at end drill:3). A word that starts with a dash follows "--".
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return words, nil
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newFlags is a command's flag set: its errors are said on stderr and returned.
func newFlags(name string, s Streams) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.Err)
	return fs
}
