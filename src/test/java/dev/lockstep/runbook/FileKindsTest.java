package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file lockstep reads (a runbook, a parameters file, a saved plan) is a regular file or a pipe a program
 * writes into; anything else (a named pipe, whose opening waits for a writer for ever, or a device) is refused
 * before it is opened.
 */
@Tag("process")
class FileKindsTest {
    @TempDir
    Path tmp;

    @Test
    void aNamedPipeOrADeviceIsRefusedRatherThanWaitedOn() throws Exception {
        Path fifo = tmp.resolve("fifo.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String named = "cannot read " + fifo + ": it is a named pipe (FIFO), and reading it could wait for ever";
        String device = "cannot read /dev/zero: it is a device, and reading it could wait for ever";
        List<List<String>> commands = List.of(
                List.of("validate", fifo.toString(), named),
                List.of("run", fifo.toString(), "--no-tui", named),
                List.of("validate", "runbooks/demo.yaml", "--params-file", fifo.toString(), named),
                List.of("run", "runbooks/demo.yaml", "--no-tui", "--params-file", fifo.toString(), named),
                List.of("run", "runbooks/demo.yaml", "--no-tui", "--plan", fifo.toString(), named),
                List.of("validate", "/dev/zero", device),
                List.of("plan", "runbooks/demo.yaml", "--params-file", "/dev/zero", device));
        ExecutorService worker = worker();
        try {
            for (List<String> command : commands) {
                String[] args = command.subList(0, command.size() - 1).toArray(String[]::new);
                LockstepCli.Result r = answered(worker.submit(() -> cli.run(args)), fifo);
                assertEquals(12, r.exit(), String.join(" ", args) + ": " + r.all());
                assertTrue(r.err().contains(command.get(command.size() - 1)), r.err());
                assertTrue(r.err().contains("expected a regular file (a program's output: <(program))"), r.err());
            }
        } finally {
            worker.shutdownNow();
        }
    }

    /** The same for files a step names (a CloudFormation patch) and for the state store's password file. */
    @Test
    void aNamedPipeAStepOrTheStoreNamesIsRefusedToo() throws Exception {
        Path fifo = tmp.resolve("patch.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path book = tmp.resolve("deploy.yaml");
        Files.writeString(book, """
                lockstep: 1
                name: patched
                steps:
                  - id: deploy
                    uses: cloudformation.deploy
                    with: { stack: relay, template: current, patches: [patch.yaml] }
                """);
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        ExecutorService worker = worker();
        try {
            Future<LockstepCli.Result> validate = worker.submit(() -> cli.run("validate", book.toString()));
            LockstepCli.Result r = answered(validate, fifo);
            assertEquals(5, r.exit(), r.all());
            assertTrue(r.all().contains(book + ":6:56: with.patches: cannot read") && r.all().contains("it is a named pipe (FIFO)"), r.all());
            Future<LockstepCli.Result> runs = worker.submit(() -> LockstepCli.onStore("postgres://lockstep@127.0.0.1:1/state")
                    .env("LOCKSTEP_STATE_PASSWORD_FILE", fifo.toString()).run("runs"));
            r = answered(runs, fifo);
            assertEquals(12, r.exit(), r.all());
            assertTrue(r.err().contains("it is a named pipe (FIFO), and reading it could wait for ever"), r.err());
        } finally {
            worker.shutdownNow();
        }
    }

    /** A daemon thread to run commands on, so that one caught waiting on a named pipe cannot keep the tests from ending. */
    private static ExecutorService worker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "file-kinds");
            t.setDaemon(true);
            return t;
        });
    }

    private static LockstepCli.Result answered(Future<LockstepCli.Result> running, Path fifo) throws Exception {
        try {
            // Only a guard against the hang this test is about; a refusal takes milliseconds.
            return running.get(1, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            // Opening the write end lets the waiting reader go, so that the test ends.
            Files.newOutputStream(fifo).close();
            throw new AssertionError("waited on the named pipe", e);
        }
    }

    /** Process substitution, a secret handed over as --params-file <(vault read ...): read, and at most 1 MiB of it. */
    @Test
    void aProgramsPipeIsReadUpToTheLimit() throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\" validate <(cat runbooks/demo.yaml) <(yes)", "bash"));
        command.addAll(LockstepProcess.command());
        Path output = tmp.resolve("output.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("validate of two pipes did not end: " + Files.readString(output));
        }
        String printed = Files.readString(output);
        assertEquals(5, p.exitValue(), printed);
        assertTrue(printed.matches("(?s).*ok /dev/fd/\\d+ \\(5 steps\\).*"), printed);
        assertTrue(printed.matches("(?s).*/dev/fd/\\d+:1:1: expected at most 1048576 bytes \\(1 MiB\\) of YAML.*"), printed);
    }
}
