package dev.lockstep.runbook;

import dev.lockstep.expr.ExpressionException;
import dev.lockstep.expr.Functions;
import dev.lockstep.expr.Root;
import dev.lockstep.expr.Template;
import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.CodeKey;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.Digests;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Suggest;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads a runbook (format v1) and validates all of it, reporting every problem as
 * {@code file:line:col: what was expected}.
 */
public final class RunbookLoader {
    public static final int FORMAT_VERSION = 1;
    /** A runbook's name is part of its lock file's name and of every run id: short enough for both. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /** A step id names its log file: short enough for any file system. */
    static final Pattern STEP_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern PARAM_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final List<String> TOP_KEYS =
            List.of("lockstep", "name", "title", "description", "context", "params", "steps", "rollback", "pointOfNoReturn", "downtime");
    private static final List<String> STEP_KEYS = List.of("id", "title", "description", "uses", "run", "with",
            "check", "outputs", "rollback", "confirm", "approve", "timeout", "retry", "idempotent", "irreversible", "logs");
    private static final List<String> PARAM_KEYS =
            List.of("default", "required", "secret", "pattern", "description", "env");

    /**
     * The result of a step with {@code logs.until}: the step ends when the line appears, so what
     * its type would have returned is not there to read; {@code matched} is the line (null when
     * the step ended before any line matched).
     */
    public static final ResultShape UNTIL_RESULT = ResultShape.object("matched", ResultShape.VALUE);

    private final StepTypes types;
    private final Contexts contexts;

    public RunbookLoader(StepTypes types) {
        this(types, Contexts.discover());
    }

    public RunbookLoader(StepTypes types, Contexts contexts) {
        this.types = types;
        this.contexts = contexts;
    }

    /** The kinds of place runbooks may name under {@code context}. */
    public Contexts contexts() {
        return contexts;
    }

    /** Reads at most {@link YamlReader#MAX_BYTES} bytes of strict UTF-8, then parses and validates them. */
    public Runbook load(Path file) {
        byte[] bytes = YamlReader.readBytes(file);
        return parse(YamlReader.decode(bytes, file.toString()), file, Lazy.of(() -> Digests.sha256(bytes)));
    }

    Runbook parse(String text, Path file, Lazy<String> checksum) {
        String fileName = file.toString();
        Problems problems = new Problems();
        Value tree = YamlReader.parse(text, fileName, problems);
        if (tree == null) {
            problems.add(new Position(fileName, 1, 1), "a runbook mapping with lockstep: 1, name and steps");
            throw new InvalidRunbookException(problems.sorted());
        }
        if (!(tree instanceof Value.Mapping top)) {
            problems.add(tree.position(), "expected a mapping with lockstep: 1, name and steps");
            throw new InvalidRunbookException(problems.sorted());
        }
        Runbook runbook = new Validator(problems).runbook(top, file, checksum);
        problems.throwIfAny();
        return runbook;
    }

    /** A step's result: its type's, or only the line when logs.until ends it (see {@link StepType#runsPastUntil}). */
    private static ResultShape stepResult(StepType<?> type, Action action, StepDef.LogPatterns logs) {
        if (logs.until() == null) return type.result(action.with());
        return type.runsPastUntil() ? type.result(action.with()).with("matched", ResultShape.VALUE) : UNTIL_RESULT;
    }

    /** Checks the runbook's structure and references, building the model as it goes. */
    private final class Validator {
        private final Problems problems;
        private final ConfigBinder binder;
        /** The checks nested in the action being read (wait's until), which go with it. */
        private Map<Value, Check> nestedChecks = new LinkedHashMap<>();
        private final Map<String, ParamDef> params = new LinkedHashMap<>();
        private Map<String, Runbook.Context> contextsInUse = Map.of();
        /** Kinds the runbook names under context, even when their mapping has problems: references to them are checked. */
        private final Map<String, ContextKind<?>> declaredKinds = new LinkedHashMap<>();
        /** Step id → index and declared outputs; filled before references are checked. */
        private final Map<String, Integer> stepIndex = new HashMap<>();
        private final Map<String, Set<String>> stepOutputs = new HashMap<>();
        /** How many steps' outputs the value being validated may read. */
        private int visibleNow;
        /** The runbook's folder, where files its steps name are read from. */
        private Path folder;

        Validator(Problems problems) {
            this.problems = problems;
            this.binder = new ConfigBinder(this::nestedCheck);
        }

        Runbook runbook(Value.Mapping top, Path file, Lazy<String> checksum) {
            folder = file.getParent() != null ? file.getParent() : Path.of("");
            Fields f = new Fields(top, "the runbook", TOP_KEYS);
            Value version = f.get("lockstep");
            if (version == null) {
                problems.add(top.position(), "lockstep: " + FORMAT_VERSION + " (the format version) at the top");
            } else if (!(version instanceof Value.Scalar s && Long.valueOf(FORMAT_VERSION).equals(s.value()))) {
                problems.add(version.position(), "lockstep: expected format version " + FORMAT_VERSION
                        + ", got " + Value.describeOf(version));
            }
            String name = f.string("name", true);
            if (name != null && !NAME.matcher(name).matches()) {
                problems.add(f.get("name").position(), "name: expected up to 100 letters, digits, '.', '_' or '-', got '" + name + "'");
            }
            contextsInUse = contexts(f.mapping("context"));
            Value.Mapping paramsNode = f.mapping("params");
            if (paramsNode != null) paramsNode.entries().forEach((k, v) -> param(k, v, paramsNode.keys().get(k)));

            List<Value> stepNodes = f.list("steps", true);
            if (stepNodes != null && stepNodes.isEmpty()) {
                problems.add(f.get("steps").position(), "steps: expected at least one step");
            }
            List<Value.Mapping> stepMaps = new ArrayList<>();
            if (stepNodes != null) {
                for (Value v : stepNodes) {
                    if (v instanceof Value.Mapping m) {
                        stepMaps.add(m);
                        declareStep(m, stepMaps.size() - 1);
                    } else {
                        problems.add(v.position(), "expected a step (a mapping with id and run or uses), got "
                                + Value.describeOf(v));
                    }
                }
            }
            List<StepDef> steps = new ArrayList<>();
            for (int i = 0; i < stepMaps.size(); i++) steps.add(step(stepMaps.get(i), i));

            List<Action> rollback = new ArrayList<>();
            List<Value> rollbackNodes = f.list("rollback", false);
            if (rollbackNodes != null) {
                for (Value v : rollbackNodes) {
                    Action a = standaloneAction(v, "rollback item", stepMaps.size());
                    if (a != null) rollback.add(a);
                }
            }
            return new Runbook(file.toAbsolutePath().normalize(), name, f.string("title", false),
                    f.string("description", false), Collections.unmodifiableMap(contextsInUse), params, List.copyOf(steps), List.copyOf(rollback),
                    pointOfNoReturn(f), downtime(f.mapping("downtime")), checksum);
        }

        /** {@code pointOfNoReturn: STEP_ID} names one of the runbook's steps. */
        private Runbook.DeclaredPointOfNoReturn pointOfNoReturn(Fields f) {
            String step = f.string("pointOfNoReturn", false);
            if (step == null) return null;
            Position at = f.get("pointOfNoReturn").position();
            if (!stepIndex.containsKey(step)) {
                problems.add(at, "pointOfNoReturn: unknown step '" + step + "'" + Suggest.didYouMean(step, stepIndex.keySet())
                        + ": expected the id of one of the runbook's steps");
                return null;
            }
            return new Runbook.DeclaredPointOfNoReturn(step, at);
        }

        /** {@code downtime: {from: STEP, to: STEP, window: 45m}}: two of the runbook's steps, {@code from} not after {@code to}. */
        private Downtime downtime(Value.Mapping m) {
            if (m == null) return null;
            Fields f = new Fields(m, "downtime", List.of("from", "to", "window"));
            String from = downtimeStep(f, "from");
            String to = downtimeStep(f, "to");
            java.time.Duration window = f.duration("window");
            if (window != null && (window.isZero() || window.isNegative())) {
                problems.add(f.get("window").position(), "downtime.window: expected a duration longer than 0, such as 45m");
                window = null;
            }
            if (from == null || to == null) return null;
            if (stepIndex.get(from) > stepIndex.get(to)) {
                problems.add(f.get("to").position(), "downtime.to: expected a step at or after '" + from + "' (downtime.from), got '"
                        + to + "', which comes before it");
                return null;
            }
            return new Downtime(from, to, window, m.position());
        }

        private String downtimeStep(Fields f, String key) {
            String id = f.string(key, true);
            if (id == null) return null;
            if (!stepIndex.containsKey(id)) {
                problems.add(f.get(key).position(), "downtime." + key + ": unknown step '" + id + "'" + Suggest.didYouMean(id, stepIndex.keySet())
                        + ": expected the id of one of the runbook's steps");
                return null;
            }
            return id;
        }

        /** Each key of {@code context} is a kind of place (a plugin); its mapping is bound to that kind's record. */
        private Map<String, Runbook.Context> contexts(Value.Mapping ctx) {
            Map<String, Runbook.Context> out = new LinkedHashMap<>();
            if (ctx == null) return out;
            ctx.entries().forEach((name, v) -> {
                ContextKind<?> kind = contexts.get(name);
                Position at = ctx.keys().get(name);
                if (kind == null) {
                    problems.add(at, "unknown context '" + name + "'" + Suggest.didYouMean(name, contexts.all().keySet())
                            + ": expected one of " + String.join(", ", contexts.all().keySet()));
                } else if (!(v instanceof Value.Mapping m)) {
                    problems.add(v.position(), "context." + name + ": expected a mapping, got " + Value.describeOf(v));
                } else if (m.holdsExpression()) {
                    problems.add(m.position(), "context." + name + ": expected literal values (it says where the runbook may act, "
                            + "so it cannot depend on parameters)");
                } else {
                    declaredKinds.put(name, kind);
                    Record config = binder.check(kind.configType(), m, problems, "context." + name);
                    if (config != null) out.put(name, new Runbook.Context(kind, config, at));
                }
            });
            return out;
        }

        private void param(String name, Value v, Position keyPos) {
            if (!PARAM_NAME.matcher(name).matches()) {
                problems.add(keyPos, "parameter name: expected letters, digits and '_', got '" + name + "'");
            }
            if (v instanceof Value.Scalar s && s.value() == null) {
                params.put(name, new ParamDef(name, null, true, false, null, null, null, keyPos));
                return;
            }
            if (!(v instanceof Value.Mapping m)) {
                problems.add(v.position(), "parameter " + name + ": expected a mapping such as { default: x }");
                return;
            }
            Fields f = new Fields(m, "parameter " + name, PARAM_KEYS);
            Value def = f.get("default");
            Object defaultValue = null;
            if (def instanceof Value.Scalar s) {
                // A parameter is text exactly as written: 0100 stays 0100, 1.10 stays 1.10.
                defaultValue = s.value() == null ? null : s.text();
            } else if (def != null) {
                problems.add(def.position(), "parameter " + name + ": default must be a single value, got " + Value.describeOf(def));
            }
            boolean secret = Boolean.TRUE.equals(f.bool("secret"));
            if (secret && def != null) {
                problems.add(def.position(), "parameter " + name + ": a secret has no default (it would be kept in the runbook in clear); use env: VARIABLE");
            }
            Boolean requiredFlag = f.bool("required");
            boolean required = requiredFlag != null ? requiredFlag : def == null;
            Pattern pattern = null;
            String patternText = f.string("pattern", false);
            if (patternText != null) pattern = regex(patternText, f.get("pattern").position(), "parameter " + name + ": pattern");
            String env = f.string("env", false);
            if (env != null && !PARAM_NAME.matcher(env).matches()) {
                problems.add(f.get("env").position(), "parameter " + name + ": env: expected an environment variable name, got '" + env + "'");
            }
            if (pattern != null && defaultValue != null && !pattern.matcher(String.valueOf(defaultValue)).matches()) {
                problems.add(def.position(), "parameter " + name + ": default '" + defaultValue
                        + "' does not match pattern " + patternText);
            }
            params.put(name, new ParamDef(name, defaultValue, required, secret, pattern,
                    f.string("description", false), env, keyPos));
        }

        private void declareStep(Value.Mapping m, int index) {
            Value id = m.get("id");
            if (!(id instanceof Value.Scalar s) || s.value() == null) return;
            if (stepIndex.containsKey(s.text())) {
                problems.add(id.position(), "duplicate step id '" + s.text() + "'");
                return;
            }
            stepIndex.put(s.text(), index);
            Set<String> outs = new LinkedHashSet<>();
            if (m.get("outputs") instanceof Value.Mapping o) outs.addAll(o.entries().keySet());
            stepOutputs.put(s.text(), outs);
        }

        private StepDef step(Value.Mapping m, int index) {
            Fields f = new Fields(m, "step", STEP_KEYS);
            String id = f.string("id", true);
            if (id != null && !STEP_ID.matcher(id).matches()) {
                problems.add(f.get("id").position(), "id: expected up to 64 lower-case letters, digits, '-' or '_', got '" + id + "'");
            }
            String where = "step " + (id != null ? id : "#" + (index + 1));
            visibleNow = index;
            Action action = action(f, m, where, index);

            List<Check> checks = new ArrayList<>();
            List<Value> checkNodes = f.list("check", false);
            if (checkNodes != null) {
                for (Value v : checkNodes) {
                    Check c = check(v, index);
                    if (c != null) checks.add(c);
                }
            }

            StepDef.LogPatterns logs = logs(f.mapping("logs"));
            ResultShape resultShape = action == null ? ResultShape.ANY : stepResult(types.get(action.uses()), action, logs);
            Map<String, Value.Scalar> outputs = new LinkedHashMap<>();
            Value.Mapping outNode = f.mapping("outputs");
            if (outNode != null) {
                outNode.entries().forEach((k, v) -> {
                    if (!PARAM_NAME.matcher(k).matches()) {
                        problems.add(outNode.keys().get(k), "output name: expected letters, digits and '_', got '" + k + "'");
                    }
                    if (v instanceof Value.Scalar s) {
                        outputs.put(k, s);
                        expressions(s, index, resultShape);
                    } else {
                        problems.add(v.position(), "output " + k + ": expected a value or ${{ result.… }}, got " + Value.describeOf(v));
                    }
                });
            }

            Action rollback = null;
            Value rb = f.get("rollback");
            if (rb != null) rollback = standaloneAction(rb, where + " rollback", index + 1);

            StepDef.Confirm confirm = null;
            Value c = f.get("confirm");
            if (c instanceof Value.Scalar s && s.value() instanceof Boolean b) {
                confirm = b ? new StepDef.Confirm(null) : null;
            } else if (c instanceof Value.Scalar s && s.value() instanceof String) {
                confirm = new StepDef.Confirm(s.text());
                expressions(s, index, null);
            } else if (c != null) {
                problems.add(c.position(), "confirm: expected true, or the text the operator must type, got "
                        + Value.describeOf(c) + (c instanceof Value.Scalar ? " (quote it to make it text)" : ""));
            }

            return new StepDef(id, f.string("title", false), f.string("description", false), action,
                    List.copyOf(checks), outputs, rollback, confirm, approve(f.get("approve")), f.duration("timeout"), retry(f.get("retry")),
                    Boolean.TRUE.equals(f.bool("idempotent")), f.bool("irreversible"), logs, m.position(), digests(m));
        }

        /** Reads uses/run/with from a mapping that may hold other keys too (a step or a check). */
        private Action action(Fields f, Value.Mapping m, String where, int visibleSteps) {
            String uses = f.string("uses", false);
            Value run = f.get("run");
            Value.Mapping with = f.mapping("with");
            if (with == null) with = new Value.Mapping(new LinkedHashMap<>(), new LinkedHashMap<>(), m.position());
            if (uses != null && run != null) {
                problems.add(run.position(), where + ": expected either run or uses, not both");
                return null;
            }
            if (uses == null && run == null) {
                problems.add(m.position(), where + ": expected run: <shell> or uses: <step type>");
                return null;
            }
            Position usesAt = uses != null ? f.get("uses").position() : run.position();
            if (run != null) {
                if (!(run instanceof Value.Scalar rs) || !(rs.value() instanceof String)) {
                    problems.add(run.position(), where + ": run: expected a shell script"
                            + (run instanceof Value.Scalar s && s.value() != null
                            ? ", got " + Value.describeOf(run) + " (quote it to run it as a command: \"" + s.text() + "\")" : ""));
                    return null;
                }
                if (with.get("script") != null) {
                    problems.add(with.keys().get("script"), where + ": with.script: expected the script under run, not both");
                }
                Map<String, Value> entries = new LinkedHashMap<>(with.entries());
                Map<String, Position> keys = new LinkedHashMap<>(with.keys());
                entries.put("script", Value.Scalar.of(rs.text(), rs.position()));
                keys.put("script", rs.position());
                with = new Value.Mapping(entries, keys, with.position());
                uses = "run";
            }
            StepType<?> type = types.get(uses);
            if (type == null) {
                problems.add(usesAt, where + ": unknown step type '" + uses + "'" + Suggest.didYouMean(uses, types.all().keySet())
                        + ": expected one of "
                        + String.join(", ", types.all().keySet()));
                return null;
            }
            for (Map.Entry<String, Value> e : with.entries().entrySet()) {
                CodeKey code = type.codeKeys().get(e.getKey());
                if (code != null) {
                    code(e.getKey(), e.getValue(), code, visibleSteps);
                } else {
                    expressions(e.getValue(), visibleSteps, null);
                }
            }
            Map<Value, Check> outer = nestedChecks;
            nestedChecks = new LinkedHashMap<>();
            binder.check(type.configType(), with, problems);
            Map<Value, Check> checks = Map.copyOf(nestedChecks);
            nestedChecks = outer;
            if (folder != null) type.checkFiles(with, folder, problems);
            return new Action(uses, with, usesAt, checks);
        }

        private Action standaloneAction(Value v, String where, int visibleSteps) {
            if (!(v instanceof Value.Mapping m)) {
                problems.add(v.position(), where + ": expected a mapping with run or uses");
                return null;
            }
            Fields f = new Fields(m, where, List.of("uses", "run", "with"));
            visibleNow = visibleSteps;
            return action(f, m, where, visibleSteps);
        }

        /** The binder's hook for nested checks (wait's until): they see what their step sees, and go with its action. */
        private Check nestedCheck(Value v, Problems sameProblems) {
            Check c = check(v, visibleNow);
            if (c != null) nestedChecks.put(v, c);
            return c;
        }

        private Check check(Value v, int visibleSteps) {
            if (!(v instanceof Value.Mapping m)) {
                problems.add(v.position(), "check: expected a mapping with run or uses, and expect");
                return null;
            }
            Fields f = new Fields(m, "check", List.of("name", "uses", "run", "with", "expect", "readOnly"));
            Action a = action(f, m, "check", visibleSteps);
            Value.Mapping expect = f.mapping("expect");
            if (expect != null) {
                expressions(expect, visibleSteps, null);
                if (a != null) expectKeys(expect, types.get(a.uses()).result(a.with()), a.uses());
            }
            return a == null ? null : new Check(a, expect, m.position(), Boolean.TRUE.equals(f.bool("readOnly")),
                    f.string("name", false));
        }

        private StepDef.Approve approve(Value v) {
            if (v == null || (v instanceof Value.Scalar s && s.value() == null)) return null;
            if (!(v instanceof Value.Mapping m)) {
                problems.add(v.position(), "approve: expected { count: N, from: [WHO, ...], notDriver: true, message: TEXT }, got "
                        + Value.describeOf(v));
                return null;
            }
            Fields f = new Fields(m, "approve", List.of("count", "from", "notDriver", "message"));
            int count = 1;
            Value c = f.get("count");
            if (c != null) {
                if (c instanceof Value.Scalar s && attempts(s) != null) {
                    count = attempts(s);
                } else {
                    problems.add(c.position(), "approve.count: expected a whole number of approvals from 1, got " + Value.describeOf(c));
                }
            }
            List<String> from = new ArrayList<>();
            List<Value> fromNodes = f.list("from", false);
            if (fromNodes != null) {
                for (Value w : fromNodes) {
                    if (w instanceof Value.Scalar s && s.value() instanceof String name && !name.isBlank()) {
                        if (from.contains(name)) problems.add(w.position(), "approve.from: " + name + " is named twice");
                        else from.add(name);
                    } else {
                        problems.add(w.position(), "approve.from: expected a user or database role name, got " + Value.describeOf(w));
                    }
                }
                if (from.isEmpty()) problems.add(f.get("from").position(), "approve.from: expected at least one name (leave from out to let anyone approve)");
                else if (count > from.size()) {
                    problems.add(c != null ? c.position() : m.position(), "approve.count: " + count + " approvals cannot come from the "
                            + from.size() + " name" + (from.size() == 1 ? "" : "s") + " in approve.from");
                }
            }
            Boolean notDriver = f.bool("notDriver");
            return new StepDef.Approve(count, List.copyOf(from), Boolean.TRUE.equals(notDriver), f.string("message", false));
        }

        private StepDef.Retry retry(Value v) {
            if (v == null) return StepDef.Retry.NONE;
            if (v instanceof Value.Scalar s && attempts(s) != null) {
                return new StepDef.Retry(attempts(s), java.time.Duration.ofSeconds(5));
            }
            if (v instanceof Value.Scalar s && (s.value() instanceof Long || YamlReader.looksWhole(s.text()))) {
                problems.add(v.position(), "retry: expected a whole number of attempts from 1 to " + Integer.MAX_VALUE
                        + ", got " + s.text());
                return StepDef.Retry.NONE;
            }
            if (v instanceof Value.Mapping m) {
                Fields f = new Fields(m, "retry", List.of("attempts", "delay"));
                Value attempts = f.get("attempts");
                if (attempts instanceof Value.Scalar s && attempts(s) != null) {
                    java.time.Duration delay = f.duration("delay");
                    return new StepDef.Retry(attempts(s), delay != null ? delay : java.time.Duration.ofSeconds(5));
                }
                problems.add(attempts != null ? attempts.position() : m.position(),
                        "retry.attempts: expected a whole number of attempts from 1 to " + Integer.MAX_VALUE
                                + (attempts != null ? ", got " + Value.describeOf(attempts) : ""));
                return StepDef.Retry.NONE;
            }
            problems.add(v.position(), "retry: expected a number of attempts, or { attempts: N, delay: 10s }");
            return StepDef.Retry.NONE;
        }

        /** A number of attempts, or null when the scalar is not a whole number from 1 to Integer.MAX_VALUE. */
        private Integer attempts(Value.Scalar s) {
            return s.value() instanceof Long n && n >= 1 && n <= Integer.MAX_VALUE ? n.intValue() : null;
        }

        private StepDef.LogPatterns logs(Value.Mapping m) {
            if (m == null) return StepDef.LogPatterns.NONE;
            Fields f = new Fields(m, "logs", List.of("haltOn", "until", "require", "every"));
            String until = f.string("until", false);
            Pattern untilPattern = until != null ? regex(until, f.get("until").position(), "logs.until") : null;
            return new StepDef.LogPatterns(patterns(f.get("haltOn"), "logs.haltOn"), untilPattern,
                    patterns(f.get("require"), "logs.require"), every(f.get("every")));
        }

        /** One {@code { lines: REGEX, must: REGEX }} rule or a list of them. */
        private List<StepDef.Every> every(Value v) {
            List<StepDef.Every> out = new ArrayList<>();
            if (v == null) return out;
            for (Value item : v instanceof Value.Sequence seq ? seq.items() : List.of(v)) {
                if (!(item instanceof Value.Mapping rule)) {
                    problems.add(item.position(), "logs.every: expected a mapping { lines: REGEX, must: REGEX }, got "
                            + Value.describeOf(item));
                    continue;
                }
                Fields f = new Fields(rule, "logs.every", List.of("lines", "must"));
                String lines = f.string("lines", true);
                String must = f.string("must", true);
                Pattern linesPattern = lines != null ? regex(lines, f.get("lines").position(), "logs.every.lines") : null;
                Pattern mustPattern = must != null ? regex(must, f.get("must").position(), "logs.every.must") : null;
                if (linesPattern != null && mustPattern != null) out.add(new StepDef.Every(linesPattern, mustPattern));
            }
            return List.copyOf(out);
        }

        /** One regular expression or a list of them. */
        private List<Pattern> patterns(Value v, String what) {
            List<Pattern> out = new ArrayList<>();
            if (v == null) return out;
            for (Value item : v instanceof Value.Sequence seq ? seq.items() : List.of(v)) {
                if (item instanceof Value.Scalar s && s.value() != null) {
                    Pattern p = regex(s.text(), s.position(), what);
                    if (p != null) out.add(p);
                } else {
                    problems.add(item.position(), what + ": expected a regular expression");
                }
            }
            return List.copyOf(out);
        }

        private Pattern regex(String text, Position at, String what) {
            try {
                return Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                problems.add(at, what + ": expected a valid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex() + " of '" + text + "'");
                return null;
            }
        }

        /** Each expect key is a path into the check's result: it must be one its type gives. */
        private void expectKeys(Value.Mapping expect, ResultShape shape, String uses) {
            expect.entries().keySet().forEach(key -> {
                String problem = shape.problem(List.of(key.split("\\.", -1)));
                if (problem != null) problems.add(expect.keys().get(key), "expect: " + problem + " (of " + uses + ")");
            });
        }

        /**
         * Validates every expression in a value against what is visible from step #{@code visibleSteps};
         * {@code resultShape} is the step's result where {@code result} may be read (outputs), else null.
         */
        private void expressions(Value v, int visibleSteps, ResultShape resultShape) {
            if (v instanceof Value.Sequence seq) {
                seq.items().forEach(i -> expressions(i, visibleSteps, resultShape));
            } else if (v instanceof Value.Mapping m) {
                m.entries().values().forEach(i -> expressions(i, visibleSteps, resultShape));
            } else if (((Value.Scalar) v).value() instanceof String text && Template.hasExpression(text)) {
                try {
                    for (Template.Expression e : Template.parse(text).expressions()) {
                        reference(e, v.position(), visibleSteps, resultShape);
                    }
                } catch (ExpressionException e) {
                    problems.add(v.position(), "expression: expected " + e.getMessage());
                }
            }
        }

        /**
         * Code in another language (db.query's sql): a value pasted in could become code, so the only
         * expression allowed is {@code ident(…)}, which the type quotes as an identifier.
         */
        private void code(String key, Value v, CodeKey code, int visibleSteps) {
            if (!(v instanceof Value.Scalar s && s.value() instanceof String text && Template.hasExpression(text))) {
                expressions(v, visibleSteps, null);
                return;
            }
            Template template;
            try {
                template = Template.parse(text);
            } catch (ExpressionException e) {
                problems.add(v.position(), "expression: expected " + e.getMessage());
                return;
            }
            for (Template.Expression e : template.expressions()) {
                if (e.isCall() && e.function().equals(Functions.IDENT)) {
                    if (e.args().size() != 1) {
                        problems.add(v.position(), "${{ " + e + " }}: " + Functions.IDENT + " takes 1 argument, got " + e.args().size());
                    } else {
                        reference(e.args().get(0), v.position(), visibleSteps, null);
                    }
                    continue;
                }
                String expression = "${{ " + e + " }}";
                problems.add(v.position(), "with." + key + ": " + expression + " would be pasted into the " + code.language()
                        + ": " + code.valuesGoIn().formatted(expression) + " (a table or column name: ${{ " + Functions.IDENT
                        + "(" + e + ") }}, quoted as an identifier)");
            }
        }

        private void reference(Template.Expression e, Position at, int visibleSteps, ResultShape resultShape) {
            if (e.isCall()) {
                Functions.Fn fn = Functions.ALL.get(e.function());
                if (fn == null) {
                    problems.add(at, "${{ " + e + " }}: unknown function '" + e.function() + "': expected one of "
                            + String.join(", ", new java.util.TreeSet<>(Functions.ALL.keySet()))
                            + (e.function().equals(Functions.IDENT)
                            ? " (" + Functions.IDENT + "(NAME) quotes a name inside code, such as db.query's sql, and only there)" : ""));
                } else if (fn.arity() != e.args().size()) {
                    problems.add(at, "${{ " + e + " }}: " + e.function() + " takes " + fn.arity() + " argument"
                            + (fn.arity() == 1 ? "" : "s") + ", got " + e.args().size());
                }
                for (Template.Expression arg : e.args()) reference(arg, at, visibleSteps, resultShape);
                return;
            }
            List<String> path = e.path();
            Root root = Root.of(e.root());
            if (root == null) {
                problems.add(at, "${{ " + e + " }}: unknown name '" + e.root() + "': expected " + Root.words());
                return;
            }
            if (!root.takes(path)) {
                problems.add(at, "${{ " + e + " }}: expected " + root.form());
                return;
            }
            switch (root) {
                case PARAMS -> {
                    if (!params.containsKey(path.get(1))) {
                        problems.add(at, "${{ " + e + " }}: unknown parameter '" + path.get(1) + "'"
                                + Suggest.didYouMean(path.get(1), params.keySet()) + ": expected one of "
                                + (params.isEmpty() ? "(none declared)" : String.join(", ", params.keySet())));
                    }
                }
                case ENV -> {
                    // Any variable name: whether it is set is known at run time.
                }
                case STEPS -> {
                    boolean started = path.size() == 3;
                    Integer index = stepIndex.get(path.get(1));
                    if (index == null) {
                        problems.add(at, "${{ " + e + " }}: unknown step '" + path.get(1) + "'"
                                + Suggest.didYouMean(path.get(1), stepIndex.keySet()));
                    } else if (index >= visibleSteps) {
                        problems.add(at, "${{ " + e + " }}: step '" + path.get(1)
                                + "' runs later: expected a reference to an earlier step");
                    } else if (!started && !stepOutputs.get(path.get(1)).contains(path.get(3))) {
                        problems.add(at, "${{ " + e + " }}: step '" + path.get(1) + "' has no output '" + path.get(3) + "'"
                                + Suggest.didYouMean(path.get(3), stepOutputs.get(path.get(1))) + ": expected one of "
                                + String.join(", ", stepOutputs.get(path.get(1))));
                    }
                }
                case RESULT -> {
                    if (resultShape == null) {
                        problems.add(at, "${{ " + e + " }}: result is only available in a step's outputs");
                    } else {
                        String problem = resultShape.problem(path.subList(1, path.size()));
                        if (problem != null) problems.add(at, "${{ " + e + " }}: " + problem);
                    }
                }
                case CONTEXT -> {
                    ContextKind<?> kind = declaredKinds.get(path.get(1));
                    if (kind == null) {
                        problems.add(at, "${{ " + e + " }}: the runbook declares no context." + path.get(1)
                                + (declaredKinds.isEmpty() ? "" : ": expected one of " + String.join(", ", declaredKinds.keySet())));
                    } else if (!kind.values().contains(path.get(2))) {
                        problems.add(at, "${{ " + e + " }}: context." + path.get(1) + " has no '" + path.get(2)
                                + "': expected one of " + String.join(", ", new java.util.TreeSet<>(kind.values())));
                    }
                }
                default -> throw new IllegalStateException("root " + root + " has no check");
            }
        }

        private Lazy<Map<String, String>> digests(Value.Mapping m) {
            return Lazy.of(() -> {
                Map<String, String> out = new LinkedHashMap<>();
                m.entries().forEach((k, v) -> out.put(k, Digests.sha256(Json.write(v.plain())).substring(0, 16)));
                return out;
            });
        }

        /** Typed access to one mapping's keys; unknown keys are reported once, on construction. */
        private final class Fields {
            private final Value.Mapping m;
            private final String where;

            Fields(Value.Mapping m, String where, List<String> allowed) {
                this.m = m;
                this.where = where;
                m.entries().keySet().forEach(k -> {
                    if (!allowed.contains(k)) {
                        problems.add(m.keys().get(k), "unknown key '" + k + "' in " + where + Suggest.didYouMean(k, allowed)
                                + ": expected one of "
                                + String.join(", ", allowed));
                    }
                });
            }

            Value get(String key) {
                return m.get(key);
            }

            String string(String key, boolean required) {
                Value v = m.get(key);
                if (v == null || (v instanceof Value.Scalar s && s.value() == null)) {
                    if (required) problems.add(m.position(), where + ": " + key + " is required");
                    return null;
                }
                if (v instanceof Value.Scalar s) return s.text();
                problems.add(v.position(), key + ": expected a string, got " + Value.describeOf(v));
                return null;
            }

            Boolean bool(String key) {
                Value v = m.get(key);
                if (v == null) return null;
                if (v instanceof Value.Scalar s && s.value() instanceof Boolean b) return b;
                problems.add(v.position(), key + ": expected true or false, got " + Value.describeOf(v));
                return null;
            }

            java.time.Duration duration(String key) {
                String text = string(key, false);
                if (text == null) return null;
                try {
                    return Durations.parse(text);
                } catch (IllegalArgumentException e) {
                    problems.add(m.get(key).position(), key + ": expected " + e.getMessage());
                    return null;
                }
            }

            Value.Mapping mapping(String key) {
                Value v = m.get(key);
                if (v == null || (v instanceof Value.Scalar s && s.value() == null)) return null;
                if (v instanceof Value.Mapping mm) return mm;
                problems.add(v.position(), key + ": expected a mapping, got " + Value.describeOf(v));
                return null;
            }

            List<Value> list(String key, boolean required) {
                Value v = m.get(key);
                if (v == null || (v instanceof Value.Scalar s && s.value() == null)) {
                    if (required) problems.add(m.position(), where + ": " + key + " is required");
                    return null;
                }
                if (v instanceof Value.Sequence seq) return seq.items();
                problems.add(v.position(), key + ": expected a list, got " + Value.describeOf(v));
                return null;
            }
        }
    }
}
