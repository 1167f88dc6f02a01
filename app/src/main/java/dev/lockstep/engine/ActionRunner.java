package dev.lockstep.engine;

import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one way lockstep runs an action: bound to a scope by the {@link Binder}, attempted, its outcome read. The
 * engine runs steps, undoes, the runbook's rollback and checks through it; the planner its read-only checks. A
 * step's work is attempted on a worker thread, so that a timeout, a halt or Ctrl-C can stop it.
 */
final class ActionRunner {
    /** What is asked of an action: its work, or its type's built-in undo. */
    enum Ask { EXECUTE, UNDO }

    private final Binder binder;
    private volatile Thread worker;
    /** Set once the run is being stopped: every attempt from then on is stopped as soon as its worker exists. */
    private volatile boolean stopping;

    ActionRunner(Binder binder) {
        this.binder = binder;
    }

    Binder binder() {
        return binder;
    }

    /** Attempts an action bound in the attempt itself, so that failing to resolve it fails it like any other failure. */
    Attempt attempt(Action action, Ask ask, Scope scope, StepRun ctx, Duration timeout) {
        return attempt(ctx, () -> {
            Bound bound = binder.bind(action, scope);
            return ask == Ask.UNDO ? bound.rollback(ctx) : bound.execute(ctx);
        }, timeout);
    }

    /** Attempts an action bound already: a step, whose plan was journaled from this same binding. */
    Attempt attempt(Bound bound, StepRun ctx, Duration timeout) {
        return attempt(ctx, () -> bound.execute(ctx), timeout);
    }

    /**
     * Stops the attempt in flight, and any later one as soon as its worker starts (a stop asked while a step is
     * between its journaled start and its worker is not lost); false when no attempt is in flight now.
     */
    boolean interrupt() {
        stopping = true;
        Thread w = worker;
        if (w == null) return false;
        w.interrupt();
        return true;
    }

    /** Runs a check's action in the caller's thread and compares its result with {@code expect}. */
    StepContext.CheckOutcome check(Check check, Scope scope, StepContext ctx) throws Exception {
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

    private Attempt attempt(StepRun ctx, Body body, Duration timeout) {
        Attempt a = new Attempt();
        Thread t = new Thread(() -> {
            try {
                a.result = body.call();
            } catch (InterruptedException e) {
                a.error = "stopped";
            } catch (Throwable e) {
                a.error = message(e);
            }
        }, "step-" + ctx.stepId());
        t.setDaemon(true);
        ctx.bindWorker(t);
        worker = t;
        t.start();
        if (stopping) t.interrupt();
        try {
            if (timeout == null) {
                t.join();
            } else {
                t.join(Math.max(1, timeout.toMillis()));
                if (t.isAlive()) {
                    a.timedOut = "timed out after " + Durations.format(timeout);
                    ctx.timingOut(a.timedOut);
                    t.interrupt();
                    t.join();
                }
            }
        } catch (InterruptedException e) {
            t.interrupt();
            joinQuietly(t);
            a.interrupted = true;
        } finally {
            worker = null;
        }
        // Stopped while it ran, even if the work ended on its own first: the run is being stopped.
        a.interrupted |= stopping;
        return a;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
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

    private interface Body {
        StepResult call() throws Exception;
    }

    /** How one attempt ended: a result, an error, a timeout, or the run being interrupted. */
    static final class Attempt {
        volatile StepResult result;
        volatile String error;
        volatile String timedOut;
        volatile boolean interrupted;

        String failure() {
            if (timedOut != null) return timedOut;
            if (error != null) return error;
            return result == null ? "no result" : result.summary();
        }
    }
}
