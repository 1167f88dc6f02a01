package dev.lockstep.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What expressions can see while a step is resolved. In dry-run, values that are
 * not known yet (outputs of steps that have not run) resolve to placeholders.
 */
public final class Scope {
    private final Map<String, Object> params;
    private final Steps steps;
    private final Map<String, String> env;
    private final Map<String, Map<String, Object>> contexts;
    private final Object result;
    /** Null unless placeholders are allowed; then it collects those handed out. */
    private final List<String> placeholdersUsed;

    /** What {@code ${{ steps.ID.outputs.NAME }}} and {@code ${{ steps.ID.startedAt }}} resolve to. */
    public interface Steps {
        /** The outputs step {@code id} has produced, by name; null when it has produced none. */
        Map<String, Object> outputs(String id);

        /** When step {@code id} (its latest attempt) started, as an ISO-8601 instant; null when it has not. */
        String startedAt(String id);

        /** The outputs steps produced, by step, and no start times. */
        static Steps outputsOnly(Map<String, Map<String, Object>> stepOutputs) {
            return new Steps() {
                @Override
                public Map<String, Object> outputs(String id) {
                    return stepOutputs.get(id);
                }

                @Override
                public String startedAt(String id) {
                    return null;
                }
            };
        }
    }

    private Scope(Map<String, Object> params, Steps steps, Map<String, String> env, Map<String, Map<String, Object>> contexts,
                  Object result, List<String> placeholdersUsed) {
        this.params = params;
        this.steps = steps;
        this.env = env;
        this.contexts = contexts;
        this.result = result;
        this.placeholdersUsed = placeholdersUsed;
    }

    /** A scope with the outputs steps produced, by step, and no start times. */
    public static Scope of(Map<String, Object> params, Map<String, Map<String, Object>> stepOutputs,
                           Map<String, String> env) {
        return of(params, Steps.outputsOnly(stepOutputs), env);
    }

    public static Scope of(Map<String, Object> params, Steps steps, Map<String, String> env) {
        return new Scope(params, steps, env, Map.of(), null, null);
    }

    /** This scope with the values of {@code ${{ context.KIND.NAME }}}: where the run acts. */
    public Scope withContexts(Map<String, Map<String, Object>> values) {
        return new Scope(params, steps, env, values, result, placeholdersUsed);
    }

    /** A scope where unknown step outputs become {@code <steps.ID.outputs.NAME>} placeholders. */
    public Scope withPlaceholders() {
        return new Scope(params, steps, env, contexts, result, new ArrayList<>());
    }

    public Scope withResult(Object stepResult) {
        return new Scope(params, steps, env, contexts, stepResult, placeholdersUsed);
    }

    /** Placeholders handed out so far (dry-run): what a resolved value still depends on. */
    public List<String> placeholdersUsed() {
        return placeholdersUsed == null ? List.of() : List.copyOf(placeholdersUsed);
    }

    private Placeholder placeholder(Template.Expression e) {
        placeholdersUsed.add(e.toString());
        return new Placeholder(e.toString());
    }

    public Object lookup(Template.Expression e) {
        if (e.isCall()) return call(e);
        List<String> path = e.path();
        Root root = Root.of(e.root());
        if (root == null) throw new ExpressionException("unknown name '" + e.root() + "': expected " + Root.words());
        if (!root.takes(path)) throw new ExpressionException(e + ": expected " + root.form());
        switch (root) {
            case PARAMS -> {
                if (!params.containsKey(path.get(1))) throw new ExpressionException("no parameter '" + tail(path) + "'");
                return params.get(path.get(1));
            }
            case ENV -> {
                String value = env.get(path.get(1));
                if (value == null) throw new ExpressionException("environment variable " + tail(path) + " is not set");
                return value;
            }
            case CONTEXT -> {
                Object value = contexts.getOrDefault(path.get(1), Map.of()).get(path.get(2));
                if (value == null) {
                    throw new ExpressionException(e + " has no value: nothing chose it (see lockstep " + path.get(1)
                            + " options, or pin it in the runbook's context." + path.get(1) + ")");
                }
                return value;
            }
            case STEPS -> {
                if (path.size() == 3) {
                    String at = steps.startedAt(path.get(1));
                    if (at != null) return at;
                    if (placeholdersUsed != null) return placeholder(e);
                    throw new ExpressionException(e + " has no value: step " + path.get(1) + " has not started");
                }
                Map<String, Object> outputs = steps.outputs(path.get(1));
                if (outputs == null || !outputs.containsKey(path.get(3))) {
                    if (placeholdersUsed != null) return placeholder(e);
                    throw new ExpressionException(e + " has no value: step " + path.get(1) + " has not produced it");
                }
                Object value = outputs.get(path.get(3));
                if (value instanceof Withheld w) {
                    if (placeholdersUsed != null) return placeholder(e);
                    throw new ExpressionException(w.reason());
                }
                return value;
            }
            case RESULT -> {
                if (result == null) {
                    if (placeholdersUsed != null) return placeholder(e);
                    throw new ExpressionException("result is only available in a step's outputs");
                }
                return walk(result, path.subList(1, path.size()), e);
            }
            default -> throw new IllegalStateException("root " + root + " has no lookup");
        }
    }

    /** Applies a function to its arguments' values; a placeholder argument makes the whole call one. */
    private Object call(Template.Expression e) {
        Functions.Fn fn = Functions.ALL.get(e.function());
        if (fn == null || fn.arity() != e.args().size()) {
            throw new ExpressionException(e + ": expected one of the functions " + String.join(", ", Functions.ALL.keySet()));
        }
        List<Object> values = new ArrayList<>();
        for (Template.Expression arg : e.args()) {
            Object v = lookup(arg);
            if (v instanceof Placeholder) return new Placeholder(e.toString());
            values.add(v);
        }
        return fn.apply().apply(values);
    }

    private static Object walk(Object value, List<String> path, Template.Expression whole) {
        Object at = value;
        for (String key : path) {
            if (at instanceof Map<?, ?> map && map.containsKey(key)) {
                at = map.get(key);
            } else if (at instanceof List<?> list && key.chars().allMatch(Character::isDigit)
                    && Integer.parseInt(key) < list.size()) {
                at = list.get(Integer.parseInt(key));
            } else {
                throw new ExpressionException(whole + ": the step's result has no '" + key + "'");
            }
        }
        return at;
    }

    private static String tail(List<String> path) {
        return String.join(".", path.subList(1, path.size()));
    }

    /**
     * An output that exists but that this process cannot give: it held a secret, which is
     * never written down, and another process produced it. Using it is an error saying why.
     */
    public record Withheld(String reason) {
        @Override
        public String toString() {
            return "<withheld>";
        }
    }

    /** Stands for a value that dry-run cannot know; prints as {@code <steps.x.outputs.y>}. */
    public record Placeholder(String expression) {
        @Override
        public String toString() {
            return "<" + expression + ">";
        }
    }
}
