package cli

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/auth"
	"github.com/tahqiq/tahqiq/internal/casework"
	"github.com/tahqiq/tahqiq/internal/keyfile"
)

func newOrgCmd(e *env) *cobra.Command {
	f := &caseFlags{}
	cmd := &cobra.Command{Use: "org", Short: "organisations, users, passwords and the store's signing key",
		Long: `Organisations, users and passwords.

Whoever runs these commands on the store itself (--data or --db) without
--as is the system administrator: it creates organisations and their
users (the first admins), sets passwords and disables users. With --as, an
organisation's admin manages its own organisation's users only, and any
user sets its own password. Passwords are read as one line from standard
input (--password-stdin), never from the command line.`}
	f.bind(cmd)
	// admin runs fn as the system administrator, or as --as.
	admin := func(cmd *cobra.Command, fn func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error)) error {
		return withActorAs(cmd, e, f, true, (*casework.Service).AdminActor, fn)
	}
	var stdinPw bool
	password := func() (string, error) {
		if !stdinPw {
			return "", nil
		}
		return readPassword(e.stdin)
	}

	var org, adminName string
	initC := &cobra.Command{Use: "init", Short: "first run: create the organisation, its first admin and the signing key", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if org == "" || adminName == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "org init: --org NAME and --admin USER are required")
			}
			hash, err := password()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(e.dataDir, 0o750); err != nil {
				return err
			}
			s, db, err := openCasework(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			if s.Signer != nil {
				return tahqiq.Errorf(tahqiq.ECONFLICT, "org init: %s is initialised already", e.dataDir)
			}
			if has, err := s.HasOrganisations(ctx); err != nil || has {
				return cmpErr(err, tahqiq.Errorf(tahqiq.ECONFLICT, "org init: the store has organisations already"))
			}
			signer, v, err := keyfile.CreateKey(e.dataDir, keyName(org))
			if err != nil {
				return err
			}
			s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
			var o tahqiq.Organisation
			var u tahqiq.User
			if hash != "" {
				o, u, err = s.Setup(ctx, org, adminName, hash)
			} else {
				o, u, err = s.InitOrg(ctx, org, adminName)
			}
			if err != nil {
				return err
			}
			if _, err := s.Checkpoint(ctx); err != nil {
				return err
			}
			if !f.json {
				fmt.Fprintf(e.stderr, "signing key written to %s (mode 0600): back it up offline; public key: %s\n",
					filepath.Join(e.dataDir, keyfile.KeyFile), filepath.Join(e.dataDir, keyfile.PubKeyFile))
				if hash == "" {
					fmt.Fprintf(e.stderr, "%s has no password yet: to log in to tahqiq serve, give one with tahqiq org passwd %s --password-stdin\n", adminName, adminName)
				}
			}
			return printOut(e, f.json, orgOut{OrgID: o.ID, Org: o.Name, UserID: u.ID, User: u.Name})
		}}
	initC.Flags().StringVar(&org, "org", "", "organisation name")
	initC.Flags().StringVar(&adminName, "admin", "", "first admin's user name")
	initC.Flags().BoolVar(&stdinPw, "password-stdin", false, "read the admin's password (one line) from standard input")

	addOrg := &cobra.Command{Use: "add NAME", Short: "add an organisation, e.g. a partner to share cases with (system administrator)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return admin(cmd, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				o, err := s.AddOrg(ctx, a, args[0])
				return orgAdded{ID: o.ID, Name: o.Name}, err
			})
		}}

	var role, inOrg string
	addUser := &cobra.Command{Use: "add-user NAME", Short: "add a user (system administrator: to --org; an admin: to its own organisation)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			hash, err := password()
			if err != nil {
				return err
			}
			return admin(cmd, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				u, err := s.AddUser(ctx, a, inOrg, args[0], tahqiq.Role(role), hash)
				if err != nil {
					return nil, err
				}
				out := userAdded{ID: u.ID, Name: u.Name, OrgID: u.OrgID, Role: u.Role, Org: u.OrgID}
				if o, err := s.FindOrg(ctx, u.OrgID); err == nil {
					out.Org = o.Name
				}
				return out, nil
			})
		}}
	addUser.Flags().StringVar(&role, "role", "investigator", "admin, investigator, reviewer or viewer")
	addUser.Flags().StringVar(&inOrg, "org", "", "organisation ID or name (an admin: its own, the default)")
	addUser.Flags().BoolVar(&stdinPw, "password-stdin", false, "read the user's password (one line) from standard input")

	passwd := &cobra.Command{Use: "passwd NAME --password-stdin", Short: "set a user's password, read as one line from standard input", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !stdinPw {
				return tahqiq.Errorf(tahqiq.EINVALID, "org passwd: give the password on standard input with --password-stdin")
			}
			hash, err := password()
			if err != nil {
				return err
			}
			return admin(cmd, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				u, err := s.Store.FindUserByName(ctx, args[0])
				if err != nil {
					return nil, err
				}
				if err := s.SetPassword(ctx, a, u.ID, hash); err != nil {
					return nil, byName(err, args[0])
				}
				return text(fmt.Sprintf("password set for %s; its sessions ended", u.Name)), nil
			})
		}}
	passwd.Flags().BoolVar(&stdinPw, "password-stdin", false, "read the password (one line) from standard input")

	state := func(disabled bool) func(cmd *cobra.Command, args []string) error {
		return func(cmd *cobra.Command, args []string) error {
			return admin(cmd, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				u, err := s.Store.FindUserByName(ctx, args[0])
				if err != nil {
					return nil, err
				}
				if u, err = s.SetUserDisabled(ctx, a, u.ID, disabled); err != nil {
					return nil, byName(err, args[0])
				}
				if disabled {
					return text(fmt.Sprintf("user %s disabled: its sessions ended and its API tokens are revoked", u.Name)), nil
				}
				return text(fmt.Sprintf("user %s enabled (its old API tokens stay revoked)", u.Name)), nil
			})
		}
	}
	disable := &cobra.Command{Use: "disable-user NAME", Short: "disable a user: kept (the log names it), it no longer logs in or acts", Args: cobra.ExactArgs(1), RunE: state(true)}
	enable := &cobra.Command{Use: "enable-user NAME", Short: "enable a disabled user again", Args: cobra.ExactArgs(1), RunE: state(false)}

	list := &cobra.Command{Use: "list", Short: "organisations and the users you manage", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withActorAs(cmd, e, f, false, (*casework.Service).AdminActor, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				orgs, err := s.Store.FindOrganisations(ctx)
				if err != nil {
					return nil, err
				}
				us, err := s.Users(ctx, a)
				if err != nil {
					return nil, err
				}
				orgName := map[string]string{}
				for _, o := range orgs {
					orgName[o.ID] = o.Name
				}
				if f.json {
					type userJSON struct {
						tahqiq.User
						OrgName string `json:"org_name"`
					}
					list := make([]userJSON, len(us))
					for i, u := range us {
						list[i] = userJSON{u, orgName[u.OrgID]}
					}
					return map[string]any{"organisations": orgs, "users": list}, nil
				}
				var b strings.Builder
				tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ORGANISATION\tID")
				for _, o := range orgs {
					fmt.Fprintf(tw, "%s\t%s\n", o.Name, o.ID)
				}
				fmt.Fprintln(tw, "\nUSER\tID\tORGANISATION\tROLE\tSTATE")
				for _, u := range us {
					st := "active"
					if u.Disabled {
						st = "disabled"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.ID, cmp.Or(orgName[u.OrgID], u.OrgID), u.Role, st)
				}
				tw.Flush()
				return text(strings.TrimSuffix(b.String(), "\n")), nil
			})
		}}
	cmd.AddCommand(initC, addOrg, addUser, passwd, disable, enable, list)
	for _, c := range []*cobra.Command{initC, addOrg, addUser} { // organisations and users may be the store's first content; list, passwd, disable and enable need a store
		if run := c.RunE; run != nil {
			c.RunE = func(cmd *cobra.Command, args []string) error {
				e.creates = true
				return run(cmd, args)
			}
		}
	}
	return cmd
}

// readPassword reads a password as one line of r (the line end is not
// part of it) and hashes it; auth.HashPassword refuses a short one.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "cannot read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", tahqiq.Errorf(tahqiq.EINVALID, "no password on standard input (one line)")
	}
	return auth.HashPassword(pw, auth.DefaultParams)
}

// byName says "no user NAME" for a user the actor may not manage (another
// organisation's), as for one that does not exist.
func byName(err error, name string) error {
	if tahqiq.ErrorCode(err) == tahqiq.ENOTFOUND {
		return tahqiq.Errorf(tahqiq.ENOTFOUND, "no user %q", name)
	}
	return err
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

type orgOut struct {
	OrgID  string `json:"org_id"`
	Org    string `json:"org"` // its name
	UserID string `json:"user_id"`
	User   string `json:"user"`
}

func (o orgOut) String() string {
	return fmt.Sprintf("organisation %s [%s], admin %s [%s]", o.Org, o.OrgID, o.User, o.UserID)
}

// orgAdded is what org add made: the organisation's ID (as before, for
// tools: --json's "id") and its name.
type orgAdded struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (o orgAdded) String() string { return fmt.Sprintf("organisation %s added [%s]", o.Name, o.ID) }

// userAdded is what org add-user made.
type userAdded struct {
	ID    string      `json:"id"`
	Name  string      `json:"name"`
	OrgID string      `json:"org_id"`
	Org   string      `json:"org"` // its name
	Role  tahqiq.Role `json:"role"`
}

func (u userAdded) String() string {
	return fmt.Sprintf("user %s added to %s as %s [%s]", u.Name, u.Org, u.Role, u.ID)
}

// keyName makes a note key name from an organisation name.
func keyName(org string) string {
	b := []rune{}
	for _, r := range org {
		switch {
		case r == ' ' || r == '+' || r < 0x21:
			b = append(b, '-')
		default:
			b = append(b, r)
		}
	}
	return "tahqiq/" + string(b)
}
