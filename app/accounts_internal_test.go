package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/crypto/bcrypt"
)

// An unknown name costs the same bcrypt work as a known one: the dummy hash it is compared
// against has the accounts' own cost, whatever that is set to.
func TestTheDummyHashCostsWhatARealOneCosts(t *testing.T) {
	a := NewAccounts(nil, nil, SystemClock{})
	for _, cost := range []int{bcrypt.MinCost, bcrypt.MinCost + 2} {
		a.Cost = cost
		c, err := bcrypt.Cost(a.dummyHash())
		assert.NoError(t, err)
		assert.Equal(t, cost, c)
	}
}
