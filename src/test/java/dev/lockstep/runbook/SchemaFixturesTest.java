package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.spi.InvalidRunbookException;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The JSON Schema that editors use (`lockstep schema`) agrees with the loader: every runbook the
 * loader accepts (shipped ones and every valid fixture) satisfies it, and typed values the loader
 * refuses are refused by the schema too.
 */
class SchemaFixturesTest {
    private static final StepTypes TYPES = StepTypes.discover();
    private static final RunbookLoader LOADER = new RunbookLoader(TYPES);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, Object> SCHEMA = RunbookSchema.of(TYPES, Contexts.discover());
    private static final JsonSchema VALIDATOR = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(tree(SCHEMA));

    private static JsonNode tree(Object plain) {
        try {
            return MAPPER.readTree(Json.write(plain));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<ValidationMessage> validate(Path file) {
        return VALIDATOR.validate(tree(YamlReader.read(file).plain()));
    }

    /** Runbooks: YAML files with a top-level lockstep: key, outside the invalid fixtures. */
    private static List<Path> runbooks() throws IOException {
        try (Stream<Path> shipped = Files.walk(Path.of("runbooks")); Stream<Path> fixtures = Files.walk(Path.of("src/test/resources/runbooks"))) {
            return Stream.concat(shipped, fixtures)
                    .filter(p -> p.toString().endsWith(".yaml") && !p.toString().contains("/invalid/"))
                    .filter(SchemaFixturesTest::isRunbook).sorted().toList();
        }
    }

    private static boolean isRunbook(Path p) {
        try {
            return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("lockstep:"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRunbookTheLoaderAcceptsSatisfiesTheSchema() throws IOException {
        List<Path> files = runbooks();
        assertTrue(files.size() > 30, "fixtures found: " + files);
        return files.stream().map(f -> {
            Runbook loaded;
            try {
                loaded = LOADER.load(f);
            } catch (InvalidRunbookException e) {
                // A fixture that is meant to be refused (outside invalid/, for a step type's own test): nothing to hold the schema to.
                return DynamicTest.dynamicTest(f + " (refused by the loader, as its test expects)",
                        () -> assertFalse(e.problems().isEmpty()));
            }
            return DynamicTest.dynamicTest(f.toString(), () -> {
                assertFalse(loaded.steps().isEmpty());
                assertEquals(Set.of(), validate(f), f + " loads, so the schema must accept it");
            });
        });
    }

    @Test
    void typedValuesTheLoaderRefusesTheSchemaRefusesToo() {
        Set<ValidationMessage> problems = validate(Path.of("src/test/resources/runbooks/invalid/typos-and-typed-values.yaml"));
        String all = problems.toString();
        assertTrue(all.contains("$.steps[1].run"), "run: true:\n" + all);
        assertTrue(all.contains("$.steps[2].confirm"), "confirm: 5:\n" + all);
        assertTrue(all.contains("descripton"), "an unknown key:\n" + all);
    }

    @Test
    void theSchemaHasAnIdAndConstrainsDurations() {
        assertEquals(RunbookSchema.ID, SCHEMA.get("$id"));
        assertTrue(VALIDATOR.validate(tree(withTimeout("1h30m"))).isEmpty());
        Set<ValidationMessage> wrong = VALIDATOR.validate(tree(withTimeout("ten minutes")));
        assertTrue(wrong.toString().contains("$.steps[0].timeout"), wrong.toString());
    }

    private static Map<String, Object> withTimeout(String timeout) {
        return Map.of("lockstep", 1, "name", "t", "steps", List.of(Map.of("id", "a", "run", "true", "timeout", timeout)));
    }
}
