package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/dnsmesh/dmp/internal/config"

	"github.com/spf13/cobra"
)

const rootLong = `dnsmesh sends and receives end-to-end encrypted messages carried in DNS
TXT records (DMP, the DNS Mesh Protocol), through a coredns-dmp node.

Files live in --config-home, else $DMP_CONFIG_HOME, else ~/.dmp:
config.yaml (settings, KDF salt, TSIG key) and state.db (contacts, prekey
secrets, inbox, intro queue). The passphrase comes from $DMP_PASSPHRASE,
else the passphrase_file named in config.yaml, else a terminal prompt.

Exit codes:
  0  success
  1  error: configuration, local state, bad input, unknown contact
  2  network or node error: a query failed, a node refused an update
  3  usage error: unknown command or flag, bad flag value, wrong number of
     arguments, a message that is empty or too large
  4  wrong passphrase`

const rootExample = `  $ dnsmesh init alice --domain mesh.example --dns-server 127.0.0.1:53 \
      --register-url http://127.0.0.1:8053
  $ dnsmesh tsig register
  $ dnsmesh identity publish --advertise-v2
  $ dnsmesh identity refresh-prekeys
  $ dnsmesh identity fetch bob@mesh.example --add
  $ dnsmesh send bob@mesh.example "hello bob"
  $ dnsmesh recv`

// newRootCommand builds the command tree.
func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "dnsmesh",
		Short:         "Send and receive end-to-end encrypted messages over DNS",
		Long:          rootLong,
		Example:       rootExample,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.home, "config-home", "",
		"folder of config.yaml and state.db (default $DMP_CONFIG_HOME or ~/.dmp)")
	root.PersistentFlags().StringVar(&a.dnsServer, "dns-server", "",
		"host:port of a node for reads and updates (default: from config)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if a.dnsServer != "" {
			if err := config.CheckServer(a.dnsServer); err != nil {
				return &usageError{err: fmt.Errorf("--dns-server: %w", err)}
			}
		}
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err: err}
	})
	root.AddCommand(newInitCommand(a), newTSIGCommand(a), newIdentityCommand(a),
		newContactsCommand(a), newSendCommand(a), newRecvCommand(a), newInboxCommand(a),
		newIntroCommand(a), newDoctorCommand(a))
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		refuseUnknownSubcommands(c)
	}
	return root
}

// refuseUnknownSubcommands makes c, when it is a group of commands, and
// every group under it fail with a usage error (exit 3) on an unknown or
// missing subcommand. Left alone, cobra prints a group's help and exits 0
// for "dnsmesh identity frob", so a typo in a script passes unnoticed.
func refuseUnknownSubcommands(c *cobra.Command) {
	if !c.HasSubCommands() {
		return
	}
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c.Runnable() {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return withHint(usagef("unknown command %q for %q", args[0], cmd.CommandPath()),
				subcommandsHint(cmd))
		}
		return nil
	}
	c.RunE = func(cmd *cobra.Command, _ []string) error {
		return withHint(usagef("%q needs a command", cmd.CommandPath()), subcommandsHint(cmd))
	}
	// Runnable now, the group would show "dnsmesh identity [flags]" as a
	// usage line of its own; only "dnsmesh identity [command]" is one.
	c.SetUsageTemplate(strings.Replace(c.UsageTemplate(), "{{if .Runnable}}",
		"{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
}

// subcommandsHint lists the commands of group c.
func subcommandsHint(c *cobra.Command) string {
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return fmt.Sprintf("its commands are %s; see '%s --help'", strings.Join(names, ", "),
		c.CommandPath())
}

// version returns Version, else the module version of the build.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// needArgs returns a cobra argument check that reports a usage error.
func needArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			if min == max {
				return usagef("%s takes %d argument(s), got %d", cmd.CommandPath(), min, len(args))
			}
			return usagef("%s takes %d to %d arguments, got %d", cmd.CommandPath(), min, max,
				len(args))
		}
		return nil
	}
}
