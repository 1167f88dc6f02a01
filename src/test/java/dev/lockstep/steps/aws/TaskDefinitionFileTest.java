package dev.lockstep.steps.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.spi.Check;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

/** A YAML task definition is read as a runbook is: values as written, and hostile files refused at a position. */
class TaskDefinitionFileTest {
    @TempDir
    Path tmp;

    @Test
    void valuesAreTheTextWrittenWhereEcsWantsTextAndNumbersWhereItWantsNumbers() throws IOException {
        Path file = Files.writeString(tmp.resolve("task.yaml"), """
                family: "${{ params.family }}"
                containerDefinitions:
                  - name: migrate
                    image: relay:0100
                    essential: true
                    memory: 512
                    environment:
                      - { name: DRY_RUN, value: no }
                      - { name: UMASK, value: 0755 }
                      - { name: SINCE, value: 2001-12-14 }
                      - { name: VERSION, value: 1.10 }
                """);
        RegisterTaskDefinitionRequest request = TaskDefinitionFile.read(file, context());
        assertEquals("relay", request.family());
        ContainerDefinition c = request.containerDefinitions().get(0);
        assertEquals("relay:0100", c.image());
        assertEquals(512, c.memory());
        assertTrue(c.essential());
        assertEquals(List.of("no", "0755", "2001-12-14", "1.10"), c.environment().stream().map(KeyValuePair::value).toList());
    }

    @Test
    void aBillionLaughsIsRefusedAtItsPosition() throws IOException {
        StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol]\n");
        for (int i = 1; i <= 30; i++) yaml.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1)
                .append(", *a").append(i - 1).append("]\n");
        Path file = Files.writeString(tmp.resolve("laughs.yaml"), yaml);
        IOException e = assertThrows(IOException.class, () -> TaskDefinitionFile.read(file, context()));
        assertTrue(e.getMessage().startsWith(file + ":15:18: expected at most 100000 values"), e.getMessage());
    }

    private static StepContext context() {
        return new StepContext() {
            public String stepId() { return "register"; }
            public Path workDir() { return Path.of("."); }
            public Settings settings() { return Settings.of(Map.of()); }
            public Map<String, String> env() { return Map.of(); }
            public Object resolve(String template) { return template.replace("${{ params.family }}", "relay"); }
            public void line(String text) { }
            public void note(String text) { }
            public void recordExternalId(String key, String value) { }
            public Map<String, String> externalIds() { return Map.of(); }
            public CheckOutcome evaluate(Check check) { throw new UnsupportedOperationException(); }
            public boolean askOperator(String instructions) { return false; }
        };
    }
}
