package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.AlembicInstall;
import dev.lockstep.LockstepCli;
import dev.lockstep.steps.db.LintAccess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code migrations.lint} agrees with Alembic on every versions folder the project holds: the
 * lint's fixtures (among them the shapes a pattern-based lint got wrong: {@code alembic merge heads}
 * formatted by black, the seed's fix with a comment on its down_revision line, a merge annotated
 * {@code tuple[str, ...]}, comments inside a split tuple), the seed project and the shipped
 * runbooks' folders. Alembic 1.20.1 (from PyPI, see {@link AlembicInstall}) is the reference: it
 * finds the chain sound when {@code alembic heads} exits 0 with one head and no warning. The lint
 * must say the same, both reading the files as Python and with Alembic given as its executable.
 */
@Tag("process")
class MigrationsLintCorpusTest {
    @TempDir
    Path tmp;

    static Stream<Path> versionsFolders() throws IOException {
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/migrations"))) {
            s.filter(p -> p.getFileName().toString().startsWith("alembic-")).sorted().forEach(folders::add);
        }
        for (Path root : List.of(Path.of("src/test/resources/alembic"), Path.of("runbooks"))) {
            try (Stream<Path> s = Files.list(root)) {
                s.map(p -> p.resolve("alembic/versions")).filter(Files::isDirectory).sorted().forEach(folders::add);
            }
        }
        return folders.stream();
    }

    /** What Alembic itself says of a folder, asked directly (not through lockstep's code). */
    record AlembicVerdict(int exit, Set<String> heads, String stderr) {
        boolean sound() {
            return exit == 0 && heads.size() == 1 && !stderr.contains("Warning");
        }
    }

    private AlembicVerdict alembic(Path versions) throws IOException, InterruptedException {
        Path ini = tmp.resolve("alembic.ini");
        String folder = versions.toAbsolutePath().toString();
        Files.writeString(ini, "[alembic]\nscript_location = " + folder + "\nversion_locations = " + folder
                + "\npath_separator = newline\n");
        ProcessBuilder pb = new ProcessBuilder(AlembicInstall.executable().toString(), "-c", ini.toString(), "heads");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        Set<String> heads = new TreeSet<>();
        for (String line : out.split("\n")) if (!line.isBlank()) heads.add(line.strip().split("\\s+")[0]);
        return new AlembicVerdict(exit, heads, err);
    }

    @ParameterizedTest
    @MethodSource("versionsFolders")
    void theLintReadingTheFilesAgreesWithAlembic(Path versions) throws Exception {
        AlembicVerdict reference = alembic(versions);
        List<String> problems = LintAccess.alembic(versions);
        assertEquals(reference.sound(), problems.isEmpty(),
                versions + ": Alembic " + (reference.sound() ? "finds one head" : "refuses it (" + reference + ")") + "; the lint says " + problems);
        if (reference.exit() == 0) assertEquals(reference.heads(), new TreeSet<>(LintAccess.alembicHeads(versions)), versions.toString());
    }

    @ParameterizedTest
    @MethodSource("versionsFolders")
    void theLintGivenAlembicAgreesWithAlembic(Path versions) throws Exception {
        AlembicVerdict reference = alembic(versions);
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/lint-alembic.yaml",
                "--no-tui", "-p", "versions=" + versions.toAbsolutePath(), "-p", "alembic=" + AlembicInstall.executable());
        assertEquals(reference.sound() ? 0 : 1, r.exit(), versions + ": " + reference + "\n" + r.all());
        assertTrue(r.all().contains("heads, on a configuration naming only that folder") || r.all().contains(" heads"), r.all());
        assertFalse(Files.exists(versions.resolve("__pycache__")), "Alembic was run without writing into the project's folder");
    }

    /** The reader takes any text: cut, spliced and unbalanced revision files (unclosed strings, brackets, backslashes) never make it throw. */
    @Test
    void anyTextIsReadWithoutFailing() throws IOException {
        List<String> sources = new ArrayList<>();
        for (Path folder : versionsFolders().toList()) {
            try (Stream<Path> s = Files.list(folder)) {
                for (Path f : s.filter(p -> p.toString().endsWith(".py")).sorted().toList()) sources.add(Files.readString(f));
            }
        }
        String pieces = "\\\n'\"()[]{}#;:=,\r\t ";
        Random random = new Random(20261207);
        int read = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder(sources.get(random.nextInt(sources.size())));
            for (int edits = random.nextInt(6); edits >= 0; edits--) {
                int at = random.nextInt(text.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, pieces.charAt(random.nextInt(pieces.length())));
                    case 1 -> text.setLength(at);
                    default -> {
                        String other = sources.get(random.nextInt(sources.size()));
                        text.insert(at, other, 0, random.nextInt(Math.min(40, other.length()) + 1));
                    }
                }
            }
            read += LintAccess.assignmentsIn(text.toString()) >= 0 ? 1 : 0;
        }
        assertEquals(5_000, read);
    }
}
