package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preview leaves nothing out: the whole script as it runs (lines without a value too), every halt
 * condition and limit, what a wait polls, and what each built-in undo will do, resolved.
 */
class PlanPreviewTest {
    @TempDir
    Path tmp;

    @Test
    void theWholeScriptItsConditionsAndWhatAWaitPollsAreShown() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String work = tmp.resolve("work").toString();
        LockstepCli.Result plan = cli.run("plan", "runbooks/demo.yaml", "-p", "workdir=" + work, "-p", "rows=100");
        assertEquals(0, plan.exit(), plan.all());
        String out = plan.out();
        assertTrue(out.contains("        $ else\n        $   cp \"${LS_PARAMS_WORKDIR}/source.tsv\" \"${LS_PARAMS_WORKDIR}/target.tsv\"\n"
                + "        $ fi\n"), "every line as it runs, those without a value too:\n" + out);
        assertTrue(out.contains("      halts on a line matching: MISMATCH\n"), out);
        assertTrue(out.contains("      timeout: 1m\n"), out);
        assertTrue(out.contains("      idempotent: runs again if a crash leaves it in doubt\n"), out);
        assertTrue(out.contains("      until: run\n        shell: bash --noprofile --norc -eo pipefail -c\n"
                + "        $ grep -q readers=target \"" + work + "/pointer\"\n"), "what the wait polls, resolved:\n" + out);
    }

    @Test
    void eachBuiltInUndoSaysWhatItWillDo() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String out = cli.run("plan", "src/test/resources/runbooks/plan/undo.yaml", "--kubeconfig", tmp.resolve("none").toString()).out();
        assertTrue(out.contains("rollback: db.copy (built-in undo)\n        empty (TRUNCATE) tables events, event_tags, kv on "
                + "jdbc:postgresql://db.internal:5432/zooid"), out);
        assertTrue(out.contains("rollback: alembic (built-in undo)\n        $ alembic -c alembic.ini downgrade REVISION\n"
                + "        REVISION: the revision the database is at when the step starts"), out);
        assertTrue(out.contains("rollback: k8s.job (built-in undo)\n        delete the Job this step ran or adopted (k8s/job-ok.yaml's "
                + "metadata.name plus the hash of its spec, journaled before it is created) in namespace relay and its pods"), out);
    }
}
