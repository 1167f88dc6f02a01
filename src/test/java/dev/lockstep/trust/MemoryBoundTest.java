package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bound docs/runbook-reference.md states (Values, limits and files): any runbook that validates is planned and run in 256 MB of heap. Runbooks as large as the
 * loader accepts are planned and run in JVMs of their own with -Xmx256m; one large value repeated by many aliases
 * is refused at load; and running out of memory anyway is exit 70 with the crash report, never a raw trace.
 */
@Tag("process")
class MemoryBoundTest {
    private static final List<String> BOUND = List.of("-Xmx256m");
    private static final List<String> TRACES = List.of("Exception in thread", "\tat ", "java.lang.OutOfMemoryError");
    private static final String HEAD = "lockstep: 1\nname: big\nsteps:\n";
    /** A block scalar's line of 1,000 characters with its line break: a shell comment, so the script runs. */
    private static final String LINE = "# " + "y".repeat(997) + "\n";

    @TempDir
    Path tmp;

    /** The block scalar of {@code lines} lines, indented for a step's key. */
    private static String block(int lines, String indent) {
        return (indent + LINE).repeat(lines);
    }

    /** The runbooks: 880 KB written once, repeated by 2,000 steps' scripts or 3,000 environment values. */
    @Test
    void aLargeValueRepeatedByAliasesIsRefusedAtTheAliasThatPassesTheLimit() throws IOException {
        StringBuilder steps = new StringBuilder(HEAD + "  - id: s0\n    run: &big |\n" + block(880, "      "));
        for (int i = 1; i < 2_000; i++) steps.append("  - id: s").append(i).append("\n    run: *big\n");
        StringBuilder env = new StringBuilder(HEAD + "  - id: a\n    run: echo hi\n    with:\n      env:\n        E0: &big |\n"
                + block(880, "          "));
        for (int i = 1; i < 3_000; i++) env.append("        E").append(i).append(": *big\n");
        LockstepCli bounded = new LockstepCli(tmp.resolve("state")).env("XDG_CACHE_HOME", tmp.resolve("cache").toString())
                .inSeparateProcesses(BOUND);
        for (String text : List.of(steps.toString(), env.toString())) {
            Path file = Files.writeString(tmp.resolve("bomb.yaml"), text);
            assertTrue(Files.size(file) < YamlReader.MAX_BYTES, "within the file's own limit");
            LockstepCli.Result validate = new LockstepCli(tmp.resolve("state")).run("validate", file.toString());
            assertRefusedAtAnAlias(validate, file);
            for (String command : List.of("plan", "run")) {
                LockstepCli.Result r = command.equals("plan") ? bounded.run("plan", file.toString())
                        : bounded.run("run", file.toString(), "--no-tui", "--yes");
                assertRefusedAtAnAlias(r, file);
            }
        }
    }

    private static void assertRefusedAtAnAlias(LockstepCli.Result r, Path file) throws IOException {
        assertEquals(5, r.exit(), r.all());
        TRACES.forEach(trace -> assertFalse(r.all().contains(trace), r.all()));
        Matcher at = Pattern.compile(Pattern.quote(file.toString()) + ":(\\d+):(\\d+): expected at most "
                + YamlReader.MAX_TEXT + " characters \\(4 MiB\\) of text in one file").matcher(r.err());
        assertTrue(at.find(), r.err());
        String line = Files.readAllLines(file).get(Integer.parseInt(at.group(1)) - 1);
        assertEquals("*big", line.substring(Integer.parseInt(at.group(2)) - 1), "the alias that passed the limit: " + line);
    }

    /**
     * The most text a runbook can hold (a script of 1 MB written once and repeated by three aliases: 4 MB, one more
     * alias is refused) is planned and run, and the most values (some 20,000 steps) planned, each in 256 MB of heap.
     */
    @Test
    void theLargestRunbooksThatValidatePlanAndRunIn256MbOfHeap() throws IOException {
        int lines = 1_030;
        StringBuilder script = new StringBuilder(HEAD + "  - id: s0\n    run: &big |\n" + block(lines, "      "));
        for (int i = 1; i <= 3; i++) script.append("  - id: s").append(i).append("\n    run: *big\n");
        script.append("  - id: last\n    run: echo all four scripts ran\n");
        Path mostText = Files.writeString(tmp.resolve("most-text.yaml"), script.toString());
        Path tooMuch = Files.writeString(tmp.resolve("too-much.yaml"), script + "  - id: s4\n    run: *big\n");
        StringBuilder steps = new StringBuilder(HEAD);
        for (int i = 0; i < 19_990; i++) steps.append("  - {id: s").append(i).append(", run: \"true\"}\n");
        Path mostValues = Files.writeString(tmp.resolve("most-values.yaml"), steps.toString());
        Path tenMore = Files.writeString(tmp.resolve("ten-more.yaml"), steps + "  - {id: x, run: \"true\"}\n".repeat(10));

        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        assertTrue(Files.size(mostText) <= YamlReader.MAX_BYTES && lines * LINE.length() * 4L <= YamlReader.MAX_TEXT,
                "at the limits");
        assertEquals(0, cli.run("validate", mostText.toString()).exit());
        assertEquals(5, cli.run("validate", tooMuch.toString()).exit(), "one alias more passes the text limit");
        assertEquals(0, cli.run("validate", mostValues.toString()).exit());
        LockstepCli.Result over = cli.run("validate", tenMore.toString());
        assertTrue(over.exit() == 5 && over.err().contains("expected at most 100000 values"), "ten steps more pass it: " + over.all());

        LockstepCli bounded = new LockstepCli(tmp.resolve("state")).inSeparateProcesses(BOUND);
        LockstepCli.Result planText = bounded.run("plan", mostText.toString());
        assertEquals(0, planText.exit(), planText.err());
        LockstepCli.Result runText = bounded.run("run", mostText.toString(), "--no-tui", "--yes");
        assertEquals(0, runText.exit(), runText.err());
        assertTrue(runText.out().contains("| all four scripts ran"), runText.err());
        LockstepCli.Result planValues = bounded.run("plan", mostValues.toString());
        assertEquals(0, planValues.exit(), planValues.err());
        assertTrue(planValues.out().contains("19990 steps: 19990 checked"), planValues.err());
    }

    /** Out of memory (here: 20,000 steps in 16 MB) is a crash like any other: exit 70, a report written, no trace shown. */
    @Test
    void runningOutOfMemoryIsExit70WithTheCrashReportNeverATrace() throws IOException {
        StringBuilder steps = new StringBuilder(HEAD);
        for (int i = 0; i < 19_990; i++) steps.append("  - {id: s").append(i).append(", run: \"true\"}\n");
        Path file = Files.writeString(tmp.resolve("steps.yaml"), steps.toString());
        Path cache = tmp.resolve("cache");
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).env("XDG_CACHE_HOME", cache.toString())
                .inSeparateProcesses(List.of("-Xmx16m")).run("plan", file.toString());
        assertEquals(70, r.exit(), r.all());
        TRACES.forEach(trace -> assertFalse(r.all().contains(trace), r.all()));
        assertTrue(r.err().startsWith("lockstep: internal error: out of memory (Java heap space, at most "), r.err());
        Path crashes = cache.resolve("lockstep/crashes");
        try (Stream<Path> reports = Files.list(crashes)) {
            Path report = reports.findFirst().orElseThrow();
            assertTrue(r.err().contains(report.toString()), r.err());
            assertTrue(Files.readString(report).contains("java.lang.OutOfMemoryError: Java heap space"), report.toString());
        }
    }
}
