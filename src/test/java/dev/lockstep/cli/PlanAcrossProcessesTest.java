package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan as people use it: made in one process, run from another, as a reviewer in daylight and an
 * operator at night would; with several values in each action, whose order a process must not decide.
 */
class PlanAcrossProcessesTest {
    @TempDir
    Path tmp;

    private record Ended(int exit, byte[] out, String err) {
        String text() {
            return new String(out, java.nio.charset.StandardCharsets.UTF_8) + err;
        }
    }

    private Ended lockstep(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        List<String> command = new ArrayList<>(LockstepProcess.command(args));
        if (!List.of(args).contains("--state-dir")) command.addAll(List.of("--state-dir", tmp.resolve("state").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("LOCKSTEP_STATE_DIR");
        pb.environment().remove("LOCKSTEP_STATE");
        pb.environment().put("TAMPER_TOKEN", "tok-7781-secret");
        pb.environment().put("DEMO_API_TOKEN", "tok-5150-secret");
        Process p = pb.start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("lockstep did not finish: " + Files.readString(err));
        }
        return new Ended(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }

    @Test
    void theJsonPlanIsTheSameBytesInEveryProcess() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        byte[] first = null;
        for (int i = 0; i < 5; i++) {
            Ended plan = lockstep("plan", "src/test/resources/runbooks/plan/tamper.yaml", "-p", "work=" + tmp.resolve("w"),
                    "-p", "marks=" + marks, "--output", "json");
            assertEquals(0, plan.exit(), plan.text());
            if (first == null) first = plan.out();
            else assertArrayEquals(first, plan.out(), "process " + (i + 1) + " printed other bytes than the first:\n" + plan.text());
        }
        String json = new String(first, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(json.contains("\"env\": {\n          \"LS_PARAMS_WORK\": \"" + tmp.resolve("w") + "\",\n          \"LS_PARAMS_ROWS\": \"500\",\n"
                + "          \"LS_PARAMS_LABEL\": \"blue\",\n          \"LS_PARAMS_TOKEN\": \"******\"\n        }"),
                "the environment in the order the values appear:\n" + json);
    }

    @Test
    void aPlanSavedByOneProcessRunsInAnotherOnceAndOnlyOnce() throws Exception {
        Path work = tmp.resolve("demo-work");
        Path plan = tmp.resolve("demo-plan.json");
        Ended saved = lockstep("plan", "runbooks/demo.yaml", "-p", "workdir=" + work, "-p", "rows=100", "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.text());
        Ended run = lockstep("run", "runbooks/demo.yaml", "--plan", plan.toString(), "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, run.exit(), run.text());
        assertEquals("readers=target\n", Files.readString(work.resolve("pointer")));
        assertEquals(100, Files.readAllLines(work.resolve("target.tsv")).size());
        Ended again = lockstep("run", "runbooks/demo.yaml", "--plan", plan.toString(), "--no-tui", "--confirm", "switch=relay");
        assertEquals(16, again.exit(), again.text());
        assertTrue(again.err().contains("was run already, by run demo-"), again.err());
    }

    @Test
    void theHintPrintedWithASavedPlanRunsAsPrinted() throws Exception {
        Path work = tmp.resolve("hint-work");
        Path plan = tmp.resolve("hint-plan.json");
        Ended saved = lockstep("plan", "runbooks/demo.yaml", "-p", "workdir=" + work, "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.text());
        String printed = new String(saved.out(), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher hint = java.util.regex.Pattern.compile("(lockstep run (--state-dir \\S+ )?\\S+ --plan \\S+) runs exactly this")
                .matcher(printed);
        assertTrue(hint.find(), printed);
        assertTrue(hint.group(1).contains("--state-dir " + tmp.resolve("state")), "the hint names the state folder: " + hint.group(1));
        List<String> words = new ArrayList<>(List.of(hint.group(1).substring("lockstep ".length()).split(" ")));
        words.addAll(List.of("--no-tui", "--confirm", "switch=relay"));
        Ended run = lockstep(words.toArray(String[]::new));
        assertEquals(0, run.exit(), run.text());
    }
}
