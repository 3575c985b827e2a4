package app

import "errors"

// ProblemsOf returns the problems an error carries, each naming its field where it has one:
// the one *Error, or each of those a Problems.Err joined. Dialogs show each under its field.
func ProblemsOf(err error) Problems {
	var out Problems
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok && e.Message != "{{.List}}" {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		walk(errors.Unwrap(err))
	}
	walk(err)
	return out
}

// Fields lists the fields the problems are about, in order, each once.
func (p Problems) Fields() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range p {
		if e.Field != "" && !seen[e.Field] {
			seen[e.Field] = true
			out = append(out, e.Field)
		}
	}
	return out
}
