package dev.lockstep.runbook;

import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.Suggest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves parameter values: {@code -p} on the command line, then {@code --params-file},
 * then the parameter's environment variable, then its default. A secret is never
 * accepted from the command line (it would stay in shell history and process lists).
 */
public final class Params {
    private final Map<String, Object> values;
    private final List<String> secretNames;
    /** Made once: compiling its pattern costs far more than using it, and it is used for every event and line. */
    private final Redactor redactor;

    private Params(Map<String, Object> values, List<String> secretNames) {
        this.values = values;
        this.secretNames = secretNames;
        List<String> secretValues = new ArrayList<>();
        for (String s : secretNames) if (values.get(s) != null) secretValues.add(String.valueOf(values.get(s)));
        this.redactor = Redactor.of(secretValues);
    }

    /** A secret's environment variable: the one the runbook names, else LOCKSTEP_PARAM_NAME. */
    public static String envName(ParamDef def) {
        return def.env() != null ? def.env() : "LOCKSTEP_PARAM_" + def.name().toUpperCase(Locale.ROOT);
    }

    /**
     * @param fromCli  {@code -p key=value} pairs
     * @param fromFile values from {@code --params-file}
     * @param env      the process environment
     * @param prompt   asks the operator for a missing secret (hidden input); returns null when it cannot
     */
    public static Params resolve(Runbook runbook, Map<String, String> fromCli, Map<String, Object> fromFile,
                                 Map<String, String> env, Function<ParamDef, String> prompt) {
        List<String> unknown = new ArrayList<>();
        for (String k : fromCli.keySet()) if (!runbook.params().containsKey(k)) unknown.add(k);
        for (String k : fromFile.keySet()) if (!runbook.params().containsKey(k)) unknown.add(k);
        if (!unknown.isEmpty()) {
            throw new LockstepException(ErrorCode.USAGE, "unknown parameter " + String.join(", ", unknown)
                    + Suggest.didYouMean(unknown.get(0), runbook.params().keySet()) + ": expected one of " + String.join(", ", runbook.params().keySet()));
        }
        Problems problems = new Problems();
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        for (ParamDef def : runbook.params().values()) {
            Object value;
            if (def.secret()) {
                if (fromCli.containsKey(def.name())) {
                    throw new LockstepException(ErrorCode.USAGE, "secret parameter " + def.name()
                            + " cannot be given with -p (it would stay in shell history): set $" + envName(def)
                            + " or put it in --params-file");
                }
                value = fromFile.containsKey(def.name()) ? fromFile.get(def.name()) : env.get(envName(def));
                if (value == null && def.required()) value = prompt.apply(def);
                secrets.add(def.name());
            } else {
                value = fromCli.containsKey(def.name()) ? fromCli.get(def.name())
                        : fromFile.containsKey(def.name()) ? fromFile.get(def.name())
                        : def.env() != null && env.containsKey(def.env()) ? env.get(def.env())
                        : def.defaultValue();
            }
            if (value == null) {
                if (def.required()) {
                    problems.add(def.position(), "parameter " + def.name() + " is required: "
                            + (def.secret() ? "set $" + envName(def) + " or put it in --params-file"
                                            : "pass -p " + def.name() + "=VALUE"));
                }
                values.put(def.name(), null);
                continue;
            }
            String text = String.valueOf(value);
            if (def.secret() && text.length() < Redactor.MIN_SECRET_LENGTH) {
                problems.add(def.position(), "parameter " + def.name() + ": expected a secret of at least "
                        + Redactor.MIN_SECRET_LENGTH + " characters (shorter ones cannot be masked reliably)");
            } else if (def.pattern() != null && !def.pattern().matcher(text).matches()) {
                problems.add(def.position(), "parameter " + def.name() + ": expected a value matching "
                        + def.pattern().pattern() + ", got " + (def.secret() ? "a value that does not" : "'" + text + "'")
                        + (def.description() != null ? " (" + def.description() + ")" : ""));
            }
            values.put(def.name(), value);
        }
        problems.throwIfAny();
        return new Params(values, List.copyOf(secrets));
    }

    /**
     * Parameters as a run recorded them (secrets masked): what a watcher shows, which never knows
     * a secret and never acts.
     */
    public static Params recorded(Map<String, Object> values, List<String> secretNames) {
        return new Params(new LinkedHashMap<>(values), List.copyOf(secretNames));
    }

    public Map<String, Object> values() {
        return values;
    }

    public List<String> secretNames() {
        return secretNames;
    }

    /** Values as they may be written down: secrets replaced by the mask. */
    public Map<String, Object> redacted() {
        Map<String, Object> out = new LinkedHashMap<>(values);
        for (String s : secretNames) out.put(s, out.get(s) != null ? Redactor.MASK : null);
        return out;
    }

    /** Parameters that are not secret but whose value holds a secret's, so {@link #redacted} masks them too. */
    public List<String> maskedNames() {
        Redactor r = redactor();
        List<String> out = new ArrayList<>();
        values.forEach((name, v) -> {
            if (!secretNames.contains(name) && v != null && !r.redact(String.valueOf(v)).equals(String.valueOf(v))) out.add(name);
        });
        return out;
    }

    public Redactor redactor() {
        return redactor;
    }
}
