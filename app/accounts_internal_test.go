package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

// hashStore is the smallest operator store: accounts and their hashes, nothing else.
type hashStore struct {
	OperatorStore
	hashes map[string][]byte
}

func (s hashStore) Operators(context.Context) ([]Operator, error) {
	var ops []Operator
	for u := range s.hashes {
		ops = append(ops, Operator{Username: u})
	}
	return ops, nil
}

func (s hashStore) Operator(_ context.Context, u string) (Operator, []byte, error) {
	h, ok := s.hashes[u]
	if !ok {
		return Operator{}, nil, Errorf(CodeNotFound, "no such operator")
	}
	return Operator{Username: u, Role: RoleAdmin}, h, nil
}

// An unknown name costs the same bcrypt work as a known one: the dummy hash it is compared
// against has the accounts' own cost, whatever that is set to.
func TestTheDummyHashCostsWhatARealOneCosts(t *testing.T) {
	a := NewAccounts(hashStore{hashes: map[string][]byte{}}, nil, SystemClock{})
	for _, cost := range []int{bcrypt.MinCost, bcrypt.MinCost + 2} {
		a.Cost = cost
		c, err := bcrypt.Cost(a.dummyHash(context.Background()))
		assert.NoError(t, err)
		assert.Equal(t, cost, c)
	}
}

// An attacker times the answers to tell which user names exist: an unknown name must cost
// one bcrypt comparison of the same cost as a known one's, also when the stored hashes were
// made with a higher cost than the one set now (an older version, another setting). The
// calls and their costs are counted, not timed.
func TestAttackUnknownUserNamesCostWhatKnownOnesCost(t *testing.T) {
	ctx := context.Background()
	h, err := bcrypt.GenerateFromPassword([]byte("admin-password-1"), bcrypt.MinCost+2)
	require.NoError(t, err)
	a := NewAccounts(hashStore{hashes: map[string][]byte{"admin": h}}, nil, SystemClock{})
	a.Cost = bcrypt.MinCost
	var costs []int
	a.compare = func(hash, pw []byte) error {
		c, err := bcrypt.Cost(hash)
		require.NoError(t, err)
		costs = append(costs, c)
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	_, err = a.Verify(ctx, "admin", "wrong-password")
	assert.Error(t, err)
	_, err = a.Verify(ctx, "nobody", "wrong-password")
	assert.Error(t, err)
	assert.Equal(t, []int{bcrypt.MinCost + 2, bcrypt.MinCost + 2}, costs, "one comparison each, at the stored hash's cost")
}

// A password typed into the user-name field keeps only its first character and its length;
// the subject is a keyed hash: the same name under the same key, another under another.
func TestAnUnknownUserNameIsMaskedAndHashed(t *testing.T) {
	a := NewAccounts(nil, nil, SystemClock{})
	a.SetNameKey([]byte("k1"))
	who := a.attemptOf("Tr0ub4dor&3", false, SystemClock{}.Now())
	assert.Equal(t, FailedSignIn{Unknown: true, Masked: "T**********"}, who.data)
	assert.NotContains(t, who.subject, "Tr0ub4dor")
	assert.Equal(t, who.subject, a.attemptOf("Tr0ub4dor&3", false, SystemClock{}.Now()).subject)
	b := NewAccounts(nil, nil, SystemClock{})
	b.SetNameKey([]byte("k2"))
	assert.NotEqual(t, who.subject, b.attemptOf("Tr0ub4dor&3", false, SystemClock{}.Now()).subject)
	assert.Equal(t, "消*", MaskUserName("消防"))
	assert.Equal(t, FailedSignIn{Username: "admin"}, a.attemptOf("admin", true, SystemClock{}.Now()).data, "a known name is journaled as it is")
}
