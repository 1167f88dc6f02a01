package dev.lockstep.steps.db;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Lets tests outside the package call the lint's pure functions on fixture folders. */
public final class LintAccess {
    private LintAccess() {}

    public static List<String> alembic(Path dir) throws IOException {
        return MigrationsLintStep.alembic(dir).problems();
    }

    /** The heads the lint finds by reading the files as Python. */
    public static List<String> alembicHeads(Path dir) throws IOException {
        return MigrationsLintStep.alembic(dir).heads();
    }

    /** Reads a module's top-level literal assignments as the lint does, only to show that any text is read without failing. */
    public static int assignmentsIn(String pythonSource) {
        return PythonModule.assignments(pythonSource).size();
    }

    public static List<String> flyway(Path dir) throws IOException {
        return MigrationsLintStep.flyway(dir);
    }
}
