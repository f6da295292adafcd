// Package rules holds trigger rules: their model, YAML loading, CEL compilation and evaluation,
// the index by event type, and the rendering of a matched rule's task.
//
// # Rule files
//
// A rule file is YAML: a mapping with the single key taskTriggerRules holding a list of rules
// (the seed's format), or a bare list of rules. Several YAML documents ("---") in one file are
// all read. Aliases and merge keys ("<<") are honoured.
//
//	taskTriggerRules:
//	  - ruleId: order-created-trigger        # required, ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$, unique
//	    ruleName: High-value orders          # optional
//	    eventType: order.created             # required: exact type or pattern, see below
//	    schedule: "*/5 * * * *"              # optional: fire on a schedule, see below
//	    condition: payload.amount > 1000     # optional CEL, must yield a bool; empty means true
//	    orderBy: payload.orderId             # optional CEL, a string or number: see Ordering
//	    taskName: high-value-order           # default: the ruleId
//	    taskType: shell                      # required: shell or http
//	    parameters:                          # per task type, see below
//	      script: /opt/tasks/process.sh
//	      args: ["${payload.orderId}", "${payload.amount}"]
//	    priority: HIGH                       # HIGH, MEDIUM or LOW, any case; default MEDIUM
//	    enabled: true                        # default true
//	    timeout: 10m                         # one attempt; default 10m
//	    retry:                               # every field optional
//	      maxAttempts: 3                     # >= 1, default 3 (the first attempt included)
//	      initialInterval: 1s                # > 0, default 1s
//	      backoff: 2.0                       # >= 1, default 2.0
//	      maxInterval: 1m                    # >= initialInterval, default max(1m, initialInterval)
//	    concurrency: 5                       # optional: at most 5 of its tasks run at once
//	    rateLimit: 10/s                      # optional: at most 10 task starts per second
//	    description: ...
//	    version: 1                           # default 1
//
// Durations are written "30s", "1m30s" (Go syntax) or as a number of seconds. The seed's form
// parameters.timeout (a number of seconds) is accepted too; it is moved to the rule's Timeout, and
// setting both is an error. Unknown fields, in a rule, its retry or its parameters, are errors.
//
// Shell parameters: script (required; the executable, run directly without a shell; it may not
// contain a placeholder), args (list of strings), env (map of NAME to string) and dir (working
// directory, no placeholder). When script is a shell (sh, bash, dash, zsh, ksh, ash, busybox) run
// with -c, the script text after -c may not contain a placeholder: pass event values as
// positional arguments ("$1") or environment variables instead, so payload values never become
// shell syntax. The same holds for shell options and a script file operand, and through env and
// busybox. Write the shell's own ${VAR} as $${VAR}, or as $VAR.
//
// HTTP parameters: url (required; without placeholders it must be an absolute http or https URL;
// a rendered URL is checked the same way), method (GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS,
// any case; default POST), headers (map of name to string), body (a string, or a YAML map or list
// sent as JSON with Content-Type application/json unless a Content-Type header is set) and
// acceptStatus (list of status codes 100-599; any 2xx when empty).
//
// LoadFile, LoadPath and Parse report every problem of every file at once in a *LoadError, each
// with its file:line:col; a CEL error points at the offending character of the condition.
//
// # Scheduled rules
//
// A rule with a schedule fires on its own: each firing is a synthetic event of type
// "schedule.<ruleId>" (ScheduleEventType), which the rule's eventType must be; it is filled in
// when left out. Other rules may listen to that type too. The schedule is "@every <duration>"
// (at least 1s), five cron fields (minute hour day-of-month month day-of-week, UTC) or a macro
// such as @daily; ParseSchedule gives the syntax. A bad schedule is a load error at its
// position. Package schedules turns these rules into Temporal Schedules.
//
// # Ordering
//
// orderBy is a CEL expression over the same variables as a condition, yielding a string or a
// number: the event's ordering key for the rule. The rule's tasks for events sharing a key run
// one at a time, in the order the events arrived (Set.OrderKeys gives the keys at the ingress;
// package workflows serialises the tasks). A compile error is reported at its position like a
// condition's; an evaluation error, a key that is not a string or number, an empty key or one
// over MaxOrderKeyLen bytes leaves the event unordered for that rule (OrderKey.Error says why).
//
// # Limits
//
// concurrency (1 to MaxConcurrency) caps how many of the rule's tasks run at once, across all
// workers; a task holds its place for its whole attempt series, retries and the waits between
// them included. rateLimit ("N/s", "N/m" or "N/h", N from 1 to MaxRateLimitCount, optionally
// followed by "burst B"; see ParseRateLimit) spaces the starts of its tasks one unit/N apart,
// so that any window of one unit holds at most N; the first start after a quiet spell goes at
// once. With a burst, up to B may start at once after a quiet spell (a token bucket of B
// tokens), and a window of one unit holds at most N+B-1. A retry is not a new start; an
// operator's retry is. Leaving a field out means no limit; writing concurrency: 0 is an error.
// Compensation tasks are not limited. The limits are recorded in each Match (Limits), so an
// event runs under the limits of the rule version that matched it. Package workflows enforces
// them with one limiter workflow per rule.
//
// # Event type patterns
//
// eventType is a dot-separated list of segments, matched against the event's type segment by
// segment (RabbitMQ topic style):
//
//	pattern = segment { "." segment }
//	segment = literal | "*" | "#"
//	literal = 1*( ALPHA / DIGIT / "_" / "-" )
//
// A literal matches itself (case-sensitive), "*" matches exactly one segment and "#" matches zero
// or more segments. So order.* matches order.created but neither order nor order.created.eu;
// order.# matches all three; *.created matches order.created; "*" alone matches every one-segment
// type and "#" alone matches every type. A pattern without wildcards is an exact type: such rules
// are found by a map lookup, so only pattern rules are matched one by one.
//
// # Conditions
//
// A condition is a CEL expression over three variables: event (id, type, source, destination,
// time as a timestamp, priority, payload, metadata), payload and metadata (maps of the event's
// payload and metadata; JSON numbers become int or double). int and double compare with each
// other (payload.amount > 1000 works for 1000.5). The ext strings library is available. Reading a
// missing key is an error for that rule (condition_error): test with has(payload.x) first.
// Evaluation is bounded by a cost limit, and a condition with a comprehension (all, exists, map,
// filter) also by a timeout (see EnvOptions).
//
// # Placeholders
//
// Shell args, env values, the HTTP url, header values and body are templates:
//
//	${eventId} ${eventType} ${source} ${destination} ${priority}
//	${timestamp}              the event time, RFC 3339 with nanoseconds, UTC
//	${payload.a.b}            a path into the payload; an integer segment indexes a list
//	${metadata.x}             a path into the metadata
//	${payload} ${metadata}    the whole map, as JSON
//	$${                       a literal "${"
//
// Templates are parsed at load time: an unknown root or an unclosed "${" is a load error. A
// missing field is a render error for that rule only (render_error). Strings render as they are,
// integers in decimal (a json.Number integer exactly, however long), other numbers in shortest
// form (no exponent for integral values below 1e21), booleans as true or false, null as null,
// maps and lists as compact JSON. Each arg renders into exactly one argv element, whatever it
// contains. In a JSON body, a string that is exactly one placeholder keeps the value's JSON type,
// so amount: "${payload.amount}" becomes a JSON number; map keys are not templates and the
// encoded object's keys are sorted.
package rules
