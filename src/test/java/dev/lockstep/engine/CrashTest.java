package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.LockstepProcess;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the real CLI at several points of runbooks/crash.yaml, then resume as an
 * operator would. Every side effect must end up happening exactly once, and a step
 * killed mid-flight must be reported in-doubt, never silently repeated.
 */
@Tag("process")
class CrashTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/crash.yaml";
    private static final List<String> EFFECTS = List.of("one", "slow-start", "slow-end", "idem", "last");
    /** The line each non-idempotent step appends last: there, it has had its effect. */
    private static final Map<String, String> LAST_EFFECT = Map.of("one", "one", "slow", "slow-end", "last", "last");

    @TempDir
    Path tmp;

    private Path state;
    private Path effects;
    private Path log;

    /** Starts `lockstep run` of the crash runbook in its own JVM, with fresh state and effects files. */
    private Process startRun() throws IOException {
        state = tmp.resolve("state");
        effects = Files.createFile(tmp.resolve("effects.txt"));
        log = tmp.resolve("first.log");
        return LockstepProcess.start(log, "run", RUNBOOK, "--no-tui", "--state-dir", state.toString(),
                "-p", "effects=" + effects);
    }

    @ParameterizedTest(name = "kill -9 {0}")
    @ValueSource(strings = {"after-one-succeeded", "when-slow-started", "while-slow-appends", "after-slow-succeeded",
            "when-idem-started"})
    void everyEffectHappensExactlyOnce(String killPoint) throws Exception {
        Process p = startRun();
        waitFor(killPoint, condition(killPoint, state, effects), p, log);
        p.destroyForcibly().waitFor();
        waitForOrphanedChild(state);

        String inDoubt = null;
        for (int round = 1; ; round++) {
            if (round > 4) fail("resume did not finish: " + Files.readString(tmp.resolve("resume-" + (round - 1) + ".log")));
            List<String> args = new ArrayList<>(List.of("resume", "--no-tui", "--state-dir", state.toString()));
            if (inDoubt != null) {
                // The operator looks at the effects file and decides, as the message asks.
                boolean hadItsEffect = Files.readAllLines(effects).contains(LAST_EFFECT.get(inDoubt));
                args.addAll(List.of(hadItsEffect ? "--mark-done" : "--rerun", inDoubt));
            }
            Path out = tmp.resolve("resume-" + round + ".log");
            int exit = LockstepProcess.run(out, args.toArray(String[]::new));
            if (exit == 0) break;
            String text = Files.readString(out);
            assertEquals(7, exit, "only an in-doubt step may stop the resume: " + text);
            // The kill lands a moment after its point is seen: a fast step may already have followed.
            Matcher named = Pattern.compile("step (\\S+) was in flight").matcher(text);
            assertTrue(named.find() && LAST_EFFECT.containsKey(named.group(1)), "a non-idempotent step is in doubt: " + text);
            inDoubt = named.group(1);
        }
        List<String> lines = Files.readAllLines(effects);
        for (String e : EFFECTS) {
            assertEquals(1, lines.stream().filter(e::equals).count(), e + " in " + lines + " (kill point " + killPoint + ")");
        }
        List<String> recordedInDoubt = events(state).stream()
                .filter(e -> e.type() == EventType.STEP_IN_DOUBT && !"idem".equals(e.step())).map(Event::step).distinct().toList();
        assertEquals(inDoubt == null ? List.of() : List.of(inDoubt), recordedInDoubt,
                "an in-doubt non-idempotent step always goes to the operator");
        if (killPoint.equals("while-slow-appends")) assertEquals("slow", inDoubt, "killed mid-step: in-doubt");
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void ctrlCAndTerminationLeaveAResumableRun(String signal) throws Exception {
        Process p = startRun();
        waitFor("slow-start", v -> read(effects).contains("slow-start"), p, log);
        new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "lockstep stops on SIG" + signal);
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), Files.readString(log));
        List<EventType> tail = events(state).stream().map(Event::type).toList();
        assertEquals(List.of(EventType.STEP_IN_DOUBT, EventType.RUN_INTERRUPTED), tail.subList(tail.size() - 2, tail.size()),
                "the journal says where the run stopped");
        assertTrue(!read(effects).contains("slow-end"), "the step's process was stopped with lockstep");

        Path resumed = tmp.resolve("resume.log");
        assertEquals(0, LockstepProcess.run(resumed, "resume", "--no-tui", "--state-dir", state.toString(), "--rerun", "slow"),
                Files.readString(resumed));
        assertEquals(List.of("one", "slow-start", "slow-start", "slow-end", "idem", "last"), Files.readAllLines(effects),
                "the operator chose to run the interrupted step again");
    }

    /** Ctrl-C must work however the tests were launched: here under a parent that ignores SIGINT, as `trap "" INT` does. */
    @Test
    void ctrlCStopsTheRunEvenWhenItsParentIgnoresSigint() throws Exception {
        state = tmp.resolve("state");
        effects = Files.createFile(tmp.resolve("effects.txt"));
        log = tmp.resolve("first.log");
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "trap '' INT; exec \"$@\"", "bash"));
        cmd.addAll(LockstepProcess.command("run", RUNBOOK, "--no-tui", "--state-dir", state.toString(),
                "-p", "effects=" + effects));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        waitFor("slow-start", v -> read(effects).contains("slow-start"), p, log);
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "lockstep stops on SIGINT");
        assertEquals(130, p.exitValue(), Files.readString(log));
        assertTrue(!read(effects).contains("slow-end"), "the step was interrupted, not run to its end");
    }

    private static Predicate<Void> condition(String killPoint, Path state, Path effects) {
        return switch (killPoint) {
            case "after-one-succeeded" -> v -> journalHas(state, EventType.STEP_SUCCEEDED, "one");
            case "when-slow-started" -> v -> journalHas(state, EventType.STEP_STARTED, "slow");
            case "while-slow-appends" -> v -> read(effects).contains("slow-start");
            case "after-slow-succeeded" -> v -> journalHas(state, EventType.STEP_SUCCEEDED, "slow");
            case "when-idem-started" -> v -> journalHas(state, EventType.STEP_STARTED, "idem");
            default -> throw new IllegalArgumentException(killPoint);
        };
    }

    private static void waitFor(String what, Predicate<Void> condition, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.test(null)) {
            if (!p.isAlive()) fail("lockstep ended before " + what + ": " + Files.readString(log));
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /**
     * A killed lockstep leaves its shell child running. The operator waits for it before
     * deciding; the child is found by the run id in its environment (its pid may not
     * have reached the journal before the kill).
     */
    private static void waitForOrphanedChild(Path state) throws InterruptedException, IOException {
        String runId;
        try (Stream<Path> s = Files.list(state.resolve("runs"))) {
            runId = s.findFirst().orElseThrow().getFileName().toString();
        }
        byte[] marker = ("LOCKSTEP_RUN_ID=" + runId).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && ProcessHandle.allProcesses().anyMatch(h -> environContains(h, marker))) {
            Thread.sleep(20);
        }
    }

    private static boolean environContains(ProcessHandle h, byte[] marker) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", String.valueOf(h.pid()), "environ"));
            return new String(env, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains(new String(marker, java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static boolean journalHas(Path state, EventType type, String step) {
        return events(state).stream().anyMatch(e -> e.type() == type && step.equals(e.step()));
    }

    private static List<Event> events(Path state) {
        Path runs = state.resolve("runs");
        if (!Files.isDirectory(runs)) return List.of();
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = s.toList();
            if (dirs.isEmpty() || !Files.exists(dirs.get(0).resolve("journal.jsonl"))) return List.of();
            return Journal.read(dirs.get(0).resolve("journal.jsonl")).events();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }
}
