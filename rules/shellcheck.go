package rules

import (
	"path/filepath"
	"strconv"
	"strings"
)

// msgShellText is the issue for a placeholder in the text a shell runs with -c.
const msgShellText = "placeholder in shell script text: pass event values as positional arguments or env instead"

// isShell reports whether the program base name is a shell that could run text as a script.
func isShell(name string) bool {
	switch name {
	case "sh", "bash", "dash", "zsh", "ksh", "ash", "busybox", "hush":
		return true
	}
	return false
}

// checkShellArgs reports shell-task args whose placeholders could become shell syntax or choose
// what runs: when the program is a shell (possibly through env or busybox), the options and the
// first operand (the script text after -c, or the script file) may not contain a placeholder.
// Operands after it are the script's positional parameters, which are safe. args and tmpls are
// parallel; tmpls may hold nil for args that did not parse.
func checkShellArgs(script string, args []string, tmpls []*template, rep *reporter) {
	prog, i := filepath.Base(script), 0
	for {
		switch {
		case prog == "env":
			for i < len(args) && (strings.HasPrefix(args[i], "-") || strings.Contains(args[i], "=")) {
				i++
			}
		case prog == "busybox":
			// busybox runs the applet named by its first argument.
		case isShell(prog):
			checkShellOptions(args, tmpls, i, rep)
			return
		default:
			return
		}
		if i >= len(args) {
			return
		}
		if hasRefs(tmpls[i]) {
			rep.addf(argField(i), "placeholder in the program to run: the executable never comes from event data")
			return
		}
		prog, i = filepath.Base(args[i]), i+1
	}
}

// checkShellOptions scans a shell's arguments from index i: options (and their arguments), then
// the first operand. None of them may contain a placeholder.
func checkShellOptions(args []string, tmpls []*template, i int, rep *reporter) {
	cmd, pending := false, 0
	for ; i < len(args); i++ {
		a := args[i]
		if hasRefs(tmpls[i]) {
			if cmd && pending <= 0 {
				rep.addf(argField(i), msgShellText)
			} else {
				rep.addf(argField(i), "placeholder in a shell option or script path: "+
					"pass event values as positional arguments or env instead")
			}
			return
		}
		switch {
		case pending > 0:
			pending--
		case pending < 0:
			return // the operand after "--": a literal
		case a == "--" || a == "-":
			pending = -1 // the next argument is the operand
		case a == "--rcfile" || a == "--init-file":
			pending = 1
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			cmd = cmd || a[0] == '-' && strings.ContainsRune(a[1:], 'c')
			pending = strings.Count(a[1:], "o") + strings.Count(a[1:], "O") // -o NAME
		default:
			return // the first operand: a literal
		}
	}
}

// hasRefs reports whether t is a parsed template with a placeholder.
func hasRefs(t *template) bool { return t != nil && t.hasRefs() }

// argField is the field path of shell argument i.
func argField(i int) string { return "parameters.args[" + strconv.Itoa(i) + "]" }
