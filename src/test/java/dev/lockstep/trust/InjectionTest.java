package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lockstep.LockstepCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A parameter an attacker controls reaches every kind of action (step, check, wait's polled
 * check, the check of a step reached on resume, a step's rollback, the runbook's rollback)
 * in plan, run, resume and rollback. Each action writes what it received to a file: it must
 * be the value exactly, and the command hidden in it must never run.
 */
class InjectionTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/trust/inject-everywhere.yaml";

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"$(touch MARK)", "`touch MARK`", "\"; touch MARK; echo \"", "'; touch MARK; echo '",
            "${IFS}$(touch${IFS}MARK)", "x\ntouch MARK\n", "$(printf touch) MARK", "\\$(touch MARK)"})
    void aValueIsDataInEveryActionKind(String payload) throws Exception {
        Path mark = tmp.resolve("PWNED");
        Path out = Files.createDirectories(tmp.resolve("out"));
        String value = payload.replace("MARK", mark.toString());
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String[] params = {"-p", "value=" + value, "-p", "out=" + out};

        LockstepCli.Result plan = cli.run(concat(List.of("plan", RUNBOOK), params));
        assertEquals(0, plan.exit(), plan.all());
        assertEquals(value, Files.readString(out.resolve("check")), "the read-only check ran in plan with the value as data");
        assertFalse(Files.exists(mark), "plan ran the payload: " + plan.all());

        LockstepCli.Result run = cli.run(concat(List.of("run", RUNBOOK, "--no-tui"), params));
        assertEquals(7, run.exit(), "stops at the confirmation gate: " + run.all());
        LockstepCli.Result resume = cli.run("resume", "--no-tui", "--yes");
        assertEquals(0, resume.exit(), resume.all());
        String runId = run.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring(8);
        LockstepCli.Result rollback = cli.run("rollback", runId, "--yes", "--confirm-run", runId);
        assertEquals(0, rollback.exit(), rollback.all());

        for (String action : List.of("step", "check", "wait", "resumed", "resumed-check", "rollback", "runbook-rollback")) {
            assertEquals(value, Files.readString(out.resolve(action)), action + " received the value exactly");
        }
        assertFalse(Files.exists(mark), "an action ran the payload");
    }

    private static String[] concat(List<String> head, String... tail) {
        String[] all = new String[head.size() + tail.length];
        for (int i = 0; i < head.size(); i++) all[i] = head.get(i);
        System.arraycopy(tail, 0, all, head.size(), tail.length);
        return all;
    }
}
