package devices

// A site with its own Mosquitto must be as closed as the embedded broker: the same
// accounts, written as Mosquitto's password file and ACL file.
//
// Watchpost keeps only keyed hashes of the devices' passwords, which Mosquitto cannot read,
// so a device's line of the password file can only be written when its password is made
// (added, adopted, regenerated): `watchpost devices credentials DEVICE --mosquitto DIR`
// updates that device's line in DIR/passwd and leaves the others, and `--all` regenerates
// every device's credentials and writes the whole file at once. The ACL file holds no
// secret: pattern lines that limit every device account (its user name is its ID) to its own
// topics, and the console account's lines.
//
// The password file is Mosquitto 2.0's format (mosquitto_passwd): user:$7$101$salt$hash,
// PBKDF2-SHA512 with 101 iterations, a 12-byte salt and a 64-byte key, both in standard
// base64 (checked against Debian's mosquitto 2.0.11 by its tests).

import (
	"bufio"
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Mosquitto's own numbers for its $7$ hashes (mosquitto_passwd 2.0).
const (
	mosquittoIterations = 101
	mosquittoSaltLen    = 12
	mosquittoKeyLen     = 64
)

// MosquittoPasswordLine is one line of a Mosquitto 2.0 password file (without newline).
func MosquittoPasswordLine(user, password string) string {
	salt := make([]byte, mosquittoSaltLen)
	_, _ = rand.Read(salt)
	return mosquittoLine(user, password, salt)
}

func mosquittoLine(user, password string, salt []byte) string {
	key, err := pbkdf2.Key(sha512.New, password, salt, mosquittoIterations, mosquittoKeyLen)
	if err != nil {
		panic("devices: pbkdf2: " + err.Error()) // only for key lengths out of range
	}
	return fmt.Sprintf("%s:$7$%d$%s$%s", user, mosquittoIterations,
		base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(key))
}

// UpdateMosquittoPasswords writes users' new passwords into the password file at path: their
// lines replaced (or added), every other line kept as it was. The file is written whole
// and renamed into place, mode 0600 (give it to the mosquitto user: chown mosquitto).
func UpdateMosquittoPasswords(path string, passwords map[string]string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var out bytes.Buffer
	done := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		line := sc.Text()
		user, _, found := strings.Cut(line, ":")
		if pw, ok := passwords[user]; ok && found && !strings.HasPrefix(line, "#") {
			if !done[user] {
				out.WriteString(MosquittoPasswordLine(user, pw) + "\n")
				done[user] = true
			}
			continue
		}
		if line != "" {
			out.WriteString(line + "\n")
		}
	}
	users := make([]string, 0, len(passwords))
	for u := range passwords {
		if !done[u] {
			users = append(users, u)
		}
	}
	sort.Strings(users)
	for _, u := range users {
		if strings.ContainsAny(u, ":\n") {
			return fmt.Errorf("the user name %q cannot be written to a Mosquitto password file", u)
		}
		out.WriteString(MosquittoPasswordLine(u, passwords[u]) + "\n")
	}
	return writeFileAtomic(path, out.Bytes())
}

// MosquittoACL is the ACL file of a site's Mosquitto: each device account (user name = its
// ID) publishes only under watchpost/<site>/<its ID>/ and reads only its command topic; the
// console account reads and writes everything under watchpost/.
func MosquittoACL(site, consoleUser string) string {
	return fmt.Sprintf(`# Watchpost: the accounts of site %[1]s (written by watchpost devices credentials).
# Every device's user name is its ID (%%u): it publishes only its own topics and reads
# only its own command topic. Set use_username_as_clientid true in mosquitto.conf so that
# no account can take a device's client ID; each account then holds one connection, so
# tools (mosquitto_sub) need an account of their own, never the console's: add one with
# mosquitto_passwd and give it "user NAME" and "topic read watchpost/#" below.
pattern write %[2]s/%[1]s/%%u/#
pattern read %[2]s/%[1]s/%%u/command

# The console's account (broker.username in Watchpost's configuration).
user %[3]s
topic readwrite %[2]s/#
`, site, TopicRoot, consoleUser)
}

// WriteMosquittoFiles writes the ACL file (dir/acl) and the given accounts' lines of the
// password file (dir/passwd, others kept), both 0600.
func WriteMosquittoFiles(dir, site, consoleUser string, passwords map[string]string) (passwd, acl string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", err
	}
	passwd, acl = filepath.Join(dir, "passwd"), filepath.Join(dir, "acl")
	if err := UpdateMosquittoPasswords(passwd, passwords); err != nil {
		return "", "", err
	}
	return passwd, acl, writeFileAtomic(acl, []byte(MosquittoACL(site, consoleUser)))
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
