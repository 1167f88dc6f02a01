package dev.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.spi.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A shipped runbook's saved plan on its way from review to run, with each command in a JVM of its own, as in
 * daylight and at night: {@code plan --out} in one process, {@code run --plan} in another. Before the reviewed
 * plan runs, each way a plan stops being the reviewed one is refused (exit 16, or 2 for what is not a plan)
 * before a run is recorded or anything changes: a changed value, a changed runbook, a hand-edited plan file, a
 * truncated one, a plan of another runbook; once it ran, the same plan again. It works on a copy of the runbook
 * and its folder, so that the runbook can be edited.
 */
public final class PlanJourney {
    private final LockstepCli cli;
    private final Path dir;
    private final Path book;
    private final Path plan;
    private final List<String> where;
    private final List<String> params;
    private String acceptedRunId;

    /** Asserts that the systems a runbook acts on are as they were before. */
    public interface Untouched {
        void check() throws Exception;
    }

    /**
     * @param cli    runs each of the journey's commands in a process of its own from now on; its state folder keeps the
     *               plan's evidence
     * @param where  options that say where the run acts (--kubeconfig, --namespace), given to plan and run alike
     * @param params the reviewed values, {@code NAME=VALUE}
     */
    public PlanJourney(LockstepCli cli, Path dir, String shipped, List<String> where, String... params) {
        this.cli = cli.inSeparateProcesses();
        this.dir = dir;
        this.where = where;
        this.params = List.of(params);
        Path source = Path.of(shipped);
        String name = source.getFileName().toString().replaceFirst("\\.yaml$", "");
        try {
            Files.createDirectories(dir);
            book = dir.resolve(source.getFileName());
            Files.copy(source, book);
            copyTree(source.resolveSibling(name), dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        plan = dir.resolve(name + ".plan.json");
    }

    /**
     * {@code plan RUNBOOK --out FILE}: it must pass (no false WOULD FAIL), so that it can be run; and some action must
     * hold two parameters' values or more, whose order another process must not change.
     */
    public LockstepCli.Result plan() throws IOException {
        List<String> args = new ArrayList<>(List.of("plan", book.toString(), "--out", plan.toString()));
        args.addAll(where);
        for (String p : params) args.addAll(List.of("-p", p));
        LockstepCli.Result saved = cli.run(args.toArray(String[]::new));
        assertEquals(0, saved.exit(), saved.all());
        assertTrue(mostValuesInOneAction() >= 2, "no action holds two values:\n" + Files.readString(plan));
        return saved;
    }

    /** How many of the parameters' values (the defaults too) the action that holds the most of them holds. */
    @SuppressWarnings("unchecked")
    private int mostValuesInOneAction() throws IOException {
        Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(plan))).get("plan");
        List<String> values = ((Map<String, Map<String, Object>>) document.get("parameters")).values().stream()
                .map(p -> p.get("value")).filter(v -> v instanceof String s && !s.isEmpty()).map(String.class::cast).distinct().toList();
        int most = 0;
        for (Map<String, Object> step : (List<Map<String, Object>>) document.get("steps")) {
            String action = Json.write(step.get("action"));
            most = Math.max(most, (int) values.stream().filter(v -> action.contains(Json.write(v).replaceAll("^\"|\"$", ""))).count());
        }
        return most;
    }

    /**
     * Each way the plan stops being the reviewed one, refused before anything happens: {@code changed} is another
     * value for one of the reviewed parameters ({@code NAME=VALUE}), also written by hand into the file everywhere
     * the reviewed one shows. {@code operator} is what the operator adds to {@code run} ({@code --no-tui}, confirmations).
     */
    public void refusesWhatWasNotReviewed(String changed, Untouched nothingChanged, String... operator) throws Exception {
        String name = changed.substring(0, changed.indexOf('='));
        String reviewed = params.stream().filter(p -> p.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not one of the reviewed parameters " + params)).substring(name.length() + 1);
        String now = changed.substring(name.length() + 1);

        assertRefused(plan, concat(operator, "-p", changed), 16, "parameter " + name + ": planned '" + reviewed + "', now '" + now + "'",
                nothingChanged);
        edited(book, t -> t.replaceFirst("(?m)^title: .*$", "title: Edited after the review"), () ->
                assertRefused(plan, operator, 16, "the runbook " + book + " changed since the plan was made", nothingChanged));
        edited(plan, t -> t.replace(reviewed, now), () ->
                assertRefused(plan, operator, 16, plan + " was changed after it was written", nothingChanged));
        edited(plan, t -> t.substring(0, t.length() / 2), () ->
                assertRefused(plan, operator, 2, plan + " is not a plan saved by lockstep", nothingChanged));

        Path another = dir.resolve("another.yaml");
        Files.writeString(another, "lockstep: 1\nname: another\nsteps:\n  - id: hello\n    run: echo hello\n");
        Path anotherPlan = dir.resolve("another.plan.json");
        LockstepCli.Result saved = cli.run("plan", another.toString(), "--out", anotherPlan.toString());
        assertEquals(0, saved.exit(), saved.all());
        assertRefused(anotherPlan, operator, 16, "the plan is of runbook another", nothingChanged);
    }

    /** {@code run RUNBOOK --plan FILE}: the reviewed plan runs to its end. */
    public LockstepCli.Result runs(String... operator) {
        LockstepCli.Result r = run(plan, operator);
        assertEquals(0, r.exit(), r.all());
        acceptedRunId = r.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring("run id: ".length());
        return r;
    }

    /** Once it ran, the same plan is refused, naming that run, before another run is recorded. */
    public void refusesTheSamePlanAgain(String... operator) throws Exception {
        assertNotNull(acceptedRunId, "the plan ran first");
        assertRefused(plan, operator, 16, "was run already, by run " + acceptedRunId, () -> { });
    }

    private LockstepCli.Result run(Path savedPlan, String... operator) {
        List<String> args = new ArrayList<>(List.of("run", book.toString(), "--plan", savedPlan.toString()));
        args.addAll(where);
        args.addAll(List.of(operator));
        return cli.run(args.toArray(String[]::new));
    }

    private void assertRefused(Path savedPlan, String[] operator, int exit, String says, Untouched nothingChanged) throws Exception {
        int runsBefore = runs();
        LockstepCli.Result run = run(savedPlan, operator);
        assertEquals(exit, run.exit(), run.all());
        assertTrue(run.err().contains(says), "expected '" + says + "' in:\n" + run.err());
        assertFalse(run.out().contains("run id: "), "refused before a run was started:\n" + run.out());
        assertEquals(runsBefore, runs(), "no run was recorded");
        nothingChanged.check();
    }

    /** The runs the state folder holds. */
    private int runs() {
        Path runs = cli.stateDir().resolve("runs");
        if (!Files.isDirectory(runs)) return 0;
        try (Stream<Path> s = Files.list(runs)) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface WhileEdited {
        void run() throws Exception;
    }

    /** Runs {@code then} with {@code file} edited, and puts back its exact bytes afterwards. */
    private static void edited(Path file, UnaryOperator<String> edit, WhileEdited then) throws Exception {
        byte[] original = Files.readAllBytes(file);
        String text = Files.readString(file);
        String changed = edit.apply(text);
        assertNotEquals(text, changed, "the edit changes " + file);
        Files.writeString(file, changed);
        try {
            then.run();
        } finally {
            Files.write(file, original);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) return;
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }
}
