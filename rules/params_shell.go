package rules

import (
	"strings"

	"github.com/evtrigger/evtrigger/task"
)

// shellTemplate is a shell task with its templates parsed.
type shellTemplate struct {
	script string
	args   []*template
	env    namedTemplates
	dir    string
}

// compileShell validates a shell task's parameters: script (required, no placeholder), args,
// env and dir (no placeholder), and the shell -c rule of checkShellArgs.
func compileShell(params map[string]any, rep *reporter) *shellTemplate {
	checkParamKeys(params, task.TypeShell, "script args env dir", rep)
	st := &shellTemplate{}
	script, ok := paramString(params, "script", rep)
	switch {
	case !ok:
	case script == "":
		rep.addf("parameters.script", "required: the path of the executable to run")
	case strings.Contains(script, "${"):
		rep.addf("parameters.script", "placeholder in script: the executable never comes from event data")
	}
	st.script = script
	if v, ok := params["args"]; ok && v != nil {
		var raw []string
		raw, st.args = templateList(v, "parameters.args", rep)
		checkShellArgs(script, raw, st.args, rep)
	}
	if v, ok := params["env"]; ok && v != nil {
		st.env = templateMap(v, "parameters.env", validEnvName, rep)
	}
	dir, ok := paramString(params, "dir", rep)
	if ok && strings.Contains(dir, "${") {
		rep.addf("parameters.dir", "placeholder in dir: the working directory never comes from event data")
	}
	st.dir = dir
	return st
}

// render returns the shell task for one event: each arg is exactly one argv element.
func (st *shellTemplate) render(v *values) (*task.Shell, error) {
	sh := &task.Shell{Script: st.script, Dir: st.dir}
	if len(st.args) > 0 {
		sh.Args = make([]string, len(st.args))
	}
	for i, t := range st.args {
		s, err := t.render(v)
		if err != nil {
			return nil, err
		}
		sh.Args[i] = s
	}
	env, err := st.env.render(v)
	if err != nil {
		return nil, err
	}
	sh.Env = env
	return sh, nil
}
