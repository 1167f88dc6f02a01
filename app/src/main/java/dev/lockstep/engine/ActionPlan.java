package dev.lockstep.engine;

import dev.lockstep.secret.Redactor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One action of the plan document as it will run: its step type, its {@code with} resolved, the
 * script exactly as the shell gets it (shell types only), the environment that carries the values
 * into it (in the order the values first appear), and {@code lines}, the same for reading: the type's
 * description with the values put in, then the whole script as it runs and its environment. Every
 * view of an action (the plan, the saved plan, the screen, the journal) is made from this.
 */
public record ActionPlan(String uses, Map<String, Object> with, String script, Map<String, String> env, List<String> lines) {
    public ActionPlan {
        with = Collections.unmodifiableMap(new LinkedHashMap<>(with));
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        lines = List.copyOf(lines);
    }

    /** The same action with every secret the redactor knows masked. */
    @SuppressWarnings("unchecked")
    public ActionPlan redacted(Redactor redactor) {
        Map<String, String> maskedEnv = new LinkedHashMap<>();
        env.forEach((k, v) -> maskedEnv.put(k, redactor.redact(v)));
        List<String> maskedLines = new ArrayList<>();
        for (String l : lines) maskedLines.add(redactor.redact(l));
        return new ActionPlan(uses, (Map<String, Object>) redactor.redactTree(with), script == null ? null : redactor.redact(script),
                maskedEnv, maskedLines);
    }

    /** Its place in the JSON plan. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uses", uses);
        m.put("with", with);
        if (script != null) m.put("script", script);
        m.put("env", env);
        m.put("lines", lines);
        return m;
    }

    /** Placeholders and other run-time objects as the text they show; the rest as JSON knows it. */
    public static Object jsonSafe(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Integer) return v;
        if (v instanceof Number n) return n.toString();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), jsonSafe(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(jsonSafe(x));
            return out;
        }
        return String.valueOf(v);
    }

}
