package dev.lockstep.steps.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Lets tests outside the package call the lint's pure functions on fixture folders. */
public final class LintAccess {
    private LintAccess() {}

    public static List<String> alembic(Path dir) throws IOException {
        return MigrationsLintStep.alembic(dir);
    }

    public static List<String> flyway(Path dir) throws IOException {
        return MigrationsLintStep.flyway(dir);
    }
}
