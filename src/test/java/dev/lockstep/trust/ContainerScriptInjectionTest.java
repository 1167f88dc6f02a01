package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A value pasted into a container's shell script ({@code sh -c}) would run as shell code in the
 * cluster: refused when the runbook loads, inline or in a manifest file, each at its own
 * {@code file:line:col}; the same value in the container's {@code env} is fine.
 */
class ContainerScriptInjectionTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/trust/container-script.yaml";
    private static final String MANIFEST = "src/test/resources/runbooks/trust/container-script/deployment.yaml";

    @TempDir
    Path tmp;

    @Test
    void anExpressionInsideAContainerScriptIsRefusedAtLoad() {
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("validate", RUNBOOK);
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.all().contains(RUNBOOK + ":22:26: a ${{ }} inside the container's shell script (/bin/sh -ec) would be pasted"),
                r.all());
        assertTrue(r.all().contains(MANIFEST + ":20:15: a ${{ }} inside the container's shell script (bash -c)"), r.all());
        assertTrue(r.all().contains("give the value to the container in env: [{ name: NAME, value: \"${{ … }}\" }]"), r.all());
        assertEquals(2, r.all().lines().filter(l -> l.contains("container's shell script")).count(),
                "the init container's script reads its value from env: " + r.all());
    }
}
