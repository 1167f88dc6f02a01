package dev.lockstep.expr;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The names an expression's path may start with, and the paths each takes: the one table that the loader checks
 * references against, the run resolves them from, and the schema describes.
 */
public enum Root {
    PARAMS("params", "params.NAME"),
    STEPS("steps", "steps.ID.outputs.NAME or steps.ID.startedAt"),
    ENV("env", "env.NAME"),
    CONTEXT("context", "context.KIND.NAME, such as context.aws.region"),
    RESULT("result", "result.PATH, in a step's outputs");

    /** values() copies its array on every call; lookups run for every expression a run resolves. */
    private static final Root[] ALL = values();

    private final String word;
    private final String form;

    Root(String word, String form) {
        this.word = word;
        this.form = form;
    }

    /** The root a path starts with, or null when it names none. */
    public static Root of(String word) {
        for (Root r : ALL) {
            if (r.word.equals(word)) return r;
        }
        return null;
    }

    /** Every root's word, as a message lists what was expected: "params, steps, env, context or result". */
    public static String words() {
        List<String> all = Arrays.stream(values()).map(r -> r.word).toList();
        return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
    }

    /** An example of each path, for the schema's description of an expression. */
    public static String examples() {
        return Arrays.stream(values()).map(r -> "${{ " + r.form.split(",| or ")[0] + " }}").collect(Collectors.joining(", "));
    }

    /** The paths this root takes, as a message says what was expected. */
    public String form() {
        return form;
    }

    /** Whether a path (its first segment this root's word) has a shape this root takes. */
    public boolean takes(List<String> path) {
        return switch (this) {
            case PARAMS, ENV -> path.size() == 2;
            case STEPS -> (path.size() == 3 && path.get(2).equals("startedAt")) || (path.size() == 4 && path.get(2).equals("outputs"));
            case CONTEXT -> path.size() == 3;
            case RESULT -> true;
        };
    }
}
