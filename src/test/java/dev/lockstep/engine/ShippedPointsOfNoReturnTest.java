package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shipped runbook's point of no return, as lockstep computes it from each step's effect and rollback, and
 * as the runbook declares it (the one a run gates). A new shipped runbook must say here where its point is.
 */
class ShippedPointsOfNoReturnTest {
    private static final StepTypes TYPES = StepTypes.discover();
    private static final RunbookLoader LOADER = new RunbookLoader(TYPES);

    /** Runbook file → the computed point (null: none) and the declared one (null: not declared, so not gated). */
    private record Expected(String computed, String declared) {}

    private static final Map<String, Expected> EXPECTED = expected();

    private static Map<String, Expected> expected() {
        Map<String, Expected> m = new HashMap<>();
        m.put("alembic-gate.yaml", new Expected(null, null));
        m.put("dbupgrade.yaml", new Expected("migrate", null));
        m.put("demo-cutover.yaml", new Expected(null, null));
        m.put("demo.yaml", new Expected(null, null));
        m.put("migration-test.yaml", new Expected("pre-upgrade-job", null));
        m.put("rds-cutover.yaml", new Expected("start-relay", "start-relay"));
        m.put("stage-migration-gate.yaml", new Expected("migrate", null));
        return m;
    }

    @Test
    void everyShippedRunbooksPointOfNoReturnIsTheOneItsDescriptionJustifies() throws IOException {
        Map<String, Expected> actual = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("runbooks"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                Runbook runbook = LOADER.load(f);
                PointOfNoReturn point = PointOfNoReturn.of(runbook, TYPES);
                actual.put(f.getFileName().toString(), new Expected(point.computed(),
                        point.declared() == null ? null : point.declared().step()));
                assertNull(point.disagreement(), f + ": the runbook and lockstep agree");
                if (point.step() != null) {
                    assertTrue(runbook.description().contains("oint of no return: `" + point.step() + "`"),
                            f + ": its description names and justifies its point of no return");
                }
            }
        }
        assertEquals(new TreeMap<>(EXPECTED), actual);
    }

    /** The cutover: until the relay starts on PostgreSQL, a rollback restores it on SQLite; after, writes would be lost. */
    @Test
    void theCutoversPointIsStartingTheRelayOnPostgresWithThreeStepsUndoableBeforeIt() {
        PointOfNoReturn point = PointOfNoReturn.of(LOADER.load(Path.of("runbooks/rds-cutover.yaml")), TYPES);
        assertEquals("start-relay", point.step());
        assertTrue(point.gated());
        assertEquals(List.of("register", "stop-relay", "cutover"),
                point.undoableBefore().stream().map(PointOfNoReturn.StepEffect::step).toList());
        assertEquals("the runbook says irreversible: true (its rollback, ecs.scale (built-in undo), cannot restore the world)",
                point.why());
        assertEquals(PointOfNoReturn.Effect.NOTHING_TO_UNDO, point.effect("verify-counts").effect(), "logs.tail only reads");
    }
}
