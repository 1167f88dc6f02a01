package dev.lockstep.steps.db;

import dev.lockstep.io.UserFiles;
import dev.lockstep.runbook.Value;
import dev.lockstep.step.Key;
import dev.lockstep.step.ResultShape;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
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
 * parent that no merge joins), a down_revision naming no revision. Flyway: two files
 * with the same version. Usable as a step (fails) or a precondition (does not hold).
 *
 * <pre>
 * check:
 *   - uses: migrations.lint
 *     with: { alembic: backend/alembic/versions }
 * </pre>
 */
public final class MigrationsLintStep implements StepType<MigrationsLintStep.Config> {
    private static final Pattern REVISION = Pattern.compile("(?m)^revision\\s*(?::\\s*[\\w\\[\\], ]+)?=\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern DOWN = Pattern.compile("(?m)^down_revision\\s*(?::\\s*[\\w\\[\\], |]+)?=\\s*(.+)$");
    private static final Pattern QUOTED = Pattern.compile("['\"]([^'\"]+)['\"]");
    private static final Pattern FLYWAY = Pattern.compile("^([VU])([0-9][0-9._]*)__.+\\.sql$");

    public record Config(
            @Key("an Alembic versions folder, relative to the runbook") String alembic,
            @Key("a Flyway migrations folder, relative to the runbook") String flyway) {
        public Config {
            if ((alembic == null) == (flyway == null)) {
                throw new IllegalArgumentException("give exactly one of alembic: FOLDER or flyway: FOLDER");
            }
        }
    }

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
        return "`alembic: DIR`: more than one head, an unmerged branch, a down_revision naming nothing (a merge's "
                + "down_revision tuple may span lines, as black writes it); `flyway: DIR`: two files with one version "
                + "(1.1 = 1_1 = 01.01)";
    }

    @Override
    public String example() {
        return """
                check:
                  - uses: migrations.lint
                    with: { alembic: backend/alembic/versions }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("problems", ResultShape.listOf(ResultShape.VALUE), "ok", ResultShape.VALUE);
    }

    @Override
    public boolean readOnly(Config c) {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        return List.of(c.alembic() != null ? "lint the Alembic chain in " + c.alembic() + " (heads, branches, missing parents)"
                : "lint the Flyway migrations in " + c.flyway() + " (duplicate versions)");
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws IOException {
        Path dir = ctx.workDir().resolve(c.alembic() != null ? c.alembic() : c.flyway()).normalize();
        if (!Files.isDirectory(dir)) return StepResult.failed("folder " + dir + " does not exist", Map.of("problems", List.of()));
        List<String> problems = c.alembic() != null ? alembic(dir) : flyway(dir);
        problems.forEach(p -> ctx.line("problem: " + p));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("problems", problems);
        data.put("ok", problems.isEmpty());
        if (problems.isEmpty()) {
            ctx.line("no problems in " + dir);
            return StepResult.ok("migration chain is sound", data);
        }
        return StepResult.failed(problems.size() + " problem(s) in the migration chain: " + problems.get(0), data);
    }

    /** One Alembic revision file: its id, its parents, and where it is. */
    record Revision(String id, List<String> parents, String file) {}

    static List<String> alembic(Path dir) throws IOException {
        Map<String, Revision> revisions = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Path f : files(dir, ".py")) {
            String text = UserFiles.readString(f, 1 << 20);
            Matcher r = REVISION.matcher(text);
            if (!r.find()) continue;
            List<String> parents = new ArrayList<>();
            Matcher d = DOWN.matcher(text);
            if (d.find() && !d.group(1).trim().startsWith("None")) {
                Matcher q = QUOTED.matcher(downRevision(text, d.start(1)));
                while (q.find()) parents.add(q.group(1));
            }
            Revision rev = new Revision(r.group(1), parents, f.getFileName().toString());
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
            problems.add(heads.size() + " heads: " + String.join(", ", heads.stream().map(h -> h.id() + " (" + h.file() + ")").toList())
                    + "; alembic upgrade head will fail: merge them or fix a down_revision");
            for (Map.Entry<String, List<Revision>> e : children.entrySet()) {
                if (e.getValue().size() > 1) {
                    problems.add("branch at " + e.getKey() + ": " + String.join(" and ", e.getValue().stream()
                            .map(rev -> rev.id() + " (" + rev.file() + ")").toList()) + " both have down_revision = " + e.getKey());
                }
            }
        }
        if (revisions.isEmpty()) problems.add("no Alembic revisions found in " + dir);
        return problems;
    }

    /**
     * The value of down_revision from where it starts: one line, or, for a tuple or list the
     * formatter split over several lines (a merge revision, as black writes it), up to its
     * closing bracket.
     */
    static String downRevision(String text, int start) {
        char open = text.charAt(start);
        if (open != '(' && open != '[') {
            int end = text.indexOf('\n', start);
            return end < 0 ? text.substring(start) : text.substring(start, end);
        }
        char close = open == '(' ? ')' : ']';
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == open) depth++;
            else if (ch == close && --depth == 0) return text.substring(start, i + 1);
        }
        return text.substring(start);
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

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
