package dev.lockstep.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private final Scope scope = Scope.of(Map.of("stack", "relay", "count", 3L),
            Map.of("add-rds", Map.of("rds_endpoint", "db.example")), Map.of("HOME", "/root"));

    @Test
    void aLoneExpressionKeepsItsTypeAndMixedTextBecomesAString() {
        assertEquals(3L, Resolver.resolveText("${{ params.count }}", scope));
        assertEquals("relay-3 at db.example in /root",
                Resolver.resolveText("${{params.stack}}-${{ params.count }} at ${{ steps.add-rds.outputs.rds_endpoint }} in ${{ env.HOME }}", scope));
        assertEquals("no expressions", Resolver.resolveText("no expressions", scope));
    }

    @Test
    void dryRunShowsPlaceholdersForValuesNotKnownYet() {
        Scope dry = Scope.of(Map.of(), Map.of(), Map.of()).withPlaceholders();
        assertEquals("host=<steps.x.outputs.y>", Resolver.resolveText("host=${{ steps.x.outputs.y }}", dry));
        assertEquals(List.of("steps.x.outputs.y"), dry.placeholdersUsed());
    }

    @Test
    void resultPathsWalkMapsAndLists() {
        Scope withResult = scope.withResult(Map.of("json", Map.of("tables", List.of("kv", "events"))));
        assertEquals("events", Resolver.resolveText("${{ result.json.tables.1 }}", withResult));
        ExpressionException e = assertThrows(ExpressionException.class,
                () -> Resolver.resolveText("${{ result.json.nope }}", withResult));
        assertTrue(e.getMessage().contains("has no 'nope'"), e.getMessage());
    }

    @Test
    void functionsApplyToValuesAndPassPlaceholdersOn() {
        Scope withPassword = Scope.of(Map.of("pw", "a/b@c d+é"), Map.of(), Map.of());
        assertEquals("a%2Fb%40c%20d%2B%C3%A9", Resolver.resolveText("${{ urlencode(params.pw) }}", withPassword));
        assertEquals("urlencode(params.pw)", Template.parse("${{urlencode( params.pw )}}").expressions().get(0).toString());
        Scope dry = Scope.of(Map.of(), Map.of(), Map.of()).withPlaceholders();
        assertEquals("u:<urlencode(steps.x.outputs.y)>@h", Resolver.resolveText("u:${{ urlencode(steps.x.outputs.y) }}@h", dry));
        assertTrue(assertThrows(ExpressionException.class, () -> Template.parse("${{ urlencode(params.x }}"))
                .getMessage().contains("balanced parentheses"));
    }

    @Test
    void malformedExpressionsSayWhatWasExpected() {
        assertTrue(assertThrows(ExpressionException.class, () -> Template.parse("${{ params.x"))
                .getMessage().contains("'}}' to close"));
        assertTrue(assertThrows(ExpressionException.class, () -> Template.parse("${{ }}"))
                .getMessage().contains("a name inside"));
        assertTrue(assertThrows(ExpressionException.class, () -> Template.parse("${{ params..x }}"))
                .getMessage().contains("a dotted name"));
    }
}
