package dev.lockstep.engine;

import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.runbook.Check;
import dev.lockstep.runbook.Value;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs a check's action through the {@link Binder} and compares its result with {@code expect}. Shared by the engine and dry-run. */
final class CheckEvaluator {
    private final Binder binder;

    CheckEvaluator(Binder binder) {
        this.binder = binder;
    }

    StepContext.CheckOutcome evaluate(Check check, Scope scope, StepContext ctx) throws Exception {
        StepResult result = binder.bind(check.action(), scope).execute(ctx);
        if (check.expect() == null) {
            return new StepContext.CheckOutcome(result.ok(), result.summary());
        }
        boolean holds = true;
        List<String> observed = new ArrayList<>();
        for (Map.Entry<String, Value> e : check.expect().entries().entrySet()) {
            Object actual = lookup(result.data(), e.getKey());
            Value expected = Resolver.resolve(e.getValue(), scope);
            boolean match = expected instanceof Value.Sequence seq
                    ? seq.items().stream().anyMatch(v -> same(actual, v))
                    : same(actual, expected);
            holds &= match;
            observed.add(e.getKey() + "=" + Resolver.render(actual) + (match ? "" : " (expected " + describe(expected) + ")"));
        }
        return new StepContext.CheckOutcome(holds, String.join("; ", observed));
    }

    private static Object lookup(Map<String, Object> data, String path) {
        Object at = data;
        for (String key : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> m)) return null;
            at = m.get(key);
        }
        return at;
    }

    private static boolean same(Object actual, Value expected) {
        return expected instanceof Value.Scalar s && Resolver.render(actual).equals(Resolver.render(s.value()));
    }

    private static String describe(Value v) {
        if (v instanceof Value.Sequence seq) {
            return "one of " + seq.items().stream().map(i -> Resolver.render(i.plain())).toList();
        }
        return Resolver.render(v.plain());
    }
}
