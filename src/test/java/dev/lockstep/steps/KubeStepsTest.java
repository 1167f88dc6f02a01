package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.KubeCluster;
import dev.lockstep.LockstepCli;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** context.kubernetes, k8s.apply and k8s.wait against the real API server. */
@Tag("kube")
class KubeStepsTest {
    private static final String DIR = KubeJobTest.DIR;
    private static final String SECRET = "postgres://app:s3cret-pa55@db:5432/relay";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state")).env("TEST_DB_URL", SECRET);
    }

    @Test
    void theContextGuardRefusesAnotherContextServerOrNamespaceWithBothShownAndShellStepsActOnTheSamePlace() {
        try (KubernetesClient k = KubeCluster.client()) {
            if (k.namespaces().withName("ctx-guard").get() == null) {
                k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ctx-guard").endMetadata().build()).create();
            }
            k.configMaps().inNamespace("ctx-guard").resource(new ConfigMapBuilder().withNewMetadata().withName("marker").endMetadata()
                    .addToData("where", "the ctx-guard namespace").build()).createOr(x -> x.update());
        }
        LockstepCli cli = cli();
        Path prod = KubeCluster.kubeconfig(KubeCluster.ADMIN, "prod", "ctx-guard");
        LockstepCli.Result wrongContext = cli.run("run", DIR + "context.yaml", "--no-tui", "--kubeconfig", prod.toString());
        assertEquals(13, wrongContext.exit(), wrongContext.all());
        assertTrue(wrongContext.err().contains("has no context named staging (it has prod)"), wrongContext.err());

        Path staging = KubeCluster.kubeconfig(KubeCluster.ADMIN, "staging", "ctx-guard");
        LockstepCli.Result wrongNamespace = cli.run("run", DIR + "context.yaml", "--no-tui", "--kubeconfig", staging.toString(),
                "--namespace", "default");
        assertEquals(13, wrongNamespace.exit(), wrongNamespace.all());
        assertTrue(wrongNamespace.err().contains("the runbook is for Kubernetes context staging, any server, namespace ctx-guard, but kubeconfig "
                + staging + " points at context staging, server " + KubeCluster.server() + ", namespace default"), wrongNamespace.err());

        LockstepCli.Result wrongServer = cli.run("run", DIR + "context-server.yaml", "--no-tui", "--kubeconfig", staging.toString());
        assertEquals(13, wrongServer.exit(), wrongServer.all());
        assertTrue(wrongServer.err().contains("server https://10.9.8.7:6443") && wrongServer.err().contains("server " + KubeCluster.server()),
                wrongServer.err());
        assertFalse(Files.exists(tmp.resolve("state/runs")) && tmp.resolve("state/runs").toFile().list().length > 0, "nothing was recorded");

        LockstepCli.Result ok = cli.env("KUBECONFIG", staging.toString()).run("run", DIR + "context.yaml", "--no-tui");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.out().contains("the ctx-guard namespace"), "kubectl read the runbook's namespace: " + ok.out());
        assertTrue(ok.out().contains("helm namespace ctx-guard"), ok.out());

        // A $KUBECONFIG list is merged as kubectl merges it: files that do not exist are passed over, and
        // the runbook's context (staging) is found in the second file, after one that has only prod.
        String list = tmp.resolve("no-such-file") + java.io.File.pathSeparator + prod + java.io.File.pathSeparator + staging;
        LockstepCli.Result merged = cli.env("KUBECONFIG", list).run("run", DIR + "context.yaml", "--no-tui", "--new");
        assertEquals(0, merged.exit(), merged.all());
        LockstepCli.Result firstCurrent = cli.env("KUBECONFIG", list).run("run", DIR + "context-server.yaml", "--no-tui");
        assertEquals(13, firstCurrent.exit(), firstCurrent.all());
        assertTrue(firstCurrent.err().contains("but $KUBECONFIG (" + prod + java.io.File.pathSeparator + staging + ") points at context prod"),
                "the first file to set current-context sets it: " + firstCurrent.err());
        assertTrue(merged.out().contains("the ctx-guard namespace"), "the staging context of the second file: " + merged.out());
    }

    @Test
    void applyPlansADiffAppliesAndItsRollbackDeletesWhatItCreatedAndRestoresWhatItChanged() throws Exception {
        String ns = KubeCluster.newNamespace("apply");
        try (KubernetesClient k = KubeCluster.client()) {
            k.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("existing").endMetadata()
                    .addToData("a", "1").build()).create();
        }
        LockstepCli cli = cli();
        String[] kube = {"--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns};
        LockstepCli.Result plan = cli.run(SeedRunbooksTest.concat(new String[] {"plan", DIR + "apply.yaml"}, kube));
        assertEquals(0, plan.exit(), plan.all());
        assertTrue(plan.out().contains("create ConfigMap " + ns + "/relay-config"), plan.out());
        assertTrue(plan.out().contains("change ConfigMap " + ns + "/existing:") && plan.out().contains("~ data.a: 1 → 2"), plan.out());
        assertTrue(plan.out().contains("create ServiceAccount " + ns + "/migration-runner"), plan.out());
        try (KubernetesClient k = KubeCluster.client()) {
            assertNull(k.configMaps().inNamespace(ns).withName("relay-config").get(), "the plan created nothing");
        }

        LockstepCli.Result r = cli.run(SeedRunbooksTest.concat(new String[] {"run", DIR + "apply.yaml", "--no-tui"}, kube));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("created Secret " + ns + "/db-connection"), r.out());
        assertTrue(r.out().contains("configured ConfigMap " + ns + "/existing"), r.out());
        try (KubernetesClient k = KubeCluster.client()) {
            assertEquals("2", k.configMaps().inNamespace(ns).withName("existing").get().getData().get("a"));
            assertEquals(SECRET, new String(java.util.Base64.getDecoder().decode(
                    k.secrets().inNamespace(ns).withName("db-connection").get().getData().get("url"))));
        }

        LockstepCli.Result rb = cli.run(SeedRunbooksTest.concat(new String[] {"rollback", KubeJobTest.runId(r), "--no-tui", "--yes", "--confirm-run", KubeJobTest.runId(r)}, kube));
        assertEquals(0, rb.exit(), rb.all());
        try (KubernetesClient k = KubeCluster.client()) {
            assertEquals(Map.of("a", "1"), k.configMaps().inNamespace(ns).withName("existing").get().getData(), "restored");
            assertNull(k.serviceAccounts().inNamespace(ns).withName("migration-runner").get(), "created, so deleted");
            assertNull(k.configMaps().inNamespace(ns).withName("relay-config").get());
            assertNull(k.secrets().inNamespace(ns).withName("db-connection").get());
        }
        for (LockstepCli.Result x : new LockstepCli.Result[] {plan, r, rb}) assertFalse(x.all().contains("s3cret-pa55"), x.all());
        try (Stream<Path> files = Files.walk(tmp.resolve("state"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) assertFalse(Files.readString(f).contains("s3cret-pa55"), f.toString());
        }
    }

    @Test
    void aManifestWithoutANameIsAProblemAtItsPositionWhenTheRunbookLoads() {
        LockstepCli.Result r = cli().run("validate", DIR + "bad-manifest.yaml");
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.all().contains("bad-manifest.yaml:7:7: with: manifests (8:11): the object has no metadata.name"), r.all());
    }
}
