package dev.lockstep.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What fits a declared result shape, and how a result that does not is named. */
class ResultShapeTest {
    private static final ResultShape QUERY = ResultShape.object("rows", ResultShape.listOf(ResultShape.ANY),
            "rowCount", ResultShape.VALUE, "tables", ResultShape.mapOf(ResultShape.object("source", ResultShape.VALUE)));

    @Test
    void aResultWithTheDeclaredKeysFits() {
        assertNull(QUERY.misfit(Map.of("rows", List.of(Map.of("a", 1)), "rowCount", 1)));
        assertNull(QUERY.misfit(Map.of("tables", Map.of("events", Map.of("source", 3)))));
        assertNull(QUERY.misfit(Map.of()), "a type leaves out what it did not find");
        assertNull(ResultShape.ANY.misfit(List.of(1, Map.of())));
    }

    @Test
    void anUndeclaredKeyOrAnotherKindIsNamedWithItsPath() {
        assertEquals("result.rowcount is not declared: expected one of rows, rowCount, tables",
                QUERY.misfit(Map.of("rowcount", 1)));
        assertEquals("result.rows is declared a list, got a single value", QUERY.misfit(Map.of("rows", "none")));
        assertEquals("result.rowCount is declared a single value, got an object", QUERY.misfit(Map.of("rowCount", Map.of("n", 1))));
        assertEquals("result.tables.events.target is not declared: expected one of source",
                QUERY.misfit(Map.of("tables", Map.of("events", Map.of("target", 3)))));
        assertEquals("result is declared an object, got a list", QUERY.misfit(List.of()));
    }
}
