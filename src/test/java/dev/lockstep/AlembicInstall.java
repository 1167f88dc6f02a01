package dev.lockstep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real {@code alembic} executable for the tests: pinned versions of Alembic, SQLAlchemy and
 * psycopg2 from PyPI, installed once into a virtual environment under
 * {@code ~/.cache/lockstep/alembic-VERSION} (as the AWS emulator is). A folder left by an
 * interrupted install (no marker) is removed and installed again. If it cannot be installed,
 * the tests that need it fail with pip's output.
 */
public final class AlembicInstall {
    public static final String VERSION = "1.20.1";
    private static final List<String> PACKAGES = List.of("alembic==" + VERSION, "sqlalchemy==2.0.54", "psycopg2-binary==2.9.13");
    private static Path executable;

    private AlembicInstall() {}

    /** The alembic executable, installed on first use. */
    public static synchronized Path executable() {
        if (executable != null) return executable;
        String cache = System.getenv("XDG_CACHE_HOME");
        Path venv = (cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("lockstep").resolve("alembic-" + VERSION);
        Path marker = venv.resolve(".installed");
        try {
            if (!Files.exists(marker)) {
                if (Files.exists(venv)) {
                    try (Stream<Path> s = Files.walk(venv)) {
                        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
                    }
                }
                run(List.of("python3", "-m", "venv", venv.toString()));
                List<String> pip = new java.util.ArrayList<>(List.of(venv.resolve("bin/pip").toString(), "install", "--quiet"));
                pip.addAll(PACKAGES);
                run(pip);
                Files.writeString(marker, String.join("\n", PACKAGES) + "\n");
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("Alembic " + VERSION + " could not be installed into " + venv + ": " + e.getMessage(), e);
        }
        return executable = venv.resolve("bin/alembic");
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
    }
}
