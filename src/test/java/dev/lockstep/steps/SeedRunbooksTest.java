package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.AlembicInstall;
import dev.lockstep.KubeCluster;
import dev.lockstep.LockstepCli;
import dev.lockstep.MotoServer;
import dev.lockstep.PlanJourney;
import dev.lockstep.TestPostgres;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * The four seed runbooks in runbooks/, validated, planned and run end to end against real systems. Each one's
 * successful run is a saved plan's: planned in one process and run from the file in another, after every way the
 * plan can stop being the reviewed one was refused ({@link PlanJourney}).
 */
@Tag("kube")
@Tag("aws")
@Tag("postgres")
class SeedRunbooksTest {
    private static final String PASSWORD = "pg-pa55-w0rd";
    private static final String DBUPGRADE = "dbupgrade.subbug.learning/v1alpha1";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state")).env("TEST_DB_PASSWORD", PASSWORD).env("DB_PASSWORD", PASSWORD);
    }

    /** A database whose name is {@code name}; returns its port. */
    private static int database(String name) throws Exception {
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return TestPostgres.server().getPort();
    }

    private static boolean tableExists(int port, String db, String table) throws Exception {
        try (Connection c = TestPostgres.connect("jdbc:postgresql://localhost:" + port + "/" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select to_regclass('" + table + "') is not null")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private void assertNoSecretWritten(LockstepCli.Result... results) throws Exception {
        for (LockstepCli.Result r : results) assertFalse(r.all().contains(PASSWORD), "the password is shown: " + r.all());
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f).contains(PASSWORD), "the password is written in " + f);
            }
        }
    }

    @Test
    void alembicGateStopsTheBranchedChainBeforeAnythingChangesAndUpgradesTheFixedOne() throws Exception {
        String alembic = AlembicInstall.executable().toString();
        int port = database("gate_db");
        LockstepCli cli = cli();
        String branched = Path.of("src/test/resources/alembic/branched").toAbsolutePath().toString();
        String[] common = {"--no-tui", "-p", "alembic=" + alembic, "-p", "db_port=" + port, "-p", "db_name=gate_db"};

        assertEquals(0, cli.run(concat(new String[] {"validate", "runbooks/alembic-gate.yaml"})).exit());
        LockstepCli.Result plan = cli.run(concat(new String[] {"plan", "runbooks/alembic-gate.yaml"}, "-p", "alembic=" + alembic,
                "-p", "db_port=" + port, "-p", "db_name=gate_db"));
        assertEquals(0, plan.exit(), plan.all());
        assertTrue(plan.out().contains(alembic + " -c alembic.ini upgrade head"), plan.out());
        assertTrue(plan.out().contains("DATABASE_URL=postgresql+psycopg2://postgres:******@localhost:" + port + "/gate_db"), plan.out());

        LockstepCli.Result stopped = cli.run(concat(new String[] {"run", "runbooks/alembic-gate.yaml"}, concat(common, "-p", "project=" + branched)));
        assertEquals(4, stopped.exit(), stopped.all());
        assertTrue(stopped.all().contains("2 heads: add_sqs_metadata (0004_sqs.py), add_user_fk_constraint (0003_fk.py)"), stopped.all());
        assertFalse(tableExists(port, "gate_db", "alembic_version"), "nothing changed");

        PlanJourney gate = new PlanJourney(cli(), tmp.resolve("alembic-gate"), "runbooks/alembic-gate.yaml", List.of(),
                "alembic=" + alembic, "db_port=" + port, "db_name=gate_db");
        LockstepCli.Result reviewed = gate.plan();
        // --new: the branched chain's run above is unfinished, and a saved plan never continues another run.
        String[] operator = {"--no-tui", "--new"};
        gate.refusesWhatWasNotReviewed("db_name=gate_db_copy", () -> assertFalse(tableExists(port, "gate_db", "alembic_version")),
                operator);
        LockstepCli.Result up = gate.runs(operator);
        gate.refusesTheSamePlanAgain(operator);
        assertTrue(up.out().contains("Added column: sqs_message_id"), up.out());
        assertTrue(up.out().contains("outputs: before=base after=add_sqs_metadata"), up.out());
        assertTrue(tableExists(port, "gate_db", "predictions"));

        // Seed 002: every deploy runs `alembic upgrade head`; on a database already at head it runs again and changes nothing.
        LockstepCli.Result again = cli.run(concat(new String[] {"run", "runbooks/alembic-gate.yaml"}, concat(common, "--new")));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("alembic upgrade: add_sqs_metadata → add_sqs_metadata"), again.out());
        assertFalse(again.out().contains("Running upgrade") || again.out().contains("Added column"), "nothing to apply: " + again.out());
        assertTrue(tableExists(port, "gate_db", "predictions"));

        LockstepCli.Result back = cli.run("rollback", KubeJobTest.runId(up), "--no-tui", "--yes", "--confirm-run", KubeJobTest.runId(up));
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().contains("downgrade base"), back.out());
        assertFalse(tableExists(port, "gate_db", "predictions"), "the rollback went back to the revision it found");
        assertNoSecretWritten(plan, stopped, reviewed, up, again, back);
    }

    @Test
    void migrationTestUpgradesSeedsQueriesDowngradesAndUpgradesThenRollsOutOnlyAfterTheJob() throws Exception {
        String alembic = AlembicInstall.executable().toString();
        int port = database("sovd_test");
        database("sovd_production");
        String ns = KubeCluster.newNamespace("seed001");
        try (KubernetesClient k = KubeCluster.client()) {
            k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("sovd-webapp-secrets").endMetadata()
                    .addToStringData("database-url", "postgresql+asyncpg://app:x@db:5432/sovd").build()).create();
        }
        LockstepCli cli = cli();
        String[] kube = {"--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns};
        String[] params = {"-p", "alembic=" + alembic, "-p", "db_port=" + port};

        LockstepCli.Result refused = cli.run(concat(concat(new String[] {"run", "runbooks/migration-test.yaml", "--no-tui"}, params),
                concat(kube, "-p", "db_name=sovd_production")));
        assertEquals(4, refused.exit(), "a database that is not a test database is refused: " + refused.all());
        assertTrue(refused.all().contains("first.is_test=false (expected true)"), refused.all());
        assertFalse(tableExists(port, "sovd_production", "alembic_version"), "nothing ran");

        PlanJourney journey = new PlanJourney(cli(), tmp.resolve("migration-test"), "runbooks/migration-test.yaml", List.of(kube),
                "alembic=" + alembic, "db_port=" + port, "db_name=sovd_test");
        LockstepCli.Result plan = journey.plan();
        assertTrue(plan.out().contains("create Job " + ns + "/sovd-webapp-migration-"), plan.out());
        String[] operator = {"--no-tui", "--new"};
        journey.refusesWhatWasNotReviewed("db_name=sovd_production", () -> {
            assertFalse(tableExists(port, "sovd_test", "alembic_version"), "no migration ran");
            assertTrue(KubeJobTest.jobs(ns).isEmpty(), "no Job was created");
        }, operator);
        LockstepCli.Result r = journey.runs(operator);
        journey.refusesTheSamePlanAgain(operator);
        assertTrue(r.out().contains("alembic upgrade: base → 0002_display_name"), r.out());
        assertTrue(r.out().contains("alembic downgrade: 0002_display_name → 0001_users"), r.out());
        assertTrue(r.out().contains("alembic upgrade: 0001_users → 0002_display_name"), r.out());
        assertTrue(r.out().indexOf("Complete") < r.out().indexOf("created Deployment " + ns + "/sovd-backend"), "the release after the Job");
        assertTrue(r.out().contains("deployment \"sovd-backend\" successfully rolled out"), r.out());
        assertTrue(r.out().contains("alembic downgrade: 0002_display_name → base"), r.out());
        assertFalse(tableExists(port, "sovd_test", "users"), "the test database is left as it was found");
        assertNoSecretWritten(plan, r);

        // Issue 21, finding 7: the test runs again on the same database and cluster.
        LockstepCli.Result again = cli.run(concat(concat(new String[] {"run", "runbooks/migration-test.yaml", "--no-tui", "--new"}, params),
                concat(kube, "-p", "db_name=sovd_test")));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("alembic upgrade: base → 0002_display_name"), again.out());
        assertFalse(tableExists(port, "sovd_test", "users"), "left as it was found, again");
    }

    @Test
    void stageMigrationGateTagsTheImageOnlyWhenTheJobSucceeded() throws Exception {
        String ns = KubeCluster.newNamespace("seed000");
        try (KubernetesClient k = KubeCluster.client()) {
            k.nodes().withName(KubeCluster.NODE).edit(n -> new NodeBuilder(n).editMetadata().addToLabels("node_group_type", "on_demand_main")
                    .endMetadata().build());
            k.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName("migration-runner")
                    .addToAnnotations("eks.amazonaws.com/role-arn", "arn:aws:iam::620167017830:role/migration-runner").endMetadata().build()).create();
            for (String s : List.of("udab-server-stage", "udab-server-stage-dist")) {
                k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(s).endMetadata()
                        .addToStringData("DATABASE_URL", "postgresql://app:x@db/udab").build()).create();
            }
        }
        KubeCluster.serveLogs(ns, "INFO  [alembic.runtime.migration] Running upgrade add_user_fk_constraint -> add_sqs_metadata\n");
        EcrClient ecr = AwsFixtures.client(EcrClient.builder(), Region.US_EAST_1);
        String repository = "udab-" + ns;
        ecr.createRepository(b -> b.repositoryName(repository));
        String manifest = AwsFixtures.IMAGE_MANIFEST;
        for (String sha : List.of("44d3ff3", "5e6f7a8")) {
            ecr.putImage(b -> b.repositoryName(repository).imageManifest(manifest.replace("7023", sha.substring(0, 1).equals("4") ? "7023" : "7024"))
                    .imageTag("stage-" + sha));
        }
        LockstepCli cli = cli();
        MotoServer.env().forEach(cli::env);
        String kubeconfig = KubeCluster.kubeconfig(KubeCluster.ADMIN, "staging", ns).toString();
        String[] common = {"--no-tui", "--kubeconfig", kubeconfig, "-p", "repository=" + repository};

        LockstepCli journeyCli = cli();
        MotoServer.env().forEach(journeyCli::env);
        PlanJourney gate = new PlanJourney(journeyCli, tmp.resolve("stage-migration-gate"), "runbooks/stage-migration-gate.yaml",
                List.of("--kubeconfig", kubeconfig), "sha=44d3ff3", "repository=" + repository);
        LockstepCli.Result plan = gate.plan();
        assertTrue(plan.out().contains("create Job " + ns + "/db-migration-"), plan.out());
        gate.refusesWhatWasNotReviewed("sha=5e6f7a8", () -> {
            assertTrue(KubeJobTest.jobs(ns).isEmpty(), "no Job was created");
            assertEquals(List.of("stage-44d3ff3"), tags(ecr, repository, "stage-44d3ff3"), "no tag was added");
        }, "--no-tui");
        LockstepCli.Result ok = gate.runs("--no-tui");
        gate.refusesTheSamePlanAgain("--no-tui");
        assertTrue(ok.out().contains("Running upgrade add_user_fk_constraint -> add_sqs_metadata"), ok.out());
        assertTrue(tags(ecr, repository, "stage-44d3ff3").contains("stage-migrated-44d3ff3"));
        String migrated = KubeJobTest.jobs(ns).get(0).getMetadata().getUid();

        // Seed 000: the workflow applies db-migration-SHA again for the same build, which leaves its finished Job as it is
        // (kept for its ttlSecondsAfterFinished, an hour): the build is not migrated twice. The tag is made again, idempotently.
        LockstepCli.Result again = cli.run(concat(new String[] {"run", "runbooks/stage-migration-gate.yaml", "-p", "sha=44d3ff3", "--new"},
                common));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("is already Complete with this spec: adopted, not run again"), again.out());
        assertEquals(List.of(migrated), KubeJobTest.jobs(ns).stream().map(j -> j.getMetadata().getUid()).toList(), "the same Job, not a second");
        assertTrue(again.out().contains(repository + ":stage-migrated-44d3ff3 already points at this image"), again.out());
        assertTrue(tags(ecr, repository, "stage-44d3ff3").contains("stage-migrated-44d3ff3"));

        String failing = Path.of("src/test/resources/runbooks/kube/k8s/seed000-job-fails.yaml").toAbsolutePath().toString();
        LockstepCli.Result failed = cli.run(concat(new String[] {"run", "runbooks/stage-migration-gate.yaml", "-p", "sha=5e6f7a8",
                "-p", "job=" + failing}, common));
        assertEquals(1, failed.exit(), failed.all());
        assertTrue(failed.out().contains("FAILED step migrate"), failed.out());
        assertEquals(List.of("stage-5e6f7a8"), tags(ecr, repository, "stage-5e6f7a8"), "a failed Job leaves no tag");
    }

    private static List<String> tags(EcrClient ecr, String repository, String tag) {
        return ecr.describeImages(b -> b.repositoryName(repository).imageIds(i -> i.imageTag(tag))).imageDetails().get(0).imageTags();
    }

    @Test
    void dbupgradeReportsConditionsAndEventsAndAdoptsTheSameSpec() throws Exception {
        String ns = KubeCluster.newNamespace("seed004");
        installDbUpgrade(ns, "app-migration", "broken-migration");
        LockstepCli cli = cli();
        String[] kube = {"--no-tui", "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns};
        LockstepCli.Result planned = cli.run("plan", "runbooks/dbupgrade.yaml", "--kubeconfig", KubeCluster.kubeconfig().toString(),
                "--namespace", ns);
        assertTrue(planned.out().contains("Secret db-connection not found now: a run would report Degraded (SecretNotFound)"),
                "plan looks, read-only: " + planned.all());
        LockstepCli.Result noSecret = cli.run(concat(new String[] {"run", "runbooks/dbupgrade.yaml"}, kube));
        assertEquals(1, noSecret.exit(), "no Job before the Secret exists: " + noSecret.all());
        assertTrue(KubeJobTest.jobs(ns).isEmpty());
        Map<String, String> secretMissing = conditions(ns, "app-migration");
        assertEquals("True", secretMissing.get("Degraded"), "the DBUpgrade says why: " + secretMissing);
        assertEquals("False", secretMissing.get("Ready"), secretMissing.toString());
        assertEquals(List.of("SecretNotFound"), events(ns, "app-migration"));
        createSecret(ns, Map.of("url", "postgres://postgres:testpass@db:5432/testdb?sslmode=disable"));
        PlanJourney journey = new PlanJourney(cli(), tmp.resolve("dbupgrade"), "runbooks/dbupgrade.yaml",
                List.of("--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns), "name=app-migration");
        journey.plan();
        // --new: the run without the Secret above is unfinished, and a saved plan never continues another run.
        String[] operator = {"--no-tui", "--new"};
        journey.refusesWhatWasNotReviewed("name=broken-migration", () -> {
            assertTrue(KubeJobTest.jobs(ns).isEmpty(), "no Job was created");
            assertEquals(List.of("SecretNotFound"), events(ns, "app-migration"), "nothing was reported on the DBUpgrade");
        }, operator);
        LockstepCli.Result r = journey.runs(operator);
        journey.refusesTheSamePlanAgain(operator);
        Map<String, String> conditions = conditions(ns, "app-migration");
        assertEquals(Map.of("Accepted", "True", "Progressing", "False", "Ready", "True", "Degraded", "False"), conditions);
        assertEquals(List.of("SecretNotFound", "Accepted", "JobCreated", "JobSucceeded"), events(ns, "app-migration"));
        String owner;
        try (KubernetesClient k = KubeCluster.client()) {
            owner = k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).withName("app-migration").get().getMetadata().getUid();
        }
        var ref = KubeJobTest.jobs(ns).get(0).getMetadata().getOwnerReferences();
        assertEquals(1, ref.size(), "the DBUpgrade owns its Job: " + ref);
        assertEquals(owner, ref.get(0).getUid());
        assertTrue(ref.get(0).getController() && ref.get(0).getBlockOwnerDeletion(), ref.toString());

        LockstepCli.Result again = cli.run(concat(new String[] {"run", "runbooks/dbupgrade.yaml"}, kube));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("adopted, not run again"), again.out());
        assertEquals(1, KubeJobTest.jobs(ns).size(), "the same spec does not re-create the Job");

        String failing = Path.of("src/test/resources/runbooks/kube/k8s/seed004-job-fails.yaml").toAbsolutePath().toString();
        LockstepCli.Result failed = cli.run(concat(new String[] {"run", "runbooks/dbupgrade.yaml", "-p", "name=broken-migration",
                "-p", "job=" + failing}, kube));
        assertEquals(1, failed.exit(), failed.all());
        Map<String, String> degraded = conditions(ns, "broken-migration");
        assertEquals("True", degraded.get("Degraded"), degraded.toString());
        assertEquals("False", degraded.get("Ready"), degraded.toString());
        assertTrue(events(ns, "broken-migration").contains("JobFailed"));

        // The owner's deletion takes its Jobs with it: Kubernetes' garbage collector, as for an operator's.
        try (KubernetesClient k = KubeCluster.client()) {
            k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).withName("app-migration").delete();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (KubeJobTest.jobs(ns).stream().anyMatch(j -> j.getMetadata().getOwnerReferences().get(0).getUid().equals(owner))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the DBUpgrade's Jobs outlived it: " + KubeJobTest.jobs(ns));
            Thread.sleep(200);
        }
        assertEquals(1, KubeJobTest.jobs(ns).size(), "broken-migration's Job stays with its owner");
    }

    /**
     * Finding 4: the Job is the DBUpgrade's spec. A changed spec (generation 2) runs a Job of its own, and Ready says
     * generation 2 only once that Job completed; the same spec again adopts it: one Job per spec.
     */
    @Test
    void dbupgradeRunsTheJobItsSpecSaysAndReportsOnlyTheGenerationThatRan() throws Exception {
        String ns = KubeCluster.newNamespace("seed004-spec");
        installDbUpgrade(ns, "app-migration");
        createSecret(ns, Map.of("url", "postgres://postgres:testpass@db:5432/testdb?sslmode=disable"));
        LockstepCli cli = cli();
        String[] kube = {"run", "runbooks/dbupgrade.yaml", "--no-tui", "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns};

        LockstepCli.Result first = cli.run(kube);
        assertEquals(0, first.exit(), first.all());
        assertEquals(1, KubeJobTest.jobs(ns).size(), first.all());
        Job v1 = KubeJobTest.jobs(ns).get(0);
        var container = v1.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("test-migrations:v1", container.getImage(), "the spec's image");
        var url = container.getEnv().stream().filter(e -> e.getName().equals("DATABASE_URL")).findFirst().orElseThrow().getValueFrom().getSecretKeyRef();
        assertEquals(List.of("db-connection", "url"), List.of(url.getName(), url.getKey()), "the spec's Secret and key");
        assertEquals("/migrations", container.getEnv().stream().filter(e -> e.getName().equals("MIGRATIONS_DIR")).findFirst().orElseThrow().getValue());
        assertEquals(Map.of("status", "True", "observedGeneration", 1L), ready(ns, "app-migration"));

        try (KubernetesClient k = KubeCluster.client()) {
            k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).withName("app-migration").edit(r -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
                spec.put("migrations", Map.of("image", "test-migrations:v2", "dir", "/migrations"));
                return r;
            });
        }
        String held = Path.of("src/test/resources/runbooks/kube/k8s/seed004-job-hold.yaml").toAbsolutePath().toString();
        CompletableFuture<LockstepCli.Result> second = CompletableFuture.supplyAsync(() -> cli.run(concat(kube, "-p", "job=" + held, "--new")));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (KubeJobTest.jobs(ns).size() < 2 || !Map.of("status", "True", "observedGeneration", 2L).equals(condition(ns, "app-migration", "Progressing"))) {
            if (second.isDone()) throw new AssertionError("the changed spec ran no Job of its own: " + second.get().all() + KubeJobTest.jobs(ns));
            if (System.nanoTime() > deadline) throw new AssertionError("no Job for generation 2 is Progressing: " + KubeJobTest.jobs(ns));
            Thread.sleep(200);
        }
        assertEquals(Map.of("status", "False", "observedGeneration", 2L), ready(ns, "app-migration"),
                "generation 2 is not Ready while its Job runs");
        KubeJobTest.release(ns);
        LockstepCli.Result changed = second.get(3, TimeUnit.MINUTES);
        assertEquals(0, changed.exit(), changed.all());
        List<Job> jobs = KubeJobTest.jobs(ns);
        assertEquals(2, jobs.size(), "a changed spec makes a new Job: " + changed.all());
        Job v2 = jobs.stream().filter(j -> !j.getMetadata().getName().equals(v1.getMetadata().getName())).findFirst().orElseThrow();
        assertEquals("test-migrations:v2", v2.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertTrue(v2.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True")));
        assertEquals(Map.of("status", "True", "observedGeneration", 2L), ready(ns, "app-migration"));

        LockstepCli.Result again = cli.run(concat(kube, "-p", "job=" + held, "--new"));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("adopted, not run again"), again.out());
        assertEquals(2, KubeJobTest.jobs(ns).size(), "one Job per spec");
    }

    /**
     * Finding 9: the connection Secret is there but has no key url in its data: Degraded, and no Job. A spec that names
     * the key the Secret has but no image cannot make the Job either: Degraded (InvalidSpec), and no Job.
     */
    @Test
    void dbupgradeRefusesASecretWithoutTheKey() throws Exception {
        String ns = KubeCluster.newNamespace("seed004-key");
        installDbUpgrade(ns, "app-migration");
        createSecret(ns, Map.of("uri", "postgres://postgres:testpass@db:5432/testdb"));
        LockstepCli.Result r = cli().run("run", "runbooks/dbupgrade.yaml", "--no-tui", "--kubeconfig", KubeCluster.kubeconfig().toString(),
                "--namespace", ns);
        assertEquals(1, r.exit(), r.all());
        assertEquals(0, KubeJobTest.jobs(ns).size(), "no Job for a Secret without the key: " + r.all());
        assertEquals(Map.of("status", "True", "reason", "SecretNotFound"), reason(ns, "app-migration", "Degraded"));
        assertEquals(Map.of("status", "False", "reason", "SecretNotFound"), reason(ns, "app-migration", "Ready"));
        assertTrue(r.out().contains("Secret db-connection has no key url"), r.out());

        GenericKubernetesResource noImage = dbUpgrade("no-image");
        noImage.setAdditionalProperty("spec", Map.of("migrations", Map.of("dir", "/migrations"), "database", Map.of("type", "selfHosted",
                "connection", Map.of("urlSecretRef", Map.of("name", "db-connection", "key", "uri")))));
        try (KubernetesClient k = KubeCluster.client()) {
            k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).resource(noImage).create();
        }
        LockstepCli.Result invalid = cli().run("run", "runbooks/dbupgrade.yaml", "-p", "name=no-image", "--new", "--no-tui",
                "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns);
        assertEquals(1, invalid.exit(), invalid.all());
        assertTrue(invalid.out().contains("DBUpgrade " + ns + "/no-image has no spec.migrations.image"), invalid.out());
        assertEquals(0, KubeJobTest.jobs(ns).size(), "no Job for a spec without an image");
        assertEquals(Map.of("status", "True", "reason", "InvalidSpec"), reason(ns, "no-image", "Degraded"));
    }

    /** The DBUpgrade kind, and one DBUpgrade of each name in {@code ns}. */
    private static void installDbUpgrade(String ns, String... names) throws Exception {
        try (KubernetesClient k = KubeCluster.client()) {
            k.resource(Files.readString(Path.of("runbooks/dbupgrade/crd.yaml"))).forceConflicts().serverSideApply();
            k.apiextensions().v1().customResourceDefinitions().withName("dbupgrades.dbupgrade.subbug.learning").waitUntilCondition(d -> d != null
                    && d.getStatus() != null && d.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")), 1, TimeUnit.MINUTES);
            for (String name : names) k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).resource(dbUpgrade(name)).create();
        }
    }

    private static void createSecret(String ns, Map<String, String> data) {
        try (KubernetesClient k = KubeCluster.client()) {
            k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db-connection").endMetadata()
                    .addToStringData(data).build()).create();
        }
    }

    private static Map<String, Object> ready(String ns, String name) {
        return condition(ns, name, "Ready");
    }

    /** A condition's status and the generation it speaks of, as {@code kubectl wait --for=condition} reads them. */
    private static Map<String, Object> condition(String ns, String name, String type) {
        Map<String, Object> c = conditionEntry(ns, name, type);
        return c == null ? Map.of() : Map.of("status", c.get("status"), "observedGeneration", ((Number) c.get("observedGeneration")).longValue());
    }

    private static Map<String, Object> reason(String ns, String name, String type) {
        Map<String, Object> c = conditionEntry(ns, name, type);
        return c == null ? Map.of() : Map.of("status", c.get("status"), "reason", c.get("reason"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> conditionEntry(String ns, String name, String type) {
        try (KubernetesClient k = KubeCluster.client()) {
            GenericKubernetesResource r = k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).withName(name).get();
            if (!(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status) || !(status.get("conditions") instanceof List<?> all)) return null;
            return all.stream().map(o -> (Map<String, Object>) o).filter(c -> type.equals(c.get("type"))).findFirst().orElse(null);
        }
    }

    private static GenericKubernetesResource dbUpgrade(String name) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(DBUPGRADE);
        r.setKind("DBUpgrade");
        r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        r.setAdditionalProperty("spec", Map.of("migrations", Map.of("image", "test-migrations:v1", "dir", "/migrations"),
                "database", Map.of("type", "selfHosted", "connection", Map.of("urlSecretRef", Map.of("name", "db-connection", "key", "url")))));
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> conditions(String ns, String name) {
        try (KubernetesClient k = KubeCluster.client()) {
            GenericKubernetesResource r = k.genericKubernetesResources(DBUPGRADE, "DBUpgrade").inNamespace(ns).withName(name).get();
            Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (Object o : (List<Object>) status.get("conditions")) {
                Map<String, Object> c = (Map<String, Object>) o;
                out.put((String) c.get("type"), (String) c.get("status"));
            }
            return out;
        }
    }

    private static List<String> events(String ns, String name) {
        try (KubernetesClient k = KubeCluster.client()) {
            return k.v1().events().inNamespace(ns).withField("involvedObject.name", name).list().getItems().stream()
                    // Creation timestamps have one-second resolution; the store's revision orders events exactly.
                    .sorted(java.util.Comparator.comparingLong(e -> Long.parseLong(e.getMetadata().getResourceVersion())))
                    .map(io.fabric8.kubernetes.api.model.Event::getReason).toList();
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
