package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tahqiq/tahqiq"
	"github.com/tahqiq/tahqiq/internal/casework"
)

func newOrgCmd(e *env) *cobra.Command {
	f := &caseFlags{}
	cmd := &cobra.Command{Use: "org", Short: "organisations, users and the store's signing key"}
	f.bind(cmd)
	var org, admin string
	initC := &cobra.Command{Use: "init", Short: "first run: create the organisation, its first admin and the signing key", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if org == "" || admin == "" {
				return tahqiq.Errorf(tahqiq.EINVALID, "org init: --org NAME and --admin USER are required")
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
			signer, v, err := casework.CreateKey(e.dataDir, keyName(org))
			if err != nil {
				return err
			}
			s.Signer, s.LogKey, s.Origin = signer, v, signer.Name()
			o, u, err := s.InitOrg(ctx, org, admin)
			if err != nil {
				return err
			}
			if _, err := s.Checkpoint(ctx); err != nil {
				return err
			}
			if !f.json {
				fmt.Fprintf(e.stderr, "signing key written to %s (mode 0600): back it up offline; public key: %s\n",
					filepath.Join(e.dataDir, casework.KeyFile), filepath.Join(e.dataDir, casework.PubKeyFile))
			}
			return printOut(e, f.json, orgOut{OrgID: o.ID, UserID: u.ID, User: u.Name})
		}}
	initC.Flags().StringVar(&org, "org", "", "organisation name")
	initC.Flags().StringVar(&admin, "admin", "", "first admin's user name")

	addOrg := &cobra.Command{Use: "add NAME", Short: "add a partner organisation (admin)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				o, err := s.AddOrg(ctx, a, args[0])
				return idOut{o.ID}, err
			})
		}}
	var role, inOrg string
	addUser := &cobra.Command{Use: "add-user NAME", Short: "add a user (admin)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withActor(cmd, e, f, true, func(ctx context.Context, s *casework.Service, a tahqiq.User) (any, error) {
				u, err := s.AddUser(ctx, a, inOrg, args[0], tahqiq.Role(role))
				return idOut{u.ID}, err
			})
		}}
	addUser.Flags().StringVar(&role, "role", "investigator", "admin, investigator, reviewer or viewer")
	addUser.Flags().StringVar(&inOrg, "org", "", "organisation ID (default: yours)")
	cmd.AddCommand(initC, addOrg, addUser)
	return cmd
}

type orgOut struct {
	OrgID  string `json:"org_id"`
	UserID string `json:"user_id"`
	User   string `json:"user"`
}

func (o orgOut) String() string {
	return fmt.Sprintf("organisation %s, admin %s (%s)", o.OrgID, o.User, o.UserID)
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
