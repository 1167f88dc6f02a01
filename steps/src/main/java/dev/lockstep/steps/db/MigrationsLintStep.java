package dev.lockstep.steps.db;

import dev.lockstep.spi.FileTrees;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.UserFiles;
import dev.lockstep.spi.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code migrations.lint}: finds, before anything changes, what breaks a migration at
 * deploy time. Alembic: more than one head, a branch (two revisions with the same
 * parent that no merge joins), a down_revision naming no revision, a revision defined
 * twice. Flyway: two files with the same version. Usable as a step (fails) or a
 * precondition (does not hold).
 *
 * <p>Given the project's {@code alembic} executable, Alembic itself reads the chain
 * ({@code alembic heads} on a configuration that names only the folder), so the lint
 * agrees with what {@code alembic upgrade head} will find. Without it, the revision files
 * are read as Python ({@link PythonModule}: literal assignments, never run), the
 * folder's top level only, with the file names Alembic loads.
 *
 * <pre>
 * check:
 *   - uses: migrations.lint
 *     with: { alembic: backend/alembic/versions, executable: .venv/bin/alembic }
 * </pre>
 */
public final class MigrationsLintStep implements StepType<MigrationsLintStep.Config> {
    /** The files Alembic loads from a versions folder: Python sources, not {@code __init__}, not an editor's lock file. */
    private static final Pattern REVISION_FILE = Pattern.compile("(?!\\.#|__init__).*\\.py");
    /** A file without a {@code revision} variable that Alembic still accepts: the name is the revision (Alembic 0.1). */
    private static final Pattern LEGACY_REVISION_FILE = Pattern.compile("([a-f0-9]+)\\.py");
    /** A warning Alembic prints while it reads the chain ("UserWarning: Revision x is present more than once"). */
    private static final Pattern ALEMBIC_WARNING = Pattern.compile("Warning: (.+)$");
    /** A head in {@code alembic heads --verbose}: "Rev: add_sqs_metadata (head)", then its file on a "Path:" line. */
    private static final Pattern ALEMBIC_HEAD = Pattern.compile("Rev: (\\S+).*");
    private static final Pattern ALEMBIC_PATH = Pattern.compile("Path: (.+)");
    private static final Pattern FLYWAY = Pattern.compile("^([VU])([0-9][0-9._]*)__.+\\.sql$");

    public record Config(
            @Key("an Alembic versions folder, relative to the runbook") String alembic,
            @Key("a Flyway migrations folder, relative to the runbook") String flyway,
            @Key("the project's alembic executable (a name on PATH or a path relative to the runbook): Alembic itself then reads the chain")
            String executable) {
        public Config {
            if ((alembic == null) == (flyway == null)) {
                throw new IllegalArgumentException("give exactly one of alembic: FOLDER or flyway: FOLDER");
            }
            if (executable != null && alembic == null) throw new IllegalArgumentException("executable is for an Alembic folder (alembic: FOLDER)");
            if (executable != null && (executable.isBlank() || executable.startsWith("-"))) {
                throw new IllegalArgumentException("executable must be a program's name or path, got '" + executable + "'");
            }
        }
    }

    /** What was found: the chain's heads (Alembic only) and its problems. */
    record Findings(List<String> heads, List<String> problems) {}

    @Override
    public String name() {
        return "migrations.lint";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "`alembic: DIR`: more than one head, an unmerged branch, a down_revision naming nothing, a revision "
                + "defined twice; read by Alembic itself when given the project's `executable`, else the files read as "
                + "Python (never run); `flyway: DIR`: two files with one version (1.1 = 1_1 = 01.01)";
    }

    @Override
    public String example() {
        return """
                check:
                  - uses: migrations.lint
                    with: { alembic: backend/alembic/versions, executable: .venv/bin/alembic }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("problems", ResultShape.listOf(ResultShape.VALUE), "heads", ResultShape.listOf(ResultShape.VALUE),
                "ok", ResultShape.VALUE);
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        if (c.flyway() != null) return List.of("lint the Flyway migrations in " + c.flyway() + " (duplicate versions)");
        return List.of("lint the Alembic chain in " + c.alembic() + " (heads, branches, missing parents): "
                + (c.executable() != null ? "$ " + c.executable() + " heads --verbose, on a configuration naming only that folder"
                        : "the revision files read as Python, not run"));
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws IOException, InterruptedException {
        Path dir = ctx.workDir().resolve(c.alembic() != null ? c.alembic() : c.flyway()).normalize();
        if (!Files.isDirectory(dir)) return StepResult.failed("folder " + dir + " does not exist", Map.of("problems", List.of()));
        Findings found = c.flyway() != null ? new Findings(List.of(), flyway(dir))
                : c.executable() != null ? byAlembic(dir, AlembicProcess.resolve(c.executable(), ctx.workDir()), ctx) : alembic(dir);
        List<String> problems = found.problems();
        problems.forEach(p -> ctx.line("problem: " + p));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("problems", problems);
        data.put("heads", found.heads());
        data.put("ok", problems.isEmpty());
        if (problems.isEmpty()) {
            ctx.line("no problems in " + dir);
            return StepResult.ok("migration chain is sound", data);
        }
        return StepResult.failed(problems.size() + " problem(s) in the migration chain: " + problems.get(0), data);
    }

    /** One Alembic revision file: its id, its parents, and where it is. */
    record Revision(String id, List<String> parents, String file) {}

    static Findings alembic(Path dir) throws IOException {
        Map<String, Revision> revisions = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : revisionFiles(dir)) {
            String file = f.getFileName().toString();
            Map<String, PythonModule.Literal> module = PythonModule.assignments(UserFiles.readString(f, 1 << 20));
            PythonModule.Literal revision = module.get("revision");
            String id;
            if (revision == null) {
                Matcher legacy = LEGACY_REVISION_FILE.matcher(file);
                if (!legacy.matches()) {
                    problems.add(file + " declares no revision: Alembic refuses the folder");
                    continue;
                }
                id = legacy.group(1);
            } else if (revision.kind() == PythonModule.Literal.Kind.STRING) {
                id = revision.strings().get(0);
            } else {
                problems.add(unreadable(file, revision, "revision"));
                continue;
            }
            PythonModule.Literal down = module.get("down_revision");
            if (down == null) {
                problems.add(file + " declares no down_revision: Alembic refuses the folder");
                continue;
            }
            if (down.kind() == PythonModule.Literal.Kind.UNREADABLE) {
                problems.add(unreadable(file, down, "down_revision"));
                continue;
            }
            Revision rev = new Revision(id, down.strings(), file);
            Revision clash = revisions.put(rev.id(), rev);
            if (clash != null) problems.add("revision " + rev.id() + " is defined twice: " + clash.file() + " and " + rev.file());
        }
        Map<String, List<Revision>> children = new TreeMap<>();
        for (Revision rev : revisions.values()) {
            for (String p : rev.parents()) {
                if (!revisions.containsKey(p)) {
                    problems.add(rev.file() + ": down_revision " + p + " names no revision in " + dir.getFileName());
                }
                children.computeIfAbsent(p, k -> new ArrayList<>()).add(rev);
            }
        }
        List<Revision> heads = revisions.values().stream().filter(rev -> !children.containsKey(rev.id())).toList();
        if (heads.size() > 1) {
            problems.add(tooManyHeads(heads.stream().map(h -> h.id() + " (" + h.file() + ")").toList()));
            for (Map.Entry<String, List<Revision>> e : children.entrySet()) {
                if (e.getValue().size() > 1) {
                    problems.add("branch at " + e.getKey() + ": " + String.join(" and ", e.getValue().stream()
                            .map(rev -> rev.id() + " (" + rev.file() + ")").toList()) + " both have down_revision = " + e.getKey());
                }
            }
        }
        if (revisions.isEmpty() && problems.isEmpty()) problems.add("no Alembic revisions found in " + dir);
        return new Findings(heads.stream().map(Revision::id).toList(), problems);
    }

    private static String unreadable(String file, PythonModule.Literal value, String name) {
        return file + ":" + value.line() + ": " + name + " is not a literal lockstep can read without running the file (a string, None, "
                + "or a tuple or list of strings); give the step executable: to let Alembic read it";
    }

    private static String tooManyHeads(List<String> heads) {
        return heads.size() + " heads: " + String.join(", ", heads) + "; alembic upgrade head will fail: merge them or fix a down_revision";
    }

    /**
     * Alembic's own reading of the folder: {@code alembic heads} on a configuration that names the
     * folder as the script location and the only version location, in a folder of its own, so the
     * project's env.py and database are never involved. Alembic's warnings (a revision defined twice,
     * a parent that is not present) are problems, as is a failure to load the chain.
     */
    static Findings byAlembic(Path dir, String executable, StepContext ctx) throws IOException, InterruptedException {
        String folder = dir.toAbsolutePath().toString();
        if (folder.contains("\n")) throw new IOException("Alembic's configuration cannot name a folder whose name holds a line break");
        Path config = Files.createTempDirectory("lockstep-lint-");
        try {
            Path ini = config.resolve("alembic.ini");
            String location = folder.replace("%", "%%");
            Files.writeString(ini, "[alembic]\nscript_location = " + location + "\nversion_locations = " + location
                    + "\npath_separator = newline\nversion_path_separator = newline\n");
            List<String> args = List.of(executable, "-c", ini.toString(), "heads", "--verbose");
            ctx.note("$ " + String.join(" ", args));
            Map<String, String> env = new LinkedHashMap<>(ctx.env());
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            AlembicProcess.Result r = AlembicProcess.run(args, config, env, ctx);
            List<String> problems = new ArrayList<>();
            for (String line : r.errors()) {
                Matcher warning = ALEMBIC_WARNING.matcher(line);
                if (warning.find()) problems.add("Alembic: " + warning.group(1).strip());
            }
            if (r.exit() != 0) {
                problems.add(r.failure("heads"));
                return new Findings(List.of(), problems);
            }
            Map<String, String> heads = new TreeMap<>();
            String head = null;
            for (String line : r.stdout().split("\n")) {
                Matcher rev = ALEMBIC_HEAD.matcher(line);
                Matcher path = ALEMBIC_PATH.matcher(line);
                if (rev.matches()) heads.put(head = rev.group(1), "");
                else if (path.matches() && head != null) heads.put(head, Path.of(path.group(1).strip()).getFileName().toString());
            }
            if (heads.size() > 1) {
                problems.add(tooManyHeads(heads.entrySet().stream().map(h -> h.getKey() + " (" + h.getValue() + ")").toList()));
            }
            if (heads.isEmpty() && problems.isEmpty()) problems.add("no Alembic revisions found in " + dir);
            return new Findings(List.copyOf(heads.keySet()), problems);
        } finally {
            FileTrees.delete(config);
        }
    }

    static List<String> flyway(Path dir) throws IOException {
        Map<String, List<String>> byVersion = new TreeMap<>();
        for (Path f : files(dir, ".sql")) {
            Matcher m = FLYWAY.matcher(f.getFileName().toString());
            if (!m.matches()) continue;
            String version = normalise(m.group(2));
            byVersion.computeIfAbsent(m.group(1) + version, k -> new ArrayList<>()).add(dir.relativize(f).toString());
        }
        List<String> problems = new ArrayList<>();
        byVersion.forEach((v, files) -> {
            if (files.size() > 1) {
                problems.add("version " + v.substring(1) + " is used by " + files.size() + " files: " + String.join(", ", files));
            }
        });
        return problems;
    }

    /** Flyway treats 1.1, 1_1 and 01.01 as the same version. */
    private static String normalise(String version) {
        List<String> parts = new ArrayList<>();
        for (String p : version.replace('_', '.').split("\\.")) {
            if (!p.isEmpty()) parts.add(p.replaceFirst("^0+(?=\\d)", ""));
        }
        while (parts.size() > 1 && parts.get(parts.size() - 1).equals("0")) parts.remove(parts.size() - 1);
        return String.join(".", parts);
    }

    /** The top level of a versions folder, as Alembic reads it when recursive_version_locations is not set. */
    private static List<Path> revisionFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && REVISION_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
